"""The workbook part (``xl/workbook.xml``): the order of its children, its date system and
its calculation settings, and the calcChain part that goes with them."""

from __future__ import annotations

from crm_xl.xlsx.namespaces import MAIN_NS, RT_CALC_CHAIN
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import relationships, remove_relationships, resolve
from crm_xl.xlsx.xml_scan import attr_edits, insert_position

# Child order that Excel insists on (CT_Workbook in ECMA-376 part 1).
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


def uses_1904_dates(parts: Parts, workbook: str) -> bool:
    """The workbook counts dates from 1904-01-01 (``<workbookPr date1904="1">``), not 1900."""
    pr = parts.tree(workbook, 1).child(MAIN_NS, "workbookPr")
    return pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")


def request_full_calc_on_load(parts: Parts, workbook: str) -> None:
    """``<calcPr fullCalcOnLoad="1">``, created if missing (:meth:`Package.request_full_calc_on_load`)."""
    root = parts.tree(workbook, 1)
    calc = root.child(MAIN_NS, "calcPr")
    if calc is not None:
        edits = attr_edits(calc, {"fullCalcOnLoad": "1"})
    else:
        prefix = root.prefix_for(MAIN_NS) or ""
        pos = insert_position(root, WORKBOOK_ORDER, "calcPr")
        edits = [(pos, pos, f'<{prefix}calcPr fullCalcOnLoad="1"/>'.encode())]
    if calc is None or calc.get("fullCalcOnLoad") != "1":
        parts.store(workbook, root, edits)


def drop_calc_chain(parts: Parts, workbook: str) -> bool:
    """Remove the calcChain part, its relationship and content type; whether there was one
    (:meth:`Package.drop_calc_chain`)."""
    rels = [r for r in relationships(parts, workbook) if r.type == RT_CALC_CHAIN]
    for rel in rels:
        part = parts.actual_name(resolve(workbook, rel.target))
        if part is not None:
            parts.remove(part)
    remove_relationships(parts, workbook, {r.id for r in rels})
    return bool(rels)
