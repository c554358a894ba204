"""Excel's financial functions (crm_xl.calc.functions.financial), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # 100 paid now comes back as 110 a period later: 10% a period
        ("=IRR({-100,110})", 0.1),
        ("=NPV(0.1,110)", 100.0),
        ("=NPV(-1,110)", E("#DIV/0!")),
        # no interest: the payments add up
        ("=FV(0,10,-100)", 1000.0),
        ("=PMT(0,4,1000)", -250.0),
        ("=NPER(0,-250,1000)", 4.0),
    ],
)
def test_financial_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
