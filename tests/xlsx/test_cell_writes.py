"""Package.set_cells: values, text and formulas written in place, styles kept, rows and
cells in order, shared and array formulas protected, calcChain dropped when a formula goes."""

from __future__ import annotations

import openpyxl
import pytest

from crm_xl.errors import CrmError
from crm_xl.xlsx import ErrorValue, Formula, Package
from tests.xlsx.harness import (
    BOOK,
    CELL,
    FIXTURES,
    MAIN,
    MAIN_NS,
    PART,
    cell_node,
    check_consistent,
    fixture,
    grid,
    load_openpyxl,
    members,
    sheet_xml,
)


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


def test_protection_holds_when_the_f_attributes_follow_a_line_break():
    """An array formula written ``<f\nt="array" ...>``: still protected (the check that
    skips sheets without an ``<f>`` with attributes must see this one)."""
    pkg = Package.open(fixture("array_formula01.xlsx"))
    xml = pkg.part("xl/worksheets/sheet1.xml")
    assert b'<f t="array" ref="A1:A3"' in xml
    xml = xml.replace(b'<f t="array"', b'<f\nt="array"')
    pkg.set_part("xl/worksheets/sheet1.xml", xml)
    with pytest.raises(CrmError, match="inside an array formula that fills A1:A3"):
        pkg.set_cells("Sheet1", {"A2": 1})


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


@pytest.mark.parametrize("name", FIXTURES)
def test_clearing_cells_streamed_writes_what_the_tree_writes(name, monkeypatch):
    """Every other row's cells cleared (None), and every fourth row's given text or a number,
    on every Excel-made worksheet: the streamed edit (``new-period``'s) writes the bytes the
    tree's way writes, or leaves the sheet to it; calcChain goes the same way."""
    from crm_xl.xlsx import cell_writes

    took = []
    real = cell_writes.edit_streamed
    monkeypatch.setattr(cell_writes, "edit_streamed", lambda *a: took.append(real(*a)) or took[-1])
    fast, slow = Package.open(fixture(name)), Package.open(fixture(name))
    for sheet in fast.sheets():
        if sheet.kind != "worksheet":
            continue
        refs = [m.group(1).decode() for m in CELL.finditer(fast.part(sheet.part))]
        rows = {ref: int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for ref in refs}
        clear = {ref: None for ref, r in rows.items() if r % 2}
        clear.update({ref: "a&b" if r % 8 else 2.5 for ref, r in rows.items() if r % 4 == 0})
        if not clear:
            continue
        try:
            fast.set_cells(sheet.name, clear)
        except CrmError as err:  # a shared formula's first cell, an array: refused alike
            with monkeypatch.context() as m, pytest.raises(CrmError) as slow_err:
                m.setattr(cell_writes, "edit_streamed", lambda *a: False)
                slow.set_cells(sheet.name, clear)
            assert str(slow_err.value) == str(err)
            continue
        with monkeypatch.context() as m:
            m.setattr(cell_writes, "edit_streamed", lambda *a: False)
            slow.set_cells(sheet.name, clear)
        assert fast.part(sheet.part) == slow.part(sheet.part), sheet.name
        assert fast.has_part("xl/calcChain.xml") == slow.has_part("xl/calcChain.xml")


def test_clearing_cells_streamed_by_hand(monkeypatch):
    """What a cleared cell becomes, worked out from the rules of set_cells: the style stays,
    ``t``/``cm``/``vm`` and the value go, a cell with nothing left goes; other cells, rows and ``<dimension>`` are untouched."""
    from crm_xl.xlsx import cell_writes

    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        '<dimension ref="A1:C2"/><sheetData>'
        '<row r="1" spans="1:3"><c r="A1" s="3" t="s"><v>0</v></c><c r="B1" t="n"><v>5</v></c>'
        '<c r="C1" s="2" cm="1"><f>A1*2</f><v>4</v></c></row>'
        '<row r="2"><c r="A2" s = "4"/><c r="AA2"><v>7</v></c><c r="C2" t="inlineStr">'
        "<is><t>x</t></is></c></row></sheetData></worksheet>"
    ).encode()
    took = []
    real = cell_writes.edit_streamed
    monkeypatch.setattr(cell_writes, "edit_streamed", lambda *a: took.append(real(*a)) or took[-1])
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    pkg.set_part(PART, xml)
    pkg.set_cells("Data", {"A1": None, "B1": None, "C1": None, "A2": None, "C2": None})
    assert (
        pkg.part(PART)
        == (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
            '<dimension ref="A1:C2"/><sheetData>'
            '<row r="1" spans="1:3"><c r="A1" s="3"/><c r="C1" s="2"/></row>'
            '<row r="2"><c r="A2" s="4"/><c r="AA2"><v>7</v></c></row></sheetData></worksheet>'
        ).encode()
    )
    assert took == [True]
    pkg.set_cells("Data", {"A1": "T", "C1": 1.5})  # cells it has: streamed
    assert b'<c r="A1" s="3" t="inlineStr"><is><t>T</t></is></c><c r="C1" s="2"><v>1.5</v></c>' in (
        pkg.part(PART)
    )
    pkg.set_cells("Data", {"B5": 1})  # a row to create: the tree's way
    assert b'</row><row r="5"><c r="B5"><v>1</v></c></row></sheetData>' in pkg.part(PART)
    assert b'<dimension ref="A1:C5"/>' in pkg.part(PART)
    assert took == [True, True, False]
    # a shared formula on the sheet: the tree's way, which protects its first cell
    pkg.set_part(PART, xml.replace(b"<f>A1*2</f>", b'<f t="shared" ref="C1:C2" si="0">A1*2</f>'))
    with pytest.raises(CrmError, match="shared formula"):
        pkg.set_cells("Data", {"C1": None})
    assert took == [True, True, False, False]
