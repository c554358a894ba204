"""Customer rows behave like a table: sorted, deleted, inserted and filtered in LibreOffice
Calc (driven through its UNO API, as a user's clicks), then ``crm-xl recalc`` gives each
customer the results worked out by hand, and every result has followed its row.

The sample model (docs/domain.md): value 45 % (spend 0→300,000 50 %, orders 0→24 30 %,
days since purchase 365→7 20 %), relationship 35 % (satisfaction 1-5 60 %, interactions
0→20 20 %, campaigns 0→5 20 %), service 20 % (complaint hours 72→4); tiers A above 70,
B above 50, else C.
"""

from __future__ import annotations

import shutil

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.workbook.recalc import recalc_book
from tests.helpers.libreoffice import edit_in_calc, require_uno

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
SHEET = "Ratings 2026-Q4"
ROWS = "A4:V63"  # the 60 sample customers, inputs and results

# A new customer, worked out by hand: spend 300,000 → 100, orders 0 → 0, 7 days → 100:
# value = 0.5·100 + 0.3·0 + 0.2·100 = 70; satisfaction 5 → 100, interactions 0 → 0,
# campaigns 5 → 100: relationship = 0.6·100 + 0.2·0 + 0.2·100 = 80; complaint hours 38 →
# (72 − 38) / (72 − 4) · 100 = 50: service = 50. Score 0.45·70 + 0.35·80 + 0.2·50 = 69.5,
# just under the A threshold: B.
NEW = {"A": "C9001", "B": "New Co", "C": "East", "D": "Online", "E": 300000, "F": 0}
NEW |= {"G": 7, "H": 0, "I": 5, "J": 38, "K": 5}


def _by_customer(path) -> dict[str, list]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()
    return {r[0]: r for r in rows[3:] if r[0]}


@pytest.fixture
def book(tmp_path):
    require_uno()
    path = tmp_path / "team.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", path)
    return path


def test_sorting_in_calc_keeps_every_result_with_its_customer(book):
    before = _by_customer(book)
    edit_in_calc(book, [{"op": "sort", "sheet": SHEET, "range": ROWS, "by": 4, "descending": True}])
    done = recalc_book(book)
    assert not done.problems
    after = _by_customer(book)
    spends = [r[4] for r in after.values()]
    assert spends == sorted(spends, reverse=True)  # Calc did sort the rows
    assert list(after) != list(before)
    for customer, row in before.items():  # score, tier, RFM segment, indicators used
        score, *rest = after[customer][11:15]
        assert score == pytest.approx(row[11]) and rest == row[12:15], customer
    assert recalc_book(book, check=True).changes == []


def test_deleting_inserting_and_filtering_in_calc(book):
    before = _by_customer(book)
    gone = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(SHEET).to_python()[4][0]
    steps = [
        {"op": "delete_rows", "sheet": SHEET, "row": 5},
        {"op": "insert_rows", "sheet": SHEET, "row": 6},
        {"op": "set", "sheet": SHEET, "cells": {f"{c}6": v for c, v in NEW.items()}},
        # only one region shown: hidden rows are computed all the same
        {"op": "filter", "sheet": SHEET, "range": "A3:V203", "field": 2, "equals": "华南"},
    ]
    edit_in_calc(book, steps)
    done = recalc_book(book)
    assert not done.problems
    # the inserted row had no result formulas: recalc gave it its row's
    assert {c.split("!")[1] for c in done.filled} == {f"{c}6" for c in "LMNOPQRSTUV"}
    after = _by_customer(book)
    assert gone not in after and len(after) == len(before)
    score, tier, _, used = after["C9001"][11:15]
    assert score == pytest.approx(69.5) and tier == "B" and used == 7
    for customer, row in before.items():
        if customer != gone:  # linear scales: a customer's score is its own, whoever else
            assert after[customer][11] == pytest.approx(row[11]), customer
            assert after[customer][12] == row[12], customer
    assert recalc_book(book, check=True).changes == []  # one run computed everything

    import openpyxl

    ws = openpyxl.load_workbook(book)[SHEET]
    assert (
        ws["M6"].value.upper()
        == '=CRM_TIER(L6,CRM_TIER_THRESHOLDS,CRM_TIER_LABELS,"LOWER",CRM_LANG)'
    )
    hidden = [ws.cell(r, 1).value for r in range(4, 64) if ws.row_dimensions[r].hidden]
    assert "C9001" in hidden  # filtered out (East), computed all the same
    assert all(isinstance(after[c][11], float) for c in hidden)
