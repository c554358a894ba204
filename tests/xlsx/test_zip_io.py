"""Reading and writing the package's zip archive: every member kept with its settings,
untrusted archives refused naming the file, atomic saves, the parallel deflate."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from crm_xl.errors import CrmError
from crm_xl.xlsx import Package
from tests.xlsx.harness import (
    FIXTURES,
    fixture,
    grid,
    members,
)


@pytest.mark.parametrize("path", FIXTURES)
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


# --- saving -------------------------------------------------------------------------------


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
    with pytest.raises(CrmError, match="cannot write here: disk full"):  # one line for users
        pkg.save(path)
    monkeypatch.setattr(zipfile.ZipFile, "open", real)
    assert len(calls) == 4
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]

    def no_replace(src, dst):
        raise PermissionError("file is open in Excel")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(CrmError, match=r"another program \(Excel\?\) has it open"):
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


def test_a_big_part_is_deflated_on_every_core_into_one_ordinary_stream(monkeypatch):
    """pigz's method: the pieces joined are read back by zipfile (CRC checked) and by
    calamine, and the part is as small as zlib makes it in one go."""
    import random
    import zlib

    from crm_xl.xlsx import zip_io

    monkeypatch.setattr(zip_io.os, "cpu_count", lambda: 4)  # the parallel path, even here
    monkeypatch.setattr(zip_io.ParallelDeflate, "PIECE", 1 << 16)  # many pieces
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
    # the empty sheet's <sheetData/> or <sheetData></sheetData>, as the XML writer has it
    xml = re.sub(
        rb"<sheetData\s*/>|<sheetData></sheetData>",
        lambda _: b"<sheetData>" + rows.encode() + b"</sheetData>",
        pkg.part(part),
    )
    assert len(xml) > zip_io.ParallelDeflate.MIN_SIZE
    pkg.set_part(part, xml)
    data = pkg.to_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.read(part) == xml
        size = archive.getinfo(part).compress_size
    assert size <= len(zlib.compress(xml, 6)) * 1.02
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    assert len(sheet.to_python()) == 120_000
