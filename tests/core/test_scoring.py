"""Weighted and multi-dimensional models. Expected values are worked by hand in comments."""

import numpy as np
import pandas as pd
import pytest

from crm_xl.core.result import INVALID, NO_DATA
from crm_xl.core.scoring import explain, multidimensional_score, weighted_score
from crm_xl.errors import CrmError

WORKED_VALUES = [85, 75, 10, 70]  # satisfaction, retention, growth, positive feedback
WORKED_WEIGHTS = [40, 30, 20, 10]


def test_worked_example():
    # 85×0.4 + 75×0.3 + 10×0.2 + 70×0.1 = 34 + 22.5 + 2 + 7 = 65.5 (docs/domain.md)
    s = weighted_score(WORKED_VALUES, WORKED_WEIGHTS)
    assert s.value == pytest.approx(65.5)
    assert s.used == 4 and s.total == 4


def test_weights_as_fractions_mean_the_same():
    assert weighted_score(WORKED_VALUES, [0.4, 0.3, 0.2, 0.1]).value == pytest.approx(65.5)


def test_worked_example_contributions_are_the_four_products():
    s = weighted_score(WORKED_VALUES, WORKED_WEIGHTS)
    assert s.contributions == pytest.approx([34.0, 22.5, 2.0, 7.0])


def test_blank_is_left_out_and_rest_reweighted():
    # retention blank: (80×40 + 20×20 + 60×10) / (40+20+10) = (3200+400+600)/70 = 60
    s = weighted_score([[85, 75, 10, 70], [80, None, 20, 60]], WORKED_WEIGHTS)
    assert s.values == pytest.approx([65.5, 60.0])
    assert s.used.tolist() == [4, 3]
    assert s.coverage.tolist() == ["4 of 4", "3 of 4"]
    # the contributions of the incomplete row sum to its score: 80×4/7, 20×2/7, 60×1/7
    c = s.contributions[1]
    assert np.isnan(c[1])
    assert c[[0, 2, 3]] == pytest.approx([320 / 7, 40 / 7, 60 / 7])


def test_blank_is_never_zero():
    with_blank = weighted_score([50, None], [50, 50]).value
    with_zero = weighted_score([50, 0], [50, 50]).value
    assert with_blank == 50.0 and with_zero == 25.0


def test_nan_and_empty_string_are_blank():
    assert weighted_score([50, np.nan], [50, 50]).value == 50.0
    assert weighted_score([50, ""], [50, 50]).value == 50.0


def test_all_blank_row_has_no_value_and_column_continues():
    s = weighted_score([[None, None], [10, 30]], [50, 50])
    assert np.isnan(s.values[0]) and s.values[1] == 20.0
    assert s.reasons[0].code == NO_DATA
    assert "0 of 2" in str(s.reasons[0])


def test_text_in_a_row_makes_that_row_invalid_and_names_the_indicator():
    s = weighted_score([[10, "abc"], [10, 30]], [50, 50], labels=["satisfaction", "retention"])
    assert np.isnan(s.values[0]) and s.values[1] == 20.0
    assert s.reasons[0].code == INVALID
    assert str(s.reasons[0]) == "retention: 'abc' is text, not a number"


def test_boolean_is_refused_not_read_as_one():
    s = weighted_score([True, 50], [50, 50])
    assert s.value is None and "logical value" in s.reason


def test_strict_weights_must_sum_to_100_percent():
    with pytest.raises(CrmError, match="weights sum to 90, not 100 %"):
        weighted_score([1, 2, 3], [40, 30, 20])


def test_normalize_mode_rescales_and_warns():
    # 4/3/2/1 are 40/30/20/10 %: same 65.5
    s = weighted_score(WORKED_VALUES, [4, 3, 2, 1], weight_sum="normalize")
    assert s.value == pytest.approx(65.5)
    assert s.warnings == [
        "weights sum to 10, not 100 % (100 or 1): normalised to 100 % by dividing by 10"
    ]


def test_mismatched_lengths_are_reported():
    with pytest.raises(CrmError, match="3 values per row but 4 weights"):
        weighted_score([1, 2, 3], WORKED_WEIGHTS)


def test_min_indicators():
    s = weighted_score([[1, None, None], [1, 2, None]], [50, 25, 25], min_indicators=2)
    assert np.isnan(s.values[0]) and "only 1 of 3" in str(s.reasons[0])
    # (1×50 + 2×25)/75 = 100/75
    assert s.values[1] == pytest.approx(100 / 75)


def test_dataframe_input_keeps_index_and_labels():
    df = pd.DataFrame({"a": [10.0, 20.0], "b": [30.0, None]}, index=["C1", "C2"])
    s = weighted_score(df, [50, 50])
    assert s.labels == ["a", "b"]
    series = s.to_series()
    assert series.index.tolist() == ["C1", "C2"]
    assert series.tolist() == [20.0, 20.0]


def test_explain_lists_contributions_largest_first():
    s = weighted_score(WORKED_VALUES, WORKED_WEIGHTS, labels=["sat", "ret", "growth", "fb"])
    table = explain(s)
    assert table["indicator"].tolist() == ["sat", "ret", "fb", "growth"]
    assert table["points"].tolist() == pytest.approx([34.0, 22.5, 7.0, 2.0])
    assert table["points"].sum() == pytest.approx(65.5)


# -- multi-dimensional -------------------------------------------------------------------
DIMS = ["value", "value", "rel"]
DIM_W = {"value": 60, "rel": 40}


def test_multidimensional_hand_case():
    # value = 80×0.5 + 60×0.5 = 70; rel = 90; composite = 0.6×70 + 0.4×90 = 42 + 36 = 78
    s = multidimensional_score([80, 60, 90], [50, 50, 100], DIMS, DIM_W)
    assert s.value == pytest.approx(78.0)
    assert s.dimension_scores == pytest.approx([70.0, 90.0])
    assert s.contributions == pytest.approx([24.0, 18.0, 36.0])


def test_multidimensional_reweights_within_the_dimension_first():
    # frequency blank: value = 80 (spend alone); composite = 0.6×80 + 0.4×90 = 84
    s = multidimensional_score([80, None, 90], [50, 50, 100], DIMS, DIM_W)
    assert s.value == pytest.approx(84.0)
    assert s.used == 2


def test_multidimensional_reweights_dimensions_when_one_is_empty():
    # the whole value dimension is blank: composite = rel alone = 90
    s = multidimensional_score([None, None, 90], [50, 50, 100], DIMS, DIM_W)
    assert s.value == pytest.approx(90.0)


def test_multidimensional_equals_flat_model_when_complete():
    # effective weights 30/30/40
    rows = np.array([[80, 60, 90], [10, 20, 30], [100, 0, 50]], dtype=float)
    multi = multidimensional_score(rows, [50, 50, 100], DIMS, DIM_W)
    flat = weighted_score(rows, [30, 30, 40])
    assert multi.values == pytest.approx(flat.values)


def test_multidimensional_checks_weights_at_both_levels():
    with pytest.raises(CrmError, match="weights in dimension value"):
        multidimensional_score([1, 2, 3], [50, 40, 100], DIMS, DIM_W)
    with pytest.raises(CrmError, match="sum to 90"):
        multidimensional_score([1, 2, 3], [50, 50, 100], DIMS, {"value": 50, "rel": 40})


def test_multidimensional_names_unknown_dimensions():
    with pytest.raises(CrmError, match="no weight for dimension"):
        multidimensional_score([1, 2, 3], [50, 50, 100], ["value", "value", "x"], DIM_W)
