"""The rating pipeline on small tables worked by hand."""

import numpy as np
import pytest

from crm_xl.core.rating import rate
from crm_xl.core.scorecard import parse_scorecard
from crm_xl.errors import CrmError
from crm_xl.files.tables import read_table

CARD = {
    "scorecard": {"id_columns": ["id"]},
    "indicators": [
        # spend: linear 0 → 0, 200,000 → 100
        {"id": "spend", "label_en": "Spend", "weight": 50, "floor": 0, "target": 200_000},
        # satisfaction: 1-5 form
        {"id": "sat", "label_en": "Satisfaction", "weight": 30, "scale": "form"},
        # churn risk days: 365 → 0, 0 → 100 (lower is better)
        {"id": "days", "label_en": "Days", "weight": 20, "floor": 365, "target": 0},
    ],
    "tiers": {"thresholds": [70, 40], "labels": ["A", "B", "C"]},
}


def test_hand_worked_table(write_csv):
    table = read_table(
        write_csv("id,spend,sat,days\nC1,100000,5,73\nC2,300000,,0\nC3,0,1,365\nC4,,,\n")
    )
    rating = rate(table, parse_scorecard(CARD))
    f = rating.frame
    # C1: spend 50, sat 100, days (73-365)/(0-365) = 80 → 0.5×50 + 0.3×100 + 0.2×80 = 25+30+16 = 71 → A
    # C2: spend clamps to 100, sat blank, days 100 → (50×100 + 20×100)/70 = 100 → A
    # C3: 0, 0, 0 → 0 → C
    # C4: nothing → no score, no tier
    assert f["score"].tolist()[:3] == pytest.approx([71.0, 100.0, 0.0])
    assert np.isnan(f["score"][3])
    assert f["tier"].tolist() == ["A", "A", "C", None]
    assert f["indicators_used"].tolist() == ["3 of 3", "2 of 3", "3 of 3", "0 of 3"]
    assert f["note"][3] == "no indicator values (0 of 3 indicators given)"
    assert [f["points_spend"][0], f["points_sat"][0], f["points_days"][0]] == pytest.approx(
        [25, 30, 16]
    )
    assert f["score_days"][0] == pytest.approx(80.0)
    assert list(f.columns[:5]) == ["id", "score", "indicators_used", "tier", "note"]


def test_every_bad_cell_is_reported_before_anything_is_computed(write_csv):
    table = read_table(write_csv("id,spend,sat,days\nC1,lots,7,1\nC2,5,0,TRUE\n"))
    with pytest.raises(CrmError) as err:
        rate(table, parse_scorecard(CARD))
    src = table.source
    assert [str(p) for p in err.value.problems] == [
        f"{src}: line 2, column 'spend': 'lots' is not a number",
        f"{src}: line 3, column 'days': 'TRUE' is not a number",
        f"{src}: line 2, column 'sat': answer 7 is outside the 1-5 scale",
        f"{src}: line 3, column 'sat': answer 0 is outside the 1-5 scale",
    ]


def test_missing_columns_are_named(write_csv):
    table = read_table(write_csv("id,spend\nC1,1\n"))
    with pytest.raises(CrmError) as err:
        rate(table, parse_scorecard(CARD))
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 2
    assert "no column 'sat', needed by indicators[2] (sat)" in messages[0]


def test_tiers_by_a_column_annual_spend(write_csv):
    card = dict(
        CARD, tiers={"by": "spend", "thresholds": [100_000, 50_000], "labels": ["A", "B", "C"]}
    )
    table = read_table(write_csv("id,spend,sat,days\nC1,100000,3,1\nC2,100001,3,1\nC3,50000,3,1\n"))
    assert rate(table, parse_scorecard(card)).frame["tier"].tolist() == ["B", "A", "C"]


def test_minmax_indicator_with_equal_values_is_left_out_with_a_warning(write_csv):
    card = {
        "indicators": [
            {"id": "a", "label_en": "A", "weight": 50, "scale": "minmax"},
            {"id": "b", "label_en": "B", "weight": 50, "scale": "score"},
        ]
    }
    rating = rate(read_table(write_csv("a,b\n5,10\n5,20\n")), parse_scorecard(card))
    assert rating.frame["score"].tolist() == [10.0, 20.0]
    assert rating.warnings == ["a: every customer has the same value; left out of the scores"]
