"""The macro-enabled workbook: xlwings' VBA, the form button, the companion module."""

from __future__ import annotations

import importlib
import re
import sys
import zipfile

import openpyxl
import pytest

import crm_xl.macros
from crm_xl.cli import main
from crm_xl.errors import CrmError
from crm_xl.workbook.macro_workbook import new_macro_workbook, xlwings_vba_source
from tests.helpers.libreoffice import recalculate


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("macro")
    return new_macro_workbook(folder / "crm_2026.xlsm", "2026-Q4", lang="zh")


def test_vba_project_is_the_installed_xlwings_one(book):
    xlsm, _ = book
    with zipfile.ZipFile(xlsm) as z, zipfile.ZipFile(xlwings_vba_source()) as src:
        assert z.read("xl/vbaProject.bin") == src.read("xl/vbaProject.bin")
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert (
        'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"'
        in types
    )
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert "relationships/vbaProject" in rels and 'Target="vbaProject.bin"' in rels
    assert 'codeName="ThisWorkbook"' in workbook


def test_button_on_the_ratings_sheet_runs_samplecall(book):
    xlsm, _ = book
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    ratings = wb["评级 2026-Q4"]
    assert ratings.legacy_drawing == "xl/drawings/vmlDrawing1.vml"
    with zipfile.ZipFile(xlsm) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    assert 'ObjectType="Button"' in vml and "<x:FmlaMacro>[0]!SampleCall</x:FmlaMacro>" in vml
    assert "重新计算评级" in vml


def test_libreoffice_sees_the_button_and_its_macro(book, tmp_path):
    xlsm, _ = book
    flat = recalculate(xlsm, tmp_path / "book.fods", fmt="fods").read_text(encoding="utf-8")
    buttons = re.findall(r'<form:button [^>]*form:label="([^"]*)"', flat)
    assert buttons == ["重新计算评级"]
    assert (
        "vnd.sun.star.script:VBAProject.Module1.SampleCall?language=Basic&amp;location=document"
        in flat
    )
    assert "Sub SampleCall()" in flat  # LibreOffice read the macro's source from the VBA project


def test_companion_module_runs_the_recalculation(book, monkeypatch):
    xlsm, companion = book
    assert companion == xlsm.with_suffix(".py")
    calls = []
    monkeypatch.setattr(crm_xl.macros, "recalculate_ratings", lambda: calls.append("recalc"))
    monkeypatch.setattr(crm_xl.macros, "new_period", lambda: calls.append("new period"))
    monkeypatch.setattr(crm_xl.macros, "make_report", lambda: calls.append("report"))
    monkeypatch.syspath_prepend(str(companion.parent))
    module = importlib.import_module(companion.stem)
    try:
        module.main()
        module.new_period()
        module.report()
    finally:
        sys.modules.pop(companion.stem, None)
    assert calls == ["recalc", "new period", "report"]


def test_macro_recalculates_through_xlwings_and_reports_a_broken_model(book, tmp_path):
    """The button's Python side, run on the generated .xlsm through the xlwings test double."""
    from tests.helpers import xlwings_double

    xlsm, _ = book
    good = xlwings_double.Book(xlsm)
    crm_xl.macros.recalculate_ratings(good)
    assert good.app.alerts == [] and good.block_writes == 13
    assert good.wb["评级 2026-Q4"]["L4"].value == ""  # the blank template: blank rows stay blank

    broken = xlwings_double.Book(xlsm)
    broken.wb["模型"]["F6"] = "forty"
    crm_xl.macros.recalculate_ratings(broken)
    assert broken.block_writes == 0
    assert broken.app.alerts == ["模型!F6: must be a number, got 'forty'"]


def test_workbook_name_must_be_a_module_name(tmp_path):
    with pytest.raises(CrmError, match="must be a Python module name"):
        new_macro_workbook(tmp_path / "my book.xlsm", "2026-Q4")
    with pytest.raises(CrmError, match=r"ends in \.xlsm"):
        new_macro_workbook(tmp_path / "book.xlsx", "2026-Q4")


def test_a_chinese_workbook_name_is_refused_saying_ascii_letters(tmp_path, capsys):
    # Python would import 客户评级 (a valid identifier), but xlwings' RunPython does not pass
    # a non-ASCII workbook name to Python intact (macOS: xlwings issue #2004)
    target = tmp_path / "客户评级.xlsm"
    code = main(["new", str(target), "--period", "2026-Q4", "--macros"])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {target}: the button runs 'import 客户评级' through xlwings, which does not "
        "pass a name with other than ASCII letters to Python intact: name the workbook with "
        "ASCII letters, digits and _ (not starting with a digit), e.g. crm_2026_Q4.xlsm"
    ]
    assert list(tmp_path.iterdir()) == []  # nothing written, no build folder left
    # the suggested name works
    assert main(["new", str(tmp_path / "crm_2026_Q4.xlsm"), "--period", "2026-Q4", "--macros"]) == 0
    assert (tmp_path / "crm_2026_Q4.py").exists()


@pytest.mark.parametrize("name", ["pandas", "crm_xl", "json", "xlwings"])
def test_a_name_that_would_hide_a_module_the_button_needs_is_refused(tmp_path, name):
    with pytest.raises(CrmError, match=f"the companion {name}.py would hide the module {name}"):
        new_macro_workbook(tmp_path / f"{name}.xlsm", "2026-Q4")
    assert list(tmp_path.iterdir()) == []


def test_new_command_with_macros(tmp_path, capsys):
    target = tmp_path / "ratings_q4.xlsm"
    assert main(["new", str(target), "--period", "2026-Q4", "--macros", "--lang", "en"]) == 0
    assert target.exists() and target.with_suffix(".py").exists()
    out = capsys.readouterr().out
    assert "companion module" in out and "(2026-Q4, 0 customers)" in out
    assert main(["new", str(target), "--period", "2026-Q4", "--macros"]) == 1  # no overwrite
