"""The CRM_* worksheet functions with cell-shaped inputs, worked by hand.

Ranges arrive as lists of rows (xlwings ndim=2); what a cell shows comes back: a number,
text, a list of rows for a spilled range, "" for a blank row, or error text with a reason.
"""

import datetime as dt
import math

import pytest

from crm_xl.excel import functions as f

SEED_VALUES = [[85, 75, 10, 70]]
SEED_WEIGHTS = [[40, 30, 20, 10]]


def is_error(cell, code):
    return isinstance(cell, str) and cell.startswith(code + " ")


# -- CRM_SCORE ---------------------------------------------------------------------------
def test_score_seed_000():
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


# -- normalisation ---------------------------------------------------------------------------
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


# -- KPIs -----------------------------------------------------------------------------------
def test_kpis_hand_worked():
    assert f.CRM_CHURN(5, 100) == 5.0
    assert f.CRM_RETENTION(200, 210, 30) == 90.0  # (210 − 30)/200
    assert f.CRM_GROWTH(100000, 110000) == pytest.approx(10.0)
    assert f.CRM_CAC(50000, 25) == 2000.0
    assert f.CRM_CLV(12000, 3, 2000) == 34000.0
    assert f.CRM_CLV_MARGIN(100, 0.8, 0.1) == pytest.approx(800 / 3)  # 80 / 0.3


def test_kpis_over_ranges_keep_the_shape_and_continue_past_bad_rows():
    out = f.CRM_CHURN([[5], [3], [None], [12]], [[100], [0], [None], [10]])
    assert out[0] == [5.0]
    assert is_error(out[1][0], "#DIV/0!")
    assert out[2] == [""]  # a blank row stays blank
    assert is_error(out[3][0], "#NUM!") and "more customers lost" in out[3][0]
    assert f.CRM_CHURN([[5], [3], [1]], [[100], [0]]) == (
        "#VALUE! the ranges must be the same size (or single cells), got 3×1 and 2×1"
    )
    # a single cell is used for every row
    assert f.CRM_CHURN([[5], [10]], 100) == [[5.0], [10.0]]


def test_one_blank_argument_is_named():
    out = f.CRM_CHURN(None, 100)
    assert is_error(out, "#N/A") and "lost is blank" in out


def test_survey_kpis():
    # promoters 10,9,9,10 = 4; detractors 6,5,3 = 3; of 10 → 40 − 30
    assert f.CRM_NPS([[10, 9, 9, 8, 7], [7, 6, 5, 3, 10]]) == 10.0
    assert f.CRM_NPS([[None, ""]]) == "#N/A no responses: NPS has no value"
    assert is_error(f.CRM_NPS([[10, 11]]), "#VALUE!")
    assert f.CRM_CSAT([[5, 4, 3, 2, 5]]) == 60.0  # 3 of 5 in 4–5
    assert f.CRM_CSAT([[5, 4, 3, 2, 5]], None, "mean") == pytest.approx(3.8)
    assert f.CRM_CES([[7, 6, 5, 6]]) == 6.0


# -- tiers and segments -----------------------------------------------------------------------
def test_tier_seed_004_boundaries():
    values = [[150000], [100000], [75000], [50000], [None], ["x"]]
    out = f.CRM_TIER(values, [[100000, 50000]], [["A", "B", "C"]])
    assert [r[0] for r in out[:5]] == ["A", "B", "B", "C", ""]
    assert is_error(out[5][0], "#VALUE!")
    assert f.CRM_TIER(100000, [[100000, 50000]], [["A", "B", "C"]], "upper") == "A"
    assert f.CRM_TIER(1, [[1, 2]], [["A", "B"]]).startswith(
        "#VALUE! tiers.labels: 2 threshold(s) make 3 tiers"
    )


def test_rfm_segments_days_and_dates():
    # three customers: the most recent, most frequent, biggest spender is 重要价值客户 under cn8
    recency, frequency, monetary = (
        [[10], [200], [30], [None]],
        [[5], [1], [3], [None]],
        [[1000], [50], [300], [None]],
    )
    out = f.CRM_RFM(recency, frequency, monetary, "cn8", "zh")
    assert out[0] == ["重要价值客户"] and out[1] == ["一般挽留客户"] and out[3] == [""]
    dates = [
        [dt.datetime(2026, 11, 13)],
        [dt.datetime(2026, 5, 7)],
        [dt.datetime(2026, 10, 24)],
        [None],
    ]
    as_of = dt.datetime(2026, 11, 23)  # 10, 200 and 30 days before
    assert f.CRM_RFM(dates, frequency, monetary, "cn8", "zh", as_of) == out
    assert f.CRM_RFM(dates, frequency, monetary).startswith(
        "#VALUE! recency holds dates of last purchase"
    )
    assert f.CRM_RFM_CODE(recency, frequency, monetary)[0][0].isdigit()


# -- weights ------------------------------------------------------------------------------------
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
