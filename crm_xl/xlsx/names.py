"""Defined names: the workbook's ``<definedNames>``, read and set as Excel keeps them.

A name is workbook-level or scoped to one sheet (``localSheetId``, a sheet position);
names compare case-insensitively and Excel keeps the list sorted by the name it shows
(without ``_xlnm.``). Excel's rules for a name are in :func:`check_defined_name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import parse_ref
from crm_xl.xlsx.escapes import XML_ILLEGAL, escape_attr, escape_text
from crm_xl.xlsx.namespaces import MAIN_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.sheets import list_sheets
from crm_xl.xlsx.workbook_part import WORKBOOK_ORDER
from crm_xl.xlsx.xml_scan import append_into, insert_position


@dataclass(frozen=True)
class DefinedName:
    """One ``<definedName>``: name, formula text (no ``=``), scope (sheet index or None), hidden."""

    name: str
    text: str
    local_sheet_id: int | None
    hidden: bool


def defined_name_list(parts: Parts, workbook: str) -> list[DefinedName]:
    """Every ``<definedName>``, in file order (:meth:`Package.defined_name_list`)."""
    root = parts.tree(workbook, 2)
    names = root.child(MAIN_NS, "definedNames")
    result = []
    for node in names.iter_children(MAIN_NS, "definedName") if names is not None else ():
        local = node.get("localSheetId")
        result.append(
            DefinedName(
                node.get("name") or "",
                node.text(),
                int(local) if local is not None and local.strip().isdigit() else None,
                (node.get("hidden") or "").lower() in ("1", "true"),
            )
        )
    return result


def defined_names(parts: Parts, workbook: str) -> dict[str, tuple[str, int | None]]:
    """name → (formula text, localSheetId or None), one scope each (:meth:`Package.defined_names`)."""
    result: dict[str, tuple[str, int | None]] = {}
    for d in defined_name_list(parts, workbook):
        if d.name not in result or (d.local_sheet_id is None and result[d.name][1] is not None):
            result[d.name] = (d.text, d.local_sheet_id)
    return result


def set_defined_name(
    parts: Parts, workbook: str, name: str, text: str, local_sheet_id: int | None = None
) -> None:
    """Add a name, or replace the text of the one of that name and scope
    (:meth:`Package.set_defined_name`)."""
    check_defined_name(name)
    if not isinstance(text, str) or not text.strip():
        raise CrmError("the defined name's formula must be non-empty text", f"name '{name}'")
    text = text[1:] if text.startswith("=") else text
    if XML_ILLEGAL.search(text):
        raise CrmError("the formula must not contain control characters", f"name '{name}'")
    sheets = list_sheets(parts, workbook)
    if local_sheet_id is not None and not 0 <= local_sheet_id < len(sheets):
        raise CrmError(
            f"local_sheet_id {local_sheet_id} is not a sheet position (0 to {len(sheets) - 1})",
            f"name '{name}'",
        )
    root = parts.tree(workbook, 2)
    prefix = root.prefix_for(MAIN_NS) or ""
    scope = "" if local_sheet_id is None else f' localSheetId="{local_sheet_id}"'
    body = escape_text(text).encode()
    new = f'<{prefix}definedName name="{escape_attr(name)}"{scope}>'.encode() + body
    new += f"</{prefix}definedName>".encode()
    container = root.child(MAIN_NS, "definedNames")
    if container is None:
        pos = insert_position(root, WORKBOOK_ORDER, "definedNames")
        block = f"<{prefix}definedNames>".encode() + new + f"</{prefix}definedNames>".encode()
        parts.store(workbook, root, [(pos, pos, block)])
        return
    entries = list(container.iter_children(MAIN_NS, "definedName"))
    for node in entries:
        local = node.get("localSheetId")
        same_scope = (local is None and local_sheet_id is None) or (
            local is not None and local.strip() == str(local_sheet_id)
        )
        if same_scope and (node.get("name") or "").casefold() == name.casefold():
            if node.self_closing:
                slash = node.data.rindex(b"/", node.start, node.open_end)
                edit = (slash, node.open_end, b">" + body + f"</{node.qname}>".encode())
            else:
                edit = (node.open_end, node.close_start, body)
            parts.store(workbook, root, [edit])
            return
    # Excel keeps the list sorted by the name it shows (without "_xlnm."), ignoring case.
    key = _name_order(name)
    later = next((n for n in entries if _name_order(n.get("name") or "") > key), None)
    edits = [(later.start, later.start, new)] if later else append_into(container, new)
    parts.store(workbook, root, edits)


_NAME_START = re.compile(r"^[^\W\d]|^[_\\]", re.U)
_NAME_CHARS = re.compile(r"^[\w.\\?]+$", re.U)
_LOOKS_LIKE_R1C1 = re.compile(r"^(?:[Rr]\d*(?:[Cc]\d*)?|[Cc]\d*)$")


def _name_order(name: str) -> str:
    return name.removeprefix("_xlnm.").casefold()


def check_defined_name(name: str) -> None:
    """Raise :class:`CrmError` unless ``name`` follows Excel's rules for a defined name
    (``_xlnm.`` built-in names are allowed).

    Example::

        >>> check_defined_name("_xlnm.Print_Area"), check_defined_name("Rate_2027")
        (None, None)
        >>> check_defined_name("R2C3")
        Traceback (most recent call last):
        ...
        crm_xl.errors.CrmError: defined name 'R2C3': looks like a cell reference, which Excel does not allow as a name
    """
    where = f"defined name {name!r}"
    if not isinstance(name, str) or not name:
        raise CrmError("a defined name must be non-empty text", where)
    if len(name) > 255:
        raise CrmError("is longer than 255 characters", where)
    bare = name[6:] if name.startswith("_xlnm.") else name
    if not bare or not _NAME_START.match(bare) or not _NAME_CHARS.match(bare):
        raise CrmError(
            "must start with a letter, _ or \\ and contain only letters, digits, _ . \\ ?", where
        )
    if parse_ref(bare) is not None or _LOOKS_LIKE_R1C1.match(bare):
        raise CrmError("looks like a cell reference, which Excel does not allow as a name", where)
