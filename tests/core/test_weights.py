"""Weights as percentages or fractions; strict and normalize modes."""

import pytest

from crm_xl.core.weights import as_fractions
from crm_xl.errors import CrmError


def test_percentages_and_fractions():
    assert as_fractions([40, 30, 20, 10])[0].tolist() == pytest.approx([0.4, 0.3, 0.2, 0.1])
    assert as_fractions([0.4, 0.3, 0.2, 0.1])[0].tolist() == pytest.approx([0.4, 0.3, 0.2, 0.1])
    # the service-industry weights (docs/domain.md)
    assert as_fractions([40, 20, 20, 10, 10])[0].sum() == pytest.approx(1.0)


def test_float_noise_passes_but_a_typing_slip_does_not():
    as_fractions([0.1, 0.2, 0.7])  # 0.1 + 0.2 + 0.7 = 0.9999999999999999
    with pytest.raises(CrmError, match=r"sum to 99\.9"):
        as_fractions([33.3, 33.3, 33.3])


def test_normalize_mode_divides_by_the_sum_and_says_so():
    fractions, warnings = as_fractions([1, 1, 2], weight_sum="normalize")
    assert fractions.tolist() == [0.25, 0.25, 0.5]
    assert warnings == [
        "weights sum to 4, not 100 % (100 or 1): normalised to 100 % by dividing by 4"
    ]


def test_every_bad_weight_is_listed():
    with pytest.raises(CrmError) as err:
        as_fractions([40, -10, None, "x"], labels=["a", "b", "c", "d"])
    assert [str(p) for p in err.value.problems] == [
        "weights[b]: weight -10 is negative",
        "weights[c]: weight is blank",
        "weights[d]: 'x' is text, not a number",
    ]


def test_all_zero_and_empty():
    with pytest.raises(CrmError, match="all zero"):
        as_fractions([0, 0])
    with pytest.raises(CrmError, match="no weights"):
        as_fractions([])


def test_unknown_mode_is_a_programming_error():
    with pytest.raises(ValueError):
        as_fractions([100], weight_sum="loose")
