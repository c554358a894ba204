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
        ("=COUNTIF(B1:B5,Y1)", 0.0),  # a blank criterion cell is 0: B1:B5 holds no 0
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


# H1:H8: the number 5, the text "5", TRUE, #N/A, a blank (H5), "", 0 and "x"
MIXED = {"H1": 5.0, "H2": "5", "H3": True, "H4": E("#N/A"), "H6": "", "H7": 0.0, "H8": "x"}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # "<>5" is every cell that is not the number 5: text (numeric or not), logical
        # values, errors, blank cells (EPPlus's COUNTIF(C2:D2,"<>-10") cases, 2 for a
        # blank, TRUE, "word", "4" or #NAME? beside 2; POI's "<>111" counts the text "111")
        ('=COUNTIF(H1:H8,"<>5")', 7.0),
        ('=COUNTIFS(H1:H8,"<>5",H1:H8,"<>x")', 6.0),
        ('=SUMIF(H1:H8,"<>5",J1:J8)', 2.0 + 4.0 + 8.0 + 16.0 + 32.0 + 64.0 + 128.0),
        # a blank criterion cell, or none at all, is 0: the number 0 only, not the blank
        # cell nor "" (EPPlus: COUNTIF(C2:C5,C5) and COUNTIF(C2:C5,) over 1, 1, 0, blank: 1)
        ("=COUNTIF(H1:H8,Y1)", 1.0),
        ("=COUNTIF(H1:H8,)", 1.0),
        ("=SUMIF(H1:H8,Y1,J1:J8)", 64.0),
        ("=AVERAGEIF(H1:H8,Y1,J1:J8)", 64.0),
        ('=COUNTIFS(H1:H8,Y1,H1:H8,"<>x")', 1.0),
        # the number 5 matches the text "5" too, and "5" the number (POI's testCountIf,
        # EPPlus's COUNTIF(C2:W2,5) = 2 over 5 and "5"); comparisons leave text out
        ("=COUNTIF(H1:H8,5)", 2.0),
        ('=COUNTIF(H1:H8,"5")', 2.0),
        ('=COUNTIF(H1:H8,">=5")', 1.0),
        ('=COUNTIF(H1:H8,"<6")', 2.0),  # 5 and 0
        # blank cells: "" matches the blank and "", "=" the blank only, "<>" the others
        ('=COUNTIF(H1:H8,"")', 2.0),
        ('=COUNTIF(H1:H8,"=")', 1.0),
        ('=COUNTIF(H1:H8,"<>")', 7.0),
        ("=COUNTIF(H1:H8,TRUE)", 1.0),
        ('=COUNTIF(H1:H8,"#N/A")', 1.0),
    ],
)
def test_criteria_excel_rules_for_not_equal_blanks_and_numeric_text(formula, expected):
    cells = dict(MIXED)
    cells.update({f"J{r}": float(2 ** (r - 1)) for r in range(1, 9)})
    got = ev(formula, **cells)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
