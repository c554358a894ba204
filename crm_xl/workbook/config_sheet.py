"""The xlwings.conf sheet: the settings xlwings reads from the workbook itself.

``UDF Modules = crm_xl.udfs`` tells xlwings' *Import Functions* where the ``CRM_*``
functions are, so the workbook needs no per-user configuration.
"""

from __future__ import annotations

from typing import Any

from crm_xl.workbook import layout

#: The settings written, in order (xlwings reads key/value pairs from A1 down).
SETTINGS = (("UDF Modules", "crm_xl.udfs"), ("Show Console", "False"))


def write_config(wb: Any) -> None:
    """Add the xlwings.conf sheet (:data:`SETTINGS`)."""
    ws = wb.create_sheet(layout.CONFIG_SHEET)
    # only keys with a value are written, so xlwings' own defaults (ribbon / user config
    # file) apply to the interpreter paths
    for r, (key, value) in enumerate(SETTINGS, 1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
