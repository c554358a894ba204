"""The row-shape reader (crm_xl.calc.row_shapes) gives the cell model the general reader gives,
and proves what it reads well-formed XML or refuses it as expat would.

Every big sheet is read by row shapes; here ``SHAPES_MIN_CHARS`` is set to 0 so that small
sheets are too, and each workbook is read both ways and the two models compared: every
Excel-made fixture, and generated tables with the variations real tables have (blanks,
text of several kinds, booleans, errors, dates, shared and array formulas, hidden rows,
row attributes, namespace prefixes).
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from crm_xl.calc import reader as sheet_reader
from crm_xl.calc.evaluator import Workbook
from crm_xl.errors import CrmError
from crm_xl.xlsx import Package
from crm_xl.xlsx.xml_checks import has_forbidden_chars
from tests.helpers.excel_made import excel_made_params

FIXTURES = excel_made_params()
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    '<dimension ref="A1:H400"/><sheetData>'
)
TAIL = "</sheetData></worksheet>"


def model(wb: Workbook) -> dict:
    """Everything the reader puts in the cell model, in comparable form."""
    out = {}
    for sheet in wb.sheets:
        formulas = {
            key: (f.own_text, f.master, f.kind, f.ref, f.cached_value, f.cached_type, f.si)
            for key, f in sheet.formulas.items()
        }
        out[sheet.name] = {
            "cells": dict(sheet.cells),
            "styles": dict(sheet.styles),
            "hidden": set(sheet.hidden_rows),
            "size": (sheet.max_row, sheet.max_col),
            "formulas": formulas,
        }
    return out


def read(source: bytes | Path, shapes: bool, monkeypatch) -> dict:
    monkeypatch.setattr(sheet_reader, "SHAPES_MIN_CHARS", 0 if shapes else 1 << 62)
    pkg = Package.open(source) if isinstance(source, Path) else Package.from_bytes(source)
    return model(Workbook.from_package(pkg))


def book(sheet_xml: str, styles: bytes | None = None) -> bytes:
    """A workbook made by openpyxl whose first sheet is ``sheet_xml`` (and styles)."""
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    buffer = io.BytesIO()
    wb.save(buffer)
    parts = {}
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    parts[SHEET] = sheet_xml.encode("utf-8")
    if styles is not None:
        parts["xl/styles.xml"] = styles
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def table(rows: int, seed: int) -> str:
    """A customer table as Excel and other writers store one, with the odd cell."""
    rng = random.Random(seed)
    out = [
        '<row r="1" spans="1:8"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr">'
        '<is><t>spend</t></is></c><c r="C1" t="s"><v>1</v></c></row>'
    ]
    for r in range(2, rows + 2):
        cells = [f'<c r="A{r}" t="inlineStr"><is><t>C{r:05d} &amp; Co</t></is></c>']
        cells.append(f'<c r="B{r}" s="1"><v>{rng.randint(0, 99999) / 10}</v></c>')
        cells.append(f'<c r="C{r}" t="s"><v>{rng.randint(0, 1)}</v></c>')
        d = rng.random()
        if d < 0.05:
            pass  # a blank: a row of another shape
        elif d < 0.08:
            cells.append(f'<c r="D{r}" t="b"><v>1</v></c>')
        elif d < 0.10:
            cells.append(f'<c r="D{r}" t="e"><v>#N/A</v></c>')
        elif d < 0.12:
            cells.append(f'<c r="D{r}" t="str"><v>text</v></c>')
        else:
            cells.append(f'<c r="D{r}" s="2"><v>{45000 + r}</v></c>')  # a date
        cells.append(f'<c r="E{r}"><f>B{r}*2</f><v>{r}</v></c>')
        if r == 2:
            cells.append('<c r="F2"><f t="shared" ref="F2:F9999" si="0">B2+1</f><v>1</v></c>')
        else:
            cells.append(f'<c r="F{r}"><f t="shared" si="0"/><v>1</v></c>')
        cells.append(f'<c r="G{r}" t="str"><f>IF(B{r}&gt;5,"A","B")</f><v>A</v></c>')
        cells.append(f'<c r="H{r}" s="1"/>')
        hidden = ' hidden="1"' if r % 97 == 0 else ""
        attrs = f' spans="1:8" x14ac:dyDescent="0.25"{hidden}'
        out.append(f'<row r="{r}"{attrs}>{"".join(cells)}</row>')
    return HEAD + "".join(out) + TAIL


STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    b'<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
    b'<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    b'<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="2"/><xf numFmtId="164"/></cellXfs>'
    b"</styleSheet>"
)


@pytest.mark.parametrize("path", FIXTURES)
def test_excel_made_fixtures_read_the_same_both_ways(path, monkeypatch):
    assert read(path, True, monkeypatch) == read(path, False, monkeypatch)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_tables_read_the_same_both_ways(seed, monkeypatch):
    xml = table(400, seed)
    data = book(xml, STYLES)
    shaped, general = read(data, True, monkeypatch), read(data, False, monkeypatch)
    assert shaped == general
    sheet = shaped["Data"]
    # and what was read is right (worked out from the table, not from the reader)
    assert sheet["cells"][(2, 1)] == "C00002 & Co"
    dated = {int(r) for r in re.findall(r'<c r="D([0-9]+)" s="2">', xml)}
    assert {r for (r, c), s in sheet["styles"].items() if c == 4 and s == 2} == dated
    assert sheet["hidden"] == {97, 194, 291, 388}
    assert sheet["formulas"][(3, 6)][1] == ("B2+1", "F2")  # a shared formula's dependent
    assert sheet["formulas"][(5, 7)][0] == 'IF(B5>5,"A","B")'
    assert sheet["size"] == (401, 7)  # H holds only empty styled cells


def test_most_rows_of_a_big_table_are_read_by_shapes(monkeypatch):
    """The shapes really do the work: what is left for the general reader is small."""
    from crm_xl.calc import row_shapes

    text = table(2000, 7)
    body_start, end = text.index("<sheetData>"), text.index("</sheetData>")
    wb = Workbook()
    sheet = wb.add_sheet("Data")
    rest, doubt = row_shapes.read_shaped_rows(
        wb, sheet, text, body_start, end, "", ["x", "y"], {}, []
    )
    assert doubt is None
    assert len(rest) < len(text) / 5
    assert len(sheet.formulas) > 2000


def test_a_sheet_without_row_numbers_is_read_cell_by_cell(monkeypatch):
    xml = HEAD + "".join(f"<row><c><v>{r}</v></c></row>" for r in range(1, 30)) + TAIL
    data = book(xml)
    shaped = read(data, True, monkeypatch)
    assert shaped == read(data, False, monkeypatch)
    assert shaped["Data"]["cells"][(29, 1)] == 29.0


BROKEN = {
    "a bare &": '<row r="{r}"><c r="A{r}"><f>1</f><v>a&b</v></c></row>',
    "]]> in text": '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>a]]>b</t></is></c></row>',
    "a control character": '<row r="{r}"><c r="A{r}"><v>1\x01</v></c></row>',
    "a reference to \\0": '<row r="{r}"><c r="A{r}" t="str"><f>1</f><v>&#0;</v></c></row>',
    "an attribute twice": '<row r="{r}" ht="1" ht="2"><c r="A{r}"><v>1</v></c></row>',
    "an undeclared prefix": '<row r="{r}" foo:x="1"><c r="A{r}"><v>1</v></c></row>',
}


@pytest.mark.parametrize("what", sorted(BROKEN))
def test_rows_that_are_not_well_formed_are_refused(what, monkeypatch):
    """Each row is of a shape the reader learns, so only its own proof can catch it."""
    xml = HEAD + "".join(BROKEN[what].format(r=r) for r in range(1, 40)) + TAIL
    for shapes in (True, False):
        with pytest.raises(CrmError, match="is not usable XML"):
            read(book(xml), shapes, monkeypatch)


def test_a_row_hidden_inside_an_attribute_is_refused(monkeypatch):
    """Rows cut out of the text leave an element behind, so the rest cannot hide them."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 40))
    xml = HEAD + f'<row r="1" ht="{rows}"><c r="A1"><v>1</v></c></row>' + TAIL
    for shapes in (True, False):
        with pytest.raises(CrmError, match="is not usable XML"):
            read(book(xml), shapes, monkeypatch)


def test_entities_and_escapes_in_shaped_rows_are_read(monkeypatch):
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="str"><f>"&lt;&amp;&#x41;"</f><v>&lt;&amp;A_x0041_</v></c>'
        f'<c r="B{r}" t="inlineStr"><is><t xml:space="preserve"> x&#233; </t></is></c></row>'
        for r in range(1, 40)
    )
    data = book(HEAD + rows + TAIL)
    shaped = read(data, True, monkeypatch)
    assert shaped == read(data, False, monkeypatch)
    cells = shaped["Data"]
    assert cells["formulas"][(3, 1)][0] == '"<&A"'
    assert cells["formulas"][(3, 1)][4] == "<&AA"
    assert cells["cells"][(3, 2)] == " xé "


def test_forbidden_characters():
    assert not has_forbidden_chars("tab\tnew\nline\r 中文 \ufffd".encode())
    for bad in ("\x00", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff"):
        assert has_forbidden_chars(f"a{bad}b".encode()), repr(bad)


def test_a_doubt_the_full_check_clears_loses_no_row(monkeypatch):
    """A prefix declared on <sheetData> itself is beyond the shapes' proof: expat decides,
    and every row read before and after the doubt is in the model."""
    head = HEAD.replace("<sheetData>", '<sheetData xmlns:foo="urn:x">')
    rows = [f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 30)]
    rows += [f'<row r="{r}" foo:x="1"><c r="A{r}"><v>{r}</v></c></row>' for r in range(30, 60)]
    data = book(head + "".join(rows) + TAIL)
    from crm_xl.calc import row_shapes

    monkeypatch.setattr(row_shapes, "PIECE_CHARS", 300)  # many pieces: some after the doubt
    shaped = read(data, True, monkeypatch)
    assert shaped == read(data, False, monkeypatch)
    assert [shaped["Data"]["cells"][(r, 1)] for r in (1, 29, 30, 59)] == [1.0, 29.0, 30.0, 59.0]


@pytest.mark.parametrize("shapes", [True, False], ids=["row-shapes", "cell-by-cell"])
def test_a_formulas_line_breaks_are_read_as_an_xml_parser_reads_them(shapes, monkeypatch):
    """XML 1.0 §2.11: a CR LF (or a lone CR) in a part is one LF to its reader, so Excel's
    formula ="a<CR LF>b" is the 3-character text a<LF>b; &#13; is how a CR is kept."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><f>LEN("a\r\nb")+LEN("c\rd")</f><v>6</v></c>'
        f'<c r="B{r}" t="str"><f>IF(TRUE,\r\n"a\r\nb")</f><v>a\nb</v></c>'
        f'<c r="C{r}"><f>LEN("a&#13;&#10;b")</f><v>4</v></c></row>'
        for r in range(1, 4)
    )
    got = read(book(HEAD + rows + TAIL), shapes, monkeypatch)["Data"]["formulas"]
    assert got[(1, 1)][0] == 'LEN("a\nb")+LEN("c\nd")'
    assert got[(1, 3)][0] == 'LEN("a\r\nb")'
    monkeypatch.setattr(sheet_reader, "SHAPES_MIN_CHARS", 0 if shapes else 1 << 62)
    wb = Workbook.from_package(Package.from_bytes(book(HEAD + rows + TAIL)))
    for r in (1, 3):
        assert wb.evaluate("Data", f"A{r}") == 6.0
        assert wb.evaluate("Data", f"B{r}") == "a\nb"
        assert wb.evaluate("Data", f"C{r}") == 4.0


def _openpyxl_rows(rows: int) -> str:
    """Rows as openpyxl writes them: ``t="n"`` numbers, inline strings, formulas with an
    empty ``<v />`` (never calculated); some with ``<v/>`` and a ``t="str"`` one."""
    out = []
    for r in range(2, rows + 2):
        out.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>C{r:05d}</t></is></c>'
            f'<c r="B{r}" t="n"><v>{r / 10}</v></c><c r="C{r}" t="n"><v>{r}</v></c>'
            f'<c r="D{r}"><f>SUM(B{r}:C{r})</f><v /></c>'
            f'<c r="E{r}"><f>B{r}*0.4+C{r}*0.6</f><v/></c>'
            f'<c r="F{r}" t="str"><f>T(A{r})</f><v/></c></row>'
        )
    return HEAD + "".join(out) + TAIL


def test_openpyxl_empty_cached_values_are_read_by_shapes_as_no_value(monkeypatch):
    from crm_xl.calc import row_shapes

    xml = _openpyxl_rows(300)
    data = book(xml)
    shaped, general = read(data, True, monkeypatch), read(data, False, monkeypatch)
    assert shaped == general
    formulas = shaped["Data"]["formulas"]
    # never calculated: no cached value; a t="str" formula with <v/> has computed ""
    assert formulas[(2, 4)][0] == "SUM(B2:C2)" and formulas[(2, 4)][4:6] == (None, "empty")
    assert formulas[(2, 6)][4:6] == ("", "str")
    body_start, end = xml.index("<sheetData>"), xml.index("</sheetData>")
    wb = Workbook()
    sheet = wb.add_sheet("Data")
    rest, doubt = row_shapes.read_shaped_rows(wb, sheet, xml, body_start, end, "", [], {}, [])
    assert doubt is None
    assert len(rest) < len(xml) / 20  # the rows were read by their shape
    assert len(sheet.formulas) == 900


def _libreoffice_rows(rows: int) -> str:
    """Rows as LibreOffice writes them: every row's attributes spelt out (``hidden="false"``,
    some ``hidden="true"``), shared strings, ``<f aca="false">`` in every formula cell."""
    out = []
    for r in range(2, rows + 2):
        hidden = "true" if r % 50 == 0 else "false"
        out.append(
            f'<row r="{r}" customFormat="false" ht="15" hidden="{hidden}" customHeight="false" '
            f'outlineLevel="0" collapsed="false"><c r="A{r}" s="0" t="s"><v>{r % 2}</v></c>'
            f'<c r="B{r}" s="0" t="n"><v>{r / 10}</v></c>'
            f'<c r="C{r}" s="0" t="n"><f aca="false">B{r}*2</f><v>{r / 5}</v></c>'
            f'<c r="D{r}" s="0" t="str"><f aca="false">T(A{r})</f><v>x</v></c></row>'
        )
    return HEAD + "".join(out) + TAIL


def test_libreoffice_rows_read_the_same_both_ways(monkeypatch):
    data = book(_libreoffice_rows(300))
    shaped, general = read(data, True, monkeypatch), read(data, False, monkeypatch)
    assert shaped == general
    sheet = shaped["Data"]
    assert sheet["hidden"] == {50, 100, 150, 200, 250, 300}  # hidden="true" only
    assert sheet["formulas"][(7, 3)][:3] == ("B7*2", None, "normal")
    assert sheet["formulas"][(7, 3)][4:6] == (1.4, "n")
    assert sheet["formulas"][(7, 4)][4:6] == ("x", "str")
