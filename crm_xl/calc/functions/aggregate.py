"""Excel's totals over what a list shows: SUBTOTAL and AGGREGATE, which leave out rows a
filter hides, rows hidden by hand (on request), other subtotals and, for AGGREGATE, error
values.

Microsoft's rules: SUBTOTAL "ignores rows not included in the result of a filter, no
matter which function_num value you use"; 1-11 include rows hidden by hand, 101-111
leave them out; nested SUBTOTALs are left out. AGGREGATE's ``options`` say what it leaves
out: 0-3 nested SUBTOTAL and AGGREGATE cells, 1, 3, 5, 7 hidden rows, 2, 3, 6, 7 error
values; its array form (14-19 over a computed array) leaves out only error values. Which
rows a sheet hides is the cell model's (``SheetData.filtered``, ``hidden_rows``).

Example::

    >>> from crm_xl.calc.values import Array, NA
    >>> AGGREGATE(9.0, 6.0, Array([[1.0, NA, 2.0]])), AGGREGATE(15.0, 6.0, Array([[3.0, NA, 1.0]]), 2.0)
    (3.0, 3.0)
"""

from __future__ import annotations

from typing import Any

from crm_xl.calc.conversions import to_int
from crm_xl.calc.functions.math import PRODUCT, SUM
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.functions.statistical import (
    AVERAGE,
    COUNT,
    COUNTA,
    LARGE,
    MAX,
    MEDIAN,
    MIN,
    MODE,
    PERCENTILE,
    PERCENTILE_EXC,
    QUARTILE,
    QUARTILE_EXC,
    SMALL,
    STDEV,
    STDEVP,
    VAR,
    VARP,
)
from crm_xl.calc.values import (
    EMPTY,
    GRID,
    MISSING,
    VALUE,
    Array,
    ErrorResult,
    Range,
    Unsupported,
    XlError,
)
from crm_xl.xlsx.coordinates import cell_name

_SUBTOTAL = {
    1: AVERAGE,
    2: COUNT,
    3: COUNTA,
    4: MAX,
    5: MIN,
    6: PRODUCT,
    7: STDEV,
    8: STDEVP,
    9: SUM,
    10: VAR,
    11: VARP,
}
_AGGREGATE = {**_SUBTOTAL, 12: MEDIAN, 13: MODE}
_AGGREGATE_K = {
    14: LARGE,
    15: SMALL,
    16: PERCENTILE,
    17: QUARTILE,
    18: PERCENTILE_EXC,
    19: QUARTILE_EXC,
}


def _nested(sheet: Any, row: int, col: int, names: tuple[str, ...]) -> bool:
    """Whether a cell holds a formula calling one of ``names`` (a nested total)."""
    if (row, col) not in getattr(sheet, "formulas", {}):
        return False
    text = sheet.book.formula(sheet.name, cell_name(row, col)).upper()
    return any(n + "(" in text for n in names)


@builtin("SUBTOTAL", "VR", repeat=1, min_args=2)
def SUBTOTAL(fn: Any, *refs: Any) -> Any:
    code = to_int(fn)
    base = code - 100 if code > 100 else code
    if base not in _SUBTOTAL:
        raise ErrorResult(VALUE)
    kept: list[Any] = []
    for r in refs:
        if not isinstance(r, Range):
            raise ErrorResult(VALUE)
        skip = getattr(r.sheet, "subtotal_skip", None)
        if skip is None:
            kept.append(r)
            continue
        part = r.used()  # the blank cells past it count for nothing
        if part is None:
            kept.append(Array([[EMPTY]]))
            continue
        rows = [
            [EMPTY if skip(part.r1 + i, part.c1 + j, code > 100) else v for j, v in enumerate(row)]
            for i, row in enumerate(part.rows())
        ]
        kept.append(Array(rows))
    return _SUBTOTAL[base](*kept)


def _aggregate_values(ref: Any, option: int) -> list[Any]:
    """The values of one AGGREGATE argument, less what ``option`` leaves out."""
    no_errors = option in (2, 3, 6, 7)
    if isinstance(ref, Range):
        part = ref.used()
        if part is None:
            return []
        sheet = ref.sheet
        hidden_out = option in (1, 3, 5, 7)
        nested_out = option <= 3
        hidden = getattr(sheet, "hidden_rows", set())
        filtered = getattr(sheet, "filtered", lambda row: False)
        out = []
        for i, row in enumerate(part.rows()):
            r = part.r1 + i
            if r in hidden:
                if hidden_out:
                    continue
                if filtered(r):  # Microsoft does not say: never a guessed number
                    raise Unsupported(
                        "AGGREGATE over rows a filter hides, with an option that keeps hidden "
                        "rows (0, 2, 4, 6): Excel's rule for that is not known here",
                        "AGGREGATE",
                    )
            for j, v in enumerate(row):
                if nested_out and _nested(sheet, r, part.c1 + j, ("SUBTOTAL", "AGGREGATE")):
                    continue
                if v.__class__ is XlError:
                    if no_errors:
                        continue
                    raise ErrorResult(v)
                out.append(v)
        return out
    values = list(ref.values()) if isinstance(ref, GRID) else [ref]
    out = []
    for v in values:
        if v.__class__ is XlError:
            if no_errors:
                continue
            raise ErrorResult(v)
        out.append(v)
    return out


@builtin("AGGREGATE", "VVA", repeat=1, min_args=3, errors=True, lift=False)
def AGGREGATE(fn: Any, options: Any, *refs: Any) -> Any:
    for a in (fn, options):
        if a.__class__ is XlError:
            raise ErrorResult(a)
    code = to_int(fn)
    option = 0 if options is MISSING else to_int(options)
    if not 0 <= option <= 7 or (code not in _AGGREGATE and code not in _AGGREGATE_K):
        raise ErrorResult(VALUE)
    if code in _AGGREGATE_K:  # the array form: an array (or reference) and k
        if len(refs) != 2:
            raise ErrorResult(VALUE)
        k = refs[1]
        if isinstance(k, GRID):
            if k.size != 1:
                raise Unsupported("AGGREGATE with several k at once", "AGGREGATE")
            k = k.cell(0, 0)
        if k.__class__ is XlError:
            raise ErrorResult(k)
        values = _aggregate_values(refs[0], option)
        return _AGGREGATE_K[code](Array([values or [EMPTY]]), k)
    kept = [v for r in refs for v in _aggregate_values(r, option)]
    return _AGGREGATE[code](Array([kept or [EMPTY]]))
