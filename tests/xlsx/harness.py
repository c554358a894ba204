"""The one harness of the xlsx tests: the Excel-made fixtures, the parts of a saved package,
and checks that compare what crm_xl wrote with what Excel (or openpyxl) made.

Fixtures are read in place from the shared folder (:mod:`tests.helpers.excel_made`); a
test that edits one compares the result part by part with the original, and reads it back
with python-calamine, openpyxl and, where it says so, LibreOffice."""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
from defusedxml import ElementTree as SafeET
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineWorkbook

from crm_xl.xlsx import ErrorValue, Package
from tests.helpers.excel_made import excel_made, excel_made_files, excel_made_params

FIXTURES = excel_made_params("*.xls[xm]")  # parametrize values, ids the file names
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NOT_FORMULA = "not a formula cell: recalc never overwrites input cells"
CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.S)
FORMULA = re.compile(rb"<f[\s/>][^>]*?(?:(?<=/)>|>.*?</f>)|<f/>|<f>.*?</f>", re.S)


def fixture(name: str) -> Path:
    """One Excel-made workbook (the test is skipped when they are absent, see excel_made)."""
    return excel_made(name)


def members(source: Path | bytes) -> dict[str, bytes]:
    """Decompressed bytes of every zip member, in archive order (a file, or one in memory)."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def first_worksheet(pkg: Package):
    return next(s for s in pkg.sheets() if s.kind == "worksheet")


def grid(path: Path, sheet: str) -> list[list[object]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def openpyxl_grid(book, sheet: str) -> list[list[object]]:
    """Cell values as openpyxl reads them; array/data-table formulas reduced to their text."""

    def norm(value):
        return (type(value).__name__, value.text) if hasattr(value, "text") else value

    rows = [[norm(c.value) for c in row] for row in book[sheet].iter_rows()]
    # openpyxl makes cells for comments: trim the empty edges those leave
    rows = [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in rows
    ]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def load_openpyxl(path: Path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it drops
        book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm", **kwargs)
    if getattr(book, "vba_archive", None) is not None:
        book.vba_archive.close()  # else it is closed during garbage collection, noisily
    return book


def sheet_xml(path: Path, part: str):
    return SafeET.fromstring(members(path)[part], forbid_dtd=True)


def cell_node(path: Path, part: str, ref: str):
    return next(c for c in sheet_xml(path, part).iter(f"{MAIN}c") if c.get("r") == ref)


def check_consistent(path: Path) -> None:
    """Every relationship target exists, every part has a content type, every r:id resolves."""
    parts = members(path)
    types = SafeET.fromstring(parts["[Content_Types].xml"], forbid_dtd=True)
    overrides = {o.get("PartName").lstrip("/").lower() for o in types.iter(f"{CT}Override")}
    defaults = {d.get("Extension").lower() for d in types.iter(f"{CT}Default")}
    lower = {n.lower() for n in parts}
    assert overrides <= lower, f"Override for a missing part: {overrides - lower}"
    for name in parts:
        if name.endswith("/"):
            continue
        extension = name.rsplit("/", 1)[-1].rpartition(".")[2].lower()
        assert name.lower() in overrides or extension in defaults, f"{name} has no content type"
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = PurePosixPath(name).parent.parent
        source = str(folder / PurePosixPath(name).name[: -len(".rels")])
        ids = set()
        for rel in SafeET.fromstring(data, forbid_dtd=True).iter(f"{PKG_REL}Relationship"):
            ids.add(rel.get("Id"))
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = os.path.normpath(str(folder / target)).replace(os.sep, "/")
            assert resolved.lower() in lower, f"{name}: {target} is missing"
        if source.lower() in lower and source.endswith(".xml"):
            root = SafeET.fromstring(parts[source], forbid_dtd=True)
            for node in root.iter():
                for key, value in node.attrib.items():
                    if key.startswith(REL):
                        assert value in ids, f"{source}: {key}={value} has no relationship"


def insertion(old: bytes, new: bytes) -> bytes:
    """The one contiguous run of bytes ``new`` adds to ``old`` (fails if it is not that)."""
    start = 0
    while start < len(old) and old[start] == new[start]:
        start += 1
    end = 0
    while end < len(old) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    added = new[start : len(new) - end]
    assert old[:start] + added + old[len(old) - end :] == new
    assert len(new) - len(old) == len(added), "bytes were changed, not only inserted"
    return added


def cells_of(xml: bytes) -> dict[str, bytes]:
    """Every <c> element of a worksheet part (unprefixed, with r=), by reference."""
    return {m.group(1).decode(): m.group(0) for m in CELL.finditer(xml)}


def masked(xml: bytes, refs) -> bytes:
    """The part with the targeted cells blanked out: what must not change."""
    refs = set(refs)
    return CELL.sub(lambda m: b"<c/>" if m.group(1).decode() in refs else m.group(0), xml)


def start_attrs(cell: bytes) -> dict[str, str]:
    tag = cell[: cell.index(b">") + 1]
    return {k.decode(): v.decode() for k, v in re.findall(rb'\s([\w:]+)="([^"]*)"', tag)}


def formula_of(cell: bytes) -> bytes | None:
    m = FORMULA.search(cell)
    return m.group(0) if m else None


def assert_only_cells_changed(before: bytes, after: bytes, part: str, targets) -> None:
    """Every part but ``part`` byte-identical; in ``part`` only the targeted <c> differ, and
    in those only t= and <v>: other attributes, <f> and element order are kept."""
    old, new = members(before), members(after)
    assert list(old) == list(new)
    for name in old:
        if name != part:
            assert old[name] == new[name], f"{name} changed"
    assert masked(old[part], targets) == masked(new[part], targets)
    old_cells, new_cells = cells_of(old[part]), cells_of(new[part])
    for ref in targets:
        o, n = old_cells[ref], new_cells[ref]
        keep = {k: v for k, v in start_attrs(o).items() if k != "t"}
        assert {k: v for k, v in start_attrs(n).items() if k != "t"} == keep, ref
        assert formula_of(n) == formula_of(o), ref
        assert b"<is>" not in n, ref
        if formula_of(n) is not None:
            assert n.index(b"<f") < n.index(b"<v"), ref
    SafeET.fromstring(new[part], forbid_dtd=True)


def sheet_types(xml: bytes, refs) -> dict[str, str]:
    """The t= of each cell ("n" when absent), read with an XML parser."""
    root = SafeET.fromstring(xml, forbid_dtd=True)
    found = {c.get("r"): c.get("t", "n") for c in root.iter(f"{{{MAIN_NS}}}c")}
    return {ref: found.get(ref) for ref in refs}


def calamine_values(data: bytes, sheet: str, refs) -> dict[str, object]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()
    result = {}
    for ref in refs:
        col = openpyxl.utils.column_index_from_string(re.match(r"[A-Z]+", ref).group(0)) - 1
        row = int(re.search(r"\d+", ref).group(0)) - 1
        result[ref] = grid[row][col] if row < len(grid) and col < len(grid[row]) else None
    return result


def openpyxl_cells(data: bytes, sheet: str, refs) -> dict[str, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return {ref: book[sheet][ref].value for ref in refs}


def assert_readers_see(data: bytes, sheet: str, part: str, values: dict) -> None:
    """python-calamine and openpyxl data_only read each value back with its type."""
    cal = calamine_values(data, sheet, values)
    opx = openpyxl_cells(data, sheet, values)
    types = sheet_types(members(data)[part], values)
    for ref, value in values.items():
        where = f"{sheet}!{ref} = {value!r}"
        if isinstance(value, ErrorValue):
            assert types[ref] == "e", where
            assert opx[ref] == value.code, where
            assert cal[ref] in ("", value.code), where  # calamine 0.9 gives "" for errors
        elif isinstance(value, bool):
            assert types[ref] == "b", where
            assert cal[ref] is value and opx[ref] is value, where
        elif isinstance(value, str):
            assert types[ref] == "str", where
            assert cal[ref] == value, where
            assert opx[ref] == (value or None), where  # openpyxl reads "" as None
        else:
            assert types[ref] == "n", where
            assert float(cal[ref]) == float(value) and float(opx[ref]) == float(value), where


def typed(value) -> tuple[str, object]:
    """What cached_values reports for a value that set_cached_values wrote."""
    if isinstance(value, ErrorValue):
        return ("e", value.code)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, str):
        return ("str", value)
    return ("n", float(value))


def untyped(kind: str, value):
    """The value for set_cached_values that gives (kind, value)."""
    return ErrorValue(value) if kind == "e" else value


def openpyxl_book() -> bytes:
    """Formulas without cached values (openpyxl writes <f> and an empty <v/>)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    ws.append(["n", "double", "size", "big?", "na", "empty", "text"])
    for r in (2, 3, 4):
        ws[f"A{r}"] = r - 1
        ws[f"B{r}"] = f"=A{r}*2"
        ws[f"C{r}"] = f'=IF(A{r}>1,"big","small")'
        ws[f"D{r}"] = f"=A{r}>1"
        ws[f"E{r}"] = "=NA()"
        ws[f"F{r}"] = '=""'
        ws[f"G{r}"] = f'=A{r}&"<&>"'
    ws["H2"] = ArrayFormula("H2:H4", "=A2:A4*10")
    for ref in ("H3", "H4"):  # styled, so openpyxl writes them as <c r=".." s=".."/>
        ws[ref].number_format = "0.0"
    ws["I2"] = ArrayFormula("I2:I3", "=A2:A3+1")  # I3 is not in the file at all
    ws["J2"] = ArrayFormula("J2:J6", "=A2:A6")  # rows 5 and 6 are not in the file
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOOK = openpyxl_book()


PART = "xl/worksheets/sheet1.xml"


# the fixtures with formulas, by name (parametrize values; one skipped value when absent)
FORMULA_BOOKS = [
    pytest.param(p.name, id=p.name)
    for p in excel_made_files()
    if any(b"<f" in d for n, d in members(p.read_bytes()).items() if "worksheets/" in n)
] or excel_made_params()
