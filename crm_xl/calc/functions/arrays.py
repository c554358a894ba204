"""Excel's dynamic-array functions (Excel 365's lookup and reference category): SEQUENCE,
FILTER, UNIQUE, SORT and SORTBY. Each returns an :class:`~crm_xl.calc.values.Array` that
spills (a one-value result is that value); nothing found is ``#CALC!``, as in Excel.

What Excel orders by its language's collation (text with punctuation or letters beyond
ASCII, where Excel's collation is not a character order) and blank cells or errors
among the sort keys are refused ("not evaluated") rather than guessed; plain text sorts
in Excel's default order (digits, then the space, then letters, case-insensitive).

Example::

    >>> SEQUENCE(2.0, 3.0)
    Array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> SORT(Array([[3.0], ["b"], [True], ["A"], [1.0]]))
    Array([[1.0], [3.0], ['A'], ['b'], [True]])
    >>> UNIQUE(Array([["a"], ["A"], ["b"]]))
    Array([['a'], ['b']])
"""

from __future__ import annotations

import functools
from typing import Any

from crm_xl.calc.conversions import compare, round15, to_bool, to_int, to_number
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    EMPTY,
    ERRORS,
    GRID,
    MISSING,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Unsupported,
    XlError,
    check_size,
    grid_of,
)

CALC = ERRORS["#CALC!"]


def _result(rows: list[list[Any]]) -> Any:
    """The rows as a spilling result (one value alone)."""
    if not rows or not rows[0]:
        raise ErrorResult(CALC)
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return Array(rows)


def _rows(a: Any) -> list[list[Any]]:
    """The rows of an argument, to read only (a range's blank rows are one shared list:
    what a function returns is copied from them)."""
    if isinstance(a, Multi):
        raise ErrorResult(VALUE)
    if isinstance(a, GRID):
        check_size(a.size)
    return grid_of(a)


def _flag(v: Any, default: bool) -> bool:
    return default if v is MISSING or v is EMPTY else to_bool(v)


# --- SEQUENCE ------------------------------------------------------------------------------


@builtin("SEQUENCE", "VVVV", min_args=1, lift=False)
def SEQUENCE(rows: Any, cols: Any = MISSING, start: Any = MISSING, step: Any = MISSING) -> Any:
    n = 1 if rows is MISSING else to_int(rows)
    m = 1 if cols is MISSING else to_int(cols)
    if n < 0 or m < 0:
        raise ErrorResult(VALUE)
    if n == 0 or m == 0:
        raise ErrorResult(CALC)
    check_size(n * m)
    a = 1.0 if start is MISSING else to_number(start)
    d = 1.0 if step is MISSING else to_number(step)
    return _result([[a + d * (i * m + j) for j in range(m)] for i in range(n)])


# --- FILTER -------------------------------------------------------------------------------


def _keep(v: Any) -> bool:
    if v.__class__ is XlError:
        raise ErrorResult(v)
    if v is EMPTY:
        return False
    if v.__class__ is str:
        raise ErrorResult(VALUE)
    return bool(v)


@builtin("FILTER", "AAV", min_args=2, lift=False, errors=True)
def FILTER(arr: Any, include: Any, if_empty: Any = MISSING) -> Any:
    if arr.__class__ is XlError:
        return arr
    rows = _rows(arr)
    flags = _rows(include)
    h, w = len(rows), len(rows[0])
    fh, fw = len(flags), len(flags[0])
    if fw == 1 and fh == h:
        out = [list(row) for row, f in zip(rows, flags, strict=True) if _keep(f[0])]
    elif fh == 1 and fw == w:
        keep = [j for j, f in enumerate(flags[0]) if _keep(f)]
        out = [[row[j] for j in keep] for row in rows] if keep else []
    else:
        raise ErrorResult(VALUE)
    if not out or not out[0]:
        if if_empty is MISSING:
            raise ErrorResult(CALC)
        return if_empty
    return _result(out)


# --- UNIQUE -------------------------------------------------------------------------------


def _key(v: Any) -> Any:
    cls = v.__class__
    if cls is str:
        return ("s", v.lower())
    if cls is float:
        return ("n", round15(v))
    if cls is bool:
        return ("b", v)
    if cls is XlError:
        return ("e", v.code)
    return ("blank",)


@builtin("UNIQUE", "AVV", min_args=1, lift=False)
def UNIQUE(arr: Any, by_col: Any = MISSING, exactly_once: Any = MISSING) -> Any:
    rows = _rows(arr)
    cols = _flag(by_col, False)
    items = [list(c) for c in zip(*rows, strict=True)] if cols else rows
    keys = [tuple(_key(v) for v in item) for item in items]
    if any(k == ("blank",) for key in keys for k in key) and any(
        k in (("n", 0.0), ("s", "")) for key in keys for k in key
    ):
        raise Unsupported(
            "UNIQUE over blank cells and zeros or empty text: not evaluated", "UNIQUE"
        )
    exact: dict[Any, float] = {}
    for item in items:
        for v in item:
            if v.__class__ is float and exact.setdefault(round15(v), v) != v:
                raise Unsupported(
                    "UNIQUE of numbers equal to 15 digits but not exactly: not evaluated",
                    "UNIQUE",
                )
    counts: dict[tuple[Any, ...], int] = {}
    first: dict[tuple[Any, ...], list[Any]] = {}
    for key, item in zip(keys, items, strict=True):
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, item)
    once = _flag(exactly_once, False)
    out = [list(item) for key, item in first.items() if not once or counts[key] == 1]
    if not out:
        raise ErrorResult(CALC)
    if cols:
        out = [list(r) for r in zip(*out, strict=True)]
    return _result(out)


# --- SORT and SORTBY --------------------------------------------------------------------

# Microsoft's "Default sort orders" (Excel's help on sorting): text is compared character
# by character, case-insensitively, in this order, then the letters A to Z; apostrophes
# and hyphens are ignored, except that of two texts the same but for a hyphen, the one
# with the hyphen comes last. Text with any other character (non-ASCII letters, control
# characters) is sorted by Windows' collation, which is not reproduced: not evaluated.
_ORDER = '0123456789 !"#$%&()*,./:;?@[\\]^_`{|}~+<=>abcdefghijklmnopqrstuvwxyz'
_RANK = {c: i for i, c in enumerate(_ORDER)}
_IGNORED = "'-"
_TYPE_ORDER = {float: 0, str: 1, bool: 2}


def _sort_key_check(v: Any, name: str) -> None:
    if v is EMPTY or v.__class__ is XlError:
        raise Unsupported(f"{name} with blanks or errors among its sort keys: not evaluated", name)
    if v.__class__ is str and any(c not in _RANK and c not in _IGNORED for c in v.lower()):
        raise Unsupported(
            f"{name} of text with non-ASCII letters or control characters (Excel's "
            "collation): not evaluated",
            name,
        )


def _text_key(s: str) -> tuple[int, ...]:
    """The ranks of a text's characters in Excel's default sort order (see ``_ORDER``),
    apostrophes and hyphens left out.

    >>> _text_key("a-B 1") == _text_key("ab 1"), _text_key("0") < _text_key(" ") < _text_key("_") < _text_key("a")
    (True, True)
    """
    return tuple(_RANK[c] for c in s.lower() if c not in _IGNORED)


def _text_cmp(a: str, b: str, name: str) -> int:
    """-1, 0 or 1: ``a`` and ``b`` in Excel's default sort order of text."""
    ka, kb = _text_key(a), _text_key(b)
    if ka != kb:
        return -1 if ka < kb else 1
    if a.lower() == b.lower():
        return 0  # the same but for case: they keep their order
    ha, hb = any(c in _IGNORED for c in a), any(c in _IGNORED for c in b)
    if ha != hb and "'" not in a + b:  # the same but for hyphens: the one with them last
        return 1 if ha else -1
    raise Unsupported(
        f"{name} of texts the same but for apostrophes or hyphens in both (Excel's rule "
        "says nothing of it): not evaluated",
        name,
    )


def _cmp(a: Any, b: Any, name: str = "SORT") -> int:
    ta, tb = _TYPE_ORDER[a.__class__], _TYPE_ORDER[b.__class__]
    if ta != tb:
        return -1 if ta < tb else 1
    if ta == 1:
        return _text_cmp(a, b, name)
    return compare(a, b)


def _sorted(items: list[list[Any]], keys: list[tuple[list[Any], int]], name: str) -> list:
    """``items`` sorted (stably) by each key column in turn, ``order`` 1 or -1."""
    for column, _ in keys:
        for v in column:
            _sort_key_check(v, name)
    idx = list(range(len(items)))

    def cmp(i: int, j: int) -> int:
        for column, order in keys:
            c = _cmp(column[i], column[j], name)
            if c:
                return c * order
        return 0

    idx.sort(key=functools.cmp_to_key(cmp))
    return [list(items[i]) for i in idx]


def _ints(v: Any) -> list[int]:
    return [to_int(x) for row in _rows(v) for x in row]


def _order(v: Any) -> int:
    o = 1 if v is MISSING else to_int(v)
    if o not in (1, -1):
        raise ErrorResult(VALUE)
    return o


@builtin("SORT", "AAAV", min_args=1, lift=False)
def SORT(arr: Any, index: Any = MISSING, order: Any = MISSING, by_col: Any = MISSING) -> Any:
    rows = _rows(arr)
    cols = _flag(by_col, False)
    items = [list(c) for c in zip(*rows, strict=True)] if cols else rows
    width = len(items[0])
    indices = [1] if index is MISSING else _ints(index)
    orders = [1] if order is MISSING else [_order(o) for o in _ints(order)]
    if len(orders) == 1:
        orders = orders * len(indices)
    if len(orders) != len(indices):
        raise ErrorResult(VALUE)
    keys = []
    for k, o in zip(indices, orders, strict=True):
        if not 1 <= k <= width:
            raise ErrorResult(VALUE)
        keys.append(([item[k - 1] for item in items], o))
    out = _sorted(items, keys, "SORT")
    if cols:
        out = [list(r) for r in zip(*out, strict=True)]
    return _result(out)


@builtin("SORTBY", "AAV", repeat=2, min_args=2, lift=False)
def SORTBY(arr: Any, *by: Any) -> Any:
    rows = _rows(arr)
    h, w = len(rows), len(rows[0])
    pairs = [(by[i], by[i + 1] if i + 1 < len(by) else MISSING) for i in range(0, len(by), 2)]
    vertical = None
    keys = []
    for key, order in pairs:
        g = _rows(key)
        kh, kw = len(g), len(g[0])
        if kw == 1 and kh == h and vertical is not False:
            vertical, column = True, [r[0] for r in g]
        elif kh == 1 and kw == w and vertical is not True:
            vertical, column = False, list(g[0])
        else:
            raise ErrorResult(VALUE)
        keys.append((column, _order(order)))
    if vertical:
        return _result(_sorted(rows, keys, "SORTBY"))
    out = _sorted([list(c) for c in zip(*rows, strict=True)], keys, "SORTBY")
    return _result([list(r) for r in zip(*out, strict=True)])
