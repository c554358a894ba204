"""Cached formula values: reading what formula cells store, and writing new results there.

The hot path of ``crm-xl recalc``: a sheet of 100,000 rows is read and written with the
expressions of :mod:`crm_xl.xlsx.sheet_scan`, with the garbage collector paused (nothing
here makes reference cycles). What is read and written is told at
:meth:`Package.cached_values` and :meth:`Package.set_cached_values`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml.common import DefusedXmlException

from crm_xl.errors import CrmError
from crm_xl.files.memory import paused_gc
from crm_xl.xlsx import targeted_edit
from crm_xl.xlsx.cell_editor import CellEditor, insert_missing_cells, missing_cells
from crm_xl.xlsx.coordinates import col_letters
from crm_xl.xlsx.namespaces import REL_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import related_part
from crm_xl.xlsx.results import encode_results
from crm_xl.xlsx.sheet_scan import (
    B_REF,
    NOT_A_FORMULA,
    PLAIN_REFS,
    R_ATTR,
    T_ATTR,
    Layout,
    array_areas,
    array_lookup,
    canonical_ref,
    cell_ref,
    cells_regex,
    every_cell_has_r,
    has_comments_or_pis,
    sheet_layout,
    sheet_patterns,
    stored_value,
)
from crm_xl.xlsx.sheets import SheetInfo, find_worksheet
from crm_xl.xlsx.values import read_shared_strings
from crm_xl.xlsx.workbook_part import uses_1904_dates
from crm_xl.xlsx.xml_checks import check_xml


def write_cached_values(
    parts: Parts, workbook: str, sheet_name: str, values: Mapping[str, Any], changed_only: bool
) -> int:
    """Write formula results as cached values; how many cells changed
    (:meth:`Package.set_cached_values`)."""
    with paused_gc():
        return _write(parts, workbook, sheet_name, values, changed_only)


def _write(
    parts: Parts, workbook: str, sheet_name: str, values: Mapping[str, Any], changed_only: bool
) -> int:
    info, data, layout = sheet_part(parts, workbook, sheet_name)
    where = info.name
    if layout is None:
        raise CrmError(f"part {info.part} has no <sheetData>", where)
    prefix = layout.prefix
    want, kinds, spelled = encode_results(values, where, prefix)
    if not want:
        return 0
    pats = sheet_patterns(prefix)
    start, end = layout.content
    strings = _once(lambda: workbook_strings(parts, workbook))
    date1904 = _once(lambda: uses_1904_dates(parts, workbook))
    targeted = targeted_edit.edit_targeted(
        data, start, end, pats, want, kinds, strings, date1904, changed_only
    )
    if targeted is not None:
        # only the result cells were visited: what was put in them is proved well-formed
        # (the rest of the part is as it was, and it was proved when it was read)
        new, changed, inserted = targeted
        if changed:
            try:
                check_xml(inserted, namespaces=False)
            except (ParseError, DefusedXmlException) as err:  # a bug here, never the input
                raise AssertionError(f"editing {info.part} produced broken XML: {err}") from None
            parts.keep_proved(info.part, new)
        return changed
    edit = CellEditor(data, pats, kinds, strings, date1904)
    areas = array_areas(data, start, end, pats)
    in_array = array_lookup(areas)
    row_num = 0
    prev: bytes | None = None  # the previous cell's reference in this row
    pop = want.pop
    for m in cells_regex(data, start, end, pats, areas).finditer(data, start, end):
        attrs, ref, f = m.group(2, 3, 8)
        if ref is None:
            if attrs is None:
                row_attrs = m.group(1)
                if row_attrs is not None:
                    rm = R_ATTR.search(row_attrs)
                    row_num = int(rm.group(1) or rm.group(2)) if rm else row_num + 1
                    prev = None
                continue
            ref = cell_ref(attrs, prev, row_num)
        prev = ref
        new_v = pop(ref, None)
        if new_v is None:
            continue
        if f is None and not in_array(ref):
            raise CrmError(NOT_A_FORMULA, f"{where}!{spelled.get(ref, ref.decode())}")
        edit(m, ref, new_v)
    for ref in want:
        if B_REF.fullmatch(ref) is None or not in_array(ref):
            raise CrmError(NOT_A_FORMULA, f"{where}!{spelled.get(ref, ref.decode())}")
    missing = missing_cells(want, want, kinds, edit.c_name)
    changed = edit.changed
    if not changed and not missing:
        return 0
    new = edit.apply() if changed else data
    if missing:
        new = insert_missing_cells(new, missing, pats)
        changed += sum(len(cols) for cols in missing.values())
    try:
        check_xml(new)
    except (ParseError, DefusedXmlException) as err:  # a bug here, never the user's input
        raise AssertionError(f"editing {info.part} produced broken XML: {err}") from None
    parts.keep_proved(info.part, new)
    return changed


def sheet_part(
    parts: Parts, workbook: str, sheet_name: str
) -> tuple[SheetInfo, bytes, Layout | None]:
    """A worksheet's part, checked, and where its cells are (None: no <sheetData>)."""
    info = find_worksheet(parts, workbook, sheet_name)
    parts.check(info.part)
    data = parts[info.part]
    return info, data, sheet_layout(data)


def formula_cells(parts: Parts, workbook: str, sheet_name: str) -> set[str]:
    """Every formula cell of the sheet, like ``"L4"`` (:meth:`Package.formula_cells`)."""
    _, data, layout = sheet_part(parts, workbook, sheet_name)
    if layout is None:
        return set()
    start, end = layout.content
    p = layout.prefix
    if not has_comments_or_pis(data, start, end) and every_cell_has_r(
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
        found = set(read_cached_values(parts, workbook, sheet_name, None))
    for r1, c1, r2, c2 in array_areas(data, start, end, sheet_patterns(p)):
        for col in range(c1, c2 + 1):
            letters = col_letters(col)
            found.update(f"{letters}{row}" for row in range(r1, r2 + 1))
    return found


def sheet_array_areas(
    parts: Parts, workbook: str, sheet_name: str
) -> list[tuple[int, int, int, int]]:
    """The ranges of the sheet's array formulas and data tables (:meth:`Package.array_areas`)."""
    _, data, layout = sheet_part(parts, workbook, sheet_name)
    if layout is None:
        return []
    start, end = layout.content
    return array_areas(data, start, end, sheet_patterns(layout.prefix))


def read_cached_values(
    parts: Parts, workbook: str, sheet_name: str, cells: Iterable[str] | None
) -> dict[str, tuple[str, Any]]:
    """The stored result of each formula cell, ``{"L4": ("n", 71.2), ...}``
    (:meth:`Package.cached_values`)."""
    with paused_gc():
        return _read(parts, workbook, sheet_name, cells, formulas_only=True)


def read_stored_values(
    parts: Parts, workbook: str, sheet_name: str, cells: Iterable[str] | None
) -> dict[str, tuple[str, Any]]:
    """What every cell stores, formula cells their cached result (:meth:`Package.values`)."""
    with paused_gc():
        return _read(parts, workbook, sheet_name, cells, formulas_only=False)


def _read(
    parts: Parts,
    workbook: str,
    sheet_name: str,
    cells: Iterable[str] | None,
    formulas_only: bool,
) -> dict[str, tuple[str, Any]]:
    info, data, layout = sheet_part(parts, workbook, sheet_name)
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
        if PLAIN_REFS.fullmatch(joined):
            wanted = dict(zip(joined.encode().split(b"\n"), keys, strict=True))
        else:
            wanted = {canonical_ref(c, where): c for c in keys}
    pats = sheet_patterns(layout.prefix)
    start, end = layout.content
    areas = array_areas(data, start, end, pats)
    in_array = array_lookup(areas)
    strings = _once(lambda: workbook_strings(parts, workbook))
    date1904 = _once(lambda: uses_1904_dates(parts, workbook))
    v_open, v_close = b"<" + layout.prefix + b"v>", b"</" + layout.prefix + b"v>"
    v_skip, v_cut = len(v_open), -len(v_close)
    result: dict[str, tuple[str, Any]] = {}
    row_num = 0
    prev: bytes | None = None
    key: str | None = None
    pattern = cells_regex(data, start, end, pats, areas, all_cells=not formulas_only)
    for m in pattern.finditer(data, start, end):
        row_attrs, attrs, ref, _s, t, rest, body, f, v, _tail = m.groups()
        if ref is None:
            if attrs is None:
                if row_attrs is not None:
                    rm = R_ATTR.search(row_attrs)
                    row_num = int(rm.group(1) or rm.group(2)) if rm else row_num + 1
                    prev = None
                continue
            ref = cell_ref(attrs, prev, row_num)
        prev = ref
        if wanted is not None:
            key = wanted.get(ref)
            if key is None:
                continue
        if formulas_only and f is None and not in_array(ref):
            continue
        if t is None and rest and b"t=" in attrs:
            tm = T_ATTR.search(attrs)
            t = None if tm is None else tm.group(1) if tm.group(1) is not None else tm.group(2)
        if t is None and v is not None and v.startswith(v_open) and v.endswith(v_close):
            try:  # a number, the common case: no second look at the cell
                result[key or ref.decode()] = ("n", float(v[v_skip:v_cut]))
                continue
            except ValueError:
                pass
        result[key or ref.decode()] = stored_value(t, body, pats, strings, date1904)
    if wanted is not None and len(result) < len(wanted) and areas:
        for ref, key in wanted.items():
            if key not in result and in_array(ref):
                result[key] = ("empty", None)
    return result


def workbook_strings(parts: Parts, workbook: str) -> list[str]:
    """The workbook's shared strings (:func:`crm_xl.xlsx.values.read_shared_strings`)."""
    part = related_part(parts, workbook, REL_NS + "/sharedStrings")
    if part is None:
        return []
    parts.check(part)
    return read_shared_strings(parts[part])


def _once(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` called at most once, on first use."""
    box: list[Any] = []

    def get() -> Any:
        if not box:
            box.append(fn())
        return box[0]

    return get
