"""One cell of a worksheet's XML as both sheet readers decode it.

The general reader (:mod:`crm_xl.calc.reader`) and the row-shape reader
(:mod:`crm_xl.calc.row_shapes`) find a cell's pieces differently, then decode them here
the same way: element text with its escapes (:func:`xml_text`), attributes
(:func:`parse_attrs`), the stored value with its type (:func:`cell_value`) and a formula cell
into the model (:func:`add_formula`: normal, shared, array, dynamic array, data table).

Example::

    >>> xml_text("a &amp; b_x0041_"), parse_attrs('r="B2" t="s"')
    ('a & bA', {'r': 'B2', 't': 's'})
    >>> cell_value("s", "1", None, ["x", "y"]), cell_value("e", "#N/A", None, [])
    (('y', 'str'), (XlError('#N/A'), 'e'))
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from crm_xl.calc.model import CellModel, FormulaInfo, SheetData
from crm_xl.calc.values import error
from crm_xl.xlsx.coordinates import cell_name
from crm_xl.xlsx.package import _unescape, _xstring_decode


def xml_text(s: str) -> str:
    """Element text: XML entities and Excel's ``_xHHHH_`` escapes decoded."""
    return _xstring_decode(_unescape(s)) if "&" in s or "_x" in s else s


def parse_attrs(text: str) -> dict[str, str]:
    """An element's attributes (``name="value"`` pairs, either quote), values decoded."""
    return {
        k: xml_text(a if a or not b else b)
        for k, a, b in re.findall(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", text)
    }


def _serial_from_iso(text: str) -> float | None:
    try:
        d = dt.datetime.fromisoformat(text.strip().replace("Z", ""))
    except ValueError:
        return None
    return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def cell_value(t: str | None, v: str | None, inline: str | None, sst: list[str]) -> tuple[Any, str]:
    """A stored value and its type (n, str, b, e or empty)."""
    if t is None or t == "n":
        if not v:
            return None, "empty"
        try:
            return float(v), "n"
        except ValueError:
            return None, "empty"
    if t == "s":
        try:
            return sst[int(v or "")], "str"
        except (ValueError, IndexError):
            return None, "empty"
    if t == "str":
        return xml_text(v or ""), "str"
    if t == "inlineStr":
        return (inline or ""), "str"
    if t == "b":
        return (v or "").strip() in ("1", "true"), "b"
    if t == "e":
        return error((v or "#VALUE!").strip()), "e"
    if t == "d":
        n = _serial_from_iso(v or "")
        return (n, "n") if n is not None else (None, "empty")
    return None, "empty"


def add_formula(
    wb: CellModel,
    sheet: SheetData,
    row: int,
    col: int,
    fa: dict[str, str],
    ftext: str,
    cm: str | None,
    value: Any,
    vtype: str,
    shared: dict[str, tuple[str, str]],
    dependents: list[tuple[FormulaInfo, str]],
) -> None:
    """One formula cell with ``<f>`` attributes ``fa`` and (decoded) text ``ftext``.

    ``shared`` collects each shared formula's master (si → its text and cell) and
    ``dependents`` the other cells of shared formulas, whose text the reader takes from
    their master once the whole sheet is read.
    """
    ftype = fa.get("t", "normal")
    if ftype == "shared":
        si = fa.get("si", "")
        if ftext.strip():
            shared[si] = (ftext, cell_name(row, col))
            info = wb.set_formula(sheet, row, col, ftext, "shared", fa.get("ref"), value, vtype)
        else:
            info = wb.set_formula(sheet, row, col, None, "shared", None, value, vtype)
            dependents.append((info, si))
        info.si = si
    elif ftype in ("array", "dataTable"):
        kind = ftype if ftype == "dataTable" or cm is None else "dynamic"
        ref = fa.get("ref") or cell_name(row, col)
        wb.set_formula(sheet, row, col, ftext, kind, ref, value, vtype)
    else:
        wb.set_formula(sheet, row, col, ftext, "normal", None, value, vtype)
