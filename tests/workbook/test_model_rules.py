"""Each rule of the Model, through every path that reads one: the same edit is accepted or
refused, with the same message, by ``crm-xl recalc`` (the package), by the Recalculate
ratings button (the xlwings double) and by ``load_scorecard`` (the equivalent TOML).

The generated workbook's Model (English) lays the sample scorecard out as: indicators in
rows 5-11 (annual_spend, orders, days_since_purchase, satisfaction, interactions,
campaigns, complaint_hours; columns A id … E dimension, F weight, G scale, H direction,
I floor, J target), dimensions in rows 15-17 (value 45, relationship 35, service 20; weight
in D), tier thresholds in B21:C21 (70, 50) and labels in B22:D22 (A, B, C).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crm_xl.core.rating import rate
from crm_xl.core.scorecard import load_scorecard
from crm_xl.errors import CrmError
from crm_xl.files.resources import sample_path
from crm_xl.files.tables import read_table
from crm_xl.workbook import macros
from crm_xl.workbook.build import new_workbook
from crm_xl.workbook.customers import read_customers
from crm_xl.workbook.recalc import recalc_book
from crm_xl.xlsx import Package
from tests.helpers import xlwings_double

ORDER = "list the thresholds from the highest down, e.g. 70, 50; labels from the top tier: A, B, C"
# how to fix weights: in a scorecard file there is also weight_sum = "normalize"
FIX_IN_MODEL = "make them add up to 100"
FIX_IN_TOML = (
    'fix them, or set weight_sum = "normalize" under [scorecard] (CLI: --normalize-weights)'
)


@dataclass
class Edit:
    """One edit of the Model: its cells (None clears one), the defined names it moves,
    and the same edit of the scorecard file: (an indicator's or a dimension's id, or
    "tiers"; the key; the new line, or None to delete the key's line)."""

    cells: dict[str, object]
    toml: list[tuple[str, str, str | None]]
    names: dict[str, str] = field(default_factory=dict)


def edit_toml(text: str, block: str, key: str, line: str | None) -> str:
    """The sample scorecard with one key of one block (an [[indicators]] or [[dimensions]]
    table by its id, or [tiers]) replaced by ``line`` (or deleted)."""
    parts = re.split(r"(?m)^(?=\[)", text)
    for i, part in enumerate(parts):
        is_block = (
            part.startswith("[tiers]")
            if block == "tiers"
            else part.startswith("[[") and f'id = "{block}"\n' in part
        )
        if is_block:
            new, count = re.subn(
                rf"(?m)^{key} = .*\n", "" if line is None else line + "\n", part, count=1
            )
            assert count == 1, (block, key)
            parts[i] = new
            return "".join(parts)
    raise AssertionError(f"no block {block}")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    customers = read_customers(sample_path("customers.csv"))
    return new_workbook(folder / "book.xlsx", "2026-Q4", lang="en", customers=customers)


def edited(template: Path, folder: Path, edit: Edit) -> tuple[Path, Path]:
    """The workbook and the scorecard file, both with ``edit``."""
    pkg = Package.open(template)
    pkg.set_cells("Model", edit.cells)
    for name, text in edit.names.items():
        pkg.set_defined_name(name, text)
    book = folder / "edited.xlsx"
    pkg.save(book)
    text = sample_path("scorecard.toml").read_text(encoding="utf-8")
    for block, key, line in edit.toml:
        text = edit_toml(text, block, key, line)
    card = folder / "edited.toml"
    card.write_text(text, encoding="utf-8")
    return book, card


def three_paths(book: Path, card: Path) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """What each path says: crm-xl recalc's problems, the button's message box, and
    load_scorecard's problems as (key path, message)."""
    headless = [str(p) for p in recalc_book(book, check=True).problems]
    excel = xlwings_double.Book(book)
    macros.recalculate_ratings(excel)  # what clicking the button does
    button = "\n".join(excel.app.alerts).splitlines()
    if button:
        assert excel.block_writes == 0  # a refused Model: nothing is written
    try:
        load_scorecard(card)
        toml = []
    except CrmError as err:
        toml = [(p.where.split(": ", 1)[1], p.message) for p in err.problems]
    return headless, button, toml


# (Model edit, [(the Model's cell, the file's key path, the message)])
REFUSED = {
    "ascending thresholds": (
        Edit({"B21": 50, "C21": 70}, [("tiers", "thresholds", "thresholds = [50, 70]")]),
        [
            (
                "Model!B21:C21",
                "tiers.thresholds",
                f"thresholds go from the top tier down, got 50, 70: {ORDER}",
            )
        ],
    ),
    "equal thresholds": (
        Edit({"C21": 70}, [("tiers", "thresholds", "thresholds = [70, 70]")]),
        [
            (
                "Model!B21:C21",
                "tiers.thresholds",
                f"thresholds go from the top tier down, got 70, 70: {ORDER}",
            )
        ],
    ),
    "a threshold that is not a number": (
        Edit({"C21": "fifty"}, [("tiers", "thresholds", 'thresholds = [70, "fifty"]')]),
        [("Model!C21", "tiers.thresholds[2]", "threshold: 'fifty' is text, not a number")],
    ),
    # a label deleted (the names shrink, as Excel does when the cell is deleted)
    "a label missing": (
        Edit(
            {"D22": None},
            [("tiers", "labels", 'labels = ["A", "B"]')],
            names={"crm_tier_labels": "'Model'!$B$22:$C$22"},
        ),
        [
            (
                "Model!B22:C22",
                "tiers.labels",
                "2 threshold(s) make 3 tiers, but 2 label(s) are given",
            )
        ],
    ),
    # a label cleared: the tier formulas still read B22:D22, so the third label is blank
    "a label cleared": (
        Edit({"D22": None}, [("tiers", "labels", 'labels = ["A", "B", ""]')]),
        [("Model!D22", "tiers.labels[3]", "label is blank")],
    ),
    "a threshold cleared": (
        Edit({"C21": None}, [("tiers", "thresholds", 'thresholds = [70, ""]')]),
        [("Model!C21", "tiers.thresholds[2]", "threshold is blank")],
    ),
    "a label twice": (
        Edit({"D22": "A"}, [("tiers", "labels", 'labels = ["A", "B", "A"]')]),
        [("Model!B22:D22", "tiers.labels", "labels must be different from each other")],
    ),
    # orders 30 → 20: value's indicators weigh 50 + 20 + 20 = 90
    "indicator weights not summing to 100 %": (
        Edit({"F6": 20}, [("orders", "weight", "weight = 20")]),
        [
            (
                "Model!F5:F11",
                "indicators in dimension 'value'",
                "weights sum to 90, not 100 % (100 or 1): {fix}",
            )
        ],
    ),
    # value 45 → 55: the dimensions weigh 55 + 35 + 20 = 110
    "dimension weights not summing to 100 %": (
        Edit({"D15": 55}, [("value", "weight", "weight = 55")]),
        [("Model!D15:D17", "dimensions", "weights sum to 110, not 100 % (100 or 1): {fix}")],
    ),
    "a weight that is not a number": (
        Edit({"F6": "forty"}, [("orders", "weight", 'weight = "forty"')]),
        [("Model!F6", "indicators[2].weight", "must be a number, got 'forty'")],
    ),
    "an unknown scale": (
        Edit({"G8": "log"}, [("satisfaction", "scale", 'scale = "log"')]),
        [
            (
                "Model!G8",
                "indicators[4].scale",
                "must be one of 'linear', 'form', 'minmax', 'score', got 'log'",
            )
        ],
    ),
    "an unknown direction": (
        Edit({"H7": "up"}, [("days_since_purchase", "direction", 'direction = "up"')]),
        [("Model!H7", "indicators[3].direction", "must be one of 'higher', 'lower', got 'up'")],
    ),
    "a missing floor": (
        Edit({"I9": None}, [("interactions", "floor", None)]),
        [("Model!I9", "indicators[5].floor", "is required")],
    ),
    "a missing target": (
        Edit({"J5": None}, [("annual_spend", "target", None)]),
        [("Model!J5", "indicators[1].target", "is required")],
    ),
    # annual_spend moves to an unknown dimension: value keeps orders 30 + days 20 = 50
    "an unknown dimension": (
        Edit({"E5": "valeu"}, [("annual_spend", "dimension", 'dimension = "valeu"')]),
        [
            (
                "Model!E5",
                "indicators[1].dimension",
                "no dimension 'valeu' (did you mean 'value'?)",
            ),
            (
                "Model!F5:F11",
                "indicators in dimension 'value'",
                "weights sum to 50, not 100 % (100 or 1): {fix}",
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_a_broken_model_is_refused_alike_by_every_path(case, template, tmp_path):
    edit, expected = REFUSED[case]
    book, card = edited(template, tmp_path, edit)
    headless, button, toml = three_paths(book, card)

    in_model = [f"{cell}: {message.format(fix=FIX_IN_MODEL)}" for cell, _, message in expected]
    in_toml = [(key, message.format(fix=FIX_IN_TOML)) for _, key, message in expected]
    assert headless == in_model
    assert button == in_model
    assert toml == in_toml


def test_one_threshold_with_two_labels_tiers_alike_by_every_path(template, tmp_path):
    """The tier table shortened to one threshold (70) and two labels (A, B), and the names
    shrunk with it, as Excel does when the cells are deleted: above 70 is A, else B."""
    edit = Edit(
        {"C21": None, "D22": None},
        [("tiers", "thresholds", "thresholds = [70]"), ("tiers", "labels", 'labels = ["A", "B"]')],
        names={"crm_tier_thresholds": "'Model'!$B$21", "crm_tier_labels": "'Model'!$B$22:$C$22"},
    )
    book, card = edited(template, tmp_path, edit)
    assert three_paths(book, card) == ([], [], [])

    scores = rate(read_table(sample_path("customers.csv")), load_scorecard(card)).frame["score"]
    by_hand = ["A" if s > 70 else "B" for s in scores]
    assert by_hand[0] == "A" and "B" in by_hand  # the first customer scores 79.6

    headless = tmp_path / "headless.xlsx"
    assert not recalc_book(book, headless).problems
    stored = Package.open(headless).cached_values(
        "Ratings 2026-Q4", [f"M{r}" for r in range(4, 64)]
    )
    assert [stored[f"M{r}"][1] for r in range(4, 64)] == by_hand

    excel = xlwings_double.Book(book)
    macros.recalculate_ratings(excel)
    assert excel.app.alerts == []
    tiers = excel.wb["Ratings 2026-Q4"]
    assert [tiers[f"M{r}"].value for r in range(4, 64)] == by_hand

    card_tiers = rate(read_table(sample_path("customers.csv")), load_scorecard(card)).frame["tier"]
    assert card_tiers.tolist() == by_hand


def test_the_shipped_model_is_accepted_by_every_path(template, tmp_path):
    book, card = edited(template, tmp_path, Edit({}, []))
    assert three_paths(book, card) == ([], [], [])


def test_crm_tier_shows_the_same_refusal_in_its_cell(template, tmp_path):
    """=CRM_TIER with ascending thresholds, in a cell recalculated headless: the cell shows
    the rule's message as its error text (the Model check is not involved)."""
    from crm_xl.xlsx import Formula

    pkg = Package.open(template)
    pkg.set_cells("Guide", {"C1": Formula('CRM_TIER(79.6,{50,70},{"A","B","C"})')})
    pkg.set_cells("Guide", {"C2": Formula('CRM_TIER(79.6,{70,50},{"A","B","C"})')})
    book = tmp_path / "tier.xlsx"
    pkg.save(book)
    assert not recalc_book(book).problems
    stored = Package.open(book).cached_values("Guide", ["C1", "C2"])
    message = f"thresholds go from the top tier down, got 50, 70: {ORDER}"
    assert stored == {"C1": ("str", f"#VALUE! tiers.thresholds: {message}"), "C2": ("str", "A")}


def test_a_tier_typed_beside_the_tier_table_is_refused_where_it_is(template, tmp_path):
    """The tier formulas read the named cells B21:C21 and B22:D22 only: a threshold and a
    label typed beside them would be used by no formula, so the Model is refused there (a
    scorecard file has no such cells: it stays valid)."""
    book, card = edited(template, tmp_path, Edit({"D21": 30, "E22": "D"}, []))
    headless, button, toml = three_paths(book, card)
    hint = "clear it, or widen crm_tier_thresholds and crm_tier_labels together (Formulas > Name Manager)"
    expected = [
        f"Model!D21: a tier threshold beside the tier table: the tier formulas read B21:C21 (crm_tier_thresholds) only; {hint}",
        f"Model!E22: a tier label beside the tier table: the tier formulas read B22:D22 (crm_tier_labels) only; {hint}",
    ]
    assert headless == expected and button == expected and toml == []
