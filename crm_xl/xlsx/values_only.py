"""A worksheet's formulas replaced by their stored values, and a package without its VBA.

For a copy sent to people without crm_xl's functions (``crm-xl export``): every ``<c>`` that
holds an ``<f>`` keeps its stored ``<v>`` and loses the ``<f>`` — normal, shared (master and
dependents), array and data-table formulas alike — and its ``cm=`` (the dynamic-array
metadata that only a formula cell has). A text result, stored ``t="str"`` (a formula's
string), becomes an inline string, the form a typed text takes without sharedStrings;
an empty result (``""``, stored as an empty ``<v>``) becomes an empty cell. Numbers, booleans and errors keep ``<v>`` and
``t=``. Styles (``s=``) and every other byte of the part stay as they were.

Example::

    >>> data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ...         b'<sheetData><row r="1"><c r="A1" s="2"><f>1+1</f><v>2</v></c>'
    ...         b'<c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="C1"><f>X</f></c>'
    ...         b'</row></sheetData></worksheet>')
    >>> root = parse(data)
    >>> edits, replaced, missing = values_only(root)
    >>> out = splice(data, edits)
    >>> out[out.index(b"<row"):out.index(b"</row>")]
    b'<row r="1"><c r="A1" s="2"><v>2</v></c><c r="B1" t="inlineStr"><is><t>ab</t></is></c><c r="C1"></c>'
    >>> replaced, missing
    (3, ['C1'])
"""

from __future__ import annotations

from crm_xl.xlsx.namespaces import CT_NS, MAIN_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import relationships, rels_part, remove_relationships, resolve
from crm_xl.xlsx.xml_scan import Edit, Node, attr_edits, parse, splice  # noqa: F401 (examples)

RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def values_only(root: Node) -> tuple[list[Edit], int, list[str]]:
    """The edits that replace every formula of the worksheet part ``root`` by its stored
    value; how many formulas go, and the cells whose formula has no stored value (they are
    left empty)."""
    sheet_data = root.child(MAIN_NS, "sheetData")
    edits: list[Edit] = []
    replaced, missing = 0, []
    for row in [] if sheet_data is None else sheet_data.iter_children(MAIN_NS, "row"):
        for cell in row.iter_children(MAIN_NS, "c"):
            formula = cell.child(MAIN_NS, "f")
            if formula is None:
                if cell.get("cm") is not None:
                    edits += attr_edits(cell, {"cm": None})
                continue
            replaced += 1
            value = cell.child(MAIN_NS, "v")
            if value is None:
                missing.append(cell.get("r") or "?")
            edits += _cell_edits(cell, formula, value)
    return edits, replaced, missing


def _cell_edits(cell: Node, formula: Node, value: Node | None) -> list[Edit]:
    edits: list[Edit] = [(formula.start, formula.end, b"")]
    attrs: dict[str, str | None] = {"cm": None}
    raw = b"" if value is None else value.data[value.open_end : value.close_start]
    if value is not None and not raw:  # "" (or nothing) shows an empty cell
        edits.append((value.start, value.end, b""))
        attrs["t"] = None
    elif value is not None and cell.get("t") == "str":
        prefix = value.prefix + ":" if value.prefix else ""
        space = ' xml:space="preserve"' if raw != raw.strip() else ""
        text = f"<{prefix}is><{prefix}t{space}>".encode() + raw
        edits.append((value.start, value.end, text + f"</{prefix}t></{prefix}is>".encode()))
        attrs["t"] = "inlineStr"
    return edits + attr_edits(cell, attrs)


def drop_vba(parts: Parts, workbook: str) -> bool:
    """Remove the VBA project (``vbaProject.bin``, its signature, the relationship) and
    make the workbook a plain one (its content type); whether there was one."""
    rels = [r for r in relationships(parts, workbook) if r.type == RT_VBA]
    for rel in rels:
        part = parts.actual_name(resolve(workbook, rel.target))
        if part is None:
            continue
        for sig in relationships(parts, part):
            signed = parts.actual_name(resolve(part, sig.target))
            if signed is not None and not sig.external:
                parts.remove(signed)
        own_rels = parts.actual_name(rels_part(part))
        if own_rels is not None:
            parts.remove(own_rels)
        parts.remove(part)
    remove_relationships(parts, workbook, {r.id for r in rels})
    root = parts.tree("[Content_Types].xml", 1)
    for o in root.iter_children(CT_NS, "Override"):
        if (o.get("PartName") or "").lower() == "/" + workbook.lower() and (
            o.get("ContentType") == CT_MACRO_WORKBOOK
        ):
            parts.store("[Content_Types].xml", root, attr_edits(o, {"ContentType": CT_WORKBOOK}))
            return True
    return bool(rels)
