"""Collecting the departments' filled-in forms back into the workbook (``crm-xl collect``).

``crm-xl new-period --departments`` sends each department a standalone copy of the period's
self-assessment form. When they come back, :func:`collect_forms` checks each one — the form
of this period, its layout as sent (item names in their rows), a department named, answers
1–5 or blank — and writes them into the workbook's *Department forms <period>* sheet
(部门自评 <period>): one row per department with its answers and composite, a company row
(each item's mean answer, the mean of the departments' composites), and the departments'
improvement-plan rows. Nothing in the period's own form — the user's input cells — is
touched.

A department's composite is the form's own rule: each answer *s* scores (s − 1) / 4 × 100,
weighted by the item weights of the Model and re-weighted over the items answered (a blank
is left out, never 0); the company composite is the mean of the departments' composites,
each department counting once.

Forms are checked all before the workbook changes; a form for a department already in the
sheet replaces that department's row (a corrected form sent again), the others stay.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.files.atomic import editing
from crm_xl.files.lock import check_not_open
from crm_xl.workbook import layout
from crm_xl.workbook.backend import lower_names
from crm_xl.workbook.layout import Period, split_ref
from crm_xl.workbook.model_reader import read_form_weights
from crm_xl.workbook.package_backend import PackageBackend
from crm_xl.xlsx.coordinates import cell_name, col_letters, parse_cell, parse_range

HEADER_ROW, WEIGHT_ROW, FIRST_ROW = 3, 4, 5  # the collected sheet's rows
FIRST_ITEM_COL = 4  # D: the first item's answer (A department, B filled in by, C date)


@dataclass
class DepartmentForm:
    """One department's form as collected."""

    department: str
    filled_by: str | None
    date: str | None
    answers: list[float | None]  # one per form item, 1-5 or blank
    plan: list[list[str | None]]  # improvement-plan rows: problem, measure, owner, deadline
    source: Path

    def composite(self, weights: Sequence[float]) -> float | None:
        """The form's composite: points (s − 1)/4 × 100 weighted over the answered items.

        Example::

            >>> f = DepartmentForm("Sales", None, None, [5, 4, None, 2, 3], [], Path("f.xlsx"))
            >>> f.composite([20, 20, 20, 20, 20])  # (100 + 75 + 25 + 50) / 4
            62.5
        """
        given = [(a, w) for a, w in zip(self.answers, weights, strict=True) if a is not None]
        total = sum(w for _, w in given)
        if not given or total == 0:
            return None
        return sum((a - 1) / 4 * 100 * w for a, w in given) / total


@dataclass
class Collected:
    """What :func:`collect_forms` did."""

    book: Path
    period: Period
    sheet: str
    added: list[str] = field(default_factory=list)  # departments new to the sheet
    replaced: list[str] = field(default_factory=list)  # departments whose row a newer form replaced
    company: float | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date_text(kind: str, value: Any, date1904: bool = False) -> str | None:
    """A form's date cell as ISO text (a date serial number, or the text typed)."""
    if kind == "n" and 0 < value < 2958466:  # Excel's dates: 1900-01-01 .. 9999-12-31
        epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        return (epoch + dt.timedelta(days=value)).date().isoformat()
    return _text(value)


def read_form(path: Path, period: Period) -> DepartmentForm:
    """One department's form, checked; :class:`CrmError` lists every problem at its cell."""
    from crm_xl.xlsx import Package

    pkg = Package.open(path)
    titles = {layout.self_assessment_sheet(period, lang): lang for lang in layout.LANGS}
    sheets = [info.name for info in pkg.sheets() if info.kind == "worksheet"]
    sheet = next((s for s in sheets if s in titles), None)
    if sheet is None:
        others = [s for s in sheets if any(s.startswith(t.split()[0] + " ") for t in titles)]
        found = f"it holds {', '.join(others)}" if others else f"its sheets are {', '.join(sheets)}"
        raise CrmError(f"not the form of {period}: {found}", str(path))
    lang = titles[sheet]
    values = pkg.values(sheet)

    def at(cell: str) -> Any:
        return values.get(cell, ("empty", None))[1]

    where = lambda cell: f"{path}: {sheet}!{cell}"  # noqa: E731
    problems = []
    if _text(at(layout.TITLE_CELL)) != layout.form_title(period, lang):
        problems.append(
            Problem(
                where(layout.TITLE_CELL),
                f"the heading should be '{layout.form_title(period, lang)}'",
            )
        )
    rows = layout.form_rows()
    answers: list[float | None] = []
    for i, item in enumerate(layout.FORM_ITEMS):
        r = rows["first_item"] + i
        label = item.zh if lang == "zh" else item.en
        found = _text(at(f"{layout.FORM_COL_ITEM}{r}"))
        if found != label:
            problems.append(
                Problem(
                    where(f"{layout.FORM_COL_ITEM}{r}"),
                    f"the form's layout was changed: this row is '{label}', found {found!r}",
                )
            )
        kind, answer = values.get(f"{layout.FORM_COL_SCORE}{r}", ("empty", None))
        if kind == "empty" or (kind == "str" and not answer.strip()):
            answers.append(None)
        elif kind == "n" and answer in (1, 2, 3, 4, 5):
            answers.append(float(answer))
        else:
            problems.append(
                Problem(
                    where(f"{layout.FORM_COL_SCORE}{r}"),
                    f"{f'{answer:g}' if kind == 'n' else repr(answer)} is not an answer from 1 to 5",
                )
            )
            answers.append(None)
    info = {col: f"{col}{layout.FORM_INFO_ROW}" for col in layout.FORM_INFO_INPUTS}
    department = _text(at(info[layout.FORM_INFO_INPUTS[0]]))
    if department is None:
        problems.append(Problem(where(info[layout.FORM_INFO_INPUTS[0]]), "no department named"))
    if problems:
        raise CrmError(problems)
    plan = []
    for r in range(rows["plan_first"], rows["plan_last"] + 1):
        cells = [values.get(f"{col}{r}", ("empty", None)) for col in layout.FORM_PLAN_COLUMNS]
        row = [_text(v) for _, v in cells[:-1]] + [_date_text(*cells[-1])]
        if any(row):
            plan.append(row)
    kind, date = values.get(info[layout.FORM_INFO_INPUTS[2]], ("empty", None))
    return DepartmentForm(
        department,  # type: ignore[arg-type]  (checked above)
        _text(at(info[layout.FORM_INFO_INPUTS[1]])),
        _date_text(kind, date),
        answers,
        plan,
        path,
    )


PLAN_COLUMNS = 1 + len(layout.FORM_PLAN_COLUMNS)  # department, then the form's plan columns


def _existing(
    backend: PackageBackend, sheet: str, names: dict[str, str], period: Period, items: int
) -> tuple[dict[str, list[Any]], dict[str, list[list[Any]]]]:
    """What the collected sheet already holds: department → its row (department, filled in
    by, date, answers), and department → its improvement-plan rows. The department rows are
    those the period's ``crm_<period>_departments`` name covers."""
    key = layout.name(period, layout.DEPARTMENTS_NAME).lower()
    if sheet not in backend.sheet_names() or key not in names:
        return {}, {}
    _, ref = split_ref(names[key])
    box = parse_range(ref)
    if box is None:
        return {}, {}
    height = max([parse_cell(c)[0] for c in backend.pkg.values(sheet)] or [1])
    width = max(PLAN_COLUMNS, FIRST_ITEM_COL + items)
    grid = backend.read(sheet, f"A1:{cell_name(max(height, box[2]), width)}")
    rows = {
        str(grid[r - 1][0]): grid[r - 1][: FIRST_ITEM_COL - 1 + items]
        for r in range(box[0], box[2] + 1)
        if grid[r - 1][0] not in (None, "")
    }
    plans: dict[str, list[list[Any]]] = {}
    r = box[2] + 4  # past the company row, a blank row, the plans' title and their header
    while r < len(grid) and grid[r][0] not in (None, ""):
        plans.setdefault(str(grid[r][0]), []).append(grid[r][1:PLAN_COLUMNS])
        r += 1
    return rows, plans


def collect_forms(
    book: str | Path, period: str, forms: Sequence[str | Path], *, force: bool = False
) -> Collected:
    """Put the departments' filled-in ``forms`` of ``period`` into ``book`` (see the module
    notes); returns what was done. Every form is checked before the workbook changes."""
    from crm_xl.workbook.styles import pick

    book = Path(book)
    if not book.exists():
        raise CrmError("no such file", str(book))
    check_not_open(book, force)
    with editing(book):
        new = Period.parse(period)
        backend = PackageBackend(book)
        names = lower_names(backend)
        lang = (names.get(layout.LANG_NAME) or '"zh"').strip('"=') or "zh"
        lang = lang if lang in layout.LANGS else "zh"
        if layout.name(new, layout.SA_COMPOSITE).lower() not in names:
            raise CrmError(
                f"the workbook has no period {new} (crm-xl new-period adds one)", str(book)
            )
        problems: list[Problem] = []
        collected: dict[str, DepartmentForm] = {}
        for form in forms:
            try:
                f = read_form(Path(form), new)
            except CrmError as err:
                problems += err.problems
                continue
            if f.department in collected:
                problems.append(
                    Problem(
                        str(form),
                        f"a second form for {f.department} (the first: {collected[f.department].source})",
                    )
                )
            collected[f.department] = f
        if not forms:
            problems.append(Problem(str(book), "give the filled-in forms to collect"))
        if problems:
            raise CrmError(problems)

        weights = read_form_weights(backend)
        sheet = layout.departments_sheet(new, lang)
        items = len(layout.FORM_ITEMS)
        before, plans = _existing(backend, sheet, names, new, items)
        result = Collected(book, new, sheet)
        rows: dict[str, list[Any]] = dict(before)
        for dept, f in collected.items():
            (result.replaced if dept in before else result.added).append(dept)
            rows[dept] = [dept, f.filled_by, f.date, *f.answers]
            plans[dept] = f.plan
        cells = _sheet_cells(new, lang, weights, rows, plans, pick)
        if sheet not in backend.sheet_names():
            backend.pkg.add_sheet(
                sheet, _EMPTY_SHEET, after=layout.self_assessment_sheet(new, lang)
            )
        else:  # the rows written before go; what this run writes replaces them
            old = backend.pkg.values(sheet)
            backend.set_cells(sheet, {c: None for c in old if c not in cells})
        backend.set_cells(sheet, cells)
        last = FIRST_ROW + len(rows) - 1
        ref = f"$A${FIRST_ROW}:${col_letters(FIRST_ITEM_COL + items)}${last}"
        backend.set_name(layout.name(new, layout.DEPARTMENTS_NAME), f"'{sheet}'!{ref}")
        composites = [form_composite(r[3 : 3 + items], weights) for r in rows.values()]
        given = [c for c in composites if c is not None]
        result.company = sum(given) / len(given) if given else None
        backend.save(book)
        return result


def form_composite(answers: Sequence[Any], weights: Sequence[float]) -> float | None:
    """A department's composite from its answers (1-5, blank left out) and the item weights:
    the form's own rule (see the module notes); None when no item is answered.

    Example::

        >>> form_composite([5, 3, None, 1, 3], [20, 20, 20, 20, 20])
        50.0
    """
    values = [None if a in (None, "") else float(a) for a in answers]
    return DepartmentForm("", None, None, values, [], Path()).composite(weights)


_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<cols><col min="1" max="1" width="18" customWidth="1"/>'
    b'<col min="2" max="3" width="13" customWidth="1"/>'
    b'<col min="4" max="9" width="12" customWidth="1"/></cols>'
    b"<sheetData/></worksheet>"
)


def _sheet_cells(
    period: Period,
    lang: str,
    weights: Sequence[float],
    rows: dict[str, list[Any]],
    plans: dict[str, list[list[Any]]],
    pick: Any,
) -> dict[str, Any]:
    """Every cell of the collected sheet: headings, weights, one row per department with
    its composite (a formula with its value), the company row, the improvement plans."""
    from crm_xl.xlsx import Formula

    items = len(layout.FORM_ITEMS)
    first, last_item = col_letters(FIRST_ITEM_COL), col_letters(FIRST_ITEM_COL + items - 1)
    comp_col = col_letters(FIRST_ITEM_COL + items)
    cells: dict[str, Any] = {
        "A1": pick(lang, f"部门自评汇总 {period}", f"Department forms {period}"),
        f"A{HEADER_ROW}": pick(lang, "部门", "Department"),
        f"B{HEADER_ROW}": pick(lang, "填表人", "Filled in by"),
        f"C{HEADER_ROW}": pick(lang, "日期", "Date"),
        f"{comp_col}{HEADER_ROW}": pick(lang, "综合得分(0-100)", "Composite (0-100)"),
        f"A{WEIGHT_ROW}": pick(lang, "权重%", "Weight %"),
    }
    for i, item in enumerate(layout.FORM_ITEMS):
        col = col_letters(FIRST_ITEM_COL + i)
        cells[f"{col}{HEADER_ROW}"] = pick(lang, item.zh, item.en)
        cells[f"{col}{WEIGHT_ROW}"] = float(weights[i])
    r = FIRST_ROW
    for row in rows.values():
        for j, value in enumerate(row):
            cells[cell_name(r, 1 + j)] = value
        answers = f"{first}{r}:{last_item}{r}"
        w = f"${first}${WEIGHT_ROW}:${last_item}${WEIGHT_ROW}"
        formula = (
            f'IF(COUNT({answers})=0,"",SUMPRODUCT(({answers}-1)/4*100*({answers}<>""),{w})'
            f'/SUMPRODUCT(--({answers}<>""),{w}))'
        )
        value = form_composite(row[3 : 3 + items], weights)
        cells[f"{comp_col}{r}"] = Formula(formula, cached="" if value is None else value)
        r += 1
    last = r - 1
    cells[f"A{r}"] = pick(lang, "全公司(各部门平均)", "Company (mean of departments)")
    for i in range(items + 1):
        col = col_letters(FIRST_ITEM_COL + i)
        column = (
            [form_composite(x[3 : 3 + items], weights) for x in rows.values()]
            if i == items
            else [x[3 + i] for x in rows.values()]
        )
        given = [float(v) for v in column if v not in (None, "")]
        mean = sum(given) / len(given) if given else ""
        block = f"{col}{FIRST_ROW}:{col}{last}"
        cells[f"{col}{r}"] = Formula(f'IF(COUNT({block})=0,"",AVERAGE({block}))', cached=mean)
    plan_title = r + 2
    cells[f"A{plan_title}"] = pick(lang, "各部门改进计划", "Departments' improvement plans")
    heads = (
        pick(lang, "部门", "Department"),
        pick(lang, "问题", "Problem"),
        pick(lang, "改进措施", "Measure"),
        pick(lang, "负责人", "Owner"),
        pick(lang, "完成期限", "Deadline"),
    )
    for j, text in enumerate(heads, 1):
        cells[cell_name(plan_title + 1, j)] = text
    r = plan_title + 2
    for dept in rows:
        for plan_row in plans.get(dept, []):
            for j, value in enumerate([dept, *plan_row], 1):
                cells[cell_name(r, j)] = value
            r += 1
    return {k: v for k, v in cells.items() if not (isinstance(v, float) and math.isnan(v))}
