"""crm-xl recalc as a full recalculation: every formula it supports, not only the CRM_*
cells; what it cannot evaluate is left as it was and reported once per function."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.workbook.recalc import recalc_book
from crm_xl.xlsx import Package
from tests.calc.test_evaluator import KNOWN_BAD_CACHE
from tests.helpers.excel_made import excel_made, excel_made_params


@pytest.fixture
def plain(tmp_path):
    """A workbook with no CRM_* cell, written by openpyxl (so with no cached values)."""
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, (a, b) in enumerate([(3, "x"), (4, "y"), (5, "z")], start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b)
    ws["C1"] = "=SUM(A1:A3)"  # 12, a number
    ws["C2"] = '=B1&"-"&B2'  # "x-y", text
    ws["C3"] = "=A1>A2"  # FALSE, a logical
    ws["C4"] = "=1/0"  # #DIV/0!, an error
    ws["C5"] = '=IF(A1=3,"","no")'  # "", empty text
    for r in range(6, 10):  # a function crm_xl does not evaluate, in four cells
        ws[f"C{r}"] = f'=WEBSERVICE("http://example.invalid/{r}")'
    ws["D9"] = "=C9*2"  # reads one of them
    ws["D1"] = "=C1*2"  # 24
    other = wb.create_sheet("Other")
    other["A1"] = "=Data!C1+1"  # 13, on another sheet
    other["A2"] = '=INDIRECT("Data!A1")'  # 3, a reference made while it runs
    other["A3"] = "=_xlfn.FORECAST.ETS(1,Data!A1:A3,Data!A1:A3)"  # not evaluated either
    wb.save(path)
    return path


def test_every_supported_formula_is_computed_and_stored_with_its_type(plain):
    result = recalc_book(plain)
    assert result.status == "updated" and result.problems == []
    got = Package.open(plain).cached_values("Data", ["C1", "C2", "C3", "C4", "C5", "D1"])
    assert got["C1"] == ("n", 12.0)
    assert got["C2"] == ("str", "x-y")
    assert got["C3"] == ("b", False)
    assert got["C4"][0] == "e" and str(got["C4"][1]) == "#DIV/0!"
    assert got["C5"][0] in ("str", "empty") and (got["C5"][1] or "") == ""
    assert got["D1"] == ("n", 24.0)
    other = Package.open(plain).cached_values("Other", ["A1", "A2"])
    assert other["A1"] == ("n", 13.0) and other["A2"] == ("n", 3.0)


def test_what_cannot_be_evaluated_is_left_alone_and_reported_once_per_function(plain, capsys):
    assert main(["recalc", str(plain)]) == 0  # the rest is computed: not a failure
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("not evaluated:")]
    offset = [line for line in lines if "WEBSERVICE" in line]
    assert len(offset) == 1, err  # one line for the four cells, not four
    assert "Data!C6:C9" in offset[0]
    assert "4 cells left as they were, and 1 cell that depend on them" in offset[0]
    assert any("FORECAST.ETS" in line and "Other!A3" in line for line in lines)
    stored = Package.open(plain).cached_values("Data", ["C6", "C9", "D9"])
    assert {v[0] for v in stored.values()} == {"empty"}  # as openpyxl wrote them: nothing


def test_check_covers_every_formula(plain, capsys):
    before = plain.read_bytes()
    assert main(["recalc", "--check", str(plain)]) == 1
    out = capsys.readouterr().out
    assert "Data!C1: stored nothing, computed 12" in out
    assert "Other!A1: stored nothing, computed 13" in out
    assert plain.read_bytes() == before
    assert main(["recalc", str(plain)]) == 0
    assert main(["recalc", "--check", str(plain)]) == 0


def test_a_cell_that_cannot_be_computed_does_not_stop_the_others(tmp_path):
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=EDATE(1,-1500000)"  # Excel: #NUM!
    ws["A2"] = "=CEILING(1E+308,1E-308)"  # overflows inside CEILING: reported
    ws["A3"] = '=LEN(REPT("x",1E+9))'  # #VALUE!, without building a gigabyte of text
    ws["A4"] = "=2+2"
    wb.save(path)
    result = recalc_book(path)
    assert result.error is None and result.problems == []
    got = Package.open(path).cached_values("Sheet", ["A1", "A2", "A3", "A4"])
    assert str(got["A1"][1]) == "#NUM!" and str(got["A3"][1]) == "#VALUE!"
    assert got["A4"] == ("n", 4.0) and got["A2"][0] == "empty"
    assert [p.where for p in result.not_evaluated] == ["Sheet!A2"]


@pytest.mark.parametrize("name", excel_made_params(names=True))
def test_full_recalculation_of_excel_made_files_agrees_with_excel(name, tmp_path):
    """Every cell a full recalculation evaluates has the value Excel stored: --check finds
    nothing stale (cells Excel stored no value for are left aside)."""
    copy = tmp_path / name
    shutil.copyfile(excel_made(name), copy)
    result = recalc_book(copy, check=True, force=True)
    assert result.error is None, result.error
    wrong = [
        c.describe()
        for c in result.changes
        if c.stored[0] != "empty" and (name, c.sheet, c.cell) not in KNOWN_BAD_CACHE
    ]
    assert not wrong, "\n".join(wrong[:30])


def test_long_chains_and_deep_formulas_never_stop_the_run(tmp_path, capsys):
    """Issue 14's hostile shapes, made small on the fly: a chain of 40,000 dependent cells
    (A2=A1+1 down, B up the other way) is computed, never a RecursionError; formulas
    nested 400 deep and 500 defined names each defined by the next are that cell's
    "not evaluated" (or its value), and every other cell is computed."""
    from openpyxl.workbook.defined_name import DefinedName

    path = tmp_path / "hostile.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 1
    for r in range(2, 40_001):
        ws[f"A{r}"] = f"=A{r - 1}+1"
    ws["B20000"] = 1
    for r in range(19_999, 0, -1):  # upwards, and two formula shapes in turn: single cells
        ws[f"B{r}"] = f"=B{r + 1}+1" if r % 2 else f"=1+B{r + 1}"
    ws["C1"] = "=" + "(" * 400 + "7" + ")" * 400
    ws["C2"] = "=" + "IF(TRUE," * 400 + "1" + ")" * 400
    ws["C3"] = "=" + "-" * 400 + "1"
    ws["C4"] = "=nm_1"
    ws["C5"] = "=C2+1"  # depends on a cell that is not evaluated
    ws["C6"] = "=A40000+B1"
    for i in range(1, 500):
        wb.defined_names[f"nm_{i}"] = DefinedName(f"nm_{i}", attr_text=f"nm_{i + 1}+1")
    wb.defined_names["nm_500"] = DefinedName("nm_500", attr_text="1")
    wb.save(path)

    assert main(["recalc", str(path)]) == 0
    err = capsys.readouterr().err
    got = Package.open(path).cached_values(
        "S", ["A40000", "B1", "C1", "C2", "C3", "C4", "C5", "C6"]
    )
    assert got["A40000"] == ("n", 40_000.0)
    assert got["B1"] == ("n", 20_000.0)
    assert got["C1"] == ("n", 7.0)  # brackets only: evaluated
    assert got["C6"] == ("n", 60_000.0)
    for cell in ("C2", "C3", "C4", "C5"):
        assert got[cell] == ("empty", None), cell  # left as openpyxl wrote them: nothing
    lines = [line for line in err.splitlines() if line.startswith("not evaluated:")]
    for cell in ("S!C2", "S!C3", "S!C4"):
        assert any(cell in line for line in lines), err
    assert "RecursionError" not in err and "internal error" not in err
