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
functions run the implementation Excel runs through xlwings (:mod:`crm_xl.excel.functions`),
with the arguments xlwings would pass.

Nothing is ever guessed: a function the engine does not support, a structured reference,
a cycle or a formula that cannot be parsed makes that cell (and the cells that read it) a
*problem*, reported with the cell and left out of the results.

API
---
- ``Workbook.from_package(pkg)`` (or ``Workbook.from_path(path)``): read a workbook.
- ``wb.formula_cells()`` → ``(sheet, cell, FormulaInfo)`` for every formula cell, where
  :class:`FormulaInfo` has ``text`` (shared formulas expanded), ``kind`` (normal, shared,
  array, dynamic, dataTable), ``ref``, ``cached_value`` and ``cached_type``.
- ``wb.cells_using("CRM_")`` → ``[(sheet, cell)]`` of the formulas calling such a function.
- ``wb.recalculate(targets)`` → ``({(sheet, cell): value}, [Problem])``: the targets, what
  they depend on and what depends on them; every cell of an array or spill range; cells
  with problems (unsupported function, cycle, parse error) and their dependents left out,
  each problem naming ``Sheet!A1`` (or a column range) and the reason.
- ``wb.evaluate(sheet, cell)``, ``wb.evaluate_all(cells)``: values, raising
  :class:`EvaluationError` subclasses (:class:`UnsupportedFunction`,
  :class:`CircularReference`, :class:`FormulaParseError`).
- ``wb.is_date(sheet, cell)``: the cell's number format shows a date or time.
- :func:`supported_functions`: the names the engine computes.

Values are ``float``, ``str``, ``bool`` or :class:`XlError` (``.code`` is ``"#N/A"``
etc.), so a writer can give each cell its type; text returned by a ``CRM_*`` function
stays text even when it starts with ``#`` (that is what Excel shows through xlwings).
Refused on purpose: TODAY, NOW, RAND... (volatile: results must be reproducible), OFFSET
and INDIRECT (references built at run time), external workbooks, 3-D references, what-if
data tables, and any function not in :func:`supported_functions`.

Example::

    >>> wb = Workbook.from_cells({"Sheet1": {"A1": 2, "A2": "3", "B1": "=SUM(A1:A2)*A2"}})
    >>> wb.evaluate("Sheet1", "B1")
    6.0
    >>> values, problems = wb.recalculate([("Sheet1", "B1")])
    >>> values, problems
    ({('Sheet1', 'B1'): 6.0}, [])
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import gc
import inspect
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.conversions import (
    compare,
    power,
    serial_to_datetime,
    to_bool,
    to_number,
    to_text,
)
from crm_xl.calc.functions import BUILTINS, VOLATILE
from crm_xl.calc.values import (
    EMPTY,
    GRID,
    MISSING,
    NA,
    NAME,
    NULL,
    REF,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Range,
    Unsupported,
    XlError,
    error,
)
from crm_xl.errors import Problem

__all__ = [
    "EMPTY",
    "CircularReference",
    "EvaluationError",
    "FormulaInfo",
    "FormulaParseError",
    "UnsupportedFunction",
    "Workbook",
    "XlError",
    "supported_functions",
]

MAX_ROW, MAX_COL = fx.MAX_ROW, fx.MAX_COL
_isfinite = math.isfinite
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --- problems -----------------------------------------------------------------------------


class EvaluationError(Exception):
    """A cell that cannot be computed: ``where`` is ``Sheet!A1``, ``reason`` says why."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason

    def problem(self) -> Problem:
        return Problem(self.where, self.reason)


class UnsupportedFunction(EvaluationError):
    """The formula calls a function (or uses syntax) the engine does not compute."""

    def __init__(self, name: str, cell: str, reason: str | None = None):
        super().__init__(cell, reason or f"function {name} is not supported by crm-xl recalc")
        self.name = name
        self.cell = cell


class FormulaParseError(EvaluationError):
    """The formula text cannot be parsed."""


class CircularReference(EvaluationError):
    """Cells that depend on each other; ``cells`` lists them."""

    def __init__(self, cells: list[str]):
        shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
        super().__init__(cells[0], f"circular reference between {shown}")
        self.cells = cells


class _DependsOn(Exception):
    """Reading a cell that has a problem."""

    def __init__(self, root: EvaluationError):
        super().__init__(root.where)
        self.root = root


# --- the workbook model -------------------------------------------------------------------


_COLS: dict[str, int] = {}


def _col(letters: str) -> int:
    n = _COLS.get(letters)
    if n is None:
        n = _COLS[letters] = fx.col_number(letters)
    return n


def cell_name(row: int, col: int) -> str:
    return f"{fx.col_letters(col)}{row}"


_ADDRESS = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def parse_cell(cell: str) -> tuple[int, int]:
    """'B3' → (3, 2); '$B$3' is accepted."""
    letters = cell.rstrip("0123456789")
    col = _COLS.get(letters)
    if col is not None and len(letters) < len(cell) <= len(letters) + 7:
        return int(cell[len(letters) :]), col
    m = _ADDRESS.fullmatch(cell)
    if not m:
        m = _ADDRESS.fullmatch(cell.strip())
        if not m:
            raise ValueError(f"not a cell address: {cell!r}")
    letters = m.group(1)
    col = _COLS.get(letters) or _col(letters.upper())
    return int(m.group(2)), col


class FormulaInfo:
    """One formula cell as stored: its text (shared formulas expanded), kind, range and cache.

    ``kind`` is ``normal``, ``shared``, ``array`` (legacy Ctrl+Shift+Enter), ``dynamic``
    (a dynamic array that spills) or ``dataTable``. ``ref`` is the range an array formula
    fills (``"L4:L203"``), the group of a shared formula, or None. ``cached_value`` is the
    value Excel stored (float, str, bool, XlError or None) and ``cached_type`` its type:
    ``n``, ``str``, ``b``, ``e`` or ``empty``.
    """

    __slots__ = ("_master", "_text", "cached_type", "cached_value", "kind", "ref", "si")

    def __init__(self, text: str | None, kind: str, ref: str | None, cached: Any, ctype: str):
        self._text = text
        self.kind = kind
        self.ref = ref
        self.cached_value = cached
        self.cached_type = ctype
        self.si: str | None = None
        self._master: tuple[str, str] | None = None  # (master text, master cell)

    def text_at(self, cell: str) -> str:
        if self._text is None:
            if self._master is None:
                return ""
            self._text = fx.translate(self._master[0], self._master[1], cell)
        return self._text

    @property
    def text(self) -> str:
        """The formula text without ``=`` (for shared formulas, use :meth:`Workbook.formula`)."""
        return self._text if self._text is not None else ""

    def __repr__(self) -> str:
        return (
            f"FormulaInfo(text={self.text!r}, kind={self.kind!r}, ref={self.ref!r}, "
            f"cached_value={self.cached_value!r}, cached_type={self.cached_type!r})"
        )


class _Pending:
    """Stands in a cell of the grid until the formula that fills it is computed."""

    __slots__ = ("block", "failed")

    def __init__(self, block: _Block):
        self.block = block
        self.failed: EvaluationError | None = None


class SheetData:
    """One worksheet's cells: ``cells[(row, col)]`` is the value (or a pending formula)."""

    def __init__(self, book: Workbook, name: str, index: int):
        self.book = book
        self.name = name
        self.index = index
        self.cells: dict[tuple[int, int], Any] = {}
        self.styles: dict[tuple[int, int], int] = {}
        self.formulas: dict[tuple[int, int], FormulaInfo] = {}
        self.owner: dict[tuple[int, int], tuple[int, int]] = {}  # array range cell → anchor
        # array range cells (but the anchor): the value the file stores, EMPTY for none
        self.stored: dict[tuple[int, int], Any] = {}
        self.hidden_rows: set[int] = set()
        self.max_row = 0
        self.max_col = 0
        self.blocks: list[_Block] = []
        self.index_cols: list[int] = []  # columns holding formula cells, sorted
        self.col_index: dict[int, tuple[list[int], list[int], list[_Block]]] = {}

    def get(self, row: int, col: int) -> Any:
        v = self.cells.get((row, col), EMPTY)
        if v.__class__ is _Pending:
            return self.book._force(self, v, row, col)
        return v

    def subtotal_skip(self, row: int, col: int, hidden: bool) -> bool:
        """SUBTOTAL leaves out other SUBTOTAL cells (and hidden rows for 101-111)."""
        if hidden and row in self.hidden_rows:
            return True
        f = self.formulas.get((row, col))
        return (
            f is not None
            and "SUBTOTAL(" in self.book.formula(self.name, cell_name(row, col)).upper()
        )

    def __repr__(self) -> str:
        return f"SheetData({self.name!r})"


class _Ctx:
    __slots__ = ("book", "col", "row", "sheet")

    def __init__(self, book: Workbook, sheet: SheetData, row: int, col: int):
        self.book, self.sheet, self.row, self.col = book, sheet, row, col


class _Block:
    """Formula cells computed together: one cell, an array formula's anchor, or a run of
    cells in one column with the same formula in R1C1 form."""

    __slots__ = (
        "anchor_kind",
        "code",
        "col",
        "deps",
        "done",
        "key",
        "marker",
        "node",
        "out",
        "problem",
        "r0",
        "r1",
        "sheet",
        "spans",
        "split",
        "vector",
    )

    def __init__(self, sheet: SheetData, col: int, r0: int, r1: int, key: Any, kind: str):
        self.sheet, self.col, self.r0, self.r1 = sheet, col, r0, r1
        self.key = key
        self.anchor_kind = kind  # normal/shared/array/dynamic/dataTable
        self.code: Callable[[_Ctx], Any] | None = None
        self.node: fx.Node | None = None
        self.spans: list[tuple[SheetData, list[fx.Ref]]] = []
        self.deps: list[_Block] | None = None
        self.problem: EvaluationError | None = None
        self.out: tuple[int, int, int, int] = (r0, col, r1, col)  # cells it fills
        self.marker = _Pending(self)
        self.done = False
        self.split: list[_Block] | None = None
        self.vector: Callable[[_Block], bool] | None = None

    def cells(self) -> Iterator[tuple[int, int]]:
        r1, c1, r2, c2 = self.out
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                yield r, c

    def where(self, row: int | None = None) -> str:
        return f"{self.sheet.name}!{cell_name(self.r0 if row is None else row, self.col)}"

    def __repr__(self) -> str:
        return f"_Block({self.sheet.name}!{cell_name(self.r0, self.col)}:{self.r1})"


class _Table:
    """An Excel table (ListObject): its range, header and totals rows, column names."""

    __slots__ = ("c1", "c2", "columns", "headers", "name", "r1", "r2", "sheet", "totals")

    def __init__(
        self,
        name: str,
        sheet: SheetData,
        r1: int,
        c1: int,
        r2: int,
        c2: int,
        headers: int,
        totals: int,
        columns: list[str],
    ):
        self.name, self.sheet = name, sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2
        self.headers, self.totals, self.columns = headers, totals, columns


_SPECIALS = {"#all", "#data", "#headers", "#totals", "#this row"}


def _table_zone(table: _Table, sheet: SheetData, row: int, col: int) -> tuple[bool, ...]:
    """Where a cell is with respect to a table: the table's sheet or another, its columns
    or not, and above, in the header rows, in the data, in the totals or below."""
    first_data, last_data = table.r1 + table.headers, table.r2 - table.totals
    return (
        table.sheet is sheet,
        table.c1 <= col <= table.c2,
        row >= table.r1,
        row >= first_data,
        row <= last_data,
        row <= table.r2,
    )


def _table_spec(spec: str) -> tuple[set[str], tuple[str, str] | None]:
    """``[[#Totals],[Amount]]`` → ({"#totals"}, ("Amount", "Amount")); columns None = all."""
    if not (spec.startswith("[") and spec.endswith("]")):
        raise ValueError("expected brackets")
    inner = spec[1:-1].strip()
    specials: set[str] = set()
    if inner.startswith("@"):
        specials.add("#this row")
        inner = inner[1:].strip()
        if not inner:
            return specials, None
        if not inner.startswith("["):
            name = _unescape_column(inner)
            return specials, (name, name)
    if not inner:
        return specials, None
    if not inner.startswith("["):
        if inner.lower() in _SPECIALS:
            return {inner.lower()}, None
        name = _unescape_column(inner)
        return specials, (name, name)
    groups: list[str] = []
    seps: list[str] = []
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "[":
            j = i + 1
            buf = []
            while j < len(inner) and inner[j] != "]":
                if inner[j] == "'" and j + 1 < len(inner):
                    buf.append(inner[j + 1])
                    j += 2
                    continue
                buf.append(inner[j])
                j += 1
            if j >= len(inner):
                raise ValueError("unclosed bracket")
            groups.append("".join(buf))
            i = j + 1
        elif ch in ",:":
            seps.append(ch)
            i += 1
        elif ch.isspace():
            i += 1
        else:
            raise ValueError(f"unexpected {ch!r}")
    cols: list[str] = []
    for g in groups:
        if g.strip().lower() in _SPECIALS:
            specials.add(g.strip().lower())
        else:
            cols.append(g)
    if not cols:
        return specials, None
    if len(cols) == 1:
        return specials, (cols[0], cols[0])
    if len(cols) == 2 and ":" in seps:
        return specials, (cols[0], cols[1])
    raise ValueError("more than one column")


def _unescape_column(name: str) -> str:
    return re.sub(r"'(.)", r"\1", name)


class Workbook:
    """A workbook's cells and formulas, ready to evaluate (see the module notes)."""

    def __init__(self, source: str = "<workbook>") -> None:
        self.source = source
        self.sheets: list[SheetData] = []
        self._by_name: dict[str, SheetData] = {}
        self._names: dict[tuple[int | None, str], str] = {}  # (sheet index|None, NAME) → text
        self._name_ast: dict[tuple[int | None, str], fx.Node | Exception] = {}
        self.date1904 = False
        self._date_styles: set[int] = set()
        self._compiled: dict[Any, tuple[Any, Any]] = {}
        self._built = False
        self._running: set[tuple[int, int, int]] = set()
        self.tables: dict[str, _Table] = {}
        self._problems: dict[tuple[int, int, int], EvaluationError] = {}

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def from_package(cls, pkg: Any) -> Workbook:
        """Read every worksheet of a :class:`crm_xl.xlsx.package.Package`."""
        from crm_xl.calc.reader import read_package

        with _no_gc():
            return read_package(cls(str(getattr(pkg, "source", "<workbook>"))), pkg)

    @classmethod
    def from_path(cls, path: str | Path) -> Workbook:
        """Open an .xlsx/.xlsm file and read it (see :meth:`from_package`)."""
        from crm_xl.xlsx import Package

        return cls.from_package(Package.open(path))

    @classmethod
    def from_cells(
        cls, sheets: dict[str, dict[str, Any]], names: dict[str, str] | None = None
    ) -> Workbook:
        """A workbook from ``{sheet: {cell: value or "=formula"}}`` (for tests and examples).

        Values: numbers, text, booleans, None, ``XlError``; ``("{=...}", "A1:A3")`` is an
        array formula over a range. ``names`` are workbook-scoped defined names.
        """
        wb = cls()
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
            wb._names[(None, n.upper())] = text
        return wb

    def add_sheet(self, name: str) -> SheetData:
        sheet = SheetData(self, name, len(self.sheets))
        self.sheets.append(sheet)
        self._by_name[name.casefold()] = sheet
        return sheet

    def set_value(self, sheet: SheetData, row: int, col: int, value: Any) -> None:
        sheet.cells[(row, col)] = value
        sheet.max_row = max(sheet.max_row, row)
        sheet.max_col = max(sheet.max_col, col)

    def set_formula(
        self,
        sheet: SheetData,
        row: int,
        col: int,
        text: str | None,
        kind: str,
        ref: str | None,
        cached: Any = None,
        ctype: str = "empty",
    ) -> FormulaInfo:
        info = FormulaInfo(text, kind, ref, cached, ctype)
        sheet.formulas[(row, col)] = info
        sheet.max_row = max(sheet.max_row, row)
        sheet.max_col = max(sheet.max_col, col)
        # the cached value stays with the formula: the cell itself gets the formula's own
        # (pending) value when the blocks are built, whatever is cached
        return info

    def add_name(self, name: str, text: str, sheet_index: int | None = None) -> None:
        self._names[(sheet_index, name.upper())] = text

    # -- reading ---------------------------------------------------------------------------

    def sheet(self, name: str) -> SheetData:
        s = self._by_name.get(name.casefold())
        if s is None:
            raise KeyError(f"no worksheet {name!r}")
        return s

    def formula_cells(self) -> Iterator[tuple[str, str, FormulaInfo]]:
        """Every formula cell: (sheet name, cell address, :class:`FormulaInfo`), by sheet and row."""
        for sheet in self.sheets:
            for (row, col), info in sorted(sheet.formulas.items()):
                addr = cell_name(row, col)
                info.text_at(addr)
                yield sheet.name, addr, info

    def formula(self, sheet: str, cell: str) -> str:
        """The formula text of a cell (shared formulas expanded), without ``=``."""
        row, col = parse_cell(cell)
        info = self.sheet(sheet).formulas[(row, col)]
        return info.text_at(cell_name(row, col))

    def cells_using(self, prefix: str = "CRM_") -> list[tuple[str, str]]:
        """Formula cells whose formula calls a function whose name starts with ``prefix``
        (a function called through a defined name counts too)."""
        return [
            (b.sheet.name, cell_name(r, b.col))
            for b in self._blocks_using(prefix)
            for r in range(b.r0, b.r1 + 1)
        ]

    def _blocks_using(self, prefix: str) -> list[_Block]:
        """:meth:`cells_using` as the blocks that hold those cells."""
        self._build()
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
                        found = self._functions_in(block.node, sheet)
                        hit = seen[id(block.node)] = any(n.startswith(want) for n in found)
                else:  # not parsed: look at the text, so the problem is still reported
                    info = sheet.formulas.get((block.r0, block.col))
                    text = info.text_at(cell_name(block.r0, block.col)) if info else ""
                    hit = bool(calls.search(text))
                if hit:
                    out.append(block)
        return out

    def is_date(self, sheet: str, cell: str) -> bool:
        """True when the cell's number format is a date or time format."""
        row, col = parse_cell(cell)
        return self._is_date(self.sheet(sheet), row, col)

    def _is_date(self, sheet: SheetData, row: int, col: int) -> bool:
        s = sheet.styles.get((row, col))
        return s is not None and s in self._date_styles

    # -- evaluation: public ------------------------------------------------------------------

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
        self._build()
        wanted = [(s, c, self.sheet(s), *parse_cell(c)) for s, c in cells]
        blocks = []
        for _, _, sh, row, col in wanted:
            b = self._block_at(sh, row, col)
            if b is not None:
                blocks.append(b)
        self._run(self._plan(blocks, dependents=False))
        out = {}
        for s, c, sh, row, col in wanted:
            if (row, col) not in sh.formulas and (row, col) not in sh.owner:
                out[(s, c)] = sh.cells.get((row, col), EMPTY)  # a constant (or EMPTY)
                continue
            try:
                out[(s, c)] = _final(sh.get(row, col))
            except _DependsOn as e:
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
        with _no_gc():
            return self._recalculate(targets)

    def _recalculate(
        self, targets: Iterable[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], Any], list[Problem]]:
        self._build()
        blocks: dict[int, _Block] = {}
        sheets: dict[str, SheetData] = {}
        for s, c in targets:
            sh = sheets.get(s) or sheets.setdefault(s, self.sheet(s))
            row, col = parse_cell(c)
            v = sh.cells.get((row, col))
            b = v.block if v.__class__ is _Pending else self._block_at(sh, row, col)
            if b is not None:
                blocks[id(b)] = b
        order, problems = self._recalculate_blocks(list(blocks.values()))
        values: dict[tuple[str, str], Any] = {}
        for block in order:
            name = block.sheet.name
            keys, found = self._block_results(block)
            for (row, col), v in zip(keys, found, strict=True):
                values[(name, cell_name(row, col))] = v
        return values, problems

    def _recalculate_blocks(self, blocks: list[_Block]) -> tuple[list[_Block], list[Problem]]:
        """:meth:`recalculate` for blocks: the blocks computed (in order) and the problems;
        :meth:`_block_results` gives each block's values."""
        self._build()
        with _no_gc():
            order = self._plan(blocks, dependents=True)
            self._run(order)
        roots: dict[int, tuple[EvaluationError, int]] = {}
        for block in order:
            cells = block.sheet.cells
            keys = _out_keys(block)
            if _Pending not in set(map(type, map(cells.get, keys, itertools.repeat(EMPTY)))):
                continue  # every cell has its value: no problem to collect
            for row, col in keys:
                v = cells.get((row, col), EMPTY)
                if v.__class__ is not _Pending:
                    continue
                err = v.failed or self._problems.get((block.sheet.index, row, col))
                if err is None:
                    continue
                root = err.root if isinstance(err, _DependsOn) else err
                prev = roots.get(id(root), (root, 0))
                own = root is block.problem or root.where in (block.where(row), block.where())
                roots[id(root)] = (root, prev[1] + (0 if own else 1))
        return order, _grouped_problems(list(roots.values()))

    def _block_results(self, block: _Block) -> tuple[list[tuple[int, int]], list[Any]]:
        """The cells a computed block fills that have a value (column by column), and those
        values (cells with a problem are left out)."""
        keys = _out_keys(block)
        found = list(map(block.sheet.cells.get, keys, itertools.repeat(EMPTY)))
        if _Pending in set(map(type, found)):
            kept = [(k, v) for k, v in zip(keys, found, strict=True) if v.__class__ is not _Pending]
            keys, found = [k for k, _ in kept], [v for _, v in kept]
        return keys, found

    def _release(self) -> None:
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

    # -- building blocks ---------------------------------------------------------------------

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        for sheet in self.sheets:
            self._build_sheet(sheet)
        for sheet in self.sheets:
            self._index_sheet(sheet)

    def _build_sheet(self, sheet: SheetData) -> None:
        """Group the sheet's formula cells into blocks: runs down a column of one formula
        (shared, or the same in R1C1 form), and single cells."""
        by_col: dict[int, list[int]] = {}
        for row, col in sheet.formulas:
            by_col.setdefault(col, []).append(row)
        formulas, cells = sheet.formulas, sheet.cells
        for col in sorted(by_col):
            rows = by_col[col]
            rows.sort()
            infos = list(map(formulas.__getitem__, zip(rows, itertools.repeat(col))))
            # fits[i]: formula i is formula i-1 one row down (one look at the whole column)
            fits = _fits_previous([info._text for info in infos], rows)
            if self.tables:
                self._keep_runs_in_table_zones(sheet, col, rows, infos, fits)
            run: _Block | None = None
            template: Any = None
            si: str | None = None
            last = -2
            chained = False  # the run's last row has the run's formula text (fits[] applies)
            # kinds that may continue a run everywhere: a run of fits is taken in one step
            plain = {info.kind for info in infos} <= {"normal", "shared"}
            n, i = len(rows), 0
            while i < n:
                row, info = rows[i], infos[i]
                i += 1
                kind = info.kind
                if run is not None and row == last + 1 and kind in ("normal", "shared"):
                    text = info._text
                    if si is not None and info.si == si:
                        join, chained = True, False
                    elif (
                        template is not None
                        and text is not None
                        and (fits[i - 1] if chained else _fits(template, text, row))
                    ):
                        join = chained = True
                    else:
                        join = False
                    if join:
                        cells[(row, col)] = run.marker
                        last = row
                        continue
                if run is not None:
                    run.r1 = last
                    run.out = (run.r0, col, last, col)
                    run = None
                block = _Block(sheet, col, row, row, None, kind)
                self._setup_block(block, info, row, col)
                if kind in ("normal", "shared"):
                    run, last, si = block, row, info.si
                    template = _template(info._text, row) if info._text is not None else None
                    chained = template is not None
                    if chained and plain and i < n and fits[i]:
                        # the rows below that fit join the run: markers in one go
                        try:
                            stop = fits.index(False, i)
                        except ValueError:
                            stop = n
                        below = zip(rows[i:stop], itertools.repeat(col))
                        cells.update(zip(below, itertools.repeat(block.marker)))
                        last, i = rows[stop - 1], stop
            if run is not None:
                run.r1 = last
                run.out = (run.r0, col, last, col)
        for block in sheet.blocks:
            if block.problem is not None:
                if block.r1 > block.r0:  # one problem for the whole run of cells
                    block.problem.where = f"{block.where()}:{cell_name(block.r1, block.col)}"
                block.marker.failed = block.problem

    def _keep_runs_in_table_zones(
        self,
        sheet: SheetData,
        col: int,
        rows: list[int],
        infos: list[FormulaInfo],
        fits: list[bool],
    ) -> None:
        """A table reference reads the same one row down only while the row stays where it
        was with respect to every table it can mean (above, in the header, in the data,
        in the totals, below: ``[@Q2]`` is #VALUE! outside the data, ``[Q2]`` without a
        table name means the table the cell is in): ``fits`` is cleared where it does not."""
        tables = list(self.tables.values())
        for i in range(1, len(rows)):
            text = infos[i]._text
            if fits[i] and text is not None and "[" in text:
                fits[i] = all(
                    _table_zone(t, sheet, rows[i - 1], col) == _table_zone(t, sheet, rows[i], col)
                    for t in tables
                )

    def _setup_block(self, block: _Block, info: FormulaInfo, row: int, col: int) -> None:
        sheet = block.sheet
        sheet.blocks.append(block)
        addr = cell_name(row, col)
        where = f"{sheet.name}!{addr}"
        arr = block.anchor_kind in ("array", "dynamic")
        block.key = ("si", info.si) if info.si is not None else ("cell", None)
        if block.anchor_kind == "dataTable":
            block.problem = UnsupportedFunction(
                "TABLE", where, "a what-if data table ({=TABLE()}) is not supported"
            )
        else:
            text = info.text_at(addr)
            try:
                node, code, spans = self._compile_text(sheet, text, row, col, arr)
            except fx.FormulaError as err:
                block.node = getattr(err, "node", None)
                block.problem = FormulaParseError(where, f"cannot parse formula ={text}: {err}")
            except Unsupported as err:
                block.node = getattr(err, "node", None)
                block.problem = UnsupportedFunction(err.name or "?", where, err.reason)
            else:
                block.node, block.code, block.spans = node, code, spans
                if not arr:
                    block.vector = _vectoriser(self, sheet, node)
        if arr and info.ref:
            try:
                r1, c1, r2, c2 = _parse_range(info.ref)
            except ValueError:
                r1, c1, r2, c2 = row, col, row, col
            block.out = (r1, c1, r2, c2)
        cells, stored = sheet.cells, sheet.stored
        for r, c in block.cells():
            if (r, c) != (row, col):
                sheet.owner[(r, c)] = (row, col)
                # what the file stores there (the array's last result): kept for recalc
                old = cells.get((r, c), EMPTY)
                stored[(r, c)] = EMPTY if old.__class__ is _Pending else old
            cells[(r, c)] = block.marker

    def _compile_text(
        self, sheet: SheetData, text: str, row: int, col: int, arr: bool
    ) -> tuple[fx.Node, Callable[[_Ctx], Any], list[Any]]:
        """Compile a formula (cached by its R1C1 form)."""
        key, count = fx.relative_key(text, (row, col)) if "[" not in text else (None, -2)
        cache_key = (sheet.index, arr, key)
        if key is not None and cache_key in self._compiled:
            return self._compiled[cache_key]
        node, corners = fx.parse_counted(text, (row, col))
        comp = _Compiler(self, sheet, (row, col))
        try:
            code = comp.top(node, arr)
        except (Unsupported, fx.FormulaError) as err:
            err.node = node  # type: ignore[attr-defined]  # cells_using still sees the calls
            raise
        result = (node, code, comp.spans)
        if key is not None and corners == count:
            self._compiled[cache_key] = result
        return result

    def _index_sheet(self, sheet: SheetData) -> None:
        cols: dict[int, list[_Block]] = {}
        for block in sheet.blocks:
            if block.split is not None:
                continue
            _, c1, _, c2 = block.out
            for c in range(c1, c2 + 1):
                cols.setdefault(c, []).append(block)
        sheet.col_index = {}
        for c, blocks in cols.items():
            blocks.sort(key=lambda b: b.out[0])
            sheet.col_index[c] = ([b.out[0] for b in blocks], [b.out[2] for b in blocks], blocks)
        sheet.index_cols = sorted(sheet.col_index)

    def _block_at(self, sheet: SheetData, row: int, col: int) -> _Block | None:
        v = sheet.cells.get((row, col))
        if v.__class__ is _Pending:
            return v.block
        if (row, col) not in sheet.formulas and (row, col) not in sheet.owner:
            return None
        for b in self._blocks_in(sheet, row, col, row, col):
            return b
        return None

    def _blocks_in(
        self, sheet: SheetData, r1: int | None, c1: int | None, r2: int | None, c2: int | None
    ) -> Iterator[_Block]:
        cols = sheet.index_cols
        lo = 0 if c1 is None else bisect.bisect_left(cols, c1)
        hi = len(cols) if c2 is None else bisect.bisect_right(cols, c2)
        for c in cols[lo:hi]:
            starts, ends, blocks = sheet.col_index[c]
            i = 0 if r1 is None else bisect.bisect_left(ends, r1)
            j = len(blocks) if r2 is None else bisect.bisect_right(starts, r2)
            for b in blocks[i:j]:
                if b.split is not None:
                    for part in b.split:
                        if (r1 is None or part.out[2] >= r1) and (r2 is None or part.out[0] <= r2):
                            yield part
                else:
                    yield b

    def _deps(self, block: _Block) -> list[_Block]:
        if block.deps is not None:
            return block.deps
        seen: dict[int, _Block] = {}
        for target, refs in block.spans:
            box = None
            for ref in refs:
                for row in (block.r0, block.r1):
                    b = ref.bounds(row, block.col)
                    box = b if box is None else _union(box, b)
            if box is None:
                continue
            for dep in self._blocks_in(target, *box):
                seen[id(dep)] = dep
        block.deps = list(seen.values())
        return block.deps

    # -- planning: dependency order ----------------------------------------------------------

    def _plan(self, blocks: list[_Block], dependents: bool) -> list[_Block]:
        """The blocks to compute, dependencies first: ``blocks``, (their dependents,) and
        everything they need. Cycles become problems; runs of cells that only look cyclic
        because they were grouped are split into single cells."""
        while True:
            start = list(blocks)
            if dependents:
                start = self._with_dependents(start)
            order, cyclic = _tarjan(start, self._deps)
            splittable = [
                b for comp in cyclic for b in comp if b.r0 != b.r1 and b.out[0] != b.out[2]
            ]
            if not splittable:
                break
            for b in splittable:
                self._split(b)
            blocks = [p for b in blocks for p in (b.split or [b])]
        for comp in cyclic:
            cells = [b.where() for b in comp]
            err = CircularReference(cells)
            for b in comp:
                b.problem = b.problem or CircularReference(
                    [b.where()] + [c for c in cells if c != b.where()]
                )
                b.marker.failed = b.problem
            del err
        return order

    def _with_dependents(self, blocks: list[_Block]) -> list[_Block]:
        rdeps: dict[int, list[_Block]] = {}
        for sheet in self.sheets:
            for b in sheet.blocks:
                if b.split is not None:
                    continue
                for d in self._deps(b):
                    rdeps.setdefault(id(d), []).append(b)
        seen = {id(b): b for b in blocks}
        stack = list(blocks)
        while stack:
            b = stack.pop()
            for d in rdeps.get(id(b), ()):
                if id(d) not in seen:
                    seen[id(d)] = d
                    stack.append(d)
        return list(seen.values())

    def _split(self, block: _Block) -> None:
        """Turn a run of cells into single-cell blocks (precise dependencies)."""
        sheet = block.sheet
        parts = []
        for row in range(block.r0, block.r1 + 1):
            p = _Block(sheet, block.col, row, row, block.key, block.anchor_kind)
            p.code, p.node, p.spans, p.problem = block.code, block.node, block.spans, block.problem
            p.marker.failed = block.marker.failed
            if sheet.cells.get((row, block.col)) is block.marker:
                sheet.cells[(row, block.col)] = p.marker
            parts.append(p)
        block.split = parts
        sheet.blocks.extend(parts)
        for s in self.sheets:
            for b in s.blocks:
                if b.deps is not None and any(d is block for d in b.deps):
                    b.deps = None

    # -- running -----------------------------------------------------------------------------

    def _run(self, order: list[_Block]) -> None:
        for block in order:
            if not block.done:
                self._eval_block(block)

    def _eval_block(self, block: _Block) -> None:
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
            except (_DependsOn, EvaluationError, Unsupported):
                pass  # computed cell by cell below, where each cell gets its own verdict
        for row in range(block.r0, block.r1 + 1):
            if sheet.cells.get((row, block.col)) is block.marker:
                self._eval_cell(block, row)

    def _eval_cell(self, block: _Block, row: int) -> None:
        sheet, col = block.sheet, block.col
        key = (sheet.index, row, col)
        self._running.add(key)
        try:
            ctx = _Ctx(self, sheet, row, col)
            assert block.code is not None
            value = block.code(ctx)
            if block.anchor_kind not in ("array", "dynamic"):
                value = _final(_intersect_value(value, row, col))
        except _DependsOn as e:
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
        finally:
            self._running.discard(key)
        if block.anchor_kind in ("array", "dynamic"):
            self._spill(block, value)
        else:
            sheet.cells[(row, col)] = value

    def _fail(self, block: _Block, row: int, err: Exception) -> None:
        sheet = block.sheet
        marker = _Pending(block)
        root = err.root if isinstance(err, _DependsOn) else err
        assert isinstance(root, EvaluationError)
        marker.failed = root
        cells = (
            list(block.cells()) if block.anchor_kind in ("array", "dynamic") else [(row, block.col)]
        )
        for r, c in cells:
            sheet.cells[(r, c)] = marker
            self._problems[(sheet.index, r, c)] = root

    def _spill(self, block: _Block, value: Any) -> None:
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
                    f"{r2 - r1 + 1}×{c2 - c1 + 1} ({_range_name(block.out)}): "
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
                sheet.cells[(r, c)] = _final(v)

    def _force(self, sheet: SheetData, marker: _Pending, row: int, col: int) -> Any:
        """A formula cell read before its turn (or a cell with a problem)."""
        if marker.failed is not None:
            raise _DependsOn(marker.failed)
        block = marker.block
        if block.problem is not None:
            marker.failed = block.problem
            raise _DependsOn(block.problem)
        anchor_row = block.r0 if block.anchor_kind in ("array", "dynamic") else row
        key = (sheet.index, anchor_row, block.col)
        if key in self._running:
            raise CircularReference([block.where(anchor_row)])
        self._eval_cell(block, anchor_row)
        v = sheet.cells.get((row, col), EMPTY)
        if v.__class__ is _Pending:
            raise _DependsOn(v.failed or EvaluationError(block.where(row), "not computed"))
        return v

    # -- tables --------------------------------------------------------------------------------

    def add_table(
        self,
        sheet: SheetData,
        name: str,
        ref: str,
        columns: list[str],
        header_rows: int = 1,
        totals_rows: int = 0,
    ) -> None:
        r1, c1, r2, c2 = _parse_range(ref)
        self.tables[name.upper()] = _Table(
            name, sheet, r1, c1, r2, c2, header_rows, totals_rows, columns
        )

    def _structured(self, node: fx.StructRef, sheet: SheetData, row: int, col: int) -> Any:
        """A structured reference as a reference (or an error), seen from cell (row, col)."""
        if node.table:
            table = self.tables.get(node.table.upper())
            if table is None:
                return REF
        else:
            table = next(
                (
                    t
                    for t in self.tables.values()
                    if t.sheet is sheet and t.r1 <= row <= t.r2 and t.c1 <= col <= t.c2
                ),
                None,
            )
            if table is None:
                return REF
        try:
            specials, cols = _table_spec(node.spec)
        except ValueError as err:
            raise fx.FormulaError(f"cannot read the table reference {node.text}: {err}") from None
        names = [c.casefold() for c in table.columns]
        if cols is None:
            j1, j2 = 0, len(names) - 1
        else:
            try:
                j1, j2 = sorted((names.index(cols[0].casefold()), names.index(cols[1].casefold())))
            except ValueError:
                return REF
        first_data = table.r1 + table.headers
        last_data = table.r2 - table.totals
        if "#this row" in specials:
            if not first_data <= row <= last_data:
                return VALUE
            return fx.Ref(
                table.sheet.name, 0, table.c1 + j1, 0, table.c1 + j2, (False, True, False, True)
            )
        if not specials or specials == {"#data"}:
            r1, r2 = first_data, last_data
        elif "#all" in specials:
            r1, r2 = table.r1, table.r2
        else:
            parts = []
            if "#headers" in specials:
                if not table.headers:
                    return REF
                parts += [table.r1, first_data - 1]
            if "#data" in specials:
                parts += [first_data, last_data]
            if "#totals" in specials:
                if not table.totals:
                    return REF
                parts += [last_data + 1, table.r2]
            if not parts:
                raise fx.FormulaError(f"cannot read the table reference {node.text}")
            r1, r2 = min(parts), max(parts)
        if r2 < r1:
            return REF
        return fx.Ref(
            table.sheet.name, r1, table.c1 + j1, r2, table.c1 + j2, (True, True, True, True)
        )

    # -- names ---------------------------------------------------------------------------------

    def sheet_named(self, name: str) -> SheetData | None:
        return self._by_name.get(name.casefold())

    def _name_node(self, name: str, sheet: SheetData) -> fx.Node | None:
        """The parsed definition of a defined name as seen from ``sheet`` (None: undefined)."""
        up = name.upper()
        for scope in (sheet.index, None):
            key = (scope, up)
            if key in self._names:
                if key not in self._name_ast:
                    try:
                        self._name_ast[key] = fx.parse(self._names[key], (1, 1))
                    except fx.FormulaError as err:
                        self._name_ast[key] = err
                got = self._name_ast[key]
                if isinstance(got, Exception):
                    raise fx.FormulaError(f"the defined name {name} cannot be parsed: {got}")
                return got
        return None

    def _functions_in(self, node: fx.Node, sheet: SheetData, depth: int = 0) -> set[str]:
        found = fx.functions_used(node)
        if depth < 10:
            for n in fx.walk(node):
                if isinstance(n, fx.Name):
                    target = self.sheet_named(n.sheet) if n.sheet else sheet
                    try:
                        sub = self._name_node(n.name, target or sheet)
                    except fx.FormulaError:
                        continue
                    if sub is not None:
                        found |= self._functions_in(sub, sheet, depth + 1)
        return found


def supported_functions() -> list[str]:
    """Every function name the evaluator computes (standard Excel functions and ``CRM_*``).

    Example::

        >>> {"SUM", "XLOOKUP", "IF", "CRM_SCORE"} <= set(supported_functions())
        True
        >>> "OFFSET" in supported_functions()
        False
    """
    from crm_xl.excel.functions import FUNCTIONS

    return sorted(set(BUILTINS) | LAZY | set(FUNCTIONS))


# --- helpers ------------------------------------------------------------------------------


def _grouped_problems(roots: list[tuple[EvaluationError, int]]) -> list[Problem]:
    """One problem per cause: cells of one column with the same reason become a range."""
    runs: list[list[Any]] = []  # [sheet, col, first row, last row, reason, dependents]
    index: dict[tuple[str, int, str], list[Any]] = {}
    for root, dependents in roots:
        sheet, _, cell = root.where.rpartition("!")
        try:
            row, col = parse_cell(cell)
        except ValueError:
            runs.append([root.where, 0, 0, 0, root.reason, dependents])
            continue
        key = (sheet, col, root.reason)
        run = index.get(key)
        if run is not None and run[3] == row - 1:
            run[3] = row
            run[5] += dependents
            continue
        run = [sheet, col, row, row, root.reason, dependents]
        index[key] = run
        runs.append(run)
    problems = []
    for sheet, col, r1, r2, reason, dependents in runs:
        if not col:
            where = sheet
        elif r1 == r2:
            where = f"{sheet}!{cell_name(r1, col)}"
        else:
            where = f"{sheet}!{cell_name(r1, col)}:{cell_name(r2, col)}"
        if dependents:
            reason += f"; {dependents} cell(s) that depend on it were not recalculated either"
        problems.append(Problem(where, reason))
    return problems


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading 100,000 rows makes a million small
    objects (no cycles), and its passes over them cost a third of the time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _out_keys(block: _Block) -> list[tuple[int, int]]:
    """The (row, col) of the cells a block fills, column by column."""
    r1, c1, r2, c2 = block.out
    rows = range(r1, r2 + 1)
    if c1 == c2:
        return list(zip(rows, itertools.repeat(c1, len(rows)), strict=True))
    return [(r, c) for c in range(c1, c2 + 1) for r in rows]


def _final(v: Any) -> Any:
    """A cell's value as the caller sees it (an empty result shows 0, as in Excel)."""
    cls = v.__class__
    if cls is float or cls is str or cls is bool or cls is XlError:
        return v
    if v is EMPTY or v is MISSING:
        return 0.0
    if cls is int:
        return float(v)
    if cls is _Pending:
        return v
    if isinstance(v, GRID):
        return _final(v.cell(0, 0))
    return VALUE


def _intersect_value(v: Any, row: int, col: int) -> Any:
    if v.__class__ is Range:
        return _intersect(v, row, col)
    if v.__class__ is Array:
        return v.data[0][0]
    if v.__class__ is Multi:
        return VALUE
    return v


def _intersect(rng: Range, row: int, col: int) -> Any:
    """Implicit intersection of a range with the formula's row or column."""
    if rng.r1 == rng.r2 and rng.c1 == rng.c2:
        return rng.sheet.get(rng.r1, rng.c1)
    if rng.c1 == rng.c2:
        return rng.sheet.get(row, rng.c1) if rng.r1 <= row <= rng.r2 else VALUE
    if rng.r1 == rng.r2:
        return rng.sheet.get(rng.r1, col) if rng.c1 <= col <= rng.c2 else VALUE
    if rng.r1 <= row <= rng.r2 and rng.c1 <= col <= rng.c2:
        return rng.sheet.get(row, col)
    return VALUE


def _union(a: tuple, b: tuple) -> tuple:
    def lo(x: int | None, y: int | None) -> int | None:
        return None if x is None or y is None else min(x, y)

    def hi(x: int | None, y: int | None) -> int | None:
        return None if x is None or y is None else max(x, y)

    return lo(a[0], b[0]), lo(a[1], b[1]), hi(a[2], b[2]), hi(a[3], b[3])


def _parse_range(text: str) -> tuple[int, int, int, int]:
    a, _, b = text.partition(":")
    r1, c1 = parse_cell(a)
    r2, c2 = parse_cell(b) if b else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _range_name(box: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = box
    return f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"


def _tarjan(
    roots: list[_Block], deps: Callable[[_Block], list[_Block]]
) -> tuple[list[_Block], list[list[_Block]]]:
    """Blocks reachable from ``roots`` in dependency order (iterative Tarjan), and the
    strongly connected components that are cycles."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[_Block] = []
    order: list[_Block] = []
    cycles: list[list[_Block]] = []
    counter = 0
    for root in roots:
        if id(root) in index:
            continue
        work = [(root, iter(deps(root)))]
        index[id(root)] = low[id(root)] = counter
        counter += 1
        stack.append(root)
        on_stack.add(id(root))
        while work:
            node, it = work[-1]
            advanced = False
            for d in it:
                if id(d) not in index:
                    index[id(d)] = low[id(d)] = counter
                    counter += 1
                    stack.append(d)
                    on_stack.add(id(d))
                    work.append((d, iter(deps(d))))
                    advanced = True
                    break
                if id(d) in on_stack:
                    low[id(node)] = min(low[id(node)], index[id(d)])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[id(node)])
            if low[id(node)] == index[id(node)]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(id(x))
                    comp.append(x)
                    if x is node:
                        break
                order.extend(comp)
                if len(comp) > 1 or any(d is node for d in deps(node)):
                    cycles.append(comp)
    return order, cycles


# --- recognising runs of the same formula -----------------------------------------------

_DIGITS = re.compile(r"(\d+)")
_REF_TAIL = re.compile(r"(?<![A-Za-z0-9_.])\$?[A-Za-z]{1,3}$")


_NOT_AFTER_A_ROW = tuple("_.(!")  # a digit run followed by one is no row number (LOG10(, 1.5)
_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'|\[(?:[^\[\]]|\[[^\[\]]*\])*\]')
"""Text taken as it is: a string ("A1 and 2"), a quoted sheet name ('Q1 2026'!B2), a table
reference's brackets (Table1[[#This Row],[Q2]])."""


def _quoted_spans(text: str) -> list[tuple[int, int]] | None:
    """Where ``text`` is in quotes or brackets; None when one is left open (no template)."""
    spans = [m.span() for m in _QUOTED.finditer(text)]
    outside = _QUOTED.sub("", text)
    return None if any(ch in outside for ch in "\"'[]") else spans


def _has_quotes(text: str) -> bool:
    return '"' in text or "'" in text or "[" in text or "]" in text


def _is_row_number(before: str, after: str, quoted: bool) -> bool:
    """A run of digits is a relative row number: not in quotes or brackets, right after a
    column's letters (not ``$``), and not followed by what makes it a name or a number."""
    return (
        not quoted
        and _REF_TAIL.search(before) is not None
        and not before.endswith("$")
        and not (after[:1].isalnum() or after[:1] in _NOT_AFTER_A_ROW)
    )


def _template(text: str, row: int) -> Any:
    """How ``text`` (in ``row``) reads further down: a format string whose fields are the
    relative row numbers, with their values in ``row``; None when unsure (row ranges, a
    quote or bracket left open). Digits in quotes and brackets (``"A1"``, ``'Q1'!B2``'s
    sheet name, ``Table1[Q2]``) are text: they stay as they are, as Excel leaves them when
    it fills down. (Whether table references read the same further down is the caller's
    question: see :meth:`Workbook._keep_runs_in_table_zones`.)"""
    spans = _quoted_spans(text) if _has_quotes(text) else []
    if spans is None or re.search(r":\$?\d", _QUOTED.sub("", text)):
        return None
    parts = _DIGITS.split(text)
    out = [parts[0].replace("{", "{{").replace("}", "}}")]
    bases = []
    pos = len(parts[0])
    for i in range(1, len(parts), 2):
        before, after = parts[i - 1], parts[i + 1]
        if _is_row_number(before, after, any(a <= pos < b for a, b in spans)):
            out.append(f"{{{len(bases)}}}")
            bases.append(int(parts[i]) - row)
        else:
            out.append(parts[i])
        out.append(after.replace("{", "{{").replace("}", "}}"))
        pos += len(parts[i]) + len(after)
    return "".join(out), bases


def _fits(template: Any, text: str, row: int) -> bool:
    fmt, offsets = template
    return fmt.format(*[row + d for d in offsets]) == text


_DIGIT = "\x01"  # stands for a digit in a skeleton (XML text cannot hold it)
_TO_SKELETON = str.maketrans("0123456789", _DIGIT * 10)


def _fits_previous(texts: list[str | None], rows: list[int]) -> list[bool]:
    """For a column's formulas (sorted rows): ``fits[i]`` is what
    ``_fits(_template(texts[i-1], rows[i-1]), texts[i], rows[i])`` says, computed for the
    whole column at once. False where a text is None or the rows are not consecutive.

    A column that is one formula filled down is recognised in one comparison. Otherwise
    texts whose digits sit at the same places (one *skeleton*: the text with every digit
    replaced) form segments, compared run of digits by run of digits: relative row numbers
    must be one more than the row above (written without leading zeros), every other run
    of digits the same string. Where the skeleton changes (row 99 to row 100) the pair is
    checked by :func:`_fits` itself.

    Example::

        >>> _fits_previous(["B2*0.5", "B3*0.5", "B4*0.50", None], [2, 3, 4, 5])
        [False, True, False, False]
        >>> _fits_previous(["A9+1", "A10+1", "A11+1"], [9, 10, 11])
        [False, True, True]
    """
    import numpy as np

    n = len(texts)
    fits = [False] * n
    if n < 2:
        return fits
    if None not in texts and rows[-1] - rows[0] == n - 1 and _column_fills_down(texts):
        return [False] + [True] * (n - 1)  # the usual column: one formula filled down
    plain = ["" if t is None else t for t in texts]
    skel = "\x00".join(plain).translate(_TO_SKELETON).split("\x00")
    has_text = np.array([t is not None for t in texts])
    pair = has_text[1:] & has_text[:-1] & (np.diff(np.array(rows)) == 1)
    same = pair & np.array(list(map(str.__eq__, skel[1:], skel[:-1])), dtype=bool)
    for i in np.flatnonzero(pair & ~same).tolist():  # the skeleton changes: one by one
        template = _template(plain[i], rows[i])
        fits[i + 1] = template is not None and _fits(template, plain[i + 1], rows[i + 1])
    # segments a..b (b > a) where every row has the skeleton of the row above
    edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        fits[a + 1 : b + 1] = _segment_fits(plain[a : b + 1], skel[a])
    return fits


def _column_fills_down(texts: list[str]) -> bool:
    """Every text is the first one with its relative row numbers one more each row down
    (consecutive rows); a digit more at row 10, 100, ... is no obstacle here."""
    runs, rel = _digit_runs(texts[0].translate(_TO_SKELETON))
    return rel is not None and _segment_all_fits(texts, runs, rel)


def _digit_runs(skeleton: str) -> tuple[list[tuple[int, int]], tuple[bool, ...] | None]:
    """Where a skeleton's runs of digits are, and which are relative row numbers."""
    runs = [r.span() for r in re.finditer(_DIGIT + "+", skeleton)]
    return runs, _relative_fields(re.sub(_DIGIT + "+", _DIGIT, skeleton))


def _segment_fits(texts: list[str], skeleton: str) -> list[bool]:
    """fits for rows 1.. of texts that share ``skeleton`` (digits at the same places);
    C-level ``map`` over each run of digits, down the segment."""
    m = len(texts)
    runs, rel = _digit_runs(skeleton)
    if rel is None:
        return [False] * (m - 1)
    if _segment_all_fits(texts, runs, rel):
        return [True] * (m - 1)
    ok: Any = itertools.repeat(True, m - 1)
    eq, land = operator.eq, operator.and_
    for (start, end), relative in zip(runs, rel, strict=True):
        col = list(map(operator.itemgetter(slice(start, end)), texts))
        if not relative:
            ok = map(land, ok, map(eq, col[1:], col[:-1]))
            continue
        nums = list(map(int, col))
        # one more than the row above, and written as Excel writes a number (no leading 0)
        ok = map(land, ok, map(eq, nums[1:], map(operator.add, nums[:-1], itertools.repeat(1))))
        ok = map(land, ok, map(eq, map(str, nums[1:]), col[1:]))
    return list(ok)


def _segment_all_fits(texts: list[str], runs: list[tuple[int, int]], rel: tuple[bool, ...]) -> bool:
    """The usual case, a whole segment filled down, in one comparison: every text is the
    first one with its relative row numbers counting up one by one."""
    first, m = texts[0], len(texts)
    parts: list[Any] = []
    pos = 0
    for (start, end), relative in zip(runs, rel, strict=True):
        if relative:
            parts += (
                itertools.repeat(first[pos:start]),
                map(str, itertools.count(int(first[start:end]))),
            )
            pos = end
    if not parts:
        return texts.count(first) == m
    parts.append(itertools.repeat(first[pos:]))
    expected = list(itertools.islice(map("".join, zip(*parts, strict=False)), m))  # endless
    return expected == texts


@functools.lru_cache(maxsize=256)
def _relative_fields(skeleton: str) -> tuple[bool, ...] | None:
    """Which digit runs of a skeleton (one ``_DIGIT`` a run) are relative row numbers, as
    :func:`_template` decides; None when :func:`_template` gives no template."""
    spans = _quoted_spans(skeleton) if _has_quotes(skeleton) else []
    if spans is None:
        return None
    if re.search(r":\$?" + _DIGIT, _QUOTED.sub("", skeleton)):
        return None
    pieces = skeleton.split(_DIGIT)
    out = []
    pos = len(pieces[0])
    for before, after in itertools.pairwise(pieces):
        out.append(_is_row_number(before, after, any(a <= pos < b for a, b in spans)))
        pos += 1 + len(after)
    return tuple(out)


# --- the compiler ---------------------------------------------------------------------------

LAZY = {"IF", "IFERROR", "IFNA", "CHOOSE", "IFS", "SWITCH"}


class _Compiler:
    """Turns a syntax tree into nested closures ``f(ctx) -> value``."""

    def __init__(self, book: Workbook, sheet: SheetData, host: tuple[int, int] = (1, 1)):
        self.book = book
        self.sheet = sheet
        self.host = host
        self.spans: list[tuple[SheetData, list[fx.Ref]]] = []
        self.names: list[str] = []

    def top(self, node: fx.Node, arr: bool) -> Callable[[_Ctx], Any]:
        return self.expr(node, arr)

    def expr(self, node: fx.Node, arr: bool) -> Callable[[_Ctx], Any]:
        meth = getattr(self, "n_" + type(node).__name__)
        return meth(node, arr)

    # leaves
    def n_Number(self, node: fx.Number, arr: bool) -> Callable[[_Ctx], Any]:
        v = node.value
        return lambda ctx: v

    n_Text = n_Number
    n_Bool = n_Number

    def n_Error(self, node: fx.Error, arr: bool) -> Callable[[_Ctx], Any]:
        e = error(node.code)
        return lambda ctx: e

    def n_Missing(self, node: fx.Missing, arr: bool) -> Callable[[_Ctx], Any]:
        return lambda ctx: MISSING

    def n_ArrayConst(self, node: fx.ArrayConst, arr: bool) -> Callable[[_Ctx], Any]:
        a = Array(
            [[error(v.code) if isinstance(v, fx.Error) else v for v in row] for row in node.rows]
        )
        return lambda ctx: a

    def n_RefError(self, node: fx.RefError, arr: bool) -> Callable[[_Ctx], Any]:
        return lambda ctx: REF

    def n_Unsupported(self, node: fx.Unsupported, arr: bool) -> Callable[[_Ctx], Any]:
        raise Unsupported(node.reason, "")

    def n_StructRef(self, node: fx.StructRef, arr: bool) -> Callable[[_Ctx], Any]:
        got = self.book._structured(node, self.sheet, *self.host)
        if isinstance(got, XlError):
            return lambda ctx: got
        return self.n_Ref(got, arr)

    def n_Ref(self, node: fx.Ref, arr: bool) -> Callable[[_Ctx], Any]:
        target = self.sheet if node.sheet is None else self.book.sheet_named(node.sheet)
        if target is None:
            return lambda ctx: REF
        self.spans.append((target, [node]))
        R1, C1, R2, C2 = node.r1, node.c1, node.r2, node.c2
        a1, b1, a2, b2 = node.abs
        if R1 is not None and C1 is not None and R1 == R2 and C1 == C2 and a1 == a2 and b1 == b2:
            if a1 and b1:
                rng = Range(target, R1, C1, R1, C1)
                return lambda ctx: rng

            def one(ctx: _Ctx) -> Any:
                r = R1 if a1 else ctx.row + R1
                c = C1 if b1 else ctx.col + C1
                if r < 1 or c < 1 or r > MAX_ROW or c > MAX_COL:
                    return REF
                return Range(target, r, c, r, c)

            return one

        def many(ctx: _Ctx) -> Any:
            r1 = 1 if R1 is None else (R1 if a1 else ctx.row + R1)
            r2 = max(target.max_row, 1) if R2 is None else (R2 if a2 else ctx.row + R2)
            c1 = 1 if C1 is None else (C1 if b1 else ctx.col + C1)
            c2 = max(target.max_col, 1) if C2 is None else (C2 if b2 else ctx.col + C2)
            if r1 > r2:
                r1, r2 = r2, r1
            if c1 > c2:
                c1, c2 = c2, c1
            if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
                return REF
            return Range(target, r1, c1, r2, c2)

        return many

    def n_Name(self, node: fx.Name, arr: bool) -> Callable[[_Ctx], Any]:
        scope = self.book.sheet_named(node.sheet) if node.sheet else self.sheet
        if scope is None:
            return lambda ctx: REF
        key = node.name.upper()
        if key in self.names:
            raise Unsupported(f"the defined name {node.name} refers to itself", "")
        sub = self.book._name_node(node.name, scope)
        if sub is None:
            return lambda ctx: NAME
        self.names.append(key)
        try:
            return self.expr(sub, arr)
        finally:
            self.names.pop()

    # operators
    def n_Unary(self, node: fx.Unary, arr: bool) -> Callable[[_Ctx], Any]:
        f = self.expr(node.operand, arr)
        if node.op == "+":
            return f
        return self._lifted1(f, arr, _neg)

    def n_Percent(self, node: fx.Percent, arr: bool) -> Callable[[_Ctx], Any]:
        return self._lifted1(self.expr(node.operand, arr), arr, _percent)

    def _lifted1(
        self, f: Callable[[_Ctx], Any], arr: bool, op: Callable[[Any], Any]
    ) -> Callable[[_Ctx], Any]:
        def g(ctx: _Ctx) -> Any:
            v = f(ctx)
            if v.__class__ is float:
                return op(v)
            v = _operand(v, ctx, arr)
            if v.__class__ is Array:
                return Array([[op(x) for x in row] for row in v.data])
            return op(v)

        return g

    def n_Binary(self, node: fx.Binary, arr: bool) -> Callable[[_Ctx], Any]:
        op = node.op
        if op in (":", " ", ","):
            return self._ref_op(node, arr)
        lf, rf = self.expr(node.left, arr), self.expr(node.right, arr)
        scalar = _BINARY[op]
        fast = _FAST.get(op)

        def g(ctx: _Ctx) -> Any:
            a = lf(ctx)
            b = rf(ctx)
            if fast is not None and a.__class__ is float and b.__class__ is float:
                try:
                    return fast(a, b)
                except ZeroDivisionError:
                    return error("#DIV/0!")
            a = _operand(a, ctx, arr)
            b = _operand(b, ctx, arr)
            if a.__class__ is Array or b.__class__ is Array:
                return _broadcast2(scalar, a, b)
            return scalar(a, b)

        return g

    def _ref_op(self, node: fx.Binary, arr: bool) -> Callable[[_Ctx], Any]:
        start = len(self.spans)
        lf, rf = self.expr(node.left, arr), self.expr(node.right, arr)
        op = node.op
        if op == ":" and not (isinstance(node.left, fx.Ref) and isinstance(node.right, fx.Ref)):
            # A1:INDEX(...) covers cells between the two sides: depend on the whole box
            for target in {id(s): s for s, _ in self.spans[start:]}.values():
                refs = [r for s, rs in self.spans[start:] if s is target for r in rs]
                self.spans.append((target, refs))

        def g(ctx: _Ctx) -> Any:
            a, b = lf(ctx), rf(ctx)
            for v in (a, b):
                if v.__class__ is XlError:
                    return v
            if op == ",":
                areas = []
                for v in (a, b):
                    if isinstance(v, Range):
                        areas.append(v)
                    elif isinstance(v, Multi):
                        areas.extend(v.areas)
                    else:
                        return VALUE
                return Multi(areas)
            if not (isinstance(a, Range) and isinstance(b, Range)) or a.sheet is not b.sheet:
                return VALUE
            if op == ":":
                return Range(
                    a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2)
                )
            r1, c1, r2, c2 = max(a.r1, b.r1), max(a.c1, b.c1), min(a.r2, b.r2), min(a.c2, b.c2)
            if r1 > r2 or c1 > c2:
                return NULL
            return Range(a.sheet, r1, c1, r2, c2)

        return g

    # functions
    def n_Func(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        name = node.name
        if name in VOLATILE:
            raise Unsupported(f"{name}() is not supported: it {VOLATILE[name]}", name)
        if name in LAZY:
            return getattr(self, "lazy_" + name)(node, arr)
        if name == "SINGLE":  # the @ operator
            if len(node.args) != 1:
                raise fx.FormulaError("@ takes one value")
            f = self.expr(node.args[0], arr)
            return lambda ctx: _intersect_value(f(ctx), ctx.row, ctx.col)
        if name.startswith("CRM_"):
            return self._crm(node, arr)
        spec = BUILTINS.get(name)
        if spec is None:
            raise Unsupported(f"function {name} is not supported by crm-xl recalc", name)
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise fx.FormulaError(f"{name} does not take {n} argument(s)")
        args = []
        vidx = []
        for i, a in enumerate(node.args):
            kind = spec.kind(i)
            if isinstance(a, fx.Missing):
                args.append(self.n_Missing(a, arr))
                continue
            if kind == "V":
                vidx.append(i)
                f = self.expr(a, arr)
                args.append(f if arr else _intersecting(f))
            elif kind == "A":
                args.append(self.expr(a, True))
            else:
                args.append(self.expr(a, arr))
        fn, needs_ctx, errors = spec.fn, spec.needs_ctx, spec.errors
        vset = tuple(vidx)

        def invoke(ctx: _Ctx, values: list[Any]) -> Any:
            if not errors:
                for i in vset:
                    if values[i].__class__ is XlError:
                        return values[i]
            try:
                return fn(ctx, *values) if needs_ctx else fn(*values)
            except ErrorResult as e:
                return e.error

        if spec.lift and vset:  # arrays (and, in array formulas, ranges) go cell by cell

            def lifted(ctx: _Ctx) -> Any:
                values = [a(ctx) for a in args]
                if any(isinstance(values[i], (Range, Array)) for i in vset):
                    return _lift(lambda vals: invoke(ctx, vals), values, vset)
                return invoke(ctx, values)

            return lifted
        if len(args) == 1:
            a0 = args[0]
            return lambda ctx: invoke(ctx, [a0(ctx)])
        return lambda ctx: invoke(ctx, [a(ctx) for a in args])

    def _value_arg(self, node: fx.Node, arr: bool) -> Callable[[_Ctx], Any]:
        if isinstance(node, fx.Missing):
            return lambda ctx: MISSING
        f = self.expr(node, arr)
        return f if arr else _intersecting(f)

    def lazy_IF(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        n = len(node.args)
        if not 1 <= n <= 3:
            raise fx.FormulaError(f"IF does not take {n} argument(s)")
        cond = self._value_arg(node.args[0], arr)
        yes = self.expr(node.args[1], arr) if n > 1 else (lambda ctx: True)
        no = self.expr(node.args[2], arr) if n > 2 else (lambda ctx: False)

        def pick(c: Any, y: Callable[[], Any], o: Callable[[], Any]) -> Any:
            if c.__class__ is XlError:
                return c
            try:
                b = to_bool(c)
            except ErrorResult as e:
                return e.error
            v = y() if b else o()
            return 0.0 if v is MISSING else v

        def g(ctx: _Ctx) -> Any:
            c = cond(ctx)
            if isinstance(c, (Range, Array)):
                y, o = _as_grid(yes(ctx)), _as_grid(no(ctx))
                return _lift(lambda v: pick(v[0], lambda: v[1], lambda: v[2]), [c, y, o], (0, 1, 2))
            return pick(c, lambda: yes(ctx), lambda: no(ctx))

        return g

    def lazy_IFERROR(
        self, node: fx.Func, arr: bool, na_only: bool = False
    ) -> Callable[[_Ctx], Any]:
        if len(node.args) != 2:
            raise fx.FormulaError("IFERROR takes 2 arguments")
        value = self._value_arg(node.args[0], arr)
        alt = self._value_arg(node.args[1], arr)

        def hit(v: Any) -> bool:
            return v.__class__ is XlError and (not na_only or v.code == "#N/A")

        def g(ctx: _Ctx) -> Any:
            v = value(ctx)
            if isinstance(v, (Range, Array)):
                a = _as_grid(alt(ctx))
                return _lift(lambda x: _nz(x[1]) if hit(x[0]) else _nz(x[0]), [v, a], (0, 1))
            return _nz(alt(ctx)) if hit(v) else _nz(v)

        return g

    def lazy_IFNA(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        return self.lazy_IFERROR(node, arr, na_only=True)

    def lazy_CHOOSE(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        if len(node.args) < 2:
            raise fx.FormulaError("CHOOSE takes at least 2 arguments")
        index = self._value_arg(node.args[0], arr)
        options = [self.expr(a, arr) for a in node.args[1:]]

        def pick(i: Any, ctx: _Ctx) -> Any:
            if i.__class__ is XlError:
                return i
            try:
                k = int(to_number(i))
            except ErrorResult as e:
                return e.error
            if not 1 <= k <= len(options):
                return VALUE
            v = options[k - 1](ctx)
            return 0.0 if v is MISSING else v

        def g(ctx: _Ctx) -> Any:
            i = index(ctx)
            if isinstance(i, (Range, Array)):
                return _lift(lambda v: _scalar_of(pick(v[0], ctx), ctx), [i], (0,))
            return pick(i, ctx)

        return g

    def lazy_IFS(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        if len(node.args) < 2 or len(node.args) % 2:
            raise fx.FormulaError("IFS takes pairs of arguments")
        pairs = [
            (self._value_arg(node.args[i], arr), self._value_arg(node.args[i + 1], arr))
            for i in range(0, len(node.args), 2)
        ]

        def g(ctx: _Ctx) -> Any:
            for cond, value in pairs:
                c = cond(ctx)
                if isinstance(c, (Range, Array)):
                    raise Unsupported("IFS over arrays", "IFS")
                if c.__class__ is XlError:
                    return c
                try:
                    if to_bool(c):
                        return _nz(value(ctx))
                except ErrorResult as e:
                    return e.error
            return NA

        return g

    def lazy_SWITCH(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        if len(node.args) < 3:
            raise fx.FormulaError("SWITCH takes at least 3 arguments")
        expr = self._value_arg(node.args[0], arr)
        rest = [self._value_arg(a, arr) for a in node.args[1:]]

        def g(ctx: _Ctx) -> Any:
            v = expr(ctx)
            if isinstance(v, (Range, Array)):
                raise Unsupported("SWITCH over arrays", "SWITCH")
            if v.__class__ is XlError:
                return v
            for i in range(0, len(rest) - 1, 2):
                w = rest[i](ctx)
                if w.__class__ is XlError:
                    return w
                if compare(v, w) == 0 and v.__class__ is w.__class__:
                    return _nz(rest[i + 1](ctx))
            return _nz(rest[-1](ctx)) if len(rest) % 2 else NA

        return g

    def _crm(self, node: fx.Func, arr: bool) -> Callable[[_Ctx], Any]:
        from crm_xl.excel.functions import FUNCTIONS

        info = FUNCTIONS.get(node.name)
        if info is None:
            raise Unsupported(f"function {node.name} is not one of crm_xl's functions", node.name)
        params = list(inspect.signature(info.impl).parameters.values())
        if len(node.args) > len(params):
            raise fx.FormulaError(f"{node.name} takes at most {len(params)} arguments")
        required = sum(p.default is inspect.Parameter.empty for p in params)
        if len(node.args) < required:
            raise fx.FormulaError(f"{node.name} needs at least {required} arguments")
        as_range = _xlwings_range_params().get(node.name, {p.name for p in params})
        argf = [self.expr(a, arr) for a in node.args]
        spec = [
            (p.name in as_range, p.default if p.default is not inspect.Parameter.empty else None)
            for p in params[: len(node.args)]
        ]
        impl = info.impl

        def g(ctx: _Ctx) -> Any:
            values = []
            for f, (ndim2, default), a in zip(argf, spec, node.args, strict=True):
                if isinstance(a, fx.Missing):
                    values.append(default)
                    continue
                values.append(_to_xlwings(f(ctx), ndim2, ctx.book))
            try:
                result = impl(*values)
            except Exception as err:  # the registry promises never to raise; say so if it does
                raise EvaluationError(
                    f"{ctx.sheet.name}!{cell_name(ctx.row, ctx.col)}",
                    f"{node.name} failed: {type(err).__name__}: {err}",
                ) from None
            return _from_xlwings(result)

        return g


# --- operator semantics -------------------------------------------------------------------


def _operand(v: Any, ctx: _Ctx, arr: bool) -> Any:
    """An operator's operand: a range is intersected (ordinary formula) or read (array)."""
    if v.__class__ is Range:
        if arr:
            return Array(v.rows())
        return _intersect(v, ctx.row, ctx.col)
    if v.__class__ is Multi:
        return VALUE
    return v


def _intersecting(f: Callable[[_Ctx], Any]) -> Callable[[_Ctx], Any]:
    """A value argument of an ordinary formula: a range is reduced to the cell on the
    formula's row or column (implicit intersection); an array stays an array."""

    def g(ctx: _Ctx) -> Any:
        v = f(ctx)
        cls = v.__class__
        if cls is Range:
            return _intersect(v, ctx.row, ctx.col)
        if cls is Multi:
            return VALUE
        return v

    return g


def _as_grid(v: Any) -> Any:
    return Array(v.rows()) if v.__class__ is Range else v


def _nz(v: Any) -> Any:
    return 0.0 if v is MISSING else v


def _scalar_of(v: Any, ctx: _Ctx) -> Any:
    return _intersect_value(v, ctx.row, ctx.col)


def _elem(v: Any, i: int, j: int) -> Any:
    if v.__class__ is Array:
        rows = v.data
        h, w = len(rows), len(rows[0])
        ii, jj = (0 if h == 1 else i), (0 if w == 1 else j)
        return rows[ii][jj] if ii < h and jj < w else NA
    return v


def _lift(fn: Callable[[list[Any]], Any], values: list[Any], idx: tuple[int, ...]) -> Array:
    """Apply ``fn`` cell by cell over the arrays in ``values[idx]`` (Excel's broadcasting)."""
    values = list(values)
    h = w = 1
    for i in idx:
        if values[i].__class__ is Range:
            values[i] = Array(values[i].rows())
        if values[i].__class__ is Array:
            rh, rw = values[i].shape
            h, w = max(h, rh), max(w, rw)
    out = []
    for r in range(h):
        row = []
        for c in range(w):
            vals = list(values)
            for i in idx:
                vals[i] = _elem(values[i], r, c)
            v = fn(vals)
            row.append(_elem(v, 0, 0) if v.__class__ is Array else v)
        out.append(row)
    return Array(out)


def _broadcast2(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Array:
    return _lift(lambda v: op(v[0], v[1]), [a, b], (0, 1))


def _arith(fn: Callable[[float, float], float]) -> Callable[[Any, Any], Any]:
    def op(a: Any, b: Any) -> Any:
        if a.__class__ is XlError:
            return a
        if b.__class__ is XlError:
            return b
        try:
            x = to_number(a)
            y = to_number(b)
            r = fn(x, y)
        except ErrorResult as e:
            return e.error
        except ZeroDivisionError:
            return error("#DIV/0!")
        except OverflowError:
            return error("#NUM!")
        if r != r or r in (math.inf, -math.inf):
            return error("#NUM!")
        return r

    return op


def _cmp(test: Callable[[int], bool]) -> Callable[[Any, Any], Any]:
    def op(a: Any, b: Any) -> Any:
        if a.__class__ is XlError:
            return a
        if b.__class__ is XlError:
            return b
        return test(compare(a, b))

    return op


def _concat(a: Any, b: Any) -> Any:
    if a.__class__ is XlError:
        return a
    if b.__class__ is XlError:
        return b
    return to_text(a) + to_text(b)


def _div(x: float, y: float) -> float:
    if y == 0:
        raise ErrorResult(error("#DIV/0!"))
    return x / y


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": _arith(lambda x, y: x + y),
    "-": _arith(lambda x, y: x - y),
    "*": _arith(lambda x, y: x * y),
    "/": _arith(_div),
    "^": _arith(power),
    "&": _concat,
    "=": _cmp(lambda c: c == 0),
    "<>": _cmp(lambda c: c != 0),
    "<": _cmp(lambda c: c < 0),
    ">": _cmp(lambda c: c > 0),
    "<=": _cmp(lambda c: c <= 0),
    ">=": _cmp(lambda c: c >= 0),
}
_FAST: dict[str, Callable[[float, float], Any]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "=": lambda x, y: x == y,
    "<>": lambda x, y: x != y,
    "<": lambda x, y: x < y,
    ">": lambda x, y: x > y,
    "<=": lambda x, y: x <= y,
    ">=": lambda x, y: x >= y,
}


def _neg(v: Any) -> Any:
    if v.__class__ is XlError:
        return v
    try:
        return -to_number(v)
    except ErrorResult as e:
        return e.error


def _percent(v: Any) -> Any:
    if v.__class__ is XlError:
        return v
    try:
        return to_number(v) / 100
    except ErrorResult as e:
        return e.error


# --- CRM_* functions: the arguments xlwings passes ----------------------------------------

_RANGE_PARAMS: dict[str, set[str]] | None = None


def _xlwings_range_params() -> dict[str, set[str]]:
    """Per ``CRM_*`` function, the parameters the registry passes as ranges (xlwings'
    ``ndim=2, err_to_str=True``): xlwings passes those as lists of rows with errors as
    text; the others as plain values (a cell's value, errors as None)."""
    global _RANGE_PARAMS
    if _RANGE_PARAMS is None:
        from crm_xl.excel.functions import range_arguments

        _RANGE_PARAMS = range_arguments()
    return _RANGE_PARAMS


def _py_cell(v: Any, errors_as_text: bool, date: bool = False, book: Workbook | None = None) -> Any:
    cls = v.__class__
    if cls is float:
        if date and book is not None:
            try:
                return serial_to_datetime(v, book.date1904)
            except (OverflowError, ValueError):
                return v
        return v
    if cls is str or cls is bool:
        return v
    if cls is XlError:
        return v.code if errors_as_text else None
    return None


def _fetch(rng: Range) -> list[list[Any]]:
    """A range's values as rows (empty cells as EMPTY), formula cells computed first."""
    return _fetch_kinds(rng)[0]


def _fetch_kinds(rng: Range) -> tuple[list[list[Any]], set[type]]:
    """:func:`_fetch`, and the set of the values' types (one look at every cell, in C)."""
    sheet = rng.sheet
    width = rng.c2 - rng.c1 + 1
    keys = itertools.product(range(rng.r1, rng.r2 + 1), range(rng.c1, rng.c2 + 1))
    flat = list(map(sheet.cells.get, keys, itertools.repeat(EMPTY)))
    kinds = set(map(type, flat))
    if _Pending in kinds:
        get = sheet.get
        keys = itertools.product(range(rng.r1, rng.r2 + 1), range(rng.c1, rng.c2 + 1))
        flat = [get(r, c) for r, c in keys]
        kinds = set(map(type, flat))
    if width == 1:
        return [[v] for v in flat], kinds
    return [flat[i : i + width] for i in range(0, len(flat), width)], kinds


_PLAIN = {float, str, bool}


def _to_xlwings(v: Any, ndim2: bool, book: Workbook) -> Any:
    if isinstance(v, Range):
        rows, kinds = _fetch_kinds(v)
        sheet = v.sheet
        dated = bool(book._date_styles) and bool(sheet.styles)
        if dated:
            styles, dates = sheet.styles, book._date_styles
            dated = any(
                styles.get((r, c)) in dates
                for r in range(v.r1, v.r2 + 1)
                for c in range(v.c1, v.c2 + 1)
            )
        if dated:
            rows = [
                [
                    _py_cell(x, ndim2, book._is_date(sheet, v.r1 + i, v.c1 + j), book)
                    for j, x in enumerate(row)
                ]
                for i, row in enumerate(rows)
            ]
        elif not kinds <= _PLAIN:
            rows = [[_py_cell(x, ndim2) for x in row] for row in rows]
    elif isinstance(v, Array):
        rows = [[_py_cell(x, ndim2) for x in row] for row in v.data]
    elif isinstance(v, Multi):
        raise Unsupported("a union of ranges as an argument of a CRM function", "")
    else:
        rows = [[_py_cell(v, ndim2)]]
    if ndim2:
        return rows
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    if len(rows) == 1:
        return rows[0]
    if all(len(r) == 1 for r in rows):
        return [r[0] for r in rows]
    return rows


def _from_py(x: Any) -> Any:
    if x is None:
        return EMPTY
    if isinstance(x, bool):
        return x
    if isinstance(x, (int, float)):
        f = float(x)
        return EMPTY if f != f else (f if math.isfinite(f) else error("#NUM!"))
    if isinstance(x, str):
        return x
    if isinstance(x, (dt.datetime, dt.date)):
        d = x if isinstance(x, dt.datetime) else dt.datetime(x.year, x.month, x.day)
        return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if hasattr(x, "item"):  # numpy scalars
        return _from_py(x.item())
    return VALUE


def _from_xlwings(result: Any) -> Any:
    """A ``CRM_*`` result as a value: a list of rows is an array; error *text* stays text."""
    if hasattr(result, "tolist") and not isinstance(result, (str, bytes)):
        result = result.tolist()
    if isinstance(result, (list, tuple)):
        if not result:
            return EMPTY
        if not isinstance(result[0], (list, tuple)):
            result = [result]
        rows = [[_from_py(x) for x in row] for row in result]
        width = max(len(r) for r in rows)
        rows = [r + [NA] * (width - len(r)) for r in rows]
        if len(rows) == 1 and width == 1:
            return rows[0][0]
        return Array(rows)
    return _from_py(result)


# --- the fast path: a column of identical formulas in one call -----------------------------

ROW_WISE = {"CRM_SCORE", "CRM_MULTISCORE", "CRM_INDICATORS_USED"}
"""CRM functions that give one result per row of their first argument, row by row."""


def _row_aggregate(name: str, row: list[Any]) -> Any:
    """SUM, AVERAGE, MIN, MAX, COUNT or COUNTA of one row of a range (Excel's rules for
    ranges: numbers count, text and booleans are skipped, the first error wins)."""
    if name == "COUNTA":
        return float(sum(1 for v in row if v is not EMPTY))
    nums = []
    for v in row:
        cls = v.__class__
        if cls is float:
            nums.append(v)
        elif cls is XlError and name != "COUNT":
            return v
    if name == "SUM":
        total = 0.0
        for x in nums:
            total += x
        return total if math.isfinite(total) else error("#NUM!")
    if name == "COUNT":
        return float(len(nums))
    if not nums:
        return error("#DIV/0!") if name == "AVERAGE" else 0.0
    if name == "AVERAGE":
        return sum(nums) / len(nums)
    return min(nums) if name == "MIN" else max(nums)


ROW_AGGREGATES = {"SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA"}


def _aggregate_vectoriser(
    book: Workbook, sheet: SheetData, node: fx.Func
) -> Callable[[_Block], bool] | None:
    """``=SUM(B{r}:E{r})`` down a column: each row's sum from one read of the block."""
    if len(node.args) != 1:
        return None
    ref = node.args[0]
    if not (
        isinstance(ref, fx.Ref)
        and ref.r1 is not None
        and ref.r1 == ref.r2
        and not ref.abs[0]
        and not ref.abs[2]
        and ref.c1 is not None
    ):
        return None
    target = sheet if ref.sheet is None else book.sheet_named(ref.sheet)
    if target is None:
        return None
    name = node.name

    def run(block: _Block) -> bool:
        r1, c1, _, c2 = ref.bounds(block.r0, block.col)
        assert r1 is not None and c1 is not None and c2 is not None
        n = block.r1 - block.r0 + 1
        if r1 < 1 or r1 + n - 1 > MAX_ROW or c1 < 1 or c2 > MAX_COL:
            return False
        rows = _fetch(Range(target, r1, c1, r1 + n - 1, c2))
        cells, col, marker = block.sheet.cells, block.col, block.marker
        for i, row in enumerate(rows):
            key = (block.r0 + i, col)
            if cells.get(key) is marker:
                cells[key] = _row_aggregate(name, row)
        return True

    return run


def _row_fixed(node: fx.Node, book: Workbook, sheet: SheetData, depth: int = 0) -> bool:
    """True when the expression reads the same cells from every row (no relative rows)."""
    for n in fx.walk(node):
        if isinstance(n, fx.Ref):
            if (n.r1 is not None and not n.abs[0]) or (n.r2 is not None and not n.abs[2]):
                return False
        elif isinstance(n, fx.Name):
            if depth > 5:
                return False
            target = book.sheet_named(n.sheet) if n.sheet else sheet
            try:
                sub = book._name_node(n.name, target or sheet)
            except fx.FormulaError:
                return False
            if sub is not None and not _row_fixed(sub, book, sheet, depth + 1):
                return False
        elif isinstance(n, fx.Func) and n.name in ("ROW", "ROWS", "SINGLE"):
            return False
    return True


def _vectoriser(book: Workbook, sheet: SheetData, node: fx.Node) -> Callable[[_Block], bool] | None:
    """A function computing a whole run of cells in one go, or None when the formula is not
    one of the shapes handled (then cells are computed one by one)."""
    if isinstance(node, fx.Func) and node.name in ROW_AGGREGATES:
        return _aggregate_vectoriser(book, sheet, node)
    if not isinstance(node, fx.Func) or node.name not in ROW_WISE or not node.args:
        return None
    first = node.args[0]
    if not (
        isinstance(first, fx.Ref)
        and first.r1 is not None
        and first.r1 == first.r2
        and not first.abs[0]
        and not first.abs[2]
    ):
        return None
    if not all(_row_fixed(a, book, sheet) for a in node.args[1:]):
        return None
    target = sheet if first.sheet is None else book.sheet_named(first.sheet)
    if target is None:
        return None
    rest = fx.Func(node.name, node.args[1:])
    comp = _Compiler(book, sheet)
    try:
        rest_args = [comp.expr(a, False) for a in rest.args]
    except (Unsupported, fx.FormulaError):
        return None
    from crm_xl.excel.functions import FUNCTIONS

    info = FUNCTIONS[node.name]
    params = list(inspect.signature(info.impl).parameters.values())
    as_range = _xlwings_range_params().get(node.name, {p.name for p in params})

    def run(block: _Block) -> bool:
        ctx = _Ctx(book, sheet, block.r0, block.col)
        r1, c1, _, c2 = first.bounds(block.r0, block.col)
        assert r1 is not None and c1 is not None and c2 is not None
        n = block.r1 - block.r0 + 1
        values = [_to_xlwings(Range(target, r1, c1, r1 + n - 1, c2), True, book)]
        for f, p, a in zip(rest_args, params[1:], rest.args, strict=False):
            if isinstance(a, fx.Missing):
                values.append(p.default if p.default is not inspect.Parameter.empty else None)
            else:
                values.append(_to_xlwings(f(ctx), p.name in as_range, book))
        result = info.impl(*values)
        if not (
            isinstance(result, list)
            and len(result) == n
            and all(isinstance(r, list) and len(r) == 1 for r in result)
        ):
            return False
        cells, marker, r0, col = block.sheet.cells, block.marker, block.r0, block.col
        keys = list(zip(range(r0, r0 + n), itertools.repeat(col, n), strict=True))
        flat = list(map(operator.itemgetter(0), result))
        if (
            list(map(cells.get, keys)).count(marker) == n
            and set(map(type, flat)) == {float}
            and all(map(_isfinite, flat))
        ):
            cells.update(zip(keys, flat, strict=True))  # finite floats are their own values
            return True
        for key, x in zip(keys, flat, strict=True):
            if cells.get(key) is marker:
                cells[key] = x if x.__class__ is float and _isfinite(x) else _final(_from_py(x))
        return True

    return run
