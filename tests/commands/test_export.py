"""``crm-xl export BOOK -o copy.xlsx``: every formula replaced by its stored value, the rest kept."""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.xlsx import Package
from tests.helpers.excel_made import excel_made, excel_made_params
from tests.helpers.libreoffice import read_values, recalculate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "crm_sample_en.xlsx"
MACROS = ROOT / "workbooks" / "crm_sample_en.xlsm"


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "crm_sample_en.xlsx"
    shutil.copy(SAMPLE, path)
    return path


def formula_cells(path: Path) -> dict[str, list[str]]:
    pkg = Package.open(path)
    return {
        s.name: sorted(pkg.formula_cells(s.name)) for s in pkg.sheets() if s.kind == "worksheet"
    }


def test_libreoffice_finds_no_formula_and_the_stored_values(sample, tmp_path):
    out = tmp_path / "copy.xlsx"
    before = sample.read_bytes()
    assert main(["export", str(sample), "-o", str(out)]) == 0
    assert sample.read_bytes() == before  # the original is only read
    formulas = formula_cells(sample)
    assert sum(map(len, formulas.values())) > 2000  # the sample's results, form, dashboard
    # LibreOffice opens the copy, recomputes what it can and saves it: with no formula left,
    # every cell shows what the original stored
    opened = recalculate(out, tmp_path / "opened.xlsx")
    book = openpyxl.load_workbook(opened)
    assert not [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    for sheet, cells in formulas.items():
        if cells:
            shown, stored = read_values(opened, sheet, cells), read_values(sample, sheet, cells)
            assert [c for c in cells if not same(shown[c], stored[c])] == [], sheet


def same(a, b) -> bool:
    """Equal; numbers to the 15 significant digits LibreOffice saves; a formula's "" and an
    empty cell both show nothing (the copy has the empty cell)."""
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300)
    return type(a) is type(b) and a == b


def test_everything_else_is_kept(sample, tmp_path):
    out = tmp_path / "copy.xlsx"
    assert main(["export", str(sample), "-o", str(out)]) == 0
    assert formula_cells(out) == {name: [] for name in formula_cells(sample)}
    a, b = openpyxl.load_workbook(sample), openpyxl.load_workbook(out)
    assert a.sheetnames == b.sheetnames
    assert set(a.defined_names) == set(b.defined_names)
    ratings_a, ratings_b = a["Ratings 2026-Q4"], b["Ratings 2026-Q4"]
    # a result cell keeps its style and number format, an input cell its validation
    for cell in ("L4", "M4", "E4", "P10"):
        assert ratings_b[cell].number_format == ratings_a[cell].number_format
        assert repr(ratings_b[cell].font) == repr(ratings_a[cell].font)
        assert repr(ratings_b[cell].fill) == repr(ratings_a[cell].fill)
    assert (
        len(ratings_b.data_validations.dataValidation)
        == len(ratings_a.data_validations.dataValidation)
        > 0
    )
    assert [str(cf.sqref) for cf in ratings_b.conditional_formatting] == [
        str(cf.sqref) for cf in ratings_a.conditional_formatting
    ]
    parts_a = set(zipfile.ZipFile(sample).namelist())
    parts_b = set(zipfile.ZipFile(out).namelist())
    assert parts_a - parts_b <= {"xl/calcChain.xml"}  # calcChain lists formulas: it goes
    assert any(p.startswith("xl/charts/") for p in parts_b)
    # a text result is now typed text; a number a number
    values = openpyxl.load_workbook(out, data_only=False)["Ratings 2026-Q4"]
    assert isinstance(values["M4"].value, str) and values["M4"].value in {"A", "B", "C"}
    assert isinstance(values["L4"].value, float)


def test_an_xlsx_copy_of_a_macro_workbook_drops_the_vba(tmp_path):
    book = tmp_path / "crm_sample_en.xlsm"
    shutil.copy(MACROS, book)
    assert main(["export", str(book), "-o", str(tmp_path / "copy.xlsx")]) == 0
    copy = zipfile.ZipFile(tmp_path / "copy.xlsx")
    assert not [p for p in copy.namelist() if "vbaProject" in p]
    types = copy.read("[Content_Types].xml").decode()
    assert "macroEnabled" not in types and "spreadsheetml.sheet.main+xml" in types
    openpyxl.load_workbook(tmp_path / "copy.xlsx")  # a plain workbook
    assert main(["export", str(book), "-o", str(tmp_path / "copy.xlsm")]) == 0
    assert "xl/vbaProject.bin" in zipfile.ZipFile(tmp_path / "copy.xlsm").namelist()


def test_stale_values_are_refused_or_recomputed_for_the_copy(sample, tmp_path, capsys):
    pkg = Package.open(sample)
    pkg.set_cells("Ratings 2026-Q4", {"E4": 999999.0})  # annual spend of the first customer
    pkg.save(sample)
    before = sample.read_bytes()
    out = tmp_path / "copy.xlsx"
    assert main(["export", str(sample), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stored values are out of date" in err and "crm-xl recalc" in err
    assert "'Ratings 2026-Q4'!P4" in err or "Ratings 2026-Q4!P4" in err  # its 0-100 spend score
    assert not out.exists()
    assert main(["export", str(sample), "-o", str(out), "--recalc"]) == 0
    assert sample.read_bytes() == before
    # spend of 999,999 is above the Model's target: the linear score is clamped at 100
    copy = openpyxl.load_workbook(out)["Ratings 2026-Q4"]
    assert copy["P4"].value == 100


def test_the_copy_is_never_the_workbook(sample, capsys):
    before = sample.read_bytes()
    assert main(["export", str(sample), "-o", str(sample)]) == 1
    assert "must not be the workbook itself" in capsys.readouterr().err
    assert main(["export", str(sample), "-o", str(sample.with_suffix(".csv"))]) == 1
    assert sample.read_bytes() == before


@pytest.mark.excel_made
@pytest.mark.parametrize("path", excel_made_params())
def test_excel_made_workbooks_keep_every_stored_value(path, tmp_path):
    # what Excel writes — shared formulas, array formulas, dynamic arrays (cm=), data
    # tables, formulas in charts' sheets — loses every <f> and shows what Excel stored
    pkg = Package.open(path)
    sheets = [s.name for s in pkg.sheets() if s.kind == "worksheet"]
    formulas = {name: sorted(pkg.formula_cells(name)) for name in sheets}
    for name in sheets:
        pkg.formulas_to_values(name)
    out = tmp_path / ("copy" + path.suffix)
    pkg.save(out)
    copy = Package.open(out)
    assert all(not copy.formula_cells(name) for name in sheets)
    assert b"cm=" not in b"".join(copy.part(s.part) for s in copy.sheets() if s.kind == "worksheet")
    for name, cells in formulas.items():
        if cells:
            shown, stored = read_values(out, name, cells), read_values(path, name, cells)
            assert [c for c in cells if not same(shown[c], stored[c])] == [], name
    openpyxl.load_workbook(out)  # still a workbook another reader opens


@pytest.mark.excel_made
@pytest.mark.parametrize("name", ["dynamic_array01.xlsx", "array_formula01.xlsx", "45544.xlsx"])
def test_libreoffice_opens_excel_made_exports(name, tmp_path):
    path = excel_made(name)
    out = tmp_path / "copy.xlsx"
    pkg = Package.open(path)
    sheets = [s.name for s in pkg.sheets() if s.kind == "worksheet"]
    formulas = {s: sorted(pkg.formula_cells(s)) for s in sheets}
    for s in sheets:
        pkg.formulas_to_values(s)
    pkg.save(out)
    opened = recalculate(out, tmp_path / "opened.xlsx")
    for s, cells in formulas.items():
        if cells:
            shown, stored = read_values(opened, s, cells), read_values(path, s, cells)
            assert [c for c in cells if not same(shown[c], stored[c])] == [], s
