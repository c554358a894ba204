"""Excel's lookup and reference functions: MATCH, VLOOKUP, HLOOKUP, LOOKUP, XLOOKUP, XMATCH,
INDEX,
ROW(S), COLUMN(S), ADDRESS, TRANSPOSE, HYPERLINK. Approximate matches follow Excel's binary
search, so unsorted data gives Excel's answer, not the "right" one.

Example::

    >>> from crm_xl.calc.values import Array
    >>> MATCH(6.0, Array([[1.0, 3.0, 5.0, 7.0]])), ADDRESS(2.0, 28.0)
    (3.0, '$AB$2')
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from crm_xl.calc.conversions import compare, to_bool, to_int, to_text
from crm_xl.calc.functions.criteria import has_wildcards, wildcard_regex
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    EMPTY,
    GRID,
    MISSING,
    NA,
    REF,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Range,
    Unsupported,
    XlError,
    grid_of,
    shape_of,
)
from crm_xl.xlsx.coordinates import col_letters, quote_sheet


def _vector(a: Any, used: bool = False) -> list[Any]:
    """A one-row or one-column range/array as its values; with ``used``, a range only as
    far as its sheet's used cells (what a lookup searches: blank cells never match, so
    ``MATCH(x, C:C, 0)`` does not read a million of them)."""
    if not isinstance(a, GRID):
        return [a]
    r, c = a.shape
    if r != 1 and c != 1:
        raise ErrorResult(NA)
    if used and isinstance(a, Range):
        return list(a.stored())
    return list(a.values())


def _lookup_equal(x: Any) -> Callable[[Any], bool]:
    if x.__class__ is str:
        if has_wildcards(x):
            rx = wildcard_regex(x)
            return lambda v: v.__class__ is str and bool(rx.fullmatch(v))
        low = x.lower()
        return lambda v: v.__class__ is str and v.lower() == low
    cls = x.__class__
    return lambda v: v.__class__ is cls and v == x


def _same_kind(x: Any, v: Any) -> bool:
    return v.__class__ is x.__class__ or (x.__class__ is float and v.__class__ is int)


class _Flip:
    """A value whose order is reversed (descending lookups reuse the ascending search)."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v


def _lookup_cmp(x: Any, v: Any) -> int | None:
    """x compared with a lookup cell: -1, 0, 1, or None when their types differ."""
    if x.__class__ is _Flip:
        c = _lookup_cmp(x.v, v.v)
        return None if c is None else -c
    if v is EMPTY or v.__class__ is XlError or not _same_kind(x, v):
        return None
    return compare(x, v)


def _approx_ascending(values: list[Any], x: Any, descending: bool = False) -> int:
    """Excel's approximate match (data assumed ascending): the last value ≤ x, found by
    Excel's binary search (so unsorted data gives Excel's answer), or -1. With
    ``descending`` (MATCH type -1): the last value ≥ x in descending data."""
    if descending:
        return _approx_ascending([_Flip(v) for v in values], _Flip(x))
    low, high = -1, len(values)
    while True:
        if high - low < 2:
            return low
        mid = low + (high - low) // 2
        c = _lookup_cmp(x, values[mid])
        if c is None:  # step over cells of another type
            new = mid
            while True:
                new += 1
                if new == high:
                    high = mid
                    break
                c = _lookup_cmp(x, values[new])
                if c is not None and c < 0 and new == high - 1:
                    high = mid
                    break
                if c is None:
                    continue
                if c == 0:
                    mid = new
                    break
                if c < 0:
                    high = new
                else:
                    low = new
                c = None
                break
            if c is None:
                continue
        if c == 0:
            i = mid
            while i + 1 < high and _lookup_cmp(x, values[i + 1]) == 0:
                i += 1
            return i
        if c < 0:
            high = mid
        else:
            low = mid


def _match_index(x: Any, values: list[Any], mode: int) -> int:
    """0-based position of x in values by MATCH type (1, 0, -1); -1 when not found."""
    if x is EMPTY or x is MISSING:
        x = 0.0
    if mode == 0:
        eq = _lookup_equal(x)
        return next((i for i, v in enumerate(values) if eq(v)), -1)
    if mode > 0:
        return _approx_ascending(values, x)
    return _approx_ascending(values, x, descending=True)


@builtin("MATCH", "VRV", min_args=2)
def MATCH(x: Any, arr: Any, kind: Any = MISSING) -> float:
    mode = 1 if kind is MISSING else to_int(kind)
    mode = 1 if mode > 0 else (-1 if mode < 0 else 0)
    i = _match_index(x, _vector(arr, used=True), mode)
    if i < 0:
        raise ErrorResult(NA)
    return float(i + 1)


def _table_lookup(x: Any, table: Any, index: Any, approx: Any, vertical: bool) -> Any:
    if not isinstance(table, GRID):
        raise ErrorResult(VALUE if table.__class__ is not XlError else table)
    k = to_int(index)
    rows, cols = table.shape
    if k < 1:
        raise ErrorResult(VALUE)
    if k > (cols if vertical else rows):
        raise ErrorResult(REF)
    approximate = True if approx is MISSING else to_bool(approx)
    part = table.used() if isinstance(table, Range) else table
    if part is None:  # wholly blank: nothing matches
        raise ErrorResult(NA)
    if vertical:
        keys = [table.cell(i, 0) for i in range(part.shape[0])]
    else:
        keys = [table.cell(0, j) for j in range(part.shape[1])]
    i = _match_index(x, keys, 1 if approximate else 0)
    if i < 0:
        raise ErrorResult(NA)
    v = table.cell(i, k - 1) if vertical else table.cell(k - 1, i)
    return v


@builtin("VLOOKUP", "VRVV", min_args=3)
def VLOOKUP(x: Any, table: Any, col: Any, approx: Any = MISSING) -> Any:
    return _table_lookup(x, table, col, approx, True)


@builtin("HLOOKUP", "VRVV", min_args=3)
def HLOOKUP(x: Any, table: Any, row: Any, approx: Any = MISSING) -> Any:
    return _table_lookup(x, table, row, approx, False)


@builtin("LOOKUP", "VAA", min_args=2)
def LOOKUP(x: Any, lookup: Any, result: Any = MISSING) -> Any:
    if result is MISSING:
        if not isinstance(lookup, GRID):
            raise ErrorResult(NA)
        rows, cols = lookup.shape
        part = lookup.used() if isinstance(lookup, Range) else lookup
        if part is None:
            raise ErrorResult(NA)
        if cols > rows:
            keys = [lookup.cell(0, j) for j in range(part.shape[1])]
            i = _approx_ascending(keys, x)
            if i < 0:
                raise ErrorResult(NA)
            return lookup.cell(rows - 1, i)
        keys = [lookup.cell(i, 0) for i in range(part.shape[0])]
        i = _approx_ascending(keys, x)
        if i < 0:
            raise ErrorResult(NA)
        return lookup.cell(i, cols - 1)
    keys = _vector(lookup, used=True)
    out = result if isinstance(result, GRID) else Array([[result]])
    rows, cols = out.shape
    if rows != 1 and cols != 1:
        raise ErrorResult(NA)
    i = _approx_ascending(keys, x)
    if i < 0 or i >= max(rows, cols):
        raise ErrorResult(NA)
    return out.cell(i, 0) if cols == 1 else out.cell(0, i)


@builtin("INDEX", "AVVV", min_args=2, lift=False)
def INDEX(arr: Any, row: Any, col: Any = MISSING, area: Any = MISSING) -> Any:
    if isinstance(arr, Multi):
        n = 1 if area is MISSING else to_int(area)
        if not 1 <= n <= len(arr.areas):
            raise ErrorResult(REF)
        arr = arr.areas[n - 1]
    elif area is not MISSING and to_int(area) != 1:
        raise ErrorResult(REF)
    if not isinstance(arr, GRID):
        arr = Array([[arr]])
    rows, cols = arr.shape
    r = 0 if row is MISSING else to_int(row)
    c = 0 if col is MISSING else to_int(col)
    if col is MISSING and rows == 1 and cols > 1:
        r, c = 0, r  # INDEX(row_range, n): n counts columns
        if c < 0 or c > cols:
            raise ErrorResult(REF)
        return _index_part(arr, 0, c)
    if r < 0 or c < 0 or r > rows or c > cols:
        raise ErrorResult(REF)
    if col is MISSING and cols > 1 and r > 0:
        return _index_part(arr, r, 0)
    return _index_part(arr, r, c)


def _index_part(arr: Any, r: int, c: int) -> Any:
    rows, cols = arr.shape
    i1, i2 = (r - 1, r - 1) if r else (0, rows - 1)
    j1, j2 = (c - 1, c - 1) if c else (0, cols - 1)
    if isinstance(arr, Range):
        return arr.sub(i1, j1, i2, j2)
    data = [row[j1 : j2 + 1] for row in arr.rows()[i1 : i2 + 1]]
    if len(data) == 1 and len(data[0]) == 1:
        return data[0][0]
    return Array(data)


def _blank_find(keys: list[Any], total: int, search: int) -> int:
    """XLOOKUP's and XMATCH's exact match of an empty lookup value (a blank cell): the
    first blank cell in the search order. Excel-captured evidence (formualizer PR #438,
    Excel 365 for Mac) says XLOOKUP and XMATCH do not follow MATCH here (MATCH reads the
    blank as 0), and LibreOffice made XLOOKUP find blank cells to agree with Excel
    (tdf#160711); whether a 0, an empty text or FALSE met on the way matches too is not
    documented: such a cell before the first blank is refused, never guessed. ``keys``
    are the range's used cells, ``total`` its size (the cells past ``keys`` are blank)."""
    order = range(total) if search > 0 else range(total - 1, -1, -1)
    for i in order:
        v = keys[i] if i < len(keys) else EMPTY
        if v is EMPTY:
            return i
        if (v.__class__ is float and v == 0.0) or v == "" or v is False:
            raise Unsupported(
                "XLOOKUP or XMATCH of an empty lookup value where 0, an empty text or FALSE "
                "comes before the first blank cell: not evaluated",
                "XLOOKUP",
            )
    return -1


def _xfind(x: Any, keys: list[Any], mode: int, search: int, total: int | None = None) -> int:
    """0-based position of x in keys by XLOOKUP's and XMATCH's match mode (0 exact, -1
    exact or next smaller, 1 exact or next larger, 2 wildcards) and search mode (1 first
    to last, -1 last to first; the binary searches 2 and -2 as 1 and -1); -1 if none.
    ``total``: the size of the range ``keys`` are the used cells of (default: as many)."""
    if x is EMPTY or x is MISSING:
        if mode != 0 or abs(search) != 1:
            raise Unsupported(
                "XLOOKUP or XMATCH of an empty lookup value with a match mode other than "
                "exact or a binary search: not evaluated",
                "XLOOKUP",
            )
        return _blank_find(keys, len(keys) if total is None else total, search)
    if abs(search) == 2 and not _strictly_sorted(keys, search > 0):
        # Excel's binary search on unsorted data (or on repeated values) finds what its
        # probing finds, not the first match: not guessed
        raise Unsupported("XLOOKUP or XMATCH binary search of unsorted data", "XLOOKUP")
    order = range(len(keys)) if search > 0 else range(len(keys) - 1, -1, -1)
    found = -1
    if mode in (0, 2):
        if mode == 2 and x.__class__ is str:
            rx = wildcard_regex(x)
            eq: Callable[[Any], bool] = lambda v: v.__class__ is str and bool(rx.fullmatch(v))  # noqa: E731
        elif x.__class__ is str:
            low = x.lower()
            eq = lambda v: v.__class__ is str and v.lower() == low  # noqa: E731
        else:
            cls = x.__class__
            eq = lambda v: v.__class__ is cls and v == x  # noqa: E731
        return next((i for i in order if eq(keys[i])), -1)
    best = None
    for i in order:
        v = keys[i]
        if v.__class__ is XlError or not _same_kind(x, v):
            continue
        c = compare(v, x)
        if c == 0:
            return i
        closer = best is None or compare(v, best) == (1 if mode == -1 else -1)
        if ((mode == -1 and c < 0) or (mode == 1 and c > 0)) and closer:
            best, found = v, i
    return found


def _strictly_sorted(keys: list[Any], ascending: bool) -> bool:
    """Whether the values are all numbers or all text, each strictly after the last."""
    cls = keys[0].__class__ if keys else float
    if cls not in (float, str) or any(v.__class__ is not cls for v in keys):
        return False
    want = -1 if ascending else 1
    return all(compare(a, b) == want for a, b in itertools.pairwise(keys))


@builtin("XLOOKUP", "VAAVVV", min_args=3, lift=False)
def XLOOKUP(
    x: Any,
    lookup: Any,
    result: Any,
    if_not_found: Any = MISSING,
    match_mode: Any = MISSING,
    search_mode: Any = MISSING,
) -> Any:
    if isinstance(x, GRID):
        raise Unsupported("XLOOKUP with several lookup values")
    if x.__class__ is XlError:
        return x
    mode = 0 if match_mode is MISSING else to_int(match_mode)
    search = 1 if search_mode is MISSING else to_int(search_mode)
    if mode not in (0, -1, 1, 2) or search not in (1, -1, 2, -2):
        raise ErrorResult(VALUE)
    if not isinstance(lookup, GRID) or not isinstance(result, GRID):
        raise ErrorResult(VALUE)
    lr, lc = lookup.shape
    if lr != 1 and lc != 1:
        raise ErrorResult(VALUE)
    vertical = lc == 1 and not (lr == 1 and result.shape[0] == 1 and result.shape[1] > 1)
    rr, rc = result.shape
    if (vertical and rr != lr * lc) or (not vertical and rc != lr * lc):
        raise ErrorResult(VALUE)
    keys = _vector(lookup, used=True)  # blank cells past the used ones match only a blank
    found = _xfind(x, keys, mode, search, lr * lc)
    if found < 0:
        if if_not_found is MISSING:
            raise ErrorResult(NA)
        return if_not_found
    if vertical:
        part = result.sub(found, 0, found, rc - 1) if isinstance(result, Range) else None
        if part is None:
            row = result.rows()[found]
            return row[0] if rc == 1 else Array([row])
        return part
    if isinstance(result, Range):
        return result.sub(0, found, rr - 1, found)
    col = [[row[found]] for row in result.rows()]
    return col[0][0] if rr == 1 else Array(col)


@builtin("XMATCH", "VAVV", min_args=2)
def XMATCH(x: Any, lookup: Any, match_mode: Any = MISSING, search_mode: Any = MISSING) -> float:
    mode = 0 if match_mode is MISSING else to_int(match_mode)
    search = 1 if search_mode is MISSING else to_int(search_mode)
    if mode not in (0, -1, 1, 2) or search not in (1, -1, 2, -2):
        raise ErrorResult(VALUE)
    if not isinstance(lookup, GRID):
        lookup = Array([[lookup]])
    if 1 not in lookup.shape:
        raise ErrorResult(VALUE)
    i = _xfind(x, _vector(lookup, used=True), mode, search, lookup.size)
    if i < 0:
        raise ErrorResult(NA)
    return float(i + 1)


@builtin("ROW", "R", min_args=0, lift=False, needs_ctx=True)
def ROW(ctx: Any, ref: Any = MISSING) -> Any:
    if ref is MISSING:
        return float(ctx.row)
    if not isinstance(ref, Range):
        raise ErrorResult(VALUE)
    if ref.shape[0] == 1:
        return float(ref.r1)
    return Array([[float(r)] for r in range(ref.r1, ref.r2 + 1)])


@builtin("COLUMN", "R", min_args=0, lift=False, needs_ctx=True)
def COLUMN(ctx: Any, ref: Any = MISSING) -> Any:
    if ref is MISSING:
        return float(ctx.col)
    if not isinstance(ref, Range):
        raise ErrorResult(VALUE)
    if ref.shape[1] == 1:
        return float(ref.c1)
    return Array([[float(c) for c in range(ref.c1, ref.c2 + 1)]])


@builtin("ROWS", "A", lift=False)
def ROWS(a: Any) -> float:
    if isinstance(a, Multi):
        raise ErrorResult(REF)
    return float(shape_of(a)[0])


@builtin("COLUMNS", "A", lift=False)
def COLUMNS(a: Any) -> float:
    if isinstance(a, Multi):
        raise ErrorResult(REF)
    return float(shape_of(a)[1])


@builtin("ADDRESS", "VVVVV", min_args=2)
def ADDRESS(
    row: Any, col: Any, abs_num: Any = MISSING, a1: Any = MISSING, sheet: Any = MISSING
) -> str:
    r, c = to_int(row), to_int(col)
    k = 1 if abs_num is MISSING else to_int(abs_num)
    if r < 1 or c < 1 or k not in (1, 2, 3, 4):
        raise ErrorResult(VALUE)
    if a1 is not MISSING and not to_bool(a1):
        rs = f"R{r}" if k in (1, 2) else f"R[{r}]"
        cs = f"C{c}" if k in (1, 3) else f"C[{c}]"
        out = rs + cs
    else:
        out = ("$" if k in (1, 3) else "") + col_letters(c) + ("$" if k in (1, 2) else "") + str(r)
    if sheet is not MISSING:
        s = to_text(sheet)
        if re.search(r"[^A-Za-z0-9_.\[\]]", s):
            s = quote_sheet(s)
        out = f"{s}!{out}"
    return out


@builtin("HYPERLINK", "VV", min_args=1)
def HYPERLINK(link: Any, name: Any = MISSING) -> Any:
    return link if name is MISSING else name


@builtin("TRANSPOSE", "A", lift=False)
def TRANSPOSE(a: Any) -> Any:
    rows = grid_of(a)
    return Array([[_empty_to_zero(v) for v in col] for col in zip(*rows, strict=True)])


def _empty_to_zero(v: Any) -> Any:
    return 0.0 if v is EMPTY else v
