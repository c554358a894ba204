"""Customer KPIs. Every expected value is worked out by hand in the comment next to it."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_xl.core.kpis import (
    cac,
    ces,
    churn_rate,
    clv,
    clv_margin,
    csat,
    nps,
    retention_rate,
    sales_growth,
)
from crm_xl.core.result import DIV0, INCONSISTENT, INVALID, MISSING, NO_DATA, Result


def no_value(r: Result, i: int | None = None) -> tuple[str, str]:
    """Assert element ``i`` (or the single value) is NaN; return its (code, message)."""
    if i is None:
        assert r.value is None and math.isnan(float(r))
        why = r.reasons.reshape(-1)[0]
    else:
        assert np.isnan(r.values[i])
        why = r.reasons[i]
    assert why is not None
    return why.code, str(why)


# -- churn rate ------------------------------------------------------------------------------


def test_churn_rate_five_of_a_hundred():
    # 5 / 100 × 100 = 5 %
    assert churn_rate(5, 100).value == 5.0


def test_churn_rate_undefined_cases():
    r = churn_rate([5, 120, -1], [0, 100, 100])
    code, msg = no_value(r, 0)
    assert code == DIV0 and "start = 0" in msg
    code, msg = no_value(r, 1)  # 120 lost of 100
    assert code == INCONSISTENT and "more customers lost" in msg
    assert no_value(r, 2)[0] == INVALID


# -- retention rate --------------------------------------------------------------------------


def test_retention_rate_worked_case():
    # start 200, end 210, new 30 → kept 210 − 30 = 180 → 180 / 200 = 90 %
    assert retention_rate(200, 210, 30).value == 90.0


def test_retention_rate_undefined_cases():
    r = retention_rate([0, 200, 200, -5, 200], [10, 20, 300, 10, 210], [10, 30, 20, 0, 30])
    code, msg = no_value(r, 0)  # start 0
    assert code == DIV0 and "start = 0" in msg
    code, msg = no_value(r, 1)  # end 20 − new 30 = −10
    assert code == INCONSISTENT and msg.startswith("more new customers than customers at the end")
    code, msg = no_value(r, 2)  # kept 300 − 20 = 280 > start 200
    assert code == INCONSISTENT and "retained" in msg
    code, msg = no_value(r, 3)
    assert code == INVALID and "negative" in msg
    assert r.values[4] == 90.0  # the bad rows leave the good one alone


def test_retention_edges_zero_and_hundred_percent():
    # nobody kept: end 30 = new 30 → 0 %; everybody kept: end 230 − new 30 = 200 of 200 → 100 %
    assert retention_rate([200, 200], [30, 230], [30, 30]).values.tolist() == [0.0, 100.0]


# -- CLV -------------------------------------------------------------------------------------


def test_clv_simple_form():
    # 12,000 × 3 − 2,000 = 36,000 − 2,000 = 34,000
    assert clv(12_000, 3, 2_000).value == 34_000.0


def test_clv_may_be_negative():
    # 1,000 × 1 − 2,500 = −1,500: a loss-making customer is a value, not an error
    r = clv(1_000, 1, 2_500)
    assert r.value == -1_500.0 and r.reason is None


def test_clv_negative_years_or_cac_are_invalid():
    r = clv(1_000, [-1, 2, 2], [0, -5, 500])
    code, msg = no_value(r, 0)
    assert code == INVALID and "years" in msg
    code, msg = no_value(r, 1)
    assert code == INVALID and "CAC" in msg
    assert r.values[2] == 1_500.0  # 1,000 × 2 − 500


def test_clv_margin_gupta_lehmann():
    # m = 100, r = 0.8, i = 0.1 → 100 × 0.8 / (1 + 0.1 − 0.8) = 80 / 0.3 = 266.67
    assert clv_margin(100, 0.8, 0.1).value == pytest.approx(266.67, abs=0.005)
    # i = 0: 100 × 0.5 / (1 − 0.5) = 50 / 0.5 = 100
    assert clv_margin(100, 0.5, 0).value == pytest.approx(100.0)


def test_clv_margin_retention_as_percent_gets_a_helpful_message():
    code, msg = no_value(clv_margin(100, 80, 0.1))
    assert code == INVALID
    assert msg == "retention 80 must be a fraction between 0 and 1: 80 % is 0.8"
    code, msg = no_value(clv_margin(100, -0.2, 0.1))
    assert code == INVALID and msg.startswith("retention -0.2 must be a fraction between 0 and 1")


def test_clv_margin_each_bad_retention_named_in_a_column():
    r = clv_margin(100, [80, 0.8, 90, 80], 0.1)
    assert (
        str(r.reasons[0])
        == str(r.reasons[3])
        == ("retention 80 must be a fraction between 0 and 1: 80 % is 0.8")
    )
    assert str(r.reasons[2]).endswith("90 % is 0.9")
    assert r.values[1] == pytest.approx(800 / 3)  # 80 / 0.3


def test_clv_margin_discount_rate_and_denominator():
    # i = −1 → invalid; r = 1, i = 0 → 1 + 0 − 1 = 0 → div0; r = 1, i = −0.5 → −0.5 → invalid
    r = clv_margin(100, [0.5, 1.0, 1.0], [-1.0, 0.0, -0.5])
    code, msg = no_value(r, 0)
    assert code == INVALID and "greater than -1" in msg
    code, msg = no_value(r, 1)
    assert code == DIV0 and "needs 1 + discount rate - retention > 0" in msg
    code, msg = no_value(r, 2)
    assert code == INVALID and "needs 1 + discount rate - retention > 0" in msg


def test_clv_margin_rounding_noise_in_the_denominator_is_zero():
    # 1 + (−0.1) − 0.9 is 0 on paper, 1.1e-16 in floating point: no 1e17 CLV
    assert no_value(clv_margin(100, 0.9, -0.1))[0] == DIV0


def test_clv_margin_discount_rate_above_one_warns():
    # i = 10 (meant 10 %): 100 × 0.5 / (1 + 10 − 0.5) = 50 / 10.5, computed but flagged
    r = clv_margin(100, 0.5, 10)
    assert r.value == pytest.approx(50 / 10.5)
    assert r.warnings and "10 % is 0.1" in r.warnings[0]
    assert clv_margin(100, 0.5, 0.1).warnings == []


# -- CAC, sales growth -----------------------------------------------------------------------


def test_cac_worked_case():
    # (marketing 50,000 + sales 30,000) / 40 new customers = 80,000 / 40 = 2,000
    assert cac(50_000 + 30_000, 40).value == 2_000.0


def test_cac_undefined_cases():
    r = cac([1_000, -1, 1_000, 900], [0, 5, -2, 3])
    code, msg = no_value(r, 0)
    assert code == DIV0 and "new customers = 0" in msg
    assert no_value(r, 1)[0] == INVALID
    assert no_value(r, 2)[0] == INVALID
    assert r.values[3] == 300.0  # 900 / 3


def test_sales_growth_worked_cases():
    # (220,000 − 200,000) / 200,000 = 10 %; (150 − 200) / 200 = −25 %
    assert sales_growth([200_000, 200], [220_000, 150]).values.tolist() == [10.0, -25.0]


def test_sales_growth_undefined_cases():
    r = sales_growth([0, -100], [50, 50])
    code, msg = no_value(r, 0)
    assert code == DIV0 and "before = 0" in msg
    assert no_value(r, 1)[0] == INVALID


# -- columns: blanks, text, broadcasting, pandas ----------------------------------------------


def test_a_bad_element_in_the_middle_leaves_the_others_computed():
    # 5/100 = 5 %, "abc" invalid, blank missing, 0 start div0, 10/200 = 5 %
    r = churn_rate([5, "abc", None, 3, 10], [100, 100, 100, 0, 200])
    assert r.values[0] == 5.0 and r.values[4] == 5.0
    assert [no_value(r, i)[0] for i in (1, 2, 3)] == [INVALID, MISSING, DIV0]
    assert "'abc' is text" in str(r.reasons[1])
    assert str(r.reasons[2]) == "lost is blank"
    assert r.reasons[0] is None and r.reasons[4] is None


def test_blank_is_never_zero():
    # blank new customers must not make retention (210 − 0) / 200 = 105 %: it has no value
    assert no_value(retention_rate(200, 210, None))[0] == MISSING
    assert no_value(sales_growth(100, ""))[0] == MISSING


def test_scalar_broadcasts_against_a_column():
    # start 200 for every row: 10/200 = 5 %, 20/200 = 10 %, 50/200 = 25 %
    assert churn_rate([10, 20, 50], 200).values.tolist() == [5.0, 10.0, 25.0]
    # CAC 500 for every customer: 1,000×2 − 500 = 1,500; 2,000×2 − 500 = 3,500
    assert clv([1_000, 2_000], 2, 500).values.tolist() == [1_500.0, 3_500.0]


def test_pandas_series_keeps_its_index():
    idx = pd.Index(["north", "south", "east"], name="region")
    before = pd.Series([100.0, 0.0, 50.0], index=idx)
    after = pd.Series([110.0, 10.0, 40.0], index=idx)
    s = sales_growth(before, after).to_series()
    assert list(s.index) == ["north", "south", "east"] and s.index.name == "region"
    # (110 − 100)/100 = 10 %; south before 0 → NaN; (40 − 50)/50 = −20 %
    assert s["north"] == 10.0 and np.isnan(s["south"]) and s["east"] == -20.0


def test_index_kept_when_the_series_is_not_the_first_argument():
    idx = pd.Index([7, 8])
    s = churn_rate(5, pd.Series([100, 50], index=idx)).to_series()
    # 5/100 = 5 %, 5/50 = 10 %
    assert list(s.index) == [7, 8] and s.tolist() == [5.0, 10.0]


# -- NPS ---------------------------------------------------------------------------------------


def test_nps_ten_responses():
    # promoters (9-10): 10, 9, 9, 10 → 4; detractors (0-6): 6, 5, 3 → 3; passives 8, 7, 7
    # 4/10 = 40 % − 3/10 = 30 % → 10
    r = nps([10, 9, 9, 8, 7, 7, 6, 5, 3, 10])
    assert r.value == 10.0 and r.name == "NPS" and r.reason is None


def test_nps_passives_count_in_the_denominator():
    # 1 promoter, 3 passives: 1/4 = 25 % − 0 % = 25 (not 100, as dropping passives would give)
    assert nps([9, 7, 8, 7]).value == 25.0
    # all detractors → −100; all promoters → 100
    assert nps([0, 6, 3]).value == -100.0
    assert nps([9, 10]).value == 100.0


def test_nps_skips_blanks():
    # blanks dropped: [10, 9, 0, 7] → 2 promoters, 1 detractor of 4 → 50 − 25 = 25
    assert nps([10, None, 9, np.nan, "", 0, 7]).value == 25.0


def test_nps_no_responses_has_no_value():
    for empty in ([], [None, ""], pd.Series([], dtype=float)):
        code, msg = no_value(nps(empty))
        assert code == NO_DATA and msg == "no responses: NPS has no value"


def test_nps_bad_response_names_the_first_position_and_value():
    code, msg = no_value(nps([10, 9, 8, 11, 12]))
    assert code == INVALID and msg == "response 4 is 11: NPS answers are whole numbers 0-10"
    assert no_value(nps([7, 8.5]))[1] == "response 2 is 8.5: NPS answers are whole numbers 0-10"
    assert no_value(nps([-1]))[1].startswith("response 1 is -1:")
    # blanks still count as positions: the user finds "response 3" in the third cell
    assert no_value(nps([None, 9, "ten"]))[1].startswith("response 3 is 'ten' (text)")
    assert no_value(nps([9, True]))[1].startswith("response 2 is TRUE (a logical value)")


def test_nps_excel_range_is_flattened_row_by_row():
    # [[10, 9], [6, None]] → 10, 9, 6 → 2 promoters, 1 detractor of 3 → (2 − 1)/3 × 100 = 33.33
    assert nps([[10, 9], [6, None]]).value == pytest.approx(100 / 3)
    frame = pd.DataFrame({"q1": [10, 6], "q2": [9, 12]})
    # row by row: 10, 9, 6, 12 → the 4th is bad
    assert no_value(nps(frame))[1].startswith("response 4 is 12:")


def test_nps_accepts_a_pandas_column():
    # nullable integers with a gap: 10, 6 → 50 − 50 = 0
    assert nps(pd.Series([10, None, 6], dtype="Int64")).value == 0.0


# -- CSAT, CES ---------------------------------------------------------------------------------


def test_csat_top_2_box_on_five_points():
    # answers 5, 4, 3, 5, 2 (blank left out) → 4s and 5s: 3 of 5 = 60 %
    r = csat([5, 4, 3, 5, None, 2])
    assert r.value == 60.0 and r.name == "CSAT (top-2-box %, 1-5 scale)"


def test_csat_top_2_box_on_seven_and_ten_points():
    # 7-point: 6 and 7 are top-2 → 7, 6 of [7, 6, 5, 1] = 2/4 = 50 %
    assert csat([7, 6, 5, 1], scale=7).value == 50.0
    # 10-point: 9 and 10 → 9 of [9, 8, 3, 2, 1] = 1/5 = 20 %
    r = csat([9, 8, 3, 2, 1], scale=10)
    assert r.value == 20.0 and r.name == "CSAT (top-2-box %, 1-10 scale)"


def test_csat_mean_says_it_is_a_mean():
    # (5 + 4 + 3 + 5 + 2) / 5 = 19 / 5 = 3.8
    r = csat([5, 4, 3, 5, "", 2], method="mean")
    assert r.value == pytest.approx(3.8) and r.name == "CSAT (mean of 1-5 answers)"


def test_csat_undefined_cases():
    code, msg = no_value(csat([5, 4, 0]))
    assert code == INVALID and msg == "response 3 is 0: CSAT answers are whole numbers 1-5"
    assert no_value(csat([5, 6]))[1].startswith("response 2 is 6:")
    # 9 is fine on a 10-point scale, not on a 7-point one
    assert no_value(csat([9], scale=7))[0] == INVALID
    code, msg = no_value(csat([None]))
    assert code == NO_DATA and msg == "no responses: CSAT has no value"


def test_csat_unknown_method_or_scale_is_a_programming_error():
    with pytest.raises(ValueError, match="method"):
        csat([5], method="median")
    with pytest.raises(ValueError, match="scale"):
        csat([5], scale=6)


def test_ces_mean_of_seven_point_answers():
    # (7 + 6 + 5 + 6 + 3) / 5 = 27 / 5 = 5.4
    r = ces([7, 6, 5, 6, None, 3])
    assert r.value == pytest.approx(5.4) and "higher = easier" in r.name


def test_ces_undefined_cases():
    code, msg = no_value(ces([7, 8]))
    assert code == INVALID and msg == "response 2 is 8: CES answers are whole numbers 1-7"
    assert no_value(ces([]))[0] == NO_DATA
    # on a 5-point scale 5 is the top: (5 + 4) / 2 = 4.5
    assert ces([5, 4], scale=5).value == 4.5
    with pytest.raises(ValueError, match="scale"):
        ces([5], scale=10)


# -- properties ---------------------------------------------------------------------------------

answer = st.one_of(st.none(), st.integers(0, 10))


@given(st.lists(answer, min_size=1, max_size=60))
def test_nps_lies_between_minus_and_plus_100(responses):
    r = nps(responses)
    if all(x is None for x in responses):
        assert r.reasons.item().code == NO_DATA
    else:
        assert -100.0 <= r.value <= 100.0


@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_is_the_promoter_share_minus_the_detractor_share(responses):
    n = len(responses)
    promoters = sum(x >= 9 for x in responses)
    detractors = sum(x <= 6 for x in responses)
    assert nps(responses).value == pytest.approx((promoters - detractors) / n * 100)


@given(st.integers(1, 10**6), st.data())
def test_churn_and_retention_add_up_to_100_without_new_customers(start, data):
    lost = data.draw(st.integers(0, start))
    churn = churn_rate(lost, start).value
    retention = retention_rate(start, start - lost, 0).value
    assert churn + retention == pytest.approx(100.0)


@given(st.lists(st.integers(1, 5), min_size=1, max_size=40))
def test_csat_in_range(responses):
    assert 0.0 <= csat(responses).value <= 100.0
    assert 1.0 <= csat(responses, method="mean").value <= 5.0
