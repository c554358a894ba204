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

import re
from typing import Any

from crm_xl.calc.model import CellModel, FormulaInfo, SheetData
from crm_xl.calc.values import error
from crm_xl.xlsx.coordinates import cell_name
from crm_xl.xlsx.escapes import text_content, unescape, xstring_decode
from crm_xl.xlsx.values import decode_value


def xml_text(s: str) -> str:
    r"""Element text as an XML parser reports it: line ends normalised (a formula's CR LF
    is LF, XML 1.0 §2.11; ``&#13;`` stays a CR), entities and Excel's ``_xHHHH_`` escapes
    decoded.

    >>> xml_text("IF(A1,\r\n1,\r2)&#13;")
    'IF(A1,\n1,\n2)\r'
    """
    if "\r" in s:
        return xstring_decode(text_content(s))
    return xstring_decode(unescape(s)) if "&" in s or "_x" in s else s


def parse_attrs(text: str) -> dict[str, str]:
    """An element's attributes (``name="value"`` pairs, either quote), values decoded."""
    return {
        k: xml_text(a if a or not b else b)
        for k, a, b in re.findall(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", text)
    }


def cell_value(
    t: str | None, v: str | None, inline: str | None, sst: list[str], date1904: bool = False
) -> tuple[Any, str]:
    """A stored value and its type (n, str, b, e or empty), as the package's one decoder
    (:func:`crm_xl.xlsx.values.decode_value`) reads it, errors as the engine's values."""
    kind, value = decode_value(t, v, inline, sst, date1904=date1904)
    return (error(value), "e") if kind == "e" else (value, kind)


def formula_cache(t: str | None, value: Any, vtype: str) -> tuple[Any, str]:
    """A formula's cached value: a formula of type ``str`` with an empty ``<v/>`` (or
    none) has computed "" — Excel writes ``<c t="str"><f>T(H12:J12)</f><v/></c>`` — where
    a formula without a type and without a value was never calculated.

    Example::

        >>> formula_cache("str", None, "empty"), formula_cache(None, None, "empty")
        (('', 'str'), (None, 'empty'))
    """
    if t == "str" and vtype == "empty":
        return "", "str"
    return value, vtype


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
