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
    ],
)
def test_dates_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
