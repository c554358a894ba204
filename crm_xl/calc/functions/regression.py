"""Excel's LINEST for one explanatory variable, and FORECAST (FORECAST.LINEAR): the least-squares line ``y = m·x + b``
through known points, with (``stats``) its standard errors, R², the standard error of y,
the F statistic, the degrees of freedom and the regression and residual sums of squares.

Several explanatory variables (Excel's multiple regression, with its own treatment of
collinear columns), all-equal x values and a fit with no degree of freedom left are
refused ("not evaluated") rather than guessed.

Example (Microsoft's LINEST page, example 1: slope 2, intercept 1)::

    >>> from crm_xl.calc.values import Array
    >>> LINEST(Array([[1.0], [9.0], [5.0], [7.0]]), Array([[0.0], [4.0], [2.0], [3.0]]))
    Array([[2.0, 1.0]])
"""

from __future__ import annotations

import math
from typing import Any

from crm_xl.calc.conversions import to_bool
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    EMPTY,
    ERRORS,
    GRID,
    MISSING,
    NA,
    REF,
    VALUE,
    Array,
    ErrorResult,
    Range,
    Unsupported,
    XlError,
    grid_of,
    shape_of,
)

DIV0 = ERRORS["#DIV/0!"]


def _numbers(a: Any) -> tuple[list[float], tuple[int, int]]:
    if not isinstance(a, GRID) and a.__class__ is not float:
        raise ErrorResult(VALUE)
    values = [v for row in grid_of(a) for v in row]
    for v in values:
        if v.__class__ is XlError:
            raise ErrorResult(v)
        if v.__class__ is not float:
            raise ErrorResult(VALUE)
    return values, shape_of(a)


@builtin("LINEST", "AAVV", min_args=1, lift=False)
def LINEST(known_y: Any, known_x: Any = MISSING, const: Any = MISSING, stats: Any = MISSING) -> Any:
    ys, yshape = _numbers(known_y)
    if known_x is MISSING:
        xs = [float(i + 1) for i in range(len(ys))]
    else:
        xs, xshape = _numbers(known_x)
        if xshape != yshape:
            # y in one column: each column of x is a variable (one row: each row is)
            several = (yshape[1] == 1 and xshape[0] == yshape[0]) or (
                yshape[0] == 1 and xshape[1] == yshape[1]
            )
            if several:
                raise Unsupported("LINEST with several explanatory variables", "LINEST")
            raise ErrorResult(REF)
    with_const = const is MISSING or const is EMPTY or to_bool(const)
    with_stats = stats is not MISSING and stats is not EMPTY and to_bool(stats)
    n = len(ys)
    if with_const:
        xbar, ybar = sum(xs) / n, sum(ys) / n
        sxx = sum((x - xbar) ** 2 for x in xs)
        sxy = sum((x - xbar) * (y - ybar) for x, y in zip(xs, ys, strict=True))
    else:
        xbar = ybar = 0.0
        sxx = sum(x * x for x in xs)
        sxy = sum(x * y for x, y in zip(xs, ys, strict=True))
    if sxx == 0:
        raise Unsupported("LINEST of x values that are all equal", "LINEST")
    m = sxy / sxx
    b = ybar - m * xbar
    if not with_stats:
        return Array([[m, b]])
    df = n - (2 if with_const else 1)
    if df <= 0:
        raise Unsupported("LINEST statistics with no degree of freedom left", "LINEST")
    fitted = [m * x + b for x in xs]
    ss_resid = sum((y - f) ** 2 for y, f in zip(ys, fitted, strict=True))
    ss_reg = sum((f - ybar) ** 2 for f in fitted)
    sey = math.sqrt(ss_resid / df)
    se_m = sey / math.sqrt(sxx)
    se_b: Any = sey * math.sqrt(1 / n + xbar * xbar / sxx) if with_const else NA
    total = ss_reg + ss_resid
    r2 = ss_reg / total if total else 1.0
    if ss_resid == 0:
        raise Unsupported("LINEST statistics of points exactly on a line (F is infinite)", "LINEST")
    f_stat = ss_reg / (ss_resid / df)
    return Array([[m, b], [se_m, se_b], [r2, sey], [f_stat, float(df)], [ss_reg, ss_resid]])


def _pairs(known_y: Any, known_x: Any) -> tuple[list[float], list[float]]:
    """The (y, x) pairs of two ranges of the same size where both are numbers: text,
    logical values and blank cells of a reference are left out with their pair, as
    Excel's FORECAST page says; in an array constant they are refused, not guessed."""
    ys, xs = grid_of(known_y), grid_of(known_x)
    fy = [v for row in ys for v in row]
    fx = [v for row in xs for v in row]
    if len(fy) != len(fx):
        raise ErrorResult(NA)
    out_y, out_x = [], []
    for y, x in zip(fy, fx, strict=True):
        for v in (y, x):
            if v.__class__ is XlError:
                raise ErrorResult(v)
        if y.__class__ is float and x.__class__ is float:
            out_y.append(y)
            out_x.append(x)
        elif not (isinstance(known_y, Range) and isinstance(known_x, Range)):
            raise Unsupported("FORECAST of an array holding text or logical values", "FORECAST")
    if not out_y:
        raise ErrorResult(NA)
    return out_y, out_x


@builtin("FORECAST FORECAST.LINEAR", "VRR")
def FORECAST(x: Any, known_y: Any, known_x: Any) -> float:
    """The value at ``x`` of the least-squares line through the known points.

    >>> round(FORECAST(30.0, Array([[6.0, 7.0, 9.0, 15.0, 21.0]]), Array([[20.0, 28.0, 31.0, 38.0, 40.0]])), 6)
    10.607253
    """
    if x.__class__ is not float:
        raise ErrorResult(VALUE)
    ys, xs = _pairs(known_y, known_x)
    n = len(ys)
    xbar, ybar = sum(xs) / n, sum(ys) / n
    sxx = sum((v - xbar) ** 2 for v in xs)
    if sxx == 0:
        raise ErrorResult(DIV0)
    sxy = sum((a - xbar) * (b - ybar) for a, b in zip(xs, ys, strict=True))
    return ybar + sxy / sxx * (x - xbar)
