"""Excel's logical functions (crm_xl.calc.functions.logical), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # logic
        ("=AND(TRUE,1)", True),
        ("=AND(B1:B4)", True),  # text in ranges is skipped
        ('=AND("x")', E("#VALUE!")),
        ("=OR(FALSE,0)", False),
        ("=NOT(0)", True),
    ],
)
def test_logical_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Microsoft's AND/OR pages: text and empty cells in references are ignored, and
        # no logical value at all is #VALUE!; "" typed as an argument is text, not a
        # logical value (as "x" is)
        ("=AND(G1,G2)", True),
        ("=OR(G1,G3)", E("#VALUE!")),
        ("=AND(G1:G3)", True),
        ("=OR(G1:G1)", E("#VALUE!")),
        ("=AND(G1,FALSE)", False),
        ('=AND("",TRUE)', E("#VALUE!")),
        ('=OR("")', E("#VALUE!")),
        ("=XOR(G1:G3,TRUE)", False),
        ('=AND("TRUE",1)', True),  # text that is a logical value is one
    ],
)
def test_and_or_with_empty_text(formula, expected):
    got = ev(formula, G1="", G2=True)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
