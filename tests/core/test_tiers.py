"""Tiers and the boundary rule (seed 004)."""

import pytest

from crm_xl.core.result import INVALID, MISSING
from crm_xl.core.tiers import SEED_004_SPEND_TIERS, assign_tiers
from crm_xl.errors import CrmError


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        (150_000, "A"),
        (100_000.01, "A"),  # 超过10万: exceeds 100,000
        (100_000, "B"),  # exactly 100,000 does not exceed it
        (75_000, "B"),
        (50_000.01, "B"),
        (50_000, "C"),  # 5万元以下 includes 50,000 (以下 includes the number)
        (0, "C"),
    ],
)
def test_seed_004_tiers_and_boundaries(spend, tier):
    assert assign_tiers([spend], **SEED_004_SPEND_TIERS).labels.tolist() == [tier]


def test_upper_convention_puts_the_threshold_in_the_higher_tier():
    t = assign_tiers([100_000, 50_000], **SEED_004_SPEND_TIERS, at_threshold="upper")
    assert t.labels.tolist() == ["A", "B"]


def test_ascending_thresholds_with_labels_bottom_up():
    t = assign_tiers([40_000, 60_000, 120_000], [50_000, 100_000], ["C", "B", "A"])
    assert t.labels.tolist() == ["C", "B", "A"]


def test_blank_and_text_get_no_tier_with_a_reason():
    t = assign_tiers([None, "n/a", 200_000], **SEED_004_SPEND_TIERS)
    assert t.labels.tolist() == [None, None, "A"]
    assert t.reasons[0].code == MISSING and t.reasons[1].code == INVALID


def test_counts_keep_empty_tiers():
    t = assign_tiers([200_000, 10], **SEED_004_SPEND_TIERS)
    assert t.counts(["A", "B", "C"]) == {"A": 1, "B": 0, "C": 1}


def test_every_rule_problem_is_reported():
    with pytest.raises(CrmError) as err:
        assign_tiers([1], [10, 20, 15], ["A", "A"])
    messages = [str(p) for p in err.value.problems]
    assert any("strictly increasing or strictly decreasing" in m for m in messages)
    assert any("3 threshold(s) make 4 tiers, but 2 label(s)" in m for m in messages)
    assert any("different from each other" in m for m in messages)
