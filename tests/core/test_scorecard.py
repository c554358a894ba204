"""The scorecard TOML file: validation reports every problem with its key path."""

import pytest

from crm_xl.core.scorecard import load_scorecard, parse_scorecard
from crm_xl.errors import CrmError
from crm_xl.files.resources import sample_path

MINIMAL = """
[[indicators]]
id = "csat"
label_en = "CSAT"
weight = 100
scale = "score"
"""


def write(tmp_path, text, name="card.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(err):
    return [str(p) for p in err.value.problems]


def test_sample_scorecard_loads():
    card = load_scorecard(sample_path("scorecard.toml"))
    assert [d.id for d in card.dimensions] == ["value", "relationship", "service"]
    assert len(card.indicators) == 7
    spend = card.indicators[0]
    assert (spend.label_zh, spend.floor, spend.target) == ("年消费金额", 0.0, 300000.0)
    recency = card.indicators[2]
    assert recency.direction == "lower"
    assert card.tiers.labels == ("A", "B", "C")
    assert card.rfm.scheme == "cn8"


def test_minimal_scorecard_defaults(tmp_path):
    card = load_scorecard(write(tmp_path, MINIMAL))
    ind = card.indicators[0]
    assert (ind.column, ind.direction, card.weight_sum, card.tiers) == (
        "csat",
        "higher",
        "strict",
        None,
    )
    assert ind.label("zh") == "CSAT"  # falls back to the English label


def test_every_problem_is_reported_with_its_key_path(tmp_path):
    text = """
[scorecard]
weight_sum = "loose"

[[dimensions]]
id = "value"
label_en = "Value"
weight = 100

[[indicators]]
id = "spend"
label_en = "Spend"
wieght = 50
dimension = "value"
floor = 0
target = 100

[[indicators]]
id = "spend"
label_zh = "频次"
weight = "forty"
dimension = "valeu"
scale = "linear"
direction = "up"
floor = 5
target = 5

[tiers]
thresholds = [80, 60]
labels = ["A", "B"]
"""
    with pytest.raises(CrmError) as err:
        load_scorecard(write(tmp_path, text))
    found = problems(err)
    where = str(tmp_path / "card.toml")
    expected = [
        "scorecard.weight_sum: must be one of 'strict', 'normalize', got 'loose'",
        "indicators[1].wieght: unknown key (did you mean 'weight'?)",
        "indicators[1].weight: is required",
        "indicators[2].id: 'spend' is already used by indicators[1]",
        "indicators[2].weight: must be a number, got 'forty'",
        "indicators[2].direction: must be one of 'higher', 'lower', got 'up'",
        "indicators[2]: floor and target are both 5: they must differ",
        "indicators[2].dimension: no dimension 'valeu' (did you mean 'value'?)",
        "tiers.labels: 2 threshold(s) make 3 tiers, but 2 label(s) are given",
    ]
    assert found == [f"{where}: {e}" for e in expected]


def test_weights_not_summing_to_100_name_the_level_and_the_fix(tmp_path):
    text = MINIMAL.replace("weight = 100", "weight = 90")
    with pytest.raises(CrmError) as err:
        load_scorecard(write(tmp_path, text))
    (message,) = problems(err)
    assert "indicators: weights sum to 90, not 100 %" in message
    assert 'weight_sum = "normalize"' in message
    # the CLI's --normalize-weights (weight_sum override) turns it into a warning
    card = load_scorecard(write(tmp_path, text), weight_sum="normalize")
    assert card.warnings == (
        "indicators: weights sum to 90, not 100 % (100 or 1): normalised to 100 % by dividing by 90",
    )


def test_direction_inferred_from_floor_above_target():
    card = parse_scorecard(
        {
            "indicators": [
                {"id": "churn", "label_en": "Churn", "weight": 100, "floor": 30, "target": 5}
            ]
        }
    )
    assert card.indicators[0].direction == "lower"


def test_floor_target_only_for_linear_and_answers_only_for_form():
    with pytest.raises(CrmError) as err:
        parse_scorecard(
            {
                "indicators": [
                    {"id": "a", "label_en": "A", "weight": 50, "scale": "form", "floor": 1},
                    {"id": "b", "label_en": "B", "weight": 50, "scale": "score", "answers": [1, 5]},
                ]
            }
        )
    assert problems(err) == [
        "<scorecard>: indicators[1].floor: only used with scale = \"linear\" (this scale is 'form')",
        '<scorecard>: indicators[2].answers: only used with scale = "form"',
    ]


def test_dimension_without_indicators_and_indicator_without_dimension():
    with pytest.raises(CrmError) as err:
        parse_scorecard(
            {
                "dimensions": [
                    {"id": "a", "label_en": "A", "weight": 50},
                    {"id": "b", "label_en": "B", "weight": 50},
                ],
                "indicators": [
                    {"id": "x", "label_en": "X", "weight": 100, "scale": "score", "dimension": "a"}
                ],
            }
        )
    assert problems(err) == ["<scorecard>: dimensions[2]: dimension 'b' has no indicators"]


def test_toml_syntax_error_names_line(tmp_path):
    with pytest.raises(CrmError, match=r"not valid TOML: .*line 2"):
        load_scorecard(write(tmp_path, "[[indicators]]\nid = \n"))


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('[scorecard]\nname = "客户"\n'.encode("gbk"))
    with pytest.raises(CrmError, match="not UTF-8"):
        load_scorecard(path)
    with pytest.raises(CrmError, match="no such file"):
        load_scorecard(tmp_path / "nope.toml")


def test_columns_lists_everything_the_table_must_have():
    card = load_scorecard(sample_path("scorecard.toml"))
    assert card.columns[:3] == ["customer_id", "name", "region"]
    assert "days_since_purchase" in card.columns and len(card.columns) == len(set(card.columns))


@pytest.mark.parametrize(
    ("thresholds", "labels", "expected"),
    [
        # one threshold, two labels: above 70 is A, else B
        ("[70]", '["A", "B"]', ("A", "B")),
        ("[70, 50]", '["A", "B", "C"]', ("A", "B", "C")),
    ],
)
def test_tier_thresholds_go_from_the_top_tier_down(tmp_path, thresholds, labels, expected):
    text = MINIMAL + f"\n[tiers]\nthresholds = {thresholds}\nlabels = {labels}\n"
    card = load_scorecard(write(tmp_path, text))
    assert card.tiers.labels == expected


def test_ascending_tier_thresholds_are_refused_at_their_key_path(tmp_path):
    text = MINIMAL + '\n[tiers]\nthresholds = [50, 70]\nlabels = ["A", "B", "C"]\n'
    with pytest.raises(CrmError) as err:
        load_scorecard(write(tmp_path, text))
    assert problems(err) == [
        f"{tmp_path / 'card.toml'}: tiers.thresholds: thresholds go from the top tier down, "
        "got 50, 70: list the thresholds from the highest down, e.g. 70, 50; "
        "labels from the top tier: A, B, C"
    ]


@pytest.mark.parametrize(
    ("entry", "where", "message"),
    [
        (
            "floor = 0\ntarget = 1e308",
            "indicators[1].target",
            "must be between -1e15 and 1e15, got 1e+308",
        ),
        (
            "floor = -1e16\ntarget = 10",
            "indicators[1].floor",
            "must be between -1e15 and 1e15, got -1e+16",
        ),
        ("floor = 0\ntarget = inf", "indicators[1].target", "must be a number, got inf"),
    ],
)
def test_absurd_scorecard_numbers_are_refused(tmp_path, entry, where, message):
    path = tmp_path / "card.toml"
    path.write_text(
        f'[[indicators]]\nid = "spend"\nlabel_en = "Spend"\nweight = 100\n{entry}\n',
        encoding="utf-8",
    )
    with pytest.raises(CrmError) as err:
        load_scorecard(path)
    assert [(p.where, p.message) for p in err.value.problems] == [(f"{path}: {where}", message)]


def test_absurd_weight_is_refused(tmp_path):
    path = tmp_path / "card.toml"
    path.write_text(
        '[[indicators]]\nid = "a"\nlabel_en = "A"\nweight = 1e308\nscale = "score"\n'
        '[[indicators]]\nid = "b"\nlabel_en = "B"\nweight = 1e308\nscale = "score"\n',
        encoding="utf-8",
    )
    with pytest.raises(CrmError) as err:
        load_scorecard(path)
    assert [p.message for p in err.value.problems] == [
        "must be between -1e15 and 1e15, got 1e+308"
    ] * 2


def test_a_folder_a_pipe_and_deep_nesting_are_refused(tmp_path):
    import os

    folder = tmp_path / "card.toml"
    folder.mkdir()
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    expected = {
        folder: "is a folder, not a scorecard file",
        fifo: "is not a regular file (a pipe or a device?)",
        deep: "not a scorecard: its arrays or tables are nested too deeply",
    }
    for path, message in expected.items():
        with pytest.raises(CrmError) as err:
            load_scorecard(path)
        assert [(p.where, p.message) for p in err.value.problems] == [(str(path), message)]
