"""CRM_NORMALIZE, CRM_SCALE, CRM_FORM_SCORE and CRM_MINMAX, with cell-shaped inputs, worked by hand.

Ranges arrive as lists of rows (xlwings ndim=2); what a cell shows comes back: a number,
text, a list of rows for a spilled range, "" for a blank row, or error text with a reason.
"""

import pytest

from crm_xl.excel.functions import normalization as f


def test_normalize():
    assert f.CRM_NORMALIZE(50, 0, 200) == 25.0
    assert f.CRM_NORMALIZE(10, 30, 5) == 80.0  # churn: (10−30)/(5−30) = 0.8
    assert f.CRM_NORMALIZE(10, 5, 30, "lower") == 80.0
    assert f.CRM_NORMALIZE(10, 5, 30, "越低越好") == 80.0
    assert f.CRM_NORMALIZE([[10], [20], [None]], 30, 5) == [[80.0], [40.0], [""]]
    assert f.CRM_NORMALIZE(1, 5, 5) == "#DIV/0! floor and target are equal"
    assert f.CRM_NORMALIZE(1, 0, 5, "up").startswith(
        "#VALUE! direction must be 'higher' or 'lower'"
    )


def test_form_score_and_minmax():
    assert f.CRM_FORM_SCORE([[1, 2, 3, 4, 5]]) == [[0.0, 25.0, 50.0, 75.0, 100.0]]
    assert f.CRM_FORM_SCORE(6) == "#VALUE! answer 6 is outside the 1-5 scale"
    assert f.CRM_FORM_SCORE(7, 1, 10) == pytest.approx(600 / 9)
    assert f.CRM_MINMAX([[10], [20], [30]]) == [[0.0], [50.0], [100.0]]
    assert f.CRM_MINMAX([[10], [20], [30]], "lower") == [[100.0], [50.0], [0.0]]


def test_scale_dispatches_on_the_scorecard_scale():
    # linear 0 → 300,000: 100,000 → 33.3; above the target clamps; a blank row stays blank
    assert f.CRM_SCALE([[100000], [None], [400000]], "linear", 0, 300000) == [
        [pytest.approx(100 / 3)],
        [""],
        [100.0],
    ]
    assert f.CRM_SCALE([[3], [5]], "form") == [[50.0], [100.0]]
    assert f.CRM_SCALE([[10], [20], [30]], "minmax", None, None, "lower") == [
        [100.0],
        [50.0],
        [0.0],
    ]
    assert f.CRM_SCALE(20, "score", None, None, "lower") == 80.0
    assert f.CRM_SCALE(1, "linear") == "#VALUE! the linear scale needs a floor and a target"
    assert f.CRM_SCALE(1, "x").startswith(
        "#VALUE! scale must be one of linear, form, minmax, score"
    )


def test_scale_minmax_among_the_whole_column():
    # 10, 20, 30: min 10 scores 0, max 30 scores 100, 20 scores 50, per row as over the column
    column = [[10], [20], [30]]
    assert [_scale([[v]], column) for v in (10, 20, 30)] == [0.0, 50.0, 100.0]
    assert _scale([[None]], column) == ""


def _scale(value, among):
    from crm_xl.excel.functions.normalization import CRM_SCALE

    return CRM_SCALE(value, "minmax", among=among)
