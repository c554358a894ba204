"""The one interface the workbook's operations need of a workbook, whichever it is.

Reading the Model, recalculating the ratings and adding a period each run once, over a
:class:`Backend`: the file edited as an OOXML package
(:class:`~crm_xl.workbook.package_backend.PackageBackend`, for ``crm-xl recalc`` and
``crm-xl new-period``) or the workbook open in Excel
(:class:`~crm_xl.workbook.xlwings_backend.XlwingsBackend`, for the buttons). Places are
found through the workbook's defined names (:mod:`crm_xl.workbook.layout`), so an
operation reads and writes blocks of cells by sheet and range, and only the backend
differs between Excel and CI.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from crm_xl.workbook.layout import split_ref


class Backend(Protocol):
    """A workbook, as the workbook's operations see it."""

    def names(self) -> dict[str, str]:
        """Workbook-level defined names → their text without ``=`` (``'Sheet'!$A$1:$B$2``
        or a constant); names local to a sheet are left out."""

    def sheet_names(self) -> list[str]:
        """Every sheet's title, in the workbook's order."""

    def read(self, sheet: str, ref: str) -> list[list[Any]]:
        """A block of cell values, a list of rows (empty cells as None); a formula cell
        gives its value."""

    def formulas(self, sheet: str) -> dict[str, str]:
        """Cell → formula text (``=…``) of the ordinary (not array) formulas of a sheet."""

    def formula_cells(self, sheet: str, cells: Collection[str]) -> set[str]:
        """Those of ``cells`` that hold a formula (array-formula cells included)."""

    def computed_elsewhere(self, sheet: str, ref: str) -> bool:
        """True when the block needs nothing from a ratings recalculation: every cell holds
        a formula that something else computes (``crm-xl recalc``'s evaluator)."""

    def write(self, sheet: str, ref: str, rows: list[list[Any]]) -> None:
        """Write a block of computed values (one call per block); input cells are never
        among them."""

    def set_cells(self, sheet: str, values: Mapping[str, Any]) -> None:
        """Set cells: text, numbers, ``Formula`` or None (cleared, style kept)."""

    def set_name(self, name: str, text: str) -> None:
        """Add or replace a workbook-level defined name (``text`` without ``=``)."""

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        """Copy a worksheet with everything on it (styles, validation, formats)."""

    def extend_charts(self, sheet: str, first: int, last: int, new_last: int) -> None:
        """Make the charts that plot rows ``first``–``last`` of ``sheet`` plot down to
        ``new_last`` (a table that grew by rows)."""


def lower_names(backend: Backend) -> dict[str, str]:
    """The backend's defined names with lower-case keys (Excel's names ignore case)."""
    return {k.lower(): v for k, v in backend.names().items()}


def read_named(backend: Backend, names: Mapping[str, str], name: str) -> list[list[Any]]:
    """The block of cells a defined name refers to (``names`` as from :func:`lower_names`)."""
    sheet, ref = split_ref(names[name])
    return backend.read(sheet, ref)
