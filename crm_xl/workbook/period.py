"""``crm-xl new-period``: the next period's blank sheets, added without touching the rest.

The workbook is the user's: earlier periods, their own edits, charts, VBA and buttons must
all survive. So the file is edited as an OOXML package (:mod:`crm_xl.xlsx.package`), not loaded
and re-saved by openpyxl (which drops parts): the latest period's Self-assessment and Ratings
sheets are copied at XML level, so they keep their structure, styles, validation and
conditional formats; in the copies the answers and the customers' figures are cleared, the
customer list (ID, name, region, channel) stays. New defined names point at the new sheets,
the Dashboard's current-period cells move to the new period, and its trend table gains a
row. Every other part of the file stays byte-for-byte as it was.

The steps (:func:`add_period_to`) run over a :class:`~crm_xl.workbook.backend.Backend`: the
file for ``crm-xl new-period``, the workbook open in Excel for the New period macro.

With ``--departments FILE`` it also writes one blank form workbook per department for the
period (forms are filled in by each team), standalone (no crm_xl needed to fill it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.files.atomic import editing
from crm_xl.files.lock import check_not_open
from crm_xl.workbook import layout
from crm_xl.workbook.backend import Backend
from crm_xl.workbook.dashboard_sheet import trend_row
from crm_xl.workbook.form_sheet import add_self_assessment
from crm_xl.workbook.layout import Period, split_ref
from crm_xl.workbook.model_reader import read_form_weights
from crm_xl.workbook.package_backend import PackageBackend
from crm_xl.workbook.recalc import recalc_book
from crm_xl.workbook.styles import cell_styles
from crm_xl.xlsx.coordinates import absolute, parse_range, quote_sheet, range_cells


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


def add_period_to(backend: Backend, new: Period | None = None) -> NewPeriod:
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
    sa_sheet, _ = split_ref(lower[layout.name(latest, layout.SA_SCORES).lower()][1])
    r_sheet, _ = split_ref(lower[layout.name(latest, layout.RATINGS_TABLE).lower()][1])
    new_sa, new_r = layout.self_assessment_sheet(new, lang), layout.ratings_sheet(new, lang)
    existing = backend.sheet_names()
    check_sheet_name(new_sa, existing)
    check_sheet_name(new_r, [*existing, new_sa])

    backend.copy_sheet(sa_sheet, new_sa, after=r_sheet)
    backend.copy_sheet(r_sheet, new_r, after=new_sa)

    # the copies: new titles, answers and figures cleared, the customer list kept
    rows = layout.form_rows()
    clear: dict[str, Any] = {layout.TITLE_CELL: layout.form_title(new, lang)}
    for r in range(rows["first_item"], rows["last_item"] + 1):
        clear[f"{layout.FORM_COL_SCORE}{r}"] = None
        clear[f"{layout.FORM_COL_REMARKS}{r}"] = None
    for col in layout.FORM_INFO_INPUTS:
        clear[f"{col}{layout.FORM_INFO_ROW}"] = None
    for r in range(rows["plan_first"], rows["plan_last"] + 1):
        for col in layout.FORM_PLAN_COLUMNS:
            clear[f"{col}{r}"] = None
    for what in (layout.SA_POINTS, layout.SA_COMPOSITE):
        key = layout.name(latest, what).lower()
        if key in lower:
            cells = range_cells(split_ref(lower[key][1])[1])
            held = backend.formula_cells(new_sa, cells)
            clear.update({c: None for c in cells if c not in held})
    backend.set_cells(new_sa, clear)

    clear = {layout.TITLE_CELL: layout.ratings_title(new, lang)}
    results = []
    for c in layout.RATINGS_INPUTS:
        if c.carried:
            continue
        key = layout.name(latest, c.key).lower()
        if key in lower:
            for cell in range_cells(split_ref(lower[key][1])[1]):
                clear[cell] = None
    prefix = layout.name(latest, "").lower()  # the latest period's names: crm_2026q4_…
    inputs = {layout.name(latest, c.key).lower() for c in layout.RATINGS_INPUTS}
    for lname, (_, text) in lower.items():
        table = lname == layout.name(latest, layout.RATINGS_TABLE).lower()
        if lname.startswith(prefix) and lname not in inputs and not table:
            sheet, ref = split_ref(text)
            if sheet == r_sheet:
                results.extend(range_cells(ref))
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
            backend.set_name(layout.name(new, what), f"{quote_sheet(target)}!{absolute(ref)}")
    known = [p.key for p in periods] + [new.key]
    backend.set_name(
        layout.PERIODS_NAME, '"' + ",".join(sorted(known, key=lambda k: Period.from_key(k))) + '"'
    )

    # the Dashboard: current period, its formulas, one more trend row
    sheets_changed = [new_sa, new_r]
    if layout.CURRENT_PERIOD_NAME in lower and layout.TREND_NAME in lower:
        dash, current = split_ref(lower[layout.CURRENT_PERIOD_NAME][1])
        _, trend = split_ref(lower[layout.TREND_NAME][1])
        trend_cells = set(range_cells(trend))
        updates: dict[str, Any] = {current: str(new)}
        old_tag, new_tag = layout.name(latest, ""), layout.name(new, "")
        for cell, text in backend.formulas(dash).items():
            if cell not in trend_cells and old_tag.lower() in text.lower():
                updates[cell] = Formula(re.sub(re.escape(old_tag), new_tag, text, flags=re.I))
        first_row, _, last_row, _ = parse_range(trend)  # a row is free while its period is blank
        rows_free = [
            first_row + i for i, row in enumerate(backend.read(dash, trend)) if row[0] in (None, "")
        ]
        if rows_free:
            row = rows_free[0]
        else:  # full: the table grows by a row, and its chart with it (every period is kept)
            row = last_row + 1
            backend.extend_charts(dash, first_row, last_row, row)
            backend.set_name(layout.TREND_NAME, f"{quote_sheet(dash)}!$A${first_row}:$D${row}")
        for col, value in trend_row(new).items():
            updates[f"{col}{row}"] = Formula(value) if value.startswith("=") else value
        backend.set_cells(dash, updates)
        sheets_changed.append(dash)
    return NewPeriod(None, new, latest, sheets_changed, lang=lang)


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
    with editing(book):
        new = Period.parse(period)
        # everything that can be refused is checked before the workbook changes: a failed run
        # leaves it as it was, and a second try is not told the period already exists
        plan = department_forms_plan(book, new, departments, force) if departments else []
        backend = PackageBackend(book)
        try:
            result = add_period_to(backend, new)
        except CrmError as err:  # name the file where a problem has no place of its own
            raise CrmError(Problem(p.where or str(book), p.message) for p in err.problems) from None
        forms = []
        if departments is not None:
            weights = read_form_weights(backend)
            forms = [
                (department_form(new, result.lang, dept, weights), path) for dept, path in plan
            ]
        for name in backend.pkg.part_names():  # a damaged part is refused now, not after saving
            if name.lower().endswith((".xml", ".rels", ".vml")):
                backend.pkg.check_part(name)
        backend.save(book)
        del backend  # its parts and caches: the recalculation below reads the file afresh
        result.book = book
        # the copies still hold the old period's stored results: store the new ones, so that
        # readers other than Excel do not show last period's numbers as this period's (and
        # nothing asks Excel to recompute on opening, which shows #NAME? without the add-in)
        try:  # the period is added and saved: a problem here is a warning, not a failure
            stored = recalc_book(book, force=True, sheets=set(result.sheets))
            result.warnings = [str(p) for p in stored.problems + stored.not_evaluated]
            complete = not (stored.problems or stored.not_evaluated)
        except CrmError as err:
            result.warnings = [str(p) for p in err.problems]
            complete = False
        if not complete:  # some values could not be stored: then Excel computes them on opening
            from crm_xl.xlsx import Package

            pkg = Package.open(book)
            pkg.request_full_calc_on_load()
            pkg.save(book)
        result.forms = [_save_form(wb, path) for wb, path in forms]
        return result


def _safe_file_part(text: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "_", text.strip()).strip("._")
    return cleaned[:60] or "department"


def department_forms_plan(
    book: Path, period: Period, departments: str | Path, force: bool = False
) -> list[tuple[str, Path]]:
    """The departments listed in ``departments`` (a CSV or Excel table with a
    ``department``/``部门`` column) and the form each gets next to ``book``; raises
    :class:`CrmError` for a list it cannot use or a form that exists (unless ``force``)."""
    from crm_xl.files.tables import read_table

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
    plan = []
    for dept in dict.fromkeys(names):
        path = book.with_name(f"{book.stem}_{period.key}_{_safe_file_part(dept)}.xlsx")
        if path.exists() and not force:
            raise CrmError("already exists: use --force to replace the department forms", str(path))
        plan.append((dept, path))
    return plan


def department_form(period: Period, lang: str, department: str, weights: Sequence[float]) -> Any:
    """A standalone blank form (an openpyxl Workbook) for one department, with the form
    items' ``weights`` (the Model's, :func:`read_form_weights`)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    add_self_assessment(
        wb, period, lang, cell_styles(), standalone_weights=weights, department=department
    )
    return wb


def _save_form(wb: Any, path: Path) -> Path:
    """Save a department form with its formulas' results stored, as every workbook crm_xl
    writes: a reader other than Excel (pandas, a viewer, the mail preview) shows "0/5"
    items scored, and nothing asks the reader to recompute on opening."""
    from crm_xl.files.atomic import atomic_path
    from crm_xl.workbook.build import CALC_ENGINE_ID, store_results

    wb.calculation.fullCalcOnLoad = False
    wb.calculation.calcId = CALC_ENGINE_ID
    with atomic_path(path) as tmp:
        wb.save(tmp)
        store_results(tmp)
    return path
