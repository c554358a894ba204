"""Issue 13's leftover "never a wrong number" classes, each against Excel's documented
behaviour: criteria ``"<>TRUE"``, LOOKUP on a 2-D range, MODE over text and blanks, TEXT
format codes ("#." and negative [h]), FIXED beyond 15 digits, UPPER/LOWER/PROPER on
letters beyond ASCII, WEEKDAY return types 11-17, the Analysis ToolPak functions refusing
logical values. Sources are named per case."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import E, ev, same

CELLS = {
    "A1": True, "A2": "TRUE", "A3": "x", "A4": 1.0,  # A5 blank
    "B1": 1.0, "B2": "x", "B4": 2.0, "B5": 2.0, "B6": 1.0,  # B3 blank
}  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # "<>" is "not equal" for every type: text (even "TRUE"), numbers and blanks are
        # all not TRUE (Apache POI bug 69853, checked in Excel; Microsoft's COUNTIF page
        # counts blanks under "<>")
        ('=COUNTIF(A1:A5,"<>TRUE")', 4.0),
        ('=COUNTIF(A1:A5,"TRUE")', 1.0),
        ('=COUNTIF(A1:A5,"<>FALSE")', 5.0),
        # LOOKUP's array form (Microsoft's LOOKUP page): wider than tall, it searches the
        # first row and returns from the last; taller than wide, the first column
        ('=LOOKUP("C",{"a","b","c","d";1,2,3,4})', 3.0),
        ('=LOOKUP("bump",{"a",1;"b",2;"c",3})', 2.0),
        ("=LOOKUP(2,A9:C10)", "b"),
        # MODE leaves text and blank cells of a reference out; of two values as frequent,
        # the first in the data wins (Microsoft's MODE page); no repeat is #N/A
        ("=MODE(B1:B6)", 1.0),
        ("=MODE(B2:B4)", E("#N/A")),
        # TEXT: a "." after the digits stays, and none before it ("#." of 3.7 is "4.")
        ('=TEXT(3.7,"#.")', "4."),
        ('=TEXT(0.5,".00")', ".50"),
        # elapsed time of a negative duration: a minus and the duration (SheetJS issue
        # 2587's screenshot of Excel: -1.00069444444444 in [h]:mm:ss is -24:01:00); clock
        # times of a negative number stay #VALUE!
        ('=TEXT(-1.00069444444444,"[h]:mm:ss")', "-24:01:00"),
        ('=TEXT(-0.5,"[h]:mm")', "-12:00"),
        ('=TEXT(-0.5,"hh:mm")', E("#VALUE!")),
        ('=TEXT(-0.5,"[h]:mm;([h]:mm)")', "(12:00)"),  # the negative section, unsigned
        # FIXED writes 15 significant digits, zeros beyond (Excel's precision)
        ("=FIXED(1234567890123456789,0)", "1,234,567,890,123,460,000"),
        ("=FIXED(12345678901234567,2)", "12,345,678,901,234,600.00"),
        ("=FIXED(1234.567,-1)", "1,230"),  # Microsoft's FIXED page
        ("=FIXED(-1234.567,1)", "-1,234.6"),
        # letters beyond ASCII are letters; Windows' case maps one letter to one letter
        # (Microsoft's PROPER page: "76BudGet" is "76Budget", "2-way street" "2-Way Street")
        ('=PROPER("76BudGet")', "76Budget"),
        ('=PROPER("2-way street")', "2-Way Street"),
        ('=PROPER("élan ÉCOLE")', "Élan École"),
        ('=UPPER("straße é")', "STRAßE É"),
        ('=LOWER("ÀÉÎ")', "àéî"),
        # WEEKDAY return types 11-17 (Microsoft's WEEKDAY page): 15 March 2023 (45000)
        # was a Wednesday
        ("=WEEKDAY(45000,11)", 3.0),  # Monday = 1
        ("=WEEKDAY(45000,13)", 1.0),  # Wednesday = 1
        ("=WEEKDAY(45000,16)", 5.0),  # Saturday = 1
        ("=WEEKDAY(45000,17)", 4.0),  # Sunday = 1
        ("=WEEKDAY(45000,18)", E("#NUM!")),
        # the Analysis ToolPak functions refuse logical values
        ("=EDATE(TRUE,1)", E("#VALUE!")),
        ("=EOMONTH(45000,TRUE)", E("#VALUE!")),
        ("=ISEVEN(TRUE)", E("#VALUE!")),
        ("=ISODD(A1)", E("#VALUE!")),
        ("=QUOTIENT(TRUE,1)", E("#VALUE!")),
        ("=QUOTIENT(5,TRUE)", E("#VALUE!")),
    ],
)
def test_never_a_wrong_number(formula, expected):
    cells = CELLS | {"A9": 1.0, "B9": 2.0, "C9": 3.0, "A10": "a", "B10": "b", "C10": "c"}
    got = ev(formula, **cells)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_irr_finds_the_root_nearest_its_guess():
    # IRR of -100, 230, -132 has two roots, 10 % and 20 %: Excel's iteration starts at
    # the guess (10 % unless given) and finds the nearer one
    assert same(ev("=IRR({-100,230,-132})"), 0.1)
    assert same(ev("=IRR({-100,230,-132},0.25)"), 0.2)
