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
