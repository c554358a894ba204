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


@pytest.mark.parametrize(
    "formula",
    # Excel answers these with #NUM!, #DIV/0! or a number depending on the arguments
    # (FV(-1,-2,1) is #DIV/0!, PV(-1,0,100,400) #NUM!): crm_xl reports them, never guesses
    ["=PV(-1,10,100)", "=FV(-1,-2,1)", "=PMT(-1,10,100)", "=NPER(-1,10,100)", "=PMT(-2,10,100)"],
)
def test_rate_of_minus_one_or_less_is_reported_not_guessed(formula):
    from crm_xl.calc.evaluator import UnsupportedFunction, Workbook

    wb = Workbook.from_cells({"S": {"A1": formula, "A2": "=1+1"}})
    values, problems = wb.recalculate([("S", "A1"), ("S", "A2")])
    assert values == {("S", "A2"): 2.0}
    assert [p.where for p in problems] == ["S!A1"]
    assert "rate of −1 or less" in problems[0].message
    with pytest.raises(UnsupportedFunction):
        wb.evaluate("S", "A1")


def test_irr_that_overflows_is_an_error_not_a_crash():
    # Newton's steps run off to huge rates: Excel gives #NUM! when IRR finds no root
    assert ev("=IRR({-100,1000000,-1E+300,5})") == E("#NUM!")
