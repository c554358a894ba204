"""The Python side of the workbook's buttons (xlwings ``RunPython``).

The "Recalculate ratings" button of a ``crm-xl new --macros`` workbook runs its companion
module's ``main()``, which calls :func:`recalculate_ratings` here; the companion's
``new_period()`` calls :func:`new_period`. Both run inside Excel through xlwings and talk
to the workbook only through ``xw.Book.caller()`` and xlwings' public Book/Range API
(:class:`~crm_xl.workbook.xlwings_backend.XlwingsBackend`). The work itself is shared with
the headless mode: :func:`crm_xl.workbook.ratings.recalculate_ratings` (what ``crm-xl
recalc`` runs) and :func:`crm_xl.workbook.period.add_period_to` (what ``crm-xl new-period``
runs); only the backend differs.
"""

from __future__ import annotations

from typing import Any


def _caller(book: Any = None) -> Any:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def recalculate_ratings(book: Any = None) -> None:
    """Recompute the latest period's ratings and self-assessment, one block per column.

    A Model that does not validate is reported in a message box, every problem at its cell,
    and nothing is written. ``book`` is an ``xlwings.Book`` (default: the caller).
    """
    from crm_xl.errors import CrmError
    from crm_xl.workbook.ratings import recalculate_ratings as recalc
    from crm_xl.workbook.xlwings_backend import XlwingsBackend

    wb = _caller(book)
    try:
        recalc(XlwingsBackend(wb))
    except CrmError as err:
        wb.app.alert("\n".join(str(p) for p in err.problems), title="crm_xl")


def new_period(book: Any = None, backend: Any = None) -> None:
    """Add the next period's blank sheets to the workbook open in Excel (2026-Q4 → 2027-Q1).

    The same steps as ``crm-xl new-period`` (:func:`crm_xl.workbook.period.add_period_to`), done
    through xlwings on the open workbook; a message box says what was added, or why not.
    Save the workbook afterwards as usual. ``book`` is an ``xlwings.Book`` (default: the
    caller); ``backend`` the Backend over it (default: an XlwingsBackend; xlwings Lite's
    script gives one with the formulas fetched).
    """
    from crm_xl.errors import CrmError
    from crm_xl.workbook.period import add_period_to
    from crm_xl.workbook.xlwings_backend import XlwingsBackend

    wb = _caller(book)
    try:
        done = add_period_to(backend if backend is not None else XlwingsBackend(wb))
    except CrmError as err:
        wb.app.alert("\n".join(str(p) for p in err.problems), title="crm_xl")
        return
    wb.app.alert(
        f"{done.period}: added the sheets {', '.join(done.sheets[:2])} "
        f"(customer list and model carried over from {done.previous}).",
        title="crm_xl",
    )
