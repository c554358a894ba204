"""Excel's date and time functions (crm_xl.calc.functions.dates), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # dates are serial numbers
        ("=DATE(2026,1,1)", 46023.0),
        ("=DATE(1900,3,1)", 61.0),
        ("=YEAR(46023)+MONTH(46023)+DAY(46023)", 2028.0),
        ("=DATE(2026,13,1)=DATE(2027,1,1)", True),
    ],
)
def test_dates_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
