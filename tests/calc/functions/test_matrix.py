"""Excel's matrix functions (crm_xl.calc.functions.matrix), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # [1 2; 3 4]: determinant 1*4 - 2*3 = -2, inverse [-2 1; 1.5 -0.5]
        ("=MDETERM({1,2;3,4})", -2.0),
        ("=SUM(MINVERSE({1,2;3,4}))", 0.0),
        ("=INDEX(MINVERSE({1,2;3,4}),2,1)", 1.5),
        ("=SUM(MMULT({1,2;3,4},{1;1}))", 10.0),  # row sums 3 and 7
        ("=MMULT({1,2},{1,2})", E("#VALUE!")),  # 1x2 times 1x2
        ("=MDETERM({1,2})", E("#VALUE!")),  # not square
        ("=MINVERSE({1,2;2,4})", E("#NUM!")),  # singular
    ],
)
def test_matrix_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
