"""Writing cached values into a big sheet without a Python step for every other cell.

The usual case of ``crm-xl recalc``: a sheet written by Excel, openpyxl or XlsxWriter,
results for a few columns of formula cells among many input cells. The cells are found
by expressions that name only those columns, so the regular-expression engine skips the
rest in C; anything unusual makes :func:`edit_targeted` give up (None), and the caller
runs the full scan over every cell instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from crm_xl.xlsx.cell_editor import CellEditor, insert_missing_cells, missing_cells, same_number
from crm_xl.xlsx.sheet_scan import (
    SheetPatterns,
    array_areas,
    array_lookup,
    cells_regex,
    has_comments_or_pis,
)


def edit_targeted(
    data: bytes,
    start: int,
    end: int,
    pats: SheetPatterns,
    want: dict[bytes, bytes],
    kinds: dict[bytes, bytes],
    strings: Callable[[], list[str]],
    date1904: Callable[[], bool],
    changed_only: bool = False,
) -> tuple[bytes, int, bytes] | None:
    """Edit the result cells without a Python step for every other cell.

    First the usual case, all at once: the result cells written the plain way whose value
    keeps its type only get a new ``<v>`` — ``re.split`` on such cells of the result
    columns cuts the part into pieces in C, the ``<v>`` pieces are swapped, one join puts
    it together (:func:`_value_swap_regex`). The other result cells are then picked by
    one pass over their columns (:func:`_lean_cell_regex`), or looked up by their ``r``
    and matched by the full scan's expression, and edited by a :class:`CellEditor`.

    Cells of array ranges are edited too, and those the file lacks created. Returns (new
    part, cells changed, the elements put in, to prove well-formed), or None when the
    sheet is not written the way this needs (comments, CDATA, processing instructions, or
    a result cell that cannot be found by its ``r``, or has no ``<f>`` outside an array
    range): then the caller runs the full scan.
    """
    if has_comments_or_pis(data, start, end):
        return None  # comments, CDATA, processing instructions: the scan knows how to skip them
    letters = tuple(sorted({ref.rstrip(b"0123456789") for ref in want}))
    if b"" in letters or not all(map(bytes.isalpha, letters)):
        return None
    p = pats.prefix
    regex = _value_swap_regex(p, letters)
    swapped: list[bytes] = []
    done: set[bytes] = set()
    pieces: list[bytes] = []
    row_end = b"</" + p + b"row>"
    pos, n = 0, len(data)
    while pos < n:
        # a row-aligned piece at a time (cells lie within rows): the part's millions of
        # split pieces never fill memory at once, only one piece's
        stop = data.find(row_end, pos + SWAP_PIECE, end) if pos + SWAP_PIECE < end else -1
        stop = n if stop < 0 else stop + len(row_end)
        piece = regex.split(data if (pos, stop) == (0, n) else data[pos:stop])
        pieces.append(_swap(piece, want, kinds, changed_only, p, swapped, done))
        pos = stop
    if swapped:
        data = b"".join(pieces)
        end = data.find(b"</" + p + b"sheetData", start)
    del pieces
    if len(done) == len(want):
        return data, len(swapped), b"".join([b"<r>", *swapped, b"</r>"])
    rest = {ref: new_v for ref, new_v in want.items() if ref not in done}
    edit = CellEditor(data, pats, kinds, strings, date1904)
    absent: list[bytes] = []
    if not _edit_found(data, start, end, pats, rest, edit, letters, absent):
        return None
    new = edit.apply() if edit.changed else data
    created = b""
    if absent:  # cells of array ranges the file lacks (openpyxl writes only the first)
        cells = missing_cells(absent, rest, kinds, edit.c_name)
        new = insert_missing_cells(new, cells, pats)
        created = b"".join(xml for row in cells.values() for xml in row.values())
    inserted = b"".join([b"<r>", *swapped, edit.new_elements(), created, b"</r>"])
    return new, len(swapped) + edit.changed + len(absent), inserted


SWAP_PIECE = 1 << 21
"""The value swap splits the part this many bytes (rounded to a row's end) at a time."""


def _swap(
    parts: list[bytes],
    want: dict[bytes, bytes],
    kinds: dict[bytes, bytes],
    changed_only: bool,
    p: bytes,
    swapped: list[bytes],
    done: set[bytes],
) -> bytes:
    """One piece of the part, split by :func:`_value_swap_regex`, with the new ``<v>`` of
    each cell it finds that keeps its type (added to ``swapped``; the cells seen to ``done``)
    joined again."""
    get, kind_of = want.get, kinds.get
    # [..., head, ref, t, <v>, text after, ...]: ref and t are inside head already
    refs, types = parts[2::5], parts[3::5]
    parts[2::5] = parts[3::5] = [b""] * len(refs)
    new_vs = list(map(get, refs)) if changed_only else None
    if (
        new_vs is not None
        and None not in new_vs
        and set(types) <= {None, b"n"}
        and kinds.keys().isdisjoint(refs)
    ):
        # the usual case of a recalculation, all at once: every such cell is a result cell,
        # a number stays a number (what the loop below does cell by cell)
        parts[4::5] = new_vs
        swapped += new_vs
        done.update(refs)
        return b"".join(parts)
    for i in range(1, len(parts), 5):
        ref, t, v = refs[i // 5], types[i // 5], parts[i + 3]
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
            if same_number(v[len(p) + 3 : -len(p) - 4], new_v, p):
                done.add(ref)
                continue
        parts[i + 3] = new_v
        swapped.append(new_v)
        done.add(ref)
    return b"".join(parts)


def _edit_found(
    data: bytes,
    start: int,
    end: int,
    pats: SheetPatterns,
    want: dict[bytes, bytes],
    edit: CellEditor,
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
        areas = array_areas(data, start, end, pats)
        regex = cells_regex(data, start, end, pats, areas)  # array cells need no <f>
        in_array = array_lookup(areas)
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


def _value_swap_regex(prefix: bytes, letters: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """A formula cell of the columns ``letters`` written the plain way, with a ``<v>`` and
    nothing after it; groups: everything before the ``<v>``, ``r``, ``t``, the ``<v>`` (which
    may be empty: ``<v/>``)."""

    def build(p: bytes, cols: bytes) -> bytes:
        head = rb"<" + p + rb'c(?= r="(?:' + cols + rb")[1-9])"
        attrs = rb' r="((?:' + cols + rb')[1-9][0-9]{0,6})"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?>'
        # <v>text</v>, or an empty <v/> or <v /> (openpyxl writes one in every formula cell)
        value = rb"(<" + p + rb"v>[^<]*</" + p + rb"v>|<" + p + rb"v ?/>)(?=</" + p + rb"c>)"
        return b"(" + head + attrs + _plain_formula(p) + b")" + value

    return _column_regex("swap", prefix, letters, build)


def _lean_cell_regex(prefix: bytes, letters: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """Formula cells written the plain way (``<c r=".." s=".." t="..">``, ``<f>``, ``<v>``,
    nothing else) in the columns ``letters``, with the groups of
    :func:`~crm_xl.xlsx.sheet_scan.cells_regex` (group 1 never takes part). The engine
    skips other cells after the column letters."""

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
