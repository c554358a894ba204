"""Excel's date and time functions (crm_xl.calc.functions.dates), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # dates are serial numbers
        ("=DATE(2026,1,1)", 46023.0),
        ("=DATE(1900,3,1)", 61.0),
        ("=YEAR(46023)+MONTH(46023)+DAY(46023)", 2028.0),
        ("=DATE(2026,13,1)=DATE(2027,1,1)", True),
        # months later: the same day, or the month's last when it is shorter
        ("=EDATE(DATE(2024,1,31),1)=DATE(2024,2,29)", True),
        ("=EDATE(DATE(2024,3,31),-13)=DATE(2023,2,28)", True),
        ("=EOMONTH(DATE(2023,11,15),3)=DATE(2024,2,29)", True),
        ("=EDATE(-1,1)", E("#NUM!")),  # before 0 January 1900
        ("=DAY(60)", 29.0),  # the 29 February 1900 that Excel counts
        # serial 0 is Excel's 0 January 1900 (a Saturday); before it there are no dates
        ("=YEAR(0)*10000+MONTH(0)*100+DAY(0)", 19000100.0),
        ("=WEEKDAY(0)", 7.0),
        ("=DATE(1900,1,0)", 0.0),
        ('=TEXT(0,"yyyy-mm-dd")', "1900-01-00"),
        ("=DATE(1900,1,-1)", E("#NUM!")),
        ("=YEAR(-1)", E("#NUM!")),
        ("=WEEKDAY(-1)", E("#NUM!")),
        ("=EOMONTH(DATE(1900,1,15),-1)", E("#NUM!")),
    ],
)
def test_dates_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # WEEKDAY's return types 11-17 (Microsoft's WEEKDAY page): 11 counts from Monday
        # as 1 ... 17 from Sunday; 1 January 2025 (serial 45658) was a Wednesday
        ("=WEEKDAY(45658,11)", 3.0),
        ("=WEEKDAY(45658,12)", 2.0),
        ("=WEEKDAY(45658,13)", 1.0),
        ("=WEEKDAY(45658,14)", 7.0),
        ("=WEEKDAY(45658,15)", 6.0),
        ("=WEEKDAY(45658,16)", 5.0),
        ("=WEEKDAY(45658,17)", 4.0),
        ("=WEEKDAY(45658,2)=WEEKDAY(45658,11)", True),
        ("=WEEKDAY(45658,1)=WEEKDAY(45658,17)", True),
        ("=WEEKDAY(45658,18)", E("#NUM!")),
        # the Analysis ToolPak functions refuse logical values
        ("=EDATE(TRUE,1)", E("#VALUE!")),
        ("=EDATE(45658,TRUE)", E("#VALUE!")),
        ("=EOMONTH(TRUE,1)", E("#VALUE!")),
        # months so far away that the date leaves 1900-9999: #NUM!, not a crash
        ("=EDATE(1,-1500000)", E("#NUM!")),
        ("=EOMONTH(1,-1500000)", E("#NUM!")),
        ("=EDATE(45658,1E+20)", E("#NUM!")),
        ("=EDATE(DATE(9999,12,1),1)", E("#NUM!")),
        ("=EDATE(DATE(1900,1,15),-1)", E("#NUM!")),
    ],
)
def test_weekday_types_and_edate_limits(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
