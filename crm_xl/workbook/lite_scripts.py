"""The workbook's **Recalculate ratings** and **New period** actions as xlwings Lite scripts.

In xlwings Lite a script is a function decorated with xlwings' ``@script`` whose one
``xw.Book`` parameter Lite fills with the workbook (its cell values come with the call; what
the script writes goes back as actions when it returns). :func:`recalculate_ratings` runs
the very computation of the desktop button and of ``crm-xl recalc``
(:func:`crm_xl.workbook.macros.recalculate_ratings`, through
:class:`~crm_xl.workbook.xlwings_backend.XlwingsBackend`): only the Book differs.

Both show in Lite's *Run* list. A button on a sheet is a shape with a hyperlink to the cell
below it (Office.js has no other way to bind a sheet button); :func:`sheet_button` makes the
script such a button runs, e.g. ``recalculate_button = sheet_button("'Ratings 2026-Q4'!L1")``
in ``main.py`` for a shape named ``crm_recalculate`` linked to L1 of that sheet.

**New period** (:func:`new_period`) is the desktop button's and ``crm-xl new-period``'s
:func:`crm_xl.workbook.period.add_period_to` too; it needs the sheets' formulas, which
Lite's Book does not send with the values (xlwings fetches them with ``await
rng.get_formula()``, one round trip per sheet, in Lite only), so the script fetches them
first and :class:`LiteBackend` answers from them. **Make report** is
:mod:`crm_xl.report.lite` (the report layer's, above this one).

Example::

    >>> sheet_button("'Ratings 2026-Q4'!L1").__name__
    'recalculate_ratings'
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import xlwings as xw
from xlwings import script  # in xlwings Lite: the Office.js decorator

from crm_xl.workbook.xlwings_backend import XlwingsBackend
from crm_xl.xlsx.coordinates import cell_name

#: The name of the shape that works as the Recalculate ratings button.
BUTTON_SHAPE = "crm_recalculate"


def run_recalculation(book: Any) -> None:
    """Recompute the latest period's ratings in ``book`` (Lite's Book); problems in a
    message box, every one at its cell."""
    from crm_xl.workbook.macros import recalculate_ratings as run

    run(book)


@script(name="Recalculate ratings")
def recalculate_ratings(book: xw.Book) -> None:
    """Recalculate ratings: the latest period's scores, tiers and RFM segments."""
    run_recalculation(book)


class LiteBackend(XlwingsBackend):
    """The workbook in xlwings Lite: :class:`XlwingsBackend` with the formulas fetched
    beforehand (``sheet → {cell: "=formula"}``); a copied sheet has its source's."""

    def __init__(self, book: Any, formulas: dict[str, dict[str, str]]) -> None:
        super().__init__(book)
        self.fetched = formulas
        self.copied: dict[str, str] = {}

    def formulas(self, sheet: str) -> dict[str, str]:
        return dict(self.fetched.get(self.copied.get(sheet, sheet), {}))

    def formula_cells(self, sheet: str, cells: Collection[str]) -> set[str]:
        held = self.formulas(sheet)
        return {c for c in cells if c.replace("$", "") in held}

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        super().copy_sheet(source, title, after)
        self.copied[title] = self.copied.get(source, source)


def sheet_formulas(grid: Any, first_row: int = 1, first_col: int = 1) -> dict[str, str]:
    """``{cell: formula}`` of a sheet's formulas as ``get_formula()`` gives them (rows from
    ``first_row``, ``first_col``; a value where a cell holds no formula).

    Example::

        >>> sheet_formulas([["Name", "=CRM_SCORE(B2:E2,B1:E1)"]], 4)
        {'B4': '=CRM_SCORE(B2:E2,B1:E1)'}
    """
    rows = grid if isinstance(grid, list) and grid and isinstance(grid[0], list) else [[grid]]
    return {
        cell_name(first_row + i, first_col + j): text
        for i, row in enumerate(rows)
        for j, text in enumerate(row)
        if isinstance(text, str) and text.startswith("=")
    }


async def fetch_formulas(book: Any) -> dict[str, dict[str, str]]:
    """Every sheet's formulas, fetched from Excel (xlwings Lite: one round trip per sheet)."""
    out = {}
    for sheet in book.sheets:
        used = sheet.used_range
        grid = await used.options(ndim=2).get_formula()
        out[sheet.name] = sheet_formulas(grid, used.row, used.column)
    return out


def run_new_period(book: Any, formulas: dict[str, dict[str, str]]) -> None:
    """Add the next period to ``book`` (Lite's Book) given its sheets' formulas; a message
    box says what was added, or why not."""
    from crm_xl.workbook.macros import new_period as run

    run(book, backend=LiteBackend(book, formulas))


@script(name="New period")
async def new_period(book: xw.Book) -> None:
    """New period: the next period's sheets, the customer list and the model carried over."""
    run_new_period(book, await fetch_formulas(book))


def sheet_button(cell: str, shape: str = BUTTON_SHAPE) -> Callable[..., Any]:
    """The Recalculate ratings script for a sheet button: a shape named ``shape`` with a
    hyperlink to ``cell`` (``"'Ratings 2026-Q4'!L1"``), the cell hidden below the shape."""

    @script(name="Recalculate ratings", button=f"[{shape}]{cell}")
    def recalculate_ratings(book: xw.Book) -> None:
        """Recalculate ratings: the latest period's scores, tiers and RFM segments."""
        run_recalculation(book)

    return recalculate_ratings


__all__ = ["new_period", "recalculate_ratings", "sheet_button"]
