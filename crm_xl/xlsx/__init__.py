"""The OOXML package (.xlsx/.xlsm) read and edited in place, part by part; it knows nothing
of CRM: cell references, namespaces, XML safety, parts and relationships, sheets, names,
cell writes and cached values.

The façade other layers use is imported from here (lazily: reading a sheet's coordinates
does not load the whole package code)::

    >>> from crm_xl.xlsx import ErrorValue
    >>> ErrorValue("#N/A").code
    '#N/A'
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it
_API = {
    "Package": "crm_xl.xlsx.package",
    "ErrorValue": "crm_xl.xlsx.values",
    "Formula": "crm_xl.xlsx.values",
    "SheetInfo": "crm_xl.xlsx.sheets",
    "DefinedName": "crm_xl.xlsx.names",
    "check_sheet_name": "crm_xl.xlsx.sheets",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crm_xl.xlsx' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
