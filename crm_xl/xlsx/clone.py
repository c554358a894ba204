"""Copying a worksheet as a new sheet, without the parts that belong to one sheet only.

What is copied and what is left out, and why, is told at :meth:`Package.clone_sheet`:
in short the sheet's own XML is copied (with new GUIDs for its own identities) and the
relationships to drawings, comments, tables, controls and printer settings are dropped,
with the elements that point at them; external hyperlinks are kept.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from crm_xl.xlsx.namespaces import REL_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import Rel, relationships, rels_part
from crm_xl.xlsx.sheets import (
    SheetInfo,
    add_sheet,
    check_sheet_name,
    find_sheet,
    find_worksheet,
    list_sheets,
)
from crm_xl.xlsx.xml_scan import Edit, Node, attr_edits, splice


def clone_sheet(
    parts: Parts,
    workbook: str,
    source_name: str,
    new_name: str,
    after: str | None = None,
    transform: Callable[[bytes], bytes] | None = None,
) -> SheetInfo:
    """Copy worksheet ``source_name`` as sheet ``new_name`` (:meth:`Package.clone_sheet`)."""
    source = find_worksheet(parts, workbook, source_name)
    check_sheet_name(new_name, [info.name for info in list_sheets(parts, workbook)])
    if after is not None:
        find_sheet(parts, workbook, after)
    root = parts.tree(source.part, shallow=("sheetData",))
    kept: list[Rel] = [r for r in relationships(parts, source.part) if r.external]
    dropped = {r.id for r in relationships(parts, source.part) if not r.external}
    edits: list[Edit] = []

    def refers(node: Node) -> bool:
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
                    edits += attr_edits(view, {"tabSelected": None})
        if child.local == "sheetPr" and child.get("codeName") is not None:
            edits += attr_edits(child, {"codeName": None})
        if not dropped or child.local == "sheetData" or not refers(child):
            continue
        if child.local == "pageSetup":
            names = [
                q
                for q in child.attrs()
                if ":" in q and child.nsmap.get(q.partition(":")[0]) == REL_NS
            ]
            edits += attr_edits(child, dict.fromkeys(names))
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
    xml = _regenerate_guids(splice(root.data, edits))
    if transform is not None:
        xml = transform(xml)
        if not isinstance(xml, bytes):
            raise TypeError("transform must return bytes")
    rels = None
    if kept:
        rels_name = parts.actual_name(rels_part(source.part))
        rels_root = parts.tree(rels_name, 1)
        cut = [
            (r.node.start, r.node.end, b"")
            for r in relationships(parts, source.part)
            if not r.external
        ]
        rels = splice(rels_root.data, cut)
    return add_sheet(parts, workbook, new_name, xml, after=after, rels=rels)


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
