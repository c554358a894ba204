"""CRM_AHP, CRM_AHP_CR and CRM_ENTROPY_WEIGHTS, with cell-shaped inputs, worked by hand.

Ranges arrive as lists of rows (xlwings ndim=2); what a cell shows comes back: a number,
text, a list of rows for a spilled range, "" for a blank row, or error text with a reason.
"""

import math

import pytest

from crm_xl.excel.functions import weights as f

SAATY_3 = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]


def test_ahp_weights_and_consistency():
    # principal eigenvector of this classic matrix: ≈ 0.637, 0.258, 0.105; λmax ≈ 3.039,
    # CI = (3.039 − 3)/2 ≈ 0.019, CR = CI / 0.58 ≈ 0.033
    weights = [r[0] for r in f.CRM_AHP(SAATY_3)]
    assert weights == pytest.approx([0.637, 0.258, 0.105], abs=5e-4)
    assert math.isclose(sum(weights), 1.0)
    assert f.CRM_AHP_CR(SAATY_3) == pytest.approx(0.033, abs=5e-4)
    assert f.CRM_AHP(SAATY_3, "consistent") is True
    assert f.CRM_AHP([[1, 2], [3, 1]]).startswith("#VALUE!")
    assert f.CRM_AHP(SAATY_3, "eigen").startswith("#VALUE! output must be one of")


def test_entropy_weights_row():
    out = f.CRM_ENTROPY_WEIGHTS([[1, 5], [2, 5], [3, 5]])
    # the second column is constant: it separates nobody, weight 0
    assert out == [[1.0, 0.0]]
