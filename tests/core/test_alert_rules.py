"""The early-warning rules: defaults, a scorecard's [early_warning] table, every problem."""

from __future__ import annotations

import pytest

from crm_xl.core.alert_rules import DEFAULT_RULES, RULE_SPECS, parse_rules
from crm_xl.core.scorecard import parse_scorecard
from crm_xl.errors import CrmError

ONE = {"indicators": [{"id": "a", "label_en": "A", "weight": 100, "scale": "score"}]}


def test_defaults_are_the_documented_ones():
    assert (
        DEFAULT_RULES.falling_periods,
        DEFAULT_RULES.drop_points,
        DEFAULT_RULES.composite_floor,
        DEFAULT_RULES.score_floor,
        DEFAULT_RULES.downgraded_top,
        DEFAULT_RULES.inactive_days,
        DEFAULT_RULES.item_floor,
    ) == (2, 5.0, 60.0, 50.0, 1, 180.0, 2.0)
    assert RULE_SPECS[0].key == "falling_periods"
    assert parse_scorecard(ONE).early_warning == DEFAULT_RULES


def test_a_scorecard_changes_them():
    card = parse_scorecard({**ONE, "early_warning": {"falling_periods": 3, "inactive_days": 90}})
    assert (card.early_warning.falling_periods, card.early_warning.inactive_days) == (3, 90.0)
    assert card.early_warning.drop_points == 5.0


def test_every_problem_at_its_key():
    with pytest.raises(CrmError) as err:
        parse_scorecard(
            {
                **ONE,
                "early_warning": {
                    "falling_periods": 1.5,
                    "drop_points": "five",
                    "item_floor": 7,
                    "inactive_dayz": 3,
                },
            }
        )
    assert [str(p) for p in err.value.problems] == [
        "<scorecard>: early_warning.falling_periods: must be a whole number, got 1.5",
        "<scorecard>: early_warning.drop_points: must be a number, got 'five'",
        "<scorecard>: early_warning.item_floor: must be from 1 to 5, got 7",
        "<scorecard>: early_warning.inactive_dayz: unknown key (did you mean 'inactive_days'?)",
    ]
    with pytest.raises(CrmError, match="early_warning: must be a table"):
        parse_scorecard({**ONE, "early_warning": 3})


def test_places_of_a_model_sheet():
    with pytest.raises(CrmError, match=r"Model!B40: must be a number, got true"):
        parse_rules({"score_floor": True}, {"score_floor": "Model!B40"})
