"""Recalculate ratings as an xlwings Lite script, through xlwings' Office.js Book engine.

The host (tests/helpers/lite_host.py) runs ``custom_scripts_call`` on Lite's ``main.py`` with
``xw.Book(json=payload)``: the payload is what Lite sends — every sheet's values and the
defined names — made from the sample workbook with its results blanked. The script's
``setValues`` actions, applied as Lite's client applies them, must hold what ``crm-xl
recalc`` stores for the same workbook.
"""

from __future__ import annotations

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
