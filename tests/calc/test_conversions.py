"""Excel's conversions between value types (crm_xl.calc.conversions)."""

from __future__ import annotations

import pytest

from crm_xl.calc.conversions import number_text
from tests.helpers.formulas import ev, same


def test_number_text_follows_excel():
    assert number_text(1e-5) == "0.00001"
    assert number_text(1.2345678901234567e20) == "1.23456789012346E+20"
    assert number_text(1e-19) == "1E-19"
    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(-123456789012345.0) == "-123456789012345"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # number to text: 15 significant digits; from 1E+15 on Excel writes it in
        # scientific notation (it cannot show a 16th digit)
        ('=1E+15+0.3&""', "1E+15"),
        ('=123456789012345&""', "123456789012345"),
        ('=2^60&""', "1.15292150460685E+18"),
        ('=(0.1+0.2)&""', "0.3"),
        ('=1/3&""', "0.333333333333333"),
        # comparisons: numbers equal to 15 significant digits are equal
        ("=0.1+0.2=0.3", True),
        ("=0.1+0.2<>0.3", False),
        ("=0.1+0.2>0.3", False),
        ("=0.1+0.2<=0.3", True),
        ("=0.3<0.1+0.2", False),
        ("=0.3=0.30000000000001", False),  # differs in the 14th digit
        ("=COUNTIF(B1:B2,0.3)", 2.0),
        ('=IF(1-0.9=0.1,"same","different")', "same"),
    ],
)
def test_excel_15_digit_rules_for_text_and_comparisons(formula, expected):
    got = ev(formula, B1=0.1 + 0.2, B2=0.3)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
