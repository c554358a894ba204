"""A cell's value as the file stores it — (type, value) — and when a stored value already
shows a computed one. Used wherever a recalculation compares what a workbook holds with
what it computes: the headless recalculation and the package backend.

Example::

    >>> typed(71.2), typed("A"), typed(None)
    (('n', 71.2), ('str', 'A'), ('empty', None))
    >>> same(typed(0.1 + 0.2), typed(0.3)), same(typed(""), typed(None))
    (True, True)
"""

from __future__ import annotations

import math
from typing import Any

#: Stored and computed numbers agree when they differ by less than this, relatively: one
#: unit in the 14th-15th significant digit, where Excel's iterative functions (RATE, IRR)
#: and its powers round differently from exact arithmetic (RATE(58,-200,8000): Excel
#: stores 0.013541257643259374, the exact root is 0.013541257643259325)
SAME_DIGITS = 1e-14


def typed(value: Any) -> tuple[str, Any]:
    """An evaluated value as (cell type, value), the way a cached value is stored: type
    ``n``, ``str``, ``b``, ``e`` (an error's code) or ``empty``."""
    if value.__class__ is float:
        return ("n", value)
    from crm_xl.xlsx import ErrorValue

    if value is None:
        return ("empty", None)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if isinstance(value, ErrorValue):
        return ("e", value.code)
    code = getattr(value, "code", None)  # the evaluator's own error type
    if code is not None and not isinstance(value, str):
        return ("e", str(code))
    return ("str", str(value))


def same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    """Stored and computed agree (numbers to Excel's 15 significant digits)."""
    if a[0] != b[0]:
        return (
            a[0] in ("empty", "str") and b[0] in ("empty", "str") and (a[1] or "") == (b[1] or "")
        )
    if a[0] == "n":
        return math.isclose(a[1], b[1], rel_tol=SAME_DIGITS, abs_tol=0.0) or a[1] == b[1]
    return a[1] == b[1]
