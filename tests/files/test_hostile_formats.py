"""The variations a hostile user tries after the .xlsx corpus (issue 14): .ods, .xls, .xlsm
and CSV files given to ``score`` and ``new --customers``. Each ends in one line (exit 1)
naming the file and the part, sheet or line and what to do, or in the right scores —
in a child process under the README's memory bound (1 GiB of address space) and a time
bound, the input unchanged and nothing left beside it.

The right scores are worked out by hand: the scorecard has one indicator, annual spend,
scored linearly from 0 (score 0) to 2,000 (score 100), so spends of 1,000 and 2,000 score
50.00 and 100.00.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.hostile import read_parts, run_capped, sha256, write_parts

CARD = """
[scorecard]
name = "spend only"
id_columns = ["customer_id", "name"]

[[indicators]]
id = "annual_spend"
label_en = "Annual spend"
weight = 100
scale = "linear"
floor = 0
target = 2000
"""
HEADER = ["customer_id", "name", "annual_spend"]
ROWS = [HEADER, ["C1", "Acme", 1000], ["C2", "Beta", 2000]]
#: (customer_id, name, score) of ROWS, by hand
SCORED = [["C1", "Acme", "50.00"], ["C2", "Beta", "100.00"]]


def score(table: Path, tmp_path: Path, out_name: str = "scores.csv"):
    """``crm-xl score TABLE`` capped; the outcome and the output's rows (id, name, score)."""
    card = tmp_path / "card.toml"
    card.write_text(CARD, encoding="utf-8")
    out = tmp_path / out_name
    outcome = run_capped(["score", table, "-m", card, "-o", out], memory_mib=1024, timeout=120)
    rows = []
    if out.exists():
        text = out.read_text(encoding="utf-8-sig")
        rows = [r[:3] for r in csv.reader(io.StringIO(text))][1:]
    return outcome, rows


def assert_refused(table: Path, tmp_path: Path, message: str, lines: int = 1) -> None:
    before = sha256(table)
    out, rows = score(table, tmp_path)
    err = out.stderr.strip()
    assert out.code == 1, err
    assert out.first_line.startswith(f"error: {table}: "), err
    assert message in out.first_line, err
    assert err.count("\n") == lines - 1 and "internal error" not in err, err
    assert rows == [] and sha256(table) == before
    assert os.listdir(table.parent) == [table.name]  # nothing beside it


def assert_scored(table: Path, tmp_path: Path, expected=SCORED) -> None:
    before = sha256(table)
    out, rows = score(table, tmp_path)
    assert out.code == 0, out.stderr
    assert rows == expected
    assert sha256(table) == before and os.listdir(table.parent) == [table.name]


@pytest.fixture
def inbox(tmp_path):
    """A folder holding only the input, so a stray file beside it shows."""
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


# -- .ods: OpenDocument, a zip with content.xml ----------------------------------------------

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
    b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    b'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods_cell(value) -> str:
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def ods_rows(rows=ROWS) -> str:
    return "".join(
        "<table:table-row>" + "".join(ods_cell(v) for v in r) + "</table:table-row>" for r in rows
    )


def content(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NS} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table '
        f'table:name="Customers">{body}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    ).encode()


def ods(path: Path, parts: dict[str, bytes]) -> Path:
    """An OpenDocument spreadsheet as LibreOffice lays it out: the mimetype first, stored."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", MANIFEST)
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def lying_size(path: Path, part: str, fake: int = 1024) -> Path:
    """``path`` with both size headers of ``part`` saying ``fake`` bytes."""
    raw = bytearray(path.read_bytes())
    name = part.encode()
    at = 0
    while (at := raw.find(name, at)) >= 0:
        if raw[at - 30 : at - 26] == b"PK\x03\x04":
            raw[at - 8 : at - 4] = struct.pack("<I", fake)
        elif raw[at - 46 : at - 42] == b"PK\x01\x02":
            raw[at - 22 : at - 18] = struct.pack("<I", fake)
        at += len(name)
    path.write_bytes(bytes(raw))
    return path


LAUGHS = (
    '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9))
    + "]>"
)
TOO_FAR = "more than the 5,000,000 cells crm_xl reads as a table; delete the rows and columns"


def repeated_row(rows: int, cols: int) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'office:value-type="string" table:number-columns-repeated="{cols}"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )


ODS_REFUSED = {
    "billion laughs": (
        lambda p: ods(p, {"content.xml": content(ods_rows().replace("Acme", "&j;"), LAUGHS)}),
        "part content.xml is not usable XML: it declares a DTD",
    ),
    "external entity": (
        lambda p: ods(
            p,
            {
                "content.xml": content(
                    ods_rows().replace("Acme", "&x;"),
                    '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                )
            },
        ),
        "part content.xml is not usable XML: it declares a DTD",
    ),
    "one part unpacking to 300 MiB": (
        lambda p: ods(
            p, {"content.xml": content(ods_rows() + "<!--" + " " * (300 * 2**20) + "-->")}
        ),
        "part content.xml is compressed ",  # about 1,000:1 (zlib decides the digits)
    ),
    "150 parts of 1 MiB": (
        lambda p: ods(
            p,
            {"content.xml": content(ods_rows())}
            | {f"Pictures/p{n}.xml": bytes(2**20 - 1) for n in range(150)},
        ),
        "unpacks to 150 MiB, more than the 100 MiB limit",
    ),
    "a size header that lies": (
        lambda p: lying_size(
            ods(p, {"content.xml": content(ods_rows() + "<!--" + " " * 2**21 + "-->")}),
            "content.xml",
        ),
        "part content.xml is damaged: its checksum does not match",
    ),
    "content.xml missing": (
        lambda p: ods(p, {"styles.xml": b"<x/>"}),
        "part content.xml, which holds an OpenDocument spreadsheet's cells, is missing",
    ),
    "not a zip at all": (
        lambda p: p.write_bytes(b"name,spend\nAcme,1\n" * 5) and p,
        "is not an Excel workbook: its bytes are neither a zip package (.xlsx, .xlsm, .ods) "
        "nor an OLE file (.xls); if it is a text export, name it .csv",
    ),
    "a value repeated down 1,048,576 rows": (
        lambda p: ods(p, {"content.xml": content(ods_rows() + repeated_row(1048576, 5))}),
        "part content.xml: sheet 'Customers' spans 1,048,579 rows × 5 columns from A1 "
        "(cells repeated by number-rows-repeated or number-columns-repeated), " + TOO_FAR,
    ),
    "a value repeated over the whole grid": (
        lambda p: ods(p, {"content.xml": content(ods_rows() + repeated_row(1048576, 16384))}),
        "sheet 'Customers' spans 1,048,579 rows × 16,384 columns from A1",
    ),
    "a value repeated across 16,384 columns": (
        # read, not refused (4 rows × 16,384 cells): the extra cells are beyond the header
        lambda p: ods(p, {"content.xml": content(ods_rows() + repeated_row(1, 16384))}),
        "Customers!C4: 'x' is not a number",
    ),
}


@pytest.mark.parametrize("case", ODS_REFUSED)
def test_hostile_ods_is_refused_in_one_line(tmp_path, inbox, case):
    make, message = ODS_REFUSED[case]
    assert_refused(make(inbox / "customers.ods"), tmp_path, message)


def test_empty_rows_and_cells_repeated_to_the_grid_s_end_are_what_libreoffice_writes(
    tmp_path, inbox
):
    tail = (
        '<table:table-row table:number-rows-repeated="1048573"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    assert_scored(ods(inbox / "c.ods", {"content.xml": content(ods_rows() + tail)}), tmp_path)


def test_deeply_nested_text_in_a_cell_is_read(tmp_path, inbox):
    deep = "<text:span>" * 30_000 + "Acme" + "</text:span>" * 30_000
    book = ods(inbox / "c.ods", {"content.xml": content(ods_rows().replace("Acme", deep))})
    assert_scored(book, tmp_path)


def test_an_ods_saved_by_libreoffice_is_read(tmp_path, inbox):
    from tests.helpers.libreoffice import recalculate

    source = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    for row in ROWS:
        wb.active.append(row)
    wb.save(source)
    saved = recalculate(source, inbox / "c.ods", "ods")
    assert_scored(saved, tmp_path)


def test_control_characters_in_an_ods_name_are_removed_and_said(tmp_path, inbox):
    """As from a CSV (tests/commands/test_hostile_parts.py): the workbook cannot hold them."""
    book = ods(
        inbox / "c.ods", {"content.xml": content(ods_rows().replace("Acme", "Ac\x1b[31mme"))}
    )
    out = run_capped(
        ["new", tmp_path / "n.xlsx", "--period", "2026-Q4", "--lang", "en", "--customers", book]
    )
    assert out.code == 0, out.stderr
    assert (
        f"warning: {book}: control characters removed from 1 cell (a workbook cannot hold "
        "them): Customers!B2 (U+001B)"
    ) in out.stderr
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(tmp_path / "n.xlsx"))
    ratings = rows.get_sheet_by_name("Ratings 2026-Q4").to_python()
    assert [r[1] for r in ratings if r and r[0] == "C1"] == ["Ac[31mme"]


# -- .xls: BIFF8 in an OLE compound file ------------------------------------------------------


@pytest.fixture(scope="module")
def xls_bytes(tmp_path_factory):
    """ROWS saved as .xls by LibreOffice (Excel 97-2003, as Excel writes it)."""
    from tests.helpers.libreoffice import recalculate

    folder = tmp_path_factory.mktemp("xls")
    wb = openpyxl.Workbook()
    wb.active.title = "Customers"
    for row in ROWS:
        wb.active.append(row)
    wb.save(folder / "c.xlsx")
    return recalculate(folder / "c.xlsx", folder / "c.xls", "xls").read_bytes()


def _dimensions(data: bytes, first_row: int, end_row: int, end_col: int) -> bytes:
    """``data`` with the sheet's DIMENSIONS record (type 0x0200, 14 bytes) rewritten."""
    at = data.index(b"\x00\x02\x0e\x00")
    assert data.count(b"\x00\x02\x0e\x00") == 1
    record = struct.pack("<IIHH", first_row, end_row, 0, end_col)
    return data[: at + 4] + record + data[at + 16 :]


def _renamed_stream(data: bytes, new: str) -> bytes:
    """``data`` with its Workbook stream's directory entry named ``new`` (at most 31 letters)."""
    old = "Workbook".encode("utf-16-le")
    at = data.index(old)
    name = new.encode("utf-16-le") + b"\x00\x00"
    entry = bytearray(data[at : at + 66])
    entry[0:64] = name.ljust(64, b"\x00")
    entry[64:66] = struct.pack("<H", len(name))
    return data[:at] + bytes(entry) + data[at + 66 :]


def _filepass(data: bytes) -> bytes:
    """``data`` with its INTERFACEHDR record (0x00E1) turned into FILEPASS (0x002F): what an
    .xls saved with a password to open holds."""
    at = data.index(b"\xe1\x00\x02\x00")
    return data[:at] + b"\x2f\x00" + data[at + 2 :]


DAMAGED_XLS = "the file is damaged or cut short (its compound-file structure cannot be read)"
PASSWORD = "is password-protected (encrypted), and crm_xl cannot read an encrypted workbook"

XLS_REFUSED = {
    "cut short inside a sector": (
        lambda d: d[: len(d) - 1500],
        "customers.xls",
        DAMAGED_XLS,
    ),
    "cut short at 3,000 bytes": (lambda d: d[:3000], "customers.xls", DAMAGED_XLS),
    "random bytes named .xls": (
        lambda d: bytes((n * 7919 + 13) % 251 for n in range(len(d))),
        "customers.xls",
        "is not an Excel workbook: its bytes are neither a zip package",
    ),
    "an OLE file without a Workbook stream": (
        lambda d: _renamed_stream(d, "Wordbook"),
        "customers.xls",
        "holds no workbook (an OLE file without a Workbook stream",
    ),
    "first row after the last": (
        lambda d: _dimensions(d, 62976, 3, 3),
        "customers.xls",
        "sheet 'Customers' declares rows 62,977 to 3 and columns 1 to 3 (its DIMENSIONS "
        "record), which is impossible",
    ),
    "a million rows by 16,384 columns declared": (
        lambda d: _dimensions(d, 0, 1048576, 16384),
        "customers.xls",
        "sheet 'Customers' declares 1,048,576 rows × 16,384 columns from A1, " + TOO_FAR,
    ),
    "an .xls with a password": (_filepass, "customers.xls", PASSWORD),
    "an encrypted .xlsx (EncryptedPackage)": (
        lambda d: _renamed_stream(d, "EncryptedPackage"),
        "customers.xlsx",
        PASSWORD,
    ),
    "an encrypted .xlsm": (
        lambda d: _renamed_stream(d, "EncryptedPackage"),
        "customers.xlsm",
        PASSWORD,
    ),
}


@pytest.mark.parametrize("case", XLS_REFUSED)
def test_hostile_xls_is_refused_in_one_line(tmp_path, inbox, xls_bytes, case):
    change, name, message = XLS_REFUSED[case]
    table = inbox / name
    table.write_bytes(change(xls_bytes))
    assert_refused(table, tmp_path, message)


def test_a_genuine_xls_and_its_declared_dimensions(tmp_path, inbox, xls_bytes):
    table = inbox / "customers.xls"
    table.write_bytes(_dimensions(xls_bytes, 0, 3, 3))  # what Excel writes: rows 1-3, A-C
    assert_scored(table, tmp_path)


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Customers"
    for row in ROWS:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("made", "named"),
    [("xlsx", "xls"), ("xlsx", "ods"), ("xlsx", "csv"), ("xls", "xlsx"), ("ods", "xlsx")],
)
def test_a_workbook_with_another_format_s_name_is_read_by_its_content(
    tmp_path, inbox, xls_bytes, made, named
):
    """Excel opens such a file after a warning; crm_xl reads what the bytes are."""
    table = inbox / f"customers.{named}"
    if made == "xls":
        table.write_bytes(xls_bytes)
    elif made == "ods":
        table.write_bytes(
            ods(tmp_path / "c.ods", {"content.xml": content(ods_rows())}).read_bytes()
        )
    else:
        table.write_bytes(_xlsx(tmp_path / "c.xlsx").read_bytes())
    assert_scored(table, tmp_path)


def test_a_web_page_named_xls_is_refused_with_what_to_do(tmp_path, inbox):
    table = inbox / "export.xls"
    table.write_text("<html><body><table><tr><td>customer_id</td></tr></table></body></html>")
    assert_refused(table, tmp_path, "is a web page (HTML) with an Excel file's name")


# -- .xlsm / strict .xlsx given to score ------------------------------------------------------


def test_a_garbage_vba_project_does_not_matter(tmp_path, inbox):
    """crm_xl never runs VBA, so it never reads vbaProject.bin either."""
    parts = read_parts(_xlsx(tmp_path / "c.xlsx"))
    parts["xl/vbaProject.bin"] = bytes(range(256)) * 12
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        )
        .replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    )
    assert_scored(write_parts(inbox / "customers.xlsm", parts), tmp_path)


def test_strict_ooxml_is_read(tmp_path, inbox):
    """Excel's "Strict Open XML Spreadsheet" (ISO 29500 strict namespaces)."""
    strict = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": (
            b"http://purl.oclc.org/ooxml/spreadsheetml/main"
        ),
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"
        ),
    }
    parts = read_parts(_xlsx(tmp_path / "c.xlsx"))
    for name, data in parts.items():
        for old, new in strict.items():
            data = data.replace(old, new)
        parts[name] = data
    assert b"purl.oclc.org" in parts["xl/workbook.xml"]
    assert_scored(write_parts(inbox / "customers.xlsx", parts), tmp_path)


# -- CSV ------------------------------------------------------------------------------------

TSV = "customer_id\tname\tannual_spend\r\nC1\tMüller 华\t1000\r\nC2\tBeta\t2000\r\n"
UNICODE_SCORED = [["C1", "Müller 华", "50.00"], ["C2", "Beta", "100.00"]]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # Excel's "Unicode Text (*.txt)": UTF-16LE with a BOM, tab separated
        ("customers.txt", b"\xff\xfe" + TSV.encode("utf-16-le")),
        ("customers.csv", b"\xff\xfe" + TSV.encode("utf-16-le")),
        ("customers.csv", b"\xfe\xff" + TSV.encode("utf-16-be")),
        ("customers.csv", TSV.encode("utf-16-le")),  # the BOM dropped by another tool
    ],
)
def test_utf16_text_as_excel_saves_it_is_read(tmp_path, inbox, name, data):
    table = inbox / name
    table.write_bytes(data)
    assert_scored(table, tmp_path, UNICODE_SCORED)


def test_mixed_line_endings_are_rows(tmp_path, inbox):
    table = inbox / "customers.csv"
    table.write_bytes(
        b"customer_id,name,annual_spend\r\nC1,Acme,1000\nC2,Beta,2000\rC3,Gamma,500\r\n"
    )
    assert_scored(table, tmp_path, [*SCORED, ["C3", "Gamma", "25.00"]])


def test_a_nul_byte_in_a_name_is_kept_and_in_a_number_is_its_cell_s_problem(tmp_path, inbox):
    table = inbox / "customers.csv"
    table.write_bytes(b"customer_id,name,annual_spend\nC1,Ac\x00me,1000\nC2,Beta,2000\n")
    assert_scored(table, tmp_path, [["C1", "Ac\x00me", "50.00"], SCORED[1]])
    (tmp_path / "scores.csv").unlink()
    table.write_bytes(b"customer_id,name,annual_spend\nC1,Acme,10\x0000\nC2,Beta,2000\n")
    assert_refused(table, tmp_path, "line 2, column 'annual_spend': '10\\x0000' is not a number")


def test_one_line_of_a_million_columns(tmp_path, inbox):
    """Took hours (each header counted against every other); now a second or two."""
    table = inbox / "customers.csv"
    table.write_bytes(b",".join(b"c%d" % n for n in range(10**6)) + b"\n")
    assert_refused(
        table,
        tmp_path,
        "no column 'customer_id', needed by the scorecard; the table's columns are: c0, c1, "
        "c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, "
        "c20, c21, c22, c23, c24, c25, c26, c27, c28, c29 ... and 999,970 more",
        lines=3,  # one for each column the scorecard needs
    )


@pytest.mark.parametrize("quote", [b'"', b""])
def test_one_field_of_50_mb(tmp_path, inbox, quote):
    table = inbox / "customers.csv"
    field = quote + b"x" * (50 * 2**20) + quote
    table.write_bytes(b"customer_id,name,annual_spend\nC1," + field + b",1000\nC2,Beta,2000\n")
    assert_refused(
        table,
        tmp_path,
        "line 2: not a readable CSV table: a value is longer than 131,072 characters: a quote "
        "that is never closed, or not a table of customers",
    )
