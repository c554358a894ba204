"""Package.set_cached_values / cached_values: results written beside formulas, nothing else.

``crm-xl recalc`` computes formula results without Excel and stores them as the cached
values (``<v>``) of the formula cells. These tests check, on workbooks made by openpyxl
and by real Excel, that only the ``<v>`` (and ``t=``) of the targeted cells change, that
every other part keeps its bytes (calcChain, VBA, charts...), and that python-calamine,
openpyxl (``data_only=True``) and LibreOffice (without recalculating) read the values back
with the right types.

What LibreOffice 7.4 shows without recalculating (found here, see
``test_libreoffice_shows_the_stored_values``): the stored value of an ordinary formula
cell with a number or a non-empty text result, and the text result of a shared formula.
It recomputes booleans, errors, ``""`` results, every cell of an array formula and the
numeric results of shared formulas, whatever the file stores."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from crm_xl.errors import EXCEL_ERRORS, CrmError
from crm_xl.xlsx import ErrorValue, Formula, Package
from crm_xl.xlsx.coordinates import cell_name
from tests.xlsx.harness import (
    BOOK,
    FORMULA_BOOKS,
    MAIN_NS,
    NOT_FORMULA,
    PART,
    assert_only_cells_changed,
    assert_readers_see,
    calamine_values,
    cells_of,
    fixture,
    grid,
    members,
    typed,
    untyped,
)
from tests.xlsx.harness import (
    FIXTURES as FIXTURES_ALL,
)

# --- workbooks made by openpyxl -----------------------------------------------------------


def test_openpyxl_book_every_result_type():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    values = {
        "B2": 71.2,
        "B3": 4,
        "C2": "big",
        "D2": True,
        "D3": False,
        "E2": ErrorValue("#N/A"),
        "F2": "",
        "G2": "1<&>",
        "H2": 10,  # the anchor of an array formula
        "H3": 20.5,  # the others: <c r="H3" s="1"/> in the file
        "H4": "thirty",
    }
    assert pkg.set_cached_values("Data", values) == len(values)
    assert pkg.parts_changed() == [PART]
    after = pkg.to_bytes()
    assert_only_cells_changed(BOOK, after, PART, values)
    assert_readers_see(after, "Data", PART, values)
    cells = cells_of(members(after)[PART])
    assert cells["F2"] == b'<c r="F2" t="str"><f>""</f><v></v></c>'
    assert cells["H3"] == b'<c r="H3" s="1" t="n"><v>20.5</v></c>'  # was <c .. t="n" />
    assert cells["B3"] == b'<c r="B3"><f>A3*2</f><v>4</v></c>'
    assert (
        cells["G2"] == b'<c r="G2" t="str"><f>A2&amp;"&lt;&amp;&gt;"</f><v>1&lt;&amp;&gt;</v></c>'
    )
    assert Package.from_bytes(after).cached_values("Data", values) == {
        k: typed(v) for k, v in values.items()
    }


def test_array_cells_missing_from_the_file_are_created():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    assert "I3" not in cells_of(pkg.part(PART))
    assert pkg.cached_values("Data", ["I3", "J6"]) == {"I3": ("empty", None), "J6": ("empty", None)}
    values = {"I2": 2, "I3": 3, "J2": 1, "J5": "five", "J6": True}
    assert pkg.set_cached_values("Data", values) == 5
    xml = pkg.part(PART)
    SafeET.fromstring(xml, forbid_dtd=True)
    assert b'<c r="I3"><v>3</v></c></row>' in xml  # after H3, at the end of row 3
    assert b'<row r="5"><c r="J5" t="str"><v>five</v></c></row><row r="6">' in xml
    assert b'<dimension ref="A1:J6"' in xml
    rows = [int(r) for r in re.findall(rb'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) == [1, 2, 3, 4, 5, 6]
    after = pkg.to_bytes()
    assert_readers_see(after, "Data", PART, values)
    assert pkg.cached_values("Data", values) == {k: typed(v) for k, v in values.items()}


def test_a_second_write_of_the_same_values_changes_nothing():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    values = {"B2": 2, "C2": "small", "D2": False, "E2": ErrorValue("#N/A"), "F2": "", "H3": 1.5}
    assert pkg.set_cached_values("Data", values) == len(values)
    saved = pkg.to_bytes()
    again = Package.from_bytes(saved)
    assert again.set_cached_values("Data", values) == 0
    assert again.set_cached_values("Data", {"B2": 2.0, "H3": 1.50}) == 0  # 2.0 is stored "2"
    assert again.parts_changed() == []
    assert again.to_bytes() == saved


# --- workbooks saved by Excel -------------------------------------------------------------


def test_excel_result_types_change_type_in_place():
    """formula_results01: every result type Excel writes (n, str, b, e), each changed."""
    path = fixture("formula_results01.xlsx")
    before = path.read_bytes()
    pkg = Package.open(path)
    stored = pkg.cached_values("Sheet1")
    assert stored["A1"] == ("n", 2.0) and stored["A2"] == ("str", "Foo")
    assert stored["A3"] == ("b", True) and stored["A6"] == ("e", "#N/A")
    values = {
        "A1": "Tier A",  # number → text
        "A2": 3.5,  # text → number
        "A3": ErrorValue("#VALUE!"),  # bool → error
        "A4": True,  # bool → bool
        "A5": False,  # error → bool
        "A6": "",  # error → ""
        "A7": -0.25,  # error → number
        "A12": ErrorValue("#N/A"),  # error → error
    }
    assert pkg.set_cached_values("Sheet1", values) == len(values)
    assert pkg.parts_changed() == ["xl/worksheets/sheet1.xml"]
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, "xl/worksheets/sheet1.xml", values)
    assert members(after)["xl/calcChain.xml"] == members(before)["xl/calcChain.xml"]
    assert_readers_see(after, "Sheet1", "xl/worksheets/sheet1.xml", values)
    cells = cells_of(members(after)["xl/worksheets/sheet1.xml"])
    assert cells["A1"] == b'<c r="A1" t="str"><f>1+1</f><v>Tier A</v></c>'
    assert cells["A2"] == b'<c r="A2"><f>"Foo"</f><v>3.5</v></c>'
    assert cells["A6"] == b'<c r="A6" t="str"><f>#N/A</f><v></v></c>'


def test_shared_formula_master_and_dependents():
    path = fixture("shared_formulas.xlsx")
    before = path.read_bytes()
    pkg = Package.open(path)
    sheet = pkg.sheets()[0].name
    part = pkg.sheets()[0].part
    values = {"A2": 1.5, "A3": "new text", "A4": True, "A41": ErrorValue("#REF!")}
    assert pkg.set_cached_values(sheet, values) == 4
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, part, values)
    assert_readers_see(after, sheet, part, values)
    cells = cells_of(members(after)[part])
    assert cells["A2"] == b'<c r="A2"><f t="shared" ref="A2:A41" si="0">B2</f><v>1.5</v></c>'
    assert cells["A3"] == b'<c r="A3" t="str"><f t="shared" si="0"/><v>new text</v></c>'
    assert cells["A4"] == b'<c r="A4" t="b"><f t="shared" si="0"/><v>1</v></c>'


def test_every_cell_of_an_array_formula():
    path = fixture("array_formula01.xlsx")
    before = path.read_bytes()
    pkg = Package.open(path)
    values = {"A1": 1, "A2": 2.5, "A3": "three"}
    assert pkg.set_cached_values("Sheet1", values) == 3
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, "xl/worksheets/sheet1.xml", values)
    assert_readers_see(after, "Sheet1", "xl/worksheets/sheet1.xml", values)
    cells = cells_of(members(after)["xl/worksheets/sheet1.xml"])
    assert cells["A1"] == b'<c r="A1"><f t="array" ref="A1:A3">SUM(B1:C1*B2:C2)</f><v>1</v></c>'
    assert cells["A3"] == b'<c r="A3" t="str"><v>three</v></c>'
    with pytest.raises(CrmError, match=re.escape(f"Sheet1!B1: {NOT_FORMULA}")):
        pkg.set_cached_values("Sheet1", {"B1": 5})  # an input cell beside the array


def spilled_dynamic_array() -> bytes:
    """dynamic_array01.xlsx with its anchor spilling over A1:A3, the way Excel stores a
    spill: ``cm="1"`` (dynamic-array metadata) and ``<f t="array" ref="A1:A3">`` on the
    anchor, a plain ``<v>`` in the other cells."""
    parts = members(fixture("dynamic_array01.xlsx").read_bytes())
    xml = parts["xl/worksheets/sheet1.xml"]
    xml = xml.replace(b'<f t="array" ref="A1">', b'<f t="array" ref="A1:A3">')
    xml = xml.replace(b'<row r="2" spans="1:2">', b'<row r="2" spans="1:2"><c r="A2"><v>0</v></c>')
    xml = xml.replace(
        b"</row></sheetData>", b'</row><row r="3"><c r="A3"><v>0</v></c></row></sheetData>'
    )
    xml = xml.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:B3"/>')
    parts["xl/worksheets/sheet1.xml"] = xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_dynamic_array_anchor_keeps_its_metadata():
    path = fixture("dynamic_array01.xlsx")
    before = path.read_bytes()
    pkg = Package.open(path)
    assert pkg.set_cached_values("Sheet1", {"A1": 0.5}) == 1
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, "xl/worksheets/sheet1.xml", ["A1"])
    cell = cells_of(members(after)["xl/worksheets/sheet1.xml"])["A1"]
    assert (
        cell
        == b'<c r="A1" cm="1"><f t="array" ref="A1">AVERAGE(TIMEVALUE(B1:B2))</f><v>0.5</v></c>'
    )
    assert members(after)["xl/metadata.xml"] == members(before)["xl/metadata.xml"]


def test_dynamic_array_spill_range():
    before = spilled_dynamic_array()
    pkg = Package.from_bytes(before, "spill.xlsx")
    values = {"A1": "x", "A2": 2, "A3": ErrorValue("#DIV/0!")}
    assert pkg.cached_values("Sheet1") == {
        "A1": ("n", 0.0),
        "A2": ("n", 0.0),
        "A3": ("n", 0.0),
    }
    assert pkg.set_cached_values("Sheet1", values) == 3
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, "xl/worksheets/sheet1.xml", values)
    assert_readers_see(after, "Sheet1", "xl/worksheets/sheet1.xml", values)
    assert b'<c r="A1" t="str" cm="1">' in members(after)["xl/worksheets/sheet1.xml"]
    with pytest.raises(CrmError, match=re.escape(f"Sheet1!B2: {NOT_FORMULA}")):
        pkg.set_cached_values("Sheet1", {"B2": "not in the spill"})


def test_calc_chain_charts_comments_untouched():
    """45544.xlsx: seven sheets, charts, comments, printer settings and a calcChain."""
    path = fixture("45544.xlsx")
    before = path.read_bytes()
    pkg = Package.open(path)
    sheet = next(s for s in pkg.sheets() if pkg.cached_values(s.name))
    stored = pkg.cached_values(sheet.name)
    refs = sorted(stored)[:6]
    values = {}
    for i, ref in enumerate(refs):
        values[ref] = [123.25, "changed", True, ErrorValue("#N/A"), "", -7][i]
    assert pkg.set_cached_values(sheet.name, values) == len(values)
    assert pkg.parts_changed() == [sheet.part]
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, sheet.part, values)
    assert_readers_see(after, sheet.name, sheet.part, values)


def test_macro_workbook_keeps_vba():
    path = fixture("button07.xlsm")
    pkg = Package.open(path)
    sheet = pkg.sheets()[0]
    pkg.set_cells(sheet.name, {"D1": Formula("1+1"), "D2": Formula('"a"&"b"')})
    before = pkg.to_bytes()
    pkg = Package.from_bytes(before, "button07.xlsm")
    values = {"D1": 2, "D2": "ab"}
    assert pkg.set_cached_values(sheet.name, values) == 2
    after = pkg.to_bytes()
    assert_only_cells_changed(before, after, sheet.part, values)
    original = members(path.read_bytes())
    assert members(after)["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]
    assert members(after)["xl/drawings/vmlDrawing1.vml"] == original["xl/drawings/vmlDrawing1.vml"]
    assert_readers_see(after, sheet.name, sheet.part, values)


SAME_VALUE_BOOKS = [
    "formula_results01.xlsx",
    "shared_formulas.xlsx",
    "array_formula01.xlsx",
    "escapes01.xlsx",
    "FormulaEvalTestData_Copy.xlsx",
    "StructuredRefs-lots-with-lookups.xlsx",
    "45544.xlsx",
]


@pytest.mark.parametrize("name", SAME_VALUE_BOOKS)
def test_excel_values_written_back_change_nothing(name):
    """An up-to-date workbook is not rewritten: Excel's own cached values (17-digit
    numbers, xml:space text, "" results, errors) written back are recognised as equal."""
    pkg = Package.open(fixture(name))
    total = 0
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet":
            continue
        stored = pkg.cached_values(sheet.name)
        values = {
            ref: untyped(kind, value)
            for ref, (kind, value) in stored.items()
            if kind != "empty" and (kind != "e" or value in EXCEL_ERRORS)
        }
        total += len(values)
        assert pkg.set_cached_values(sheet.name, values) == 0, sheet.name
    assert total > 0
    assert pkg.parts_changed() == []


# --- what is refused ----------------------------------------------------------------------


def test_input_cells_are_refused_and_nothing_changes():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    for ref in ("A2", "Z99", "A1"):  # a number, a cell not in the file, a text header
        with pytest.raises(CrmError) as err:
            pkg.set_cached_values("Data", {"B2": 5, ref: 1, "C2": "x"})
        assert str(err.value) == f"Data!{ref}: {NOT_FORMULA}"
    assert pkg.parts_changed() == []
    assert pkg.part(PART) == members(BOOK)[PART]


def test_only_worksheets():
    pkg = Package.open(fixture("chartsheet01.xlsx"))
    chart = next(s for s in pkg.sheets() if s.kind == "chartsheet")
    with pytest.raises(CrmError, match="is a chartsheet, not a worksheet"):
        pkg.set_cached_values(chart.name, {"A1": 1})
    with pytest.raises(CrmError, match="no sheet 'Nope'"):
        pkg.cached_values("Nope")


# --- cached_values ------------------------------------------------------------------------


def test_cached_values_lists_formula_cells_only():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    everything = pkg.cached_values("Data")
    assert set(everything) == {
        *(f"{c}{r}" for c in "BCDEFG" for r in (2, 3, 4)),
        "H2",
        "H3",
        "H4",  # array cells present in the file
        "I2",
        "J2",
    }
    assert set(everything.values()) == {("empty", None)}  # openpyxl stores no results
    asked = pkg.cached_values("Data", ["$b$2", "A2", "I3", "Z9", "h4"])
    assert asked == {"$b$2": ("empty", None), "I3": ("empty", None), "h4": ("empty", None)}
    assert pkg.cached_values("Data", []) == {}
    assert Package.open(fixture("button07.xlsm")).cached_values("Sheet1") == {}


def test_shared_string_and_inline_results_are_read():
    """Writers other than Excel may store a formula's text result as a shared or inline
    string; cached_values reads them, set_cached_values replaces them by t="str"."""
    pkg = Package.open(fixture("shared_formulas.xlsx"))
    sheet = pkg.sheets()[0]
    xml = pkg.part(sheet.part)
    old_a2 = b'<c r="A2" t="str"><f t="shared" ref="A2:A41" si="0">B2</f><v>ProductionOrderConfirmation</v></c>'
    new_a2 = b'<c r="A2" t="s"><f t="shared" ref="A2:A41" si="0">B2</f><v>3</v></c>'
    old_a3 = b'<c r="A3" t="str"><f t="shared" si="0"/><v>RequiredAcceptanceDate</v></c>'
    new_a3 = b'<c r="A3" t="inlineStr"><f t="shared" si="0"/><is><r><t>in </t></r><r><t>line</t></r></is></c>'
    assert old_a2 in xml and old_a3 in xml
    pkg.set_part(sheet.part, xml.replace(old_a2, new_a2).replace(old_a3, new_a3))
    assert pkg.cached_values(sheet.name, ["A2", "A3"]) == {
        "A2": ("str", "ProductionOrderConfirmation"),
        "A3": ("str", "in line"),
    }
    assert pkg.set_cached_values(sheet.name, {"A2": "ProductionOrderConfirmation"}) == 1
    assert pkg.set_cached_values(sheet.name, {"A3": "in line"}) == 1
    xml = pkg.part(sheet.part)
    assert old_a2 in xml
    assert b'<c r="A3" t="str"><f t="shared" si="0"/><v>in line</v></c>' in xml


UNUSUAL = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<x:dimension ref="A1:C2"/><x:sheetData>'
    b'<!-- <x:c r="A1"><x:f>1</x:f></x:c> is only a comment -->'
    b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c><x:f>A1*2</x:f><x:v>2</x:v></x:c>'
    b'<x:c s="0" r="C1" cm="1" t="str"><x:f>"a"</x:f><x:v>a</x:v></x:c></x:row>\n'
    b'<x:row><x:c r="A2" t="str"><x:f>"q"</x:f><x:v>q</x:v></x:c>'
    b'<x:c r="B2" s="0" t="inlineStr"><x:f>"i"</x:f><x:is><x:t>i</x:t></x:is></x:c>'
    b"<x:c r='C2'\n t='b'>\n  <x:f>TRUE</x:f>\n  <x:v>1</x:v>\n</x:c></x:row>"
    b"</x:sheetData></x:worksheet>"
)


def test_unusual_markup_prefixes_missing_references_comments():
    """A prefixed namespace, a cell and a row without r=, attributes in another order,
    single quotes, white space between elements, a comment holding markup."""
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    pkg.set_part(PART, UNUSUAL)
    assert pkg.cached_values("Data") == {
        "B1": ("n", 2.0),
        "C1": ("str", "a"),
        "A2": ("str", "q"),
        "B2": ("str", "i"),
        "C2": ("b", True),
    }
    with pytest.raises(CrmError, match=re.escape(f"Data!A1: {NOT_FORMULA}")):
        pkg.set_cached_values("Data", {"A1": 5})
    values = {"B1": "two", "C1": 3, "A2": ErrorValue("#NUM!"), "B2": 4.5, "C2": False}
    assert pkg.set_cached_values("Data", values) == 5
    xml = pkg.part(PART)
    SafeET.fromstring(xml, forbid_dtd=True)
    assert b'<x:c t="str"><x:f>A1*2</x:f><x:v>two</x:v></x:c>' in xml
    assert b'<x:c s="0" r="C1" cm="1"><x:f>"a"</x:f><x:v>3</x:v></x:c>' in xml
    assert b'<x:c r="A2" t="e"><x:f>"q"</x:f><x:v>#NUM!</x:v></x:c>' in xml
    assert b'<x:c r="B2" s="0"><x:f>"i"</x:f><x:v>4.5</x:v></x:c>' in xml
    assert b"<x:c r='C2'\n t='b'>\n  <x:f>TRUE</x:f>\n  <x:v>0</x:v>\n</x:c>" in xml
    assert b'<!-- <x:c r="A1"><x:f>1</x:f></x:c> is only a comment -->' in xml
    assert pkg.cached_values("Data") == {k: typed(v) for k, v in values.items()}
    assert pkg.set_cached_values("Data", values) == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from([f"{c}{r}" for c in "BCDEFGH" for r in (2, 3, 4)] + ["I2", "I3"]),
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
            st.booleans(),
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
            st.sampled_from(EXCEL_ERRORS).map(ErrorValue),
        ),
        min_size=1,
    )
)
def test_round_trip(values):
    """cached_values after set_cached_values (and a save) returns exactly what was set."""
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    assert pkg.set_cached_values("Data", values) == len(values)
    again = Package.from_bytes(pkg.to_bytes())
    assert again.cached_values("Data", values) == {k: typed(v) for k, v in values.items()}
    assert again.set_cached_values("Data", values) == 0
    assert again.parts_changed() == []


def test_many_cells_in_one_pass():
    """5,000 rows of shared formulas and an array block: 20,000 results in one call."""
    rows = range(2, 5002)
    cells = []
    for r in rows:
        cells.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>')
        if r == 2:
            cells.append('<c r="B2"><f t="shared" ref="B2:C5001" si="0">A2*2</f><v>0</v></c>')
            cells.append('<c r="C2"><f t="shared" si="0"/><v>0</v></c>')
            cells.append('<c r="D2" s="1"><f t="array" ref="D2:E5001">A2:A5001</f><v>0</v></c>')
            cells.append('<c r="E2" s="1"/>')
        else:
            cells.append(f'<c r="B{r}"><f t="shared" si="0"/><v>0</v></c>')
            cells.append(f'<c r="C{r}"><f t="shared" si="0"/><v>0</v></c>')
            cells.append(f'<c r="D{r}" s="1"/><c r="E{r}" s="1"/>')
        cells.append("</row>")
    xml = (
        f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A2:E5001"/><sheetData>'
        + "".join(cells)
        + "</sheetData></worksheet>"
    ).encode()
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    pkg.set_part(PART, xml)
    values = {}
    for r in rows:
        values[f"B{r}"] = r * 2
        values[f"C{r}"] = r / 7
        values[f"D{r}"] = f"tier {r % 3}"
        values[f"E{r}"] = r % 2 == 0
    assert pkg.set_cached_values("Data", values) == len(values)
    assert pkg.cached_values("Data") == {k: typed(v) for k, v in values.items()}
    assert pkg.set_cached_values("Data", values) == 0
    got = calamine_values(pkg.to_bytes(), "Data", ["B5001", "C77", "D300", "E4000"])
    assert got == {"B5001": 10002.0, "C77": 11.0, "D300": "tier 0", "E4000": True}


# --- LibreOffice, without recalculation ---------------------------------------------------


_NEVER_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"""


def libreoffice_shows(data: bytes, sheet: str, refs) -> dict[str, object]:
    """What LibreOffice shows in ``refs`` when it opens the workbook without recalculating
    (its "never recalculate" setting, in a throw-away profile): the file is converted to
    .xlsx by LibreOffice, which stores what it shows, and read back with libreoffice.read_values."""
    from tests.helpers import libreoffice as lo

    soffice = lo.require_libreoffice()
    work = Path(tempfile.mkdtemp(prefix="crm-xl-cached-"))
    try:
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(_NEVER_RECALC)
        (work / "book.xlsx").write_bytes(data)
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(work / "out"),
            str(work / "book.xlsx"),
        ]
        done = lo.run(cmd, lo.DEFAULT_TIMEOUT, "LibreOffice")
        out = work / "out" / "book.xlsx"
        assert out.is_file(), done.stderr
        return lo.read_values(out, sheet, list(refs))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_libreoffice_shows_the_stored_values():
    pkg = Package.open(fixture("formula_results01.xlsx"))
    stale = {  # results a recalculation would not give: LibreOffice shows the stored ones
        "A1": 71.25,  # =1+1
        "A2": "Tier A",  # ="Foo"
        "A7": " 中文 <&> ",  # =#NAME?  (leading/trailing spaces kept by xml:space)
        "A8": -3,  # =#NULL!
    }
    consistent = {  # LibreOffice 7.4 recomputes these kinds: stored = computed here
        "A3": True,  # =IF(B3,FALSE,TRUE)
        "A4": False,  # =IF(B4,TRUE,FALSE)
        "A6": ErrorValue("#N/A"),  # =#N/A
        "A12": ErrorValue("#DIV/0!"),  # =1/0
    }
    pkg.set_cached_values("Sheet1", {**stale, **consistent})
    shown = libreoffice_shows(pkg.to_bytes(), "Sheet1", [*stale, *consistent])
    expected = {k: float(v) if isinstance(v, (int, float)) else v for k, v in stale.items()}
    expected |= {k: v.code if isinstance(v, ErrorValue) else v for k, v in consistent.items()}
    assert shown == expected

    shared = Package.open(fixture("shared_formulas.xlsx"))
    sheet = shared.sheets()[0].name
    shared.set_cached_values(sheet, {"A3": "stale text", "A5": "another"})
    shown = libreoffice_shows(shared.to_bytes(), sheet, ["A3", "A5"])
    assert shown == {"A3": "stale text", "A5": "another"}


# --- cells the file lacks -----------------------------------------------------------------


EDGES = (
    f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:C3"/><sheetData>'
    '<row r="1" spans="1:3"><c r="A1"><f t="array" ref="A1:D5">X()</f><v>1</v></c>'
    '<c r="C1"><v>3</v></c></row>'
    '<row r="2" spans="1:1"/>'
    '<row r="4" spans="2:3"><c r="B4"><v>0</v></c>'
    '<c r="C4" s="2"><f>Y()</f><extLst><ext uri="{X}"/></extLst></c></row>'
    "</sheetData></worksheet>"
).encode()


def test_cells_created_in_rows_and_columns_order():
    """Array cells the file lacks go between existing cells, into a self-closing row, into
    a new row between rows and after the last; spans and dimension grow; <v> goes after
    <f> and before <extLst>."""
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    pkg.set_part(PART, EDGES)
    for ref in ("E1", "A6"):  # just outside the array's range
        with pytest.raises(CrmError, match=re.escape(f"Data!{ref}: {NOT_FORMULA}")):
            pkg.set_cached_values("Data", {"B1": 2, ref: 1})
    assert pkg.parts_changed() == [PART] and pkg.part(PART) == EDGES  # set_part, no more
    values = {"B1": 2, "D1": 4, "A2": "a2", "C3": True, "A4": 4.5, "D5": ErrorValue("#N/A")}
    values["C4"] = "y"
    assert pkg.set_cached_values("Data", values) == 7
    xml = pkg.part(PART)
    SafeET.fromstring(xml, forbid_dtd=True)
    assert (
        xml
        == (
            f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:D5"/><sheetData>'
            '<row r="1" spans="1:4"><c r="A1"><f t="array" ref="A1:D5">X()</f><v>1</v></c>'
            '<c r="B1"><v>2</v></c><c r="C1"><v>3</v></c><c r="D1"><v>4</v></c></row>'
            '<row r="2" spans="1:1"><c r="A2" t="str"><v>a2</v></c></row>'
            '<row r="3"><c r="C3" t="b"><v>1</v></c></row>'
            '<row r="4" spans="1:3"><c r="A4"><v>4.5</v></c><c r="B4"><v>0</v></c>'
            '<c r="C4" s="2" t="str"><f>Y()</f><v>y</v><extLst><ext uri="{X}"/></extLst></c></row>'
            '<row r="5"><c r="D5" t="e"><v>#N/A</v></c></row>'
            "</sheetData></worksheet>"
        ).encode()
    )
    assert pkg.cached_values("Data", values) == {k: typed(v) for k, v in values.items()}


def test_array_wider_than_64_columns():
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    ws["A1"] = 1
    ws["B2"] = ArrayFormula("B2:CZ2", "=A1:CY1")
    ws["CZ2"].number_format = "0.0"
    ws["B3"] = "=A1"
    buffer = io.BytesIO()
    book.save(buffer)
    pkg = Package.from_bytes(buffer.getvalue(), "wide.xlsx")
    values = {"B2": 1, "C2": 2, "CZ2": "last", "B3": 3}
    assert pkg.set_cached_values("Data", values) == 4
    assert pkg.cached_values("Data", values) == {k: typed(v) for k, v in values.items()}
    with pytest.raises(CrmError, match=NOT_FORMULA):
        pkg.set_cached_values("Data", {"A1": 1})


@pytest.mark.parametrize("name", FORMULA_BOOKS)
def test_formula_cells_are_the_cells_cached_values_lists(name):
    """formula_cells (one regex pass) finds what cached_values (the full scan) finds, plus
    the cells of array ranges the file lacks."""
    from crm_xl.xlsx.coordinates import col_letters

    pkg = Package.open(fixture(name))
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet":
            continue
        areas = {
            f"{col_letters(c)}{r}"
            for r1, c1, r2, c2 in pkg.array_areas(sheet.name)
            for c in range(c1, c2 + 1)
            for r in range(r1, r2 + 1)
        }
        assert pkg.formula_cells(sheet.name) == set(pkg.cached_values(sheet.name)) | areas


# --- every cell's stored value (Package.values) ------------------------------------------


@pytest.mark.excel_made
@pytest.mark.parametrize("path", FIXTURES_ALL)
def test_values_of_every_cell_agree_with_calamine(path):
    """What Package.values reads of every cell is what python-calamine (a reader of its own,
    in Rust) reads: numbers, text, booleans; calamine shows dates as dates and errors as
    blanks, so those cells are compared by kind only."""
    import datetime as dt

    pkg = Package.open(path)
    for info in pkg.sheets():
        if info.kind != "worksheet":
            continue
        stored = pkg.values(info.name)
        rows = grid(path, info.name)
        for r, row in enumerate(rows, 1):
            for c, shown in enumerate(row, 1):
                kind, value = stored.get(cell_name(r, c), ("empty", None))
                where = f"{path.name} {info.name}!{cell_name(r, c)}"
                if isinstance(shown, (dt.date, dt.time, dt.timedelta)):
                    assert kind == "n", where  # a date-formatted number
                elif shown == "":
                    assert kind in ("empty", "e") or value == "", where
                elif isinstance(shown, bool):
                    assert (kind, value) == ("b", shown), where
                elif isinstance(shown, (int, float)):
                    assert kind == "n" and value == pytest.approx(shown, rel=1e-15), where
                else:
                    assert (kind, value) == ("str", shown), where
        cells = {
            f"{cell_name(r, c)}" for r, row in enumerate(rows, 1) for c in range(1, len(row) + 1)
        }
        held = {cell for cell, (kind, _) in stored.items() if kind != "empty"}
        assert held <= cells, f"{path.name} {info.name}: values outside calamine's grid"
