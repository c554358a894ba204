"""A test double of the slice of xlwings' public API that crm_xl's macros use.

Only where Excel itself is required: xlwings' Book/Sheet/Range talk to a running Excel.
This double keeps the same calls and behaviour over an openpyxl workbook loaded from a
real file, so the macro code runs unchanged:

- ``book.names``: iterable of objects with ``.name`` and ``.refers_to`` (``='Sheet'!$A$1``);
- ``book.sheets[title].range("A1:B2")``: a range;
- ``range.options(ndim=2, empty=None).value``: a list of rows, empty cells as None;
- ``range.value = rows``: write a block (refused over part of an array formula, as Excel does);
- ``range.has_array`` and ``range.clear_contents()``;
- ``book.fullname``, ``book.app.calculate()``, ``book.app.alert(text, title=...)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula


class _Name:
    def __init__(self, name: str, refers_to: str) -> None:
        self.name = name
        self.refers_to = refers_to


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
    def value(self, rows: list[list[Any]]) -> None:
        if self.has_array:
            raise RuntimeError("You can't change part of an array.")  # what Excel says
        for row_cells, row_values in zip(self._cells(), rows, strict=True):
            for cell, v in zip(row_cells, row_values, strict=True):
                cell.value = v
        self.ws.parent._block_writes += 1

    @property
    def has_array(self) -> bool:
        return any(isinstance(c.value, ArrayFormula) for row in self._cells() for c in row)

    def clear_contents(self) -> None:
        for row in self._cells():
            for c in row:
                c.value = None


class _Sheet:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    def range(self, ref: str) -> _Range:
        return _Range(self.ws, ref)


class _Sheets:
    def __init__(self, wb: Any) -> None:
        self.wb = wb

    def __getitem__(self, title: str) -> _Sheet:
        return _Sheet(self.wb[title])


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
        self.wb._block_writes = 0
        self.sheets = _Sheets(self.wb)
        self.app = _App()

    @property
    def names(self) -> list[_Name]:
        return [_Name(n, "=" + d.attr_text) for n, d in self.wb.defined_names.items()]

    @property
    def block_writes(self) -> int:
        return self.wb._block_writes
