"""The engine's cell model: a workbook's sheets, their cells and formulas, tables and names.

:class:`CellModel` holds what the readers (:mod:`crm_xl.calc.reader`) or
:meth:`~crm_xl.calc.evaluator.Workbook.from_cells` put in: per sheet (:class:`SheetData`)
the values by ``(row, col)``, each formula cell's :class:`FormulaInfo` (its text and the
value the file caches), the date-formatted cells' styles, hidden rows; the workbook's
defined names and Excel tables (:class:`Table`). The engine
(:class:`crm_xl.calc.evaluator.Workbook`, a ``CellModel``) groups the formula cells into
:class:`Block` objects and computes them; until a block is computed its cells hold its
:class:`Pending` marker, and reading one computes it first (:meth:`CellModel.force`).

Example::

    >>> book = CellModel()
    >>> sheet = book.add_sheet("S")
    >>> book.set_value(sheet, 1, 1, 2.0)
    >>> info = book.set_formula(sheet, 1, 2, "A1*2", "normal", None, 4.0, "n")
    >>> sheet.get(1, 1), book.formula("S", "B1"), info.cached_value
    (2.0, 'A1*2', 4.0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.custom import CustomFunctions
from crm_xl.calc.problems import EvaluationError
from crm_xl.calc.values import EMPTY
from crm_xl.xlsx.coordinates import cell_name, parse_cell, parse_range


class FormulaInfo:
    """One formula cell as stored: its text (shared formulas expanded), kind, range and cache.

    ``kind`` is ``normal``, ``shared``, ``array`` (legacy Ctrl+Shift+Enter), ``dynamic``
    (a dynamic array that spills) or ``dataTable``. ``ref`` is the range an array formula
    fills (``"L4:L203"``), the group of a shared formula, or None. ``cached_value`` is the
    value Excel stored (float, str, bool, XlError or None) and ``cached_type`` its type:
    ``n``, ``str``, ``b``, ``e`` or ``empty``.

    ``own_text`` is the text the file gives this cell: None for a cell of a shared formula
    other than its master until :meth:`text_at` translates ``master``, the master's
    (text, cell).
    """

    __slots__ = ("cached_type", "cached_value", "kind", "master", "own_text", "ref", "si")

    def __init__(self, text: str | None, kind: str, ref: str | None, cached: Any, ctype: str):
        self.own_text = text
        self.kind = kind
        self.ref = ref
        self.cached_value = cached
        self.cached_type = ctype
        self.si: str | None = None
        self.master: tuple[str, str] | None = None  # (master text, master cell)

    def text_at(self, cell: str) -> str:
        """The formula text in ``cell`` (this formula's own cell), translated once if shared."""
        if self.own_text is None:
            if self.master is None:
                return ""
            self.own_text = fx.translate(self.master[0], self.master[1], cell)
        return self.own_text

    @property
    def text(self) -> str:
        """The formula text without ``=`` (for shared formulas, use :meth:`CellModel.formula`)."""
        return self.own_text if self.own_text is not None else ""

    def __repr__(self) -> str:
        return (
            f"FormulaInfo(text={self.text!r}, kind={self.kind!r}, ref={self.ref!r}, "
            f"cached_value={self.cached_value!r}, cached_type={self.cached_type!r})"
        )


class Pending:
    """Stands in a cell of the grid until the formula that fills it is computed."""

    __slots__ = ("block", "failed")

    def __init__(self, block: Block):
        self.block = block
        self.failed: EvaluationError | None = None


class SheetData:
    """One worksheet's cells: ``cells[(row, col)]`` is the value (or a pending formula)."""

    def __init__(self, book: CellModel, name: str, index: int):
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
        # the ranges an AutoFilter filters (the sheet's, its tables'): (row1, col1, row2, col2)
        # with the header row; a hidden row under a header is filtered out, not just hidden
        self.filters: list[tuple[int, int, int, int]] = []
        self.max_row = 0
        self.max_col = 0
        self.blocks: list[Block] = []
        self.index_cols: list[int] = []  # columns holding formula cells, sorted
        self.col_index: dict[int, tuple[list[int], list[int], list[Block]]] = {}

    def get(self, row: int, col: int) -> Any:
        """A cell's value; a formula cell not computed yet is computed first."""
        v = self.cells.get((row, col), EMPTY)
        if v.__class__ is Pending:
            return self.book.force(self, v, row, col)
        return v

    def filtered(self, row: int) -> bool:
        """Whether a hidden row is one an AutoFilter (or a table's filter) hides: a hidden
        row below the header of a filtered range."""
        return row in self.hidden_rows and any(r1 < row <= r2 for r1, _, r2, _ in self.filters)

    def subtotal_skip(self, row: int, col: int, hidden: bool) -> bool:
        """SUBTOTAL leaves out other SUBTOTAL cells, the rows a filter hides and, for
        101-111 (``hidden``), every hidden row. Microsoft's SUBTOTAL page: "SUBTOTAL ignores
        rows not included in the result of a filter, no matter which function_num value
        you use"; 1-11 include "rows hidden by the Hide Rows command", 101-111 ignore them."""
        if row in self.hidden_rows and (hidden or self.filtered(row)):
            return True
        f = self.formulas.get((row, col))
        return (
            f is not None
            and "SUBTOTAL(" in self.book.formula(self.name, cell_name(row, col)).upper()
        )

    def __repr__(self) -> str:
        return f"SheetData({self.name!r})"


class Ctx:
    """The cell a compiled formula is computed for: what its code receives."""

    __slots__ = ("book", "col", "row", "sheet")

    def __init__(self, book: CellModel, sheet: SheetData, row: int, col: int):
        self.book, self.sheet, self.row, self.col = book, sheet, row, col


class Block:
    """Formula cells computed together: one cell, an array formula's anchor, or a run of
    cells in one column with the same formula in R1C1 form.

    ``sheet`` holds it; ``col``, ``r0``..``r1`` are its formula cells, ``out`` the cells it
    fills (row1, col1, row2, col2: an array formula's whole range).
    """

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
        self.code: Callable[[Ctx], Any] | None = None
        self.node: fx.Node | None = None
        self.spans: list[tuple[SheetData, list[fx.Ref]]] = []
        self.deps: list[Block] | None = None
        self.problem: EvaluationError | None = None
        self.out: tuple[int, int, int, int] = (r0, col, r1, col)  # cells it fills
        self.marker = Pending(self)
        self.done = False
        self.split: list[Block] | None = None
        self.vector: Callable[[Block], bool] | None = None

    def cells(self) -> Iterator[tuple[int, int]]:
        """The (row, col) of the cells it fills, row by row."""
        r1, c1, r2, c2 = self.out
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                yield r, c

    def where(self, row: int | None = None) -> str:
        """``Sheet!A1`` of its first cell (or of ``row`` in its column)."""
        return f"{self.sheet.name}!{cell_name(self.r0 if row is None else row, self.col)}"

    def __repr__(self) -> str:
        return f"Block({self.sheet.name}!{cell_name(self.r0, self.col)}:{self.r1})"


class Table:
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


class CellModel:
    """A workbook's sheets, cells, formulas, tables and defined names (see the module notes).

    ``functions`` are the custom functions (``CRM_*``) its formulas may call, by name.
    """

    def __init__(self, source: str = "<workbook>", functions: CustomFunctions | None = None):
        self.source = source
        self.functions: CustomFunctions = functions if functions is not None else {}
        self.sheets: list[SheetData] = []
        self._by_name: dict[str, SheetData] = {}
        self._names: dict[tuple[int | None, str], str] = {}  # (sheet index|None, NAME) → text
        self._name_ast: dict[tuple[int | None, str], fx.Node | Exception] = {}
        self.date1904 = False
        # the date TODAY() gives and the date and time NOW() gives (the caller's choice: a
        # run is reproducible with fixed ones); None refuses them as volatile.
        # today_used, now_used: whether a formula called them
        self.today: Any = None
        self.today_used = False
        self.now: Any = None
        self.now_used = False
        self.date_styles: set[int] = set()  # styles (cellXfs indices) showing dates or times
        self.tables: dict[str, Table] = {}

    # -- filling it --------------------------------------------------------------------------

    def add_sheet(self, name: str) -> SheetData:
        """A new, empty worksheet after the others."""
        sheet = SheetData(self, name, len(self.sheets))
        self.sheets.append(sheet)
        self._by_name[name.casefold()] = sheet
        return sheet

    def set_value(self, sheet: SheetData, row: int, col: int, value: Any) -> None:
        """A constant in a cell."""
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
        """A formula in a cell (text without ``=``; see :class:`FormulaInfo`)."""
        info = FormulaInfo(text, kind, ref, cached, ctype)
        sheet.formulas[(row, col)] = info
        sheet.max_row = max(sheet.max_row, row)
        sheet.max_col = max(sheet.max_col, col)
        # the cached value stays with the formula: the cell itself gets the formula's own
        # (pending) value when the blocks are built, whatever is cached
        return info

    def add_name(self, name: str, text: str, sheet_index: int | None = None) -> None:
        """A defined name, for the workbook or (``sheet_index``) one sheet."""
        self._names[(sheet_index, name.upper())] = text

    def add_table(
        self,
        sheet: SheetData,
        name: str,
        ref: str,
        columns: list[str],
        header_rows: int = 1,
        totals_rows: int = 0,
    ) -> None:
        """An Excel table over ``ref`` of ``sheet``; ValueError when ``ref`` is no range."""
        box = parse_range(ref)
        if box is None:
            raise ValueError(f"not a cell range: {ref!r}")
        r1, c1, r2, c2 = box
        self.tables[name.upper()] = Table(
            name, sheet, r1, c1, r2, c2, header_rows, totals_rows, columns
        )

    # -- reading it --------------------------------------------------------------------------

    def sheet(self, name: str) -> SheetData:
        """The worksheet of that name (case-insensitive); KeyError when there is none."""
        s = self._by_name.get(name.casefold())
        if s is None:
            raise KeyError(f"no worksheet {name!r}")
        return s

    def sheet_named(self, name: str) -> SheetData | None:
        """The worksheet of that name (case-insensitive), or None."""
        return self._by_name.get(name.casefold())

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

    def is_date(self, sheet: str, cell: str) -> bool:
        """True when the cell's number format is a date or time format."""
        row, col = parse_cell(cell)
        return self.is_date_at(self.sheet(sheet), row, col)

    def is_date_at(self, sheet: SheetData, row: int, col: int) -> bool:
        """:meth:`is_date` for a cell given by its sheet and coordinates."""
        s = sheet.styles.get((row, col))
        return s is not None and s in self.date_styles

    def name_node(self, name: str, sheet: SheetData) -> fx.Node | None:
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

    def functions_in(self, node: fx.Node, sheet: SheetData, depth: int = 0) -> set[str]:
        """The functions a formula's tree calls, those called through defined names included."""
        found = fx.functions_used(node)
        if depth < 10:
            for n in fx.walk(node):
                if isinstance(n, fx.Name):
                    target = self.sheet_named(n.sheet) if n.sheet else sheet
                    try:
                        sub = self.name_node(n.name, target or sheet)
                    except fx.FormulaError:
                        continue
                    if sub is not None:
                        found |= self.functions_in(sub, sheet, depth + 1)
        return found

    def force(self, sheet: SheetData, marker: Pending, row: int, col: int) -> Any:
        """The value of a cell that holds a :class:`Pending` marker, computed before its
        turn: the engine (:class:`crm_xl.calc.evaluator.Workbook`) computes it; the model
        alone has nothing to compute with."""
        raise NotImplementedError("the cell model alone computes no formula")
