"""LINEST for one explanatory variable (crm_xl.calc.functions.regression): Microsoft's
LINEST example 1 and a fit worked by hand."""

from __future__ import annotations

import math

import pytest

from crm_xl.calc.evaluator import Workbook
from crm_xl.calc.functions import call
from crm_xl.calc.values import NA, Array
from tests.helpers.formulas import E, ev, same


def column(*values):
    return Array([[float(v)] for v in values])


def test_microsofts_example_slope_and_intercept():
    # Microsoft's LINEST page, example 1: known_y 1, 9, 5, 7 against x 0, 4, 2, 3
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


def test_without_a_constant_and_default_x():
    # through the origin: m = Σxy/Σx² = (2+6+15+24)/30 with x 1..4 (omitted: 1, 2, 3...)
    got = call("LINEST", column(2, 3, 5, 6), Array([[1.0], [2.0], [3.0], [4.0]]), False)
    assert same(got.rows()[0][0], 47 / 30) and got.rows()[0][1] == 0.0
    assert call("LINEST", column(2, 3, 5, 6)).rows()[0] == [1.4, 0.5]
    stats = call("LINEST", column(2, 3, 5, 6), column(1, 2, 3, 4), False, True).rows()
    assert stats[1][1] is NA and stats[3][1] == 3.0  # no intercept: no error for it


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('=LINEST({1;"x";3},{1;2;3})', E("#VALUE!")),
        ("=LINEST({1;2;3},{1;2})", E("#REF!")),
        ("=LINEST({1;2;3},{1,2,3})", E("#REF!")),  # a row of x for a column of y
    ],
)
def test_bad_arguments(formula, expected):
    assert same(ev(formula), expected)


@pytest.mark.parametrize(
    "formula",
    [
        "=INDEX(LINEST({1;2;3},{1,2;3,4;5,6}),1)",  # several x variables
        "=INDEX(LINEST({1;2;3},{2;2;2}),1)",  # all x equal
        "=INDEX(LINEST({1;2},{1;2},TRUE,TRUE),1)",  # no degree of freedom
    ],
)
def test_what_is_not_certain_is_reported(formula):
    wb = Workbook.from_cells({"S": {"Z1": formula}})
    values, problems = wb.recalculate([("S", "Z1")])
    assert values == {} and [p.where for p in problems] == ["S!Z1"]


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
