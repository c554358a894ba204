"""A test double of the slice of xlwings' public API that crm_xl's macros use.

Only where Excel itself is required: xlwings' Book/Sheet/Range talk to a running Excel.
This double keeps the same calls and behaviour over an openpyxl workbook loaded from a
real file, so the macro code runs unchanged:

- ``book.names``: iterable of objects with ``.name`` and ``.refers_to`` (``='Sheet'!$A$1``);
- ``book.sheets[title].range("A1:B2")``: a range;
- ``range.options(ndim=2, empty=None).value``: a list of rows, empty cells as None;
- ``range.value = rows``: write a block (refused over part of an array formula, as Excel does);
- ``range.has_array`` and ``range.clear_contents()``;
- ``book.fullname``, ``book.app.calculate()``, ``book.app.alert(text, title=...)``;
- for the New period macro: ``book.sheets`` iterated (``sheet.name``), ``sheet.copy(after=,
  name=)``, ``sheet.used_range``, ``range.row`` / ``range.column``, ``range.formula`` (read:
  a str for one cell, rows of str for a block, every cell of an array formula showing its
  formula, as Excel does; write: one cell), ``range.value = "'text"`` (Excel keeps the text
  after the apostrophe as text), ``book.names.add(name, refers_to)`` (replaces a name of
  the same name, as Excel's ``Names.Add`` does) and ``name.delete()``.

Not emulated: Excel copying a sheet also copies the workbook names that point at it as
names local to the copy (the macro deletes those; here there are none to delete).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula


class _Name:
    def __init__(self, wb: Any, name: str, refers_to: str) -> None:
        self.wb = wb
        self.name = name
        self.refers_to = refers_to

    def delete(self) -> None:
        del self.wb.defined_names[self.name]


class _Names:
    def __init__(self, wb: Any) -> None:
        self.wb = wb

    def __iter__(self):
        return iter(
            [_Name(self.wb, n, "=" + d.attr_text) for n, d in self.wb.defined_names.items()]
        )

    def add(self, name: str, refers_to: str) -> _Name:
        from openpyxl.workbook.defined_name import DefinedName

        for other in list(self.wb.defined_names):
            if other.lower() == name.lower():
                del self.wb.defined_names[other]
        self.wb.defined_names[name] = DefinedName(name, attr_text=refers_to.lstrip("="))
        return _Name(self.wb, name, refers_to)


def _array_formulas(ws: Any) -> dict[tuple[int, int], str]:
    """(row, column) → formula text for every cell of the sheet's array formulas."""
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, ArrayFormula):
                c1, r1, c2, r2 = range_boundaries(c.value.ref)
                for r in range(r1, r2 + 1):
                    for col in range(c1, c2 + 1):
                        out[(r, col)] = c.value.text
    return out


class _Range:
    def __init__(self, ws: Any, ref: str) -> None:
        self.ws = ws
        self.bounds = range_boundaries(ref)
        self._ndim = None
        self.writes = 0

    def options(self, ndim: int | None = None, empty: Any = None) -> _Range:
        self._ndim = ndim
        return self

    def _cells(self):
        c1, r1, c2, r2 = self.bounds
        return [[self.ws.cell(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @property
    def value(self) -> list[list[Any]]:
        return [[None if c.value in ("",) else c.value for c in row] for row in self._cells()]

    @value.setter
    def value(self, rows: Any) -> None:
        if self.has_array:
            raise RuntimeError("You can't change part of an array.")  # what Excel says
        if not isinstance(rows, list):  # one value into one cell
            text = isinstance(rows, str) and rows.startswith("'")
            self._cells()[0][0].value = rows[1:] if text else rows
            return
        for row_cells, row_values in zip(self._cells(), rows, strict=True):
            for cell, v in zip(row_cells, row_values, strict=True):
                cell.value = v
        self.ws.parent.block_writes += 1

    @property
    def has_array(self) -> bool:
        return any(isinstance(c.value, ArrayFormula) for row in self._cells() for c in row)

    def clear_contents(self) -> None:
        for row in self._cells():
            for c in row:
                c.value = None

    @property
    def row(self) -> int:
        return self.bounds[1]

    @property
    def column(self) -> int:
        return self.bounds[0]

    @property
    def formula(self) -> Any:
        arrays = _array_formulas(self.ws)

        def text(c: Any) -> str:
            if (c.row, c.column) in arrays:
                return arrays[(c.row, c.column)]
            return "" if c.value is None else str(c.value)

        rows = tuple(tuple(text(c) for c in row) for row in self._cells())
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @formula.setter
    def formula(self, text: str) -> None:
        (cell,) = (c for row in self._cells() for c in row)
        cell.value = text


class _Sheet:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @property
    def name(self) -> str:
        return self.ws.title

    def range(self, ref: str) -> _Range:
        return _Range(self.ws, ref)

    @property
    def used_range(self) -> _Range:
        return _Range(self.ws, self.ws.dimensions)

    def copy(self, before: Any = None, after: Any = None, name: str | None = None) -> _Sheet:
        wb = self.ws.parent
        new = wb.copy_worksheet(self.ws)  # cells, styles, sizes, merged cells
        new.title = name
        for cell in (c for row in new.iter_rows() for c in row):
            if isinstance(cell.value, ArrayFormula):  # its own object, not the source's
                cell.value = ArrayFormula(cell.value.ref, cell.value.text)
        wb.move_sheet(new, wb.index(after.ws) + 1 - wb.index(new))
        return _Sheet(new)


class _Sheets:
    def __init__(self, wb: Any) -> None:
        self.wb = wb

    def __getitem__(self, title: str) -> _Sheet:
        return _Sheet(self.wb[title])

    def __iter__(self):
        return iter([_Sheet(ws) for ws in self.wb.worksheets])


class _App:
    def __init__(self) -> None:
        self.calculated = 0
        self.alerts: list[str] = []

    def calculate(self) -> None:
        self.calculated += 1

    def alert(self, prompt: str, title: str = "") -> None:
        self.alerts.append(prompt)


class Book:
    """``xlwings.Book`` as far as crm_xl's macros use it, over a real workbook file."""

    def __init__(self, path: Path) -> None:
        self.fullname = str(path)
        self.wb = openpyxl.load_workbook(path, keep_vba=Path(path).suffix == ".xlsm")
        # openpyxl reads the other cells of an array formula as plain values (their stored
        # results); in Excel they are part of the formula: blank them here
        for ws in self.wb.worksheets:
            for (row, col), _ in _array_formulas(ws).items():
                if not isinstance(ws.cell(row, col).value, ArrayFormula):
                    ws.cell(row, col).value = None
        self.wb.block_writes = 0
        self.sheets = _Sheets(self.wb)
        self.app = _App()

    @property
    def names(self) -> _Names:
        return _Names(self.wb)

    def save(self, path: Path) -> None:
        self.wb.save(path)

    @property
    def block_writes(self) -> int:
        return self.wb.block_writes
