"""The workbook's **Recalculate ratings** action as an xlwings Lite script.

In xlwings Lite a script is a function decorated with xlwings' ``@script`` whose one
``xw.Book`` parameter Lite fills with the workbook (its cell values come with the call; what
the script writes goes back as actions when it returns). :func:`recalculate_ratings` runs
the very computation of the desktop button and of ``crm-xl recalc``
(:func:`crm_xl.workbook.macros.recalculate_ratings`, through
:class:`~crm_xl.workbook.xlwings_backend.XlwingsBackend`): only the Book differs.

It shows in Lite's *Run* list. A button on a sheet is a shape with a hyperlink to the cell
below it (Office.js has no other way to bind a sheet button); :func:`sheet_button` makes the
script such a button runs, e.g. ``recalculate_button = sheet_button("'Ratings 2026-Q4'!L1")``
in ``main.py`` for a shape named ``crm_recalculate`` linked to L1 of that sheet.

Not offered in Lite: **New period** reads the period's formulas to keep them, and Lite's
Book has no formulas in the values it sends (xlwings reads them only with ``await
rng.get_formula()``, one round trip per range); **Make report** reads the saved workbook
file, which Lite cannot reach. Use ``crm-xl new-period`` and ``crm-xl report`` on the file.

Example::

    >>> sheet_button("'Ratings 2026-Q4'!L1").__name__
    'recalculate_ratings'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw
from xlwings import script  # in xlwings Lite: the Office.js decorator

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


def sheet_button(cell: str, shape: str = BUTTON_SHAPE) -> Callable[..., Any]:
    """The Recalculate ratings script for a sheet button: a shape named ``shape`` with a
    hyperlink to ``cell`` (``"'Ratings 2026-Q4'!L1"``), the cell hidden below the shape."""

    @script(name="Recalculate ratings", button=f"[{shape}]{cell}")
    def recalculate_ratings(book: xw.Book) -> None:
        """Recalculate ratings: the latest period's scores, tiers and RFM segments."""
        run_recalculation(book)

    return recalculate_ratings


__all__ = ["recalculate_ratings", "sheet_button"]
