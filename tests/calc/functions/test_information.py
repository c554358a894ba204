"""Excel's information functions (crm_xl.calc.functions.information), worked by hand."""

from __future__ import annotations

import pytest

from crm_xl.calc.functions import call
from crm_xl.calc.values import error
from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('=ISNUMBER("1")', False),
        ("=ISBLANK(A1)", True),
        ('=ISBLANK("")', False),
        ("=ISERROR(1/0)", True),
        ("=ISNA(1/0)", False),
    ],
)
def test_information_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_error_type_numbers_the_errors_as_excel_does():
    # Excel's ERROR.TYPE: #NULL! 1, #DIV/0! 2, #VALUE! 3, #REF! 4, #NAME? 5, #NUM! 6, #N/A 7,
    # #GETTING_DATA 8; anything that is not an error is #N/A
    codes = ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"]
    assert [call("ERROR.TYPE", error(c)) for c in codes] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    assert call("ERROR.TYPE", 1.0) == error("#N/A")
    assert ev("=ERROR.TYPE(1/0)") == 2.0


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # ISEVEN, ISODD and QUOTIENT came from the Analysis ToolPak: logical values are
        # #VALUE!, where SUM-like functions read them as 1 and 0
        ("=ISEVEN(TRUE)", E("#VALUE!")),
        ("=ISODD(FALSE)", E("#VALUE!")),
        ("=ISODD(B3)", E("#VALUE!")),
        ("=QUOTIENT(TRUE,1)", E("#VALUE!")),
        ('=ISEVEN("4")', True),
        ("=ISODD(-3.7)", True),
    ],
)
def test_toolpak_functions_refuse_logical_values(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
