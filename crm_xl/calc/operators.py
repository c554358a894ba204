"""What Excel's operators do to values, and how a formula's result becomes a cell's value.

Arithmetic, comparison and ``&`` over numbers, text, booleans and errors (the left error
wins, text is converted, an overflow is ``#NUM!``), broadcast cell by cell over arrays
(:func:`lift`); implicit intersection, by which an ordinary formula reads one cell of a
range (:func:`intersect`); and :func:`final`, a result as the cell shows it.

Example::

    >>> BINARY["+"]("2", 1.0), BINARY["&"](1.0, True), BINARY["/"](1.0, 0.0)
    (3.0, '1TRUE', XlError('#DIV/0!'))
    >>> lift(lambda v: BINARY["*"](v[0], v[1]), [Array([[1.0, 2.0]]), 10.0], (0, 1)).data
    [[10.0, 20.0]]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from crm_xl.calc.conversions import compare, equal15, power, to_number, to_text
from crm_xl.calc.model import Ctx, Pending
from crm_xl.calc.values import (
    EMPTY,
    GRID,
    MISSING,
    NA,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Range,
    XlError,
    error,
    tail_start,
)


def final(v: Any) -> Any:
    """A cell's value as the caller sees it (an empty result shows 0, as in Excel)."""
    cls = v.__class__
    if cls is float or cls is str or cls is bool or cls is XlError:
        return v
    if v is EMPTY or v is MISSING:
        return 0.0
    if cls is int:
        return float(v)
    if cls is Pending:
        return v
    if isinstance(v, GRID):
        return final(v.cell(0, 0))
    return VALUE


def intersect_value(v: Any, row: int, col: int) -> Any:
    """One value of a result for cell (row, col): a range intersected, an array's first."""
    if v.__class__ is Range:
        return intersect(v, row, col)
    if v.__class__ is Array:
        return v.data[0][0]
    if v.__class__ is Multi:
        return VALUE
    return v


def intersect(rng: Range, row: int, col: int) -> Any:
    """Implicit intersection of a range with the formula's row or column."""
    if rng.r1 == rng.r2 and rng.c1 == rng.c2:
        return rng.sheet.get(rng.r1, rng.c1)
    if rng.c1 == rng.c2:
        return rng.sheet.get(row, rng.c1) if rng.r1 <= row <= rng.r2 else VALUE
    if rng.r1 == rng.r2:
        return rng.sheet.get(rng.r1, col) if rng.c1 <= col <= rng.c2 else VALUE
    if rng.r1 <= row <= rng.r2 and rng.c1 <= col <= rng.c2:
        return rng.sheet.get(row, col)
    return VALUE


def operand(v: Any, ctx: Ctx, arr: bool) -> Any:
    """An operator's operand: a range is intersected (ordinary formula) or read (array)."""
    if v.__class__ is Range:
        if arr:
            return Array(v.rows())
        return intersect(v, ctx.row, ctx.col)
    if v.__class__ is Multi:
        return VALUE
    return v


def intersecting(f: Callable[[Ctx], Any]) -> Callable[[Ctx], Any]:
    """A value argument of an ordinary formula: a range is reduced to the cell on the
    formula's row or column (implicit intersection); an array stays an array."""

    def g(ctx: Ctx) -> Any:
        v = f(ctx)
        cls = v.__class__
        if cls is Range:
            return intersect(v, ctx.row, ctx.col)
        if cls is Multi:
            return VALUE
        return v

    return g


def as_grid(v: Any) -> Any:
    """A range as an array of its values; anything else as it is."""
    return Array(v.rows()) if v.__class__ is Range else v


def nz(v: Any) -> Any:
    """An omitted argument as the 0 Excel gives it."""
    return 0.0 if v is MISSING else v


def scalar_of(v: Any, ctx: Ctx) -> Any:
    """:func:`intersect_value` for the cell being computed."""
    return intersect_value(v, ctx.row, ctx.col)


def _elem(v: Any, i: int, j: int) -> Any:
    if v.__class__ is Array:
        rows = v.data
        h, w = len(rows), len(rows[0])
        ii, jj = (0 if h == 1 else i), (0 if w == 1 else j)
        return rows[ii][jj] if ii < h and jj < w else NA
    return v


def lift(fn: Callable[[list[Any]], Any], values: list[Any], idx: tuple[int, ...]) -> Array:
    """Apply ``fn`` cell by cell over the arrays in ``values[idx]`` (Excel's broadcasting)."""
    values = list(values)
    h = w = 1
    for i in idx:
        if values[i].__class__ is Range:
            values[i] = Array(values[i].rows())
        if values[i].__class__ is Array:
            rh, rw = values[i].shape
            h, w = max(h, rh), max(w, rw)
    # the blank rows past a sheet's used range are one shared list (Range.rows): the
    # result of those rows is computed once and shared the same way
    stop = h
    if h > 2:
        arrays = [values[i].data for i in idx if values[i].__class__ is Array]
        if all(len(a) in (1, h) for a in arrays):
            stop = max((tail_start(a) for a in arrays if len(a) == h), default=h) + 1
    out: list[list[Any]] = []
    for r in range(min(stop, h)):
        row = []
        for c in range(w):
            vals = list(values)
            for i in idx:
                vals[i] = _elem(values[i], r, c)
            v = fn(vals)
            row.append(_elem(v, 0, 0) if v.__class__ is Array else v)
        out.append(row)
    if stop < h:
        out.extend(itertools.repeat(out[-1], h - stop))
    return Array(out)


def broadcast2(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Array:
    """A binary operator cell by cell over arrays (:func:`lift`)."""
    return lift(lambda v: op(v[0], v[1]), [a, b], (0, 1))


def _arith(fn: Callable[[float, float], float]) -> Callable[[Any, Any], Any]:
    def op(a: Any, b: Any) -> Any:
        if a.__class__ is XlError:
            return a
        if b.__class__ is XlError:
            return b
        try:
            x = to_number(a)
            y = to_number(b)
            r = fn(x, y)
        except ErrorResult as e:
            return e.error
        except ZeroDivisionError:
            return error("#DIV/0!")
        except OverflowError:
            return error("#NUM!")
        if r != r or r in (math.inf, -math.inf):
            return error("#NUM!")
        return r

    return op


def _cmp(test: Callable[[int], bool]) -> Callable[[Any, Any], Any]:
    def op(a: Any, b: Any) -> Any:
        if a.__class__ is XlError:
            return a
        if b.__class__ is XlError:
            return b
        return test(compare(a, b))

    return op


def _concat(a: Any, b: Any) -> Any:
    if a.__class__ is XlError:
        return a
    if b.__class__ is XlError:
        return b
    return to_text(a) + to_text(b)


def _div(x: float, y: float) -> float:
    if y == 0:
        raise ErrorResult(error("#DIV/0!"))
    return x / y


# infix operators on two values (not ranges): Excel's rules for every type
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": _arith(lambda x, y: x + y),
    "-": _arith(lambda x, y: x - y),
    "*": _arith(lambda x, y: x * y),
    "/": _arith(_div),
    "^": _arith(power),
    "&": _concat,
    "=": _cmp(lambda c: c == 0),
    "<>": _cmp(lambda c: c != 0),
    "<": _cmp(lambda c: c < 0),
    ">": _cmp(lambda c: c > 0),
    "<=": _cmp(lambda c: c <= 0),
    ">=": _cmp(lambda c: c >= 0),
}
# the same for two floats, the common case, without the checks (x / 0.0 raises)
FAST: dict[str, Callable[[float, float], Any]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    # comparisons to Excel's 15 significant digits (0.1+0.2=0.3 is TRUE); numbers further
    # apart than 2E-14 of x cannot be equal to 15 digits, the common case, decided at once
    "=": lambda x, y: x == y or (abs(x - y) <= abs(x) * 2e-14 and equal15(x, y)),
    "<>": lambda x, y: x != y and not (abs(x - y) <= abs(x) * 2e-14 and equal15(x, y)),
    "<": lambda x, y: x < y and not (abs(x - y) <= abs(x) * 2e-14 and equal15(x, y)),
    ">": lambda x, y: x > y and not (abs(x - y) <= abs(x) * 2e-14 and equal15(x, y)),
    "<=": lambda x, y: x <= y or (abs(x - y) <= abs(x) * 2e-14 and equal15(x, y)),
    ">=": lambda x, y: x >= y or (abs(x - y) <= abs(x) * 2e-14 and equal15(x, y)),
}


def neg(v: Any) -> Any:
    """Prefix ``-``."""
    if v.__class__ is XlError:
        return v
    try:
        return -to_number(v)
    except ErrorResult as e:
        return e.error


def percent(v: Any) -> Any:
    """Postfix ``%``."""
    if v.__class__ is XlError:
        return v
    try:
        return to_number(v) / 100
    except ErrorResult as e:
        return e.error
