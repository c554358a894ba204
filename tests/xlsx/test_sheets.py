"""Listing and adding sheets: relationships resolved, names checked as Excel checks them,
every registration (content type, relationship, sheet entry, app.xml title) made."""

from __future__ import annotations

import pytest

from crm_xl.errors import CrmError
from crm_xl.xlsx import Package
from tests.xlsx.harness import (
    check_consistent,
    fixture,
    grid,
    load_openpyxl,
)


def test_sheets_resolve_relative_and_absolute_targets(tmp_path):
    pkg = Package.open(fixture("45544.xlsx"))
    sheets = pkg.sheets()
    assert [s.sheet_id for s in sheets] == [10, 7, 8, 5, 6, 11, 12]
    assert sheets[0].part == "xl/worksheets/sheet1.xml" and sheets[0].state == "visible"

    # Some producers write absolute targets; new relationships follow their style.
    rels = pkg.part("xl/_rels/workbook.xml.rels").replace(b'Target="', b'Target="/xl/')
    pkg.set_part("xl/_rels/workbook.xml.rels", rels)
    assert [s.part for s in pkg.sheets()] == [s.part for s in sheets]
    new = pkg.clone_sheet("Job Source", "Copy")
    assert b'Target="/xl/worksheets/sheet8.xml"' in pkg.part("xl/_rels/workbook.xml.rels")
    pkg.save(tmp_path / "abs.xlsx")
    check_consistent(tmp_path / "abs.xlsx")
    assert grid(tmp_path / "abs.xlsx", "Copy") == grid(tmp_path / "abs.xlsx", "Job Source")
    assert new.part == "xl/worksheets/sheet8.xml"


def test_hidden_state_is_reported():
    pkg = Package.open(fixture("types01.xlsx"))
    xml = pkg.part("xl/workbook.xml").replace(b'sheetId="1"', b'sheetId="1" state="hidden"')
    pkg.set_part("xl/workbook.xml", xml)
    assert pkg.sheets()[0].state == "hidden"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "non-empty"),
        ("x" * 32, "at most 31"),
        ("a:b", "must not contain"),
        ("a\\b", "must not contain"),
        ("a/b", "must not contain"),
        ("a?b", "must not contain"),
        ("a*b", "must not contain"),
        ("a[b", "must not contain"),
        ("a]b", "must not contain"),
        ("'ab", "apostrophe"),
        ("ab'", "apostrophe"),
        ("History", "reserved"),
        ("sheet1", "already has a sheet named 'Sheet1'"),
        ("a\x01", "control"),
    ],
)
def test_bad_sheet_names_are_refused(name, message):
    pkg = Package.open(fixture("types01.xlsx"))
    with pytest.raises(CrmError, match=message):
        pkg.add_sheet(name, pkg.part("xl/worksheets/sheet1.xml"))
    assert pkg.parts_changed() == []


def test_add_sheet_registers_everything(tmp_path):
    pkg = Package.open(fixture("56644.xlsx"))
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData/></worksheet>"
    )
    info = pkg.add_sheet('A & <B> "x" \'1', xml, after="samplelist")
    assert (info.name, info.sheet_id, info.index, info.part) == (
        'A & <B> "x" \'1',
        3,
        1,
        "xl/worksheets/sheet3.xml",
    )
    app = pkg.part("docProps/app.xml")
    assert b"<vt:i4>3</vt:i4>" in app and b'<vt:vector size="4" baseType="lpstr">' in app
    assert (
        app.index(b"samplelist</vt:lpstr>")
        < app.index(b"A &amp; &lt;B&gt;")
        < app.index(b">lists<")
    )
    # the print area of sheet 0 keeps its scope; nothing else is scoped
    assert pkg.defined_names() == {"_xlnm.Print_Area": ("samplelist!$A$1:$J$32", 0)}
    pkg.set_cells(info.name, {"A1": 1})
    pkg.save(tmp_path / "added.xlsx")
    check_consistent(tmp_path / "added.xlsx")
    book = load_openpyxl(tmp_path / "added.xlsx")
    assert book.sheetnames == ["samplelist", 'A & <B> "x" \'1', "lists"]
    with pytest.raises(CrmError, match="not a SpreadsheetML <worksheet>"):
        pkg.add_sheet("Other", b"<worksheet/>")
    assert "xl/worksheets/sheet4.xml" not in pkg.part_names()
