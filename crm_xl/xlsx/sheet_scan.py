"""Scanning a worksheet part's cells with regular expressions, the fast way to a big sheet.

A worksheet of 100,000 rows is too big for a tree: its cells are found by expressions that
the regular-expression engine runs over ``<sheetData>`` in C. This module finds where the
cells are (:func:`sheet_layout`), builds the expressions for the part's namespace prefix
(:func:`sheet_patterns`, :func:`cells_regex`), finds the ranges of array formulas (whose
other cells hold no ``<f>``) and reads a matched cell's stored value
(:func:`stored_value`). References are ``bytes`` here, as the part holds them::

    >>> data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ...         b'<sheetData><row r="1"><c r="A1"><f t="array" ref="A1:A2">B1:B2</f><v>3</v></c>'
    ...         b'</row></sheetData></worksheet>')
    >>> layout = sheet_layout(data)
    >>> layout.prefix, array_areas(data, *layout.content, sheet_patterns(layout.prefix))
    (b'', [(1, 1, 2, 1)])
    >>> in_array = array_lookup([(1, 1, 2, 1)])
    >>> in_array(b"A2"), in_array(b"B2"), cell_ref(b' s="1"', b"C4", 4)
    (True, False, b'D4')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import cell_name, col_letters, col_number, parse_range, parse_ref
from crm_xl.xlsx.namespaces import MAIN_NS
from crm_xl.xlsx.values import EMPTY, decode_value, rich_text
from crm_xl.xlsx.xml_scan import BASE_NS, TOKEN, Edit, Node, attr_edits, declare

# 'L4' as Excel writes it: columns A to XFD, rows up to 999999 (the rest take the slow way)
_PLAIN = r"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])[1-9][0-9]{0,5}"
PLAIN_REF = re.compile(_PLAIN)
PLAIN_REFS = re.compile(f"{_PLAIN}(?:\n{_PLAIN})*")  # plain references, one a line
B_REF = re.compile(rb"([A-Z]{1,3})([1-9][0-9]{0,6})")
R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
S_ATTR = re.compile(rb"""(?:^|\s)s\s*=\s*(?:"[^"]*"|'[^']*')""")
T_ATTR = re.compile(rb"""(?:^|\s)t\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_ATTR = re.compile(rb"""\sref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_COLUMN_NUMBERS: dict[bytes, int] = {}
NOT_A_FORMULA = "not a formula cell: recalc never overwrites input cells"


@dataclass(frozen=True)
class Layout:
    """Where a worksheet part's cells are: main-namespace prefix, ``<sheetData>`` content."""

    prefix: bytes  # b"" or b"x:"
    content: tuple[int, int]  # from the end of <sheetData>'s start tag to its end tag
    dimension: Node | None


@dataclass(frozen=True)
class SheetPatterns:
    """The expressions for one namespace prefix (made once, kept for every sheet)."""

    prefix: bytes
    value: re.Pattern[bytes]  # a cell's <v>
    formula: re.Pattern[bytes]  # the <f> at the start of a cell's content
    inline: re.Pattern[bytes]  # a cell's <is>
    array: re.Pattern[bytes]  # the start tag of an array or data-table formula
    rows: re.Pattern[bytes]  # rows' start and end tags, cells' start tags
    inline_tag: bytes  # b"<is" with the prefix
    cells: dict[bytes, re.Pattern[bytes]]  # see cells_regex, by the cells it picks


_PATTERNS: dict[bytes, SheetPatterns] = {}
SKIP = rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
"""Comments, CDATA sections and processing instructions: matched first, so markup inside
them is never taken for cells."""


def sheet_patterns(prefix: bytes) -> SheetPatterns:
    """The expressions for a worksheet whose SpreadsheetML prefix is ``prefix``."""
    found = _PATTERNS.get(prefix)
    if found is not None:
        return found
    p = re.escape(prefix)

    def tag(local: bytes) -> bytes:
        return b"<" + p + local + rb"(?=[\s/>])"

    def end(local: bytes) -> bytes:
        return b"</" + p + local + rb"\s*>"

    found = SheetPatterns(
        prefix=prefix,
        value=re.compile(tag(b"v") + rb"([^>]*?)(?:/>|>([^<]*)" + end(b"v") + b")"),
        formula=re.compile(rb"\s*" + tag(b"f") + rb"[^>]*?(?:/>|>[^<]*" + end(b"f") + b")"),
        inline=re.compile(tag(b"is") + rb"(?:[^>]*?/>|.*?" + end(b"is") + b")", re.S),
        array=re.compile(tag(b"f") + rb"[^>]*?\st\s*=\s*[\"'](?:array|dataTable)[\"'][^>]*>"),
        rows=re.compile(
            SKIP + b"|" + tag(b"row") + rb"([^>]*?)(/?)>|(" + end(b"row") + b")"
            b"|" + tag(b"c") + rb"([^>]*?)/?>",
            re.S,
        ),
        inline_tag=b"<" + prefix + b"is",
        cells={},
    )
    _PATTERNS[prefix] = found
    return found


def cells_regex(
    data: bytes,
    start: int,
    end: int,
    pats: SheetPatterns,
    areas: list[tuple[int, int, int, int]],
    all_cells: bool = False,
) -> re.Pattern[bytes]:
    """The one-pass pattern over ``<sheetData>``: row start tags and whole cells.

    Groups: 1 row attributes; 2 cell attributes (ending in ``/`` for ``<c .../>``); 3 ``r``;
    4 ``s=".."`` and 5 the ``t`` value when written where Excel writes them (r, s, t); 6
    the other attributes; 7 the cell's content; 8 its ``<f>``; 9 its ``<v>``; 10 what
    follows (``<is>``, ``<extLst>``; usually nothing). When every cell's first attribute is
    ``r`` (Excel, openpyxl, XlsxWriter) the pattern picks only the cells with a formula
    and those in the columns of array formulas: the regex engine skips the rest (the
    input cells) without a Python step each. Otherwise it picks every cell, and the
    caller works out missing ``r`` from the row and the cell before. ``all_cells`` picks
    every cell in any case (reading plain values too).
    """
    p = re.escape(pats.prefix)
    every_r = every_cell_has_r(data, start, end, pats.prefix)
    wide = sum(c2 - c1 + 1 for _, c1, _, c2 in areas) > 64
    cols = [] if wide else sorted({col for _, c1, _, c2 in areas for col in range(c1, c2 + 1)})
    if not every_r:
        ref = rb"(?:\s+r=\"([^\"]*)\")?"
    elif all_cells or wide or len(cols) > 64:
        ref = rb"\s+r=\"([^\"]*)\""
    else:
        with_f = rb"[^\"]*(?=[^>]*>\s*<" + p + rb"f[\s/>])"
        letters = b"|".join(col_letters(col).encode() for col in cols)
        ref = (
            rb"\s+r=\"((?:" + letters + rb")[1-9][0-9]*|" + with_f + rb")\""
            if cols
            else (rb"\s+r=\"(" + with_f + rb")\"")
        )
    found = pats.cells.get(ref)
    if found is None:
        found = re.compile(
            SKIP + b"|<" + p + rb"row(?=[\s/>])([^>]*)>"
            b"|<"
            + p
            + rb"c(?=[\s/>])("
            + ref
            + rb"(\s+s=\"[^\"]*\")?(?:\s+t=\"([^\"]*)\")?([^>]*))"
            rb"(?:(?<=/)>|>((\s*<" + p + rb"f(?=[\s/>])[^>]*?(?:/>|>[^<]*</" + p + rb"f\s*>))?"
            rb"(\s*<" + p + rb"v(?=[\s/>])[^>]*?(?:/>|>[^<]*</" + p + rb"v\s*>))?"
            rb"(.*?))</" + p + rb"c\s*>)",
            re.S,
        )
        if len(pats.cells) > 32:
            pats.cells.clear()
        pats.cells[ref] = found
    return found


def every_cell_has_r(data: bytes, start: int, end: int, prefix: bytes) -> bool:
    """Every cell of ``data[start:end]`` starts ``<c r="``, as Excel, openpyxl and XlsxWriter
    write them (two C-level counts)."""
    c = b"<" + prefix + b"c"
    return data.count(c, start, end) == data.count(c + b' r="', start, end)


def has_comments_or_pis(data: bytes, start: int, end: int) -> bool:
    """A comment, CDATA section or processing instruction in ``data[start:end]``. Looks
    for the rare ``!`` and ``?`` first (memchr speed); ``<`` is everywhere."""
    bang = data.find(b"!", start, end) >= 0 and data.find(b"<!", start, end) >= 0
    return bang or (data.find(b"?", start, end) >= 0 and data.find(b"<?", start, end) >= 0)


def sheet_layout(data: bytes) -> Layout | None:
    """Find ``<sheetData>`` (and ``<dimension>``) scanning only the tags before it."""
    depth = 0
    nsmap: dict[str, str] = dict(BASE_NS)
    dimension = None
    for m in TOKEN.finditer(data):
        name = m.group(2)
        if name is None:
            continue
        if m.group(1):
            depth -= 1
            if depth <= 0:
                return None
            continue
        if depth == 0 and b"xmlns" in m.group(3):
            nsmap = declare(nsmap, m.group(3))
        qname = name.decode()
        prefix, _, local = qname.rpartition(":")
        if depth == 1 and nsmap.get(prefix) == MAIN_NS:
            if local == "dimension":
                dimension = Node(data, qname, m.start(), m.end(), m.span(3), nsmap)
            elif local == "sheetData":
                p = (prefix + ":").encode() if prefix else b""
                if m.group(4):
                    return Layout(p, (m.end(), m.end()), dimension)
                close = data.rfind(b"</" + name)
                return Layout(p, (m.end(), close), dimension) if close > m.end() else None
        if not m.group(4):
            depth += 1
    return None


def grow_dimension(node: Node, written: list[tuple[int, int]], had_cells: bool) -> list[Edit]:
    """Edits that make ``<dimension ref=..>`` cover the cells ``written`` (row, col) too;
    the old range counts only when the sheet ``had_cells``."""
    rows = [r for r, _ in written]
    cols = [c for _, c in written]
    box = [min(rows), min(cols), max(rows), max(cols)]
    old = parse_range(node.get("ref") or "")
    if old is not None and had_cells:
        box = [min(box[0], old[0]), min(box[1], old[1]), max(box[2], old[2]), max(box[3], old[3])]
    ref = cell_name(box[0], box[1])
    if (box[0], box[1]) != (box[2], box[3]):
        ref += ":" + cell_name(box[2], box[3])
    return [] if ref == node.get("ref") else attr_edits(node, {"ref": ref})


# --- references -----------------------------------------------------------------------------


def col_of(letters: bytes) -> int:
    """A column's number from its letters as the part holds them (cached: called per cell)."""
    n = _COLUMN_NUMBERS.get(letters)
    if n is None:
        n = col_number(letters.decode("ascii"))
        if len(_COLUMN_NUMBERS) < 20_000:
            _COLUMN_NUMBERS[letters] = n
    return n


def canonical_ref(key: Any, where: str) -> bytes:
    """'L4', 'l4', '$L$4' → b'L4'; CrmError naming ``where!key`` when it is no cell reference."""
    if type(key) is str and PLAIN_REF.fullmatch(key):
        return key.encode("ascii")
    pos = parse_ref(key) if isinstance(key, str) else None
    if pos is None:
        raise CrmError("is not a cell reference like 'B4'", f"{where}!{key}")
    return cell_name(*pos).encode("ascii")


def cell_ref(attrs: bytes, prev: bytes | None, row: int) -> bytes:
    """A cell's reference when ``r=`` is not its first attribute, or is missing (ECMA-376:
    the cell after the previous one in its row)."""
    m = R_ATTR.search(attrs)
    if m is not None:
        return m.group(1) if m.group(1) is not None else m.group(2)
    before = B_REF.fullmatch(prev) if prev else None
    if prev and before is None:
        return b""
    col = col_of(before.group(1)) + 1 if before else 1
    return cell_name(row, col).encode("ascii") if row else b""


# --- array formulas ---------------------------------------------------------------------------


def array_areas(
    data: bytes, start: int, end: int, pats: SheetPatterns
) -> list[tuple[int, int, int, int]]:
    """The ranges of the sheet's array (and data-table) formulas, dynamic arrays included."""
    if data.find(b"array", start, end) < 0 and data.find(b"dataTable", start, end) < 0:
        return []
    areas = []
    for m in pats.array.finditer(data, start, end):
        ref = _REF_ATTR.search(m.group(0))
        area = parse_range((ref.group(1) or ref.group(2) or b"").decode()) if ref else None
        if area is not None:
            areas.append(area)
    return areas


def array_lookup(areas: list[tuple[int, int, int, int]]) -> Callable[[bytes], bool]:
    """A test ``ref → bool``: is the cell inside one of ``areas``?"""
    if not areas:
        return lambda ref: False
    by_col: dict[int, list[tuple[int, int]]] = {}
    if sum(c2 - c1 + 1 for _, c1, _, c2 in areas) <= 1_000_000:
        for r1, c1, r2, c2 in areas:
            for c in range(c1, c2 + 1):
                by_col.setdefault(c, []).append((r1, r2))

    def inside(ref: bytes) -> bool:
        m = B_REF.fullmatch(ref)
        if m is None:
            return False
        col = col_of(m.group(1))
        if by_col:
            spans = by_col.get(col)
            if spans is None:
                return False
            row = int(m.group(2))
            for r1, r2 in spans:  # noqa: SIM110 (a loop is faster than any() here)
                if r1 <= row <= r2:
                    return True
            return False
        row = int(m.group(2))
        return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in areas)

    return inside


# --- values -----------------------------------------------------------------------------------


def stored_value(
    t: bytes | None,
    body: bytes | None,
    pats: SheetPatterns,
    strings: Callable[[], list[str]],
    date1904: Callable[[], bool],
) -> tuple[str, Any]:
    """A matched cell's stored value as (type, value), decoded by
    :func:`crm_xl.xlsx.values.decode_value`: ``t`` is its ``t=``, ``body`` its content or
    just its ``<v>`` element. The workbook's shared strings and date system are asked for
    only when the value needs them.
    """
    if not body:
        return EMPTY
    kind = None if t is None else t.decode()
    if t == b"inlineStr":
        inline = pats.inline.search(body)
        text = None if inline is None else rich_text(inline.group(0).decode(), pats.prefix.decode())
        return decode_value(kind, None, text, ())
    v = pats.value.search(body)
    raw = None if v is None else (v.group(2) or b"").decode()
    return decode_value(
        kind, raw, None, strings() if t == b"s" else (), date1904=t == b"d" and date1904()
    )
