"""Excel's regression functions (crm_xl.calc.functions.regression, the fit in
crm_xl.calc.functions.least_squares): LINEST with one and several x variables and its
statistics, LOGEST, TREND, GROWTH, FORECAST, and the refusal of FORECAST.ETS.

Where each expected value comes from is said beside it: Microsoft's function pages print
the results Excel gives for their examples (to about 10 significant digits, hence the
relative tolerance ``PRINTED``), MS-OI29500 §2.1.985 states Excel's rules for collinear
columns and shapes, and the rest is worked by hand.
"""

from __future__ import annotations

import math

import pytest

from crm_xl.calc.evaluator import Workbook
from crm_xl.calc.functions import call
from crm_xl.calc.values import NA, Array
from tests.helpers.formulas import E, ev, same

PRINTED = 5e-10  # a value printed to 10 significant digits


def column(*values):
    return Array([[float(v)] for v in values])


def close(got, expected, rel=PRINTED):
    """Two tables equal: numbers within ``rel``, errors the same."""
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected, strict=True):
        assert len(g) == len(e), (got, expected)
        for a, b in zip(g, e, strict=True):
            if isinstance(b, float):
                assert isinstance(a, float) and math.isclose(a, b, rel_tol=rel), (got, expected)
            else:
                assert a is b or a == b, (got, expected)


def reported(formula, **cells):
    """The one problem reported for ``formula`` in S!Z1 (nothing computed)."""
    wb = Workbook.from_cells({"S": {**cells, "Z1": formula}})
    values, problems = wb.recalculate([("S", "Z1")])
    assert values == {} and [p.where for p in problems] == ["S!Z1"], (values, problems)
    return problems[0].message


# Microsoft's LINEST page, "Example 4: multiple linear regression": floor space, offices,
# entrances, age of eleven office buildings (x1..x4) and their assessed value (y).
OFFICES = [
    (2310, 2, 2, 20, 142000),
    (2333, 2, 2, 12, 144000),
    (2356, 3, 1.5, 33, 151000),
    (2379, 3, 2, 43, 150000),
    (2402, 2, 3, 53, 139000),
    (2425, 4, 2, 23, 169000),
    (2448, 2, 1.5, 99, 126000),
    (2471, 2, 2, 34, 142900),
    (2494, 3, 3, 23, 163000),
    (2517, 4, 4, 55, 169000),
    (2540, 2, 3, 22, 149000),
]
X = Array([[float(v) for v in row[:4]] for row in OFFICES])
Y = Array([[float(row[4])] for row in OFFICES])
X_ROWS = Array([list(r) for r in zip(*X.rows(), strict=True)])  # a variable per row
Y_ROW = Array([[row[0] for row in Y.rows()]])

# The page's result table: m4 (age) first, the constant last.
OFFICES_STATS = [
    [-234.2371645, 2553.21066, 12529.76817, 27.64138737, 52317.83051],
    [13.26801148, 530.6691519, 400.0668382, 5.429374042, 12237.3616],
    [0.996747993, 970.5784629, NA, NA, NA],
    [459.7536742, 6.0, NA, NA, NA],
    [1732393319.0, 5652135.316, NA, NA, NA],
]
# The same with const FALSE, as Excel gives it: published with Excel's results in the
# test data of a public spreadsheet-formula library (10 digits). An r² of 0.9999 and an F
# of 18952 are only possible with the total sum of squares Σy² that Excel 2003 and later
# use without a constant (Microsoft KB 828533), and df is n − k = 7.
OFFICES_THROUGH_ORIGIN = [
    [-250.1350324, 1248.795225, 12540.26186, 50.71193751, 0.0],
    [23.71906247, 808.5983029, 745.0407108, 1.11437735, NA],
    [0.999907674, 1807.533164, NA, NA, NA],
    [18952.72317, 7.0, NA, NA, NA],
    [2.47688e11, 22870232.98, NA, NA, NA],
]


def test_microsofts_multiple_regression_with_its_statistics():
    close(call("LINEST", Y, X, True, True).rows(), OFFICES_STATS)
    # y in a row: each row of x is a variable, the same fit
    close(call("LINEST", Y_ROW, X_ROWS, True, True).rows(), OFFICES_STATS)
    # without stats: one row, the last x column's coefficient first
    close(call("LINEST", Y, X).rows(), OFFICES_STATS[:1])


def test_multiple_regression_through_the_origin():
    got = call("LINEST", Y, X, False, True).rows()
    close([r[:4] for r in got[:1]], [r[:4] for r in OFFICES_THROUGH_ORIGIN[:1]])
    assert got[0][4] == 0.0 and got[1][4] is NA  # b forced to 0 has no standard error
    close(got[1:4], OFFICES_THROUGH_ORIGIN[1:4])
    close(got[4:], OFFICES_THROUGH_ORIGIN[4:], rel=5e-6)  # 2.47688E+11: 6 digits printed


def test_the_same_fit_read_from_cells():
    cells = {}
    for r, row in enumerate(OFFICES, 1):
        for c, v in zip("ABCDE", row, strict=True):
            cells[f"{c}{r}"] = float(v)
    for (i, j), expected in {
        (1, 1): -234.2371645,
        (1, 5): 52317.83051,
        (3, 1): 0.996747993,
    }.items():
        got = ev(f"=INDEX(LINEST(E1:E11,A1:D11,TRUE,TRUE),{i},{j})", **cells)
        assert math.isclose(got, expected, rel_tol=PRINTED)
    assert same(ev("=INDEX(LINEST(E1:E11,A1:D11,TRUE,TRUE),4,3)", **cells), E("#N/A"))
    del cells["C4"]  # a blank cell among the known x: #VALUE!
    assert same(ev("=INDEX(LINEST(E1:E11,A1:D11),1)", **cells), E("#VALUE!"))


def test_microsofts_example_slope_and_intercept():
    # Microsoft's LINEST page, example 1: known_y 1, 9, 5, 7 against x 0, 4, 2, 3; an exact
    # fit gives exact numbers
    assert call("LINEST", column(1, 9, 5, 7), column(0, 4, 2, 3)) == Array([[2.0, 1.0]])
    assert same(ev("=INDEX(LINEST({1;9;5;7},{0;4;2;3}),1)"), 2.0)
    assert same(ev("=INDEX(LINEST({1;9;5;7},{0;4;2;3}),2)"), 1.0)


def test_statistics_worked_by_hand():
    # x 1..4, y 2, 3, 5, 6: xbar 2.5, ybar 4, Sxx 5, Sxy 7 -> m 1.4, b 0.5; residuals
    # 0.1, -0.3, 0.3, -0.1 -> SSresid 0.2, SSreg 9.8, df 2, sey sqrt(0.1)
    got = call("LINEST", column(2, 3, 5, 6), column(1, 2, 3, 4), True, True).rows()
    sey = math.sqrt(0.1)
    expected = [
        [1.4, 0.5],
        [sey / math.sqrt(5), sey * math.sqrt(0.25 + 6.25 / 5)],
        [0.98, sey],
        [98.0, 2.0],
        [9.8, 0.2],
    ]
    for g, e in zip(got, expected, strict=True):
        assert all(same(a, b) for a, b in zip(g, e, strict=True)), (got, expected)
    # the exact values, not values within rounding of them
    assert got[0] == [1.4, 0.5] and got[2][0] == 0.98 and got[3] == [98.0, 2.0]


def test_without_a_constant_and_default_x():
    # through the origin: m = Σxy/Σx² = (2+6+15+24)/30 with x 1..4 (omitted: 1, 2, 3...)
    got = call("LINEST", column(2, 3, 5, 6), Array([[1.0], [2.0], [3.0], [4.0]]), False)
    assert same(got.rows()[0][0], 47 / 30) and got.rows()[0][1] == 0.0
    assert call("LINEST", column(2, 3, 5, 6)).rows()[0] == [1.4, 0.5]
    stats = call("LINEST", column(2, 3, 5, 6), column(1, 2, 3, 4), False, True).rows()
    assert stats[1][1] is NA and stats[3][1] == 3.0  # no intercept: no error for it, df n-1
    # r² without a constant uses Σy² = 74: SSresid = 74 - 47²/30, r² = (47²/30)/74
    assert same(stats[2][0], (47**2 / 30) / 74) and same(stats[4][1], 74 - 47**2 / 30)


def test_one_variable_in_two_dimensions():
    # x and y of the same 3×2 shape are one variable of six points: x 1..6, y = 2x + 1
    y = Array([[3.0, 5.0], [7.0, 9.0], [11.0, 13.0]])
    x = Array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert call("LINEST", y, x) == Array([[2.0, 1.0]])
    # through the origin: Σxy/Σx² = 203/91 (hand: 3+10+21+36+55+78 over 1+4+...+36)
    assert same(call("LINEST", y, x, False).rows()[0][0], 203 / 91)


def test_a_column_of_zeros_is_left_out_with_coefficient_and_error_zero():
    # MS-OI29500 §2.1.985 d: a collinear x vector gets m = 0 and se = 0, and df counts
    # only the columns used; a column of zeros is the one column that can be left out.
    # The rest is the one-variable fit worked by hand above (m 1.4, b 0.5, df 2).
    x = Array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    got = call("LINEST", column(2, 3, 5, 6), x, True, True).rows()
    alone = call("LINEST", column(2, 3, 5, 6), column(1, 2, 3, 4), True, True).rows()
    assert got[0] == [0.0, 1.4, 0.5] and got[1] == [0.0, *alone[1]]
    assert got[2][:2] == alone[2] and got[3][:2] == [98.0, 2.0] and got[4][:2] == alone[4]
    assert got[2][2] is NA


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        # which of two collinear columns Excel leaves out is its QR pivoting's choice
        ("=INDEX(LINEST({1;2;4;3},{1,2;2,4;3,6;4,8}),1)", "collinear"),
        ("=INDEX(LINEST({1;2;4;3},{1,3,4;2,1,3;3,5,8;4,2,6}),1)", "collinear"),
        ("=INDEX(LINEST({1;2;3},{2;2;2}),1)", "all equal"),  # collinear with the constant
        ("=INDEX(LINEST({1;2},{1;2},TRUE,TRUE),1)", "no degree of freedom"),
        ("=INDEX(LINEST({1;2;3},{1,5,2;2,7,9;4,1,3}),1)", "collinear"),  # 3 columns, 3 points
        ("=INDEX(LINEST({1;3;5},{1;2;3},TRUE,TRUE),1)", "exactly on"),  # F infinite
        ("=INDEX(LINEST({4;4;4},{1;2;3},TRUE,TRUE),1)", "all equal"),  # r² 0/0
    ],
)
def test_what_is_not_certain_is_reported(formula, reason):
    assert reason in reported(formula)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('=LINEST({1;"x";3},{1;2;3})', E("#VALUE!")),
        ("=LINEST({1;TRUE;3},{1;2;3})", E("#VALUE!")),
        ("=LINEST({1;2;3},{1;2})", E("#REF!")),  # MS-OI29500: sizes differ
        ("=LINEST({1;2;3},{1,2,3})", E("#REF!")),  # a row of x for a column of y
        ("=LINEST({1,2;3,4},{1,2,3,4})", E("#REF!")),
        ("=LINEST({1;2;3},{1,2;3,4})", E("#REF!")),  # x has 2 rows for 3 values of y
        ("=LOGEST({1;0;3},{1;2;3})", E("#NUM!")),  # no logarithm of 0
        ("=GROWTH({1;-2;3},{1;2;3},4)", E("#NUM!")),  # GROWTH's page: y 0 or negative
    ],
)
def test_bad_arguments(formula, expected):
    assert same(ev(formula), expected)


def test_logest_microsofts_example():
    # Microsoft's LOGEST page: units sold in months 11..16; m 1.463275628, b 495.3047702
    sales = Array([[33100.0, 47300.0, 69000.0, 102000.0, 150000.0, 220000.0]])
    months = Array([[11.0, 12.0, 13.0, 14.0, 15.0, 16.0]])
    close(call("LOGEST", sales, months).rows(), [[1.463275628, 495.3047702]])
    # exact exponential data gives exact numbers: y = 1·2^x
    assert call("LOGEST", Array([[2.0, 4.0, 8.0]]), Array([[1.0, 2.0, 3.0]])) == Array([[2.0, 1.0]])


def test_logest_statistics_are_those_of_the_fit_of_ln_y():
    # Excel's LOGEST of the office buildings (the same library's test data, 10 digits)
    expected = [
        [0.998307311, 1.018106214, 1.085434734, 1.000174374, 80387.14721],
        [8.22132e-05, 0.003288211, 0.002478954, 3.36423e-05, 0.075826957],
        [0.997224229, 0.006014042, NA, NA, NA],
        [538.8903983, 6.0, NA, NA, NA],
        [0.077963872, 0.000217012, NA, NA, NA],
    ]
    close(call("LOGEST", Y, X, True, True).rows(), expected, rel=5e-6)
    through_one = call("LOGEST", Y, X, False, True).rows()
    assert through_one[0][4] == 1.0 and through_one[1][4] is NA  # b forced to 1
    close([through_one[3][:2]], [[3401.219777, 7.0]])


def test_trend_and_growth_microsofts_examples():
    # Microsoft's TREND page: sales in months 1..12, the trend for months 13..17, and the
    # fitted value of month 1 (133953.33)
    sales = column(
        133890,
        135000,
        135790,
        137300,
        138130,
        139100,
        139900,
        141120,
        141890,
        143230,
        144000,
        145290,
    )
    months = column(*range(1, 13))
    got = call("TREND", sales, months, column(13, 14, 15, 16, 17)).rows()
    printed = [146171.52, 147189.70, 148207.88, 149226.06, 150244.24]
    assert [round(r[0], 2) for r in got] == printed
    fitted = call("TREND", sales, months).rows()
    assert len(fitted) == 12 and round(fitted[0][0], 2) == 133953.33
    # Microsoft's GROWTH page: the same units as LOGEST's, months 17 and 18
    units = column(33100, 47300, 69000, 102000, 150000, 220000)
    grown = call("GROWTH", units, column(11, 12, 13, 14, 15, 16), column(17, 18)).rows()
    assert [round(r[0], 2) for r in grown] == [320196.72, 468536.05]
    assert round(call("GROWTH", units, column(11, 12, 13, 14, 15, 16)).rows()[0][0], 2) == 32618.2


def test_trend_worked_by_hand():
    # y = 2x + 1 through (0,1), (4,9), (2,5), (3,7): exactly 11 and 13 at 5 and 6
    assert call("TREND", column(1, 9, 5, 7), column(0, 4, 2, 3), column(5, 6)) == Array(
        [[11.0], [13.0]]
    )
    assert same(ev("=TREND({1;9;5;7},{0;4;2;3},5)"), 11.0)
    # through the origin: m = 47/30 (see above) at x = 10
    assert same(ev("=TREND({2;3;5;6},{1;2;3;4},10,FALSE)"), 470 / 30)
    # two variables: y = x1 + 2·x2 + 3 exactly, at (10, 20)
    y = column(6, 7, 10, 13)  # points (1,1), (2,1), (1,3), (2,4)
    x = Array([[1.0, 1.0], [2.0, 1.0], [1.0, 3.0], [2.0, 4.0]])
    assert call("TREND", y, x, Array([[10.0, 20.0]])) == Array([[53.0]])
    assert call("LINEST", y, x) == Array([[2.0, 1.0, 3.0]])  # reverse order: m2, m1, b
    # y in a row: the same fit, a variable per row
    yr, xr = Array([[6.0, 7.0, 10.0, 13.0]]), Array([[1.0, 2.0, 1.0, 2.0], [1.0, 1.0, 3.0, 4.0]])
    assert call("TREND", yr, xr, Array([[10.0], [20.0]])) == Array([[53.0]])


def test_trend_new_x_shaped_unlike_the_known_x_is_reported():
    assert "shaped unlike" in reported("=INDEX(TREND({1;9;5;7},{0;4;2;3},{5,6}),1)")


@pytest.mark.parametrize(
    "name",
    ["FORECAST.ETS", "FORECAST.ETS.CONFINT", "FORECAST.ETS.SEASONALITY", "FORECAST.ETS.STAT"],
)
def test_forecast_ets_is_refused_with_its_reason(name):
    message = reported(
        f"=_xlfn.{name}(4,A1:A3,B1:B3)", A1=1.0, A2=2.0, A3=3.0, B1=1.0, B2=2.0, B3=3.0
    )
    assert name in message and "exponential smoothing" in message


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Microsoft's FORECAST and FORECAST.LINEAR pages: 10.607253 at x = 30
        ("=ROUND(FORECAST(30,A1:A5,B1:B5),6)", 10.607253),
        ("=ROUND(_xlfn.FORECAST.LINEAR(30,A1:A5,B1:B5),6)", 10.607253),
        # by hand: y = 2x + 1 through (0,1), (4,9); a text pair in C is left out
        ("=FORECAST(10,{1;9},{0;4})", 21.0),
        ("=FORECAST(10,C1:C3,D1:D3)", 21.0),
        ('=FORECAST("x",A1:A5,B1:B5)', E("#VALUE!")),
        ("=FORECAST(1,A1:A5,B1:B4)", E("#N/A")),  # different sizes
        ("=FORECAST(1,{1;2},{3;3})", E("#DIV/0!")),  # x all equal
    ],
)
def test_forecast(formula, expected):
    cells = {"C1": 1.0, "D1": 0.0, "C2": "n/a", "D2": 2.0, "C3": 9.0, "D3": 4.0}
    for r, (y, x) in enumerate(zip((6, 7, 9, 15, 21), (20, 28, 31, 38, 40), strict=True), 1):
        cells[f"A{r}"], cells[f"B{r}"] = float(y), float(x)
    got = ev(formula, **cells)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
