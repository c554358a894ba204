"""``crm-xl new-period``: the next period's blank sheets, added without touching the rest.

The workbook is the user's: earlier periods, their own edits, charts, VBA and buttons must
all survive. So the file is edited as an OOXML package (:mod:`crm_xl.ooxml`), not loaded
and re-saved by openpyxl (which drops parts — see FACTS.md): the latest period's
Self-assessment and Ratings sheets are copied at XML level, so they keep their structure,
styles, validation and conditional formats; in the copies the answers and the customers'
figures are cleared, the customer list (ID, name, region, channel) stays. New defined
names point at the new sheets, the Dashboard's current-period cells move to the new
period, and its trend table gains a row. Every other part of the file stays byte-for-byte
as it was.

With ``--departments FILE`` it also writes one blank form workbook per department for the
period (seed 002: forms are filled by each team), standalone (no crm_xl needed to fill it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_xl import layout
from crm_xl.errors import CrmError
from crm_xl.layout import Period

_PERIOD_NAME = re.compile(
    r"^crm_(?P<key>\d{4}(?:Q[1-4]|H[12]|0[1-9]|1[0-2])?)_ratings$", re.IGNORECASE
)
_REF = re.compile(r"^'?(?P<sheet>(?:[^']|'')+?)'?!(?P<ref>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$")


@dataclass
class NewPeriod:
    """What :func:`add_period` did."""

    book: Path
    period: Period
    previous: Period
    sheets: list[str]
    forms: list[Path] = field(default_factory=list)


def _split_ref(text: str) -> tuple[str, str]:
    m = _REF.match(text.strip())
    if not m:
        raise CrmError(f"cannot read the reference {text!r}")
    return m["sheet"].replace("''", "'"), m["ref"].replace("$", "")


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _cells(ref: str) -> list[str]:
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return [
        f"{get_column_letter(c)}{r}"
        for r in range(min_row, max_row + 1)
        for c in range(min_col, max_col + 1)
    ]


def check_not_open(book: Path, force: bool = False) -> None:
    """Refuse a workbook Excel has open (its ``~$`` lock file is there), unless ``force``."""
    lock = book.with_name("~$" + book.name[2:] if len(book.name) > 2 else "~$" + book.name)
    lock_full = book.with_name("~$" + book.name)
    if not force and (lock.exists() or lock_full.exists()):
        raise CrmError(
            "Excel has this workbook open (its ~$ lock file is there): close it first, or use --force",
            str(book),
        )


def _strip_code_name(xml: bytes) -> bytes:
    # a copied sheet must not reuse the source's VBA code name (Excel gives it its own)
    return re.sub(rb'(<sheetPr\b[^>]*?)\s+codeName="[^"]*"', rb"\1", xml, count=1)


def _dashboard_formulas(pkg: Any, sheet: str) -> dict[str, str]:
    """Cell → formula text of a worksheet (read-only, for retargeting)."""
    from defusedxml import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ElementTree.fromstring(pkg.part(pkg.sheet(sheet).part))
    out = {}
    for c in root.iter(f"{ns}c"):
        f = c.find(f"{ns}f")
        if f is not None and f.text and f.get("t") not in ("shared", "array"):
            out[c.get("r")] = f.text
    return out


def add_period(
    book: str | Path, period: str, *, departments: str | Path | None = None, force: bool = False
) -> NewPeriod:
    """Add ``period``'s blank sheets to ``book`` (see the module notes); returns what was done."""
    from crm_xl.ooxml import Formula, Package

    book = Path(book)
    if not book.exists():
        raise CrmError("no such file", str(book))
    check_not_open(book, force)
    new = Period.parse(period)
    pkg = Package.open(book)
    names = pkg.defined_names()
    lower = {k.lower(): (k, v) for k, v in names.items()}
    if layout.LANG_NAME not in lower:
        raise CrmError(
            "not a crm_xl workbook (it has no crm_lang name): create one with crm-xl new", str(book)
        )
    lang = lower[layout.LANG_NAME][1][0].strip('"')
    periods = sorted(Period.from_key(m["key"]) for k in names if (m := _PERIOD_NAME.match(k)))
    if not periods:
        raise CrmError("the workbook has no period yet (no crm_<period>_ratings name)", str(book))
    if any(p.key == new.key for p in periods):
        raise CrmError(
            f"period {new} already exists: choose another --period (the workbook has "
            f"{', '.join(map(str, periods))})",
            str(book),
        )
    latest = periods[-1]
    if new < latest:
        raise CrmError(
            f"{new} comes before the workbook's latest period {latest}: new-period adds the next "
            "period (sheets, Dashboard and trend follow the order of time)",
            str(book),
        )
    sa_sheet, _ = _split_ref(lower[layout.name(latest, "sa_scores").lower()][1][0])
    r_sheet, _ = _split_ref(lower[layout.name(latest, "ratings").lower()][1][0])
    new_sa, new_r = layout.self_assessment_sheet(new, lang), layout.ratings_sheet(new, lang)
    for title in (new_sa, new_r):
        pkg.check_sheet_name(title)

    pkg.clone_sheet(sa_sheet, new_sa, after=r_sheet, transform=_strip_code_name)
    pkg.clone_sheet(r_sheet, new_r, after=new_sa, transform=_strip_code_name)

    # the copies: new titles, answers and figures cleared, the customer list kept
    rows = layout.form_rows()
    clear: dict[str, Any] = {"A1": layout.form_title(new, lang)}
    for r in range(rows["first_item"], rows["last_item"] + 1):
        clear[f"{layout.FORM_COL_SCORE}{r}"] = None
        clear[f"{layout.FORM_COL_REMARKS}{r}"] = None
    for col in "BDF":
        clear[f"{col}{layout.FORM_INFO_ROW}"] = None
    for r in range(rows["plan_first"], rows["plan_last"] + 1):
        for col in "ABCD":
            clear[f"{col}{r}"] = None
    pkg.set_cells(new_sa, clear)

    kept = {"customer_id", "name", "region", "channel"}
    clear = {"A1": layout.ratings_title(new, lang)}
    for c in layout.RATINGS_INPUTS:
        if c.key in kept:
            continue
        key = layout.name(latest, c.key).lower()
        if key in lower:
            for cell in _cells(_split_ref(lower[key][1][0])[1]):
                clear[cell] = None
    pkg.set_cells(new_r, clear)

    # defined names of the new period: the latest period's, pointing at the new sheets
    prefix = f"crm_{latest.key}_".lower()
    for lname, (name, (text, local)) in lower.items():
        if lname.startswith(prefix) and local is None:
            sheet, ref = _split_ref(text)
            target = {sa_sheet: new_sa, r_sheet: new_r}.get(sheet)
            if target is None:
                continue
            what = name[len(prefix) :]
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)
            pkg.set_defined_name(layout.name(new, what), f"{_quoted(target)}!{absolute}")
    known = [p.key for p in periods] + [new.key]
    pkg.set_defined_name(
        "crm_periods", '"' + ",".join(sorted(known, key=lambda k: Period.from_key(k))) + '"'
    )

    # the Dashboard: current period, its formulas, one more trend row
    sheets_changed = [new_sa, new_r]
    if "crm_current_period" in lower and "crm_trend" in lower:
        dash, current = _split_ref(lower["crm_current_period"][1][0])
        _, trend = _split_ref(lower["crm_trend"][1][0])
        trend_cells = set(_cells(trend))
        updates: dict[str, Any] = {}
        old_tag, new_tag = f"crm_{latest.key}_", f"crm_{new.key}_"
        if new == max([*periods, new]):  # the Dashboard follows the newest period
            updates[current] = str(new)
            for cell, text in _dashboard_formulas(pkg, dash).items():
                if cell not in trend_cells and old_tag.lower() in text.lower():
                    updates[cell] = Formula(
                        re.sub(re.escape(old_tag), new_tag, text, flags=re.IGNORECASE)
                    )
        values = _read_values(book, dash, sorted(trend_cells))
        rows_free = sorted(
            {
                int(re.sub(r"[A-Z]+", "", c))
                for c in trend_cells
                if c.startswith("A") and values.get(c) in (None, "")
            }
        )
        if rows_free:
            from crm_xl.workbook import trend_row

            for col, value in trend_row(new).items():
                updates[f"{col}{rows_free[0]}"] = Formula(value) if value.startswith("=") else value
        if updates:
            pkg.set_cells(dash, updates)
            sheets_changed.append(dash)
    pkg.request_full_calc_on_load()  # the copied formulas have no cached values yet
    pkg.save(book)

    result = NewPeriod(book, new, latest, sheets_changed)
    if departments is not None:
        result.forms = write_department_forms(book, new, lang, departments, force=force)
    return result


def _read_values(book: Path, sheet: str, cells: list[str]) -> dict[str, Any]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from python_calamine import CalamineWorkbook

    from crm_xl.ooxml import Package  # noqa: F401  (same limits were checked when opening)

    rows = (
        CalamineWorkbook.from_path(str(book))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )
    out = {}
    for cell in cells:
        col, row = coordinate_from_string(cell)
        c = column_index_from_string(col) - 1
        out[cell] = rows[row - 1][c] if row - 1 < len(rows) and c < len(rows[row - 1]) else None
    return out


def _form_weights(book: Path) -> list[float]:
    """The self-assessment item weights from the workbook's Model (crm_form_weight)."""
    from crm_xl.ooxml import Package

    pkg = Package.open(book)
    names = {k.lower(): v for k, v in pkg.defined_names().items()}
    if "crm_form_weight" not in names:
        return [item.weight for item in layout.FORM_ITEMS]
    sheet, ref = _split_ref(names["crm_form_weight"][0])
    values = _read_values(book, sheet, _cells(ref))
    weights = [values[c] for c in _cells(ref)]
    if not all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights):
        raise CrmError(f"the form's item weights must be numbers, got {weights}", f"{sheet}!{ref}")
    return [float(w) for w in weights]


def _safe_file_part(text: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "_", text.strip()).strip("._")
    return cleaned[:60] or "department"


def write_department_forms(
    book: Path, period: Period, lang: str, departments: str | Path, *, force: bool = False
) -> list[Path]:
    """One standalone blank form workbook per department, next to ``book``."""
    from openpyxl import Workbook

    from crm_xl.atomic import atomic_path
    from crm_xl.tables import read_table
    from crm_xl.workbook import _styles, add_self_assessment

    table = read_table(departments)
    headers = {str(h).strip().lower(): h for h in table.frame.columns}
    column = next((headers[h] for h in ("department", "部门", "dept") if h in headers), None)
    if column is None:
        raise CrmError(
            f"needs a 'department' (部门) column; its columns are: {', '.join(map(str, table.frame.columns))}",
            str(departments),
        )
    names = [str(v).strip() for v in table.frame[column] if v is not None and str(v).strip()]
    if not names:
        raise CrmError("no departments listed", str(departments))
    weights = _form_weights(book)
    written = []
    for dept in dict.fromkeys(names):
        path = book.with_name(f"{book.stem}_{period.key}_{_safe_file_part(dept)}.xlsx")
        if path.exists() and not force:
            raise CrmError("already exists: use --force to replace the department forms", str(path))
        wb = Workbook()
        wb.remove(wb.active)
        add_self_assessment(
            wb, period, lang, _styles(), standalone_weights=weights, department=dept
        )
        with atomic_path(path) as tmp:
            wb.save(tmp)
        written.append(path)
    return written
