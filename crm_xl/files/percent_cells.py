"""Which cells of a workbook show a percentage: what the user typed as ``97.7%``.

Excel stores a cell typed as ``97.7%`` as 0.977 with a percent number format; the same
sheet saved as CSV says ``97.7%``. crm_xl's rates are percent points (97.7), so a table
read from .xlsx must turn such cells into 97.7, as the CSV reading does, or the same
customers get different scores from the same sheet.

python-calamine, which reads the values, does not give number formats, so each format's own
reader says which cells are percentages: for .xlsx/.xlsm openpyxl (reading every cell's
style costs some ten times calamine's read, so the styles part is looked at first, a few
KB, and only a workbook that has a percent format at all is read again, in read-only
mode); for .xls xlrd (its formatting information); for .ods the cells whose value type is
``percentage`` in the content part.

Example::

    >>> is_percent_format("0.0%"), is_percent_format('0.0"%"'), is_percent_format("General")
    (True, False, False)
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def is_percent_format(code: str) -> bool:
    """True when the number format ``code`` shows its number as a percentage: a ``%`` that is
    not quoted text, an escaped character, a colour or condition in brackets, or padding."""
    return "%" in _LITERALS.sub("", code or "")


def has_percent_styles(path: Path) -> bool:
    """True when the workbook's styles part may use a percent format (cheap: its bytes hold
    a ``%`` or a built-in percent format's id). A false alarm only costs the second read."""
    try:
        with zipfile.ZipFile(path) as z:
            name = next((n for n in z.namelist() if n.lower() == "xl/styles.xml"), None)
            if name is None or z.getinfo(name).file_size > 20 * 2**20:
                return False
            styles = z.read(name)
    except (zipfile.BadZipFile, OSError):
        return False  # the value reader reports a damaged file in its own words
    return b"%" in styles or re.search(rb'numFmtId="(?:9|10)"', styles) is not None


def percent_cells(path: Path, sheet: str, kind: str | None = None) -> set[tuple[int, int]]:
    """The numeric cells of ``sheet`` shown as percentages, as 0-based (row, column) from A1.
    ``kind`` is the file's format (``.xls``, ``.ods``, ...) when its name says another.

    Empty for a workbook without percent formats, without reading its cells again, and for
    .xlsb, whose formats crm_xl cannot read (docs: save such a table as .xlsx).
    """
    suffix = kind or path.suffix.lower()
    if suffix == ".xls":
        return _xls_percent_cells(path, sheet)
    if suffix == ".ods":
        return _ods_percent_cells(path, sheet)
    if suffix not in (".xlsx", ".xlsm") or not has_percent_styles(path):
        return set()
    import openpyxl

    # a stream, not the path: openpyxl refuses a package whose name is not .xlsx/.xlsm
    stream = open(path, "rb")  # noqa: SIM115 (closed with the workbook below)
    wb = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        ws = wb[sheet]
        found = set()
        for row in ws.iter_rows():
            for cell in row:
                if (
                    getattr(cell, "data_type", None) == "n"
                    and cell.value is not None
                    and is_percent_format(cell.number_format)
                ):
                    found.add((cell.row - 1, cell.column - 1))
        return found
    finally:
        wb.close()
        stream.close()


def _xls_percent_cells(path: Path, sheet: str) -> set[tuple[int, int]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:  # xlrd raises its own types; the value reader reports a damaged file
        return set()
    try:
        ws = book.sheet_by_name(sheet)
        percent_xfs = {
            i
            for i, xf in enumerate(book.xf_list)
            if is_percent_format(getattr(book.format_map.get(xf.format_key), "format_str", ""))
        }
        if not percent_xfs:
            return set()
        return {
            (r, c)
            for r in range(ws.nrows)
            for c in range(ws.ncols)
            if ws.cell_type(r, c) == xlrd.XL_CELL_NUMBER and ws.cell_xf_index(r, c) in percent_xfs
        }
    finally:
        book.release_resources()


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


def _ods_percent_cells(path: Path, sheet: str) -> set[tuple[int, int]]:
    import defusedxml.ElementTree as ET

    t, o = f"{{{_ODS['table']}}}", f"{{{_ODS['office']}}}"
    found: set[tuple[int, int]] = set()
    try:
        with zipfile.ZipFile(path) as z:
            if b'value-type="percentage"' not in z.read("content.xml"):
                return found
            stream = z.open("content.xml")
            row, in_sheet = 0, False
            for event, el in ET.iterparse(stream, events=("start", "end")):
                if el.tag == f"{t}table":
                    in_sheet = event == "start" and el.get(f"{t}name") == sheet
                    row = 0
                elif in_sheet and event == "end" and el.tag == f"{t}table-row":
                    rows = min(int(el.get(f"{t}number-rows-repeated", "1")), 2**20)
                    col = 0
                    for cell in el:
                        if cell.tag not in (f"{t}table-cell", f"{t}covered-table-cell"):
                            continue
                        cols = min(int(cell.get(f"{t}number-columns-repeated", "1")), 2**14)
                        if cell.get(f"{o}value-type") == "percentage":
                            found.update(
                                (row + i, col + j) for i in range(rows) for j in range(cols)
                            )
                        col += cols
                    row += rows
                    el.clear()
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError):
        return set()
    return found
