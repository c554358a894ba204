"""Normalisation to 0-100. Expected values worked by hand in comments."""

import numpy as np
import pytest

from crm_xl.core.normalize import form_scale, linear, min_max
from crm_xl.core.result import DIV0, INVALID, NO_DATA


def test_linear_between_floor_and_target_with_clamping():
    # floor 0 → 0, target 200 → 100: 50 → 25, 150 → 75, 250 clamps to 100, -10 to 0
    assert linear([50, 150, 250, -10], 0, 200).values.tolist() == [25.0, 75.0, 100.0, 0.0]


def test_lower_is_better_by_order_of_bounds():
    # churn %: floor 30 scores 0, target 5 scores 100; 10 → (10-30)/(5-30) = 0.8 → 80
    assert linear(10, 30, 5).value == pytest.approx(80.0)
    assert linear(3, 30, 5).value == 100.0
    assert linear(40, 30, 5).value == 0.0


def test_explicit_direction_accepts_bounds_in_either_order():
    assert linear(10, 5, 30, direction="lower").value == pytest.approx(80.0)
    assert linear(10, 30, 5, direction="lower").value == pytest.approx(80.0)
    # higher: 10 on [5, 30] → 5/25 = 20
    assert linear(10, 30, 5, direction="higher").value == pytest.approx(20.0)


def test_linear_bad_direction_is_a_programming_error():
    with pytest.raises(ValueError, match="'higher' or 'lower'"):
        linear(1, 0, 2, direction="sideways")


def test_linear_equal_bounds_have_no_value():
    r = linear([1, 2], 5, 5)
    assert np.isnan(r.values).all() and r.reasons[0].code == DIV0  # as (x - f)/(t - f) would be


def test_linear_blank_stays_blank_without_reason_and_text_is_invalid():
    r = linear([None, "x", 100], 0, 200)
    assert np.isnan(r.values[0]) and r.reasons[0] is None
    assert r.reasons[1].code == INVALID
    assert r.values[2] == 50.0


def test_linear_per_row_bounds_broadcast():
    assert linear([5, 5], [0, 0], [10, 20]).values.tolist() == [50.0, 25.0]


def test_form_scale_maps_one_to_five():
    # (s-1)/4×100: 1→0, 2→25, 3→50, 4.5→87.5, 5→100
    assert form_scale([1, 2, 3, 4.5, 5]).values.tolist() == [0.0, 25.0, 50.0, 87.5, 100.0]


def test_form_scale_refuses_answers_outside_the_scale():
    r = form_scale([6, 0, 3])
    assert r.reasons[0].code == INVALID and str(r.reasons[0]) == "answer 6 is outside the 1-5 scale"
    assert str(r.reasons[1]) == "answer 0 is outside the 1-5 scale"
    assert r.values[2] == 50.0


def test_form_scale_other_range():
    # 1-10 scale: (7-1)/9×100 = 66.67
    assert form_scale(7, 1, 10).value == pytest.approx(600 / 9)


def test_min_max_over_the_population():
    assert min_max([10, 20, 30]).values.tolist() == [0.0, 50.0, 100.0]
    assert min_max([10, 20, 30], direction="lower").values.tolist() == [100.0, 50.0, 0.0]
    # blanks ignored when finding min and max: (15-10)/(20-10) = 50
    r = min_max([10, None, 15, 20])
    assert np.isnan(r.values[1]) and r.values[2] == 50.0


def test_min_max_of_equal_values_separates_nobody():
    r = min_max([7, 7, 7])
    assert np.isnan(r.values).all() and r.reasons[0].code == NO_DATA
    assert "every value is 7" in str(r.reasons[0])
