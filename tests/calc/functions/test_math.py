"""Excel's math and trigonometry functions (crm_xl.calc.functions.math), worked by hand."""

from __future__ import annotations

import math

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # ROUND halves away from zero, on the number as written
        ("=ROUND(2.5,0)", 3.0),
        ("=ROUND(-2.5,0)", -3.0),
        ("=ROUND(0.125,2)", 0.13),
        ("=ROUND(1.005,2)", 1.01),
        ("=ROUND(2.675,2)", 2.68),
        ("=ROUND(1234.5,-2)", 1200.0),
        ("=ROUNDUP(-1.21,1)", -1.3),
        ("=ROUNDDOWN(1.29,1)", 1.2),
        ("=INT(-2.5)", -3.0),
        ("=MOD(-3,2)", 1.0),
        ("=MOD(3,-2)", -1.0),
        ("=MOD(1,0)", E("#DIV/0!")),
        # aggregates: ranges skip text and booleans, direct arguments are converted
        ("=SUM(B1:B5)", 19.0),
        ('=SUM("3",B1:B5)', 22.0),
        ('=SUM("x")', E("#VALUE!")),
        ("=SUM(TRUE,1)", 2.0),
        ("=SUM(B1:B4,#N/A)", E("#N/A")),
        # arrays inside SUMPRODUCT, without Ctrl+Shift+Enter
        ('=SUMPRODUCT(--(B1:B5<>""))', 4.0),
        ("=SUMPRODUCT(D1:D3,D1:D3)", 14.0),
        ("=SUMPRODUCT((D1:D3>1)*D1:D3)", 5.0),
        ('=SUMPRODUCT((C1:C3="banana")*(D1:D3))', 2.0),
        ("=SUMPRODUCT(D1:D3,D1:D2)", E("#VALUE!")),
        ("=ABS(-3)", 3.0),
        ("=POWER(2,10)", 1024.0),
        ("=SQRT(-1)", E("#NUM!")),
        ("=LN(0)", E("#NUM!")),
        ("=EXP(1)", math.e),
    ],
)
def test_math_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Excel rounds the value to its 15 significant digits first: the binary
        # 0.0062499999999999995 is 0.00625, and 0.30000000000000004 is 0.3
        ("=ROUND(1.05*(0.0284+0.0046)-0.0284,4)", 0.0063),
        ("=ROUNDUP(0.1+0.2,1)", 0.3),
        ("=ROUNDDOWN(0.3-0.1-0.2+1,15)", 1.0),
        ("=TRUNC((0.1+0.7)*10)", 8.0),  # 7.9999999999999991 to 15 digits is 8
        ("=INT((0.1+0.7)*10)", 8.0),
        ("=CEILING(0.1+0.2,0.1)", 0.3),  # not 0.4: (0.1+0.2)/0.1 is 3 to 15 digits
        ("=FLOOR(0.3,0.1)", 0.3),  # not 0.2: 0.3/0.1 is 2.9999999999999996
        ("=ROUND(2.675,2)", 2.68),
        # the .MATH and .PRECISE family, Microsoft's examples
        ("=_xlfn.CEILING.MATH(24.3,5)", 25.0),
        ("=_xlfn.CEILING.MATH(6.7)", 7.0),
        ("=_xlfn.CEILING.MATH(-8.1,2)", -8.0),
        ("=_xlfn.CEILING.MATH(-5.5,2,-1)", -6.0),
        ("=_xlfn.FLOOR.MATH(24.3,5)", 20.0),
        ("=_xlfn.FLOOR.MATH(6.7)", 6.0),
        ("=_xlfn.FLOOR.MATH(-8.1,2)", -10.0),
        ("=_xlfn.FLOOR.MATH(-5.5,2,-1)", -4.0),
        ("=_xlfn.CEILING.PRECISE(4.3)", 5.0),
        ("=_xlfn.CEILING.PRECISE(-4.3)", -4.0),
        ("=_xlfn.CEILING.PRECISE(4.3,-2)", 6.0),
        ("=_xlfn.CEILING.PRECISE(-4.3,-2)", -4.0),
        ("=_xlfn.FLOOR.PRECISE(-3.2,-1)", -4.0),
        ("=_xlfn.FLOOR.PRECISE(3.2)", 3.0),
        ("=_xlfn.FLOOR.PRECISE(-3.2)", -4.0),
        ("=_xlfn.FLOOR.PRECISE(3.2,-1)", 3.0),
        ("=_xlfn.ISO.CEILING(-4.3,2)", -4.0),
        ("=MROUND(10,3)", 9.0),
        ("=MROUND(-10,-3)", -9.0),
        ("=MROUND(1.3,0.2)", 1.4),
        ("=MROUND(5,-2)", E("#NUM!")),
    ],
)
def test_rounding_works_on_15_significant_digits(formula, expected):
    got = ev(formula)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
