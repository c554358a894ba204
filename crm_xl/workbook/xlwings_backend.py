"""The :class:`~crm_xl.workbook.backend.Backend` inside Excel, for the workbook's buttons.

Only xlwings' public Book/Sheet/Range/Names API, one call per block where Excel allows
it: a block is read in one call and written in one call; blank cells are cleared one
column run at a time; text goes in behind an apostrophe so that Excel keeps ``2027-03``
as text, not a date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import cell_name, parse_cell, quote_sheet, range_name


def xlwings_workbook_names(book: Any) -> dict[str, str]:
    """A book's workbook-level defined names → their text: ``book.names`` lists sheet-local
    names as ``'Sheet'!name`` (Excel makes some when a sheet is copied); they are left out,
    as in the package."""
    out = {}
    for name in book.names:
        if "!" in name.name:
            continue
        refers = name.refers_to  # e.g. ='评级 2026-Q4'!$L$4:$L$203
        out[name.name] = refers[1:] if refers.startswith("=") else refers
    return out


def _grid(value: Any) -> list[list[Any]]:
    """What xlwings gives for a range (one value, a row, rows) as rows."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    return [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]


class XlwingsBackend:
    """An ``xlwings.Book`` (the workbook open in Excel) as a Backend."""

    def __init__(self, book: Any) -> None:
        self.book = book

    # -- reading ---------------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        return xlwings_workbook_names(self.book)

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def read(self, sheet: str, ref: str) -> list[list[Any]]:
        return self.book.sheets[sheet].range(ref).options(ndim=2, empty=None).value

    def _block(self, sheet: str, cells: Collection[str]) -> tuple[Any, int, int]:
        """The smallest range holding ``cells``, with its first row and column."""
        at = [parse_cell(c) for c in cells]
        r0, c0 = min(r for r, _ in at), min(c for _, c in at)
        box = (r0, c0, max(r for r, _ in at), max(c for _, c in at))
        return self.book.sheets[sheet].range(range_name(box)), r0, c0

    def formulas(self, sheet: str) -> dict[str, str]:
        rng = self.book.sheets[sheet].used_range
        out = {}
        for i, row in enumerate(_grid(rng.formula)):
            for j, text in enumerate(row):
                if isinstance(text, str) and text.startswith("="):
                    out[cell_name(rng.row + i, rng.column + j)] = text
        return out

    def formula_cells(self, sheet: str, cells: Collection[str]) -> set[str]:
        if not cells:
            return set()
        rng, r0, c0 = self._block(sheet, cells)
        grid = _grid(rng.formula)
        held = set()
        for cell in cells:
            row, col = parse_cell(cell)
            text = grid[row - r0][col - c0]
            if isinstance(text, str) and text.startswith("="):
                held.add(cell)
        return held

    def computed_elsewhere(self, sheet: str, ref: str) -> bool:
        return False  # in Excel the button writes every result block as values

    # -- writing ---------------------------------------------------------------------------
    def write(self, sheet: str, ref: str, rows: list[list[Any]]) -> None:
        rng = self.book.sheets[sheet].range(ref)
        if rng.has_array:  # a legacy array formula: Excel refuses to change part of it
            rng.clear_contents()
        rng.value = rows

    def set_cells(self, sheet: str, values: Mapping[str, Any]) -> None:
        from crm_xl.xlsx import Formula

        ws = self.book.sheets[sheet]
        blanks = sorted((*parse_cell(c)[::-1], c) for c, v in values.items() if v is None)
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

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        self.book.sheets[source].copy(after=self.book.sheets[after], name=title)
        # Excel copies the workbook names that point at the source as names local to the
        # copy; they would shadow nothing we use but confuse the Name Manager: drop them
        local = (f"{title}!", f"{quote_sheet(title)}!")
        for name in list(self.book.names):
            if name.name.startswith(local):
                name.delete()

    def extend_charts(self, sheet: str, first: int, last: int, new_last: int) -> None:
        raise CrmError(
            f"the Dashboard's trend table is full ({last - first + 1} periods) and growing its "
            "chart from Excel is not supported yet: save the workbook and run "
            "`crm-xl new-period BOOK --period P`, which grows it"
        )
