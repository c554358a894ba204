"""Edit a user's .xlsx/.xlsm package in place, keeping every part crm_xl does not change.

openpyxl's load + save loses cached formula values, calcChain, shapes, x14 extensions,
form controls, printer settings and more (see the project's FACTS). crm_xl therefore edits
the OOXML package itself: :class:`Package` holds the archive in memory as an ordered
mapping *part name → bytes*; a part nobody changes is written back byte for byte, with its
zip settings (member order, compression, date, attributes); a part that changes is edited
by *XML surgery* — only the bytes of the elements concerned are replaced, so namespace
prefixes, ``mc:Ignorable`` declarations, extension lists and everything else stay as they
were.

The input is untrusted: zip bombs are refused with the limits of
:func:`crm_xl.files.archive.check_archive`, every XML part is first checked by expat with
defusedxml's guards (no DTDs, no entities, no external references) — or, for a big
worksheet that ``crm-xl recalc`` reads anyway, proved so by its reader
(:mod:`crm_xl.calc.row_shapes`, :meth:`Package._proved`) — and a file that is not a
spreadsheet package is refused naming the file.

Example::

    >>> pkg = _example()                       # a small workbook made with openpyxl
    >>> [s.name for s in pkg.sheets()]
    ['Data']
    >>> pkg.clone_sheet("Data", "Scores").part
    'xl/worksheets/sheet2.xml'
    >>> pkg.set_cells("Scores", {"B1": "=not a formula", "C1": Formula("A1*2", cached=2)})
    >>> sorted(pkg.parts_changed())
    ['[Content_Types].xml', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/worksheets/sheet2.xml']

How the XML is edited
---------------------
A part is first checked with expat under defusedxml's guards (this refuses DTDs and
entities and proves the part well-formed); its elements are then located by a small scanner that records where each
start and end tag is, and the edit replaces just those byte ranges. Every edited part is
parsed again before it is stored, so a bug here cannot produce a broken file (formula
results written by :meth:`Package.set_cached_values` without a full scan: what was put in
is parsed). Parts must be UTF-8 (Excel always writes UTF-8).

What is not kept exactly
------------------------
- Parts are re-compressed: decompressed bytes, member order, dates, compression method
  and attributes are kept, the compressed bytes are not (a part of 4 MB or more is
  deflated on every core at zlib level 5). Zip directory entries (Excel writes none) are
  dropped.
- A cloned sheet leaves out drawings, comments, controls, tables and printer settings
  (see :meth:`Package.clone_sheet`), and its sheet-scoped defined names.
- docProps/app.xml is updated only when its title lists add up; otherwise it is left as
  it was (Excel rewrites it on its next save).
- Cells written over a shared string leave sharedStrings.xml's ``count`` as it was (an
  informational total that Excel tolerates and corrects).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import math
import numbers
import os
import posixpath
import re
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml.common import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from crm_xl.errors import EXCEL_ERRORS, CrmError
from crm_xl.files.archive import check_archive

__all__ = ["DefinedName", "ErrorValue", "Formula", "Package", "SheetInfo", "check_sheet_name"]

from crm_xl.xlsx.namespaces import (  # noqa: F401  (re-exported for the package's users)
    CT_NS,
    CT_RELATIONSHIPS,
    CT_WORKSHEET,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    RT_CALC_CHAIN,
    RT_EXTENDED_PROPERTIES,
    RT_OFFICE_DOCUMENT,
    RT_WORKSHEET,
    STRICT_MAIN_NS,
    VT_NS,
    XML_NS,
)

WORKBOOK_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}

MAX_CELL_TEXT = 32767  # Excel's limit on characters in a cell
MAX_FORMULA = 8192  # ... and in a formula
MAX_SHEET_NAME = 31
MAX_ROW, MAX_COL = 1_048_576, 16_384
SHEET_NAME_FORBIDDEN = ":\\/?*[]"

# Child order that Excel insists on (CT_Workbook / CT_Worksheet in ECMA-376 part 1).
WORKBOOK_ORDER = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)

# --- sheet names ------------------------------------------------------------------------


def check_sheet_name(name: str, existing: Iterable[str] = ()) -> None:
    """Raise :class:`CrmError` unless ``name`` is a sheet name Excel accepts beside ``existing``.

    Excel's rules: 1 to 31 characters, none of ``: \\ / ? * [ ]``, not starting or ending
    with ``'``, not ``History`` (Excel reserves it), and not the name of another sheet
    compared case-insensitively.

    Example::

        >>> check_sheet_name("Ratings 2027-Q1", ["Guide", "ratings 2027-q1"])
        Traceback (most recent call last):
        ...
        crm_xl.errors.CrmError: sheet name 'Ratings 2027-Q1': the workbook already has a sheet named 'ratings 2027-q1'
    """
    where = f"sheet name {name!r}"
    if not isinstance(name, str) or not name:
        raise CrmError("a sheet name must be non-empty text", where)
    if len(name) > MAX_SHEET_NAME:
        raise CrmError(f"is {len(name)} characters long; Excel allows at most 31", where)
    if any(ch in SHEET_NAME_FORBIDDEN for ch in name):
        raise CrmError("must not contain any of : \\ / ? * [ ]", where)
    if name.startswith("'") or name.endswith("'"):
        raise CrmError("must not start or end with an apostrophe (')", where)
    if _XML_ILLEGAL.search(name):
        raise CrmError("must not contain control characters", where)
    if name.casefold() == "history":
        raise CrmError("'History' is reserved by Excel", where)
    for other in existing:
        if other.casefold() == name.casefold():
            raise CrmError(f"the workbook already has a sheet named '{other}'", where)


# --- value types ------------------------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    """A formula for :meth:`Package.set_cells`, with an optional cached result.

    ``text`` is the formula as Excel stores it (a leading ``=`` is dropped; Excel 2010+
    functions need their ``_xlfn.`` prefix). ``cached`` is the value Excel shows until it
    recalculates: a number, text, bool or :class:`ErrorValue`; None writes no cached value
    (call :meth:`Package.request_full_calc_on_load` so Excel computes it on opening).

    Example::

        >>> Formula("=SUM(A1:A3)", cached=6).text
        'SUM(A1:A3)'
    """

    text: str
    cached: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"a formula is text, not {type(self.text).__name__}")
        text = self.text[1:] if self.text.startswith("=") else self.text
        object.__setattr__(self, "text", text)


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error value (``#N/A``, ``#DIV/0!``...), for a cell or a formula's cached result.

    Example::

        >>> ErrorValue("#N/A").code
        '#N/A'
    """

    code: str

    def __post_init__(self) -> None:
        if self.code not in EXCEL_ERRORS:
            raise CrmError(
                f"unknown Excel error {self.code!r}; use one of {', '.join(EXCEL_ERRORS)}"
            )


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of the workbook, as :meth:`Package.sheets` lists it.

    ``kind`` is the last part of the relationship type: ``worksheet``, ``chartsheet``,
    ``dialogsheet`` or ``xlMacrosheet``. ``state`` is ``visible``, ``hidden`` or
    ``veryHidden``. ``index`` is the 0-based position (what ``localSheetId`` counts).
    """

    name: str
    sheet_id: int
    rel_id: str
    part: str
    state: str
    kind: str
    index: int


@dataclass(frozen=True)
class DefinedName:
    """One ``<definedName>``: name, formula text (no ``=``), scope (sheet index or None), hidden."""

    name: str
    text: str
    local_sheet_id: int | None
    hidden: bool


# --- escaping ----------------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ST_XSTRING_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_CELL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def _esc_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(text: str) -> str:
    return (
        _esc_text(text)
        .replace('"', "&quot;")
        .replace("'", "&apos;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _NAMED[ref]

    return _ENTITY.sub(one, text) if "&" in text else text


def _cell_text(text: str) -> str:
    """Text as a cell's ``<t>`` content: ST_Xstring escapes (``_x000D_``), then XML escapes.

    Excel reads ``_xHHHH_`` as the character U+HHHH, so literal ``_x0041_`` in the text
    is written ``_x005F_x0041_``; control characters that XML cannot carry (and CR, which
    XML parsers turn into LF) are written as ``_xHHHH_``.
    """
    text = _ST_XSTRING_ESCAPE.sub(r"_x005F_\1", text)
    text = _CELL_CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return _esc_text(text)


# --- cell references ---------------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """'B4' → (4, 2): 1-based row and column; None when it is not a cell in Excel's grid."""
    m = _REF.match(ref.strip()) if isinstance(ref, str) else None
    if not m:
        return None
    row, col = int(m.group(2)), _col_number(m.group(1))
    if row > MAX_ROW or col > MAX_COL:
        return None
    return row, col


def _parse_range(text: str) -> tuple[int, int, int, int] | None:
    """'A1:C3' → (row1, col1, row2, col2); a single cell is a 1×1 range."""
    first, _, last = text.partition(":")
    a = _parse_ref(first)
    b = _parse_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _ref(row: int, col: int) -> str:
    return f"{_col_letters(col)}{row}"


# --- XML scanning ------------------------------------------------------------------------


def _refuse_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _xml_check(data: bytes, namespaces: bool = True) -> None:
    """Prove ``data`` well-formed, namespace-correct XML without DTDs or entity declarations.

    The checks of ``defusedxml.ElementTree.fromstring(data, forbid_dtd=True)`` (the same
    expat handlers and exceptions; unbound prefixes and undefined entities are errors) but
    no tree is built: a 100 MB worksheet takes under a second instead of about twelve.
    Raises ``ParseError`` or a ``DefusedXmlException``.
    """
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise ParseError(str(err)) from None


def check_utf8(data: bytes, name: str, source: str) -> None:
    """CrmError unless the part declares UTF-8 (or nothing): crm_xl reads and edits UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or re.match(
        rb"(\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"'](?!utf-8)", data, re.I
    ):
        raise CrmError(f"part {name} is not UTF-8; crm_xl edits UTF-8 parts only", source)


def has_forbidden_chars(data: bytes) -> bool:
    """True when UTF-8 ``data`` holds a character XML 1.0 does not allow (C0 controls other
    than tab, newline and carriage return; U+FFFE, U+FFFF). A few C-level passes."""
    import numpy as np

    controls = np.count_nonzero(np.frombuffer(data, dtype=np.uint8) < 0x20)
    if controls != data.count(b"\t") + data.count(b"\n") + data.count(b"\r"):
        return True
    at = data.find(b"\xef\xbf")  # U+F000 to U+FFFF: rare; look closer only then
    while at >= 0:
        if data[at + 2 : at + 3] in (b"\xbe", b"\xbf"):
            return True
        at = data.find(b"\xef\xbf", at + 2)
    return False


_TOKEN = re.compile(
    rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>"
    rb"|<(/?)([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)
_ATTR = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_FIRST_R = re.compile(rb'\s+r="([^"&<]*)"')  # r= written first, as every writer does
_BASE_NS = {"xml": XML_NS}


class _Node:
    """Where one element is in a part's bytes (start tag, content, end tag) and its children."""

    __slots__ = (
        "_attrs",
        "attr_span",
        "children",
        "close_start",
        "data",
        "end",
        "nsmap",
        "open_end",
        "parent",
        "qname",
        "start",
    )

    def __init__(self, data: bytes, qname: str, start: int, open_end: int, attr_span, nsmap):
        self.data = data
        self.qname = qname
        self.start = start
        self.open_end = open_end
        self.attr_span = attr_span
        self.nsmap = nsmap
        self.children: list[_Node] = []
        self.close_start = open_end  # for a self-closing element
        self.end = open_end
        self.parent: _Node | None = None
        self._attrs: dict[str, str] | None = None

    @property
    def self_closing(self) -> bool:
        return self.end == self.open_end

    @property
    def prefix(self) -> str:
        return self.qname.partition(":")[0] if ":" in self.qname else ""

    @property
    def local(self) -> str:
        return self.qname.rpartition(":")[2]

    @property
    def ns(self) -> str | None:
        return self.nsmap.get(self.prefix)

    def is_(self, ns: str, local: str) -> bool:
        return self.local == local and self.ns == ns

    def attrs(self) -> dict[str, str]:
        """Attributes by qualified name, values unescaped."""
        if self._attrs is None:
            s, e = self.attr_span
            self._attrs = {
                m.group(1).decode(): _unescape(
                    (m.group(2) if m.group(2) is not None else m.group(3)).decode()
                )
                for m in _ATTR.finditer(self.data, s, e)
            }
        return self._attrs

    def get(self, name: str, default: str | None = None) -> str | None:
        if name == "r" and self._attrs is None:  # a cell's or row's r, asked of every one
            m = _FIRST_R.match(self.data, *self.attr_span)
            if m is not None:
                return m.group(1).decode()
        return self.attrs().get(name, default)

    def get_ns(self, ns: str, local: str) -> str | None:
        """The attribute ``{ns}local`` whatever prefix the part uses for ``ns``."""
        for qname, value in self.attrs().items():
            prefix, _, name = qname.rpartition(":")
            if name == local and prefix and self.nsmap.get(prefix) == ns:
                return value
        return None

    def text(self) -> str:
        return _unescape(self.data[self.open_end : self.close_start].decode())

    def child(self, ns: str, local: str) -> _Node | None:
        return next((c for c in self.children if c.is_(ns, local)), None)

    def iter_children(self, ns: str, local: str) -> Iterator[_Node]:
        return (c for c in self.children if c.is_(ns, local))

    def iter(self) -> Iterator[_Node]:
        yield self
        for c in self.children:
            yield from c.iter()

    def prefix_for(self, ns: str) -> str | None:
        """'' for the default namespace, 'x:' for a prefix bound to ``ns``, None if unbound."""
        if self.nsmap.get("") == ns:
            return ""
        for prefix, uri in self.nsmap.items():
            if uri == ns and prefix and prefix != "xml":
                return prefix + ":"
        return None


def _parse(data: bytes, max_depth: int = 64, shallow: Iterable[str] = ()) -> _Node:
    """The element tree of an already validated part, down to ``max_depth`` (root = 0).

    Children of elements whose local name is in ``shallow`` are scanned but not kept
    (``sheetData`` holds most of a big worksheet).
    """
    shallow = set(shallow)
    root: _Node | None = None
    stack: list[_Node | None] = []
    for m in _TOKEN.finditer(data):
        name = m.group(2)
        if name is None:
            continue
        if m.group(1):
            node = stack.pop()
            if node is not None:
                node.close_start, node.end = m.start(), m.end()
            continue
        parent = stack[-1] if stack else None
        keep = not stack or (
            parent is not None and len(stack) <= max_depth and parent.local not in shallow
        )
        if not keep:
            if not m.group(4):
                stack.append(None)
            continue
        nsmap = parent.nsmap if parent is not None else _BASE_NS
        raw = m.group(3)
        if b"xmlns" in raw:
            nsmap = dict(nsmap)
            for a in _ATTR.finditer(raw):
                key = a.group(1).decode()
                value = _unescape((a.group(2) if a.group(2) is not None else a.group(3)).decode())
                if key == "xmlns":
                    nsmap[""] = value
                elif key.startswith("xmlns:"):
                    nsmap[key[6:]] = value
        node = _Node(data, name.decode(), m.start(), m.end(), m.span(3), nsmap)
        if parent is not None:
            node.parent = parent
            parent.children.append(node)
        else:
            root = node
        if not m.group(4):
            stack.append(node)
    if root is None:
        raise ValueError("no root element")
    return root


Edit = tuple[int, int, bytes]


def _splice(data: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping (start, end, replacement) edits; inserts at one point keep order."""
    out: list[bytes] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            raise AssertionError(f"overlapping XML edits at byte {start}")
        out += [data[pos:start], new]
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def _attr_edits(node: _Node, changes: Mapping[str, str | None]) -> list[Edit]:
    """Edits that set (or, for None, remove) attributes in ``node``'s start tag only."""
    data = node.data
    s, e = node.attr_span
    edits: list[Edit] = []
    seen = set()
    for m in _ATTR.finditer(data, s, e):
        name = m.group(1).decode()
        if name not in changes:
            continue
        seen.add(name)
        value = changes[name]
        if value is None:
            cut = m.start()
            while cut > s and data[cut - 1 : cut].isspace():
                cut -= 1
            edits.append((cut, m.end(), b""))
        else:
            span = m.span(2) if m.group(2) is not None else m.span(3)
            edits.append((*span, _esc_attr(value).encode()))
    added = "".join(
        f' {n}="{_esc_attr(v)}"' for n, v in changes.items() if n not in seen and v is not None
    )
    if added:
        edits.append((e, e, added.encode()))
    return edits


def _append_into(node: _Node, content: bytes) -> list[Edit]:
    """Edits that put ``content`` at the end of ``node``'s content (opening it if self-closing)."""
    if not node.self_closing:
        return [(node.close_start, node.close_start, content)]
    slash = node.data.rindex(b"/", node.start, node.open_end)
    return [(slash, node.open_end, b">" + content + f"</{node.qname}>".encode())]


def _insert_position(parent: _Node, order: tuple[str, ...], local: str) -> int | None:
    """Where a new ``local`` child goes among ``parent``'s children in schema ``order``."""
    rank = order.index(local)
    for child in parent.children:
        if child.ns == parent.ns and child.local in order and order.index(child.local) > rank:
            return child.start
    return None if parent.self_closing else parent.close_start


# --- the package -------------------------------------------------------------------------


def _rels_part(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source: str, target: str) -> str:
    """A relationship target as a part name (relative targets resolve against ``source``)."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


@dataclass
class _Rel:
    id: str
    type: str
    target: str
    external: bool
    node: _Node


class Package:
    """An .xlsx/.xlsm package in memory: parts by name, in archive order, plus zip settings.

    Open with :meth:`open` (or :meth:`from_bytes`), edit, then :meth:`save`. Every part
    that no method changed is written back with the same bytes.

    Example::

        >>> pkg = _example()
        >>> pkg.part("xl/workbook.xml")[:9]
        b'<workbook'
        >>> pkg.parts_changed()
        []
    """

    def __init__(self, parts: dict[str, bytes], infos: dict[str, zipfile.ZipInfo], source: str):
        self.source = source
        self._parts = parts
        self._original = dict(parts)
        self._infos = infos
        self.archive_comment = b""  # the zip archive's own comment, written back on save
        self._valid: dict[str, bytes] = {}  # part → the bytes already parsed safely
        self._workbook = self._find_workbook()
        self._check_xml(self._workbook)
        root = self._tree(self._workbook, 0)
        if root.ns == STRICT_MAIN_NS:
            raise CrmError(
                "is saved as 'Strict Open XML Spreadsheet', which crm_xl cannot edit; "
                "save it as 'Excel Workbook (*.xlsx)' or 'Excel Macro-Enabled Workbook (*.xlsm)'",
                source,
            )
        if not root.is_(MAIN_NS, "workbook"):
            raise CrmError(f"{self._workbook} is not a SpreadsheetML workbook part", source)

    # -- reading ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Package:
        """Read a workbook into memory (refusing zip bombs and files that are not workbooks).

        Example::

            >>> import tempfile, pathlib
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "book.xlsx"
            >>> _example().save(path)
            >>> Package.open(path).sheets()[0].part
            'xl/worksheets/sheet1.xml'
        """
        return cls._open(Path(path), str(path))

    @classmethod
    def _open(cls, path: Path, source: str) -> Package:
        if not path.exists():
            raise CrmError("no such file", source)
        if not path.is_file():
            raise CrmError("is not a file", source)
        with path.open("rb") as stream:
            head = stream.read(8)
        if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise CrmError(
                "is an old binary .xls workbook or a password-protected (encrypted) workbook; "
                "crm_xl needs an unprotected .xlsx or .xlsm file",
                source,
            )
        if not zipfile.is_zipfile(path):
            raise CrmError(
                "is not an Excel workbook (.xlsx/.xlsm): it is not a zip archive", source
            )
        try:
            check_archive(path)
        except CrmError as err:  # name the file as the caller knows it
            raise CrmError("; ".join(p.message for p in err.problems), source) from None
        try:
            with zipfile.ZipFile(path) as archive:
                return cls._read(archive, source)
        except zipfile.BadZipFile as err:
            raise CrmError(f"not a readable workbook: {err}", source) from None

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<memory>") -> Package:
        """Like :meth:`open`, for a workbook already in memory; ``source`` names it in errors.

        Example::

            >>> pkg = Package.from_bytes(_example().to_bytes(), "book.xlsx")
            >>> pkg.source
            'book.xlsx'
        """
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "workbook.xlsx"
            path.write_bytes(data)
            return cls._open(path, source)

    @classmethod
    def _read(cls, archive: zipfile.ZipFile, source: str) -> Package:
        parts: dict[str, bytes] = {}
        infos: dict[str, zipfile.ZipInfo] = {}
        seen: set[str] = set()
        for info in archive.infolist():
            if info.is_dir():
                continue
            key = info.filename.lower()
            if key in seen:
                raise CrmError(f"the archive holds part {info.filename} twice", source)
            seen.add(key)
            try:
                parts[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
                raise CrmError(f"part {info.filename} cannot be read: {err}", source) from None
            except RuntimeError as err:  # encrypted member
                raise CrmError(f"part {info.filename} cannot be read: {err}", source) from None
            infos[info.filename] = info
        if "[Content_Types].xml" not in parts or "_rels/.rels" not in parts:
            raise CrmError(
                "is not an Excel workbook (.xlsx/.xlsm): the zip archive has no "
                "[Content_Types].xml or _rels/.rels (an Office Open XML package has both)",
                source,
            )
        pkg = cls(parts, infos, source)
        pkg.archive_comment = archive.comment
        return pkg

    def _find_workbook(self) -> str:
        self._check_xml("_rels/.rels")
        self._check_xml("[Content_Types].xml")
        main = [r for r in self._rels("") if r.type.endswith("/officeDocument") and not r.external]
        if not main:
            raise CrmError(
                "is not an Excel workbook: _rels/.rels names no main document", self.source
            )
        part = self._actual_name(_resolve("", main[0].target))
        content_type = self.content_type(part) if part else None
        if content_type == "application/vnd.ms-excel.sheet.binary.macroEnabled.main":
            raise CrmError(
                "is a binary workbook (.xlsb), which crm_xl cannot edit; save it as .xlsx or .xlsm",
                self.source,
            )
        if part is None or content_type not in WORKBOOK_CONTENT_TYPES:
            raise CrmError(
                f"is not an Excel workbook: its main document is {content_type or 'missing'}"
                " (a Word or PowerPoint file, perhaps, renamed)",
                self.source,
            )
        return part

    # -- parts -----------------------------------------------------------------------------

    def part_names(self) -> list[str]:
        """Every part's name, in archive order.

        Example::

            >>> _example().part_names()[-1]
            '[Content_Types].xml'
        """
        return list(self._parts)

    def part(self, name: str) -> bytes:
        """A part's (decompressed) bytes; KeyError if there is no such part.

        Example::

            >>> b"<sheetData>" in _example().part("xl/worksheets/sheet1.xml")
            True
        """
        actual = self._actual_name(name.lstrip("/"))
        if actual is None:
            raise KeyError(name)
        return self._parts[actual]

    def has_part(self, name: str) -> bool:
        """True when the package has this part (part names are case-insensitive).

        Example::

            >>> _example().has_part("/XL/workbook.xml")
            True
        """
        return self._actual_name(name.lstrip("/")) is not None

    def set_part(self, name: str, data: bytes, content_type: str | None = None) -> None:
        """Replace a part's bytes, or add a new part at the end of the archive.

        For a new part give ``content_type`` unless a ``<Default>`` for its extension
        covers it (an ``<Override>`` is then added to ``[Content_Types].xml``). Adding the
        relationship that makes the part reachable is the caller's business.

        Example::

            >>> pkg = _example()
            >>> pkg.set_part("customXml/note.xml", b"<note/>")
            >>> pkg.parts_changed()
            ['customXml/note.xml']
        """
        if not isinstance(data, bytes):
            raise TypeError("part data must be bytes")
        name = name.lstrip("/")
        actual = self._actual_name(name)
        if actual is not None:
            self._parts[actual] = data
            return
        self._parts[name] = data
        if content_type is not None and self.content_type(name) != content_type:
            self._add_override(name, content_type)

    def remove_part(self, name: str) -> None:
        """Remove a part and its ``<Override>``; relationships to it are the caller's business.

        Example::

            >>> pkg = _example()
            >>> pkg.remove_part("docProps/core.xml")
            >>> pkg.has_part("docProps/core.xml")
            False
        """
        actual = self._actual_name(name.lstrip("/"))
        if actual is None:
            raise KeyError(name)
        del self._parts[actual]
        ct = self._tree("[Content_Types].xml", 1)
        edits = [
            (o.start, o.end, b"")
            for o in ct.iter_children(CT_NS, "Override")
            if (o.get("PartName") or "").lstrip("/").lower() == actual.lower()
        ]
        if edits:
            self._store("[Content_Types].xml", ct, edits)

    def parts_changed(self) -> list[str]:
        """Names of the parts added, changed or removed since the package was read.

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "0.25")
            >>> pkg.parts_changed()
            ['xl/workbook.xml']
        """
        changed = [n for n, b in self._original.items() if self._parts.get(n) != b]
        return changed + [n for n in self._parts if n not in self._original]

    def content_type(self, name: str) -> str | None:
        """The content type ``[Content_Types].xml`` gives a part (Override, else Default).

        Example::

            >>> _example().content_type("xl/worksheets/sheet1.xml")
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml'
        """
        root = self._tree("[Content_Types].xml", 1)
        key = "/" + name.lstrip("/").lower()
        for o in root.iter_children(CT_NS, "Override"):
            if (o.get("PartName") or "").lower() == key:
                return o.get("ContentType")
        base = key.rsplit("/", 1)[-1]  # "_rels/.rels" has the extension "rels"
        ext = base.rpartition(".")[2] if "." in base else ""
        for d in root.iter_children(CT_NS, "Default"):
            if (d.get("Extension") or "").lower() == ext:
                return d.get("ContentType")
        return None

    def _actual_name(self, name: str) -> str | None:
        if name in self._parts:
            return name
        low = name.lower()
        return next((n for n in self._parts if n.lower() == low), None)

    def _check_xml(self, name: str) -> None:
        data = self._parts[name]
        if self._valid.get(name) is data:
            return
        check_utf8(data, name, self.source)
        try:
            _xml_check(data)
        except (ParseError, DefusedXmlException) as err:
            raise CrmError(f"part {name} is not usable XML: {err}", self.source) from None
        self._valid[name] = data

    def _proved(self, name: str, data: bytes) -> None:
        """Take ``data``, the part ``name`` as it is now, as checked: a reader that scans it
        anyway proved it as :meth:`_check_xml` would (:mod:`crm_xl.calc.row_shapes`)."""
        if self._parts.get(name) is data:
            self._valid[name] = data

    def _tree(self, name: str, max_depth: int = 64, shallow: Iterable[str] = ()) -> _Node:
        self._check_xml(name)
        return _parse(self._parts[name], max_depth, shallow)

    def _store(self, name: str, root: _Node, edits: list[Edit]) -> None:
        """Apply edits to a part, prove the result well-formed, keep it."""
        if not edits:
            return
        data = _splice(root.data, edits)
        try:
            _xml_check(data)
        except (ParseError, DefusedXmlException) as err:  # a bug here, never the user's input
            raise AssertionError(f"editing {name} produced broken XML: {err}") from None
        self._parts[name] = data
        self._valid[name] = data

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """All or nothing: if the block raises, every part is as it was before it."""
        snapshot = dict(self._parts)
        try:
            yield
        except BaseException:
            self._parts.clear()
            self._parts.update(snapshot)
            raise

    # -- relationships and content types --------------------------------------------------

    def _rels(self, source: str) -> list[_Rel]:
        name = self._actual_name(_rels_part(source) if source else "_rels/.rels")
        if name is None:
            return []
        root = self._tree(name, 1)
        return [
            _Rel(
                r.get("Id") or "",
                r.get("Type") or "",
                r.get("Target") or "",
                (r.get("TargetMode") or "") == "External",
                r,
            )
            for r in root.iter_children(PKG_REL_NS, "Relationship")
        ]

    def _add_relationship(self, source: str, rel_type: str, part: str) -> str:
        """Add a relationship from ``source`` to ``part``; returns its new Id."""
        rels = self._rels(source)
        ids = {r.id for r in rels}
        n = 1 + max((int(i[3:]) for i in ids if re.fullmatch(r"rId\d+", i)), default=0)
        while f"rId{n}" in ids:
            n += 1
        rel_id = f"rId{n}"
        absolute = any(r.target.startswith("/") for r in rels if not r.external)
        if absolute:
            target = "/" + part
        else:
            target = posixpath.relpath(part, posixpath.dirname(source) or ".")
        target = quote(target, safe="/-._~!$&'()*+,;=:@")
        name = self._actual_name(_rels_part(source))
        if name is None:
            name = _rels_part(source)
            self._parts[name] = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                b'<Relationships xmlns="' + PKG_REL_NS.encode() + b'"></Relationships>'
            )
        root = self._tree(name, 1)
        prefix = root.prefix_for(PKG_REL_NS) or ""
        new = (
            f'<{prefix}Relationship Id="{rel_id}" Type="{_esc_attr(rel_type)}" '
            f'Target="{_esc_attr(target)}"/>'
        ).encode()
        self._store(name, root, _append_into(root, new))
        return rel_id

    def _remove_relationships(self, source: str, ids: set[str]) -> None:
        name = self._actual_name(_rels_part(source))
        if name is None or not ids:
            return
        root = self._tree(name, 1)
        edits = [
            (r.start, r.end, b"")
            for r in root.iter_children(PKG_REL_NS, "Relationship")
            if r.get("Id") in ids
        ]
        self._store(name, root, edits)

    def _add_override(self, part: str, content_type: str) -> None:
        root = self._tree("[Content_Types].xml", 1)
        prefix = root.prefix_for(CT_NS) or ""
        new = (
            f'<{prefix}Override PartName="{_esc_attr("/" + part)}" '
            f'ContentType="{_esc_attr(content_type)}"/>'
        ).encode()
        self._store("[Content_Types].xml", root, _append_into(root, new))

    # -- sheets ----------------------------------------------------------------------------

    def sheets(self) -> list[SheetInfo]:
        """The workbook's sheets in tab order, resolved through ``workbook.xml.rels``.

        Example::

            >>> s = _example().sheets()[0]
            >>> s.name, s.sheet_id, s.rel_id, s.part, s.state, s.kind
            ('Data', 1, 'rId1', 'xl/worksheets/sheet1.xml', 'visible', 'worksheet')
        """
        root = self._tree(self._workbook, 2)
        rels = {r.id: r for r in self._rels(self._workbook)}
        sheets = root.child(MAIN_NS, "sheets")
        result: list[SheetInfo] = []
        for node in sheets.iter_children(MAIN_NS, "sheet") if sheets is not None else ():
            name = node.get("name") or ""
            rel_id = node.get_ns(REL_NS, "id") or ""
            rel = rels.get(rel_id)
            if rel is None or rel.external:
                raise CrmError(
                    f"sheet '{name}' points at relationship {rel_id or '(none)'}, "
                    f"which {_rels_part(self._workbook)} lacks",
                    self.source,
                )
            part = _resolve(self._workbook, rel.target)
            try:
                sheet_id = int(node.get("sheetId") or "")
            except ValueError:
                raise CrmError(f"sheet '{name}' has no valid sheetId", self.source) from None
            result.append(
                SheetInfo(
                    name=name,
                    sheet_id=sheet_id,
                    rel_id=rel_id,
                    part=self._actual_name(part) or part,
                    state=node.get("state") or "visible",
                    kind=rel.type.rstrip("/").rpartition("/")[2],
                    index=len(result),
                )
            )
        return result

    def sheet(self, name: str) -> SheetInfo:
        """One sheet by name (Excel compares sheet names case-insensitively).

        Example::

            >>> _example().sheet("DATA").name
            'Data'
        """
        for info in self.sheets():
            if info.name.casefold() == name.casefold():
                return info
        names = ", ".join(s.name for s in self.sheets())
        raise CrmError(f"no sheet '{name}'; the sheets are: {names}", self.source)

    def _worksheet(self, name: str) -> SheetInfo:
        info = self.sheet(name)
        if info.kind != "worksheet":
            raise CrmError(f"sheet '{info.name}' is a {info.kind}, not a worksheet", self.source)
        if info.part not in self._parts:
            raise CrmError(f"sheet '{info.name}': part {info.part} is missing", self.source)
        return info

    def check_sheet_name(self, name: str) -> None:
        """Raise :class:`CrmError` unless ``name`` is a sheet name Excel accepts here
        (see :func:`check_sheet_name`).

        Example::

            >>> _example().check_sheet_name("Q1/Q2")
            Traceback (most recent call last):
            ...
            crm_xl.errors.CrmError: sheet name 'Q1/Q2': must not contain any of : \\ / ? * [ ]
        """
        check_sheet_name(name, [info.name for info in self.sheets()])

    def add_sheet(
        self,
        name: str,
        xml: bytes,
        *,
        after: str | None = None,
        rels: bytes | None = None,
    ) -> SheetInfo:
        """Add a worksheet part (``xml``, a whole ``<worksheet>``) as a new sheet ``name``.

        The part gets the next free ``xl/worksheets/sheetN.xml`` name, a new sheetId and
        rId, an ``<Override>`` in ``[Content_Types].xml``, and its title in
        ``docProps/app.xml``. ``rels`` becomes its ``.rels`` part (the targets must exist).
        The sheet goes after sheet ``after``, or last; defined names scoped to later
        sheets (``localSheetId``) and the active tab are renumbered to follow.

        Example::

            >>> pkg = _example()
            >>> xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            ...        b'<sheetData/></worksheet>')
            >>> pkg.add_sheet("Notes", xml, after="Data").part
            'xl/worksheets/sheet2.xml'
        """
        self.check_sheet_name(name)
        if after is not None:
            self.sheet(after)  # raises a clear error for a missing sheet
        if not isinstance(xml, bytes):
            raise TypeError("xml must be bytes")
        folder = posixpath.dirname(self._workbook)
        part = self._next_sheet_part(posixpath.join(folder, "worksheets"))
        with self._transaction():
            self._parts[part] = xml
            self._check_xml(part)
            root = _parse(xml, 0)
            if not root.is_(MAIN_NS, "worksheet"):
                raise CrmError("the new sheet's XML is not a SpreadsheetML <worksheet>", name)
            if rels is not None:
                self._parts[_rels_part(part)] = rels
                self._check_xml(_rels_part(part))
            self._add_override(part, CT_WORKSHEET)
            return self._register_sheet(name, part, after)

    def _next_sheet_part(self, folder: str) -> str:
        pattern = re.compile(re.escape(folder.lower()) + r"/sheet(\d+)\.xml$")
        used = [int(m.group(1)) for n in self._parts if (m := pattern.match(n.lower()))]
        n = max(used, default=0) + 1
        while self.has_part(f"{folder}/sheet{n}.xml") or self.has_part(
            _rels_part(f"{folder}/sheet{n}.xml")
        ):
            n += 1
        return f"{folder}/sheet{n}.xml"

    def _register_sheet(self, name: str, part: str, after: str | None) -> SheetInfo:
        sheets = self.sheets()
        index = len(sheets) if after is None else self.sheet(after).index + 1
        sheet_id = max((s.sheet_id for s in sheets), default=0) + 1
        rel_id = self._add_relationship(self._workbook, RT_WORKSHEET, part)

        root = self._tree(self._workbook, 2)
        sheets_node = root.child(MAIN_NS, "sheets")
        prefix = root.prefix_for(MAIN_NS) or ""
        r_prefix = root.prefix_for(REL_NS)
        r_decl = "" if r_prefix else f' xmlns:r="{REL_NS}"'
        new = (
            f'<{prefix}sheet name="{_esc_attr(name)}" sheetId="{sheet_id}"{r_decl} '
            f'{r_prefix or "r:"}id="{rel_id}"/>'
        ).encode()
        edits: list[Edit]
        if sheets_node is None:
            pos = _insert_position(root, WORKBOOK_ORDER, "sheets")
            edits = [(pos, pos, f"<{prefix}sheets>".encode() + new + f"</{prefix}sheets>".encode())]
        else:
            nodes = list(sheets_node.iter_children(MAIN_NS, "sheet"))
            if index < len(nodes):
                edits = [(nodes[index].start, nodes[index].start, new)]
            else:
                edits = _append_into(sheets_node, new)
        if index < len(sheets):
            edits += self._shift_sheet_indices(root, index)
        self._store(self._workbook, root, edits)
        self._app_add_title(name, index)
        return self.sheets()[index]

    @staticmethod
    def _shift_sheet_indices(root: _Node, index: int) -> list[Edit]:
        """Renumber sheet positions at or after ``index``: a sheet is being inserted there."""
        edits: list[Edit] = []
        names = root.child(MAIN_NS, "definedNames")
        for node in names.iter_children(MAIN_NS, "definedName") if names is not None else ():
            local = node.get("localSheetId")
            if local is not None and local.isdigit() and int(local) >= index:
                edits += _attr_edits(node, {"localSheetId": str(int(local) + 1)})
        views = root.child(MAIN_NS, "bookViews")
        for view in views.iter_children(MAIN_NS, "workbookView") if views is not None else ():
            changes = {}
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and value.isdigit() and int(value) >= index:
                    changes[attr] = str(int(value) + 1)
            edits += _attr_edits(view, changes)
        return edits

    def _app_add_title(self, name: str, index: int) -> None:
        """List a new worksheet in docProps/app.xml (HeadingPairs count, TitlesOfParts).

        The heading texts are in Excel's UI language, so the worksheet block is found by
        the names it lists. A file whose blocks do not add up is left as it is: app.xml is
        informational and Excel rewrites it on its next save.
        """
        app = next(
            (
                _resolve("", r.target)
                for r in self._rels("")
                if r.type == RT_EXTENDED_PROPERTIES and not r.external
            ),
            None,
        )
        app = self._actual_name(app) if app else None
        if app is None:
            return
        root = self._tree(app)
        pairs = root.child(root.ns or "", "HeadingPairs")
        titles = root.child(root.ns or "", "TitlesOfParts")
        if pairs is None or titles is None:
            return
        pv, tv = pairs.child(VT_NS, "vector"), titles.child(VT_NS, "vector")
        if pv is None or tv is None:
            return
        variants = [v.children[0] if v.children else None for v in pv.children]
        lpstrs = list(tv.children)
        if any(v is None for v in variants) or len(variants) % 2:
            return
        blocks = []  # (count node, first title position, count)
        offset = 0
        for count in variants[1::2]:
            if count.local not in ("i4", "i2", "i8", "int") or not count.text().strip().isdigit():
                return
            n = int(count.text())
            blocks.append((count, offset, n))
            offset += n
        if offset != len(lpstrs):
            return
        sheets = self.sheets()
        worksheets = {s.name for s in sheets if s.kind == "worksheet" and s.name != name}
        before = [s.name for s in sheets[:index] if s.kind == "worksheet"]
        for count, first, n in blocks:
            block = [t.text() for t in lpstrs[first : first + n]]
            if not worksheets.intersection(block):
                continue
            pos = first
            if before and before[-1] in block:
                pos = first + block.index(before[-1]) + 1
            where = lpstrs[pos - 1].end if pos > first else (lpstrs[first].start if n else None)
            if where is None:
                return
            qname = lpstrs[0].qname
            new = f"<{qname}>{_esc_text(name)}</{qname}>".encode()
            edits = [
                (where, where, new),
                (count.open_end, count.close_start, str(n + 1).encode()),
            ]
            edits += _attr_edits(tv, {"size": str(len(lpstrs) + 1)})
            self._store(app, root, edits)
            return

    def clone_sheet(
        self,
        source_name: str,
        new_name: str,
        *,
        after: str | None = None,
        transform: Callable[[bytes], bytes] | None = None,
    ) -> SheetInfo:
        """Copy worksheet ``source_name`` as a new sheet ``new_name`` (placed after ``after``,
        else last). ``transform(xml) -> xml`` may edit the copy's XML before it is stored.

        Cells, formulas, styles, column widths, merged cells, conditional formats and data
        validations (x14 ones too), hyperlinks and sheet settings are copied. Not copied:
        drawings (charts, pictures, shapes, text boxes), comments and their VML, form and
        ActiveX controls, tables, pivot tables, slicers, background pictures, header/footer
        images and printer settings. Those live in parts that belong to one sheet: a table
        needs a workbook-unique name and id, a comment's VML shape ids must be unique, a
        chart's series point at the source sheet by name, a control is linked to its cells
        and macro. Copying them right means renaming and renumbering across several parts;
        copying them wrong makes Excel "repair" the file. So the copy drops those
        relationships and the elements that point at them (``<drawing>``,
        ``<legacyDrawing>``, ``<legacyDrawingHF>``, ``<picture>``, ``<tableParts>``,
        ``<controls>``, ``<oleObjects>``, extensions such as slicer lists), keeps external
        hyperlinks, clears ``tabSelected`` (else Excel opens the two sheets grouped) and
        drops the ``codeName`` (it names the sheet's VBA module; two sheets must not share
        one, and Excel gives a sheet without one a new name). Defined names scoped to the
        source sheet (print area, filter range) are not copied.

        Example::

            >>> pkg = _example()
            >>> pkg.clone_sheet("Data", "Copy", transform=lambda x: x.replace(b"Name", b"Client")).name
            'Copy'
        """
        source = self._worksheet(source_name)
        self.check_sheet_name(new_name)
        if after is not None:
            self.sheet(after)
        root = self._tree(source.part, shallow=("sheetData",))
        kept: list[_Rel] = [r for r in self._rels(source.part) if r.external]
        dropped = {r.id for r in self._rels(source.part) if not r.external}
        edits: list[Edit] = []

        def refers(node: _Node) -> bool:
            return any(
                value in dropped
                for n in node.iter()
                for qname, value in n.attrs().items()
                if ":" in qname and n.nsmap.get(qname.partition(":")[0]) == REL_NS
            )

        for child in root.children:
            if child.local == "sheetViews":
                for view in child.children:
                    if view.local == "sheetView" and view.get("tabSelected") is not None:
                        edits += _attr_edits(view, {"tabSelected": None})
            if child.local == "sheetPr" and child.get("codeName") is not None:
                edits += _attr_edits(child, {"codeName": None})
            if not dropped or child.local == "sheetData" or not refers(child):
                continue
            if child.local == "pageSetup":
                names = [
                    q
                    for q in child.attrs()
                    if ":" in q and child.nsmap.get(q.partition(":")[0]) == REL_NS
                ]
                edits += _attr_edits(child, dict.fromkeys(names))
            elif child.local == "hyperlinks":
                edits += [(h.start, h.end, b"") for h in child.children if refers(h)]
            elif child.local == "extLst":
                exts = [e for e in child.children if refers(e)]
                if len(exts) == len(child.children):
                    edits.append((child.start, child.end, b""))
                else:
                    edits += [(e.start, e.end, b"") for e in exts]
            else:  # drawing, legacyDrawing, tableParts, picture, controls, ... (and unknown)
                edits.append((child.start, child.end, b""))
        xml = _regenerate_guids(_splice(root.data, edits))
        if transform is not None:
            xml = transform(xml)
            if not isinstance(xml, bytes):
                raise TypeError("transform must return bytes")
        rels = None
        if kept:
            rels_name = self._actual_name(_rels_part(source.part))
            rels_root = self._tree(rels_name, 1)
            cut = [
                (r.node.start, r.node.end, b"") for r in self._rels(source.part) if not r.external
            ]
            rels = _splice(rels_root.data, cut)
        return self.add_sheet(new_name, xml, after=after, rels=rels)

    # -- defined names ----------------------------------------------------------------------

    def defined_name_list(self) -> list[DefinedName]:
        """Every ``<definedName>``, in file order (a name may appear once per scope).

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "Data!$B$2")
            >>> pkg.defined_name_list()
            [DefinedName(name='Rate', text='Data!$B$2', local_sheet_id=None, hidden=False)]
        """
        root = self._tree(self._workbook, 2)
        names = root.child(MAIN_NS, "definedNames")
        result = []
        for node in names.iter_children(MAIN_NS, "definedName") if names is not None else ():
            local = node.get("localSheetId")
            result.append(
                DefinedName(
                    node.get("name") or "",
                    node.text(),
                    int(local) if local is not None and local.strip().isdigit() else None,
                    (node.get("hidden") or "").lower() in ("1", "true"),
                )
            )
        return result

    def defined_names(self) -> dict[str, tuple[str, int | None]]:
        """Defined names: name → (formula text, localSheetId or None).

        A name defined in several scopes (``_xlnm.Print_Area`` on two sheets, say) appears
        once, with its workbook-level definition if it has one, else its first; use
        :meth:`defined_name_list` to see every scope.

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "Data!$B$2")
            >>> pkg.defined_names()
            {'Rate': ('Data!$B$2', None)}
        """
        result: dict[str, tuple[str, int | None]] = {}
        for d in self.defined_name_list():
            if d.name not in result or (d.local_sheet_id is None and result[d.name][1] is not None):
                result[d.name] = (d.text, d.local_sheet_id)
        return result

    def set_defined_name(self, name: str, text: str, local_sheet_id: int | None = None) -> None:
        """Add a defined name, or replace the text of the one with the same name and scope.

        Names compare case-insensitively, as in Excel; a replaced name keeps its spelling
        and other attributes (``hidden``, ``comment``). ``text`` is the formula without
        ``=`` (``Data!$B$2``, ``0.25``, ``SUM(Data!$A:$A)``); ``local_sheet_id`` is the
        0-based sheet position for a sheet-scoped name. ``<definedNames>`` is created
        where Excel expects it (after ``<sheets>``) when the workbook has none.

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "0.2")
            >>> pkg.set_defined_name("RATE", "0.25")
            >>> pkg.defined_names()
            {'Rate': ('0.25', None)}
        """
        _check_defined_name(name)
        if not isinstance(text, str) or not text.strip():
            raise CrmError("the defined name's formula must be non-empty text", f"name '{name}'")
        text = text[1:] if text.startswith("=") else text
        if _XML_ILLEGAL.search(text):
            raise CrmError("the formula must not contain control characters", f"name '{name}'")
        sheets = self.sheets()
        if local_sheet_id is not None and not 0 <= local_sheet_id < len(sheets):
            raise CrmError(
                f"local_sheet_id {local_sheet_id} is not a sheet position (0 to {len(sheets) - 1})",
                f"name '{name}'",
            )
        root = self._tree(self._workbook, 2)
        prefix = root.prefix_for(MAIN_NS) or ""
        scope = "" if local_sheet_id is None else f' localSheetId="{local_sheet_id}"'
        body = _esc_text(text).encode()
        new = f'<{prefix}definedName name="{_esc_attr(name)}"{scope}>'.encode() + body
        new += f"</{prefix}definedName>".encode()
        container = root.child(MAIN_NS, "definedNames")
        if container is None:
            pos = _insert_position(root, WORKBOOK_ORDER, "definedNames")
            block = f"<{prefix}definedNames>".encode() + new + f"</{prefix}definedNames>".encode()
            self._store(self._workbook, root, [(pos, pos, block)])
            return
        entries = list(container.iter_children(MAIN_NS, "definedName"))
        for node in entries:
            local = node.get("localSheetId")
            same_scope = (local is None and local_sheet_id is None) or (
                local is not None and local.strip() == str(local_sheet_id)
            )
            if same_scope and (node.get("name") or "").casefold() == name.casefold():
                if node.self_closing:
                    slash = node.data.rindex(b"/", node.start, node.open_end)
                    edit = (slash, node.open_end, b">" + body + f"</{node.qname}>".encode())
                else:
                    edit = (node.open_end, node.close_start, body)
                self._store(self._workbook, root, [edit])
                return
        # Excel keeps the list sorted by the name it shows (without "_xlnm."), ignoring case.
        key = _name_order(name)
        later = next((n for n in entries if _name_order(n.get("name") or "") > key), None)
        edits = [(later.start, later.start, new)] if later else _append_into(container, new)
        self._store(self._workbook, root, edits)

    # -- calculation ---------------------------------------------------------------------------

    def request_full_calc_on_load(self) -> None:
        """Set ``<calcPr fullCalcOnLoad="1">`` so Excel recomputes every formula on opening
        (formula cells written without a cached value get one); ``<calcPr>`` is created if
        the workbook has none.

        Example::

            >>> pkg = _example()
            >>> pkg.request_full_calc_on_load()
            >>> b'fullCalcOnLoad="1"' in pkg.part("xl/workbook.xml")
            True
        """
        root = self._tree(self._workbook, 1)
        calc = root.child(MAIN_NS, "calcPr")
        if calc is not None:
            edits = _attr_edits(calc, {"fullCalcOnLoad": "1"})
        else:
            prefix = root.prefix_for(MAIN_NS) or ""
            pos = _insert_position(root, WORKBOOK_ORDER, "calcPr")
            edits = [(pos, pos, f'<{prefix}calcPr fullCalcOnLoad="1"/>'.encode())]
        if calc is None or calc.get("fullCalcOnLoad") != "1":
            self._store(self._workbook, root, edits)

    def drop_calc_chain(self) -> bool:
        """Remove ``xl/calcChain.xml`` with its relationship and content-type entry.

        Excel "repairs" a file whose calcChain lists a cell that no longer holds a formula;
        without a calcChain it simply rebuilds one. :meth:`set_cells` calls this itself
        when it removes a formula. Returns whether there was a calcChain.

        Example::

            >>> _example().drop_calc_chain()
            False
        """
        rels = [r for r in self._rels(self._workbook) if r.type == RT_CALC_CHAIN]
        for rel in rels:
            part = self._actual_name(_resolve(self._workbook, rel.target))
            if part is not None:
                self.remove_part(part)
        self._remove_relationships(self._workbook, {r.id for r in rels})
        return bool(rels)

    # -- cells -------------------------------------------------------------------------------

    def set_cells(self, sheet_name: str, values: Mapping[str, Any]) -> None:
        """Set cells of a worksheet: ``{"B4": 12.5, "C4": "text", "D4": Formula("B4*2", 25)}``.

        Values: numbers (``<v>``), text (an inline string: sharedStrings.xml is not
        touched, and text starting with ``=``, ``+``, ``-`` or ``@`` stays text), booleans,
        :class:`ErrorValue`, :class:`Formula` (``<f>`` with an optional cached ``<v>``),
        and None (the value goes, the cell's style ``s=`` stays). A cell keeps its style;
        rows and cells are created in order where missing, and ``<dimension>`` grows to
        cover them. The first cell of a shared formula and any cell of a multi-cell array
        formula are refused (changing them would break the formulas of other cells). When
        a formula is removed, calcChain is dropped (see :meth:`drop_calc_chain`).

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C1": "=1+1", "C2": 3, "C3": Formula("C2*2", cached=6)})
            >>> b'<c r="C1" t="inlineStr"><is><t>=1+1</t></is></c>' in pkg.part("xl/worksheets/sheet1.xml")
            True
        """
        info = self._worksheet(sheet_name)
        where = info.name
        targets: dict[int, dict[int, tuple[str, Any]]] = {}
        for ref, value in values.items():
            pos = _parse_ref(ref)
            if pos is None:
                raise CrmError("is not a cell reference like 'B4'", f"{where}!{ref}")
            targets.setdefault(pos[0], {})[pos[1]] = _cell_value(value, f"{where}!{ref}")
        if not targets:
            return
        root = self._tree(info.part, 4)
        sheet_data = root.child(MAIN_NS, "sheetData")
        if sheet_data is None:
            raise CrmError(f"part {info.part} has no <sheetData>", where)
        prefix = sheet_data.prefix_for(MAIN_NS) or ""
        edits: list[Edit] = []
        attr_changes: dict[int, tuple[_Node, dict[str, str | None]]] = {}

        def change(node: _Node, attrs: dict[str, str | None]) -> None:
            attr_changes.setdefault(node.start, (node, {}))[1].update(attrs)

        rows = _indexed(sheet_data.iter_children(MAIN_NS, "row"), "r", lambda r: int(r))
        _check_protected(rows, targets, where)
        had_cells = any(row.children for _, row in rows)
        removed_formula = False
        row_inserts: dict[int, list[tuple[int, bytes]]] = {}
        existing = dict(rows)
        row_numbers = [i for i, _ in rows]  # ascending, as the file format requires
        if any(row.get("r") is None for _, row in rows):
            for index, row in rows:
                if row.get("r") is None:
                    change(row, {"r": str(index)})
        for row_index in sorted(targets):
            wanted = targets[row_index]
            row = existing.get(row_index)
            if row is None:
                cells = b"".join(
                    _cell_xml(prefix, _ref(row_index, c), [], v)
                    for c, v in sorted(wanted.items())
                    if v[0] != "none"
                )
                if not cells:
                    continue
                new_row = f'<{prefix}row r="{row_index}">'.encode() + cells
                new_row += f"</{prefix}row>".encode()
                later = bisect.bisect_right(row_numbers, row_index)
                key = rows[later][1].start if later < len(rows) else -1
                row_inserts.setdefault(key, []).append((row_index, new_row))
                continue
            cells_in_row = _indexed(
                row.iter_children(MAIN_NS, "c"), "r", lambda r: _parse_ref(r)[1]
            )
            by_col = dict(cells_in_row)
            cell_inserts: dict[int, list[bytes]] = {}
            inserted_cols = []
            for col in sorted(wanted):
                kind = wanted[col]
                ref = _ref(row_index, col)
                cell = by_col.get(col)
                if cell is not None:
                    formula = cell.child(MAIN_NS, "f")
                    if formula is not None and kind[0] != "f":
                        removed_formula = True
                    kept = [(q, v) for q, v in _raw_attrs(cell) if q not in ("r", "t", "cm", "vm")]
                    if kind[0] == "none" and not kept:
                        edits.append((cell.start, cell.end, b""))
                    else:
                        edits.append(
                            (
                                cell.start,
                                cell.end,
                                _cell_xml(cell.prefix and cell.prefix + ":", ref, kept, kind),
                            )
                        )
                    continue
                if kind[0] == "none":
                    continue
                later = next((c for i, c in cells_in_row if i > col), None)
                key = later.start if later is not None else -1
                cell_inserts.setdefault(key, []).append(_cell_xml(prefix, ref, [], kind))
                inserted_cols.append(col)
            for key, chunks in cell_inserts.items():
                content = b"".join(chunks)
                edits += _append_into(row, content) if key == -1 else [(key, key, content)]
            # Cells without r= take their column from the cell before them: once cells are
            # inserted or removed around them, they need an explicit r=.
            for col, c in cells_in_row:
                if c.get("r") is None and col not in wanted:
                    change(c, {"r": _ref(row_index, col)})
            if inserted_cols:
                spans = row.get("spans")
                if spans and re.fullmatch(r"\d+:\d+( \d+:\d+)*", spans):
                    nums = [int(x) for x in re.split(r"[: ]", spans)]
                    lo, hi = min([*nums, *inserted_cols]), max([*nums, *inserted_cols])
                    if (lo, hi) != (nums[0], nums[-1]) or len(nums) > 2:
                        change(row, {"spans": f"{lo}:{hi}"})
        for key, chunks in row_inserts.items():
            content = b"".join(xml for _, xml in sorted(chunks))
            edits += _append_into(sheet_data, content) if key == -1 else [(key, key, content)]
        for node, attrs in attr_changes.values():
            edits += _attr_edits(node, attrs)
        dimension = root.child(MAIN_NS, "dimension")
        written = [(r, c) for r, cols in targets.items() for c, v in cols.items() if v[0] != "none"]
        if dimension is not None and written:
            edits += _grow_dimension(dimension, written, had_cells)
        with self._transaction():
            self._store(info.part, root, edits)
            if removed_formula:
                self.drop_calc_chain()

    # -- cached formula values -------------------------------------------------------------

    def set_cached_values(
        self, sheet_name: str, values: Mapping[str, Any], *, changed_only: bool = False
    ) -> int:
        """Write formula results as the cached values of formula cells; returns how many changed.

        ``values`` maps cells to results: ``{"L4": 71.2, "M4": "A", "N4": True,
        "O4": ErrorValue("#N/A"), "P4": ""}``. Only formula cells are accepted: cells with
        an ``<f>`` (normal, shared master or dependent, array anchor) and the other cells of
        an array formula's or a dynamic array's range (Excel stores ``<f t="array"
        ref=..>`` on the first cell only; the others hold just a ``<v>``). Any other cell
        is refused (:class:`CrmError` naming ``sheet!cell``) and nothing is changed.

        Only the ``<v>`` of each cell and its ``t=`` change: numbers have no ``t`` (the
        shortest repr that reads back the same float, integers without ``.0``; NaN and
        infinities are refused), text is ``t="str"`` (not a shared or inline string, as
        Excel stores a formula's text result; ``xml:space="preserve"`` when it starts or
        ends with white space, as Excel writes it), booleans ``t="b"`` with 1/0, errors
        ``t="e"``, and ``""`` is ``t="str"`` with ``<v></v>``. ``<f>``, ``s=``, ``cm=``,
        ``vm=``, ``ph=``, extensions and every other byte of the part stay as they were, so
        calcChain stays valid. A cell that already holds the same value with the same type
        is left byte for byte: an up-to-date sheet is not rewritten at all. A cell of an
        array range that the file lacks altogether (openpyxl writes only the first cell) is
        created, in its row, with ``<dimension>`` grown to cover it.

        ``changed_only=True`` says the caller compared each value with what the cell stores
        (``crm-xl recalc`` does) and found them different: the per-cell comparison is
        skipped. The result cells are found in one pass of the regular expression engine
        (no Python step for the other cells) and the edits applied in one join; what was
        put in is parsed to prove it well-formed. Sheets written otherwise than Excel
        writes them (comments, cells without ``r``, ...) take one pass over every cell.

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2"), "C3": Formula("B3*2")})
            >>> pkg.set_cached_values("Data", {"C2": 170, "C3": "n/a"})
            2
            >>> pkg.set_cached_values("Data", {"C2": 170.0})
            0
            >>> b'<c r="C3" t="str"><f>B3*2</f><v>n/a</v></c>' in pkg.part("xl/worksheets/sheet1.xml")
            True
            >>> pkg.set_cached_values("Data", {"B2": 1})
            Traceback (most recent call last):
            ...
            crm_xl.errors.CrmError: Data!B2: not a formula cell: recalc never overwrites input cells
        """
        with _gc_paused():
            return self._set_cached_values(sheet_name, values, changed_only)

    def _set_cached_values(
        self, sheet_name: str, values: Mapping[str, Any], changed_only: bool
    ) -> int:
        info, data, layout = self._sheet_part(sheet_name)
        where = info.name
        if layout is None:
            raise CrmError(f"part {info.part} has no <sheetData>", where)
        prefix = layout.prefix
        want, kinds, spelled = _encode_results(values, where, prefix)
        if not want:
            return 0
        pats = _sheet_patterns(prefix)
        start, end = layout.content
        strings = _once(self._shared_strings)
        targeted = _edit_targeted(data, start, end, pats, want, kinds, strings, changed_only)
        if targeted is not None:
            # only the result cells were visited: what was put in them is proved well-formed
            # (the rest of the part is as it was, and it was proved when it was read)
            new, changed, inserted = targeted
            if changed:
                try:
                    _xml_check(inserted, namespaces=False)
                except (ParseError, DefusedXmlException) as err:  # a bug here, never the input
                    raise AssertionError(
                        f"editing {info.part} produced broken XML: {err}"
                    ) from None
                self._parts[info.part] = new
                self._valid[info.part] = new
            return changed
        edit = _CellEditor(data, pats, kinds, strings)
        areas = _array_areas(data, start, end, pats)
        in_array = _array_lookup(areas)
        row_num = 0
        prev: bytes | None = None  # the previous cell's reference in this row
        pop = want.pop
        for m in _cells_regex(data, start, end, pats, areas).finditer(data, start, end):
            attrs, ref, f = m.group(2, 3, 8)
            if ref is None:
                if attrs is None:
                    row_attrs = m.group(1)
                    if row_attrs is not None:
                        rm = _R_ATTR.search(row_attrs)
                        row_num = int(rm.group(1) or rm.group(2)) if rm else row_num + 1
                        prev = None
                    continue
                ref = _cell_ref(attrs, prev, row_num)
            prev = ref
            new_v = pop(ref, None)
            if new_v is None:
                continue
            if f is None and not in_array(ref):
                raise CrmError(NOT_A_FORMULA, f"{where}!{spelled.get(ref, ref.decode())}")
            edit(m, ref, new_v)
        for ref in want:
            if _B_REF.fullmatch(ref) is None or not in_array(ref):
                raise CrmError(NOT_A_FORMULA, f"{where}!{spelled.get(ref, ref.decode())}")
        missing = _missing_cells(want, want, kinds, edit.c_name)
        changed = edit.changed
        if not changed and not missing:
            return 0
        new = edit.apply() if changed else data
        if missing:
            new = _insert_missing_cells(new, missing, pats)
            changed += sum(len(cols) for cols in missing.values())
        try:
            _xml_check(new)
        except (ParseError, DefusedXmlException) as err:  # a bug here, never the user's input
            raise AssertionError(f"editing {info.part} produced broken XML: {err}") from None
        self._parts[info.part] = new
        self._valid[info.part] = new
        return changed

    def _sheet_part(self, sheet_name: str) -> tuple[SheetInfo, bytes, _Layout | None]:
        """A worksheet's part, checked, and where its cells are (None: no <sheetData>)."""
        info = self._worksheet(sheet_name)
        self._check_xml(info.part)
        data = self._parts[info.part]
        return info, data, _sheet_layout(data)

    def formula_cells(self, sheet_name: str) -> set[str]:
        """Every formula cell of the sheet (``"L4"``): cells with an ``<f>`` and every cell
        of an array formula's or dynamic array's range (present in the file or not).

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2")})
            >>> sorted(pkg.formula_cells("Data"))
            ['C2']
        """
        _, data, layout = self._sheet_part(sheet_name)
        if layout is None:
            return set()
        start, end = layout.content
        p = layout.prefix
        if not _has_comments_or_pis(data, start, end) and _every_cell_has_r(
            data, start, end, p
        ):  # r= first in every cell: the engine picks the formula cells' r, in C
            pick = re.compile(
                rb"<"
                + re.escape(p)
                + rb'c r="([A-Z]{1,3}[1-9][0-9]{0,6})"[^>]*>\s*<'
                + re.escape(p)
                + rb"f[\s/>]"
            )
            found = set(b"\n".join(pick.findall(data, start, end)).decode("ascii").split("\n"))
            found.discard("")
        else:
            found = set(self.cached_values(sheet_name))
        for r1, c1, r2, c2 in _array_areas(data, start, end, _sheet_patterns(p)):
            for col in range(c1, c2 + 1):
                letters = _col_letters(col)
                found.update(f"{letters}{row}" for row in range(r1, r2 + 1))
        return found

    def array_areas(self, sheet_name: str) -> list[tuple[int, int, int, int]]:
        """The ranges (row1, col1, row2, col2) of the sheet's array formulas, dynamic arrays
        and data tables: their cells are formula cells even where the file holds just a
        ``<v>`` or nothing.

        Example::

            >>> _example().array_areas("Data")
            []
        """
        _, data, layout = self._sheet_part(sheet_name)
        if layout is None:
            return []
        start, end = layout.content
        return _array_areas(data, start, end, _sheet_patterns(layout.prefix))

    def cached_values(
        self, sheet_name: str, cells: Iterable[str] | None = None
    ) -> dict[str, tuple[str, Any]]:
        """The cached (stored) result of each formula cell: ``{"L4": ("n", 71.2), ...}``.

        The type is ``"n"`` (value a float), ``"str"`` (text; also a shared or inline
        string some writers store), ``"b"`` (bool), ``"e"`` (the error text, ``"#N/A"``)
        or ``"empty"`` (no cached value: value None). Formula cells are those
        :meth:`set_cached_values` accepts, including the other cells of array and
        dynamic-array ranges. With ``cells`` only those are looked up, keyed as given;
        cells that hold no formula are left out, and a cell of an array range that the
        file lacks is ``("empty", None)``. Without ``cells`` every formula cell present in
        the file is listed, keyed like ``"L4"``. One pass over the part.

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2", cached=170), "C3": Formula('""')})
            >>> pkg.cached_values("Data")
            {'C2': ('n', 170.0), 'C3': ('empty', None)}
            >>> pkg.cached_values("Data", ["$C$2", "B2"])
            {'$C$2': ('n', 170.0)}
        """
        with _gc_paused():
            return self._cached_values(sheet_name, cells)

    def _cached_values(
        self, sheet_name: str, cells: Iterable[str] | None
    ) -> dict[str, tuple[str, Any]]:
        info, data, layout = self._sheet_part(sheet_name)
        where = info.name
        if layout is None:
            return {}
        wanted: dict[bytes, str] | None = None
        if cells is not None:
            keys = [cells] if isinstance(cells, str) else list(cells)
            if not keys:
                return {}
            try:
                joined = "\n".join(keys)
            except TypeError:
                joined = ""
            if _PLAIN_REFS.fullmatch(joined):
                wanted = dict(zip(joined.encode().split(b"\n"), keys, strict=True))
            else:
                wanted = {_canonical_ref(c, where): c for c in keys}
        pats = _sheet_patterns(layout.prefix)
        start, end = layout.content
        areas = _array_areas(data, start, end, pats)
        in_array = _array_lookup(areas)
        strings = _once(self._shared_strings)
        v_open, v_close = b"<" + layout.prefix + b"v>", b"</" + layout.prefix + b"v>"
        v_skip, v_cut = len(v_open), -len(v_close)
        result: dict[str, tuple[str, Any]] = {}
        row_num = 0
        prev: bytes | None = None
        key: str | None = None
        for m in _cells_regex(data, start, end, pats, areas).finditer(data, start, end):
            row_attrs, attrs, ref, _s, t, rest, body, f, v, _tail = m.groups()
            if ref is None:
                if attrs is None:
                    if row_attrs is not None:
                        rm = _R_ATTR.search(row_attrs)
                        row_num = int(rm.group(1) or rm.group(2)) if rm else row_num + 1
                        prev = None
                    continue
                ref = _cell_ref(attrs, prev, row_num)
            prev = ref
            if wanted is not None:
                key = wanted.get(ref)
                if key is None:
                    continue
            if f is None and not in_array(ref):
                continue
            if t is None and rest and b"t=" in attrs:
                tm = _T_ATTR.search(attrs)
                t = None if tm is None else tm.group(1) if tm.group(1) is not None else tm.group(2)
            if t is None and v is not None and v.startswith(v_open) and v.endswith(v_close):
                try:  # a number, the common case: no second look at the cell
                    result[key or ref.decode()] = ("n", float(v[v_skip:v_cut]))
                    continue
                except ValueError:
                    pass
            result[key or ref.decode()] = _cached_of(t, body, pats, strings)
        if wanted is not None and len(result) < len(wanted) and areas:
            for ref, key in wanted.items():
                if key not in result and in_array(ref):
                    result[key] = ("empty", None)
        return result

    def _shared_strings(self) -> list[str]:
        """The workbook's shared strings (texts of ``<si>``, phonetic runs left out)."""
        rel = next(
            (r for r in self._rels(self._workbook) if r.type == REL_NS + "/sharedStrings"), None
        )
        part = self._actual_name(_resolve(self._workbook, rel.target)) if rel else None
        if part is None:
            return []
        root = self._tree(part, 3)
        texts = []
        for si in root.iter_children(MAIN_NS, "si"):
            pieces = [c for c in si.children if c.is_(MAIN_NS, "t")]
            for run in si.iter_children(MAIN_NS, "r"):
                pieces += [c for c in run.children if c.is_(MAIN_NS, "t")]
            pieces.sort(key=lambda n: n.start)
            texts.append(_xstring_decode("".join(p.text() for p in pieces)))
        return texts

    # -- saving -------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The package as a zip archive (what :meth:`save` writes).

        Example::

            >>> _example().to_bytes()[:2]
            b'PK'
        """
        import io

        buffer = io.BytesIO()
        self._write(buffer)
        return buffer.getvalue()

    def _write(self, stream) -> None:
        default_date = (
            next(iter(self._infos.values())).date_time if self._infos else (1980, 1, 1, 0, 0, 0)
        )
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.comment = self.archive_comment
            for name, data in self._parts.items():
                old = self._infos.get(name)
                info = zipfile.ZipInfo(name, old.date_time if old else default_date)
                if old is not None:
                    info.compress_type = old.compress_type
                    info.external_attr = old.external_attr
                    info.create_system = old.create_system
                    info.comment = old.comment
                    info.extra = _strip_zip64(old.extra)
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = len(data)
                with archive.open(info, "w") as member:
                    if _ParallelDeflate.suits(info, member):
                        member._compressor = _ParallelDeflate()  # a big sheet: every core
                    member.write(data)
                # zipfile turns an external_attr of 0 (what Excel writes) into 0o600 << 16;
                # the attribute is only in the central directory, written on close.
                info.external_attr = old.external_attr if old is not None else 0

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the workbook atomically: a temporary file in the same folder, fsync, rename.

        If anything fails the file at ``path`` is left as it was and no temporary file
        remains. ``path`` may be the file the package was opened from. An existing file's
        permissions are kept.

        Example::

            >>> import tempfile, pathlib
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.xlsx"
            >>> _example().save(path)
            >>> path.read_bytes()[:2]
            b'PK'
        """
        path = Path(path)
        folder = path.parent if str(path.parent) else Path(".")
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as stream:
                self._write(stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


class _ParallelDeflate:
    """A compressor for :class:`zipfile.ZipFile` members that deflates a big part on every
    core (at zlib level 5, see ``LEVEL``): the part is cut into 1 MiB pieces, each
    compressed in a thread (zlib releases the GIL) with the 32 KiB before it as its
    dictionary and ending on a byte boundary (``Z_SYNC_FLUSH``), so the pieces joined are
    one ordinary deflate stream, as small as a serial one (the method pigz uses). The zip
    member computes the CRC and sizes as usual; this object only stands in for the
    ``zlib.compressobj`` it would make.
    """

    MIN_SIZE = 4 << 20  # smaller parts are deflated as zipfile does, in one thread
    PIECE = 1 << 20
    WINDOW = 32 << 10
    # zlib's level 5, not its default 6: on worksheet XML it gives files within about 1 %
    # of level 6's size (the same size on a 100,000-row table) in 60 % of the time
    LEVEL = 5

    def __init__(self, level: int = LEVEL):
        self.level = level

    @classmethod
    def suits(cls, info: zipfile.ZipInfo, member: Any) -> bool:
        """Worth it, and possible: a big deflated part, several cores, and a zipfile whose
        member takes its compressor from ``_compressor`` (CPython 3.10 to 3.14 do)."""
        return (
            info.file_size >= cls.MIN_SIZE
            and info.compress_type == zipfile.ZIP_DEFLATED
            and (os.cpu_count() or 1) > 1
            and getattr(member, "_compressor", None) is not None
        )

    def _piece(self, data: Any, at: int) -> bytes:
        window = bytes(data[max(0, at - self.WINDOW) : at])
        if window:
            c = zlib.compressobj(self.level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, window)
        else:
            c = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        return c.compress(data[at : at + self.PIECE]) + c.flush(zlib.Z_SYNC_FLUSH)

    def compress(self, data: Any) -> bytes:
        from concurrent.futures import ThreadPoolExecutor

        view = memoryview(data)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            pieces = pool.map(lambda at: self._piece(view, at), range(0, len(view), self.PIECE))
            return b"".join(pieces)

    def flush(self) -> bytes:
        return zlib.compressobj(self.level, zlib.DEFLATED, -15).flush()  # the final block


# --- helpers for set_cells --------------------------------------------------------------


def _cell_value(value: Any, where: str) -> tuple[str, Any]:
    """Check a value for set_cells and classify it: ('n'|'s'|'b'|'e'|'f'|'none', payload)."""
    if value is None:
        return ("none", None)
    if isinstance(value, Formula):
        text = value.text
        if not isinstance(text, str) or not text.strip():
            raise CrmError("a formula must be non-empty text", where)
        if len(text) > MAX_FORMULA:
            raise CrmError(
                f"the formula is {len(text)} characters; Excel allows {MAX_FORMULA}", where
            )
        if _XML_ILLEGAL.search(text):
            raise CrmError("the formula contains control characters", where)
        cached = None if value.cached is None else _cell_value(value.cached, where)
        if cached is not None and cached[0] == "f":
            raise CrmError("a formula's cached value cannot be a formula", where)
        return ("f", (text, cached))
    if isinstance(value, ErrorValue):
        return ("e", value.code)
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return ("b", "1" if value else "0")
    if isinstance(value, numbers.Real):
        return ("n", _number(value, where))
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            raise CrmError(
                f"text of {len(value):,} characters; an Excel cell holds at most {MAX_CELL_TEXT:,}",
                where,
            )
        if re.search("[\ud800-\udfff]", value):
            raise CrmError("the text contains an unpaired surrogate character", where)
        return ("s", value)
    raise CrmError(
        f"cannot write a {type(value).__name__} to a cell: use a number, text, bool, None, "
        "Formula or ErrorValue (dates: write the serial number into a date-formatted cell)",
        where,
    )


def _number(value: numbers.Real, where: str) -> str:
    if isinstance(value, numbers.Integral) and abs(int(value)) < 10**15:
        return str(int(value))
    f = float(value)
    if not math.isfinite(f):
        raise CrmError(f"{f} cannot be stored in Excel; write None or an ErrorValue", where)
    if f == 0:
        return "0"
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def _cell_xml(prefix: str, ref: str, kept: list[tuple[str, bytes]], kind: tuple[str, Any]) -> bytes:
    """A whole ``<c>`` element; ``kept`` are the old cell's other attributes (raw, in order)."""
    attrs = f' r="{ref}"'.encode() + b"".join(b" " + q.encode() + b"=" + raw for q, raw in kept)
    tag, payload = kind
    c = f"{prefix}c".encode()

    def value_part(kind: tuple[str, Any]) -> tuple[str | None, str]:
        tag, payload = kind
        if tag == "n":
            return None, f"<{prefix}v>{payload}</{prefix}v>"
        if tag == "b":
            return "b", f"<{prefix}v>{payload}</{prefix}v>"
        if tag == "e":
            return "e", f"<{prefix}v>{_esc_text(payload)}</{prefix}v>"
        if tag == "s":  # a formula's text result
            return "str", f"<{prefix}v>{_cell_text(payload)}</{prefix}v>"
        raise AssertionError(tag)

    if tag == "none":
        return b"<" + c + attrs + b"/>"
    if tag == "s":
        space = ' xml:space="preserve"' if payload != payload.strip() or "\n" in payload else ""
        body = f"<{prefix}is><{prefix}t{space}>{_cell_text(payload)}</{prefix}t></{prefix}is>"
        return b"<" + c + attrs + b' t="inlineStr">' + body.encode() + b"</" + c + b">"
    if tag == "f":
        text, cached = payload
        t, v = value_part(cached) if cached is not None else (None, "")
        body = f"<{prefix}f>{_esc_text(text)}</{prefix}f>{v}"
    else:
        t, v = value_part(kind)
        body = v
    t_attr = f' t="{t}"'.encode() if t else b""
    return b"<" + c + attrs + t_attr + b">" + body.encode() + b"</" + c + b">"


def _raw_attrs(node: _Node) -> list[tuple[str, bytes]]:
    """A start tag's attributes as (qname, raw quoted value), so kept ones are copied verbatim."""
    s, e = node.attr_span
    return [
        (m.group(1).decode(), node.data[m.end(1) : m.end()].split(b"=", 1)[1].strip())
        for m in _ATTR.finditer(node.data, s, e)
    ]


def _indexed(
    nodes: Iterable[_Node], attr: str, parse: Callable[[str], int]
) -> list[tuple[int, _Node]]:
    """(index, node) pairs; an element without ``r`` follows the one before it (ECMA-376)."""
    result = []
    previous = 0
    for node in nodes:
        value = node.get(attr)
        index = previous + 1
        if value is not None:
            with contextlib.suppress(ValueError, TypeError):
                index = parse(value)
        result.append((index, node))
        previous = index
    return result


def _check_protected(rows: list[tuple[int, _Node]], targets, where: str) -> None:
    """Refuse to write into a shared formula's first cell or into a multi-cell array formula."""
    for row_index, row in rows:
        for col, cell in _indexed(row.iter_children(MAIN_NS, "c"), "r", lambda r: _parse_ref(r)[1]):
            f = cell.child(MAIN_NS, "f")
            if f is None:
                continue
            kind, ref = f.get("t"), f.get("ref")
            area = _parse_range(ref) if ref else None
            if kind == "shared" and ref is not None and col in targets.get(row_index, {}):
                raise CrmError(
                    f"is the first cell of a shared formula that fills {ref}; changing it would "
                    "change or break the formulas of the other cells",
                    f"{where}!{_ref(row_index, col)}",
                )
            if kind in ("array", "dataTable") and area is not None:
                r1, c1, r2, c2 = area
                if (r1, c1) == (r2, c2):
                    continue
                for r in range(r1, r2 + 1):
                    for c in targets.get(r, {}):
                        if c1 <= c <= c2:
                            what = "an array formula" if kind == "array" else "a data table"
                            raise CrmError(
                                f"is inside {what} that fills {ref}; Excel cannot change part of it",
                                f"{where}!{_ref(r, c)}",
                            )


def _grow_dimension(node: _Node, written: list[tuple[int, int]], had_cells: bool) -> list[Edit]:
    rows = [r for r, _ in written]
    cols = [c for _, c in written]
    box = [min(rows), min(cols), max(rows), max(cols)]
    old = _parse_range(node.get("ref") or "")
    if old is not None and had_cells:
        box = [min(box[0], old[0]), min(box[1], old[1]), max(box[2], old[2]), max(box[3], old[3])]
    ref = _ref(box[0], box[1])
    if (box[0], box[1]) != (box[2], box[3]):
        ref += ":" + _ref(box[2], box[3])
    return [] if ref == node.get("ref") else _attr_edits(node, {"ref": ref})


# --- helpers for cached values ----------------------------------------------------------

# 'L4' as Excel writes it: columns A to XFD, rows up to 999999 (the rest take the slow way)
_PLAIN = r"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])[1-9][0-9]{0,5}"
_PLAIN_REF = re.compile(_PLAIN)
_PLAIN_REFS = re.compile(f"{_PLAIN}(?:\n{_PLAIN})*")  # plain references, one a line
_B_REF = re.compile(rb"([A-Z]{1,3})([1-9][0-9]{0,6})")
_XSTRING_CODE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_S_ATTR = re.compile(rb"""(?:^|\s)s\s*=\s*(?:"[^"]*"|'[^']*')""")
_T_ATTR = re.compile(rb"""(?:^|\s)t\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_ATTR = re.compile(rb"""\sref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_COLUMN_NUMBERS: dict[bytes, int] = {}
NOT_A_FORMULA = "not a formula cell: recalc never overwrites input cells"


@dataclass(frozen=True)
class _Layout:
    """Where a worksheet part's cells are: main-namespace prefix, ``<sheetData>`` content."""

    prefix: bytes  # b"" or b"x:"
    content: tuple[int, int]  # from the end of <sheetData>'s start tag to its end tag
    dimension: _Node | None


@dataclass(frozen=True)
class _SheetPatterns:
    prefix: bytes
    value: re.Pattern[bytes]  # a cell's <v>
    formula: re.Pattern[bytes]  # the <f> at the start of a cell's content
    inline: re.Pattern[bytes]  # a cell's <is>
    text: re.Pattern[bytes]  # <t> of an inline string
    phonetic: re.Pattern[bytes]  # <rPh> of an inline string
    array: re.Pattern[bytes]  # the start tag of an array or data-table formula
    rows: re.Pattern[bytes]  # rows' start and end tags, cells' start tags
    inline_tag: bytes  # b"<is" with the prefix
    cells: dict[bytes, re.Pattern[bytes]]  # see _cells_regex, by the cells it picks


_PATTERNS: dict[bytes, _SheetPatterns] = {}
_SKIP = rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"


def _sheet_patterns(prefix: bytes) -> _SheetPatterns:
    found = _PATTERNS.get(prefix)
    if found is not None:
        return found
    p = re.escape(prefix)

    def tag(local: bytes) -> bytes:
        return b"<" + p + local + rb"(?=[\s/>])"

    def end(local: bytes) -> bytes:
        return b"</" + p + local + rb"\s*>"

    found = _SheetPatterns(
        prefix=prefix,
        value=re.compile(tag(b"v") + rb"([^>]*?)(?:/>|>([^<]*)" + end(b"v") + b")"),
        formula=re.compile(rb"\s*" + tag(b"f") + rb"[^>]*?(?:/>|>[^<]*" + end(b"f") + b")"),
        inline=re.compile(tag(b"is") + rb"(?:[^>]*?/>|.*?" + end(b"is") + b")", re.S),
        text=re.compile(tag(b"t") + rb"[^>]*?(?:/>|>([^<]*)" + end(b"t") + b")"),
        phonetic=re.compile(tag(b"rPh") + rb"(?:[^>]*?/>|.*?" + end(b"rPh") + b")", re.S),
        array=re.compile(tag(b"f") + rb"[^>]*?\st\s*=\s*[\"'](?:array|dataTable)[\"'][^>]*>"),
        rows=re.compile(
            _SKIP + b"|" + tag(b"row") + rb"([^>]*?)(/?)>|(" + end(b"row") + b")"
            b"|" + tag(b"c") + rb"([^>]*?)/?>",
            re.S,
        ),
        inline_tag=b"<" + prefix + b"is",
        cells={},
    )
    _PATTERNS[prefix] = found
    return found


def _cells_regex(
    data: bytes, start: int, end: int, pats: _SheetPatterns, areas: list[tuple[int, int, int, int]]
) -> re.Pattern[bytes]:
    """The one-pass pattern over ``<sheetData>``: row start tags and whole cells.

    Groups: 1 row attributes; 2 cell attributes (ending in ``/`` for ``<c .../>``); 3 ``r``;
    4 ``s=".."`` and 5 the ``t`` value when written where Excel writes them (r, s, t); 6
    the other attributes; 7 the cell's content; 8 its ``<f>``; 9 its ``<v>``; 10 what
    follows (``<is>``, ``<extLst>``; usually nothing). When every cell's first attribute is
    ``r`` (Excel, openpyxl, XlsxWriter) the pattern picks only the cells with a formula
    and those in the columns of array formulas: the regex engine skips the rest (the
    input cells) without a Python step each. Otherwise it picks every cell, and the
    caller works out missing ``r`` from the row and the cell before.
    """
    p = re.escape(pats.prefix)
    every_r = _every_cell_has_r(data, start, end, pats.prefix)
    wide = sum(c2 - c1 + 1 for _, c1, _, c2 in areas) > 64
    cols = [] if wide else sorted({col for _, c1, _, c2 in areas for col in range(c1, c2 + 1)})
    if not every_r:
        ref = rb"(?:\s+r=\"([^\"]*)\")?"
    elif wide or len(cols) > 64:
        ref = rb"\s+r=\"([^\"]*)\""
    else:
        with_f = rb"[^\"]*(?=[^>]*>\s*<" + p + rb"f[\s/>])"
        letters = b"|".join(_col_letters(col).encode() for col in cols)
        ref = (
            rb"\s+r=\"((?:" + letters + rb")[1-9][0-9]*|" + with_f + rb")\""
            if cols
            else (rb"\s+r=\"(" + with_f + rb")\"")
        )
    found = pats.cells.get(ref)
    if found is None:
        found = re.compile(
            _SKIP + b"|<" + p + rb"row(?=[\s/>])([^>]*)>"
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


def _every_cell_has_r(data: bytes, start: int, end: int, prefix: bytes) -> bool:
    """Every cell of ``data[start:end]`` starts ``<c r="``, as Excel, openpyxl and XlsxWriter
    write them (two C-level counts)."""
    c = b"<" + prefix + b"c"
    return data.count(c, start, end) == data.count(c + b' r="', start, end)


def _sheet_layout(data: bytes) -> _Layout | None:
    """Find ``<sheetData>`` (and ``<dimension>``) scanning only the tags before it."""
    depth = 0
    nsmap: dict[str, str] = dict(_BASE_NS)
    dimension = None
    for m in _TOKEN.finditer(data):
        name = m.group(2)
        if name is None:
            continue
        if m.group(1):
            depth -= 1
            if depth <= 0:
                return None
            continue
        if depth == 0 and b"xmlns" in m.group(3):
            for a in _ATTR.finditer(m.group(3)):
                key = a.group(1).decode()
                value = _unescape((a.group(2) if a.group(2) is not None else a.group(3)).decode())
                if key == "xmlns":
                    nsmap[""] = value
                elif key.startswith("xmlns:"):
                    nsmap[key[6:]] = value
        qname = name.decode()
        prefix, _, local = qname.rpartition(":")
        if depth == 1 and nsmap.get(prefix) == MAIN_NS:
            if local == "dimension":
                dimension = _Node(data, qname, m.start(), m.end(), m.span(3), nsmap)
            elif local == "sheetData":
                p = (prefix + ":").encode() if prefix else b""
                if m.group(4):
                    return _Layout(p, (m.end(), m.end()), dimension)
                close = data.rfind(b"</" + name)
                return _Layout(p, (m.end(), close), dimension) if close > m.end() else None
        if not m.group(4):
            depth += 1
    return None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after, as it was).

    Scanning a big sheet allocates millions of short-lived match objects and tuples, which
    set off collections that walk every live container: with a million cached values
    already in memory (``cached_values`` results, say) that costs seconds. Nothing made in
    these loops forms reference cycles, so nothing is lost by waiting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _once(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` called at most once, on first use."""
    box: list[Any] = []

    def get() -> Any:
        if not box:
            box.append(fn())
        return box[0]

    return get


def _col_of(letters: bytes) -> int:
    n = _COLUMN_NUMBERS.get(letters)
    if n is None:
        n = _col_number(letters.decode("ascii"))
        if len(_COLUMN_NUMBERS) < 20_000:
            _COLUMN_NUMBERS[letters] = n
    return n


def _canonical_ref(key: Any, where: str) -> bytes:
    """'L4', 'l4', '$L$4' → b'L4'; CrmError naming ``where!key`` when it is no cell reference."""
    if type(key) is str and _PLAIN_REF.fullmatch(key):
        return key.encode("ascii")
    pos = _parse_ref(key) if isinstance(key, str) else None
    if pos is None:
        raise CrmError("is not a cell reference like 'B4'", f"{where}!{key}")
    return _ref(*pos).encode("ascii")


def _cell_ref(attrs: bytes, prev: bytes | None, row: int) -> bytes:
    """A cell's reference when ``r=`` is not its first attribute, or is missing (ECMA-376:
    the cell after the previous one in its row)."""
    m = _R_ATTR.search(attrs)
    if m is not None:
        return m.group(1) if m.group(1) is not None else m.group(2)
    before = _B_REF.fullmatch(prev) if prev else None
    if prev and before is None:
        return b""
    col = _col_of(before.group(1)) + 1 if before else 1
    return _ref(row, col).encode("ascii") if row else b""


def _array_areas(
    data: bytes, start: int, end: int, pats: _SheetPatterns
) -> list[tuple[int, int, int, int]]:
    """The ranges of the sheet's array (and data-table) formulas, dynamic arrays included."""
    if data.find(b"array", start, end) < 0 and data.find(b"dataTable", start, end) < 0:
        return []
    areas = []
    for m in pats.array.finditer(data, start, end):
        ref = _REF_ATTR.search(m.group(0))
        area = _parse_range((ref.group(1) or ref.group(2) or b"").decode()) if ref else None
        if area is not None:
            areas.append(area)
    return areas


def _array_lookup(areas: list[tuple[int, int, int, int]]) -> Callable[[bytes], bool]:
    """A test ``ref → bool``: is the cell inside one of ``areas``?"""
    if not areas:
        return lambda ref: False
    by_col: dict[int, list[tuple[int, int]]] = {}
    if sum(c2 - c1 + 1 for _, c1, _, c2 in areas) <= 1_000_000:
        for r1, c1, r2, c2 in areas:
            for c in range(c1, c2 + 1):
                by_col.setdefault(c, []).append((r1, r2))

    def inside(ref: bytes) -> bool:
        m = _B_REF.fullmatch(ref)
        if m is None:
            return False
        col = _col_of(m.group(1))
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


def _encode_results(
    values: Mapping[str, Any], where: str, prefix: bytes
) -> tuple[dict[bytes, bytes], dict[bytes, bytes], dict[bytes, str]]:
    """Formula results as ``<v>`` elements: (cell → <v>, cell → t if not a number, cell →
    key as the caller spelled it when that is not plain ``L4``). CrmError for a value that
    Excel cannot hold or a cell given twice.

    A million values are the common case: the plain ones (floats, ints, bools, repeated
    text) are turned into bytes with C-level loops (map, zip, dict), the rest one by one.
    The dicts hold only bytes, which the garbage collector does not track.
    """
    v_open, v_close = b"<" + prefix + b"v>", b"</" + prefix + b"v>"
    v_space = b"<" + prefix + b'v xml:space="preserve">'
    v_true, v_false = v_open + b"1" + v_close, v_open + b"0" + v_close
    texts: dict[str, bytes] = {}

    def element(x: Any) -> bytes | None:
        kind = type(x)
        if kind is float:
            if x - x != 0.0:
                return None
            if x.is_integer() and -1e16 < x < 1e16:
                return v_open + str(int(x)).encode() + v_close
            return v_open + repr(x).encode() + v_close
        if kind is str:
            v = texts.get(x)
            if v is None and len(x) <= MAX_CELL_TEXT:
                try:
                    text = _cell_text(x).encode()
                except UnicodeEncodeError:
                    return None
                space = text[:1].isspace() or text[-1:].isspace()
                v = (v_space if space else v_open) + text + v_close
                if len(texts) < 10_000:
                    texts[x] = v
            return v
        if kind is bool:
            return v_true if x else v_false
        if kind is int and -(2**53) < x < 2**53:
            return v_open + str(x).encode() + v_close
        return None

    keys = list(values)
    try:
        joined = "\n".join(keys)
    except TypeError:
        joined = None
    spelled: dict[bytes, str] = {}
    if joined is not None and _PLAIN_REFS.fullmatch(joined):
        refs = joined.encode().split(b"\n") if keys else []
    else:
        refs = [_canonical_ref(key, where) for key in keys]
        spelled = {
            ref: key for ref, key in zip(refs, keys, strict=True) if ref != str(key).encode()
        }
    vals = list(values.values())
    elements = _float_elements(vals, v_open, v_close)
    if elements is None:
        elements = list(map(element, vals))
    t_of = {str: b"str", bool: b"b", ErrorValue: b"e"}
    ts = list(map(t_of.get, map(type, vals)))
    for i in [i for i, v in enumerate(elements) if v is None]:
        t, text = _cached_entry(vals[i], where, keys[i])  # raises for what Excel can't hold
        ts[i] = t
        space = t == b"str" and text and (text[:1].isspace() or text[-1:].isspace())
        elements[i] = (v_space if space else v_open) + text + v_close
    want = dict(zip(refs, elements, strict=True))
    if len(want) != len(refs):
        seen: set[bytes] = set()
        for ref, key in zip(refs, keys, strict=True):
            if ref in seen:
                raise CrmError("is given twice (in different spellings)", f"{where}!{key}")
            seen.add(ref)
    kinds = dict(itertools.compress(zip(refs, ts, strict=True), ts))
    return want, kinds, spelled


def _float_elements(vals: list[Any], v_open: bytes, v_close: bytes) -> list[bytes] | None:
    """``<v>`` elements of finite floats, all at once (None unless every value is one):
    what :func:`_cached_entry` writes — the shortest repr, integers below 1e16 without
    ``.0`` — made with C-level ``map`` calls."""
    if set(map(type, vals)) != {float} or not all(map(math.isfinite, vals)):
        return None
    texts = list(map(float.__repr__, vals))
    for i in itertools.compress(
        range(len(texts)), map(str.endswith, texts, itertools.repeat(".0"))
    ):
        whole = texts[i][:-2]  # repr writes exponents from 1e16 on: this is str(int(x))
        texts[i] = "0" if whole == "-0" else whole
    digits = "\n".join(texts).encode("ascii").split(b"\n")
    return list(map(b"".join, zip(itertools.repeat(v_open), digits, itertools.repeat(v_close))))


def _cached_entry(value: Any, where: str, key: str) -> tuple[bytes | None, bytes]:
    """A formula result as (t attribute, escaped <v> text); CrmError for what Excel can't hold."""
    kind = type(value)
    if kind is float:
        if value - value != 0.0:
            raise CrmError(
                f"{value} cannot be stored in Excel; write an ErrorValue instead", f"{where}!{key}"
            )
        if value.is_integer() and -1e16 < value < 1e16:
            return None, str(int(value)).encode()
        return None, repr(value).encode()
    if kind is str:
        if len(value) > MAX_CELL_TEXT:
            raise CrmError(
                f"text of {len(value):,} characters; an Excel cell holds at most {MAX_CELL_TEXT:,}",
                f"{where}!{key}",
            )
        try:
            return b"str", _cell_text(value).encode()
        except UnicodeEncodeError:
            raise CrmError(
                "the text contains an unpaired surrogate character", f"{where}!{key}"
            ) from None
    if kind is bool or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return b"b", (b"1" if value else b"0")
    if isinstance(value, numbers.Integral):
        value = int(value)
        if -(2**53) < value < 2**53:
            return None, str(value).encode()
        try:
            value = float(value)
        except OverflowError:
            raise CrmError(f"{value} is too large for Excel", f"{where}!{key}") from None
        return _cached_entry(value, where, key)
    if isinstance(value, ErrorValue):
        return b"e", _esc_text(value.code).encode()
    if isinstance(value, numbers.Real):
        return _cached_entry(float(value), where, key)
    if isinstance(value, str):  # numpy.str_ and other subclasses
        return _cached_entry(str(value), where, key)
    what = "None" if value is None else f"a {type(value).__name__}"
    raise CrmError(
        f"{what} is not a formula result: use a number, text ('' for an empty result), "
        "a bool or an ErrorValue",
        f"{where}!{key}",
    )


def _xstring_decode(text: str) -> str:
    """ST_Xstring escapes back to characters: ``_x000D_`` → CR, ``_x005F_x0041_`` → ``_x0041_``."""
    if "_x" not in text:
        return text
    return _XSTRING_CODE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _cached_of(
    t: bytes | None, body: bytes | None, pats: _SheetPatterns, strings: Callable[[], list[str]]
) -> tuple[str, Any]:
    """A cell's cached value as (type, value): n, str, b, e or empty (see cached_values).

    ``body`` is the cell's content, or just its ``<v>`` element.
    """
    if not body:
        return ("empty", None)
    if t == b"inlineStr":
        inline = pats.inline.search(body)
        if inline is None:
            return ("empty", None)
        runs = pats.phonetic.sub(b"", inline.group(0))
        texts = [m.group(1) or b"" for m in pats.text.finditer(runs)]
        return ("str", _xstring_decode(_unescape(b"".join(texts).decode())))
    v = pats.value.search(body)
    raw = v.group(2) if v is not None else None
    if raw is None or (not raw.strip() and t != b"str"):
        return ("str", "") if v is not None and t == b"str" else ("empty", None)
    if t is None or t == b"n":
        try:
            return ("n", float(raw))
        except ValueError:
            return ("str", _xstring_decode(_unescape(raw.decode())))
    text = _unescape(raw.decode())
    if t == b"str":
        return ("str", _xstring_decode(text))
    if t == b"b":
        return ("b", text.strip() in ("1", "true"))
    if t == b"e":
        return ("e", text.strip())
    if t == b"s":
        try:
            return ("str", strings()[int(text)])
        except (ValueError, IndexError):
            return ("empty", None)
    return ("str", _xstring_decode(text))


class _CellEditor:
    """Gives cells new cached values: the edits of one worksheet part, applied in one join.

    Called with each result cell's match of :func:`_cells_regex`, in the order of the part,
    it records only the bytes that change (the ``<v>``, the ``t=``); a cell that already
    stores the same value with the same type is left byte for byte.
    """

    def __init__(
        self,
        data: bytes,
        pats: _SheetPatterns,
        kinds: Mapping[bytes, bytes],
        strings: Callable[[], list[str]],
    ):
        self.data, self.pats, self.kinds, self.kind_of = data, pats, kinds, kinds.get
        self.strings = strings
        self.c_name = pats.prefix + b"c"
        self.close = b"</" + self.c_name + b">"
        self.edits: list[Edit] = []  # in the order of the part, never overlapping
        self.changed = 0  # cells edited

    def __call__(self, m: re.Match[bytes], ref: bytes, new_v: bytes) -> None:
        data, pats = self.data, self.pats
        attrs, s, t, rest, body, f, v, tail = m.group(2, 4, 5, 6, 7, 8, 9, 10)
        new_t = self.kind_of(ref)
        odd = (t is None and rest and b"t=" in attrs) or (tail and pats.inline_tag in tail)
        tm = None
        if odd:  # t= not where Excel writes it, or an inline string: the slow way
            tm = _T_ATTR.search(attrs)
            t = None if tm is None else tm.group(1) if tm.group(1) is not None else tm.group(2)
        same_t = t == new_t or (t == b"n" and new_t is None)
        if same_t and v is not None:
            if v == new_v:
                return  # the same value: not a byte changes
            if new_t is None:  # numbers: the same float written another way ("2.0")?
                if _same_number(v[v.index(b">") + 1 : v.rindex(b"<")], new_v, self.pats.prefix):
                    return
            elif _cached_of(t, v, pats, self.strings) == _cached_of(
                new_t, new_v, pats, self.strings
            ):
                return
        edits = self.edits
        self.changed += 1
        if odd:
            new_cell = _new_cell(self.c_name, attrs, tm, t, new_t, body, new_v, pats)
            edits.append((m.start(), m.end(), new_cell))
            return
        if not same_t:
            if t is None:  # add t= after s= (else r=), where Excel writes it
                at = m.end(4) if s is not None else m.end(3) + 1 if m.start(3) >= 0 else m.start(2)
                edits.append((at, at, b' t="' + new_t + b'"'))
            elif new_t is None:  # a number: t= goes
                ts, te = m.span(5)
                cut = ts - 3  # t="
                while data[cut - 1 : cut].isspace():
                    cut -= 1
                edits.append((cut, te + 1, b""))
            else:
                edits.append((*m.span(5), new_t))
        if body is None:  # <c .../> becomes <c ...><v>..</v></c>
            slash = m.end(2) - 1
            while data[slash - 1 : slash].isspace():  # openpyxl writes <c r="A1" />
                slash -= 1
            edits.append((slash, m.end(), b">" + new_v + self.close))
        elif v is not None:
            edits.append((*m.span(9), new_v))
        else:
            at = m.end(8) if f is not None else m.start(7)
            edits.append((at, at, new_v))

    def apply(self) -> bytes:
        """The part with every recorded edit (one copy of the unchanged bytes)."""
        mv, out, pos = memoryview(self.data), [], 0
        for start, end, new in self.edits:
            out += (mv[pos:start], new)
            pos = end
        out.append(mv[pos:])
        return b"".join(out)

    def new_elements(self) -> bytes:
        """The elements the edits put in (``<v>``s, whole cells), side by side: what to
        parse to prove this editor's own output well-formed."""
        return b"".join(new for _, _, new in self.edits if new[:1] == b"<")


def _edit_targeted(
    data: bytes,
    start: int,
    end: int,
    pats: _SheetPatterns,
    want: dict[bytes, bytes],
    kinds: dict[bytes, bytes],
    strings: Callable[[], list[str]],
    changed_only: bool = False,
) -> tuple[bytes, int, bytes] | None:
    """Edit the result cells without a Python step for every other cell.

    First the usual case, all at once: the result cells written the plain way whose value
    keeps its type only get a new ``<v>`` — ``re.split`` on such cells of the result
    columns cuts the part into pieces in C, the ``<v>`` pieces are swapped, one join puts
    it together (:func:`_value_swap_regex`). The other result cells are then picked by
    one pass over their columns (:func:`_lean_cell_regex`), or looked up by their ``r``
    and matched by the full scan's expression, and edited by a :class:`_CellEditor`.

    Cells of array ranges are edited too, and those the file lacks created. Returns (new
    part, cells changed, the elements put in, to prove well-formed), or None when the
    sheet is not written the way this needs (comments, CDATA, processing instructions, or
    a result cell that cannot be found by its ``r``, or has no ``<f>`` outside an array
    range): then the caller runs the full scan.
    """
    if _has_comments_or_pis(data, start, end):
        return None  # comments, CDATA, processing instructions: the scan knows how to skip them
    letters = tuple(sorted({ref.rstrip(b"0123456789") for ref in want}))
    if b"" in letters or not all(map(bytes.isalpha, letters)):
        return None
    p = pats.prefix
    parts = _value_swap_regex(p, letters).split(data)
    get, kind_of = want.get, kinds.get
    swapped: list[bytes] = []
    done: set[bytes] = set()
    for i in range(1, len(parts), 5):  # [..., head, ref, t, <v>, text after, ...]
        ref, t, v = parts[i + 1], parts[i + 2], parts[i + 3]
        parts[i + 1] = parts[i + 2] = b""  # both are inside head already
        new_v = get(ref)
        if new_v is None:
            continue  # a formula cell that is not a result cell
        new_t = kind_of(ref)
        if t != new_t and not (t == b"n" and new_t is None):
            continue  # the type changes: the editor below
        if not changed_only:
            if v == new_v:
                done.add(ref)
                continue
            if new_t is not None:
                continue  # text written another way, maybe: the editor compares
            if _same_number(v[len(p) + 3 : -len(p) - 4], new_v, p):
                done.add(ref)
                continue
        parts[i + 3] = new_v
        swapped.append(new_v)
        done.add(ref)
    if swapped:
        data = b"".join(parts)
        end = data.find(b"</" + p + b"sheetData", start)
    del parts
    if len(done) == len(want):
        return data, len(swapped), b"".join([b"<r>", *swapped, b"</r>"])
    rest = {ref: new_v for ref, new_v in want.items() if ref not in done}
    edit = _CellEditor(data, pats, kinds, strings)
    absent: list[bytes] = []
    if not _edit_found(data, start, end, pats, rest, edit, letters, absent):
        return None
    new = edit.apply() if edit.changed else data
    created = b""
    if absent:  # cells of array ranges the file lacks (openpyxl writes only the first)
        cells = _missing_cells(absent, rest, kinds, edit.c_name)
        new = _insert_missing_cells(new, cells, pats)
        created = b"".join(xml for row in cells.values() for xml in row.values())
    inserted = b"".join([b"<r>", *swapped, edit.new_elements(), created, b"</r>"])
    return new, len(swapped) + edit.changed + len(absent), inserted


def _edit_found(
    data: bytes,
    start: int,
    end: int,
    pats: _SheetPatterns,
    want: dict[bytes, bytes],
    edit: _CellEditor,
    letters: tuple[bytes, ...],
    missing: list[bytes],
) -> bool:
    """Give ``edit`` every cell of ``want``: one pass over their columns for those written
    the plain way, their position by ``r`` for the others; a cell of an array range that
    the file lacks goes to ``missing`` (to be created). False when a cell cannot be found,
    or has no ``<f>`` and is in no array range."""
    lean = _lean_cell_regex(pats.prefix, letters)
    found = [(m, ref) for m in lean.finditer(data, start, end) if (ref := m.group(3)) in want]
    if len(found) < len(want):  # some written otherwise, or missing: look them up
        rest = want.keys() - {ref for _, ref in found}
        areas = _array_areas(data, start, end, pats)
        regex = _cells_regex(data, start, end, pats, areas)  # array cells need no <f>
        in_array = _array_lookup(areas)
        cell_open = b"<" + pats.prefix + b'c r="'
        where: dict[bytes, int] | None = None
        if len(rest) > 64:  # every cell's position, once, rather than a search each
            pick = re.compile(re.escape(cell_open) + rb'([A-Z]{1,3}[1-9][0-9]{0,6})"')
            where = {m.group(1): m.start() for m in pick.finditer(data, start, end)}
        for ref in rest:
            at = (
                where.get(ref, -1)
                if where is not None
                else data.find(cell_open + ref + b'"', start, end)
            )
            if at < 0:
                if not in_array(ref):
                    return False
                missing.append(ref)
                continue
            m = regex.match(data, at, end)
            if m is None or m.group(3) != ref or (m.group(8) is None and not in_array(ref)):
                return False
            found.append((m, ref))
        found.sort(key=lambda pair: pair[0].start())
    for m, ref in found:
        edit(m, ref, want[ref])
    return True


def _missing_cells(
    refs: Iterable[bytes], want: Mapping[bytes, bytes], kinds: Mapping[bytes, bytes], c_name: bytes
) -> dict[int, dict[int, bytes]]:
    """New ``<c>`` elements for result cells the file lacks: row -> column -> XML."""
    close = b"</" + c_name + b">"
    missing: dict[int, dict[int, bytes]] = {}
    for ref in refs:
        cell = _B_REF.fullmatch(ref)
        assert cell is not None
        new_t = kinds.get(ref)
        t_attr = b' t="' + new_t + b'"' if new_t else b""
        xml = b"<" + c_name + b' r="' + ref + b'"' + t_attr + b">" + want[ref] + close
        missing.setdefault(int(cell.group(2)), {})[_col_of(cell.group(1))] = xml
    return missing


def _same_number(old: bytes, new_v: bytes, prefix: bytes) -> bool:
    """The stored text ``old`` is the number of the ``<v>`` element ``new_v``, written
    another way ("2.0" for "2")."""
    try:
        return float(old) == float(new_v[len(prefix) + 3 : -len(prefix) - 4])
    except ValueError:
        return False


def _value_swap_regex(prefix: bytes, letters: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """A formula cell of the columns ``letters`` written the plain way, with a ``<v>`` and
    nothing after it; groups: everything before the ``<v>``, ``r``, ``t``, the ``<v>``."""

    def build(p: bytes, cols: bytes) -> bytes:
        head = rb"<" + p + rb'c(?= r="(?:' + cols + rb")[1-9])"
        attrs = rb' r="((?:' + cols + rb')[1-9][0-9]{0,6})"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?>'
        value = rb"(<" + p + rb"v>[^<]*</" + p + rb"v>)(?=</" + p + rb"c>)"
        return b"(" + head + attrs + _plain_formula(p) + b")" + value

    return _column_regex("swap", prefix, letters, build)


def _has_comments_or_pis(data: bytes, start: int, end: int) -> bool:
    """A comment, CDATA section or processing instruction in ``data[start:end]``. Looks
    for the rare ``!`` and ``?`` first (memchr speed); ``<`` is everywhere."""
    bang = data.find(b"!", start, end) >= 0 and data.find(b"<!", start, end) >= 0
    return bang or (data.find(b"?", start, end) >= 0 and data.find(b"<?", start, end) >= 0)


def _lean_cell_regex(prefix: bytes, letters: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """Formula cells written the plain way (``<c r=".." s=".." t="..">``, ``<f>``, ``<v>``,
    nothing else) in the columns ``letters``, with the groups of :func:`_cells_regex`
    (group 1 never takes part). The engine skips other cells after the column letters."""

    def build(p: bytes, cols: bytes) -> bytes:
        return (
            # a literal first (the engine then skips to it at C speed); group 1 never matches
            rb"<" + p + rb'c(?= r="(?:' + cols + rb")[1-9])(?:(?!)())?"
            rb'( r="((?:' + cols + rb')[1-9][0-9]{0,6})"( s="[0-9]+")?(?: t="([a-zA-Z]+)")?())>'
            rb"((" + _plain_formula(p) + rb")"
            rb"(<" + p + rb"v>[^<]*</" + p + rb"v>)?())</" + p + rb"c>"
        )

    return _column_regex("lean", prefix, letters, build)


def _plain_formula(p: bytes) -> bytes:
    """A cell's ``<f>`` written the plain way: ``<f>text</f>``, ``<f attrs/>``, ``<f attrs>text</f>``."""
    return rb"<" + p + rb"f(?:>[^<]*</" + p + rb"f>| [^>]*?(?:/>|>[^<]*</" + p + rb"f>))"


def _column_regex(
    kind: str,
    prefix: bytes,
    letters: tuple[bytes, ...],
    build: Callable[[bytes, bytes], bytes],
) -> re.Pattern[bytes]:
    """A compiled expression for result cells of some columns, kept for the next sheet."""
    key = (kind, prefix, letters)
    found = _COLUMN_REGEXES.get(key)
    if found is None:
        if len(_COLUMN_REGEXES) > 64:
            _COLUMN_REGEXES.clear()
        found = _COLUMN_REGEXES[key] = re.compile(build(re.escape(prefix), b"|".join(letters)))
    return found


_COLUMN_REGEXES: dict[tuple[str, bytes, tuple[bytes, ...]], re.Pattern[bytes]] = {}


def _new_cell(
    name: bytes,
    attrs: bytes,
    tm: re.Match[bytes] | None,
    old_t: bytes | None,
    new_t: bytes | None,
    body: bytes | None,
    new_v: bytes,
    pats: _SheetPatterns,
) -> bytes:
    """A cell with ``new_v`` as its value: other attributes, <f> and extensions kept."""
    if body is None:  # <c .../>: attributes end with the slash
        attrs = attrs[: attrs.rindex(b"/")].rstrip()
    if tm is not None:
        if new_t is None and old_t != b"n":
            attrs = attrs[: tm.start()] + attrs[tm.end() :]
        elif new_t is not None and old_t != new_t:
            attrs = attrs[: tm.start()] + b' t="' + new_t + b'"' + attrs[tm.end() :]
    elif new_t is not None:
        anchor = _S_ATTR.search(attrs) or _R_ATTR.search(attrs)
        at = anchor.end() if anchor is not None else 0
        attrs = attrs[:at] + b' t="' + new_t + b'"' + attrs[at:]
    start, close = b"<" + name + attrs + b">", b"</" + name + b">"
    if body is None:
        return start + new_v + close
    v = pats.value.search(body)
    if v is not None:
        at, after = v.span()
    else:
        f = pats.formula.match(body)
        at = after = f.end() if f is not None else 0
    if pats.inline_tag in body:  # an inline string (not a formula result's form) goes
        edits = [(at, after, new_v)] + [
            (m.start(), m.end(), b"") for m in pats.inline.finditer(body)
        ]
        return start + _splice(body, edits) + close
    return start + body[:at] + new_v + body[after:] + close


def _insert_missing_cells(
    data: bytes, missing: dict[int, dict[int, bytes]], pats: _SheetPatterns
) -> bytes:
    """Insert new cells (row → column → ``<c>``) in column order, rows in row order."""
    layout = _sheet_layout(data)
    assert layout is not None
    start, end = layout.content
    row_q = layout.prefix + b"row"
    pending = sorted(missing)
    edits: list[Edit] = []
    i = 0
    row_num = prev_col = 0
    cur: list[tuple[int, bytes]] = []

    def new_row(n: int) -> bytes:
        cells = b"".join(xml for _, xml in sorted(missing[n].items()))
        return b"<" + row_q + b' r="' + str(n).encode() + b'">' + cells + b"</" + row_q + b">"

    for m in pats.rows.finditer(data, start, end):
        row_attrs, self_closing, row_end, cell_attrs = m.group(1, 2, 3, 4)
        if row_attrs is not None:
            rm = _R_ATTR.search(row_attrs)
            row_num = int(rm.group(1) or rm.group(2)) if rm else row_num + 1
            while i < len(pending) and pending[i] < row_num:
                edits.append((m.start(), m.start(), new_row(pending[i])))
                i += 1
            prev_col = 0
            cur = []
            if i < len(pending) and pending[i] == row_num:
                cur = sorted(missing[row_num].items(), reverse=True)
                i += 1
                node = _Node(data, row_q.decode(), m.start(), m.end(), m.span(1), {})
                spans = node.get("spans")
                if spans and re.fullmatch(r"\d+:\d+( \d+:\d+)*", spans):
                    nums = [int(x) for x in re.split(r"[: ]", spans)]
                    cols = [c for c, _ in cur]
                    lo, hi = min([*nums, *cols]), max([*nums, *cols])
                    if (lo, hi) != (nums[0], nums[-1]) or len(nums) > 2:
                        edits += _attr_edits(node, {"spans": f"{lo}:{hi}"})
                if self_closing:
                    cells = b"".join(xml for _, xml in reversed(cur))
                    close = b">" + cells + b"</" + row_q + b">"
                    edits.append((m.end() - 2, m.end(), close))
                    cur = []
        elif cell_attrs is not None and cur:
            rm = _R_ATTR.search(cell_attrs)
            pos = _parse_ref((rm.group(1) or rm.group(2) or b"").decode()) if rm else None
            col = pos[1] if pos is not None else prev_col + 1
            prev_col = col
            while cur and cur[-1][0] < col:
                edits.append((m.start(), m.start(), cur.pop()[1]))
            if cur and cur[-1][0] == col:
                raise CrmError(
                    "the sheet writes this cell's reference in a form crm_xl does not read",
                    _ref(row_num, col),
                )
        elif row_end is not None and cur:
            edits.append((m.start(), m.start(), b"".join(xml for _, xml in reversed(cur))))
            cur = []
    while i < len(pending):
        edits.append((end, end, new_row(pending[i])))
        i += 1
    if layout.dimension is not None:
        written = [(r, c) for r, cols in missing.items() for c in cols]
        edits += _grow_dimension(layout.dimension, written, True)
    return _splice(data, edits)


# --- other helpers -------------------------------------------------------------------------

_NAME_START = re.compile(r"^[^\W\d]|^[_\\]", re.U)
_NAME_CHARS = re.compile(r"^[\w.\\?]+$", re.U)
_LOOKS_LIKE_R1C1 = re.compile(r"^(?:[Rr]\d*(?:[Cc]\d*)?|[Cc]\d*)$")


def _name_order(name: str) -> str:
    return name.removeprefix("_xlnm.").casefold()


def _check_defined_name(name: str) -> None:
    """Excel's rules for a defined name (``_xlnm.`` built-in names are allowed)."""
    where = f"defined name {name!r}"
    if not isinstance(name, str) or not name:
        raise CrmError("a defined name must be non-empty text", where)
    if len(name) > 255:
        raise CrmError("is longer than 255 characters", where)
    bare = name[6:] if name.startswith("_xlnm.") else name
    if not bare or not _NAME_START.match(bare) or not _NAME_CHARS.match(bare):
        raise CrmError(
            "must start with a letter, _ or \\ and contain only letters, digits, _ . \\ ?", where
        )
    if _parse_ref(bare) is not None or _LOOKS_LIKE_R1C1.match(bare):
        raise CrmError("looks like a cell reference, which Excel does not allow as a name", where)


_GUID = rb"\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}"


def _regenerate_guids(xml: bytes) -> bytes:
    """New GUIDs for a copied sheet's own identities (``xr:uid``, x14 conditional-format ids).

    Extension ``uri="{...}"`` values are schema identifiers and custom-view GUIDs are
    shared with workbook.xml; neither is touched.
    """
    old = set(re.findall(rb'\buid="(' + _GUID + rb')"', xml))
    old |= set(re.findall(rb"<(?:[\w.-]+:)?id>(" + _GUID + rb")</", xml))
    for guid in old:
        xml = xml.replace(guid, ("{" + str(uuid.uuid4()).upper() + "}").encode())
    return xml


def _strip_zip64(extra: bytes) -> bytes:
    """A zip extra field without its zip64 record (zipfile writes its own when needed)."""
    out = b""
    i = 0
    while i + 4 <= len(extra):
        kind = int.from_bytes(extra[i : i + 2], "little")
        size = int.from_bytes(extra[i + 2 : i + 4], "little")
        if kind != 0x0001:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return out


def _example() -> Package:
    """A small workbook for the examples: sheet 'Data' with A1:B3 filled (made with openpyxl)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in (("Name", "Score"), ("Ann", 85), ("Bo", 70)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return Package.from_bytes(buffer.getvalue(), "example.xlsx")
