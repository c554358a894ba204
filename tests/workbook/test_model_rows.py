"""Rows added to, removed from or moved in the Model sheet, as a user does it in LibreOffice
Calc (through its UNO API): each is read where it is, and what the Ratings sheet cannot
follow is refused at the right cell, the file unchanged — never another indicator's
settings applied to a column.

The sample model (docs/domain.md): indicators in rows 5-11 of the Model (annual spend,
orders, days since purchase, satisfaction, interactions, campaigns, complaint hours), the
dimensions in rows 15-17; the Ratings sheet's score columns P-V in that order.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.cli import main
from tests.helpers.libreoffice import edit_in_calc, require_uno

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
RATINGS = "Ratings 2026-Q4"


@pytest.fixture
def book(tmp_path):
    require_uno()
    path = tmp_path / "team.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", path)
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(book, capsys) -> list[str]:
    """recalc's error lines (the file must stay as it was)."""
    before = digest(book)
    assert main(["recalc", str(book)]) == 1
    assert digest(book) == before
    return [line.removeprefix(f"error: {book}: ") for line in capsys.readouterr().err.splitlines()]


def test_a_deleted_indicator_row_is_named_at_its_ratings_column(book, capsys):
    # campaigns (row 10) deleted, its weight given to interactions: the Ratings sheet still
    # scores campaigns in column U, and would now take complaint hours' settings for it
    edit_in_calc(
        book,
        [
            {"op": "delete_rows", "sheet": "Model", "row": 10, "count": 1},
            {"op": "set", "sheet": "Model", "cells": {"F9": 40}},
        ],
    )
    [line] = refused(book, capsys)
    assert line.startswith(
        f"{RATINGS}!U3: this column scores the indicator campaigns, which the Model no "
        "longer has (its row was deleted?)"
    )
    assert "give it weight 0" in line


def test_an_indicator_typed_below_the_table_is_read_and_named(book, capsys):
    # row 12 was the blank row under the table: the new indicator is read (not taken for
    # the dimension table's start, which stays where its name says: row 15)
    new = [
        "referrals",
        "推荐",
        "Referrals",
        "campaigns",
        "relationship",
        0,
        "linear",
        "higher",
        0,
        10,
    ]
    cells = {f"{c}12": v for c, v in zip("ABCDEFGHIJ", new, strict=True)}
    edit_in_calc(book, [{"op": "set", "sheet": "Model", "cells": cells}])
    [line] = refused(book, capsys)
    assert line.startswith("Model!A12:J12: indicator referrals has no score column in Ratings")


def test_an_indicator_inserted_inside_the_table(book, capsys):
    # a row inserted at 8 (the defined names grow with it): every row below moves down one
    edit_in_calc(
        book,
        [
            {"op": "insert_rows", "sheet": "Model", "row": 8, "count": 1},
            {
                "op": "set",
                "sheet": "Model",
                "cells": dict(
                    zip(
                        [f"{c}8" for c in "ABCDEFGHIJ"],
                        [
                            "referrals",
                            "推荐",
                            "Referrals",
                            "orders",
                            "value",
                            0,
                            "linear",
                            "higher",
                            0,
                            10,
                        ],
                        strict=True,
                    )
                ),
            },
        ],
    )
    [line] = refused(book, capsys)
    assert line.startswith("Model!A8:J8: indicator referrals has no score column in Ratings")


def test_rows_moved_out_of_order_are_refused_at_their_row(book, capsys):
    # orders and annual spend swapped (rows 5 and 6 sorted by ID): the formulas would score
    # the spend column with the orders' target of 24
    edit_in_calc(
        book, [{"op": "sort", "sheet": "Model", "range": "A5:J6", "by": 0, "descending": True}]
    )
    lines = refused(book, capsys)
    assert lines[0].startswith(
        "Model!A5:J5: indicator orders is the Model’s row 1, but Ratings 2026-Q4 scores it in "
        "its column 2"
    )
    assert lines[1].startswith("Model!A6:J6: indicator annual_spend is the Model’s row 2")


def test_weight_zero_leaves_an_indicator_out(book):
    # campaigns weight 0, interactions 40: customer C0002 (spend 42,200 → 14.07, orders 6 →
    # 25, 110 days → 71.23, satisfaction 4 → 75, interactions 11 → 55, complaints 96 h → 0):
    # value = 0.5·14.0667 + 0.3·25 + 0.2·71.2291 = 28.7791; relationship = 0.6·75 + 0.4·55
    # = 67 (was 64 with campaigns 2 → 40 at 20 %); service 0.
    # Score = 0.45·28.7791 + 0.35·67 = 36.4006 (was 35.3506): C.
    edit_in_calc(book, [{"op": "set", "sheet": "Model", "cells": {"F9": 40, "F10": 0}}])
    assert main(["recalc", str(book)]) == 0
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(RATINGS).to_python()
    c0002 = next(r for r in rows if r[0] == "C0002")
    assert c0002[11] == pytest.approx(36.40061, abs=1e-4)
    assert c0002[12] == "C"
