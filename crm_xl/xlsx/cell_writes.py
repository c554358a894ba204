"""Writing cells into a worksheet part: values, inline text and formulas, in place.

Only the ``<c>`` elements written change, and the rows created for them; a cell keeps its
style and its other attributes, cells and rows go where the file format requires them
(in column and row order), ``<dimension>`` grows to cover them. What may be written and
what is refused is told at :meth:`Package.set_cells`.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import cell_name, col_letters, col_number, parse_range, parse_ref
from crm_xl.xlsx.escapes import XML_ILLEGAL, cell_text, escape_text
from crm_xl.xlsx.namespaces import MAIN_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.sheet_scan import (
    every_cell_has_r,
    grow_dimension,
    has_comments_or_pis,
    sheet_layout,
)
from crm_xl.xlsx.sheets import find_worksheet
from crm_xl.xlsx.values import MAX_CELL_TEXT, MAX_FORMULA, ErrorValue, Formula
from crm_xl.xlsx.workbook_part import drop_calc_chain
from crm_xl.xlsx.xml_checks import check_xml
from crm_xl.xlsx.xml_scan import ATTR, Edit, Node, append_into, attr_edits, raw_attrs, splice


def set_cells(parts: Parts, workbook: str, sheet_name: str, values: Mapping[str, Any]) -> None:
    """Write ``values`` (cell → value) into a worksheet (:meth:`Package.set_cells`)."""
    info = find_worksheet(parts, workbook, sheet_name)
    where = info.name
    targets: dict[int, dict[int, tuple[str, Any]]] = {}
    for ref, value in values.items():
        pos = parse_ref(ref)
        if pos is None:
            raise CrmError("is not a cell reference like 'B4'", f"{where}!{ref}")
        targets.setdefault(pos[0], {})[pos[1]] = _value_kind(value, f"{where}!{ref}")
    if not targets:
        return
    if edit_streamed(parts, workbook, info.part, targets):
        return
    root = parts.tree(info.part, 4)
    sheet_data = root.child(MAIN_NS, "sheetData")
    if sheet_data is None:
        raise CrmError(f"part {info.part} has no <sheetData>", where)
    prefix = sheet_data.prefix_for(MAIN_NS) or ""
    edits: list[Edit] = []
    attr_changes: dict[int, tuple[Node, dict[str, str | None]]] = {}

    def change(node: Node, attrs: dict[str, str | None]) -> None:
        attr_changes.setdefault(node.start, (node, {}))[1].update(attrs)

    rows = _indexed(sheet_data.iter_children(MAIN_NS, "row"), "r", lambda r: int(r))
    if _F_WITH_ATTRIBUTES.search(root.data, sheet_data.start, sheet_data.end):
        _check_protected(rows, targets, where)  # else no <f> is shared, array or data table
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
                _cell_xml(prefix, cell_name(row_index, c), [], v)
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
        cells_in_row = _indexed(row.iter_children(MAIN_NS, "c"), "r", lambda r: parse_ref(r)[1])
        by_col = dict(cells_in_row)
        cell_inserts: dict[int, list[bytes]] = {}
        inserted_cols = []
        for col in sorted(wanted):
            kind = wanted[col]
            ref = cell_name(row_index, col)
            cell = by_col.get(col)
            if cell is not None:
                formula = cell.child(MAIN_NS, "f")
                if formula is not None and kind[0] != "f":
                    removed_formula = True
                kept = [(q, v) for q, v in raw_attrs(cell) if q not in ("r", "t", "cm", "vm")]
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
            edits += append_into(row, content) if key == -1 else [(key, key, content)]
        # Cells without r= take their column from the cell before them: once cells are
        # inserted or removed around them, they need an explicit r=.
        for col, c in cells_in_row:
            if c.get("r") is None and col not in wanted:
                change(c, {"r": cell_name(row_index, col)})
        if inserted_cols:
            spans = row.get("spans")
            if spans and re.fullmatch(r"\d+:\d+( \d+:\d+)*", spans):
                nums = [int(x) for x in re.split(r"[: ]", spans)]
                lo, hi = min([*nums, *inserted_cols]), max([*nums, *inserted_cols])
                if (lo, hi) != (nums[0], nums[-1]) or len(nums) > 2:
                    change(row, {"spans": f"{lo}:{hi}"})
    for key, chunks in row_inserts.items():
        content = b"".join(xml for _, xml in sorted(chunks))
        edits += append_into(sheet_data, content) if key == -1 else [(key, key, content)]
    for node, attrs in attr_changes.values():
        edits += attr_edits(node, attrs)
    dimension = root.child(MAIN_NS, "dimension")
    written = [(r, c) for r, cols in targets.items() for c, v in cols.items() if v[0] != "none"]
    if dimension is not None and written:
        edits += grow_dimension(dimension, written, had_cells)
    with parts.transaction():
        parts.store(info.part, root, edits)
        if removed_formula:
            drop_calc_chain(parts, workbook)


def _value_kind(value: Any, where: str) -> tuple[str, Any]:
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
        if XML_ILLEGAL.search(text):
            raise CrmError("the formula contains control characters", where)
        cached = None if value.cached is None else _value_kind(value.cached, where)
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
            return "e", f"<{prefix}v>{escape_text(payload)}</{prefix}v>"
        if tag == "s":  # a formula's text result
            return "str", f"<{prefix}v>{cell_text(payload)}</{prefix}v>"
        raise AssertionError(tag)

    if tag == "none":
        return b"<" + c + attrs + b"/>"
    if tag == "s":
        space = ' xml:space="preserve"' if payload != payload.strip() or "\n" in payload else ""
        body = f"<{prefix}is><{prefix}t{space}>{cell_text(payload)}</{prefix}t></{prefix}is>"
        return b"<" + c + attrs + b' t="inlineStr">' + body.encode() + b"</" + c + b">"
    if tag == "f":
        text, cached = payload
        t, v = value_part(cached) if cached is not None else (None, "")
        body = f"<{prefix}f>{escape_text(text)}</{prefix}f>{v}"
    else:
        t, v = value_part(kind)
        body = v
    t_attr = f' t="{t}"'.encode() if t else b""
    return b"<" + c + attrs + t_attr + b">" + body.encode() + b"</" + c + b">"


def _indexed(
    nodes: Iterable[Node], attr: str, parse: Callable[[str], int]
) -> list[tuple[int, Node]]:
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


_F_WITH_ATTRIBUTES = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/]")
"""An ``<f>`` with attributes (or ``<f/>``): only such a formula can be shared, an array or a
data table. A sheet without one (crm_xl's Ratings sheets) needs no protection check."""


def _check_protected(rows: list[tuple[int, Node]], targets, where: str) -> None:
    """Refuse to write into a shared formula's first cell or into a multi-cell array formula."""
    for row_index, row in rows:
        for col, cell in _indexed(row.iter_children(MAIN_NS, "c"), "r", lambda r: parse_ref(r)[1]):
            f = cell.child(MAIN_NS, "f")
            if f is None:
                continue
            kind, ref = f.get("t"), f.get("ref")
            area = parse_range(ref) if ref else None
            if kind == "shared" and ref is not None and col in targets.get(row_index, {}):
                raise CrmError(
                    f"is the first cell of a shared formula that fills {ref}; changing it would "
                    "change or break the formulas of the other cells",
                    f"{where}!{cell_name(row_index, col)}",
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
                                f"{where}!{cell_name(r, c)}",
                            )


def edit_streamed(
    parts: Parts, workbook: str, part: str, targets: dict[int, dict[int, tuple[str, Any]]]
) -> bool:
    """Write cells that the sheet already has, most of them cleared (None), without the
    part's tree: what ``set_cells`` does, by one regular expression over the written
    columns. ``crm-xl new-period`` clears the figures of 20,000 customers in a copied
    Ratings sheet of 43 MB (and writes its title), whose node tree took half a gigabyte and
    half a minute.

    Each written cell keeps its attributes but ``r``, ``t``, ``cm``, ``vm``; a cleared one
    becomes ``<c r=".." s=".."/>``, or goes when no attribute is left, as in the tree's way.
    False (nothing done: the caller takes the tree's way) when a value is to be written
    into a cell the sheet lacks (a row or cell to create), or the sheet is not written as
    this needs: comments, CDATA or processing instructions, a cell without ``r`` first, or
    an ``<f>`` with attributes (a shared or array formula, which the tree's way protects).
    """
    parts.check(part)
    data = parts[part]
    layout = sheet_layout(data)
    if layout is None:
        return False
    start, end = layout.content
    p = layout.prefix
    if (
        has_comments_or_pis(data, start, end)
        or not every_cell_has_r(data, start, end, p)
        or _F_WITH_ATTRIBUTES.search(data, start, end)
    ):
        return False
    wanted: dict[bytes, dict[int, tuple[str, Any]]] = {}
    for row, cols in targets.items():
        for col, kind in cols.items():
            wanted.setdefault(col_letters(col).encode(), {})[row] = kind
    letters = b"|".join(re.escape(x) for x in sorted(wanted, key=len, reverse=True))
    q = re.escape(p)
    cell = re.compile(
        rb"<"
        + q
        + rb'c r="('
        + letters
        + rb')([1-9][0-9]{0,6})"([^>]*?)(/>|>(.*?)</'
        + q
        + rb"c>)",
        re.DOTALL,
    )
    has_formula = re.compile(rb"<" + q + rb"f[\s/>]")
    removed_formula = False
    put: list[bytes] = []
    found: list[tuple[int, int]] = []
    c_tag = b"<" + p + b"c"
    prefix = p.decode()

    def edit(m: re.Match[bytes]) -> bytes:
        nonlocal removed_formula
        letter, row, attrs, body = m.group(1), m.group(2), m.group(3), m.group(5)
        kind = wanted[letter].get(int(row))
        if kind is None:
            return m.group(0)
        if kind[0] != "f" and body is not None and has_formula.search(body):
            removed_formula = True
        kept = [  # as the tree's way writes them: ` name="value"`
            (a.group(1).decode(), a.group(0).split(b"=", 1)[1].strip())
            for a in ATTR.finditer(attrs)
            if a.group(1) not in (b"t", b"cm", b"vm", b"r")
        ]
        ref = letter + row
        if kind[0] == "none":
            new = c_tag + b' r="' + ref + b'"' + _attrs(kept) + b"/>" if kept else b""
        else:
            new = _cell_xml(prefix, ref.decode(), kept, kind)
            found.append((int(row), col_number(letter.decode())))
        put.append(new)
        return new

    body = cell.sub(edit, data[start:end])
    values = [(r, c) for r, cols in targets.items() for c, v in cols.items() if v[0] != "none"]
    if len(found) != len(values):
        return False  # a value for a cell the sheet lacks: created by the tree's way
    if not put:
        return True  # nothing held a value: the part stays as it was
    try:  # only what was put in is new; the rest was proved when the part was checked
        check_xml(b"".join([b"<r>", *put, b"</r>"]), namespaces=False)
    except Exception as err:  # a bug here, never the user's input
        raise AssertionError(f"editing cells of {part} produced broken XML: {err}") from None
    head = data[:start]
    if layout.dimension is not None and values:
        had_cells = data.find(c_tag, start, end) >= 0
        edits = grow_dimension(layout.dimension, values, had_cells)
        if edits:
            head = splice(data[:start], edits)
    new_data = b"".join((head, body, data[end:]))
    with parts.transaction():
        parts.keep_proved(part, new_data)
        if removed_formula:
            drop_calc_chain(parts, workbook)
    return True


def _attrs(kept: list[tuple[str, bytes]]) -> bytes:
    return b"".join(b" " + q.encode() + b"=" + raw for q, raw in kept)
