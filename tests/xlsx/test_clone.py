"""Cloning a worksheet, on every Excel-made fixture: the copy shows the source's cells and
the parts that belong to one sheet are left out."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from defusedxml import ElementTree as SafeET

from crm_xl.errors import CrmError
from crm_xl.xlsx import Formula, Package
from tests.xlsx.harness import (
    EP,
    FIXTURES,
    MAIN,
    VT,
    check_consistent,
    first_worksheet,
    fixture,
    grid,
    insertion,
    load_openpyxl,
    members,
    openpyxl_grid,
    sheet_xml,
)

CLONE_MAY_CHANGE = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
}


@pytest.mark.parametrize("path", FIXTURES)
def test_clone_first_worksheet(path, tmp_path):
    pkg = Package.open(path)
    source = first_worksheet(pkg)
    new = pkg.clone_sheet(source.name, "Clone")
    out = tmp_path / path.name
    pkg.save(out)

    before, after = members(path), members(out)
    added = [n for n in after if n not in before]
    assert new.part in added
    assert set(added) <= {new.part, f"xl/worksheets/_rels/{PurePosixPath(new.part).name}.rels"}
    assert list(after)[: len(before)] == list(before), "member order changed"
    for name, data in before.items():
        if name not in CLONE_MAY_CHANGE:
            assert after[name] == data, f"{name} changed"
    # The parts that had to change only gained the new sheet's entry (app.xml: also counts).
    wb = "xl/workbook.xml"
    assert b'name="Clone"' in insertion(before[wb], after[wb])
    rels = "xl/_rels/workbook.xml.rels"
    assert new.part.split("/", 1)[1].encode() in insertion(before[rels], after[rels])
    ct = "[Content_Types].xml"
    assert f'PartName="/{new.part}"'.encode() in insertion(before[ct], after[ct])
    check_consistent(out)
    if "docProps/app.xml" in before:  # the titles still add up, and list the new sheet
        app = SafeET.fromstring(after["docProps/app.xml"], forbid_dtd=True)
        counts = [int(n.text) for n in app.iter(f"{VT}i4")]
        titles = [n.text for n in app.find(f"{EP}TitlesOfParts").iter(f"{VT}lpstr")]
        assert sum(counts) == len(titles) and "Clone" in titles

    # The copy is readable and shows the same cells as its source.
    assert grid(out, "Clone") == grid(out, source.name)
    book = load_openpyxl(out)
    assert openpyxl_grid(book, "Clone") == openpyxl_grid(book, source.name)
    assert book.sheetnames[-1] == "Clone"
    root = sheet_xml(out, new.part)
    assert all(v.get("tabSelected") is None for v in root.iter(f"{MAIN}sheetView"))
    assert all(p.get("codeName") is None for p in root.iter(f"{MAIN}sheetPr"))
    for tag in ("drawing", "legacyDrawing", "legacyDrawingHF", "tableParts", "picture"):
        assert root.find(f"{MAIN}{tag}") is None


@pytest.mark.parametrize("name", ["button07.xlsm", "macro01.xlsm", "SimpleMacro.xlsm"])
def test_clone_keeps_vba_and_buttons(name, tmp_path):
    path = fixture(name)
    pkg = Package.open(path)
    pkg.clone_sheet(first_worksheet(pkg).name, "Copy")
    pkg.save(tmp_path / name)
    before, after = members(path), members(tmp_path / name)
    vba = [n for n in before if n.endswith(".bin") or n.endswith(".vml")]
    assert "xl/vbaProject.bin" in vba
    for part in vba:
        assert after[part] == before[part]
    assert load_openpyxl(tmp_path / name).sheetnames[-1] == "Copy"


def test_clone_drops_sheet_owned_parts_and_keeps_hyperlinks(tmp_path):
    # 45544: comments + VML + printer settings; simple-monthly-budget: drawing, tables, x14.
    pkg = Package.open(fixture("simple-monthly-budget.xlsx"))
    info = pkg.clone_sheet("Simple Monthly Budget", "Copy", after="Simple Monthly Budget")
    xml = pkg.part(info.part)
    source_xml = pkg.part(pkg.sheet("Simple Monthly Budget").part)
    assert b"<drawing" not in xml and b"<tableParts" not in xml
    assert b'r:id="' not in xml  # pageSetup's printer settings are dropped too
    assert b"x14:conditionalFormatting" in xml  # extensions without relationships stay
    assert b"mc:Ignorable" in xml.split(b">", 2)[1]
    # x14 ids are re-made consistently: the cfRule still finds its extension
    ids = [x.text for x in SafeET.fromstring(xml).iter() if x.tag.endswith("}id")]
    assert ids and not set(ids) & {x.text for x in SafeET.fromstring(source_xml).iter()}
    assert not pkg.has_part("xl/worksheets/_rels/sheet2.xml.rels")

    pkg = Package.open(fixture("hyperlink01.xlsx"))
    info = pkg.clone_sheet("Sheet1", "Links")
    rels = pkg.part("xl/worksheets/_rels/sheet2.xml.rels")
    assert b"http://www.perl.org/" in rels and b'TargetMode="External"' in rels
    pkg.save(tmp_path / "links.xlsx")
    check_consistent(tmp_path / "links.xlsx")
    book = load_openpyxl(tmp_path / "links.xlsx")
    assert book["Links"]["A1"].hyperlink.target == "http://www.perl.org/"


def test_clone_transform_and_position(tmp_path):
    pkg = Package.open(fixture("defined_name01.xlsx"))
    before = {(d.name, d.local_sheet_id) for d in pkg.defined_name_list()}
    pkg.clone_sheet(
        "Sheet 3",
        "Mid",
        after="Sheet1",
        transform=lambda xml: xml.replace(b"<sheetData/>", b"<sheetData/>"),
    )
    assert [s.name for s in pkg.sheets()] == ["Sheet1", "Mid", "Sheet2", "Sheet 3"]
    shifted = {(n, None if i is None else i + (i >= 1)) for n, i in before}
    assert {(d.name, d.local_sheet_id) for d in pkg.defined_name_list()} == shifted
    with pytest.raises(TypeError):
        pkg.clone_sheet("Sheet1", "Bad", transform=lambda xml: xml.decode())
    with pytest.raises(CrmError, match="not usable XML"):
        pkg.clone_sheet("Sheet1", "Bad", transform=lambda xml: xml[:-5])
    assert [s.name for s in pkg.sheets()] == ["Sheet1", "Mid", "Sheet2", "Sheet 3"]
    pkg.save(tmp_path / "mid.xlsx")
    check_consistent(tmp_path / "mid.xlsx")
    book = load_openpyxl(tmp_path / "mid.xlsx")
    assert book.sheetnames == ["Sheet1", "Mid", "Sheet2", "Sheet 3"]
    # Sheet-scoped names still belong to the same sheets after the insertion.
    assert "aaa" in book["Sheet2"].defined_names
    assert "Bar" in book["Sheet 3"].defined_names
    assert "aaa" not in book["Mid"].defined_names


def test_clone_refuses_chartsheets_and_bad_names():
    pkg = Package.open(fixture("chartsheet01.xlsx"))
    assert [(s.name, s.kind) for s in pkg.sheets()] == [
        ("Sheet1", "worksheet"),
        ("Chart1", "chartsheet"),
    ]
    with pytest.raises(CrmError, match="chartsheet, not a worksheet"):
        pkg.clone_sheet("Chart1", "Copy")
    with pytest.raises(CrmError, match="no sheet 'Nope'"):
        pkg.clone_sheet("Nope", "Copy")
    with pytest.raises(CrmError, match="already has a sheet"):
        pkg.clone_sheet("Sheet1", "chart1")
    assert pkg.parts_changed() == []


def test_libreoffice_computes_formulas_in_a_cloned_sheet(tmp_path):
    from tests.helpers.libreoffice import read_values, recalculate

    pkg = Package.open(fixture("45544.xlsx"))
    pkg.clone_sheet("Profile of Class", "Scored", after="Profile of Class")
    pkg.set_cells(
        "Scored",
        {
            "H1": 10,
            "H2": 20.5,
            "H3": True,
            "H4": Formula("SUM(H1:H2)"),  # no cached value: LibreOffice must compute it
            "H5": Formula("C10*2", cached=0),  # stale cached value: recomputed
            "H6": Formula("'Profile of Class'!C12+1"),
            "H7": "=H1*1000",  # text, never a formula
            "H8": Formula('IF(H3,"yes","no")'),
        },
    )
    pkg.request_full_calc_on_load()
    edited = tmp_path / "edited.xlsx"
    pkg.save(edited)
    out = recalculate(edited, tmp_path / "recalc.xlsx")
    got = read_values(out, "Scored", ["H4", "H5", "H6", "H7", "H8", "C10"])
    assert got == {
        "H4": 30.5,
        "H5": 1064.0,
        "H6": 36.0,
        "H7": "=H1*1000",
        "H8": "yes",
        "C10": 532.0,
    }
