"""crm_xl.xlsx.Package, the façade, on workbooks saved by real Excel: the parts API, and
edits through every concern that keep every other part byte for byte."""

from __future__ import annotations

import io
import zipfile

import pytest

from crm_xl.xlsx import Formula, Package
from tests.xlsx.harness import (
    check_consistent,
    fixture,
    grid,
    members,
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
