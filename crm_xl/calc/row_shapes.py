"""Reading a big worksheet's rows in bulk: one regular expression per row *shape*.

A customer table is mostly rows of one shape: the same columns, each cell of the same kind
(a number, a shared string, a formula, ...) with the same attributes. For such a row one
regular expression with a group per value matches the whole row, so reading 100,000 rows
costs 100,000 matches, not a million, and the values come out column by column, each
column of one kind, ready to convert with C-level ``map`` calls instead of a Python loop
per cell.

The shapes are learnt from a sample of the sheet's rows (the first ones and some spread
over the sheet); a shape seen in at least two samples gets its expression. The sheet is
read 2 MiB at a time: in each piece every expression takes its rows out of the text
(``re.sub`` with a callback that keeps their groups and leaves an empty element behind);
the rows left — headers, totals, rows with a blank or a cell of another kind, anything
written in a way the shapes do not cover — go to the general cell-by-cell reader
(:func:`crm_xl.calc.reader._read_cells`). Both give the same cell model: the tests read
every Excel-made fixture and generated tables both ways and compare.

A shape is strict on purpose: cells in a fixed column order, each cell's ``r`` exactly the
column and the row's own number (a back-reference), attributes in the sample's order and
without entities, nothing between the elements. A row that differs in any way is simply
not taken out, and is read in general. That strictness is also what lets the rows read be
proved well-formed without expat parsing them (see :func:`read_shaped_rows`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from crm_xl.calc.cell_xml import add_formula, cell_value, formula_cache, parse_attrs, xml_text
from crm_xl.calc.model import CellModel, FormulaInfo, SheetData
from crm_xl.xlsx.coordinates import col_number

__all__ = ["read_shaped_rows"]

SAMPLES = 48  # rows looked at to learn the shapes
MAX_SHAPES = 4  # expressions tried at most (each is one pass over what is left)
MAX_ROW_CHARS = 1 << 16  # a longer sample row is not learnt from
PIECE_CHARS = 1 << 21  # the sheet is read this much at a time

_NAME = r"[A-Za-z_][\w:.-]*"  # an attribute's name, as the shapes accept it
_ATTRS = rf'(?: {_NAME}="[^"<&]*")*'  # attributes without entities, one space apart
_ATTR = re.compile(rf' ({_NAME})="([^"<&]*)"')


@dataclass(frozen=True)
class _Position:
    """One cell of a shape: its column, its kind and where its groups are in a match."""

    col: int
    kind: str  # value, inline, formula, empty
    t: str | None  # the cell's t= (a literal of the shape), None when it has none
    s: int | None = None  # group indices (0-based, into Match.groups())
    cm: int | None = None
    v: int | None = None
    f: int | None = None  # formula text
    fa: int | None = None  # <f> attributes


@dataclass(frozen=True)
class _Shape:
    regex: re.Pattern[str]
    positions: tuple[_Position, ...]
    prefixes: frozenset[str]  # namespace prefixes of its cells' attribute names


class _ShapeBuilder:
    """The expression of one sample row, built cell by cell."""

    def __init__(self, p: str):
        self.p = p
        self.parts = [rf'<{p}row r="(?P<row>[0-9]+)"({_ATTRS})>']
        self.groups = 2  # row number, row attributes
        self.positions: list[_Position] = []
        self.prefixes: set[str] = set()  # of the cells' attribute names (x14ac:...)

    def group(self, pattern: str) -> int:
        self.parts.append(f"({pattern})")
        self.groups += 1
        return self.groups - 1

    def lit(self, text: str) -> None:
        self.parts.append(re.escape(text))

    def cell(self, attrs: str, inner: str | None, row: str) -> bool:
        """Add one sample cell (``inner`` None for ``<c .../>``); False if it has no shape."""
        p = self.p
        found = _ATTR.findall(attrs)
        if "".join(f' {k}="{v}"' for k, v in found) != attrs or not found or found[0][0] != "r":
            return False
        names = [k for k, _ in found]
        if len(set(names)) != len(names):  # a duplicate attribute: not well-formed
            return False
        self.prefixes.update(k.partition(":")[0] for k in names if ":" in k)
        ref = found[0][1]
        letters = ref.rstrip("0123456789")
        if not letters.isalpha() or not letters.isupper() or ref[len(letters) :] != row:
            return False
        self.parts.append(f'<{p}c r="{letters}(?P=row)"')
        t = s = cm = None
        for name, value in found[1:]:
            if name == "s" and value.isdigit():
                self.lit(' s="')
                s = self.group("[0-9]+")
                self.lit('"')
            elif name == "t" and value.isalpha():
                t = value
                self.lit(f' t="{value}"')
            elif name == "cm" and value.isdigit():
                self.lit(' cm="')
                cm = self.group("[0-9]+")
                self.lit('"')
            elif name in ("s", "t", "cm"):
                return False
            else:  # vm, ph, ...: matched, not kept
                self.lit(f' {name}="')
                self.parts.append('[^"<&]*"')
        col = col_number(letters)
        if inner is None:
            self.lit("/>")
            self.positions.append(_Position(col, "empty", t, s))
            return True
        self.lit(">")
        if not inner:
            self.positions.append(_Position(col, "empty", t, s))
        elif re.fullmatch(rf"<{p}v>[^<]*</{p}v>", inner):
            self.lit(f"<{p}v>")
            v = self.group("[^<]*")
            self.lit(f"</{p}v>")
            self.positions.append(_Position(col, "value", t, s, v=v))
        elif m := re.fullmatch(
            rf"<{p}is><{p}t( xml:space=\"preserve\")?>[^<]*</{p}t></{p}is>", inner
        ):
            if m.group(1) and t != "inlineStr":  # the general reader takes it as no value
                return False
            self.lit(f"<{p}is><{p}t{m.group(1) or ''}>")
            v = self.group("[^<]*")
            self.lit(f"</{p}t></{p}is>")
            self.positions.append(_Position(col, "inline", t, s, v=v))
        elif m := re.fullmatch(
            rf"<{p}f((?: [A-Za-z_][\w:.-]*=\"[^\"<]*\")*)(/>|>[^<]*</{p}f>)"
            rf"(<{p}v>[^<]*</{p}v>|<{p}v ?/>)?",
            inner,
        ):
            fattrs, fbody, fv = m.groups()
            if fbody == "/>" and not fattrs:
                return False
            self.lit(f"<{p}f")
            fa = self.group(rf'(?: {_NAME}="[^"<&]*")+') if fattrs else None
            f = None
            if fbody == "/>":
                self.lit("/>")
            else:
                self.lit(">")
                f = self.group("[^<]+" if not fattrs else "[^<]*")
                self.lit(f"</{p}f>")
            v = None
            if fv and not fv.startswith(f"<{p}v>"):  # <v/>, <v /> (openpyxl): no value
                self.lit(fv)
            elif fv:
                self.lit(f"<{p}v>")
                v = self.group("[^<]*")
                self.lit(f"</{p}v>")
            self.positions.append(_Position(col, "formula", t, s, cm, v, f, fa))
        else:
            return False
        self.lit(f"</{p}c>")
        return True

    def build(self) -> tuple[str, tuple[_Position, ...], frozenset[str]]:
        pattern = "".join(self.parts) + re.escape(f"</{self.p}row>")
        return pattern, tuple(self.positions), frozenset(self.prefixes)


def _learn(sample: str, p: str) -> tuple[str, tuple[_Position, ...], frozenset[str]] | None:
    """The expression matching rows shaped like ``sample`` (one ``<row>`` element), or None."""
    head = re.match(rf'<{p}row r="([0-9]+)"({_ATTRS})>', sample)
    if head is None or not sample.endswith(f"</{p}row>"):
        return None
    builder = _ShapeBuilder(p)
    pos = head.end()
    stop = len(sample) - len(f"</{p}row>")
    cell = re.compile(rf"<{p}c((?: [A-Za-z_][\w:.-]*=\"[^\"]*\")*)(?:/>|>(.*?)</{p}c>)", re.S)
    while pos < stop:
        m = cell.match(sample, pos)
        if m is None or not builder.cell(m.group(1), m.group(2), head.group(1)):
            return None
        pos = m.end()
    if not builder.positions:
        return None
    return builder.build()


def _samples(body: str, start: int, end: int, p: str) -> Iterator[str]:
    """Rows to learn from: the first ones and some spread evenly over ``body[start:end]``."""
    row_open, row_close = f"<{p}row ", f"</{p}row>"
    half = SAMPLES // 2
    starts = [start] * half + [start + (end - start) * k // half for k in range(half)]
    pos = start
    for i, at in enumerate(starts):
        begin = body.find(row_open, pos if i < half else at, end)
        if begin < 0:
            continue
        stop = body.find(row_close, begin, min(end, begin + MAX_ROW_CHARS))
        if stop < 0:
            continue
        stop += len(row_close)
        pos = stop
        yield body[begin:stop]


def _shapes(body: str, start: int, end: int, p: str) -> list[_Shape]:
    learnt: dict[str, _Shape] = {}
    seen: Counter[str] = Counter()
    for sample in _samples(body, start, end, p):
        shape = _learn(sample, p)
        if shape is not None:
            pattern, positions, prefixes = shape
            if pattern not in learnt:
                learnt[pattern] = _Shape(re.compile(pattern), positions, prefixes)
            seen[pattern] += 1
    return [learnt[pattern] for pattern, count in seen.most_common(MAX_SHAPES) if count >= 2]


MARKER = "<_/>"
"""What a row read here leaves in the text: an empty element, so that the rest of the
document, markers included, is well-formed exactly when the whole part is (see below)."""


def read_shaped_rows(
    wb: CellModel,
    sheet: SheetData,
    body: str,
    start: int,
    end: int,
    p: str,
    sst: list[str],
    shared: dict[str, tuple[str, str]],
    dependents: list[tuple[FormulaInfo, str]],
) -> tuple[str, str | None]:
    """Read the rows of ``body[start:end]`` (the ``<sheetData>`` element of the worksheet
    ``body``) that have one of the sheet's common shapes into ``sheet``.

    Returns ``(rest, doubt)``: ``rest`` is ``body`` with each row read replaced by
    :data:`MARKER`, for the general reader (``body`` itself when no row was read);
    ``doubt`` is None when every row read is proved well-formed, else why not. ``shared``
    and ``dependents`` collect shared formulas as
    :func:`crm_xl.calc.reader._read_cells` does.

    The proof, with which the caller need not parse the whole part: a shape matches only
    elements whose tags, attributes (no ``&``, no duplicates) and nesting are well-formed;
    what it cannot see is checked on the values it captured — entity references, ``]]>``,
    and the namespace prefixes of attribute names (declared before ``<sheetData>``). Then
    ``rest`` parsed by expat (markers in element content only, or it fails) proves the
    whole part: a well-formed element put in place of an empty one in content leaves a
    document well-formed. Characters XML forbids are the caller's check (one pass over
    the bytes).
    """
    # rows without r= are numbered by the row before them: they need every row, in order
    if body.count(f"<{p}row", start, end) != body.count(f'<{p}row r="', start, end):
        return body, None
    doubt: str | None = None
    head = body[:start]
    shapes = _shapes(body, start, end, p)
    if not shapes:
        return body, None
    pieces = [head]
    row_end = f"</{p}row>"
    pos = start
    while pos < end:
        # a piece of the sheet at a time (ending after a row): the groups of the rows read
        # are converted and freed before the next piece, so they never fill memory at once
        stop = body.find(row_end, pos + PIECE_CHARS, end) if pos + PIECE_CHARS < end else -1
        stop = end if stop < 0 else stop + len(row_end)
        piece = body[pos:stop]
        pos = stop
        for shape in shapes:
            matched: list[tuple[str, ...]] = []
            keep = matched.append

            def take(m: re.Match[str], keep: Callable[[Any], None] = keep) -> str:
                keep(m.groups())
                return MARKER

            plain = "&" not in piece and "]]>" not in piece  # its texts need no closer look
            piece = shape.regex.sub(take, piece)
            if matched:
                found = _store(wb, sheet, shape, matched, sst, shared, dependents, head, not plain)
                doubt = doubt or found
                undeclared = [x for x in shape.prefixes if not _declared(x, head)]
                if undeclared:
                    doubt = doubt or f"namespace prefix {undeclared[0]!r} is not declared"
        pieces.append(piece)
    pieces.append(body[end:])
    return "".join(pieces), doubt


def _declared(prefix: str, head: str) -> bool:
    return f'xmlns:{prefix}="' in head or f"xmlns:{prefix}='" in head or prefix == "xml"


_BAD_REF = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_CHAR_REF = re.compile(r"&#(?:x([0-9a-fA-F]+)|([0-9]+));")


def _text_doubt(texts: tuple[str, ...]) -> str | None:
    """Why a column of element texts (or attribute lists) is not well-formed XML, if so."""
    joined = "".join(texts)
    if "]]>" in joined:
        return "']]>' in text"
    if "&" not in joined:
        return None
    if _BAD_REF.search(joined):
        return "an '&' that starts no entity reference"
    for m in _CHAR_REF.finditer(joined):
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        if not (
            code in (0x9, 0xA, 0xD)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF
        ):
            return f"a reference to a character XML does not allow ({m.group(0)})"
    return None


def _attrs_doubt(attr_lists: tuple[str, ...], head: str) -> str | None:
    """Why row attribute lists are not well-formed (a name given twice, a namespace prefix
    not declared before ``<sheetData>``), if so."""
    for attrs in set(attr_lists):
        names = re.findall(r' ([A-Za-z_][\w:.-]*)="', attrs)
        if len(set(names)) != len(names):
            return f"an attribute given twice in <row{attrs}>"
        for name in names:
            prefix, colon, _ = name.partition(":")
            if colon and not _declared(prefix, head):
                return f"namespace prefix {prefix!r} is not declared"
    return None


def _store(
    wb: CellModel,
    sheet: SheetData,
    shape: _Shape,
    matched: list[tuple[str, ...]],
    sst: list[str],
    shared: dict[str, tuple[str, str]],
    dependents: list[tuple[FormulaInfo, str]],
    head: str,
    check_texts: bool = True,
) -> str | None:
    """The values of the rows one shape matched, column by column; returns why they are
    not proved well-formed (see :func:`read_shaped_rows`), or None. ``check_texts`` False:
    the text they come from holds no ``&`` and no ``]]>``, so their texts are fine."""
    columns = list(zip(*matched, strict=True))
    matched.clear()  # the rows' tuples: their strings live on in the columns
    doubt = _attrs_doubt(columns[1], head)
    for pos in shape.positions if check_texts else ():
        for group in (pos.v, pos.f, pos.fa):
            if group is not None and doubt is None:
                doubt = _text_doubt(columns[group])
    rows = list(map(int, columns[0]))
    # each different attribute list parsed once (LibreOffice writes hidden="false" on every row)
    hiding = {
        a
        for a in set(columns[1])
        if "hidden" in a and parse_attrs(a).get("hidden") in ("1", "true")
    }
    if hiding:
        sheet.hidden_rows.update(r for r, a in zip(rows, columns[1], strict=True) if a in hiding)
    cells, styles, dates = sheet.cells, sheet.styles, wb.date_styles
    last_row = last_col = 0
    for pos in shape.positions:
        keys = list(zip(rows, repeat(pos.col)))
        if pos.s is not None and dates:
            dated = {s for s in set(columns[pos.s]) if s != "0" and int(s) in dates}
            if dated:
                for key, s in zip(keys, columns[pos.s], strict=True):
                    if s in dated:
                        styles[key] = int(s)
        if pos.kind == "empty":
            continue
        if pos.kind == "formula":
            stored = _formulas(wb, sheet, pos, keys, columns, sst, shared, dependents)
        elif pos.kind == "inline":
            cells.update(zip(keys, map(xml_text, columns[pos.v]), strict=True))
            stored = rows[-1]
        else:
            stored = _values(cells, pos.t, keys, columns[pos.v], sst, wb.date1904)
        if stored:
            last_row, last_col = max(last_row, stored), max(last_col, pos.col)
    sheet.max_row = max(sheet.max_row, last_row)
    sheet.max_col = max(sheet.max_col, last_col)
    return doubt


def _values(
    cells: dict[tuple[int, int], Any],
    t: str | None,
    keys: list[tuple[int, int]],
    texts: tuple[str, ...],
    sst: list[str],
    date1904: bool,
) -> int:
    """Plain values (no formula) of one column; returns the last row that got a value.

    Numbers and shared strings are converted all at once when every cell is plain; any
    other column, or one with a cell :func:`~crm_xl.calc.cell_xml.cell_value` would read
    otherwise (blank, not ASCII, a negative index), is read cell by cell."""
    try:
        if (t is None or t == "n") and "".join(texts).isascii():
            cells.update(zip(keys, map(float, texts), strict=True))
            return keys[-1][0]
        if t == "s":
            indices = list(map(int, texts))
            if min(indices) >= 0:
                cells.update(zip(keys, map(sst.__getitem__, indices), strict=True))
                return keys[-1][0]
    except (ValueError, IndexError):
        pass  # a blank <v/> or a bad index somewhere: cell by cell, as the general reader does
    last = 0
    for key, v in zip(keys, texts, strict=True):
        if not v:
            continue
        value = cell_value(t, v, None, sst, date1904)[0]
        if value is not None:
            cells[key] = value
            last = key[0]
    return last


def _ordinary(fattrs: tuple[str, ...]) -> bool:
    """Whether a column's ``<f>`` attributes are all the same and make no shared, array or
    data-table formula (LibreOffice writes ``<f aca="false">`` in every formula cell)."""
    kinds = set(fattrs)
    return len(kinds) == 1 and parse_attrs(kinds.pop()).get("t", "normal") not in (
        "shared",
        "array",
        "dataTable",
    )


def _dependents_of(fattrs: tuple[str, ...]) -> str | None:
    """The ``si`` when a column's ``<f/>`` attributes are all the same ``t="shared"`` without
    ``ref`` (dependent cells of one shared formula), else None."""
    kinds = set(fattrs)
    if len(kinds) != 1:
        return None
    fa = parse_attrs(kinds.pop())
    if fa.get("t") != "shared" or "ref" in fa:
        return None
    return fa.get("si", "")


def _formulas(
    wb: CellModel,
    sheet: SheetData,
    pos: _Position,
    keys: list[tuple[int, int]],
    columns: list[tuple[str, ...]],
    sst: list[str],
    shared: dict[str, tuple[str, str]],
    dependents: list[tuple[FormulaInfo, str]],
) -> int:
    """One column of formula cells; returns the last row (every formula cell counts)."""
    n = len(keys)
    t = pos.t
    cached = columns[pos.v] if pos.v is not None else repeat("", n)
    try:
        if t is not None and t != "n":
            raise ValueError  # text, booleans, errors: cell by cell
        if pos.v is not None and "" not in set(cached):  # every cell holds a number
            values: list[Any] = list(map(float, cached))
            types = ["n"] * n
        else:
            values = [float(v) if v else None for v in cached]
            types = ["empty" if v is None else "n" for v in values]
    except ValueError:
        cached = columns[pos.v] if pos.v is not None else repeat("", n)
        pairs = [
            cell_value(t, v, None, sst, wb.date1904) if v else formula_cache(t, None, "empty")
            for v in cached
        ]
        values, types = [v for v, _ in pairs], [k for _, k in pairs]
    texts: Any = repeat("", n)
    if pos.f is not None:
        texts = columns[pos.f]
        joined = "".join(texts)
        if "&" in joined or "_x" in joined or "\r" in joined:
            texts = map(xml_text, texts)  # entities, _xHHHH_ escapes or CR LF to decode
    if pos.fa is None or _ordinary(columns[pos.fa]):  # <f>text</f>, the common case
        infos = list(map(FormulaInfo, texts, repeat("normal"), repeat(None), values, types))
        sheet.formulas.update(zip(keys, infos, strict=True))
        return keys[-1][0]
    if pos.f is None and (si := _dependents_of(columns[pos.fa])) is not None:
        # <f t="shared" si=".."/> all down the column: cells of one shared formula, whose
        # text comes from the master once the sheet is read (as add_formula stores them)
        infos = list(map(FormulaInfo, repeat(None), repeat("shared"), repeat(None), values, types))
        for info in infos:
            info.si = si
        sheet.formulas.update(zip(keys, infos, strict=True))
        dependents.extend(zip(infos, repeat(si)))
        return keys[-1][0]
    parsed: dict[str, dict[str, str]] = {}  # a column's <f> attributes repeat: parse each once
    cms = columns[pos.cm] if pos.cm is not None else repeat(None, n)
    for (row, col), fattrs, ftext, cm, value, vtype in zip(
        keys, columns[pos.fa], texts, cms, values, types, strict=True
    ):
        fa = parsed.get(fattrs)
        if fa is None:
            fa = parsed[fattrs] = parse_attrs(fattrs)
        add_formula(wb, sheet, row, col, fa, ftext, cm, value, vtype, shared, dependents)
    return keys[-1][0]
