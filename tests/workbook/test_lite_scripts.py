"""Recalculate ratings as an xlwings Lite script, through xlwings' Office.js Book engine.

The host (tests/helpers/lite_host.py) runs ``custom_scripts_call`` on Lite's ``main.py`` with
``xw.Book(json=payload)``: the payload is what Lite sends — every sheet's values and the
defined names — made from the sample workbook with its results blanked. The script's
``setValues`` actions, applied as Lite's client applies them, must hold what ``crm-xl
recalc`` stores for the same workbook.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import openpyxl
import pytest

from crm_xl.workbook.recalc import recalc_book
from crm_xl.xlsx.coordinates import parse_range
from tests.helpers.lite import LiteHost, apply_actions, book_payload, officejs_cell

ROOT = Path(__file__).resolve().parents[2]
RESULTS = {"Ratings 2026-Q4": ["L4:V203"], "Self-assessment 2026-Q4": ["F5:F9", "C10"]}


@pytest.fixture(scope="module")
def lite():
    host = LiteHost()
    yield host
    host.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("lite") / "crm_sample_en.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", path)
    return path


def test_the_script_is_registered_for_lites_run_button(lite):
    scripts = {s["function_name"]: s for s in lite.request(op="scripts")}
    assert scripts["recalculate_ratings"]["name"] == "Recalculate ratings"
    assert scripts["recalculate_ratings"]["button"] is None  # Lite's Run list


def test_a_sheet_button_is_one_more_line_of_main_py(lite):
    lite.request(op="exec", code="recalculate_button = sheet_button(\"'Ratings 2026-Q4'!L1\")\n")
    scripts = {s["function_name"]: s for s in lite.request(op="scripts")}
    assert scripts["recalculate_button"]["button"] == "[crm_recalculate]'Ratings 2026-Q4'!L1"


def test_recalculate_ratings_in_lite_writes_what_recalc_stores(lite, sample):
    payload = book_payload(sample, blank=RESULTS)
    ratings = next(s for s in payload["sheets"] if s["name"] == "Ratings 2026-Q4")
    assert all(v == "" for row in ratings["values"][3:203] for v in row[11:22])  # blanked
    actions = lite.request(op="script", name="recalculate_ratings", book=payload)["actions"]
    assert apply_actions(payload, actions) == []  # no alert: the Model is valid

    reference = sample.with_name("recalc.xlsx")
    shutil.copy(sample, reference)
    recalc_book(reference)  # crm-xl recalc
    stored = openpyxl.load_workbook(reference, data_only=True)
    compared = 0
    for sheet, refs in RESULTS.items():
        values = next(s for s in payload["sheets"] if s["name"] == sheet)["values"]
        for ref in refs:
            r0, c0, r1, c1 = parse_range(ref)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    want = officejs_cell(stored[sheet].cell(r, c).value, in_book=True)
                    got = values[r - 1][c - 1] if r <= len(values) else ""
                    if isinstance(want, (int, float)) and not isinstance(want, bool):
                        assert isinstance(got, (int, float)), (sheet, r, c, got, want)
                        assert math.isclose(got, want, rel_tol=1e-12), (sheet, r, c)
                        compared += 1
                    else:
                        assert (got or "") == (want or ""), (sheet, r, c, got, want)
    assert compared > 200  # the customers' numbers and the self-assessment's, not blanks


def test_a_broken_model_is_a_message_box_and_nothing_is_written(lite, sample):
    payload = book_payload(sample)
    model = next(s for s in payload["sheets"] if s["name"] == "Model")["values"]
    model[4][5] = "forty"  # Model!F5: the first indicator's weight
    actions = lite.request(op="script", name="recalculate_ratings", book=payload)["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    prompt, title = actions[0]["args"][:2]
    assert title == "crm_xl" and "F5" in prompt and "forty" in prompt


# -- New period ------------------------------------------------------------------------------

# Excel's part of New period: the sheets' formulas, which Lite's Book fetches from Excel
# (`await rng.get_formula()`, Lite only); here they come from the file, as Excel shows them,
# through a script of main.py that hands them on to the script's own code.
GIVEN = """
import json
import xlwings as xw
from xlwings import script
from crm_xl.workbook.lite_scripts import run_new_period

@script
def new_period_given(book: xw.Book, formulas: str):
    run_new_period(book, json.loads(formulas))
"""


def file_formulas(path: Path) -> dict[str, dict[str, str]]:
    book = openpyxl.load_workbook(path)
    return {
        ws.title: {
            c.coordinate: c.value
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=")
        }
        for ws in book.worksheets
    }


def test_new_period_is_a_script_in_lites_run_list(lite):
    scripts = {s["function_name"]: s for s in lite.request(op="scripts")}
    assert scripts["new_period"]["name"] == "New period"


def test_new_period_in_lite_does_what_crm_xl_new_period_does(lite, sample, tmp_path):
    from crm_xl.workbook.period import add_period

    lite.request(op="exec", code=GIVEN)
    payload = book_payload(sample)
    formulas = json.dumps(file_formulas(sample))
    actions = lite.request(op="script", name="new_period_given", book=payload, args=[formulas])[
        "actions"
    ]
    by = lambda f: [a for a in actions if a["func"] == f]  # noqa: E731
    assert [a["args"][0] for a in by("setSheetName")] == [
        "Self-assessment 2027-Q1",
        "Ratings 2027-Q1",
    ]
    assert by("alert")[0]["args"][0].startswith("2027-Q1: added the sheets")

    reference = tmp_path / "reference.xlsx"
    shutil.copy(sample, reference)
    before = set(openpyxl.load_workbook(sample).defined_names)
    add_period(reference, "2027-Q1")  # crm-xl new-period
    after = openpyxl.load_workbook(reference)
    added = {
        n: "=" + after.defined_names[n].attr_text for n in after.defined_names if n not in before
    }
    changed = {"crm_periods": "=" + after.defined_names["crm_periods"].attr_text}
    assert {a["args"][0]: a["args"][1] for a in by("namesAdd")} == {**added, **changed}
    # the Dashboard's formulas now read the new period's names, as new-period writes them
    dash = after.sheetnames.index("Dashboard")  # behind the two new sheets, in both
    written = {
        (a["start_row"] + 1, a["start_column"] + 1): a["values"][0][0]
        for a in by("setFormula")
        if a["sheet_position"] == dash
    }
    stored, old = file_formulas(reference)["Dashboard"], file_formulas(sample)["Dashboard"]
    changed_in_file = {cell: f for cell, f in stored.items() if old.get(cell) != f}
    cells = {openpyxl.utils.get_column_letter(c) + str(r): f for (r, c), f in written.items()}
    assert cells == changed_in_file and len(cells) > 10


def test_new_period_in_lite_clears_what_crm_xl_new_period_clears(lite, sample, tmp_path):
    from crm_xl.workbook.period import add_period

    lite.request(op="exec", code=GIVEN)
    formulas = json.dumps(file_formulas(sample))
    actions = lite.request(
        op="script", name="new_period_given", book=book_payload(sample), args=[formulas]
    )["actions"]
    reference = tmp_path / "reference.xlsx"
    shutil.copy(sample, reference)
    add_period(reference, "2027-Q1")
    source, after = openpyxl.load_workbook(sample), openpyxl.load_workbook(reference)
    for old, new in [
        ("Ratings 2026-Q4", "Ratings 2027-Q1"),
        ("Self-assessment 2026-Q4", "Self-assessment 2027-Q1"),
    ]:
        filled = {
            c.coordinate for row in source[old].iter_rows() for c in row if c.value is not None
        }
        expected = {cell for cell in filled if after[new][cell].value is None}
        at = after.sheetnames.index(new)
        cleared = {
            f"{openpyxl.utils.get_column_letter(a['start_column'] + 1 + j)}{a['start_row'] + 1 + i}"
            for a in actions
            if a["func"] == "rangeClearContents" and a["sheet_position"] == at
            for i in range(a["row_count"])
            for j in range(a["column_count"])
        }
        assert expected and cleared & filled == expected, new
