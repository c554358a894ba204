"""Malformed parts given to every command that reads a workbook: one clear line naming the
part or cell (exit 1), the file unchanged — never "internal error" (issue 14)."""

from __future__ import annotations

import contextlib
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_xl.cli import main
from crm_xl.files.resources import sample_path
from tests.helpers.hostile import edited, plain_book, read_parts, run_capped, sha256, write_parts

REPAIR = "the file is damaged (open it in Excel, which offers to repair it, and save it again)"
HEADERS = ["customer_id", "name", "annual_spend", "orders", "satisfaction"]


def customers_book(path, names=("Acme",)):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(HEADERS)
    for i, name in enumerate(names):
        ws.append([f"C{i + 1}", name, 1000, 3, 4])
    wb.save(path)
    return path


def dtd_in_sheet_rels(path):
    parts = read_parts(plain_book(path))
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x">]>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    )
    return write_parts(path, parts)


def dtd_in_table(path):
    from openpyxl.worksheet.table import Table

    wb = openpyxl.load_workbook(customers_book(path))
    wb.active.add_table(Table(displayName="Customers", ref="A1:E2"))
    wb.save(path)
    parts = read_parts(path)
    name = next(n for n in parts if n.startswith("xl/tables/"))
    body = parts[name].split(b"?>", 1)[-1]
    parts[name] = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "x">]>' + body
    return write_parts(path, parts), name


def compressed_with(method):
    def make(path):
        parts = read_parts(customers_book(path))
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                sheet = name == "xl/worksheets/sheet1.xml"
                z.writestr(name, data, compress_type=method if sheet else zipfile.ZIP_DEFLATED)
        return path

    return make


def address(old, new):
    return lambda path: edited(
        customers_book(path),
        "xl/worksheets/sheet1.xml",
        f'r="{old}"'.encode(),
        f'r="{new}"'.encode(),
    )


def recalc(book, tmp_path):
    return ["recalc", "--check", str(book)]


def score(book, tmp_path):
    return [
        "score",
        str(book),
        "-m",
        str(sample_path("scorecard.toml")),
        "-o",
        str(tmp_path / "o.csv"),
    ]


def new(book, tmp_path):
    return ["new", str(tmp_path / "n.xlsx"), "--period", "2026-Q4", "--customers", str(book)]


@pytest.mark.parametrize(
    ("make", "command", "message"),
    [
        (
            dtd_in_sheet_rels,
            recalc,
            "part xl/worksheets/_rels/sheet1.xml.rels is not usable XML: it declares a DTD",
        ),
        (
            lambda p: dtd_in_table(p)[0],
            recalc,
            "part xl/tables/table1.xml is not usable XML: it declares a DTD",
        ),
        *[
            (
                compressed_with(method),
                command,
                f"is compressed with method {number}, which Excel cannot open",
            )
            for method, number in ((zipfile.ZIP_BZIP2, 12), (zipfile.ZIP_LZMA, 14))
            for command in (recalc, score, new)
        ],
        (
            address("A2", "1A"),
            recalc,
            "Customers: a cell's address '1A' is not a cell address; " + REPAIR,
        ),
        (
            address("A2", "A0"),
            recalc,
            "Customers: a cell at row 0, column 1 is outside Excel's grid",
        ),
        (address("E2", "XFE2"), recalc, "a cell at row 2, column 16385 is outside Excel's grid"),
        (address("A2", "1A"), score, "sheet 'Customers' cannot be read (Expecting alphanumeric"),
        (
            address("A2", "A0"),
            new,
            "sheet 'Customers' cannot be read (Range is missing the expected row",
        ),
        (
            lambda p: edited(
                customers_book(p),
                "xl/worksheets/sheet1.xml",
                b"</sheetData>",
                b"<row><c><v>1</sheetData>",
            ),
            score,
            "sheet 'Customers' cannot be read (ill-formed document",
        ),
    ],
)
def test_malformed_parts_are_one_clear_line(tmp_path, make, command, message):
    """Each case in a child process under the README's memory bound (1 GiB of address
    space) and a time bound: exit 1, one line naming the file and the part or cell, the
    file unchanged, nothing left beside it."""
    book = make(tmp_path / "book.xlsx")
    before = sha256(book)
    out = run_capped(command(book, tmp_path), memory_mib=1024, timeout=120)
    err = out.stderr.strip()
    assert out.code == 1, err
    assert out.first_line.startswith(f"error: {book}: ") and message in out.first_line, err
    assert err.count("\n") == 0 and "internal error" not in err
    assert sha256(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_control_characters_in_customer_names_are_removed_and_said(tmp_path, capsys):
    """A CRM export with a stray escape or NUL in a name: the workbook cannot hold them
    (openpyxl refuses, Excel would not open it); the names keep every other letter."""
    from python_calamine import CalamineWorkbook

    table = tmp_path / "customers.csv"
    table.write_text(
        "customer_id,name,annual_spend\nC1,Acme\x01 Ltd,1000\nC2,\x1b[31mRed\x00 Co,2000\nC3,Tab\tok,1\n",
        encoding="utf-8",
    )
    book = tmp_path / "book.xlsx"
    assert (
        main(["new", str(book), "--period", "2026-Q4", "--lang", "en", "--customers", str(table)])
        == 0
    )
    err = capsys.readouterr().err
    assert (
        f"warning: {table}: control characters removed from 2 cells (a workbook cannot hold "
        "them): line 2, column 'name' (U+0001); line 3, column 'name' (U+001B U+0000)"
    ) in err
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Ratings 2026-Q4").to_python()
    names = [r[1] for r in rows if r and r[0] in ("C1", "C2", "C3")]
    assert names == ["Acme Ltd", "[31mRed Co", "Tab\tok"]
    assert main(["recalc", "--check", str(book)]) == 0


SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def sound_parts(tmp_path_factory):
    return read_parts(customers_book(tmp_path_factory.mktemp("fuzz") / "book.xlsx"))


def _mutated(sound_parts, where, what, cut):
    data = bytearray(sound_parts[SHEET])
    at = where % len(data)
    data[at : at + len(what)] = what
    if cut:
        del data[cut % len(data) :]
    return {**sound_parts, SHEET: bytes(data)}


MUTATIONS = dict(
    where=st.integers(0, 10_000),
    what=st.one_of(
        st.binary(max_size=12),
        st.sampled_from(
            [
                b"<",
                b">",
                b'"',
                b"&",
                b"<!DOCTYPE x>",
                b'r="ZZZ9"',
                b'r="A0"',
                b"<c>",
                b"</row>",
                b"\x00",
            ]
        ),
    ),
    cut=st.one_of(st.none(), st.integers(1, 10_000)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(**MUTATIONS)
def test_fuzzed_sheets_are_read_right_or_refused_clearly(
    tmp_path_factory, sound_parts, where, what, cut
):
    """Any damage to the sheet's XML: the table reader and the recalculation each give a
    result or a CrmError, never another exception."""
    from crm_xl.errors import CrmError
    from crm_xl.files.tables import read_table
    from crm_xl.workbook.recalc import recalc_book

    book = write_parts(
        tmp_path_factory.mktemp("fuzzed") / "book.xlsx", _mutated(sound_parts, where, what, cut)
    )
    for read in (read_table, lambda p: recalc_book(p, check=True)):
        with contextlib.suppress(CrmError):
            read(book)
