"""Excel's text functions (crm_xl.calc.functions.text), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('=LEN("abc")', 3.0),
        ('=LEFT("hello",2)&RIGHT("hello")&MID("hello",2,3)', "heoell"),
        ('=RIGHT("ab",5)', "ab"),
        ('=TRIM("  a   b  ")', "a b"),
        ('=UPPER("abc")&LOWER("DEF")', "ABCdef"),
        ('=CONCATENATE("a",1,TRUE)', "a1TRUE"),
        ('=TEXT(0.25,"0%")', "25%"),
        ('=TEXT(1234.5,"#,##0.00")', "1,234.50"),
        ('=TEXT(DATE(2026,10,1),"yyyy-mm-dd")', "2026-10-01"),
        ('=SUBSTITUTE("a-b-c","-","+",2)', "a-b+c"),
        ('=FIND("b","abcb",3)', 4.0),
        ('=SEARCH("B*","aabc")', 3.0),
        ('=VALUE("12.5")', 12.5),
        # positions and counts: from 1, never negative; a start past the text is #VALUE!
        ('=REPLACE("abcdef",2,3,"X")', "aXef"),
        ('=MID("abc",0,1)', E("#VALUE!")),
        ('=LEFT("abc",-1)', E("#VALUE!")),
        ('=RIGHT("abc",0)', ""),
        ('=FIND("c","abc",4)', E("#VALUE!")),
        ('=FIND("c","abc",5)', E("#VALUE!")),
    ],
)
def test_text_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # a text result longer than a cell holds (32,767 characters) is #VALUE! (Microsoft's
        # REPT page), and is refused before a gigabyte of text is built
        ('=LEN(REPT("x",32767))', 32767.0),
        ('=REPT("x",32768)', E("#VALUE!")),
        ('=REPT("ab",1E+9)', E("#VALUE!")),
        # VALUE of a blank cell and of "" is 0; one sign only; no infinities
        ("=VALUE(A9)", 0.0),
        ('=VALUE("")', 0.0),
        ('=VALUE(" ")', E("#VALUE!")),
        ('=VALUE("--8")', E("#VALUE!")),
        ('=VALUE("-8")', -8.0),
        ('=VALUE("(8)")', -8.0),
        ('=VALUE("(-8)")', E("#VALUE!")),
        ('=VALUE("1E+400")', E("#VALUE!")),
        ('="1E+400"+0', E("#VALUE!")),
    ],
)
def test_text_limits_and_text_to_number(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
