"""What the report reads from a crm_xl workbook: the Model, and each period's inputs.

The report computes every figure from the workbook's **inputs** — the customers' figures
on each period's Ratings sheet, the answers on each Self-assessment sheet, the Model — with
the same core code ``crm-xl recalc`` and the Recalculate ratings button run
(:mod:`crm_xl.report.compute`). It never reads the result cells (score, tier, segment,
points, composite), so a workbook whose stored results are out of date still gets a report
of current numbers, never stale ones.

Places come from the workbook's defined names (:mod:`crm_xl.workbook.layout`); the Model is
read and validated by the one Model reader (:func:`crm_xl.workbook.model_reader.read_model_from`).
The file is opened once as a package (archive limits, safe XML); the big Ratings blocks are
then read with python-calamine (Rust, no XML parser to attack), which reads 20,000 rows
several times faster than the package's cell-by-cell decoder.

Example::

    >>> import tempfile, pathlib
    >>> from crm_xl.workbook.build import new_workbook
    >>> path = new_workbook(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", "2026-Q4", lang="en")
    >>> book = read_book(path)
    >>> book.lang, [str(p.period) for p in book.periods], book.periods[0].customers
    ('en', ['2026-Q4'], 0)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from crm_xl.core.alert_rules import WarningRules
from crm_xl.errors import CrmError
from crm_xl.workbook import layout
from crm_xl.workbook.backend import Backend, lower_names, read_named
from crm_xl.workbook.layout import Period, split_ref
from crm_xl.xlsx.coordinates import cell_name, col_letters, parse_range

#: The Ratings input columns the report reads (all of them): key → its layout column.
INPUT_COLUMNS = {c.key: c for c in layout.RATINGS_INPUTS}
TEXT_COLUMNS = tuple(c.key for c in layout.RATINGS_INPUTS if c.text)
NUMBER_COLUMNS = tuple(c.key for c in layout.RATINGS_INPUTS if not c.text)


@dataclass
class FormItem:
    """One self-assessment item as filled in: ``answer`` is the cell as typed (1–5, or
    None when blank; anything else is checked by :mod:`crm_xl.report.compute`)."""

    key: str
    answer: Any
    remarks: str
    weight: float
    cell: str  # where the answer is: "自评 2026-Q4!C5"


@dataclass
class PlanRow:
    """One row of a period's improvement plan, as typed."""

    problem: str
    measure: str
    owner: str
    deadline: dt.date | None
    deadline_text: str  # what the deadline cell holds when it is not a date ("" if blank)
    cell: str  # the row's first cell
    department: str = ""  # a department's plan row (from its collected form); "" the period's own


@dataclass
class DepartmentRow:
    """One department's collected form (``crm-xl collect``) as the report reads it."""

    department: str
    filled_by: str
    date: str
    answers: list[float | None]  # one per form item, 1-5 or None (not answered)
    composite: float | None  # recomputed from the answers, never read from the sheet
    cell: str  # the row's first cell


@dataclass
class PeriodInputs:
    """A period's inputs: the customers' figures and the filled form."""

    period: Period
    ratings_sheet: str
    rows: list[int]  # the sheet rows that hold a customer, top down
    cells: dict[str, list[Any]]  # input column key → its values on those rows
    letters: dict[str, str]  # input column key → its column letter
    form_sheet: str | None = None
    items: list[FormItem] = field(default_factory=list)
    department: str = ""
    plan: list[PlanRow] = field(default_factory=list)
    departments: list[DepartmentRow] = field(default_factory=list)  # forms collected

    @property
    def customers(self) -> int:
        """How many rows hold a customer."""
        return len(self.rows)

    def where(self, key: str, i: int) -> str:
        """The cell of customer ``i``'s ``key`` input: ``评级 2026-Q4!E7``."""
        return f"{self.ratings_sheet}!{self.letters[key]}{self.rows[i]}"


@dataclass
class Book:
    """A crm_xl workbook as the report sees it."""

    path: Path
    lang: str
    card: Any  # the validated Scorecard of the Model sheet
    scheme: str  # the RFM scheme (cn8 or rf-grid)
    rules: WarningRules
    periods: list[PeriodInputs]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _deadline(value: Any, serials: bool = False) -> tuple[dt.date | None, str]:
    """A deadline cell as a date, or the text it holds when it is not one; ``serials``: a
    number is a date's serial (Office.js hands a date cell over as its serial)."""
    value = _serial_date(value) if serials else value
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date(), ""
        except ValueError:
            continue
    return None, text


def _serial_date(value: Any) -> Any:
    """A positive number as the date whose Excel serial it is; anything else unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        from crm_xl.calc.conversions import serial_to_datetime

        return serial_to_datetime(float(value))
    return value


class Sheets(Protocol):
    """The workbook's sheets as rows of values from A1 (``""`` for an empty cell)."""

    #: True when a date cell comes as its serial number (Office.js), not as a date.
    serial_dates: bool

    def at(self, sheet: str) -> list[list[Any]]:
        """The sheet's rows from A1."""

    def cell(self, sheet: str, row: int, col: int) -> Any:
        """One cell's value (None when empty)."""


class _Sheets:
    """The workbook's sheets as rows of values (python-calamine), read once each."""

    serial_dates = False

    def __init__(self, path: Path) -> None:
        import python_calamine

        self.book = python_calamine.CalamineWorkbook.from_path(str(path))
        self.rows: dict[str, list[list[Any]]] = {}

    def at(self, sheet: str) -> list[list[Any]]:
        if sheet not in self.rows:
            found = self.book.get_sheet_by_name(sheet)
            self.rows[sheet] = found.to_python(skip_empty_area=False)
        return self.rows[sheet]

    def cell(self, sheet: str, row: int, col: int) -> Any:
        rows = self.at(sheet)
        if row - 1 < len(rows) and col - 1 < len(rows[row - 1]):
            value = rows[row - 1][col - 1]
            return None if value == "" else value
        return None


def _period_inputs(
    period: Period, names: dict[str, str], sheets: Sheets, weights: list[float], lang: str
) -> PeriodInputs:
    table = names.get(layout.name(period, layout.RATINGS_TABLE).lower())
    if table is None:
        raise CrmError(f"period {period} has no Ratings table ({layout.name(period, 'ratings')})")
    sheet, ref = split_ref(table)
    first, _, last, _ = parse_range(ref) or (0, 0, 0, 0)
    columns: dict[str, int] = {}
    for key in INPUT_COLUMNS:
        found = names.get(layout.name(period, key).lower())
        if found is not None:
            where, col_ref = split_ref(found)
            box = parse_range(col_ref)
            if where == sheet and box is not None:
                columns[key] = box[1]
    missing = [key for key in NUMBER_COLUMNS if key not in columns]
    if missing:
        raise CrmError(
            f"period {period}: the Ratings sheet has no {', '.join(missing)} column "
            f"({layout.name(period, missing[0])})",
            sheet,
        )
    rows = sheets.at(sheet)
    picked: list[int] = []
    cells: dict[str, list[Any]] = {key: [] for key in columns}
    idx = {key: c - 1 for key, c in columns.items()}
    for r in range(first, min(last, len(rows)) + 1):
        line = rows[r - 1]
        values = {k: (line[c] if c < len(line) else "") for k, c in idx.items()}
        if all(v == "" or _blank(v) for v in values.values()):
            continue
        picked.append(r)
        for key, v in values.items():
            cells[key].append(None if v == "" else v)
    letters = {key: col_letters(c) for key, c in columns.items()}
    inputs = PeriodInputs(period, sheet, picked, cells, letters)

    scores = names.get(layout.name(period, layout.SA_SCORES).lower())
    if scores is not None:
        form, score_ref = split_ref(scores)
        top = (parse_range(score_ref) or (layout.FORM_FIRST_ITEM_ROW,))[0]
        inputs.form_sheet = form
        score_col = parse_range(score_ref)[1]
        remarks_col = score_col + 1  # the form's remarks sit right of the answers
        for i, item in enumerate(layout.FORM_ITEMS):
            r = top + i
            inputs.items.append(
                FormItem(
                    item.key,
                    sheets.cell(form, r, score_col),
                    _text(sheets.cell(form, r, remarks_col)),
                    weights[i] if i < len(weights) else 0.0,
                    f"{form}!{cell_name(r, score_col)}",
                )
            )
        inputs.department = _text(
            sheets.cell(form, layout.FORM_INFO_ROW, _col(layout.FORM_INFO_INPUTS[0]))
        )
        at = layout.form_rows()
        shift = top - at["first_item"]  # the plan follows the items wherever they are
        for r in range(at["plan_first"] + shift, at["plan_last"] + shift + 1):
            problem, measure, owner, deadline = (
                sheets.cell(form, r, _col(c)) for c in layout.FORM_PLAN_COLUMNS
            )
            if all(_blank(v) for v in (problem, measure, owner, deadline)):
                continue
            when, when_text = _deadline(deadline, sheets.serial_dates)
            inputs.plan.append(
                PlanRow(
                    _text(problem), _text(measure), _text(owner), when, when_text, f"{form}!A{r}"
                )
            )
    inputs.departments = _departments(period, names, sheets, weights)
    inputs.plan += _department_plans(period, names, sheets, len(inputs.departments))
    return inputs


def _departments(
    period: Period, names: dict[str, str], sheets: Sheets, weights: list[float]
) -> list[DepartmentRow]:
    """The departments' rows of the period's collected sheet (``crm_<period>_departments``:
    department, filled in by, date, one answer per item), each composite recomputed with
    the Model's item weights, as the form computes it; an answer that is not 1-5 is a
    problem at its cell."""
    from crm_xl.workbook.collect import form_composite

    ref = names.get(layout.name(period, layout.DEPARTMENTS_NAME).lower())
    if ref is None:
        return []
    sheet, cells = split_ref(ref)
    box = parse_range(cells)
    if box is None:
        return []
    items = len(layout.FORM_ITEMS)
    rows = []
    for r in range(box[0], box[2] + 1):
        name = _text(sheets.cell(sheet, r, box[1]))
        if not name:
            continue
        answers: list[float | None] = []
        for k in range(items):
            col = box[1] + 3 + k
            v = sheets.cell(sheet, r, col)
            if _blank(v):
                answers.append(None)
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v <= 5:
                answers.append(float(v))
            else:
                raise CrmError(
                    f"{name}'s answer {v!r} is not 1-5 (collect the form again)",
                    f"{sheet}!{cell_name(r, col)}",
                )
        date = sheets.cell(sheet, r, box[1] + 2)
        date = _serial_date(date) if sheets.serial_dates else date
        if isinstance(date, dt.datetime):
            date = date.date()
        rows.append(
            DepartmentRow(
                name,
                _text(sheets.cell(sheet, r, box[1] + 1)),
                date.isoformat() if isinstance(date, dt.date) else _text(date),
                answers,
                form_composite(answers, weights),
                f"{sheet}!{cell_name(r, box[1])}",
            )
        )
    return rows


def _department_plans(
    period: Period, names: dict[str, str], sheets: Sheets, departments: int
) -> list[PlanRow]:
    """The departments' improvement-plan rows of the collected sheet: below the company
    row and the plans' title and header rows (department, problem, measure, owner,
    deadline), down to the first blank row (:mod:`crm_xl.workbook.collect`'s layout)."""
    ref = names.get(layout.name(period, layout.DEPARTMENTS_NAME).lower())
    if ref is None or not departments:
        return []
    sheet, cells = split_ref(ref)
    box = parse_range(cells)
    if box is None:
        return []
    rows, r = [], box[2] + 5  # company row, blank, title, header
    while True:
        dept, problem, measure, owner, deadline = (sheets.cell(sheet, r, c) for c in range(1, 6))
        if all(_blank(v) for v in (dept, problem, measure, owner, deadline)):
            return rows
        when, when_text = _deadline(deadline, sheets.serial_dates)
        rows.append(
            PlanRow(
                _text(problem),
                _text(measure),
                _text(owner),
                when,
                when_text,
                f"{sheet}!A{r}",
                _text(dept),
            )
        )
        r += 1


def _col(letters: str) -> int:
    from crm_xl.xlsx.coordinates import col_number

    return col_number(letters)


def read_book(path: str | Path, rules: WarningRules | None = None) -> Book:
    """Read a crm_xl workbook for the report: the validated Model, the early-warning rules
    (``rules``, else the Model's) and every period's inputs, oldest first.

    Raises :class:`CrmError` naming the file and the place of each problem: a file that is
    not a crm_xl workbook, a Model edit that does not validate (at its cell).
    """
    from crm_xl.workbook.package_backend import PackageBackend
    from crm_xl.xlsx import Package

    path = Path(path)
    if not path.exists():
        raise CrmError("no such file", str(path))
    try:
        pkg = Package.open(path)  # the archive limits and the workbook's structure, checked
        backend = PackageBackend(path, pkg=pkg)
    except CrmError as err:
        raise err.prefixed(str(path)) from None
    return read_book_from(backend, _Sheets(path), path, rules)


def read_book_from(
    backend: Backend, sheets: Sheets, path: Path, rules: WarningRules | None = None
) -> Book:
    """:func:`read_book` over any workbook: ``backend`` for the names and the Model (the
    file's package, or Excel's book through xlwings), ``sheets`` for the sheets' cells;
    ``path`` names the workbook in the report and in every problem."""
    from crm_xl.workbook.model_reader import (
        read_form_weights,
        read_model_from,
        read_warning_rules,
    )

    try:
        names = lower_names(backend)
        if layout.LANG_NAME not in names:
            raise CrmError(
                "not a crm_xl workbook (it has no crm_lang name): create one with crm-xl new"
            )
        lang = names[layout.LANG_NAME].strip('"')
        lang = lang if lang in layout.LANGS else "zh"
        periods = layout.periods_of(names)
        if not periods:
            raise CrmError("the workbook has no period (no crm_<period>_ratings name)")
        card = read_model_from(backend)
        scheme = "cn8"
        if layout.RFM_SCHEME_NAME in names:
            found = read_named(backend, names, layout.RFM_SCHEME_NAME)[0][0]
            scheme = str(found).strip() if found else scheme
        if scheme not in ("cn8", "rf-grid"):
            sheet, ref = split_ref(names[layout.RFM_SCHEME_NAME])
            raise CrmError(
                f"the RFM scheme must be cn8 or rf-grid, got {scheme!r}", f"{sheet}!{ref}"
            )
        weights = read_form_weights(backend)
        book_rules = rules if rules is not None else read_warning_rules(backend)
        inputs = [_period_inputs(p, names, sheets, weights, lang) for p in periods]
    except CrmError as err:
        raise err.prefixed(str(path)) from None
    return Book(path, lang, card, scheme, book_rules, inputs)
