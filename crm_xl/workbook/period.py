"""``crm-xl new-period``: the next period's blank sheets, added without touching the rest.

The workbook is the user's: earlier periods, their own edits, charts, VBA and buttons must
all survive. So the file is edited as an OOXML package (:mod:`crm_xl.xlsx.package`), not loaded
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
from typing import Any, Protocol

from crm_xl.errors import CrmError, Problem
from crm_xl.files.lock import check_not_open
from crm_xl.workbook import layout
from crm_xl.workbook.layout import Period, split_ref


@dataclass
class NewPeriod:
    """What :func:`add_period` did."""

    book: Path | None  # None when done inside Excel (the New period macro)
    period: Period
    previous: Period
    sheets: list[str]
    forms: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # cells whose results were not stored
    lang: str = "zh"


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


def _strip_code_name(xml: bytes) -> bytes:
    # a copied sheet must not reuse the source's VBA code name (Excel gives it its own)
    return re.sub(rb'(<sheetPr\b[^>]*?)\s+codeName="[^"]*"', rb"\1", xml, count=1)


class SheetsBackend(Protocol):
    """What adding a period needs of a workbook: the file (:class:`PackageSheets`, for
    ``crm-xl new-period``) or the workbook open in Excel (:class:`XlwingsSheets`, for the
    macro). The steps themselves are :func:`add_period_to`, shared by both."""

    def names(self) -> dict[str, str]:
        """Workbook-level defined names → their text, without ``=``."""

    def sheet_names(self) -> list[str]: ...

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        """Copy a worksheet with everything on it (styles, validation, formats)."""

    def formulas(self, sheet: str) -> dict[str, str]:
        """Cell → formula text (``=…``) of the ordinary (not array) formulas of a sheet."""

    def formula_cells(self, sheet: str, cells: list[str]) -> set[str]:
        """Those of ``cells`` that hold a formula (array-formula cells included)."""

    def values(self, sheet: str, cells: list[str]) -> dict[str, Any]: ...

    def set_cells(self, sheet: str, values: dict[str, Any]) -> None:
        """Set cells: text, numbers, ``Formula`` or None (cleared, style kept)."""

    def set_name(self, name: str, text: str) -> None: ...


def add_period_to(backend: SheetsBackend, new: Period | None = None) -> NewPeriod:
    """Add period ``new`` (default: the one after the latest) through ``backend``.

    The latest period's Self-assessment and Ratings sheets are copied; in the copies the
    answers and the customers' figures are cleared (the customer list stays), and result
    cells that hold values rather than formulas (after a click on the button) are cleared
    too, so no number of the old period is shown as the new one's. New defined names point
    at the copies; the Dashboard moves to the new period and its trend table gains a row.
    """
    from crm_xl.xlsx import Formula, check_sheet_name

    names = backend.names()
    lower = {k.lower(): (k, v) for k, v in names.items()}
    if layout.LANG_NAME not in lower:
        raise CrmError(
            "not a crm_xl workbook (it has no crm_lang name): create one with crm-xl new"
        )
    lang = lower[layout.LANG_NAME][1].strip('"')
    periods = layout.periods_of(names)
    if not periods:
        raise CrmError("the workbook has no period yet (no crm_<period>_ratings name)")
    latest = periods[-1]
    new = new if new is not None else latest.next()
    if any(p.key == new.key for p in periods):
        raise CrmError(
            f"period {new} already exists: choose another --period (the workbook has "
            f"{', '.join(map(str, periods))})"
        )
    if new < latest:
        raise CrmError(
            f"{new} comes before the workbook's latest period {latest}: new-period adds the next "
            "period (sheets, Dashboard and trend follow the order of time)"
        )
    sa_sheet, _ = split_ref(lower[layout.name(latest, "sa_scores").lower()][1])
    r_sheet, _ = split_ref(lower[layout.name(latest, "ratings").lower()][1])
    new_sa, new_r = layout.self_assessment_sheet(new, lang), layout.ratings_sheet(new, lang)
    existing = backend.sheet_names()
    check_sheet_name(new_sa, existing)
    check_sheet_name(new_r, [*existing, new_sa])

    backend.copy_sheet(sa_sheet, new_sa, after=r_sheet)
    backend.copy_sheet(r_sheet, new_r, after=new_sa)

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
    for what in ("sa_points", "sa_composite"):
        key = layout.name(latest, what).lower()
        if key in lower:
            cells = _cells(split_ref(lower[key][1])[1])
            held = backend.formula_cells(new_sa, cells)
            clear.update({c: None for c in cells if c not in held})
    backend.set_cells(new_sa, clear)

    kept = {"customer_id", "name", "region", "channel"}
    clear = {"A1": layout.ratings_title(new, lang)}
    results = []
    for c in layout.RATINGS_INPUTS:
        if c.key in kept:
            continue
        key = layout.name(latest, c.key).lower()
        if key in lower:
            for cell in _cells(split_ref(lower[key][1])[1]):
                clear[cell] = None
    prefix = f"crm_{latest.key}_".lower()
    inputs = {layout.name(latest, c.key).lower() for c in layout.RATINGS_INPUTS}
    for lname, (_, text) in lower.items():
        if lname.startswith(prefix) and lname not in inputs and not lname.endswith("_ratings"):
            sheet, ref = split_ref(text)
            if sheet == r_sheet:
                results.extend(_cells(ref))
    held = backend.formula_cells(new_r, results)
    clear.update({c: None for c in results if c not in held and c not in clear})
    backend.set_cells(new_r, clear)

    # defined names of the new period: the latest period's, pointing at the new sheets
    for lname, (name, text) in lower.items():
        if lname.startswith(prefix):
            sheet, ref = split_ref(text)
            target = {sa_sheet: new_sa, r_sheet: new_r}.get(sheet)
            if target is None:
                continue
            what = name[len(prefix) :]
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)
            backend.set_name(layout.name(new, what), f"{_quoted(target)}!{absolute}")
    known = [p.key for p in periods] + [new.key]
    backend.set_name(
        "crm_periods", '"' + ",".join(sorted(known, key=lambda k: Period.from_key(k))) + '"'
    )

    # the Dashboard: current period, its formulas, one more trend row
    sheets_changed = [new_sa, new_r]
    if "crm_current_period" in lower and "crm_trend" in lower:
        dash, current = split_ref(lower["crm_current_period"][1])
        _, trend = split_ref(lower["crm_trend"][1])
        trend_cells = set(_cells(trend))
        updates: dict[str, Any] = {current: str(new)}
        old_tag, new_tag = f"crm_{latest.key}_", f"crm_{new.key}_"
        for cell, text in backend.formulas(dash).items():
            if cell not in trend_cells and old_tag.lower() in text.lower():
                updates[cell] = Formula(re.sub(re.escape(old_tag), new_tag, text, flags=re.I))
        values = backend.values(dash, sorted(trend_cells))
        rows_free = sorted(
            {
                int(re.sub(r"[A-Z]+", "", c))
                for c in trend_cells
                if c.startswith("A") and values.get(c) in (None, "")
            }
        )
        if rows_free:
            from crm_xl.workbook.dashboard_sheet import trend_row

            for col, value in trend_row(new).items():
                updates[f"{col}{rows_free[0]}"] = Formula(value) if value.startswith("=") else value
        backend.set_cells(dash, updates)
        sheets_changed.append(dash)
    return NewPeriod(None, new, latest, sheets_changed, lang=lang)


class PackageSheets:
    """:class:`SheetsBackend` over the file, edited as an OOXML package (nothing re-saved)."""

    def __init__(self, book: Path) -> None:
        from crm_xl.xlsx import Package

        self.book = book
        self.pkg = Package.open(book)

    def names(self) -> dict[str, str]:
        from crm_xl.workbook.ratings import workbook_names

        return workbook_names(self.pkg)

    def sheet_names(self) -> list[str]:
        return [info.name for info in self.pkg.sheets()]

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        self.pkg.clone_sheet(source, title, after=after, transform=_strip_code_name)

    def formulas(self, sheet: str) -> dict[str, str]:
        from defusedxml import ElementTree

        ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        root = ElementTree.fromstring(self.pkg.part(self.pkg.sheet(sheet).part))
        out = {}
        for c in root.iter(f"{ns}c"):
            f = c.find(f"{ns}f")
            if f is not None and f.text and f.get("t") not in ("shared", "array"):
                out[c.get("r")] = "=" + f.text
        return out

    def formula_cells(self, sheet: str, cells: list[str]) -> set[str]:
        # every formula cell of the sheet in one pass of the regex engine, then those asked
        return self.pkg.formula_cells(sheet) & set(cells) if cells else set()

    def values(self, sheet: str, cells: list[str]) -> dict[str, Any]:
        return _read_values(self.book, sheet, cells)  # the file on disk: not yet changed

    def set_cells(self, sheet: str, values: dict[str, Any]) -> None:
        self.pkg.set_cells(sheet, values)

    def set_name(self, name: str, text: str) -> None:
        self.pkg.set_defined_name(name, text)


class XlwingsSheets:
    """:class:`SheetsBackend` inside Excel: xlwings' public Book/Sheet/Range/Names API.

    Blank cells are cleared one column run at a time (one call per run, not per cell);
    text goes in behind an apostrophe so that Excel keeps ``2027-03`` as text, not a date.
    """

    def __init__(self, book: Any) -> None:
        self.book = book

    def names(self) -> dict[str, str]:
        from crm_xl.workbook.ratings import xlwings_workbook_names

        return xlwings_workbook_names(self.book)

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        self.book.sheets[source].copy(after=self.book.sheets[after], name=title)
        # Excel copies the workbook names that point at the source as names local to the
        # copy; they would shadow nothing we use but confuse the Name Manager: drop them
        local = (f"{title}!", f"{_quoted(title)}!")
        for name in list(self.book.names):
            if name.name.startswith(local):
                name.delete()

    def _block(self, sheet: str, cells: list[str]) -> tuple[Any, int, int]:
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        at = [coordinate_from_string(c) for c in cells]
        cols = [column_index_from_string(c) for c, _ in at]
        rows = [r for _, r in at]
        ref = f"{get_column_letter(min(cols))}{min(rows)}:{get_column_letter(max(cols))}{max(rows)}"
        return self.book.sheets[sheet].range(ref), min(rows), min(cols)

    @staticmethod
    def _grid(value: Any) -> list[list[Any]]:
        if not isinstance(value, (list, tuple)):
            return [[value]]
        return [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]

    def formulas(self, sheet: str) -> dict[str, str]:
        from openpyxl.utils import get_column_letter

        rng = self.book.sheets[sheet].used_range
        out = {}
        for i, row in enumerate(self._grid(rng.formula)):
            for j, text in enumerate(row):
                if isinstance(text, str) and text.startswith("="):
                    out[f"{get_column_letter(rng.column + j)}{rng.row + i}"] = text
        return out

    def formula_cells(self, sheet: str, cells: list[str]) -> set[str]:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        if not cells:
            return set()
        rng, r0, c0 = self._block(sheet, cells)
        grid = self._grid(rng.formula)
        held = set()
        for cell in cells:
            col, row = coordinate_from_string(cell)
            text = grid[row - r0][column_index_from_string(col) - c0]
            if isinstance(text, str) and text.startswith("="):
                held.add(cell)
        return held

    def values(self, sheet: str, cells: list[str]) -> dict[str, Any]:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        if not cells:
            return {}
        rng, r0, c0 = self._block(sheet, cells)
        grid = rng.options(ndim=2, empty=None).value
        out = {}
        for cell in cells:
            col, row = coordinate_from_string(cell)
            out[cell] = grid[row - r0][column_index_from_string(col) - c0]
        return out

    def set_cells(self, sheet: str, values: dict[str, Any]) -> None:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        from crm_xl.xlsx import Formula

        ws = self.book.sheets[sheet]
        blanks = sorted(
            (
                column_index_from_string(coordinate_from_string(c)[0]),
                coordinate_from_string(c)[1],
                c,
            )
            for c, v in values.items()
            if v is None
        )
        run: list[tuple[int, int, str]] = []
        for item in [*blanks, None]:  # contiguous runs down a column: one call each
            if run and (item is None or item[0] != run[-1][0] or item[1] != run[-1][1] + 1):
                first, last = run[0][2], run[-1][2]
                ws.range(first if first == last else f"{first}:{last}").clear_contents()
                run = []
            if item is not None:
                run.append(item)
        for cell, v in values.items():
            if v is None:
                continue
            if isinstance(v, Formula):
                ws.range(cell).formula = "=" + v.text
            elif isinstance(v, str):
                ws.range(cell).value = "'" + v
            else:
                ws.range(cell).value = v

    def set_name(self, name: str, text: str) -> None:
        self.book.names.add(name, "=" + text)


def add_period(
    book: str | Path, period: str, *, departments: str | Path | None = None, force: bool = False
) -> NewPeriod:
    """Add ``period``'s blank sheets to ``book`` (see the module notes); returns what was done.

    The file is changed in one atomic save; on any error it is left as it was.
    """
    book = Path(book)
    if not book.exists():
        raise CrmError("no such file", str(book))
    check_not_open(book, force)
    new = Period.parse(period)
    backend = PackageSheets(book)
    try:
        result = add_period_to(backend, new)
    except CrmError as err:  # name the file where a problem has no place of its own
        raise CrmError(Problem(p.where or str(book), p.message) for p in err.problems) from None
    backend.pkg.request_full_calc_on_load()  # Excel recomputes everything on opening
    backend.pkg.save(book)
    result.book = book
    # the copies still hold the old period's stored results: store the new ones, so that
    # readers other than Excel do not show last period's numbers as this period's
    from crm_xl.workbook.recalc import recalc_book

    try:  # the period is added and saved: a problem here is a warning, not a failure
        stored = recalc_book(book, force=True, sheets=set(result.sheets))
        result.warnings = [str(p) for p in stored.problems]
    except CrmError as err:
        result.warnings = [str(p) for p in err.problems]
    if departments is not None:
        result.forms = write_department_forms(book, new, result.lang, departments, force=force)
    return result


def _read_values(book: Path, sheet: str, cells: list[str]) -> dict[str, Any]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from python_calamine import CalamineWorkbook

    from crm_xl.xlsx import Package  # noqa: F401  (same limits were checked when opening)

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
    from crm_xl.xlsx import Package

    pkg = Package.open(book)
    names = {k.lower(): v for k, v in pkg.defined_names().items()}
    if "crm_form_weight" not in names:
        return [item.weight for item in layout.FORM_ITEMS]
    sheet, ref = split_ref(names["crm_form_weight"][0])
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

    from crm_xl.files.atomic import atomic_path
    from crm_xl.files.tables import read_table
    from crm_xl.workbook.form_sheet import add_self_assessment
    from crm_xl.workbook.styles import cell_styles

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
            wb, period, lang, cell_styles(), standalone_weights=weights, department=dept
        )
        with atomic_path(path) as tmp:
            wb.save(tmp)
        written.append(path)
    return written
