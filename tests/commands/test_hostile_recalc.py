"""Hostile workbooks given to crm-xl: each is refused with one clear line (exit 1) or
computed right, within the memory bound the README states, and the file is unchanged."""

from __future__ import annotations

import pytest

from tests.helpers.hostile import edited, plain_book, read_parts, run_capped, sha256, write_parts

DAMAGED = "the file is damaged (open it in Excel, which offers to repair it, and save it again)"


def _missing_sheet_part(path):
    parts = read_parts(plain_book(path))
    del parts["xl/worksheets/sheet1.xml"]
    return write_parts(path, parts)


def _target_outside(path):
    return edited(
        plain_book(path),
        "xl/_rels/workbook.xml.rels",
        b'Target="/xl/worksheets/sheet1.xml"',
        b'Target="../../../etc/passwd"',
    )


def _shared_without_master(path):
    return edited(
        plain_book(path),
        "xl/worksheets/sheet1.xml",
        b"<f>CRM_SCORE(A1,B1)</f>",
        b'<f t="shared" si="0"/>',
    )


def _duplicate_cell(path):
    return edited(
        plain_book(path), "xl/worksheets/sheet1.xml", b"</row>", b'<c r="C1"><v>3</v></c></row>'
    )


CASES = {
    "missing sheet part": (
        _missing_sheet_part,
        "sheet 'Data': its part /xl/worksheets/sheet1.xml is missing; " + DAMAGED,
    ),
    "target outside the package": (
        _target_outside,
        "sheet 'Data': its part ../../../etc/passwd is outside the package; " + DAMAGED,
    ),
    "shared formula without master": (
        _shared_without_master,
        "Data: cells share formula 0, but no cell holds its text (the shared formula's "
        "master is missing); " + DAMAGED,
    ),
    "duplicate cell address": (
        _duplicate_cell,
        "Data!C1: the sheet holds this cell twice; " + DAMAGED,
    ),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mode", [["--check"], []])
def test_damaged_packages_are_refused(tmp_path, case, mode):
    make, message = CASES[case]
    book = make(tmp_path / "book.xlsx")
    before = sha256(book)
    out = run_capped(["recalc", *mode, book])
    assert (out.code, out.first_line) == (1, f"error: {book}: {message}")
    assert sha256(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def _bomb_parts(path, count, size):
    """A workbook with ``count`` extra parts of ``size`` zero bytes each (deflated to ~1/1000)."""
    parts = read_parts(plain_book(path))
    for n in range(count):
        parts[f"xl/media/pad{n}.bin"] = bytes(size)
    return write_parts(path, parts)


def _lying_header(path):
    """The sheet's part, its headers saying 1 KiB while it unpacks to 200 MiB (zipfile then
    stops at the size the header gives, and the checksum does not match)."""
    import struct
    import zlib

    plain_book(path)
    parts = read_parts(path)
    data = parts["xl/worksheets/sheet1.xml"] + b" " * (200 * 2**20)
    parts["xl/worksheets/sheet1.xml"] = data
    write_parts(path, parts)
    raw = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    crc = zlib.crc32(data)
    fake = 1024
    at = 0
    while (at := raw.find(name, at)) >= 0:  # patch the size fields before each copy of the name
        local = raw[at - 30 : at - 26] == b"PK\x03\x04"
        if local:
            raw[at - 8 : at - 4] = struct.pack("<I", fake)
        elif raw[at - 46 : at - 42] == b"PK\x01\x02":
            raw[at - 22 : at - 18] = struct.pack("<I", fake)
        at += len(name)
    assert zlib.crc32(data) == crc
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _bomb_parts(p, 120, 2**20), "unpacks to 120 MiB, more than the 100 MiB limit"),
        (lambda p: _bomb_parts(p, 1, 20 * 2**20), "part xl/media/pad0.bin is compressed"),
        (_lying_header, "part xl/worksheets/sheet1.xml is damaged: its checksum does not match"),
    ],
    ids=["many 1 MiB parts", "one big part", "lying size header"],
)
@pytest.mark.parametrize("command", [["recalc", "--check"], ["recalc"], ["score"]])
def test_zip_bombs_are_refused_within_the_memory_bound(tmp_path, make, message, command):
    book = make(tmp_path / "book.xlsx")
    before = sha256(book)
    args = [*command, book]
    if command == ["score"]:
        from crm_xl.files.resources import sample_path

        args += ["-m", sample_path("scorecard.toml"), "-o", tmp_path / "out.csv"]
    out = run_capped(args, memory_mib=1024, timeout=60)
    assert out.code == 1, out.stderr
    assert out.first_line.startswith(f"error: {book}: {message}"), out.first_line
    assert out.peak_mib < 400
    assert sha256(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def _dies_on_killer(item):
    """Stands in for the folder mode's worker function: kills its own process for a
    workbook named killer (as the OS does to a process that runs out of memory)."""
    import os
    import signal

    if "killer" in item[0]:
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_RUN_ONE(item)


_REAL_RUN_ONE = None


def test_a_workbook_that_kills_its_process_does_not_end_a_folder_run(tmp_path, monkeypatch):
    from crm_xl.commands import recalc as command

    global _REAL_RUN_ONE
    _REAL_RUN_ONE = command._run_one  # noqa: SLF001
    # pickled by name, so the forked workers find the stand-in where they look
    monkeypatch.setattr(_dies_on_killer, "__module__", command.__name__)
    monkeypatch.setattr(_dies_on_killer, "__qualname__", "_run_one")
    monkeypatch.setattr(command, "_run_one", _dies_on_killer)
    for name in ("a", "killer", "z"):
        plain_book(tmp_path / f"{name}.xlsx")
    before = sha256(tmp_path / "killer.xlsx")
    results = command.recalc_folder(tmp_path, jobs=2, progress=False)
    assert [(r.path.name, r.status) for r in results] == [
        ("a.xlsx", "updated"),
        ("killer.xlsx", "error"),
        ("z.xlsx", "updated"),
    ]
    assert results[1].error == (
        "the process recalculating this workbook died (out of memory, or killed); "
        "the file was left as it was"
    )
    assert sha256(tmp_path / "killer.xlsx") == before


def test_a_thousand_sheets_each_with_a_stale_cell(tmp_path):
    """Work that grew with the square of the sheets (the sheet list read again for every
    sheet written: 76 s and 2.2 GB for 1,000 sheets) stays linear: bounded here in memory
    and, as a hang guard, in time."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i in range(1000):
        ws = wb.create_sheet(f"S{i}")
        ws["A1"], ws["B1"] = i, "=A1*2"
    book = tmp_path / "book.xlsx"
    wb.save(book)
    out = run_capped(["recalc", book], memory_mib=512, timeout=120)
    assert out.code == 0, out.first_line
    read = CalamineWorkbook.from_path(str(book))
    assert [read.get_sheet_by_name(f"S{i}").to_python()[0][1] for i in (0, 1, 998, 999)] == [
        0,
        2,
        1996,
        1998,
    ]


def test_a_big_genuine_workbook_is_not_taken_for_a_zip_bomb(tmp_path):
    """A workbook of many periods unpacks past 100 MiB, compressed as files are (here: not
    at all); the same bytes compressed 1000:1 in a small file are refused."""
    import zipfile

    from crm_xl.errors import CrmError
    from crm_xl.files.archive import check_archive

    big = bytes(range(256)) * (101 * 2**20 // 256)  # 101 MiB
    genuine, bomb = tmp_path / "genuine.xlsx", tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(genuine, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/worksheets/sheet1.xml", big)
    check_archive(genuine)  # 101 MiB in a 101 MiB file: 1:1
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(101):
            z.writestr(f"xl/media/pad{n}.bin", bytes(2**20))
    with pytest.raises(CrmError, match="unpacks to 101 MiB, more than the 100 MiB limit"):
        check_archive(bomb)
