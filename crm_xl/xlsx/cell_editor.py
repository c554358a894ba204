"""Giving formula cells new cached values: the byte edits of one worksheet part.

:class:`CellEditor` is handed each result cell matched by
:func:`crm_xl.xlsx.sheet_scan.cells_regex` and records only the bytes that change (the
``<v>``, the ``t=``); cells of array ranges that the file lacks are created by
:func:`missing_cells` and :func:`insert_missing_cells`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import cell_name, parse_ref
from crm_xl.xlsx.sheet_scan import (
    B_REF,
    R_ATTR,
    S_ATTR,
    T_ATTR,
    SheetPatterns,
    col_of,
    grow_dimension,
    sheet_layout,
    stored_value,
)
from crm_xl.xlsx.xml_scan import Edit, Node, attr_edits, splice


class CellEditor:
    """Gives cells new cached values: the edits of one worksheet part, applied in one join.

    Called with each result cell's match of :func:`~crm_xl.xlsx.sheet_scan.cells_regex`,
    in the order of the part, it records only the bytes that change (the ``<v>``, the
    ``t=``); a cell that already stores the same value with the same type is left byte
    for byte. ``kinds`` gives each cell's new ``t`` (absent for a number); ``strings``
    and ``date1904`` are the workbook's, asked for only to compare stored values.
    """

    def __init__(
        self,
        data: bytes,
        pats: SheetPatterns,
        kinds: Mapping[bytes, bytes],
        strings: Callable[[], list[str]],
        date1904: Callable[[], bool],
    ):
        self.data, self.pats, self.kinds, self.kind_of = data, pats, kinds, kinds.get
        self.strings, self.date1904 = strings, date1904
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
            tm = T_ATTR.search(attrs)
            t = None if tm is None else tm.group(1) if tm.group(1) is not None else tm.group(2)
        same_t = t == new_t or (t == b"n" and new_t is None)
        if same_t and v is not None:
            if v == new_v:
                return  # the same value: not a byte changes
            if new_t is None:  # numbers: the same float written another way ("2.0")?
                if same_number(v[v.index(b">") + 1 : v.rindex(b"<")], new_v, self.pats.prefix):
                    return
            elif stored_value(t, v, pats, self.strings, self.date1904) == stored_value(
                new_t, new_v, pats, self.strings, self.date1904
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


def same_number(old: bytes, new_v: bytes, prefix: bytes) -> bool:
    """The stored text ``old`` is the number of the ``<v>`` element ``new_v``, written
    another way ("2.0" for "2")."""
    try:
        return float(old) == float(new_v[len(prefix) + 3 : -len(prefix) - 4])
    except ValueError:
        return False


def _new_cell(
    name: bytes,
    attrs: bytes,
    tm: re.Match[bytes] | None,
    old_t: bytes | None,
    new_t: bytes | None,
    body: bytes | None,
    new_v: bytes,
    pats: SheetPatterns,
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
        anchor = S_ATTR.search(attrs) or R_ATTR.search(attrs)
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
        return start + splice(body, edits) + close
    return start + body[:at] + new_v + body[after:] + close


def missing_cells(
    refs: Iterable[bytes], want: Mapping[bytes, bytes], kinds: Mapping[bytes, bytes], c_name: bytes
) -> dict[int, dict[int, bytes]]:
    """New ``<c>`` elements for result cells the file lacks: row -> column -> XML."""
    close = b"</" + c_name + b">"
    missing: dict[int, dict[int, bytes]] = {}
    for ref in refs:
        cell = B_REF.fullmatch(ref)
        assert cell is not None
        new_t = kinds.get(ref)
        t_attr = b' t="' + new_t + b'"' if new_t else b""
        xml = b"<" + c_name + b' r="' + ref + b'"' + t_attr + b">" + want[ref] + close
        missing.setdefault(int(cell.group(2)), {})[col_of(cell.group(1))] = xml
    return missing


def insert_missing_cells(
    data: bytes, missing: dict[int, dict[int, bytes]], pats: SheetPatterns
) -> bytes:
    """Insert new cells (row → column → ``<c>``) in column order, rows in row order."""
    layout = sheet_layout(data)
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
            rm = R_ATTR.search(row_attrs)
            row_num = int(rm.group(1) or rm.group(2)) if rm else row_num + 1
            while i < len(pending) and pending[i] < row_num:
                edits.append((m.start(), m.start(), new_row(pending[i])))
                i += 1
            prev_col = 0
            cur = []
            if i < len(pending) and pending[i] == row_num:
                cur = sorted(missing[row_num].items(), reverse=True)
                i += 1
                node = Node(data, row_q.decode(), m.start(), m.end(), m.span(1), {})
                spans = node.get("spans")
                if spans and re.fullmatch(r"\d+:\d+( \d+:\d+)*", spans):
                    nums = [int(x) for x in re.split(r"[: ]", spans)]
                    cols = [c for c, _ in cur]
                    lo, hi = min([*nums, *cols]), max([*nums, *cols])
                    if (lo, hi) != (nums[0], nums[-1]) or len(nums) > 2:
                        edits += attr_edits(node, {"spans": f"{lo}:{hi}"})
                if self_closing:
                    cells = b"".join(xml for _, xml in reversed(cur))
                    close = b">" + cells + b"</" + row_q + b">"
                    edits.append((m.end() - 2, m.end(), close))
                    cur = []
        elif cell_attrs is not None and cur:
            rm = R_ATTR.search(cell_attrs)
            pos = parse_ref((rm.group(1) or rm.group(2) or b"").decode()) if rm else None
            col = pos[1] if pos is not None else prev_col + 1
            prev_col = col
            while cur and cur[-1][0] < col:
                edits.append((m.start(), m.start(), cur.pop()[1]))
            if cur and cur[-1][0] == col:
                raise CrmError(
                    "the sheet writes this cell's reference in a form crm_xl does not read",
                    cell_name(row_num, col),
                )
        elif row_end is not None and cur:
            edits.append((m.start(), m.start(), b"".join(xml for _, xml in reversed(cur))))
            cur = []
    while i < len(pending):
        edits.append((end, end, new_row(pending[i])))
        i += 1
    if layout.dimension is not None:
        written = [(r, c) for r, cols in missing.items() for c in cols]
        edits += grow_dimension(layout.dimension, written, True)
    return splice(data, edits)
