"""Excel's criteria and the functions that aggregate by them (crm_xl.calc.functions.criteria), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # criteria
        ('=COUNTIF(B1:B5,">=9")', 2.0),
        ('=COUNTIF(B1:B5,"<>")', 4.0),
        ('=COUNTIF(B1:B5,"")', 1.0),
        ('=COUNTIF(B1:B5,"=x")', 1.0),
        ('=COUNTIF(B1:B5,"X")', 1.0),
        ('=COUNTIF(B1:B5,"9")', 1.0),
        # numbers also match text that reads as the number (Apache POI's Excel-checked rule;
        # LibreOffice does not count the text)
        ("=COUNTIF(F1:F3,5)", 2.0),
        ('=COUNTIF(F1:F3,"<>5")', 2.0),  # the number 5 is left out, any text is "not 5"
        ('=COUNTIF(F1:F3,">4")', 1.0),
        ('=COUNTIF(C1:C3,"<>apple")', 2.0),
        ("=COUNTIF(B1:B5,Y1)", 0.0),  # a blank criterion cell matches nothing
        ('=SUM(COUNTIF(C1:C3,{"apple","cherry"}))', 2.0),  # array criteria, no CSE
        ("=COUNTIF(B1:B5,TRUE)", 1.0),
        ('=COUNTIF(C1:C3,"*an*")', 1.0),
        ('=COUNTIF(C1:C3,"?????")', 1.0),
        ('=COUNTIF(C1:C3,"<>banana")', 2.0),
        ('=COUNTIF(C1:C3,">b")', 2.0),
        ('=SUMIF(C1:C3,"<>banana",D1:D3)', 4.0),
        ('=SUMIF(D1:D3,">1")', 5.0),
        ('=SUMIFS(D1:D3,C1:C3,"*e*",D1:D3,">1")', 3.0),
        ('=COUNTIFS(B1:B5,">1",B1:B5,"<10")', 1.0),
        ('=AVERAGEIF(D1:D3,"<3")', 1.5),
        ('=AVERAGEIFS(D1:D3,C1:C3,"c*")', 3.0),
        ('=AVERAGEIF(D1:D3,">5")', E("#DIV/0!")),
    ],
)
def test_criteria_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # apple 1 and cherry 3 are not banana; apple 1 and cherry 3 have an e
        ('=_xlfn.MAXIFS(D1:D3,C1:C3,"<>banana")', 3.0),
        ('=_xlfn.MINIFS(D1:D3,C1:C3,"*e*")', 1.0),
        ('=_xlfn.MAXIFS(D1:D3,C1:C3,"kiwi")', 0.0),  # nothing meets the criterion
        ('=_xlfn.MINIFS(D1:D3,C1:C2,"*e*")', E("#VALUE!")),  # ranges of different shapes
        # a criteria range without its criterion: #VALUE!, as in SUMIFS and COUNTIFS (MAXIFS
        # and MINIFS used to stop the whole recalculation with a Python error)
        ('=_xlfn.MAXIFS(D1:D3,C1:C3,"*e*",D1:D3)', E("#VALUE!")),
        ('=_xlfn.MINIFS(D1:D3,C1:C3,"*e*",D1:D3)', E("#VALUE!")),
        ('=SUMIFS(D1:D3,C1:C3,"*e*",D1:D3)', E("#VALUE!")),
        ('=COUNTIFS(C1:C3,"*e*",D1:D3)', E("#VALUE!")),
    ],
)
def test_maxifs_minifs_and_unpaired_criteria(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
