"""Tiers, the boundary rule and the order thresholds are written in."""

import pytest

from crm_xl.core.result import INVALID, MISSING
from crm_xl.core.tiers import (
    ANNUAL_SPEND_TIERS,
    SEED_004_SPEND_TIERS,
    THRESHOLD_ORDER,
    assign_tiers,
    check_tier_rule,
)
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
def test_annual_spend_tiers_and_boundaries(spend, tier):
    assert assign_tiers([spend], **ANNUAL_SPEND_TIERS).labels.tolist() == [tier]


def test_upper_convention_puts_the_threshold_in_the_higher_tier():
    t = assign_tiers([100_000, 50_000], **ANNUAL_SPEND_TIERS, at_threshold="upper")
    assert t.labels.tolist() == ["A", "B"]


def test_the_former_name_of_the_spend_tiers_still_works():
    assert SEED_004_SPEND_TIERS is ANNUAL_SPEND_TIERS


def test_one_threshold_with_two_labels_reads_from_the_top_tier_down():
    # [70], ["A", "B"]: above 70 is A, the rest B (79.6 > 70; 21.1 is not)
    assert assign_tiers([79.6, 21.1, 70], [70], ["A", "B"]).labels.tolist() == ["A", "B", "B"]


@pytest.mark.parametrize("thresholds", [[50_000, 100_000], [100_000, 100_000], [60, 80, 70]])
def test_thresholds_that_do_not_decrease_are_refused_with_how_to_write_them(thresholds):
    labels = ["A", "B", "C", "D"][: len(thresholds) + 1]
    with pytest.raises(CrmError) as err:
        assign_tiers([40_000], thresholds, labels)
    (problem,) = err.value.problems
    got = ", ".join(f"{t:g}" for t in thresholds)
    assert problem.where == "tiers.thresholds"
    assert problem.message == f"thresholds go from the top tier down, got {got}: {THRESHOLD_ORDER}"
    assert THRESHOLD_ORDER == (
        "list the thresholds from the highest down, e.g. 70, 50; labels from the top tier: A, B, C"
    )


def test_the_rule_check_names_its_place():
    (problem,) = check_tier_rule([50, 70], ["A", "B", "C"], where="model")
    assert problem.where == "model.thresholds"


def test_blank_and_text_get_no_tier_with_a_reason():
    t = assign_tiers([None, "n/a", 200_000], **ANNUAL_SPEND_TIERS)
    assert t.labels.tolist() == [None, None, "A"]
    assert t.reasons[0].code == MISSING and t.reasons[1].code == INVALID


def test_counts_keep_empty_tiers():
    t = assign_tiers([200_000, 10], **ANNUAL_SPEND_TIERS)
    assert t.counts(["A", "B", "C"]) == {"A": 1, "B": 0, "C": 1}


def test_every_rule_problem_is_reported():
    with pytest.raises(CrmError) as err:
        assign_tiers([1], [10, 20, 15], ["A", "A"])
    messages = [str(p) for p in err.value.problems]
    assert any("thresholds go from the top tier down, got 10, 20, 15" in m for m in messages)
    assert any("3 threshold(s) make 4 tiers, but 2 label(s)" in m for m in messages)
    assert any("different from each other" in m for m in messages)
