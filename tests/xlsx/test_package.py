"""crm_xl.xlsx.package on workbooks saved by real Excel: edits keep every other part byte for byte."""

from __future__ import annotations

import io
import os
import shutil
import stat
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook

from crm_xl.errors import CrmError
from crm_xl.xlsx import ErrorValue, Formula, Package
from tests.helpers.excel_made import EXCEL_MADE

FIXTURES = sorted(p for p in EXCEL_MADE.glob("*") if p.suffix in (".xlsx", ".xlsm"))
IDS = [p.name for p in FIXTURES]

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"


def fixture(name: str) -> Path:
    path = EXCEL_MADE / name
    assert path.is_file(), path
    return path


def members(path: Path) -> dict[str, bytes]:
    """Decompressed bytes of every zip member, in archive order."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def first_worksheet(pkg: Package):
    return next(s for s in pkg.sheets() if s.kind == "worksheet")


def grid(path: Path, sheet: str) -> list[list[object]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def openpyxl_values(book, sheet: str) -> list[list[object]]:
    """Cell values as openpyxl reads them; array/data-table formulas reduced to their text."""

    def norm(value):
        return (type(value).__name__, value.text) if hasattr(value, "text") else value

    rows = [[norm(c.value) for c in row] for row in book[sheet].iter_rows()]
    # openpyxl makes cells for comments: trim the empty edges those leave
    rows = [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in rows
    ]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def load_openpyxl(path: Path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it drops
        book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm", **kwargs)
    if getattr(book, "vba_archive", None) is not None:
        book.vba_archive.close()  # else it is closed during garbage collection, noisily
    return book


def sheet_xml(path: Path, part: str):
    return SafeET.fromstring(members(path)[part], forbid_dtd=True)


def cell_node(path: Path, part: str, ref: str):
    return next(c for c in sheet_xml(path, part).iter(f"{MAIN}c") if c.get("r") == ref)


def check_consistent(path: Path) -> None:
    """Every relationship target exists, every part has a content type, every r:id resolves."""
    parts = members(path)
    types = SafeET.fromstring(parts["[Content_Types].xml"], forbid_dtd=True)
    overrides = {o.get("PartName").lstrip("/").lower() for o in types.iter(f"{CT}Override")}
    defaults = {d.get("Extension").lower() for d in types.iter(f"{CT}Default")}
    lower = {n.lower() for n in parts}
    assert overrides <= lower, f"Override for a missing part: {overrides - lower}"
    for name in parts:
        if name.endswith("/"):
            continue
        extension = name.rsplit("/", 1)[-1].rpartition(".")[2].lower()
        assert name.lower() in overrides or extension in defaults, f"{name} has no content type"
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = PurePosixPath(name).parent.parent
        source = str(folder / PurePosixPath(name).name[: -len(".rels")])
        ids = set()
        for rel in SafeET.fromstring(data, forbid_dtd=True).iter(f"{PKG_REL}Relationship"):
            ids.add(rel.get("Id"))
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = os.path.normpath(str(folder / target)).replace(os.sep, "/")
            assert resolved.lower() in lower, f"{name}: {target} is missing"
        if source.lower() in lower and source.endswith(".xml"):
            root = SafeET.fromstring(parts[source], forbid_dtd=True)
            for node in root.iter():
                for key, value in node.attrib.items():
                    if key.startswith(REL):
                        assert value in ids, f"{source}: {key}={value} has no relationship"


def insertion(old: bytes, new: bytes) -> bytes:
    """The one contiguous run of bytes ``new`` adds to ``old`` (fails if it is not that)."""
    start = 0
    while start < len(old) and old[start] == new[start]:
        start += 1
    end = 0
    while end < len(old) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    added = new[start : len(new) - end]
    assert old[:start] + added + old[len(old) - end :] == new
    assert len(new) - len(old) == len(added), "bytes were changed, not only inserted"
    return added


# --- round trip and cloning on every Excel-made fixture ----------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_open_save_keeps_every_part_and_zip_setting(path, tmp_path):
    pkg = Package.open(path)
    assert pkg.parts_changed() == []
    out = tmp_path / path.name
    pkg.save(out)
    assert list(members(out).items()) == list(members(path).items())
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(out) as b:
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert (x.filename, x.compress_type, x.date_time, x.external_attr) == (
                y.filename,
                y.compress_type,
                y.date_time,
                y.external_attr,
            )


CLONE_MAY_CHANGE = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
}


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
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
    assert openpyxl_values(book, "Clone") == openpyxl_values(book, source.name)
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


# --- sheets, names, validation ---------------------------------------------------------


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


def test_defined_names_add_replace_create(tmp_path):
    pkg = Package.open(fixture("types01.xlsx"))
    assert pkg.defined_names() == {}
    pkg.set_defined_name("Rate", "=Sheet1!$A$1")
    pkg.set_defined_name("rate", "0.25")  # case-insensitive: replaces
    pkg.set_defined_name("Local", "Sheet1!$A$2", local_sheet_id=0)
    pkg.set_defined_name("Aardvark", '"a<b&c"')
    assert pkg.defined_names() == {
        "Aardvark": ('"a<b&c"', None),
        "Local": ("Sheet1!$A$2", 0),
        "Rate": ("0.25", None),
    }
    root = SafeET.fromstring(pkg.part("xl/workbook.xml"))
    order = [child.tag.replace(MAIN, "") for child in root]
    assert order.index("sheets") < order.index("definedNames") < order.index("calcPr")
    pkg.save(tmp_path / "names.xlsx")
    assert pkg.parts_changed() == ["xl/workbook.xml"]
    book = load_openpyxl(tmp_path / "names.xlsx")
    assert book.defined_names["Rate"].attr_text == "0.25"
    assert book["Sheet1"].defined_names["Local"].attr_text == "Sheet1!$A$2"

    # An Excel-made list: replacing keeps hidden= and the entry's place; a new one is sorted in.
    pkg = Package.open(fixture("defined_name01.xlsx"))
    original = pkg.part("xl/workbook.xml")
    pkg.set_defined_name("_XLNM._FILTERDATABASE", "Sheet1!$F$1:$G$9", local_sheet_id=0)
    assert b'hidden="1">Sheet1!$F$1:$G$9<' in pkg.part("xl/workbook.xml")
    pkg.set_defined_name("Bas", "1")
    names = [d.name for d in pkg.defined_name_list()]
    assert names.index("Bar") < names.index("Bas") < names.index("Baz")
    assert len(pkg.part("xl/workbook.xml")) > len(original)
    # "Bar" exists in three sheet scopes: defined_names() shows the first, the list all three
    assert pkg.defined_names()["Bar"] == ("'Sheet 3'!$A$1", 2)
    assert [d.local_sheet_id for d in pkg.defined_name_list() if d.name == "Bar"] == [2, 0, 1]


@pytest.mark.parametrize("name", ["A1", "xfd100", "R1C1", "r", "C", "1abc", "has space", "a-b", ""])
def test_bad_defined_names_are_refused(name):
    pkg = Package.open(fixture("types01.xlsx"))
    with pytest.raises(CrmError):
        pkg.set_defined_name(name, "1")


def test_defined_name_scope_must_be_a_sheet():
    pkg = Package.open(fixture("types01.xlsx"))
    with pytest.raises(CrmError, match="not a sheet position"):
        pkg.set_defined_name("X", "1", local_sheet_id=1)


# --- set_cells -----------------------------------------------------------------------------


def test_set_cells_values_keep_styles_and_other_parts(tmp_path):
    path = fixture("testSharedFormulasRangeSetBlankBug.xlsx")
    pkg = Package.open(path)
    part = pkg.sheet("Sheet1").part
    values = {  # (A1:D1 and G1:J1 are merged: their other cells are hidden, so not used)
        "A1": "=1+1",  # was a shared string, style 17
        "E1": "+x",  # shared string, style 1
        "F1": "-y",  # empty styled cell
        "K1": "@z",  # new cell between J1 and L1
        "L1": None,  # style 1, value removed
        "M1": 3.25,
        "N1": True,
        "O1": Formula("E2*2", cached=4),
        "Q1": "new cell after O1",
        "H50": Formula('"a"&"b"', cached="ab"),
        "I50": Formula("1=1", cached=True),
        "J50": Formula("1/0", cached=ErrorValue("#DIV/0!")),
        "K50": 42,
        "A60": "_x0041_ <&> ' \" 日本",
        "B60": " padded\nlines ",
        "C60": ErrorValue("#N/A"),
    }
    styles = {ref: cell_node(path, part, ref).get("s") for ref in ("A1", "E1", "F1", "L1", "M1")}
    assert set(styles.values()) == {"17", "1"}
    pkg.set_cells("sheet1", values)  # sheet names are case-insensitive
    out = tmp_path / "cells.xlsx"
    pkg.save(out)
    assert pkg.parts_changed() == [part]
    # outside <sheetData> only the dimension changed: Excel's x14ac/mc markup is intact
    old, new = members(path)[part], members(out)[part]
    assert new.split(b"</sheetData>")[1] == old.split(b"</sheetData>")[1]
    assert new.split(b"<dimension")[0] == old.split(b"<dimension")[0]
    head = old.split(b"<sheetData>")[0].replace(b'ref="A1:O46"', b'ref="A1:Q60"')
    assert new.split(b"<sheetData>")[0] == head
    for ref, style in styles.items():
        assert cell_node(out, part, ref).get("s") == style
    assert cell_node(out, part, "L1").find(f"{MAIN}v") is None
    dimension = sheet_xml(out, part).find(f"{MAIN}dimension").get("ref")
    assert dimension == "A1:Q60"

    book = load_openpyxl(out)["Sheet1"]
    for ref in ("A1", "E1", "F1", "K1"):
        assert (book[ref].value, book[ref].data_type) == (values[ref], "s")
    assert book["M1"].value == 3.25 and book["N1"].value is True
    assert book["O1"].value == "=E2*2" and book["K50"].value == 42
    assert book["L1"].value is None
    cached = load_openpyxl(out, data_only=True)["Sheet1"]
    assert [cached[r].value for r in ("O1", "H50", "I50", "J50")] == [4, "ab", True, "#DIV/0!"]

    rows = grid(out, "Sheet1")
    assert [rows[0][i] for i in (0, 4, 5, 10, 11, 12, 13, 14, 16)] == [
        "=1+1",
        "+x",
        "-y",
        "@z",
        "",
        3.25,
        True,
        4.0,
        "new cell after O1",
    ]
    assert rows[49][7:11] == ["ab", True, "", 42.0]  # calamine shows error cells as ""
    assert rows[59][:2] == ["_x0041_ <&> ' \" 日本", " padded\nlines "]
    # rows and cells stay in order
    root = sheet_xml(out, part)
    row_numbers = [int(r.get("r")) for r in root.iter(f"{MAIN}row")]
    assert row_numbers == sorted(row_numbers)
    for row in root.iter(f"{MAIN}row"):
        cols = [openpyxl.utils.cell.coordinate_from_string(c.get("r"))[0] for c in row]
        indexes = [openpyxl.utils.cell.column_index_from_string(c) for c in cols]
        assert indexes == sorted(indexes)


def test_set_cells_into_empty_sheet_and_self_closing_rows(tmp_path):
    pkg = Package.open(fixture("WithDrawing.xlsx"))
    assert b"<sheetData/>" in pkg.part("xl/worksheets/sheet2.xml")
    pkg.set_cells("Sheet2", {"C3": 1, "B2": "x", "A1": None})
    xml = pkg.part("xl/worksheets/sheet2.xml")
    assert b'<dimension ref="B2:C3"/>' in xml
    assert xml.index(b'<row r="2">') < xml.index(b'<row r="3">')
    # a row element without cells (row formatting only) gets its first cell
    xml = xml.replace(
        b'<row r="3">', b'<row r="4" spans="1:1" ht="30" customHeight="1"/><row r="5">'
    )
    pkg.set_part("xl/worksheets/sheet2.xml", xml.replace(b'r="C3"', b'r="C5"'))
    pkg.set_cells("Sheet2", {"D4": 7})
    xml = pkg.part("xl/worksheets/sheet2.xml")
    assert b'<row r="4" spans="1:4" ht="30" customHeight="1"><c r="D4"><v>7</v></c></row>' in xml
    pkg.save(tmp_path / "empty.xlsx")
    rows = grid(tmp_path / "empty.xlsx", "Sheet2")
    assert (rows[1][1], rows[3][3], rows[4][2]) == ("x", 7.0, 1.0)


def test_cells_without_r_attributes_are_numbered_before_inserting():
    pkg = Package.open(fixture("types01.xlsx"))
    xml = pkg.part("xl/worksheets/sheet1.xml")
    xml = xml.replace(b'<c r="A1" t="s">', b'<c t="s">').replace(b'<row r="2" ', b"<row ")
    pkg.set_part("xl/worksheets/sheet1.xml", xml)
    pkg.set_cells("Sheet1", {"C1": 5, "A4": 1})
    xml = pkg.part("xl/worksheets/sheet1.xml")
    assert b'<c t="s" r="A1">' in xml and b'<row spans="1:1" r="2">' in xml
    assert xml.index(b'r="A1"') < xml.index(b'r="C1"') < xml.index(b'<row r="4">')

    # removing a cell before cells without r= must not move them
    xml = b'<row r="7"><c><v>1</v></c><c><v>2</v></c></row></sheetData>'
    pkg.set_part(
        "xl/worksheets/sheet1.xml",
        pkg.part("xl/worksheets/sheet1.xml").replace(b"</sheetData>", xml),
    )
    pkg.set_cells("Sheet1", {"A7": None})
    assert b'<row r="7"><c r="B7"><v>2</v></c></row>' in pkg.part("xl/worksheets/sheet1.xml")


def test_shared_formula_master_is_refused_dependents_may_change():
    pkg = Package.open(fixture("shared_formulas.xlsx"))
    with pytest.raises(CrmError, match=r"Label!A2: is the first cell of a shared formula"):
        pkg.set_cells("Label", {"A2": "x", "A3": "y"})
    assert pkg.parts_changed() == []
    pkg.set_cells("Label", {"A3": Formula("B3", cached="RequiredAcceptanceDate")})
    assert pkg.parts_changed() == ["xl/worksheets/sheet1.xml"]  # formula kept: calcChain too
    pkg.set_cells("Label", {"A4": "plain"})  # a formula goes: calcChain must go
    assert not pkg.has_part("xl/calcChain.xml")
    assert b"calcChain" not in pkg.part("xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in pkg.part("[Content_Types].xml")


def test_array_formulas_are_protected():
    pkg = Package.open(fixture("array_formula01.xlsx"))
    for ref in ("A1", "A2", "A3"):
        with pytest.raises(CrmError, match="inside an array formula that fills A1:A3"):
            pkg.set_cells("Sheet1", {ref: 1})
    pkg.set_cells("Sheet1", {"B1": 2})
    pkg = Package.open(fixture("dynamic_array01.xlsx"))
    pkg.set_cells("Sheet1", {"A1": 3})  # a one-cell dynamic array may be replaced
    assert b'<c r="A1"><v>3</v></c>' in pkg.part("xl/worksheets/sheet1.xml")  # cm= dropped


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"B0": 1}, "not a cell reference"),
        ({"XFE1": 1}, "not a cell reference"),
        ({"A1048577": 1}, "not a cell reference"),
        ({"A1": float("nan")}, "cannot be stored"),
        ({"A1": float("inf")}, "cannot be stored"),
        ({"A1": object()}, "cannot write a object"),
        ({"A1": "x" * 32768}, "at most 32,767"),
        ({"A1": Formula("")}, "non-empty"),
        ({"A1": Formula("A2", cached=Formula("A3"))}, "cannot be a formula"),
    ],
)
def test_set_cells_refuses_bad_values(values, message):
    pkg = Package.open(fixture("types01.xlsx"))
    with pytest.raises(CrmError, match=message):
        pkg.set_cells("Sheet1", values)
    assert pkg.parts_changed() == []


def test_error_value_codes_are_checked():
    with pytest.raises(CrmError, match="unknown Excel error"):
        ErrorValue("#OOPS!")


def test_set_cells_on_chartsheet_or_missing_sheet():
    pkg = Package.open(fixture("chartsheet01.xlsx"))
    with pytest.raises(CrmError, match="chartsheet"):
        pkg.set_cells("Chart1", {"A1": 1})
    with pytest.raises(CrmError, match="no sheet"):
        pkg.set_cells("Missing", {"A1": 1})


def test_prefixed_spreadsheetml_keeps_its_prefix(tmp_path):
    """Some producers write <x:worksheet xmlns:x=...>; new elements must use the same prefix."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{r}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<x:workbook xmlns:x="{main}" xmlns:rel="{r}"><x:sheets>'
            '<x:sheet name="S" sheetId="1" rel:id="rId1"/></x:sheets></x:workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{r}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<x:worksheet xmlns:x="{main}"><x:sheetData><x:row r="1">'
            '<x:c r="A1"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>'
        ),
    }
    path = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    pkg = Package.open(path)
    pkg.clone_sheet("S", "T")
    pkg.set_cells("T", {"B1": Formula("A1*2", cached=10), "A2": "hi"})
    pkg.set_defined_name("Five", "S!$A$1")
    pkg.request_full_calc_on_load()
    workbook = pkg.part("xl/workbook.xml")
    assert b'<x:sheet name="T" sheetId="2" rel:id="rId2"/>' in workbook
    assert b'<x:definedNames><x:definedName name="Five">' in workbook
    assert b'<x:calcPr fullCalcOnLoad="1"/>' in workbook
    sheet = pkg.part("xl/worksheets/sheet2.xml")
    assert b'<x:c r="B1"><x:f>A1*2</x:f><x:v>10</x:v></x:c>' in sheet
    assert (
        b'<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>hi</x:t></x:is></x:c></x:row>' in sheet
    )
    pkg.save(path)
    check_consistent(path)
    assert grid(path, "T") == [[5.0, 10.0], ["hi", ""]]


# --- workbook-level calculation settings -------------------------------------------------


def test_full_calc_on_load_and_calc_chain(tmp_path):
    pkg = Package.open(fixture("formula_results01.xlsx"))
    pkg.request_full_calc_on_load()
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in pkg.part("xl/workbook.xml")
    assert pkg.drop_calc_chain() is True
    assert pkg.drop_calc_chain() is False
    assert sorted(pkg.parts_changed()) == [
        "[Content_Types].xml",
        "xl/_rels/workbook.xml.rels",
        "xl/calcChain.xml",
        "xl/workbook.xml",
    ]
    pkg.save(tmp_path / "calc.xlsx")
    check_consistent(tmp_path / "calc.xlsx")
    assert "xl/calcChain.xml" not in members(tmp_path / "calc.xlsx")

    # A workbook without <calcPr> gets one in the right place.
    pkg = Package.open(fixture("types01.xlsx"))
    xml = pkg.part("xl/workbook.xml")
    start = xml.index(b"<calcPr")
    pkg.set_part("xl/workbook.xml", xml[:start] + xml[xml.index(b"/>", start) + 2 :])
    pkg.request_full_calc_on_load()
    root = SafeET.fromstring(pkg.part("xl/workbook.xml"))
    assert [c.tag.replace(MAIN, "") for c in root][-1] == "calcPr"


def test_replacing_a_formula_drops_calc_chain(tmp_path):
    pkg = Package.open(fixture("45544.xlsx"))
    sheet = next(
        s for s in pkg.sheets() if b"<f>" in pkg.part(s.part) or b"<f " in pkg.part(s.part)
    )
    xml = pkg.part(sheet.part)
    at = xml.index(b"<f")
    ref = xml[xml.rindex(b'<c r="', 0, at) + 6 :].split(b'"', 1)[0].decode()
    pkg.set_cells(sheet.name, {ref: 1})
    assert not pkg.has_part("xl/calcChain.xml")
    pkg.save(tmp_path / "nochain.xlsx")
    check_consistent(tmp_path / "nochain.xlsx")


# --- LibreOffice opens an edited Excel file and computes what we added -------------------


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


def test_libreoffice_opens_an_edited_xlsm(tmp_path):
    from tests.helpers.libreoffice import read_values, recalculate

    pkg = Package.open(fixture("button07.xlsm"))
    pkg.clone_sheet("Sheet1", "Calc")
    pkg.set_cells("Calc", {"A1": 2, "A2": Formula("A1^10")})
    pkg.set_defined_name("Base", "Calc!$A$1")
    pkg.set_cells("Sheet1", {"B1": Formula("Base*3")})
    pkg.save(tmp_path / "edited.xlsm")
    assert (
        members(tmp_path / "edited.xlsm")["xl/vbaProject.bin"]
        == members(fixture("button07.xlsm"))["xl/vbaProject.bin"]
    )
    out = recalculate(tmp_path / "edited.xlsm", tmp_path / "recalc.xlsx")
    assert read_values(out, "Calc", ["A2"]) == {"A2": 1024.0}
    assert read_values(out, "Sheet1", ["B1"]) == {"B1": 6.0}


# --- untrusted input ------------------------------------------------------------------------


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members(fixture("types01.xlsx")).items():
            archive.writestr(name, data)
        archive.writestr("xl/media/zeros.bin", b"\0" * (20 * 2**20))
    with pytest.raises(CrmError, match="zip bomb") as err:
        Package.open(path)
    assert "bomb.xlsx" in str(err.value)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "not a zip archive"),
        ("ole", "password-protected"),
        ("zip", "no \\[Content_Types\\].xml"),
        ("docx", "not an Excel workbook"),
        ("dtd", "not usable XML"),
        ("entity", "not usable XML"),
        ("broken", "not usable XML"),
        ("missing", "no such file"),
    ],
)
def test_non_workbooks_are_refused_naming_the_file(kind, message, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    original = members(fixture("types01.xlsx"))

    def write(parts: dict[str, bytes]) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)

    if kind == "text":
        path.write_text("name,score\nAnn,1\n")
    elif kind == "ole":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    elif kind == "zip":
        write({"readme.txt": b"hello"})
    elif kind == "docx":
        parts = dict(original)
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"spreadsheetml.sheet.main+xml", b"wordprocessingml.document.main+xml"
        )
        write(parts)
    elif kind in ("dtd", "entity", "broken"):
        parts = dict(original)
        body = parts["xl/workbook.xml"].split(b"?>", 1)[1]
        if kind == "dtd":
            prolog = b'<?xml version="1.0"?><!DOCTYPE workbook [<!ELEMENT workbook ANY>]>'
        elif kind == "entity":
            prolog = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        else:
            prolog, body = b"", body[:-20]
        parts["xl/workbook.xml"] = prolog + body
        write(parts)
    with pytest.raises(CrmError, match=message) as err:
        Package.open(path)
    assert f"{kind}.xlsx" in str(err.value)


# --- saving -----------------------------------------------------------------------------------


def test_failed_save_leaves_the_original_untouched(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsm"
    shutil.copyfile(fixture("button07.xlsm"), path)
    original = path.read_bytes()
    pkg = Package.open(path)
    pkg.clone_sheet("Sheet1", "Copy")

    real = zipfile.ZipFile.open
    calls = []

    def failing(self, name, mode="r", *args, **kwargs):
        if mode == "w":
            calls.append(name)
            if len(calls) == 4:
                raise OSError("disk full")
        return real(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", failing)
    with pytest.raises(OSError, match="disk full"):
        pkg.save(path)
    monkeypatch.setattr(zipfile.ZipFile, "open", real)
    assert len(calls) == 4
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]

    def no_replace(src, dst):
        raise PermissionError("file is open in Excel")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(PermissionError):
        pkg.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]


def test_save_over_the_opened_file_keeps_permissions(tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copyfile(fixture("table01.xlsx"), path)
    path.chmod(0o640)
    pkg = Package.open(path)
    pkg.set_cells("Sheet1", {"H1": "done"})
    pkg.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert Package.open(path).parts_changed() == []
    assert grid(path, "Sheet1")[0][7] == "done"
    assert (
        members(path)["xl/tables/table1.xml"]
        == members(fixture("table01.xlsx"))["xl/tables/table1.xml"]
    )


def test_parts_api_round_trip():
    pkg = Package.from_bytes(fixture("types01.xlsx").read_bytes(), "types01.xlsx")
    assert pkg.part("/xl/workbook.xml") == pkg.part("XL/WORKBOOK.XML")
    with pytest.raises(KeyError):
        pkg.part("xl/nothing.xml")
    pkg.set_part("xl/extra.bin", b"\x00\x01", content_type="application/octet-stream")
    assert pkg.content_type("xl/extra.bin") == "application/octet-stream"
    assert pkg.parts_changed() == ["[Content_Types].xml", "xl/extra.bin"]
    pkg.remove_part("xl/extra.bin")
    assert pkg.parts_changed() == []
    data = pkg.to_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == list(members(fixture("types01.xlsx")))
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = b"kept"
    again = Package.from_bytes(buffer.getvalue()).to_bytes()
    assert zipfile.ZipFile(io.BytesIO(again)).comment == b"kept"


def test_a_big_part_is_deflated_on_every_core_into_one_ordinary_stream(monkeypatch):
    """pigz's method: the pieces joined are read back by zipfile (CRC checked) and by
    calamine, and the part is as small as zlib makes it in one go."""
    import random
    import zlib

    from crm_xl.xlsx import package as ooxml

    monkeypatch.setattr(ooxml.os, "cpu_count", lambda: 4)  # the parallel path, even here
    monkeypatch.setattr(ooxml._ParallelDeflate, "PIECE", 1 << 16)  # many pieces
    rng = random.Random(4)
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{rng.randint(0, 10**9)}</v></c></row>'
        for r in range(1, 120_001)
    )
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    pkg = Package.from_bytes(buffer.getvalue(), "book.xlsx")
    part = "xl/worksheets/sheet1.xml"
    xml = pkg.part(part).replace(
        b"<sheetData></sheetData>", b"<sheetData>" + rows.encode() + b"</sheetData>"
    )
    assert len(xml) > ooxml._ParallelDeflate.MIN_SIZE
    pkg.set_part(part, xml)
    data = pkg.to_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.read(part) == xml
        size = archive.getinfo(part).compress_size
    assert size <= len(zlib.compress(xml, 6)) * 1.02
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    assert len(sheet.to_python()) == 120_000
