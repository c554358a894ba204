"""``crm-xl recalc``: recompute a workbook's formulas without Excel, for CI.

A full recalculation. First every cell whose formula calls a ``CRM_*`` function is
evaluated with the same implementation Excel runs through xlwings
(:mod:`crm_xl.excel.functions`), together with the standard-Excel cells they depend on and
the ones that depend on them (:mod:`crm_xl.calc.evaluator`): what cannot be computed there
is a problem (exit 1). Then every other formula: what cannot be evaluated there is left as
it was, with its dependents, and reported once per function (``not_evaluated``). Results are written as the cached values beside the formulas
(the formulas stay), with the right cell type, so pandas, python-calamine, LibreOffice and
Excel's protected view show the numbers. Nothing else in the file changes: the file is
edited as an OOXML package (:mod:`crm_xl.xlsx.package`), only the ``<v>`` of result cells.

* ``--check`` changes nothing and lists the cells whose stored values are stale (exit 1).
* A crm_xl workbook's Model is read first, through the package already open
  (:func:`crm_xl.workbook.model_reader.read_model_from`): an edit that does not validate
  stops the run with every problem at its cell, before anything is computed. Result
  columns that hold values (after the Recalculate ratings button) are recomputed as the
  button does (:func:`crm_xl.workbook.ratings.recalculate_ratings`).
* A function crm_xl does not support is reported with its cell (once per function, with
  a count and the first cells, outside the ``CRM_*`` cells); that cell is left as it was —
  never a wrong number, never a silent skip.
* The workbook is untrusted input: XML is parsed with defusedxml, archives are checked
  against zip bombs, VBA is never run. A failure leaves the original untouched; Excel's
  ``~$`` lock file stops the run unless ``--force``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout
from crm_xl.workbook.cell_values import SAME_DIGITS, same, typed
from crm_xl.workbook.model_reader import read_model_from
from crm_xl.workbook.package_backend import PackageBackend
from crm_xl.workbook.ratings import fill_result_formulas, recalculate_ratings

__all__ = ["MAX_LISTED", "BookResult", "CellChange", "recalc_book", "same", "typed"]

MAX_LISTED = 20  # stale cells listed per workbook in messages (all are in --json)


class CellChange(NamedTuple):
    """A result cell whose stored (cached) value differs from the computed one.

    A named tuple, not a dataclass: a first recalculation makes one per result cell.
    """

    sheet: str
    cell: str
    stored: tuple[str, Any]  # (type, value): type is n, str, b, e or empty
    computed: tuple[str, Any]

    def describe(self) -> str:
        """One line for people: ``Ratings!L4: stored nothing, computed 79.62``."""
        return f"{self.sheet}!{self.cell}: stored {_show(self.stored)}, computed {_show(self.computed)}"

    def as_json(self) -> dict[str, Any]:
        """The change as ``--json`` lists it."""
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "stored": {"type": self.stored[0], "value": self.stored[1]},
            "computed": {"type": self.computed[0], "value": self.computed[1]},
        }


@dataclass
class BookResult:
    """What recalculating one workbook found and did."""

    path: Path
    evaluated: int = 0
    changes: list[CellChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_evaluated: list[Problem] = field(default_factory=list)  # left as they were, by function
    written: Path | None = None
    error: str | None = None
    # result cells of customer rows that had no formula (a row inserted in Excel or
    # LibreOffice), given their row's CRM_* formulas: ``sheet!cell``
    filled: list[str] = field(default_factory=list)
    # CRM_* results that are errors because of their inputs (an answer of 7 on a 1-5 scale,
    # "n/a" as spend): each cell and its reason; they fail the run, as a CI check must
    input_errors: list[Problem] = field(default_factory=list)
    today: dt.date | None = None  # the date TODAY() gave, when a formula called it
    now: dt.datetime | None = None  # the date and time NOW() gave, when a formula called it
    print_areas: list[str] = field(default_factory=list)  # sheets whose print area followed
    lang: str = "en"  # a crm_xl workbook's language (crm_lang): its users read the reasons in it

    @property
    def status(self) -> str:
        """error, problems, stale (with ``--check``), updated or up to date."""
        if self.error:
            return "error"
        if self.problems:
            return "problems"
        if self.changes and self.written is None:
            return "stale"
        return "updated" if self.written else "up to date"

    def as_json(self) -> dict[str, Any]:
        """The result as ``--json`` lists it."""
        return {
            "path": str(self.path),
            "status": self.status,
            "evaluated": self.evaluated,
            "changed": [c.as_json() for c in self.changes],
            "problems": [str(p) for p in self.problems],
            "not_evaluated": [str(p) for p in self.not_evaluated],
            "written": None if self.written is None else str(self.written),
            "error": self.error,
            "filled": self.filled,
            "input_errors": [str(p) for p in self.input_errors],
            "today": None if self.today is None else self.today.isoformat(),
            "now": None if self.now is None else self.now.isoformat(),
        }


def _show(typed: tuple[str, Any]) -> str:
    kind, value = typed
    if kind == "empty":
        return "nothing"
    if kind == "n":
        return f"{value:.10g}"
    return repr(value)


def _cached_value(kind: str, value: Any) -> Any:
    """A computed (type, value) as what :meth:`Package.set_cached_values` stores."""
    if kind == "n":
        return value
    from crm_xl.xlsx import ErrorValue

    if kind == "e":
        return ErrorValue(value)
    if kind == "empty":
        return ""
    return value


def input_errors(sheet: str, keys: list[tuple[int, int]], values: list[Any]) -> list[Problem]:
    """The cells of a computed ``CRM_*`` block that show an error other than ``#N/A`` (no
    data: a blank input is missing, not wrong), each with the reason the cell shows.

    Example::

        >>> [str(p) for p in input_errors("R", [(5, 19)], ["#VALUE! answer 7 is outside the 1-5 scale"])]
        ['R!S5: #VALUE! answer 7 is outside the 1-5 scale']
    """
    from crm_xl.errors import EXCEL_ERRORS
    from crm_xl.xlsx.coordinates import col_letters

    found = []
    for (row, col), value in zip(keys, values, strict=True):
        kind, text = typed(value)
        if kind not in ("str", "e"):
            continue
        code = str(text).partition(" ")[0]
        if code in EXCEL_ERRORS and code != "#N/A":
            found.append(Problem(f"{sheet}!{col_letters(col)}{row}", str(text)))
    return found


def _stale(sheet: Any, keys: list[tuple[int, int]], values: list[Any]) -> list[CellChange]:
    """The cells of one computed block whose stored value differs from the computed one.

    What the file stores came with each formula when the sheet was read, and for the
    other cells of array ranges it is what the reader found there (``SheetData.stored``):
    the file is not looked at again.
    """
    from crm_xl.calc.evaluator import EMPTY
    from crm_xl.xlsx.coordinates import col_letters

    bulk = _stale_numbers(sheet, keys, values)
    if bulk is not None:
        return bulk
    formulas, stored, name = sheet.formulas, sheet.stored, sheet.name
    changes = []
    for key, value in zip(keys, values, strict=True):
        info = formulas.get(key)
        if info is not None:
            kind, cached = info.cached_type, info.cached_value
            old = ("e", str(cached)) if kind == "e" else (kind, cached)
        else:  # a cell of an array range
            found = stored.get(key, EMPTY)
            old = typed(None if found is EMPTY else found)
        new = typed(value)
        # a formula computing "" stores it as text (t="str", as Excel does): a formula cell
        # storing no value at all is not up to date, as readers that find no value compute
        # the formula themselves (LibreOffice then shows #NAME? without the add-in)
        unstored_text = info is not None and old[0] == "empty" and new == ("str", "")
        if unstored_text or not same(old, new):
            row, col = key
            changes.append(CellChange(name, f"{col_letters(col)}{row}", old, new))
    return changes


def _stale_numbers(
    sheet: Any, keys: list[tuple[int, int]], values: list[Any]
) -> list[CellChange] | None:
    """:func:`_stale` for a block of plain formulas computing numbers where the file
    stores numbers (or nothing): compared all at once with numpy; None for other blocks
    (and for blocks of a few cells, which the plain comparison does faster: a chain of
    40,000 single-cell blocks)."""
    if len(keys) < 64:
        return None
    import numpy as np

    from crm_xl.xlsx.coordinates import col_letters

    infos = list(map(sheet.formulas.get, keys))
    if (
        None in infos
        or not {i.kind for i in infos} <= {"normal", "shared"}
        or not {i.cached_type for i in infos} <= {"n", "empty"}
        or set(map(type, values)) != {float}
    ):
        return None
    cached = list(map(operator.attrgetter("cached_value"), infos))
    new, old = np.array(values, dtype=float), np.array(cached, dtype=float)  # None is NaN
    with np.errstate(invalid="ignore"):  # inf - inf
        near = np.abs(new - old) <= SAME_DIGITS * np.maximum(np.abs(new), np.abs(old))
    near &= np.isfinite(new) & np.isfinite(old)  # math.isclose: an infinity is only itself
    changed = np.flatnonzero(~((new == old) | near)).tolist()  # what same() says, at once
    if not changed:
        return []
    letters: dict[int, str] = {}
    cells = []
    for i in changed:
        row, col = keys[i]
        cells.append((letters.get(col) or letters.setdefault(col, col_letters(col))) + str(row))
    types = [infos[i].cached_type for i in changed]
    olds = zip(types, [cached[i] for i in changed], strict=True)
    news = zip(itertools.repeat("n"), [values[i] for i in changed])
    rows = zip(itertools.repeat(sheet.name), cells, olds, news)
    return list(map(functools.partial(tuple.__new__, CellChange), rows))


def _read_model(backend: PackageBackend) -> tuple[Any, list[Problem]]:
    """A crm_xl workbook's Model, validated before anything is computed from it: the
    scorecard (None for a workbook without a Model) and the problems."""
    if layout.MODEL_NAME not in {k.lower() for k in backend.names()}:
        return None, []
    try:
        return read_model_from(backend), []
    except CrmError as err:
        return None, list(err.problems)


def recalc_book(
    path: str | Path,
    out: str | Path | None = None,
    *,
    check: bool = False,
    force: bool = False,
    sheets: Collection[str] | None = None,
    today: dt.date | dt.datetime | None = None,
) -> BookResult:
    """Recalculate one workbook's formulas; see the module notes.

    With ``check`` nothing is written. ``out`` writes the result to another file (the
    original is not touched). ``sheets`` limits the work to the cells of those sheets
    (``crm-xl new-period``: the new sheets, never the earlier periods'). ``today`` is the
    date ``TODAY()`` gives and, with a time, the moment ``NOW()`` gives (a date alone is that
    day at 00:00; default: the current local time; fix it for a reproducible check); the
    result says which was used. Returns a :class:`BookResult`.

    >>> recalc_book("ratings.xlsx", check=True, today=dt.datetime(2026, 12, 1, 9, 30))  # doctest: +SKIP
    """
    from contextlib import nullcontext

    from crm_xl.files.atomic import editing
    from crm_xl.files.memory import paused_gc

    in_place = not check and out is None
    # the cell model is a million objects without garbage cycles of any size: the cyclic
    # collector's passes over them would only cost time (it runs again after)
    with paused_gc(), editing(path) if in_place else nullcontext():
        return _recalc_book(Path(path), out, check, force, sheets, _moment(today))


def _moment(today: dt.date | dt.datetime | None) -> dt.datetime:
    """The moment NOW() gives: ``today`` as given (a date alone at 00:00), else now, local time."""
    if today is None:
        return dt.datetime.now().replace(microsecond=0)
    if isinstance(today, dt.datetime):
        return today.replace(tzinfo=None)
    return dt.datetime.combine(today, dt.time())


def _recalc_book(
    path: Path,
    out: str | Path | None,
    check: bool,
    force: bool,
    sheets: Collection[str] | None,
    now: dt.datetime,
) -> BookResult:
    from crm_xl.calc.evaluator import Workbook
    from crm_xl.excel.engine import engine_functions
    from crm_xl.files.lock import check_not_open
    from crm_xl.workbook.backend import lower_names
    from crm_xl.xlsx import Package

    result = BookResult(path)
    if not path.exists():
        raise CrmError("no such file", str(path))
    if not check and out is None:
        check_not_open(path, force)
    pkg = Package.open(path)
    # the Model and, after the button, the ratings are read through the open package
    backend = PackageBackend(path, pkg=pkg, formula_cells="skip", check=check)
    lang = lower_names(backend).get(layout.LANG_NAME) or ""
    result.lang = "zh" if lang.strip('"= ') == "zh" else "en"
    card, model_problems = _read_model(backend)
    if model_problems:
        result.problems = model_problems
        return result
    if card is not None and sheets is None:
        # rows inserted among the customers get their results' formulas (in memory: only
        # saved with the results, never with --check)
        result.filled = fill_result_formulas(backend, card)
    if card is not None and not check:
        from crm_xl.workbook.ratings import print_rows

        # customers added or removed in Excel or LibreOffice: the print area follows them
        for sheet, last in print_rows(backend).items():
            if (sheets is None or sheet in sheets) and backend.fit_print_area(sheet, last):
                result.print_areas.append(sheet)
    # A crm_xl workbook whose result columns hold values (after the Recalculate ratings
    # button replaced its formulas): the same recalculation the button runs, headless,
    # first, so that the formulas reading those columns (the Dashboard's) see the new values
    button = card is not None and layout.LANG_NAME in {k.lower() for k in pkg.defined_names()}
    if button:
        recalculate_ratings(backend, card)
    wb = Workbook.from_package(pkg, engine_functions())
    wb.today, wb.now = now.date(), now
    # the CRM_* cells first, with what they read and what reads them: what cannot be
    # computed there is a problem (exit 1), as the ratings are what the workbook is for
    blocks = wb.blocks_using("CRM_")
    if sheets is not None:
        blocks = [b for b in blocks if b.sheet.name in sheets]
    order, problems = wb.recalculate_blocks(blocks)
    result.problems = [p if isinstance(p, Problem) else Problem("", str(p)) for p in problems]
    # then every other formula (a full recalculation): what cannot be evaluated is left
    # as it was and said so, once per function
    crm_blocks = set(map(id, order))
    rest = [b for b in wb.formula_blocks(sheets) if not b.done]
    more, result.not_evaluated = wb.recalculate_blocks(rest, by_function=True, reported=order)
    seen = set(map(id, order))
    order += [b for b in more if id(b) not in seen]
    updates: dict[str, dict[str, Any]] = {}
    for block in order:  # the changes in the order the blocks were computed
        keys, values = wb.block_results(block)
        result.evaluated += len(keys)
        if sheets is None or block.sheet.name in sheets:
            result.changes += _stale(block.sheet, keys, values)
            if id(block) in crm_blocks:
                result.input_errors += input_errors(block.sheet.name, keys, values)
    for change in result.changes:
        kind, value = change.computed
        cells = updates.setdefault(change.sheet, {})
        cells[change.cell] = value if kind == "n" else _cached_value(kind, value)
    if wb.today_used:
        result.today = now.date()
    if wb.now_used:
        result.now = now
    # the cell model is no longer needed: drop it before writing (peak memory)
    wb.release()
    del wb, order, blocks
    for sheet, cells in updates.items():
        if not check:
            pkg.set_cached_values(sheet, cells, changed_only=True)  # compared in _stale
    if button:
        for sheet, cell, old, new in backend.changes:
            result.changes.append(
                CellChange(sheet, cell, typed(old), typed(None if new == "" else new))
            )
        if backend.changes:
            updates.setdefault("__values__", {})
    if result.print_areas:
        updates.setdefault("__print_areas__", {})  # a change to save, no cell among them
    if check or not updates:
        if out is not None and not check and not updates:
            pkg.save(out)
            result.written = Path(out)
        return result
    target = Path(out) if out is not None else path
    pkg.save(target)
    result.written = target
    return result
