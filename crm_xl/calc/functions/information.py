"""Excel's information functions: the IS* tests, ERROR.TYPE, N, T, TYPE and NA().

Example::

    >>> from crm_xl.calc.values import DIV0, EMPTY
    >>> ISNUMBER("1"), ISBLANK(EMPTY), ERROR_TYPE(DIV0), TYPE("x")
    (False, True, 2.0, 2.0)
"""

from __future__ import annotations

import math
from typing import Any

from crm_xl.calc.conversions import no_bool_number
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import EMPTY, NA, Array, ErrorResult, Multi, Range, XlError
from crm_xl.errors import EXCEL_ERRORS


@builtin("NA", "")
def NA_() -> XlError:
    return NA


@builtin("ISNUMBER", "V", errors=True)
def ISNUMBER(v: Any) -> bool:
    return v.__class__ is float


@builtin("ISTEXT", "V", errors=True)
def ISTEXT(v: Any) -> bool:
    return v.__class__ is str


@builtin("ISNONTEXT", "V", errors=True)
def ISNONTEXT(v: Any) -> bool:
    return v.__class__ is not str


@builtin("ISLOGICAL", "V", errors=True)
def ISLOGICAL(v: Any) -> bool:
    return v.__class__ is bool


@builtin("ISBLANK", "V", errors=True)
def ISBLANK(v: Any) -> bool:
    return v is EMPTY


@builtin("ISERROR", "V", errors=True)
def ISERROR(v: Any) -> bool:
    return v.__class__ is XlError


@builtin("ISERR", "V", errors=True)
def ISERR(v: Any) -> bool:
    return v.__class__ is XlError and v.code != "#N/A"


@builtin("ISNA", "V", errors=True)
def ISNA(v: Any) -> bool:
    return v.__class__ is XlError and v.code == "#N/A"


@builtin("ISREF", "R", errors=True, lift=False)
def ISREF(v: Any) -> bool:
    return isinstance(v, (Range, Multi))


@builtin("ISEVEN", "V")
def ISEVEN(v: Any) -> bool:
    return math.floor(abs(no_bool_number(v))) % 2 == 0


@builtin("ISODD", "V")
def ISODD(v: Any) -> bool:
    return math.floor(abs(no_bool_number(v))) % 2 == 1


@builtin("ERROR.TYPE", "V", errors=True)
def ERROR_TYPE(v: Any) -> float:
    if v.__class__ is not XlError:
        raise ErrorResult(NA)
    return float(EXCEL_ERRORS.index(v.code) + 1) if v.code in EXCEL_ERRORS[:7] else 8.0


@builtin("N", "V", errors=True)
def N(v: Any) -> Any:
    if v.__class__ is float or v.__class__ is XlError:
        return v
    if v.__class__ is bool:
        return 1.0 if v else 0.0
    return 0.0


@builtin("T", "R", errors=True, lift=False)
def T(v: Any) -> Any:
    """T takes a reference: of a range it looks at the first cell, not at the cell in the
    formula's row or column (Excel stores "" for ``T(L7:N7)`` in N1352 of POI's
    FormulaEvalTestData, where L7 is 1.001 and N7 text); over an array, each value."""
    if v.__class__ is Range:
        v = v.cell(0, 0)
    elif v.__class__ is Array:
        return Array([[T(x) for x in row] for row in v.data])
    elif v.__class__ is Multi:
        v = v.areas[0].cell(0, 0)
    if v.__class__ is str or v.__class__ is XlError:
        return v
    return ""


@builtin("TYPE", "R", errors=True, lift=False)
def TYPE(v: Any) -> float:
    if isinstance(v, (Range, Array, Multi)) and not (isinstance(v, Range) and v.size == 1):
        return 64.0
    if isinstance(v, Range):
        v = v.cell(0, 0)
    if v.__class__ is str:
        return 2.0
    if v.__class__ is bool:
        return 4.0
    if v.__class__ is XlError:
        return 16.0
    return 1.0
