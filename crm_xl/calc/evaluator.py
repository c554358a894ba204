"""Headless evaluation of a workbook's formulas, for ``crm-xl recalc`` (no Excel needed).

Reading: :meth:`Workbook.from_package` takes a :class:`crm_xl.xlsx.package.Package` and reads
every worksheet: each cell's value with its type (numbers, shared and inline strings with
rich text joined, booleans, errors), each formula (normal, shared — expanded, legacy array
with its range, dynamic array) with its cached value, and the styles, so :meth:`is_date`
knows date-formatted cells (:mod:`crm_xl.calc.reader`; a big table's rows of the same
shape are read in bulk by :mod:`crm_xl.calc.row_shapes`). Parts are proved well-formed XML
without DTDs or entities, the rules of defusedxml.

Evaluating: :meth:`Workbook.evaluate`, :meth:`Workbook.evaluate_all` and, for the caller,
:meth:`Workbook.recalculate`. Formulas are compiled once per shape (R1C1 form) and run
cell by cell in dependency order; a column of identical ``CRM_SCORE``-like formulas is
computed in one call. Excel's rules are in :mod:`crm_xl.calc.functions`; ``CRM_*``
functions are the custom functions the caller hands the workbook
(``functions=``, :mod:`crm_xl.calc.custom`; ``crm-xl recalc`` gives
:func:`crm_xl.excel.engine.engine_functions`, the implementation Excel runs through
xlwings), called with the arguments xlwings would pass. Without them a ``CRM_*`` call is an
unsupported function, like any function the engine does not know.

Nothing is ever guessed: a function the engine does not support, a structured reference,
a cycle or a formula that cannot be parsed makes that cell (and the cells that read it) a
*problem*, reported with the cell and left out of the results.

API
---
- ``Workbook.from_package(pkg, functions)`` (or ``Workbook.from_path(path, functions)``):
  read a workbook; ``functions`` are the custom functions its formulas may call.
- ``wb.formula_cells()`` → ``(sheet, cell, FormulaInfo)`` for every formula cell, where
  :class:`FormulaInfo` has ``text`` (shared formulas expanded), ``kind`` (normal, shared,
  array, dynamic, dataTable), ``ref``, ``cached_value`` and ``cached_type``.
- ``wb.cells_using("CRM_")`` → ``[(sheet, cell)]`` of the formulas calling such a function.
- ``wb.recalculate(targets)`` → ``({(sheet, cell): value}, [Problem])``: the targets, what
  they depend on and what depends on them; every cell of an array or spill range; cells
  with problems (unsupported function, cycle, parse error) and their dependents left out,
  each problem naming ``Sheet!A1`` (or a column range) and the reason.
- The same by blocks, for a caller that handles 100,000 cells without naming each one:
  ``blocks = wb.blocks_using("CRM_")`` (each :class:`Block` has ``.sheet``, whose
  ``name``, ``formulas`` and ``stored`` say what the file holds), ``order, problems =
  wb.recalculate_blocks(blocks)``, ``keys, values = wb.block_results(block)`` for each
  block of ``order``, and ``wb.release()`` when done.
- ``wb.evaluate(sheet, cell)``, ``wb.evaluate_all(cells)``: values, raising
  :class:`EvaluationError` subclasses (:class:`UnsupportedFunction`,
  :class:`CircularReference`, :class:`FormulaParseError`).
- ``wb.is_date(sheet, cell)``: the cell's number format shows a date or time.
- :func:`supported_functions`: the names the engine computes.

Values are ``float``, ``str``, ``bool`` or :class:`XlError` (``.code`` is ``"#N/A"``
etc.), so a writer can give each cell its type; text returned by a ``CRM_*`` function
stays text even when it starts with ``#`` (that is what Excel shows through xlwings).
Refused on purpose: RAND... (volatile: results must be reproducible; TODAY and NOW only
when the caller gives no date and time, ``CellModel.today`` and ``CellModel.now``), external workbooks, 3-D references, what-if
data tables, and any function not in :func:`supported_functions`. INDIRECT and OFFSET build
their references while they run: the cells they reach are computed when read
(:mod:`crm_xl.calc.functions.references`).

How it is built, each module importing only those before it: :mod:`~crm_xl.calc.problems`
(why a cell cannot be computed), :mod:`~crm_xl.calc.model` (the cell model),
:mod:`~crm_xl.calc.structured_refs` (table references), the readers
(:mod:`~crm_xl.calc.cell_xml`, :mod:`~crm_xl.calc.row_shapes`,
:mod:`~crm_xl.calc.reader`), :mod:`~crm_xl.calc.runs` (runs of one formula down a column),
:mod:`~crm_xl.calc.operators`, :mod:`~crm_xl.calc.custom_calls`, :mod:`~crm_xl.calc.lambdas`
(LAMBDA calls, MAP, REDUCE...) and :mod:`~crm_xl.calc.compiler` (formula trees to code), :mod:`~crm_xl.calc.vectorised` (a
run in one call), :mod:`~crm_xl.calc.blocks` (grouping formulas into blocks),
:mod:`~crm_xl.calc.planner` (dependency order), and this module: the :class:`Workbook`
API and the loop that computes blocks.

Example::

    >>> wb = Workbook.from_cells({"Sheet1": {"A1": 2, "A2": "3", "B1": "=SUM(A1:A2)*A2"}})
    >>> wb.evaluate("Sheet1", "B1")
    6.0
    >>> values, problems = wb.recalculate([("Sheet1", "B1")])
    >>> values, problems
    ({('Sheet1', 'B1'): 6.0}, [])
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crm_xl.calc.blocks import block_at, build_sheet_blocks, index_sheet
from crm_xl.calc.compiler import LAZY
from crm_xl.calc.custom import CustomFunctions
from crm_xl.calc.functions import BUILTINS
from crm_xl.calc.model import Block, CellModel, Ctx, FormulaInfo, Pending, SheetData
from crm_xl.calc.operators import final, intersect_value
from crm_xl.calc.planner import plan
from crm_xl.calc.problems import (
    CircularReference,
    DependsOn,
    EvaluationError,
    FormulaParseError,
    UnsupportedFunction,
    function_summary,
    grouped_problems,
    not_computed,
)
from crm_xl.calc.reader import read_package
from crm_xl.calc.values import EMPTY, NA, VALUE, Array, Multi, Range, Unsupported, XlError
from crm_xl.errors import Problem
from crm_xl.files.memory import paused_gc
from crm_xl.xlsx import Package
from crm_xl.xlsx.coordinates import cell_name, parse_cell, range_name

__all__ = [
    "EMPTY",
    "Block",
    "CircularReference",
    "EvaluationError",
    "FormulaInfo",
    "FormulaParseError",
    "UnsupportedFunction",
    "Workbook",
    "XlError",
    "supported_functions",
]


class Workbook(CellModel):
    """A workbook's cells and formulas, ready to evaluate (see the module notes)."""

    def __init__(self, source: str = "<workbook>", functions: CustomFunctions | None = None):
        super().__init__(source, functions)
        self._compiled: dict[Any, tuple[Any, Any]] = {}  # compiled formulas by R1C1 form
        self._built = False
        self._running: set[tuple[int, int, int]] = set()  # (sheet, row, col) being computed
        self._problems: dict[tuple[int, int, int], EvaluationError] = {}

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def from_package(cls, pkg: Any, functions: CustomFunctions | None = None) -> Workbook:
        """Read every worksheet of a :class:`crm_xl.xlsx.package.Package`; ``functions``
        are the custom functions (``CRM_*``) its formulas may call."""
        with paused_gc():
            return read_package(cls(str(getattr(pkg, "source", "<workbook>")), functions), pkg)

    @classmethod
    def from_path(cls, path: str | Path, functions: CustomFunctions | None = None) -> Workbook:
        """Open an .xlsx/.xlsm file and read it (see :meth:`from_package`)."""
        return cls.from_package(Package.open(path), functions)

    @classmethod
    def from_cells(
        cls,
        sheets: dict[str, dict[str, Any]],
        names: dict[str, str] | None = None,
        *,
        functions: CustomFunctions | None = None,
    ) -> Workbook:
        """A workbook from ``{sheet: {cell: value or "=formula"}}`` (for tests and examples).

        Values: numbers, text, booleans, None, ``XlError``; ``("{=...}", "A1:A3")`` is an
        array formula over a range. ``names`` are workbook-scoped defined names,
        ``functions`` the custom functions the formulas may call.
        """
        wb = cls(functions=functions)
        for name, cells in sheets.items():
            sheet = wb.add_sheet(name)
            for address, value in cells.items():
                row, col = parse_cell(address)
                if isinstance(value, tuple):
                    text, ref = value
                    text = text[2:-1] if text.startswith("{=") and text.endswith("}") else text
                    wb.set_formula(sheet, row, col, text.lstrip("="), "array", ref)
                elif isinstance(value, str) and value.startswith("="):
                    wb.set_formula(sheet, row, col, value[1:], "normal", None)
                elif value is not None:
                    wb.set_value(sheet, row, col, float(value) if type(value) is int else value)
        for n, text in (names or {}).items():
            wb.add_name(n, text)
        return wb

    # -- blocks ------------------------------------------------------------------------------

    def build_blocks(self) -> None:
        """Group the formula cells into blocks and compile them (``sheet.blocks``). Done
        once, on first use; callers that look at the blocks themselves call it first."""
        if self._built:
            return
        self._built = True
        for sheet in self.sheets:
            build_sheet_blocks(self, sheet, self._compiled)
        for sheet in self.sheets:
            index_sheet(sheet)

    def cells_using(self, prefix: str = "CRM_") -> list[tuple[str, str]]:
        """Formula cells whose formula calls a function whose name starts with ``prefix``
        (a function called through a defined name counts too)."""
        return [
            (b.sheet.name, cell_name(r, b.col))
            for b in self.blocks_using(prefix)
            for r in range(b.r0, b.r1 + 1)
        ]

    def blocks_using(self, prefix: str = "CRM_") -> list[Block]:
        """:meth:`cells_using` as the blocks that hold those cells."""
        self.build_blocks()
        want = prefix.upper()
        out = []
        calls = re.compile(rf"(?<![\w.]){re.escape(want)}[\w.]*\s*\(", re.I)
        seen: dict[int, bool] = {}  # blocks of one formula share a syntax tree: look once
        for sheet in self.sheets:
            for block in sheet.blocks:
                if block.split is not None:
                    continue
                if block.node is not None:
                    hit = seen.get(id(block.node))
                    if hit is None:
                        found = self.functions_in(block.node, sheet)
                        hit = seen[id(block.node)] = any(n.startswith(want) for n in found)
                else:  # not parsed: look at the text, so the problem is still reported
                    info = sheet.formulas.get((block.r0, block.col))
                    text = info.text_at(cell_name(block.r0, block.col)) if info else ""
                    hit = bool(calls.search(text))
                if hit:
                    out.append(block)
        return out

    # -- evaluation --------------------------------------------------------------------------

    def evaluate(self, sheet: str, cell: str) -> Any:
        """The value of one cell, computing its formula (and what it depends on) if it has one.

        Raises :class:`EvaluationError` (:class:`UnsupportedFunction`,
        :class:`CircularReference`, :class:`FormulaParseError`) when it cannot be computed.
        """
        return self.evaluate_all([(sheet, cell)])[(sheet, cell)]

    def evaluate_all(
        self, cells: Iterable[tuple[str, str]], *, strict: bool = True
    ) -> dict[tuple[str, str], Any]:
        """Values of many cells (computed once each). With ``strict`` the first problem is
        raised; otherwise cells with problems are left out of the result."""
        self.build_blocks()
        wanted = [(s, c, self.sheet(s), *parse_cell(c)) for s, c in cells]
        blocks = []
        for _, _, sh, row, col in wanted:
            b = block_at(sh, row, col)
            if b is not None:
                blocks.append(b)
        self._run(plan(self.sheets, blocks, dependents=False))
        out = {}
        for s, c, sh, row, col in wanted:
            if (row, col) not in sh.formulas and (row, col) not in sh.owner:
                out[(s, c)] = sh.cells.get((row, col), EMPTY)  # a constant (or EMPTY)
                continue
            try:
                out[(s, c)] = final(sh.get(row, col))
            except DependsOn as e:
                if strict:
                    raise self._problems.get((sh.index, row, col), e.root) from None
            except EvaluationError:
                if strict:
                    raise
        return out

    def recalculate(
        self, targets: Iterable[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], Any], list[Problem]]:
        """Compute ``targets``, every formula cell they depend on, and every formula cell that
        depends on them.

        Returns ``({(sheet, cell): value}, problems)``: for array and spilled formulas every
        cell of the range is in the dict; cells with problems (and cells that read them) are
        not. Each problem names ``Sheet!A1`` and the reason; a problem that stopped other
        cells says how many.
        """
        with paused_gc():
            return self._recalculate(targets)

    def _recalculate(
        self, targets: Iterable[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], Any], list[Problem]]:
        self.build_blocks()
        blocks: dict[int, Block] = {}
        sheets: dict[str, SheetData] = {}
        for s, c in targets:
            sh = sheets.get(s) or sheets.setdefault(s, self.sheet(s))
            row, col = parse_cell(c)
            v = sh.cells.get((row, col))
            b = v.block if v.__class__ is Pending else block_at(sh, row, col)
            if b is not None:
                blocks[id(b)] = b
        order, problems = self.recalculate_blocks(list(blocks.values()))
        values: dict[tuple[str, str], Any] = {}
        for block in order:
            name = block.sheet.name
            keys, found = self.block_results(block)
            for (row, col), v in zip(keys, found, strict=True):
                values[(name, cell_name(row, col))] = v
        return values, problems

    def recalculate_blocks(
        self, blocks: list[Block], *, by_function: bool = False, reported: Iterable[Block] = ()
    ) -> tuple[list[Block], list[Problem]]:
        """:meth:`recalculate` for blocks: the blocks computed (in order) and the problems;
        :meth:`block_results` gives each block's values. With ``by_function`` the problems
        are summarised once per function (:func:`~crm_xl.calc.problems.function_summary`,
        for a full recalculation); the cells of ``reported`` blocks (computed and reported
        by an earlier call) are not reported again."""
        self.build_blocks()
        with paused_gc():
            order = plan(self.sheets, blocks, dependents=True)
            self._run(order)
        skip = {id(b) for b in reported}
        roots: dict[int, list[Any]] = {}  # id(root) -> [root, its own cells, cells it stopped]
        for block in order:
            if id(block) in skip:
                continue
            cells = block.sheet.cells
            keys = _out_keys(block)
            if Pending not in set(map(type, map(cells.get, keys, itertools.repeat(EMPTY)))):
                continue  # every cell has its value: no problem to collect
            for row, col in keys:
                v = cells.get((row, col), EMPTY)
                if v.__class__ is not Pending:
                    continue
                err = v.failed or self._problems.get((block.sheet.index, row, col))
                if err is None:
                    continue
                root = err.root if isinstance(err, DependsOn) else err
                entry = roots.setdefault(id(root), [root, 0, 0])
                own = root is block.problem or root.where in (block.where(row), block.where())
                entry[1 if own else 2] += 1
        if by_function:
            return order, function_summary([(r, o, d) for r, o, d in roots.values()])
        return order, grouped_problems([(r, d) for r, _, d in roots.values()])

    def formula_blocks(self, sheets: Iterable[str] | None = None) -> list[Block]:
        """Every block of formulas in the workbook (or in ``sheets``), for a full
        recalculation."""
        self.build_blocks()
        wanted = None if sheets is None else set(sheets)
        return [
            block
            for sheet in self.sheets
            if wanted is None or sheet.name in wanted
            for block in sheet.blocks
            if block.split is None
        ]

    def block_results(self, block: Block) -> tuple[list[tuple[int, int]], list[Any]]:
        """The cells a computed block fills that have a value (column by column), and those
        values (cells with a problem are left out)."""
        keys = _out_keys(block)
        found = list(map(block.sheet.cells.get, keys, itertools.repeat(EMPTY)))
        if Pending in set(map(type, found)):
            kept = [(k, v) for k, v in zip(keys, found, strict=True) if v.__class__ is not Pending]
            keys, found = [k for k, _ in kept], [v for _, v in kept]
        return keys, found

    def release(self) -> None:
        """Drop the cell model (the caller is done with it): its reference cycles are
        freed now, without a pass of the garbage collector over a million objects."""
        for sheet in self.sheets:
            sheet.cells.clear()
            sheet.formulas.clear()
            sheet.styles.clear()
            sheet.owner.clear()
            sheet.stored.clear()
            sheet.col_index.clear()
            for block in sheet.blocks:
                block.deps = block.split = block.spans = block.vector = block.code = None
            sheet.blocks.clear()
        self._compiled.clear()
        self._problems.clear()

    # -- computing blocks --------------------------------------------------------------------

    def _run(self, order: list[Block]) -> None:
        for block in order:
            if not block.done:
                self._eval_block(block)

    def _eval_block(self, block: Block) -> None:
        block.done = True
        sheet = block.sheet
        if block.problem is not None:
            block.marker.failed = block.problem
            for r, c in block.cells():
                self._problems[(sheet.index, r, c)] = block.problem
            return
        if block.vector is not None and block.r1 > block.r0:
            try:
                if block.vector(block):
                    return
            except (DependsOn, EvaluationError, Unsupported, ArithmeticError, ValueError):
                pass  # computed cell by cell below, where each cell gets its own verdict
        for row in range(block.r0, block.r1 + 1):
            if sheet.cells.get((row, block.col)) is block.marker:
                self._eval_cell(block, row)

    def _eval_cell(self, block: Block, row: int) -> None:
        sheet, col = block.sheet, block.col
        key = (sheet.index, row, col)
        self._running.add(key)
        try:
            ctx = Ctx(self, sheet, row, col)
            assert block.code is not None
            value = block.code(ctx)
            if block.anchor_kind not in ("array", "dynamic"):
                value = final(intersect_value(value, row, col))
        except DependsOn as e:
            self._fail(block, row, e)
            return
        except EvaluationError as e:
            self._fail(block, row, e)
            return
        except Unsupported as e:
            self._fail(block, row, UnsupportedFunction(e.name or "?", block.where(row), e.reason))
            return
        except RecursionError:
            self._fail(
                block,
                row,
                EvaluationError(block.where(row), "the chain of dependent cells is too deep"),
            )
            return
        except Exception as err:  # one bad cell is that cell's problem, never the run's
            self._fail(
                block, row, EvaluationError(block.where(row), not_computed("the formula", err))
            )
            return
        finally:
            self._running.discard(key)
        if block.anchor_kind in ("array", "dynamic"):
            self._spill(block, value)
        else:
            sheet.cells[(row, col)] = value

    def _fail(self, block: Block, row: int, err: Exception) -> None:
        sheet = block.sheet
        marker = Pending(block)
        root = err.root if isinstance(err, DependsOn) else err
        assert isinstance(root, EvaluationError)
        marker.failed = root
        cells = (
            list(block.cells()) if block.anchor_kind in ("array", "dynamic") else [(row, block.col)]
        )
        for r, c in cells:
            sheet.cells[(r, c)] = marker
            self._problems[(sheet.index, r, c)] = root

    def _spill(self, block: Block, value: Any) -> None:
        sheet = block.sheet
        r1, c1, r2, c2 = block.out
        if isinstance(value, (Range, Array)):
            rows = value.rows()
        elif isinstance(value, Multi):
            rows = [[VALUE]]
        else:
            rows = [[value]]
        h, w = len(rows), len(rows[0]) if rows else 0
        if block.anchor_kind == "dynamic" and (h, w) != (r2 - r1 + 1, c2 - c1 + 1):
            self._fail(
                block,
                r1,
                EvaluationError(
                    block.where(),
                    f"the dynamic array now spills {h}×{w} cells but the file holds "
                    f"{r2 - r1 + 1}×{c2 - c1 + 1} ({range_name(block.out)}): "
                    "recalculate it in Excel",
                ),
            )
            return
        for r in range(r1, r2 + 1):
            i = r - r1
            for c in range(c1, c2 + 1):
                j = c - c1
                ii = 0 if h == 1 else i
                jj = 0 if w == 1 else j
                v = rows[ii][jj] if ii < h and jj < w else NA
                sheet.cells[(r, c)] = final(v)

    def force(self, sheet: SheetData, marker: Pending, row: int, col: int) -> Any:
        """A formula cell read before its turn (or a cell with a problem)."""
        if marker.failed is not None:
            raise DependsOn(marker.failed)
        block = marker.block
        if block.problem is not None:
            marker.failed = block.problem
            raise DependsOn(block.problem)
        anchor_row = block.r0 if block.anchor_kind in ("array", "dynamic") else row
        key = (sheet.index, anchor_row, block.col)
        if key in self._running:
            raise CircularReference([block.where(anchor_row)])
        self._eval_cell(block, anchor_row)
        v = sheet.cells.get((row, col), EMPTY)
        if v.__class__ is Pending:
            raise DependsOn(v.failed or EvaluationError(block.where(row), "not computed"))
        return v


def supported_functions(custom: Iterable[str] = ()) -> list[str]:
    """Every function name the evaluator computes: standard Excel functions, and the names
    of ``custom``, the custom functions a workbook is given (a mapping by name will do).

    Example::

        >>> {"SUM", "XLOOKUP", "IF"} <= set(supported_functions())
        True
        >>> "RAND" in supported_functions(), "CRM_DOUBLE" in supported_functions(["CRM_DOUBLE"])
        (False, True)
    """
    return sorted(set(BUILTINS) | LAZY | set(custom))


def _out_keys(block: Block) -> list[tuple[int, int]]:
    """The (row, col) of the cells a block fills, column by column."""
    r1, c1, r2, c2 = block.out
    rows = range(r1, r2 + 1)
    if c1 == c2:
        return list(zip(rows, itertools.repeat(c1, len(rows)), strict=True))
    return [(r, c) for c in range(c1, c2 + 1) for r in rows]
