"""Reading a workbook package into the engine's cell model (:mod:`crm_xl.calc.model`).

Every worksheet is read: each cell's value with its type (numbers, shared and inline
strings with rich text joined, booleans, errors), each formula (normal, shared — expanded,
legacy array with its range, dynamic array) with its cached value, the styles (so the
evaluator knows date-formatted cells), hidden rows, tables and defined names. Parts are
checked with the rules of defusedxml (no DTD, no entities) by expat, then scanned with
regular expressions: a big sheet's common rows by :mod:`crm_xl.calc.row_shapes`, the rest
cell by cell here (:func:`_read_cells`, the general path), each cell decoded by
:mod:`crm_xl.calc.cell_xml`.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from defusedxml.common import DefusedXmlException

from crm_xl.calc.cell_xml import add_formula, cell_value, formula_cache, parse_attrs, xml_text
from crm_xl.calc.model import CellModel, FormulaInfo, SheetData
from crm_xl.calc.row_shapes import read_shaped_rows
from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import MAX_COL, MAX_ROW, cell_name, col_number, parse_cell, parse_range
from crm_xl.xlsx.values import read_shared_strings, rich_text
from crm_xl.xlsx.xml_checks import check_utf8, check_xml, has_forbidden_chars, xml_problem

Model = TypeVar("Model", bound=CellModel)


def _check_xml(data: bytes, part: str, source: str) -> None:
    """Prove a part well-formed with defusedxml's rules (no DTD, hence no entities): the
    package's own check (:func:`crm_xl.xlsx.xml_checks.check_xml`, expat without a tree), its
    failure as a :class:`CrmError` naming the part."""
    try:
        check_xml(data, namespaces=False)
    except (ParseError, DefusedXmlException) as err:
        raise CrmError(f"part {part} is not usable XML: {xml_problem(err)}", source) from None


class _Patterns:
    """Regular expressions for one namespace prefix (``x:`` in some generators' files)."""

    def __init__(self, p: str):
        # one match per row or cell; common cells (r, s, t in Excel's order, a plain <v>)
        # are taken apart by the expression itself
        self.cells = re.compile(
            rf"<{p}(row)\b([^>]*)>"
            rf'|<{p}c r="([A-Z]{{1,3}})([0-9]{{1,7}})"(?: s="([0-9]+)")?(?: t="(\w+)")?\s*'
            rf"(?:/>"
            rf"|><{p}v>([^<]*)</{p}v></{p}c>"
            rf"|><{p}is><{p}t>([^<]*)</{p}t></{p}is></{p}c>"
            rf"|><{p}f>([^<]+)</{p}f>(?:<{p}v>([^<]*)</{p}v>|<{p}v\s*/>)?</{p}c>"
            rf"|>(.*?)</{p}c>)"
            rf"|<{p}(c)\b([^>]*?)(?:/>|>(.*?)</{p}c>)",
            re.S,
        )
        self.f = re.compile(rf"<{p}f\b([^>]*?)(?:/>|>(.*?)</{p}f>)", re.S)
        self.v = re.compile(rf"<{p}v\b[^>]*?(?:/>|>(.*?)</{p}v>)", re.S)
        self.is_ = re.compile(rf"<{p}is\b[^>]*?(?:/>|>(.*?)</{p}is>)", re.S)
        self.prefix = p


_ROW_ATTRS = re.compile(r'^\s+r="([0-9]+)"')
_PATTERNS: dict[str, _Patterns] = {}


def _patterns(data: str, tag: str) -> _Patterns:
    m = re.search(rf"<(?:([A-Za-z_][\w.-]*):)?{tag}\b", data)
    p = (m.group(1) + ":") if m and m.group(1) else ""
    if p not in _PATTERNS:
        _PATTERNS[p] = _Patterns(p)
    return _PATTERNS[p]


BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))
"""Built-in number formats that show dates or times (27-36 and 50-58: East Asian dates)."""


def _date_styles(data: bytes, part: str, source: str) -> set[int]:
    from defusedxml import ElementTree as SafeET

    _check_xml(data, part, source)
    root = SafeET.fromstring(data, forbid_dtd=True)
    ns = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else ""
    q = (lambda t: f"{{{ns}}}{t}") if ns else (lambda t: t)
    custom = {}
    fmts = root.find(q("numFmts"))
    for nf in fmts.findall(q("numFmt")) if fmts is not None else ():
        try:
            custom[int(nf.get("numFmtId", "-1"))] = nf.get("formatCode", "")
        except ValueError:
            continue
    out = set()
    xfs = root.find(q("cellXfs"))
    for i, xf in enumerate(xfs.findall(q("xf")) if xfs is not None else ()):
        try:
            fid = int(xf.get("numFmtId", "0"))
        except ValueError:
            continue
        code = custom.get(fid)
        if code is None:
            if fid in BUILTIN_DATE_FORMATS:
                out.add(i)
            continue
        # openpyxl decides what a custom format shows; loaded only for those (0.2 s)
        from openpyxl.styles.numbers import is_date_format

        if is_date_format(code):
            out.add(i)
    return out


def _scan(
    regex: re.Pattern[str], body: str, start: int, n: int, row_end: str, chunk: int = 1 << 20
) -> Any:
    """``regex.findall(body, start, n)`` a row-aligned megabyte at a time: the same matches,
    without holding a tuple per cell of a 100,000-row sheet at once (peak memory halves)."""
    while start < n:
        end = body.find(row_end, start + chunk, n) if start + chunk < n else -1
        end = n if end < 0 else end + len(row_end)
        yield from regex.findall(body, start, end)
        start = end


def _read_sheet(
    wb: CellModel, sheet: SheetData, data: bytes, part: str, sst: list[str], pkg: Any = None
) -> None:
    """Read one worksheet part into ``sheet``, proving it well-formed XML without DTDs.

    A small part is checked by expat first (by ``pkg``, which remembers it, when given). A
    big one is proved by the row-shape reader as it reads (:mod:`crm_xl.calc.row_shapes`):
    only what that reader leaves is parsed by expat, and the whole part only when the
    proof has a doubt (the part may still be fine: expat then decides).
    """

    def full_check() -> None:
        pkg.check_part(part)  # the package remembers it: writing results back does not check again

    big = len(data) >= SHAPES_MIN_CHARS
    if not big:
        full_check()
    else:
        check_utf8(data, part, wb.source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        full_check()  # expat says where
        raise
    pat = _patterns(text, "worksheet")
    p = pat.prefix
    start = text.find(f"<{p}sheetData")
    if start < 0:
        if big:
            full_check()
        return
    end = text.find(f"</{p}sheetData>", start)
    end = end if end >= 0 else len(text)
    _read_auto_filter(sheet, text, end, p)
    body = text  # scanned between start and end, not sliced: no second copy of the sheet
    if text.find("!", start, end) >= 0 and (  # "!" is rare and found at memchr speed
        text.find("<![CDATA[", start, end) >= 0 or text.find("<!--", start, end) >= 0
    ):
        if big:
            full_check()
            big = False
        body = _normalised_sheet_data(data)
        pat = _patterns(body, "sheetData")
        start, end = 0, len(body)
    shared: dict[str, tuple[str, str]] = {}
    dependents: list[tuple[FormulaInfo, str]] = []
    if big:
        _check_row_order(wb, sheet, text, start, end, pat.prefix)
        # a big table: its rows of the commonest shapes are read in bulk, column by column;
        # what is left (other rows) is read cell by cell below
        body, doubt = read_shaped_rows(
            wb, sheet, text, start, end, pat.prefix, sst, shared, dependents
        )
        del text  # the rows read are in the model now; the rest is all that is left to read
        if doubt is None and has_forbidden_chars(data):
            doubt = "a character XML does not allow"
        if doubt is None:
            try:
                check_xml(body.encode())
            except (ParseError, DefusedXmlException):
                doubt = "the rest of the part"
        if doubt is None:
            pkg.mark_proved(part, data)
        else:
            full_check()  # raises when the part is not usable XML
        # the general reader reads what is left (it passes over the markers)
        start = body.find(f"<{p}sheetData")
        end = body.find(f"</{p}sheetData>", start)
        end = end if end >= 0 else len(body)
    _read_cells(wb, sheet, body, start, end, pat, sst, shared, dependents)
    for info, si in dependents:
        master = shared.get(si)
        if master is None:
            raise CrmError(
                f"{sheet.name}: cells share formula {si or '(no si)'}, but no cell holds its "
                "text (the shared formula's master is missing); the file is damaged (open "
                "it in Excel, which offers to repair it, and save it again)",
                wb.source,
            )
        info.master = master


def _read_auto_filter(sheet: SheetData, text: str, pos: int, prefix: str) -> None:
    """The sheet's AutoFilter range (``<autoFilter ref="A1:D51">`` after the cells)."""
    m = re.compile(rf'<{prefix}autoFilter\b[^>]*?\bref="([^"]+)"').search(text, pos)
    if m:
        box = parse_range(m.group(1))
        if box is not None:
            sheet.filters.append(box)


SHAPES_MIN_CHARS = 256 * 1024
"""A worksheet part of at least this many bytes (about 5,000 cells) is read by row shapes
(:mod:`crm_xl.calc.row_shapes`); a smaller one cell by cell. Tests set it to 0 to compare both."""


def _read_cells(
    wb: CellModel,
    sheet: SheetData,
    body: str,
    start: int,
    end: int,
    pat: _Patterns,
    sst: list[str],
    shared: dict[str, tuple[str, str]],
    dependents: list[tuple[FormulaInfo, str]],
) -> None:
    """Every row and cell of ``body[start:end]``, one by one."""
    p = pat.prefix
    cells, styles, dates = sheet.cells, sheet.styles, wb.date_styles
    date1904 = wb.date1904
    formulas = sheet.formulas
    colmap: dict[str, int] = {}  # column letters met in this sheet, as numbers
    row = col = max_row = max_col = last_row = last_col = 0
    last_digits = ""
    for (
        rowtag,
        row_attrs,
        letters,
        digits,
        s,
        t,
        v,
        inline,
        ftext,
        fv,
        content,
        _ctag,
        attrs,
        content2,
    ) in _scan(pat.cells, body, start, end, f"</{p}row>"):
        if letters:
            col = colmap.get(letters) or colmap.setdefault(letters, col_number(letters))
            if digits != last_digits:
                row = int(digits)
                last_digits = digits
            cm = None
        elif rowtag:
            m = _ROW_ATTRS.match(row_attrs)
            row = int(m.group(1)) if m else row + 1
            col = 0
            if "hidden" in row_attrs and parse_attrs(row_attrs).get("hidden") in ("1", "true"):
                sheet.hidden_rows.add(row)
            continue
        else:
            a = parse_attrs(attrs) if attrs else {}
            ref = a.get("r")
            if ref:
                try:
                    row, col = parse_cell(ref)
                except ValueError:
                    raise CrmError(
                        f"{sheet.name}: a cell's address {ref!r} is not a cell address; the file "
                        "is damaged (open it in Excel, which offers to repair it, and save it again)",
                        wb.source,
                    ) from None
            else:
                col += 1
            s, t, cm = a.get("s", ""), a.get("t", ""), a.get("cm")
            content = content2
            last_digits = ""
        if not (0 < row <= MAX_ROW and 0 < col <= MAX_COL):
            raise CrmError(
                f"{sheet.name}: a cell at row {row}, column {col} is outside Excel's grid "
                "(A1:XFD1048576); the file is damaged (open it in Excel, which offers to repair "
                "it, and save it again)",
                wb.source,
            )
        key = (row, col)
        if (row < last_row or (row == last_row and col <= last_col)) and (  # out of order: rare
            key in cells or key in formulas
        ):
            raise _duplicate(wb, sheet, row, col)
        last_row, last_col = row, col
        if s and s != "0" and int(s) in dates:
            styles[key] = int(s)
        if ftext:  # <f>text</f><v>value</v>: an ordinary formula
            value, vtype = cell_value(t or None, fv, None, sst, date1904) if fv else (None, "empty")
            value, vtype = formula_cache(t, value, vtype)
            formulas[key] = FormulaInfo(xml_text(ftext), "normal", None, value, vtype)
        elif v:
            if not t or t == "n":
                cells[key] = float(v)
            else:
                value = cell_value(t, v, None, sst, date1904)[0]
                if value is None:
                    continue
                cells[key] = value
        elif inline:
            cells[key] = xml_text(inline)
        elif content:
            fmatch = pat.f.search(content)
            vmatch = pat.v.search(content)
            inl = None
            if t == "inlineStr":
                im = pat.is_.search(content)
                inl = rich_text(im.group(1) or "", pat.prefix) if im else ""
            value, vtype = cell_value(
                t or None, vmatch.group(1) if vmatch else None, inl, sst, date1904
            )
            if fmatch is None:
                if value is None:
                    continue
                cells[key] = value
            else:
                fa = parse_attrs(fmatch.group(1)) if fmatch.group(1) else {}
                ftext = xml_text(fmatch.group(2) or "")
                value, vtype = formula_cache(t, value, vtype)
                add_formula(wb, sheet, row, col, fa, ftext, cm, value, vtype, shared, dependents)
        else:
            continue
        if row > max_row:
            max_row = row
        if col > max_col:
            max_col = col
    sheet.max_row = max(sheet.max_row, max_row)
    sheet.max_col = max(sheet.max_col, max_col)


def _duplicate(wb: CellModel, sheet: SheetData, row: int, col: int) -> CrmError:
    return CrmError(
        f"{sheet.name}!{cell_name(row, col)}: the sheet holds this cell twice; the file is "
        "damaged (open it in Excel, which offers to repair it, and save it again)",
        wb.source,
    )


def _check_row_order(
    wb: CellModel, sheet: SheetData, body: str, start: int, end: int, p: str
) -> None:
    """Refuse a sheet whose ``<row r=>`` numbers do not increase (a row given twice would
    be read twice, the second overwriting the first): the row-shape reader reads rows in
    bulk, so it cannot compare each with the one before (:func:`_read_cells` does)."""
    import numpy as np

    numbers = re.compile(f'<{p}row r="([0-9]+)"').findall(body, start, end)
    if len(numbers) > 1:
        rows = np.array(numbers, dtype=np.float64)  # float: a 30-digit number does not overflow
        bad = np.flatnonzero(np.diff(rows) <= 0)
        if bad.size:
            raise CrmError(
                f"{sheet.name}: row {numbers[bad[0] + 1]} comes after row {numbers[bad[0]]}: "
                "rows must be in order, each once; the file is damaged (open it in Excel, "
                "which offers to repair it, and save it again)",
                wb.source,
            )


def _normalised_sheet_data(data: bytes) -> str:
    """sheetData rewritten without comments or CDATA (rare), for the scanner."""
    from xml.sax.saxutils import escape, quoteattr

    from defusedxml import ElementTree as SafeET

    root = SafeET.fromstring(data, forbid_dtd=True)
    out: list[str] = []

    def emit(el: Any) -> None:
        tag = el.tag.rsplit("}", 1)[-1]
        attrs = "".join(f" {k.rsplit('}', 1)[-1]}={quoteattr(v)}" for k, v in el.attrib.items())
        out.append(f"<{tag}{attrs}>")
        if el.text:
            out.append(escape(el.text))
        for child in el:
            emit(child)
        out.append(f"</{tag}>")

    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "sheetData":
            emit(el)
            break
    return "".join(out)


def _rels_targets(pkg: Any, source_part: str) -> dict[str, str]:
    """Relationship type suffix → target part, for one part's relationships."""
    return dict(_rels_list(pkg, source_part))


def _parse_part(pkg: Any, part: str) -> Any:
    """The element tree of ``part``, parsed with defusedxml's rules (no DTD, no entities);
    a part that breaks them or is not XML is a :class:`CrmError` naming it."""
    from defusedxml import ElementTree as SafeET

    try:
        return SafeET.fromstring(pkg.part(part), forbid_dtd=True)
    except (ParseError, DefusedXmlException) as err:
        raise CrmError(f"part {part} is not usable XML: {xml_problem(err)}", pkg.source) from None


def _rels_list(pkg: Any, source_part: str) -> list[tuple[str, str]]:
    """(relationship type suffix, target part) for one part's internal relationships."""
    folder, _, name = source_part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if not pkg.has_part(rels):
        return []
    root = _parse_part(pkg, rels)
    out = []
    for rel in root:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            parts = (folder.split("/") if folder else []) + target.split("/")
            stack: list[str] = []
            for part in parts:
                if part == "..":
                    if stack:
                        stack.pop()
                elif part and part != ".":
                    stack.append(part)
            path = "/".join(stack)
        out.append((rel.get("Type", "").rsplit("/", 1)[-1], path))
    return out


def _read_tables(wb: CellModel, pkg: Any, sheet: SheetData, part: str) -> None:
    for kind, target in _rels_list(pkg, part):
        if kind != "table" or not pkg.has_part(target):
            continue
        root = _parse_part(pkg, target)
        ns = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else ""
        q = (lambda t, ns=ns: f"{{{ns}}}{t}") if ns else (lambda t: t)
        cols = root.find(q("tableColumns"))
        columns = (
            [c.get("name", "") for c in cols.findall(q("tableColumn"))] if cols is not None else []
        )
        auto = root.find(q("autoFilter"))
        if auto is not None:  # a table's filter hides rows as the sheet's does
            box = parse_range(auto.get("ref", ""))
            if box is not None:
                sheet.filters.append(box)
        try:
            wb.add_table(
                sheet,
                root.get("displayName") or root.get("name") or "",
                root.get("ref", ""),
                [xml_text(c) for c in columns],
                int(root.get("headerRowCount", "1")),
                int(root.get("totalsRowCount", "0")),
            )
        except ValueError:
            continue


def read_package(wb: Model, pkg: Any) -> Model:
    """Read every worksheet, table and defined name of ``pkg`` (a :class:`crm_xl.xlsx.package.Package`) into ``wb``."""
    infos = pkg.sheets()
    workbook_part = pkg.workbook_part
    root = _parse_part(pkg, workbook_part)
    for el in root.iter():
        if el.tag.endswith("}workbookPr") or el.tag == "workbookPr":
            wb.date1904 = (el.get("date1904") or "").lower() in ("1", "true")
    targets = _rels_targets(pkg, workbook_part)
    sst: list[str] = []
    if "sharedStrings" in targets and pkg.has_part(targets["sharedStrings"]):
        data = pkg.part(targets["sharedStrings"])
        _check_xml(data, targets["sharedStrings"], wb.source)
        sst = read_shared_strings(data)
    if "styles" in targets and pkg.has_part(targets["styles"]):
        wb.date_styles = _date_styles(pkg.part(targets["styles"]), targets["styles"], wb.source)
    by_position: dict[int, SheetData] = {}
    for info in infos:
        if info.kind != "worksheet" or not pkg.has_part(info.part):
            continue
        sheet = wb.add_sheet(info.name)
        by_position[info.index] = sheet
        _read_sheet(wb, sheet, pkg.part(info.part), info.part, sst, pkg)
    for info in infos:
        sheet = by_position.get(info.index)
        if sheet is not None:
            _read_tables(wb, pkg, sheet, info.part)
    for d in pkg.defined_name_list():
        if d.local_sheet_id is None:
            wb.add_name(d.name, d.text)
        elif d.local_sheet_id in by_position:
            wb.add_name(d.name, d.text, by_position[d.local_sheet_id].index)
    return wb
