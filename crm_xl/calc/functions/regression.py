"""Excel's regression functions: LINEST and LOGEST (a line, or a curve ``y = b·m^x``, through
known points, with ``stats`` their standard errors, r², the standard error of y, F, the
degrees of freedom and the sums of squares), TREND and GROWTH (the values of that line or
curve at new x), and FORECAST (FORECAST.LINEAR). The fit and Excel's rules for collinear
columns and statistics are in :mod:`crm_xl.calc.functions.least_squares`.

How the x values are read (Microsoft's LINEST page): x of the same shape as y is one
variable; otherwise, with y in one column each column of x is a variable, with y in one
row each row is; any other shape is ``#REF!``; text, logical values or blank cells among
the known values are ``#VALUE!``. The result has a column per variable in REVERSE order
of the x columns, then the constant; with ``stats`` five rows, ``#N/A`` after the first two
values of rows 3 to 5. FORECAST.ETS and its kind (exponential smoothing with Excel's own
undocumented fitting of its parameters) are refused, not guessed.

Example (Microsoft's LINEST page, example 1: slope 2, intercept 1)::

    >>> from crm_xl.calc.values import Array
    >>> LINEST(Array([[1.0], [9.0], [5.0], [7.0]]), Array([[0.0], [4.0], [2.0], [3.0]]))
    Array([[2.0, 1.0]])
"""

from __future__ import annotations

import math
from typing import Any

from crm_xl.calc.conversions import round15, to_bool
from crm_xl.calc.functions.least_squares import Fit, fit
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    EMPTY,
    ERRORS,
    GRID,
    MISSING,
    NA,
    NUM,
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


def _numbers(a: Any) -> tuple[list[list[float]], tuple[int, int]]:
    if not isinstance(a, GRID) and a.__class__ is not float:
        raise ErrorResult(VALUE)
    rows = grid_of(a)
    for row in rows:
        for v in row:
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if v.__class__ is not float:
                raise ErrorResult(VALUE)
    return rows, shape_of(a)


def _flag(v: Any, default: bool) -> bool:
    return default if v is MISSING or v is EMPTY else to_bool(v)


def _variables(known_y: Any, known_x: Any) -> tuple[list[float], list[list[float]], str]:
    """The y values, the x variables (one list each) and how they lie: ``same`` (one
    variable shaped like y), ``cols`` (y in a column, a variable per column of x) or
    ``rows`` (y in a row, a variable per row)."""
    yrows, yshape = _numbers(known_y)
    ys = [v for row in yrows for v in row]
    if known_x is MISSING:
        return ys, [[float(i + 1) for i in range(len(ys))]], "same"
    xrows, xshape = _numbers(known_x)
    if (
        xshape == yshape
        and not (yshape[1] == 1 and yshape[0] > 1)
        and not (yshape[0] == 1 and yshape[1] > 1)
    ):
        return ys, [[v for row in xrows for v in row]], "same"
    if yshape[1] == 1 and xshape[0] == yshape[0]:
        return ys, [list(col) for col in zip(*xrows, strict=True)], "cols"
    if yshape[0] == 1 and xshape[1] == yshape[1]:
        return ys, [list(row) for row in xrows], "rows"
    raise ErrorResult(REF)


def _table(f: Fit, with_stats: bool, transform: Any = None) -> Array:
    out = [*reversed(f.coefficients), f.intercept]
    if transform is not None:
        out = [round15(transform(v)) for v in out]
    if not with_stats:
        return Array([out])
    se, se_b, (r2, sey, f_stat, df, ss_reg, ss_resid) = f.statistics()
    pad = [NA] * (len(out) - 2)
    return Array(
        [
            out,
            [*reversed(se), NA if se_b is None else se_b],
            [r2, sey, *pad],
            [f_stat, df, *pad],
            [ss_reg, ss_resid, *pad],
        ]
    )


@builtin("LINEST", "AAVV", min_args=1, lift=False)
def LINEST(known_y: Any, known_x: Any = MISSING, const: Any = MISSING, stats: Any = MISSING) -> Any:
    """The coefficients of the least-squares line, the last x column first.

    >>> LINEST(Array([[1.0], [2.0], [4.0]]), Array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]]))
    Array([[0.0, 1.5, -0.666666666666667]])
    """
    ys, columns, _ = _variables(known_y, known_x)
    f = fit(columns, ys, _flag(const, True))
    return _table(f, _flag(stats, False))


def _logs(ys: list[float]) -> list[float]:
    if any(y <= 0 for y in ys):
        raise ErrorResult(NUM)
    return [math.log(y) for y in ys]


@builtin("LOGEST", "AAVV", min_args=1, lift=False)
def LOGEST(known_y: Any, known_x: Any = MISSING, const: Any = MISSING, stats: Any = MISSING) -> Any:
    """The curve ``y = b·m1^x1·…`` fitted to ln y by least squares: the m's (the last x
    column first) and b; the statistics are those of the fit of ln y.

    >>> LOGEST(Array([[2.0, 4.0, 8.0]]), Array([[1.0, 2.0, 3.0]]))
    Array([[2.0, 1.0]])
    """
    ys, columns, _ = _variables(known_y, known_x)
    f = fit(columns, _logs(ys), _flag(const, True), "LOGEST")
    return _table(f, _flag(stats, False), math.exp)


def _new_points(
    layout: str, columns: list[list[float]], yshape: tuple[int, int], new_x: Any, name: str
) -> tuple[list[list[float]], tuple[int, int]]:
    """The new x values, one list per variable, and the shape of the result."""
    k = len(columns)
    if new_x is MISSING:
        if layout == "cols":
            return columns, (len(columns[0]), 1)
        if layout == "rows":
            return columns, (1, len(columns[0]))
        return columns, yshape
    rows, (r, c) = _numbers(new_x)
    if layout == "cols" and c == k:
        return [list(col) for col in zip(*rows, strict=True)], (r, 1)
    if layout == "rows" and r == k:
        return [list(row) for row in rows], (1, c)
    if k == 1 and (r, c) in ((1, 1), yshape):
        return [[v for row in rows for v in row]], (r, c)
    raise Unsupported(f"{name} of new x values shaped unlike the known x values", name)


def _at_new_points(
    known_y: Any, known_x: Any, new_x: Any, const: Any, name: str, log: bool
) -> Array:
    ys, columns, layout = _variables(known_y, known_x)
    f = fit(columns, _logs(ys) if log else ys, _flag(const, True), name)
    points, (r, c) = _new_points(layout, columns, shape_of(known_y), new_x, name)
    values = f.predict(points)
    if log:
        values = [round15(math.exp(v)) for v in f.raw_values(points)]
    return Array([values[i * c : (i + 1) * c] for i in range(r)])


@builtin("TREND", "AAAV", min_args=1, lift=False)
def TREND(
    known_y: Any, known_x: Any = MISSING, new_x: Any = MISSING, const: Any = MISSING
) -> Array:
    """The values of the least-squares line at ``new_x`` (at the known x when omitted).

    >>> TREND(Array([[1.0], [9.0], [5.0], [7.0]]), Array([[0.0], [4.0], [2.0], [3.0]]), Array([[5.0], [6.0]]))
    Array([[11.0], [13.0]])
    """
    return _at_new_points(known_y, known_x, new_x, const, "TREND", log=False)


@builtin("GROWTH", "AAAV", min_args=1, lift=False)
def GROWTH(
    known_y: Any, known_x: Any = MISSING, new_x: Any = MISSING, const: Any = MISSING
) -> Array:
    """The values of LOGEST's curve at ``new_x`` (at the known x when omitted).

    >>> GROWTH(Array([[2.0, 4.0, 8.0]]), Array([[1.0, 2.0, 3.0]]), Array([[4.0, 5.0]]))
    Array([[16.0, 32.0]])
    """
    return _at_new_points(known_y, known_x, new_x, const, "GROWTH", log=True)


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
