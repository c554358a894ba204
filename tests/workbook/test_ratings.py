"""The Recalculate ratings macro: one recalculation, two backends, identical cells."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.core.rating import rate
from crm_xl.core.scorecard import load_scorecard
from crm_xl.errors import CrmError
from crm_xl.files.resources import sample_path
from crm_xl.files.tables import read_table
from crm_xl.workbook.package_backend import PackageBackend
from crm_xl.workbook.ratings import recalculate_ratings
from crm_xl.workbook.xlwings_backend import XlwingsBackend
from tests.helpers import xlwings_double

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def books(tmp_path):
    a, b = tmp_path / "headless.xlsx", tmp_path / "excel.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", a)
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", b)
    return a, b


def test_same_macro_through_both_backends_gives_identical_cells(books):
    headless_path, excel_path = books
    backend = PackageBackend(headless_path)
    headless = recalculate_ratings(backend)
    backend.save()
    excel = xlwings_double.Book(excel_path)
    in_excel = recalculate_ratings(XlwingsBackend(excel))

    assert headless.blocks == in_excel.blocks
    assert str(headless.period) == "2026-Q4"
    # one write per block, not one per cell
    assert excel.block_writes == len(in_excel.blocks) == 13

    # what the headless run stored is what a reader sees, without recalculating
    rows = (
        CalamineWorkbook.from_path(str(headless_path))
        .get_sheet_by_name("Ratings 2026-Q4")
        .to_python()
    )
    stored_scores = [r[11] for r in rows[3:63]]
    expected = rate(
        read_table(sample_path("customers.csv")), load_scorecard(sample_path("scorecard.toml"))
    )
    assert stored_scores == pytest.approx(expected.frame["score"].tolist())
    assert [r[12] for r in rows[3:63]] == expected.frame["tier"].tolist()
    assert rows[63][11] == ""  # no customer on that row: blank


def test_a_broken_model_stops_the_macro_and_names_the_cell(books):
    _, excel_path = books
    book = xlwings_double.Book(excel_path)
    book.wb["Model"]["F6"] = "forty"
    with pytest.raises(CrmError) as err:
        recalculate_ratings(XlwingsBackend(book))
    assert [str(p) for p in err.value.problems] == ["Model!F6: must be a number, got 'forty'"]
    assert book.block_writes == 0
