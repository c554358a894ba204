"""Excel's math and trigonometry functions: sums and products (SUM, SUMPRODUCT...),
rounding, division, powers and logarithms, trigonometry, factorials, CEILING and FLOOR.
SUMIF and SUMIFS are in :mod:`crm_xl.calc.functions.criteria`, SUBTOTAL and AGGREGATE in
:mod:`crm_xl.calc.functions.aggregate`, matrix algebra in :mod:`crm_xl.calc.functions.matrix`.

Each function is the worksheet function of its name. ``ROUND`` rounds halves away from
zero, with decimal arithmetic on the number to 15 significant digits (:func:`round_digits`).

Example::

    >>> ROUND(2.675, 2.0), MOD(-3.0, 2.0), SUM(1.0, "2", True), TRUNC(-2.7)
    (2.68, 1.0, 4.0, -2.0)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation
from typing import Any

from crm_xl.calc.conversions import (
    check,
    no_bool_number,
    numbers,
    power,
    round15,
    to_int,
    to_number,
)
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    AREAS,
    DIV0,
    EMPTY,
    GRID,
    MISSING,
    NA,
    NUM,
    VALUE,
    ErrorResult,
    Multi,
    Range,
    XlError,
    flat_values,
    grid_of,
    shape_of,
    tail_start,
)

# --- sums and products ----------------------------------------------------------------------


@builtin("SUM", "R", repeat=1, min_args=1)
def SUM(*args: Any) -> float:
    if len(args) == 1 and args[0].__class__ is Range:
        total = 0.0
        for v in args[0].stored():
            if v.__class__ is float:
                total += v
            elif v.__class__ is XlError:
                raise ErrorResult(v)
        return check(total)
    return check(sum(numbers(args)))


@builtin("PRODUCT", "R", repeat=1, min_args=1)
def PRODUCT(*args: Any) -> float:
    nums = numbers(args)
    return check(math.prod(nums)) if nums else 0.0


@builtin("SUMSQ", "R", repeat=1, min_args=1)
def SUMSQ(*args: Any) -> float:
    return check(sum(x * x for x in numbers(args)))


def _same_shape_grids(args: tuple[Any, ...]) -> list[list[list[Any]]]:
    """The rows of each argument; arguments of different shapes are #VALUE!."""
    grids = []
    shape = None
    for a in args:
        if isinstance(a, Multi):
            raise ErrorResult(VALUE)
        s = shape_of(a)
        if shape is None:
            shape = s
        elif s != shape:
            raise ErrorResult(VALUE)
        grids.append(grid_of(a))
    return grids


@builtin("SUMPRODUCT", "A", repeat=1, min_args=1)
def SUMPRODUCT(*args: Any) -> float:
    if all(not isinstance(a, AREAS) or (isinstance(a, GRID) and a.size == 1) for a in args):
        product = 1.0  # single values: text is an error here, not 0
        for a in args:
            v = a.cell(0, 0) if isinstance(a, GRID) else a
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if v is EMPTY or v is MISSING:
                v = 0.0
            if v.__class__ is not float:
                raise ErrorResult(VALUE)
            product *= v
        return product
    grids = _same_shape_grids(args)
    n = len(grids[0])
    stop = max(map(tail_start, grids)) + 1  # the blank rows past the used range: once
    if stop > n:  # no blank rows shared: cell by cell
        total = 0.0
        for cells in zip(*(itertools.chain.from_iterable(g) for g in grids), strict=True):
            p = 1.0
            for v in cells:
                if v.__class__ is XlError:
                    raise ErrorResult(v)
                p *= v if v.__class__ is float else 0.0
            total += p
        return check(total)
    total = row_total = 0.0
    for i, rows in enumerate(zip(*grids, strict=True)):
        if i == stop:
            total += row_total * (n - stop)
            break
        row_total = 0.0
        for cells in zip(*rows, strict=True):
            p = 1.0
            for v in cells:
                if v.__class__ is XlError:
                    raise ErrorResult(v)
                p *= v if v.__class__ is float else 0.0
            row_total += p
        total += row_total
    return check(total)


def _pairs(x: Any, y: Any) -> list[tuple[float, float]]:
    """Number pairs of two arrays of the same size (shapes may differ); errors in x, then
    in y, win; no pair at all is #DIV/0!."""
    gx, gy = list(flat_values(x)), list(flat_values(y))
    if len(gx) != len(gy):
        raise ErrorResult(NA)
    for g in (gx, gy):
        for v in g:
            if v.__class__ is XlError:
                raise ErrorResult(v)
    out = [
        (a, b) for a, b in zip(gx, gy, strict=True) if a.__class__ is float and b.__class__ is float
    ]
    if not out:
        raise ErrorResult(DIV0)
    return out


@builtin("SUMX2MY2", "AA")
def SUMX2MY2(x: Any, y: Any) -> float:
    return sum(a * a - b * b for a, b in _pairs(x, y))


@builtin("SUMX2PY2", "AA")
def SUMX2PY2(x: Any, y: Any) -> float:
    return sum(a * a + b * b for a, b in _pairs(x, y))


@builtin("SUMXMY2", "AA")
def SUMXMY2(x: Any, y: Any) -> float:
    return sum((a - b) ** 2 for a, b in _pairs(x, y))


# --- rounding, division, powers, trigonometry ----------------------------------------------


_CTX = Context(prec=400)


def round_digits(x: float, digits: Any, mode: str) -> float:
    """``x`` rounded to ``digits`` decimals (negative: tens, hundreds...) with a
    :mod:`decimal` rounding ``mode``, on ``x`` to Excel's 15 significant digits (so 2.675
    is 2.675, as Excel sees it, not the binary 2.67499..., and 0.1+0.2 is 0.3).

    >>> round_digits(2.675, 2, ROUND_HALF_UP), round_digits(1234.5, -2, ROUND_HALF_UP)
    (2.68, 1200.0)
    >>> round_digits(0.1 + 0.2, 1, ROUND_UP), round_digits(1.05 * (0.0284 + 0.0046) - 0.0284, 4, ROUND_HALF_UP)
    (0.3, 0.0063)
    """
    d = to_int(digits)
    if x == 0 or not math.isfinite(x):
        return x
    try:
        q = Decimal(1).scaleb(-d)
        r = Decimal(f"{x:.15g}").quantize(q, rounding=mode, context=_CTX)
    except InvalidOperation:
        return x
    return float(r)


@builtin("ROUND", "VV")
def ROUND(x: Any, digits: Any) -> float:
    return round_digits(to_number(x), digits, ROUND_HALF_UP)


@builtin("ROUNDUP", "VV")
def ROUNDUP(x: Any, digits: Any) -> float:
    return round_digits(to_number(x), digits, ROUND_UP)


@builtin("ROUNDDOWN", "VV")
def ROUNDDOWN(x: Any, digits: Any) -> float:
    return round_digits(to_number(x), digits, ROUND_DOWN)


@builtin("TRUNC", "VV", min_args=1)
def TRUNC(x: Any, digits: Any = MISSING) -> float:
    return round_digits(to_number(x), 0.0 if digits is MISSING else digits, ROUND_DOWN)


@builtin("INT", "V")
def INT(x: Any) -> float:
    return float(math.floor(round15(to_number(x))))


@builtin("ABS", "V")
def ABS(x: Any) -> float:
    return abs(to_number(x))


@builtin("SIGN", "V")
def SIGN(x: Any) -> float:
    v = to_number(x)
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


@builtin("MOD", "VV")
def MOD(n: Any, d: Any) -> float:
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise ErrorResult(DIV0)
    return check(a - b * math.floor(a / b))


@builtin("QUOTIENT", "VV")
def QUOTIENT(n: Any, d: Any) -> float:
    a, b = no_bool_number(n), no_bool_number(d)
    if b == 0:
        raise ErrorResult(DIV0)
    return float(math.trunc(a / b))


@builtin("POWER", "VV")
def POWER(a: Any, b: Any) -> float:
    return power(to_number(a), to_number(b))


@builtin("SQRT", "V")
def SQRT(x: Any) -> float:
    v = to_number(x)
    if v < 0:
        raise ErrorResult(NUM)
    return math.sqrt(v)


@builtin("EXP", "V")
def EXP(x: Any) -> float:
    try:
        return check(math.exp(to_number(x)))
    except OverflowError:
        raise ErrorResult(NUM) from None


@builtin("LN", "V")
def LN(x: Any) -> float:
    v = to_number(x)
    if v <= 0:
        raise ErrorResult(NUM)
    return math.log(v)


@builtin("LOG10", "V")
def LOG10(x: Any) -> float:
    v = to_number(x)
    if v <= 0:
        raise ErrorResult(NUM)
    return math.log10(v)


@builtin("LOG", "VV", min_args=1)
def LOG(x: Any, base: Any = MISSING) -> float:
    v = to_number(x)
    b = 10.0 if base is MISSING else to_number(base)
    if v <= 0 or b <= 0:
        raise ErrorResult(NUM)
    if b == 1:
        raise ErrorResult(DIV0)
    return math.log(v) / math.log(b)


@builtin("PI", "")
def PI() -> float:
    return math.pi


def _unary_math(name: str, fn: Callable[[float], float], ok: Callable[[float], bool]) -> None:
    def impl(x: Any) -> float:
        v = to_number(x)
        if not ok(v):
            raise ErrorResult(NUM)
        try:
            return check(fn(v))
        except (ValueError, OverflowError):
            raise ErrorResult(NUM) from None

    builtin(name, "V")(impl)


for _name, _fn, _ok in (
    ("SIN", math.sin, lambda v: abs(v) < 2**27),
    ("COS", math.cos, lambda v: abs(v) < 2**27),
    ("TAN", math.tan, lambda v: abs(v) < 2**27),
    ("ASIN", math.asin, lambda v: -1 <= v <= 1),
    ("ACOS", math.acos, lambda v: -1 <= v <= 1),
    ("ATAN", math.atan, lambda v: True),
    ("SINH", math.sinh, lambda v: True),
    ("COSH", math.cosh, lambda v: True),
    ("TANH", math.tanh, lambda v: True),
    ("ASINH", math.asinh, lambda v: True),
    ("ACOSH", math.acosh, lambda v: v >= 1),
    ("ATANH", math.atanh, lambda v: -1 < v < 1),
    ("DEGREES", math.degrees, lambda v: True),
    ("RADIANS", math.radians, lambda v: True),
):
    _unary_math(_name, _fn, _ok)


@builtin("ATAN2", "VV")
def ATAN2(x: Any, y: Any) -> float:
    a, b = to_number(x), to_number(y)
    if a == 0 and b == 0:
        raise ErrorResult(DIV0)
    return math.atan2(b, a)


@builtin("FACT", "V")
def FACT(x: Any) -> float:
    v = to_number(x)
    if v < 0:
        raise ErrorResult(NUM)
    n = int(v)
    if n > 170:
        raise ErrorResult(NUM)
    return float(math.factorial(n))


@builtin("COMBIN", "VV")
def COMBIN(n: Any, k: Any) -> float:
    a, b = int(to_number(n)), int(to_number(k))
    if a < 0 or b < 0 or b > a:
        raise ErrorResult(NUM)
    return float(math.comb(a, b))


def _clean(x: float) -> float:
    return round15(x)


def _multiple(v: float, s: float, up: bool) -> float:
    """``v`` (to 15 digits) to a multiple of ``s``, up or down (towards +infinity or -infinity
    in units of ``s``): the quotient to 15 digits first, so 0.3/0.1 is 3, not 2.9999..."""
    q = round15(round15(v) / s)
    n = math.ceil(q) if up else math.floor(q)
    return _clean(n * s)


@builtin("CEILING", "VV", min_args=1)
def CEILING(x: Any, sig: Any = MISSING) -> float:
    v = to_number(x)
    s = to_number(sig) if sig is not MISSING else (1.0 if v >= 0 else -1.0)
    if v == 0 or s == 0:
        return 0.0
    if v > 0 and s < 0:
        raise ErrorResult(NUM)
    return _multiple(v, s, True)


@builtin("FLOOR", "VV", min_args=1)
def FLOOR(x: Any, sig: Any = MISSING) -> float:
    v = to_number(x)
    s = to_number(sig) if sig is not MISSING else 1.0
    if v == 0:
        return 0.0
    if s == 0:
        raise ErrorResult(DIV0)
    if v > 0 and s < 0:
        raise ErrorResult(NUM)
    return _multiple(v, s, False)


def _mode_away(mode: Any) -> bool:
    """CEILING.MATH's and FLOOR.MATH's mode: non-zero rounds negative numbers away from 0."""
    return mode is not MISSING and to_number(mode) != 0


@builtin("CEILING.MATH", "VVV", min_args=1)
def CEILING_MATH(x: Any, sig: Any = MISSING, mode: Any = MISSING) -> float:
    """Up to a multiple of ``|sig|`` (default 1); negative numbers towards 0 unless ``mode``."""
    v = to_number(x)
    s = abs(to_number(sig)) if sig is not MISSING else 1.0
    if v == 0 or s == 0:
        return 0.0
    return _multiple(v, s, not (v < 0 and _mode_away(mode)))


@builtin("FLOOR.MATH", "VVV", min_args=1)
def FLOOR_MATH(x: Any, sig: Any = MISSING, mode: Any = MISSING) -> float:
    """Down to a multiple of ``|sig|`` (default 1); negative numbers away from 0 unless
    ``mode``, which rounds them towards 0."""
    v = to_number(x)
    s = abs(to_number(sig)) if sig is not MISSING else 1.0
    if v == 0 or s == 0:
        return 0.0
    return _multiple(v, s, v < 0 and _mode_away(mode))


@builtin("CEILING.PRECISE ISO.CEILING", "VV", min_args=1)
def CEILING_PRECISE(x: Any, sig: Any = MISSING) -> float:
    """Up (towards +infinity) to a multiple of ``|sig|``, whatever the signs."""
    v = to_number(x)
    s = abs(to_number(sig)) if sig is not MISSING else 1.0
    if v == 0 or s == 0:
        return 0.0
    return _multiple(v, s, True)


@builtin("FLOOR.PRECISE", "VV", min_args=1)
def FLOOR_PRECISE(x: Any, sig: Any = MISSING) -> float:
    """Down (towards -infinity) to a multiple of ``|sig|``, whatever the signs."""
    v = to_number(x)
    s = abs(to_number(sig)) if sig is not MISSING else 1.0
    if v == 0 or s == 0:
        return 0.0
    return _multiple(v, s, False)


@builtin("MROUND", "VV")
def MROUND(x: Any, multiple: Any) -> float:
    """To the nearest multiple (halves away from 0); signs that differ are #NUM!."""
    v, m = no_bool_number(x), no_bool_number(multiple)
    if m == 0:
        return 0.0
    if (v > 0 and m < 0) or (v < 0 and m > 0):
        raise ErrorResult(NUM)
    q = Decimal(f"{round15(v / m):.15g}").quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _clean(float(q) * m)


@builtin("EVEN", "V")
def EVEN(x: Any) -> float:
    v = to_number(x)
    n = math.ceil(abs(v) / 2) * 2
    return float(n if v >= 0 else -n)


@builtin("ODD", "V")
def ODD(x: Any) -> float:
    v = to_number(x)
    n = math.ceil(abs(v))
    if n % 2 == 0:
        n += 1
    return float(n if v >= 0 else -n)
