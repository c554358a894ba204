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
        # VALUE of a blank cell is 0, of "" #VALUE! (Apache POI's TestValue: VALUE(B1) of a
        # blank is 0.0, confirmValueError("")); one sign only; no infinities
        ("=VALUE(A9)", 0.0),
        ('=VALUE("")', E("#VALUE!")),
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


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Apache POI's TestValue (its cases follow Excel and Microsoft's VALUE page)
        ('=VALUE(" + 100")', 100.0),
        ('=VALUE("$-5")', -5.0),
        ('=VALUE("$1,000e2")', 100000.0),
        ('=VALUE("1,0000")', 10000.0),
        ('=VALUE("1,000,0000,00000")', 1e12),
        ('=VALUE("30 %")', 0.3),
        ('=VALUE("4:48:00")', 0.2),
        ('=VALUE("1 January 2025")', 45658.0),
        ('=VALUE("01 Jan 2025")', 45658.0),
        ('=VALUE("1,00")', E("#VALUE!")),
        ('=VALUE("1,00,000")', E("#VALUE!")),
        ('=VALUE("1 1")', E("#VALUE!")),
        ('=VALUE("1+1")', E("#VALUE!")),
        ('=VALUE("++100")', E("#VALUE!")),
        ('=VALUE("$$5")', E("#VALUE!")),
        ('=VALUE(",300")', E("#VALUE!")),
        ('=VALUE("1e2.5")', E("#VALUE!")),
        ('=VALUE("-1E400")', E("#VALUE!")),
        # fractions and the date and date-time texts Excel reads (2024-01-10 is 45301,
        # 2024-02-29 45351: DATE(2024,1,10) and DATE(2024,2,29) by hand from 45658)
        ('=VALUE("1 1/2")', 1.5),
        ('="1 1/2"+0', 1.5),
        ('=VALUE("-2 3/4")', -2.75),
        ('=VALUE("1 1/0")', E("#VALUE!")),
        ('=VALUE("10-Jan-2024")', 45301.0),
        ('=VALUE("Jan 10, 2024")', 45301.0),
        ('=VALUE("January 10 2024")', 45301.0),
        ('="10 Jan 24"+0', 45301.0),
        ('=VALUE("2024-02-29 06:00")', 45351.25),
        ('=VALUE("2/29/2024 6:00 PM")', 45351.75),
        ('=DATEVALUE("2024-02-29 06:00")', 45351.0),
        ('=TIMEVALUE("2024-02-29 06:00")', 0.25),
        ('=DATEVALUE("10-Jan-2024")', 45301.0),
        ('=VALUE("2/29/1900")', 60.0),  # the day Excel counts that never was
        ('=VALUE("1899-12-31")', E("#VALUE!")),  # no dates before 1900: text
        ('=VALUE("2023-02-29")', E("#VALUE!")),
        ('=VALUE("10-Foo-2024")', E("#VALUE!")),
        # no infinities: an overflow in arithmetic is #NUM!
        ("=1E+308*10", E("#NUM!")),
        ("=1E+308+1E+308", E("#NUM!")),
        ("=-1E+308-1E+308", E("#NUM!")),
    ],
)
def test_text_excel_reads_as_a_number(formula, expected):
    got = ev(formula)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
