"""The workbook's sheets: listed from ``<sheets>`` and ``workbook.xml.rels``, and added.

A sheet is a ``<sheet name= sheetId= r:id=>`` in the workbook part whose relationship
points at its part; adding one means a new part, its content type, a relationship, the
``<sheet>`` entry, sheet positions renumbered after it and its title in docProps/app.xml
(:mod:`crm_xl.xlsx.app_titles`). Sheet names follow Excel's rules
(:func:`check_sheet_name`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from crm_xl.errors import CrmError
from crm_xl.xlsx.app_titles import add_title
from crm_xl.xlsx.escapes import XML_ILLEGAL, escape_attr
from crm_xl.xlsx.namespaces import CT_WORKSHEET, MAIN_NS, REL_NS, RT_WORKSHEET
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import add_relationship, relationships, rels_part, resolve
from crm_xl.xlsx.workbook_part import WORKBOOK_ORDER
from crm_xl.xlsx.xml_scan import Edit, Node, append_into, attr_edits, insert_position, parse

MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = ":\\/?*[]"


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of the workbook, as :meth:`Package.sheets` lists it.

    ``kind`` is the last part of the relationship type: ``worksheet``, ``chartsheet``,
    ``dialogsheet`` or ``xlMacrosheet``. ``state`` is ``visible``, ``hidden`` or
    ``veryHidden``. ``index`` is the 0-based position (what ``localSheetId`` counts).
    """

    name: str
    sheet_id: int
    rel_id: str
    part: str
    state: str
    kind: str
    index: int


def check_sheet_name(name: str, existing: Iterable[str] = ()) -> None:
    """Raise :class:`CrmError` unless ``name`` is a sheet name Excel accepts beside ``existing``.

    Excel's rules: 1 to 31 characters, none of ``: \\ / ? * [ ]``, not starting or ending
    with ``'``, not ``History`` (Excel reserves it), and not the name of another sheet
    compared case-insensitively.

    Example::

        >>> check_sheet_name("Ratings 2027-Q1", ["Guide", "ratings 2027-q1"])
        Traceback (most recent call last):
        ...
        crm_xl.errors.CrmError: sheet name 'Ratings 2027-Q1': the workbook already has a sheet named 'ratings 2027-q1'
    """
    where = f"sheet name {name!r}"
    if not isinstance(name, str) or not name:
        raise CrmError("a sheet name must be non-empty text", where)
    if len(name) > MAX_SHEET_NAME:
        raise CrmError(f"is {len(name)} characters long; Excel allows at most 31", where)
    if any(ch in SHEET_NAME_FORBIDDEN for ch in name):
        raise CrmError("must not contain any of : \\ / ? * [ ]", where)
    if name.startswith("'") or name.endswith("'"):
        raise CrmError("must not start or end with an apostrophe (')", where)
    if XML_ILLEGAL.search(name):
        raise CrmError("must not contain control characters", where)
    if name.casefold() == "history":
        raise CrmError("'History' is reserved by Excel", where)
    for other in existing:
        if other.casefold() == name.casefold():
            raise CrmError(f"the workbook already has a sheet named '{other}'", where)


def list_sheets(parts: Parts, workbook: str) -> list[SheetInfo]:
    """The sheets in tab order (:meth:`Package.sheets`); read again only when the workbook
    part or its relationships changed (:meth:`Parts.memo`)."""
    found = parts.memo(
        "sheets", [workbook, rels_part(workbook)], lambda: _read_sheets(parts, workbook)
    )
    return list(found)


def _read_sheets(parts: Parts, workbook: str) -> list[SheetInfo]:
    root = parts.tree(workbook, 2)
    rels = {r.id: r for r in relationships(parts, workbook)}
    sheets = root.child(MAIN_NS, "sheets")
    result: list[SheetInfo] = []
    for node in sheets.iter_children(MAIN_NS, "sheet") if sheets is not None else ():
        name = node.get("name") or ""
        rel_id = node.get_ns(REL_NS, "id") or ""
        rel = rels.get(rel_id)
        if rel is None or rel.external:
            raise CrmError(
                f"sheet '{name}' points at relationship {rel_id or '(none)'}, "
                f"which {rels_part(workbook)} lacks",
                parts.source,
            )
        part = resolve(workbook, rel.target)
        actual = parts.actual_name(part)
        if part.split("/", 1)[0] == ".." or actual is None:
            where = "is outside the package" if actual is None and ".." in part else "is missing"
            raise CrmError(
                f"sheet '{name}': its part {rel.target} {where}; the file is damaged "
                "(open it in Excel, which offers to repair it, and save it again)",
                parts.source,
            )
        try:
            sheet_id = int(node.get("sheetId") or "")
        except ValueError:
            raise CrmError(f"sheet '{name}' has no valid sheetId", parts.source) from None
        result.append(
            SheetInfo(
                name=name,
                sheet_id=sheet_id,
                rel_id=rel_id,
                part=actual,
                state=node.get("state") or "visible",
                kind=rel.type.rstrip("/").rpartition("/")[2],
                index=len(result),
            )
        )
    return result


def find_sheet(parts: Parts, workbook: str, name: str) -> SheetInfo:
    """One sheet by name, compared case-insensitively (:meth:`Package.sheet`)."""
    for info in list_sheets(parts, workbook):
        if info.name.casefold() == name.casefold():
            return info
    names = ", ".join(s.name for s in list_sheets(parts, workbook))
    raise CrmError(f"no sheet '{name}'; the sheets are: {names}", parts.source)


def find_worksheet(parts: Parts, workbook: str, name: str) -> SheetInfo:
    """Like :func:`find_sheet`, refusing chartsheets and the like and a missing part."""
    info = find_sheet(parts, workbook, name)
    if info.kind != "worksheet":
        raise CrmError(f"sheet '{info.name}' is a {info.kind}, not a worksheet", parts.source)
    if info.part not in parts:
        raise CrmError(f"sheet '{info.name}': part {info.part} is missing", parts.source)
    return info


def add_sheet(
    parts: Parts,
    workbook: str,
    name: str,
    xml: bytes,
    after: str | None = None,
    rels: bytes | None = None,
) -> SheetInfo:
    """Add worksheet XML as a new sheet ``name`` after sheet ``after`` (:meth:`Package.add_sheet`)."""
    check_sheet_name(name, [info.name for info in list_sheets(parts, workbook)])
    if after is not None:
        find_sheet(parts, workbook, after)  # raises a clear error for a missing sheet
    if not isinstance(xml, bytes):
        raise TypeError("xml must be bytes")
    folder = posixpath.dirname(workbook)
    part = _next_sheet_part(parts, posixpath.join(folder, "worksheets"))
    with parts.transaction():
        parts[part] = xml
        parts.check(part)
        root = parse(xml, 0)
        if not root.is_(MAIN_NS, "worksheet"):
            raise CrmError("the new sheet's XML is not a SpreadsheetML <worksheet>", name)
        if rels is not None:
            parts[rels_part(part)] = rels
            parts.check(rels_part(part))
        parts.add_override(part, CT_WORKSHEET)
        return _register_sheet(parts, workbook, name, part, after)


def _next_sheet_part(parts: Parts, folder: str) -> str:
    pattern = re.compile(re.escape(folder.lower()) + r"/sheet(\d+)\.xml$")
    used = [int(m.group(1)) for n in parts if (m := pattern.match(n.lower()))]
    n = max(used, default=0) + 1
    while (
        parts.actual_name(f"{folder}/sheet{n}.xml") is not None
        or parts.actual_name(rels_part(f"{folder}/sheet{n}.xml")) is not None
    ):
        n += 1
    return f"{folder}/sheet{n}.xml"


def _register_sheet(
    parts: Parts, workbook: str, name: str, part: str, after: str | None
) -> SheetInfo:
    sheets = list_sheets(parts, workbook)
    index = len(sheets) if after is None else find_sheet(parts, workbook, after).index + 1
    sheet_id = max((s.sheet_id for s in sheets), default=0) + 1
    rel_id = add_relationship(parts, workbook, RT_WORKSHEET, part)

    root = parts.tree(workbook, 2)
    sheets_node = root.child(MAIN_NS, "sheets")
    prefix = root.prefix_for(MAIN_NS) or ""
    r_prefix = root.prefix_for(REL_NS)
    r_decl = "" if r_prefix else f' xmlns:r="{REL_NS}"'
    new = (
        f'<{prefix}sheet name="{escape_attr(name)}" sheetId="{sheet_id}"{r_decl} '
        f'{r_prefix or "r:"}id="{rel_id}"/>'
    ).encode()
    edits: list[Edit]
    if sheets_node is None:
        pos = insert_position(root, WORKBOOK_ORDER, "sheets")
        edits = [(pos, pos, f"<{prefix}sheets>".encode() + new + f"</{prefix}sheets>".encode())]
    else:
        nodes = list(sheets_node.iter_children(MAIN_NS, "sheet"))
        if index < len(nodes):
            edits = [(nodes[index].start, nodes[index].start, new)]
        else:
            edits = append_into(sheets_node, new)
    if index < len(sheets):
        edits += _shift_sheet_indices(root, index)
    parts.store(workbook, root, edits)
    sheets = list_sheets(parts, workbook)
    add_title(
        parts,
        name,
        before=[s.name for s in sheets[:index] if s.kind == "worksheet"],
        worksheets={s.name for s in sheets if s.kind == "worksheet" and s.name != name},
    )
    return list_sheets(parts, workbook)[index]


def _shift_sheet_indices(root: Node, index: int) -> list[Edit]:
    """Renumber sheet positions at or after ``index``: a sheet is being inserted there."""
    edits: list[Edit] = []
    names = root.child(MAIN_NS, "definedNames")
    for node in names.iter_children(MAIN_NS, "definedName") if names is not None else ():
        local = node.get("localSheetId")
        if local is not None and local.isdigit() and int(local) >= index:
            edits += attr_edits(node, {"localSheetId": str(int(local) + 1)})
    views = root.child(MAIN_NS, "bookViews")
    for view in views.iter_children(MAIN_NS, "workbookView") if views is not None else ():
        changes = {}
        for attr in ("activeTab", "firstSheet"):
            value = view.get(attr)
            if value is not None and value.isdigit() and int(value) >= index:
                changes[attr] = str(int(value) + 1)
        edits += attr_edits(view, changes)
    return edits
