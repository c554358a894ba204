"""The one reading of stored cell values (decode_value) and of shared strings
(read_shared_strings), checked against Excel's rules worked out by hand, against
python-calamine on every Excel-made fixture and against LibreOffice.

The package and the recalculation engine's reader used to decode stored values each their
own way; they disagreed on ISO 8601 dates (``t="d"``) and on a ``<v>`` that is not a
number in a number cell. The cases below are where they disagreed.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from crm_xl.xlsx import Package
from crm_xl.xlsx.values import (
    decode_value,
    iso_serial,
    read_shared_strings,
    read_shared_strings_each,
    rich_text,
)
from tests.helpers.excel_made import excel_made_files, require_excel_made
from tests.xlsx.harness import MAIN_NS, members

STRINGS = ["zero", "one"]


@pytest.mark.parametrize(
    ("t", "v", "inline", "expected"),
    [
        (None, "71.25", None, ("n", 71.25)),
        ("n", "-1E-3", None, ("n", -0.001)),
        # a number cell whose <v> is not a number holds no number, nor text: no value
        (None, "n/a", None, ("empty", None)),
        ("n", "12abc", None, ("empty", None)),
        (None, "\u0661\u0662", None, ("empty", None)),  # Arabic-Indic digits: not xsd:double
        (None, "", None, ("empty", None)),
        (None, None, None, ("empty", None)),
        ("s", "1", None, ("str", "one")),
        ("s", "2", None, ("empty", None)),  # no such shared string
        ("s", "-1", None, ("empty", None)),  # an index counts from 0, never from the end
        ("s", "x", None, ("empty", None)),
        ("str", "a &amp; b_x000D_", None, ("str", "a & b\r")),
        ("str", "", None, ("str", "")),  # <v></v>: a formula's empty-text result
        ("str", None, None, ("empty", None)),  # no <v>: no cached result yet
        ("str", "two\r\nlines", None, ("str", "two\nlines")),  # as an XML parser reads it
        ("inlineStr", None, "typed", ("str", "typed")),
        ("inlineStr", None, None, ("empty", None)),
        ("b", "1", None, ("b", True)),
        ("b", "0", None, ("b", False)),
        ("b", "true", None, ("b", True)),
        ("b", "", None, ("empty", None)),
        ("e", "#N/A", None, ("e", "#N/A")),
        ("e", " ", None, ("empty", None)),
        # an ISO 8601 date is the date's serial number: 2024-01-01 is 45292, so the 15th
        # is 45306, and 18:00 is three quarters of a day
        ("d", "2024-01-15", None, ("n", 45306.0)),
        ("d", "2024-01-15T18:00:00", None, ("n", 45306.75)),
        ("d", "not a date", None, ("empty", None)),
        ("x", "1", None, ("empty", None)),  # no such type
    ],
)
def test_stored_values_as_excel_reads_them(t, v, inline, expected):
    assert decode_value(t, v, inline, STRINGS) == expected


@pytest.mark.parametrize(
    ("text", "serial", "serial_1904"),
    [
        ("2024-01-15", 45306.0, 45306.0 - 1462),  # the two systems are 1,462 days apart
        ("2024-01-15T06:30:00", 45306 + 6.5 / 24, 45306 - 1462 + 6.5 / 24),
        ("2024-01-15T18:00:00Z", 45306.75, 45306.75 - 1462),
        ("2024-01-15T01:00:00+02:00", 45305 + 23 / 24, 45305 + 23 / 24 - 1462),  # 23:00 UTC
        ("1900-03-01", 61.0, 61.0 - 1462),  # Excel's 1900-02-29 is serial 60 ...
        ("1900-02-28", 59.0, 59.0 - 1461),  # ... so the days before it are one less
        ("1900-01-01", 1.0, 2.0 - 1462),
        ("1904-01-02", 1463.0, 1.0),  # 1904-01-01 is serial 1462 of the 1900 system
        ("12:00", 0.5, 0.5),  # a time of day is a fraction of one
        ("2024-02-30", None, None),
        ("24:00:00", None, None),
    ],
)
def test_iso_dates_are_serial_numbers_of_the_date_system(text, serial, serial_1904):
    for date1904, expected in ((False, serial), (True, serial_1904)):
        got = iso_serial(text, date1904)
        assert got is None if expected is None else got == pytest.approx(expected)


def test_shared_strings_are_what_calamine_shows_in_every_excel_made_cell():
    """Every t="s" cell of every Excel-made fixture: the text at its index is what
    python-calamine shows (escapes, rich runs, phonetic runs, line ends)."""
    require_excel_made()
    checked = 0
    for path in excel_made_files():
        parts = members(path)
        if "xl/sharedStrings.xml" not in parts:
            continue
        strings = read_shared_strings(parts["xl/sharedStrings.xml"])
        pkg = Package.open(path)
        book = CalamineWorkbook.from_path(str(path))
        for sheet in pkg.sheets():
            if sheet.kind != "worksheet":
                continue
            grid = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            for m in re.finditer(
                rb'<c r="([A-Z]+)(\d+)"[^>]*? t="s"[^>]*><v>(\d+)</v>', parts[sheet.part]
            ):
                col = openpyxl.utils.column_index_from_string(m.group(1).decode())
                shown = grid[int(m.group(2)) - 1][col - 1]
                assert strings[int(m.group(3))] == shown, (path.name, m.group(0))
                checked += 1
        book.close()
    assert checked > 10_000


def test_shared_strings_by_hand():
    sst = (
        f'<x:sst xmlns:x="{MAIN_NS}" count="5" uniqueCount="5">'
        "<x:si><x:t>plain</x:t></x:si>"
        "<x:si/>"
        '<x:si><x:r><x:t xml:space="preserve">in </x:t></x:r><x:r><x:rPr><x:b/></x:rPr>'
        "<x:t>bold</x:t></x:r></x:si>"
        '<x:si><x:t>東京</x:t><x:rPh sb="0" eb="2"><x:t>トウキョウ</x:t></x:rPh></x:si>'
        # each <t> is decoded on its own: an escape cut in two is no escape
        "<x:si><x:r><x:t>_x00</x:t></x:r><x:r><x:t>41_ &amp; _x0041_</x:t></x:r></x:si>"
        "</x:sst>"
    )
    assert read_shared_strings(sst.encode()) == ["plain", "", "in bold", "東京", "_x0041_ & A"]
    assert rich_text("<t>a</t><r><t>b</t></r>") == "ab"


def test_plain_items_shortcut_reads_as_every_item_decoded():
    """The plain-<t> shortcut of read_shared_strings gives what rich_text gives item by
    item: on every Excel-made fixture, and on items next to plain that are not plain."""
    sst = (
        f'<sst xmlns="{MAIN_NS}"><si><t>plain</t></si><si><t xml:space="preserve"> sp </t></si>'
        "<si><t>a_x000D_b</t></si><si><t>R&amp;D</t></si><si><t>two\r\nlines</t></si>"
        "<si><t></t></si><si><t/></si><si/><si ><t>odd</t></si ><si><t>x</t><t>y</t></si>"
        '<si><t>b</t><rPh sb="0" eb="1"><t>B</t></rPh></si><si><r><t>r</t></r></si>'
        "<si><t>snake_case</t></si></sst>"
    )
    expected = ["plain", " sp ", "a\rb", "R&D", "two\nlines", "", "", "", "odd", "xy", "b", "r"]
    assert read_shared_strings(sst.encode()) == [*expected, "snake_case"]
    assert read_shared_strings_each(sst.encode()) == [*expected, "snake_case"]
    require_excel_made()
    compared = 0
    for path in excel_made_files():
        part = members(path).get("xl/sharedStrings.xml")
        if part is not None:
            assert read_shared_strings(part) == read_shared_strings_each(part), path.name
            compared += 1
    assert compared > 10


def _book_with(cells: str, date1904: bool = False) -> bytes:
    """An openpyxl workbook whose sheet "S" holds ``cells`` (rows of <c> XML)."""
    book = openpyxl.Workbook()
    book.active.title = "S"
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb"<sheetData\s*/>|<sheetData></sheetData>",
                    lambda _: b"<sheetData>" + cells.encode() + b"</sheetData>",
                    data,
                )
            if info.filename == "xl/workbook.xml" and date1904:
                data = re.sub(rb"<workbookPr\s*/>", b'<workbookPr date1904="1"/>', data)
            dst.writestr(info, data)
    return out.getvalue()


DATES = ["2024-01-15", "2024-01-15T18:00:00", "1900-03-01", "2024-01-15T18:00:00+02:00"]


def _date_rows() -> str:
    """Row i: A holds a t="d" date, B =Ai+0, C a formula whose cached value is that date."""
    return "".join(
        f'<row r="{i}"><c r="A{i}" t="d"><v>{d}</v></c><c r="B{i}"><f>A{i}+0</f></c>'
        f'<c r="C{i}" t="d"><f>A{i}</f><v>{d}</v></c></row>'
        for i, d in enumerate(DATES, 1)
    )


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_dates_are_the_numbers_libreoffice_computes(date1904, tmp_path):
    """LibreOffice reads a t="d" cell as a date: =A1+0 gives its serial number in the
    workbook's date system. The decoder, and the package's cached values, give the same."""
    from tests.helpers.libreoffice import read_values, recalculate

    data = _book_with(_date_rows(), date1904)
    path = tmp_path / "dates.xlsx"
    path.write_bytes(data)
    computed = read_values(
        recalculate(path, tmp_path / "out.xlsx"), "S", [f"B{i}" for i in range(1, 5)]
    )
    for i, text in enumerate(DATES, 1):
        assert decode_value("d", text, None, [], date1904=date1904) == (
            "n",
            pytest.approx(computed[f"B{i}"]),
        )
    cached = Package.from_bytes(data, "dates.xlsx").cached_values(
        "S", [f"C{i}" for i in range(1, 5)]
    )
    assert cached == {f"C{i}": ("n", pytest.approx(computed[f"B{i}"])) for i in range(1, 5)}


def test_the_package_reads_what_the_decoder_reads():
    """Formula cells whose cached values the package used to read its own way: a date is
    its serial number, a number cell's non-number is no value, an unknown type no value."""
    rows = (
        '<row r="1"><c r="A1" t="d"><f>TODAY()</f><v>2024-01-15</v></c>'
        '<c r="B1"><f>1/1</f><v>n/a</v></c><c r="C1" t="n"><f>1/1</f><v>12abc</v></c>'
        '<c r="D1" t="x"><f>1/1</f><v>1</v></c>'
        '<c r="E1" t="inlineStr"><f>"i"</f><is><r><t>_x00</t></r><r><t>41_</t></r></is></c></row>'
    )
    pkg = Package.from_bytes(_book_with(rows), "book.xlsx")
    assert pkg.cached_values("S") == {
        "A1": ("n", 45306.0),
        "B1": ("empty", None),
        "C1": ("empty", None),
        "D1": ("empty", None),
        "E1": ("str", "_x0041_"),
    }
    pkg1904 = Package.from_bytes(_book_with(rows, date1904=True), "book.xlsx")
    assert pkg1904.cached_values("S", ["A1"]) == {"A1": ("n", 45306.0 - 1462)}
    # the same date written back as its number: t="d" goes, the serial is stored
    assert pkg.set_cached_values("S", {"A1": 45306.0, "B1": 1.0}) == 2
    xml = pkg.part("xl/worksheets/sheet1.xml")
    assert b'<c r="A1"><f>TODAY()</f><v>45306</v></c>' in xml
    assert b'<c r="B1"><f>1/1</f><v>1</v></c>' in xml
