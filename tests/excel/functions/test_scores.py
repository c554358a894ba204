"""CRM_SCORE, CRM_MULTISCORE, CRM_INDICATORS_USED and CRM_EXPLAIN, with cell-shaped inputs, worked by hand.

Ranges arrive as lists of rows (xlwings ndim=2); what a cell shows comes back: a number,
text, a list of rows for a spilled range, "" for a blank row, or error text with a reason.
"""

import datetime as dt

import pytest

from crm_xl.excel.functions import scores as f

SEED_VALUES = [[85, 75, 10, 70]]
SEED_WEIGHTS = [[40, 30, 20, 10]]


def test_score_worked_example():
    # 85×40% + 75×30% + 10×20% + 70×10% = 34 + 22.5 + 2 + 7
    assert f.CRM_SCORE(SEED_VALUES, SEED_WEIGHTS) == 65.5
    assert f.CRM_SCORE(SEED_VALUES, [[0.4, 0.3, 0.2, 0.1]]) == pytest.approx(65.5)  # 0.1 is inexact


def test_score_vertical_form_layout_is_one_customer():
    # the self-assessment form: items in rows, scores in one column, weights beside them
    assert f.CRM_SCORE([[85], [75], [10], [70]], [[40], [30], [20], [10]]) == 65.5


def test_score_block_spills_one_score_per_row():
    # row 2: retention blank → (80×40 + 20×20 + 60×10)/70 = 4200/70 = 60
    out = f.CRM_SCORE(
        [[85, 75, 10, 70], [80, None, 20, 60], [None, None, None, None]], SEED_WEIGHTS
    )
    assert out == [[65.5], [60.0], [""]]


def test_score_empty_string_from_a_formula_counts_as_blank():
    assert f.CRM_SCORE([[80, "", 20, 60]], SEED_WEIGHTS) == 60.0


def test_score_text_bool_date_error_in_a_row_are_named():
    rows = [
        [85, "n/a", 10, 70],
        [85, True, 10, 70],
        [85, dt.datetime(2026, 1, 1), 10, 70],
        [85, "#N/A", 10, 70],
    ]
    out = [r[0] for r in f.CRM_SCORE(rows, SEED_WEIGHTS)]
    assert out[0] == "#VALUE! indicator 2: 'n/a' is text, not a number"
    assert out[1] == "#VALUE! indicator 2: TRUE is a logical value, not a number"
    assert out[2].startswith("#VALUE! indicator 2: 2026-01-01") and "is a date" in out[2]
    assert out[3] == "#VALUE! indicator 2: the input shows the error #N/A"


def test_score_weight_problems_show_one_error():
    assert f.CRM_SCORE(SEED_VALUES, [[40, 30, 20]]) == (
        "#VALUE! values have 4 column(s) per row but there are 3 weights: give one weight per indicator column"
    )
    out = f.CRM_SCORE(SEED_VALUES, [[4, 3, 2, 1]])
    assert (
        out.startswith("#VALUE! weights sum to 10, not 100 %")
        and "normalize argument to TRUE" in out
    )
    assert f.CRM_SCORE(SEED_VALUES, [[4, 3, 2, 1]], True) == 65.5
    assert f.CRM_SCORE(SEED_VALUES, [[0, 0, 0, 0]]) == "#VALUE! weights are all zero"
    assert (
        f.CRM_SCORE(SEED_VALUES, SEED_WEIGHTS, "yes")
        == "#VALUE! normalize must be TRUE or FALSE, got 'yes'"
    )


def test_indicators_used_and_explain():
    assert f.CRM_INDICATORS_USED([[80, None, 20, 60], [1, 2, 3, 4]], SEED_WEIGHTS) == [[3.0], [4.0]]
    assert f.CRM_EXPLAIN(SEED_VALUES, SEED_WEIGHTS) == [[34.0, 22.5, 2.0, 7.0]]
    # blank retention: weights 40/20/10 of 70 → 85×4/7, 10×2/7, 70×1/7; total 4300/70
    out = f.CRM_EXPLAIN([[85, None, 10, 70]], SEED_WEIGHTS)[0]
    assert out[1] == ""
    assert [out[0], out[2], out[3]] == pytest.approx([340 / 7, 20 / 7, 70 / 7])
    assert sum(x for x in out if x != "") == pytest.approx(4300 / 70)


def test_multiscore_hand_case():
    # value = (80+60)/2 = 70, rel = 90 → 0.6×70 + 0.4×90 = 78
    assert (
        f.CRM_MULTISCORE(
            [[80, 60, 90]], [[50, 50, 100]], [["v", "v", "r"]], [["v", "r"]], [[60, 40]]
        )
        == 78.0
    )
    assert f.CRM_MULTISCORE(
        [[80, 60, 90]], [[50, 50, 100]], [["v", "v", "r"]], [["v", "r"]], [[60]]
    ).startswith("#VALUE! 2 dimension names but 1 dimension weights")
