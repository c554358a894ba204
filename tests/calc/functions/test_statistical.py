"""Excel's statistical functions (crm_xl.calc.functions.statistical), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # aggregates: ranges skip text and booleans, direct arguments are converted
        ("=AVERAGE(B1:B5)", 9.5),
        ("=AVERAGE(A1:A3)", E("#DIV/0!")),
        ("=MAX(B1:B5)", 10.0),
        ("=MIN(A1:A3)", 0.0),
        ("=COUNT(B1:B5)", 2.0),
        ("=COUNTA(B1:B5)", 4.0),
        ("=COUNTBLANK(B1:B5)", 1.0),
        ("=RANK(9,B1:B5)", 2.0),
        ("=RANK(8,B1:B5)", E("#N/A")),
        ("=_xlfn.RANK.AVG(2,{1,2,2,3},1)", 2.5),
        # spread around the mean of 1, 2, 3; no numbers is #NUM!
        ("=DEVSQ(D1:D3)", 2.0),
        ("=AVEDEV(D1:D3)", 2 / 3),
        ("=DEVSQ(B2)", E("#NUM!")),
        # order statistics of one argument, a range or a single number
        ("=LARGE(D1:D3,1)", 3.0),
        ("=SMALL(D1:D3,3)", 3.0),
        ("=SMALL(D1:D3,4)", E("#NUM!")),
        ("=PERCENTILE(D1:D3,0.75)", 2.5),
        ("=PERCENTILE(5,0.2)", 5.0),
    ],
)
def test_statistical_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
