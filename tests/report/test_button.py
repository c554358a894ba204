"""The Make report action (the companion module's report()), through the xlwings double."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

import crm_xl.macros
from tests.helpers import xlwings_double
from tests.report import three_periods as tp
from tests.report.reading import marked


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return tp.build(tmp_path_factory.mktemp("button"))


def test_make_report_writes_the_report_beside_the_workbook(book, tmp_path):
    copy = tmp_path / "team.xlsx"
    shutil.copy(book, copy)
    before = copy.read_bytes()
    excel = xlwings_double.Book(copy)
    written = crm_xl.macros.make_report(excel)
    assert written == tmp_path / "team_report.html"
    assert excel.app.alerts == [f"评估报告已生成:{written}"]
    found = marked(written.read_text(encoding="utf-8"))
    assert found[("data-figure", "composite")] == ["43.8"]  # the same report as crm-xl report
    assert copy.read_bytes() == before  # the workbook is only read


def test_make_report_asks_to_save_first(book, tmp_path):
    class Unsaved(xlwings_double.Book):
        class api:  # Excel's COM object: the workbook has unsaved changes
            Saved = False

    copy = tmp_path / "team.xlsx"
    shutil.copy(book, copy)
    excel = Unsaved(copy)
    assert crm_xl.macros.make_report(excel) is None
    assert excel.app.alerts == ["请先保存工作簿(Ctrl+S):报告根据已保存的文件生成。"]
    assert not (tmp_path / "team_report.html").exists()


def test_make_report_says_what_is_wrong(tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    excel = xlwings_double.Book(plain)
    assert crm_xl.macros.make_report(excel) is None
    assert len(excel.app.alerts) == 1 and "not a crm_xl workbook" in excel.app.alerts[0]
