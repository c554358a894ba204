"""Relationships (OPC): how one part names the parts it uses, in ``_rels/NAME.rels``.

A relationship has an Id (``rId3``), a type (a URI ending in ``/worksheet``, ...) and a
target, relative to the source part's folder unless it starts with ``/``::

    >>> rels_part("xl/workbook.xml")
    'xl/_rels/workbook.xml.rels'
    >>> resolve("xl/workbook.xml", "worksheets/sheet%201.xml"), resolve("xl/workbook.xml", "/xl/a.xml")
    ('xl/worksheets/sheet 1.xml', 'xl/a.xml')
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from crm_xl.xlsx.escapes import escape_attr
from crm_xl.xlsx.namespaces import PKG_REL_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.xml_scan import Node, append_into


def rels_part(part: str) -> str:
    """The name of the part holding ``part``'s relationships."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name (relative targets resolve against ``source``)."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


@dataclass
class Rel:
    """One ``<Relationship>``, with the node it was read from."""

    id: str
    type: str
    target: str
    external: bool
    node: Node


def relationships(parts: Parts, source: str) -> list[Rel]:
    """The relationships of part ``source`` ("" for the package's own, ``_rels/.rels``)."""
    name = parts.actual_name(rels_part(source) if source else "_rels/.rels")
    if name is None:
        return []
    root = parts.tree(name, 1)
    return [
        Rel(
            r.get("Id") or "",
            r.get("Type") or "",
            r.get("Target") or "",
            (r.get("TargetMode") or "") == "External",
            r,
        )
        for r in root.iter_children(PKG_REL_NS, "Relationship")
    ]


def add_relationship(parts: Parts, source: str, rel_type: str, part: str) -> str:
    """Add a relationship from ``source`` to ``part``; returns its new Id."""
    rels = relationships(parts, source)
    ids = {r.id for r in rels}
    n = 1 + max((int(i[3:]) for i in ids if re.fullmatch(r"rId\d+", i)), default=0)
    while f"rId{n}" in ids:
        n += 1
    rel_id = f"rId{n}"
    absolute = any(r.target.startswith("/") for r in rels if not r.external)
    target = "/" + part if absolute else posixpath.relpath(part, posixpath.dirname(source) or ".")
    target = quote(target, safe="/-._~!$&'()*+,;=:@")
    name = parts.actual_name(rels_part(source))
    if name is None:
        name = rels_part(source)
        parts[name] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            b'<Relationships xmlns="' + PKG_REL_NS.encode() + b'"></Relationships>'
        )
    root = parts.tree(name, 1)
    prefix = root.prefix_for(PKG_REL_NS) or ""
    new = (
        f'<{prefix}Relationship Id="{rel_id}" Type="{escape_attr(rel_type)}" '
        f'Target="{escape_attr(target)}"/>'
    ).encode()
    parts.store(name, root, append_into(root, new))
    return rel_id


def remove_relationships(parts: Parts, source: str, ids: set[str]) -> None:
    """Remove the relationships of ``source`` with these Ids."""
    name = parts.actual_name(rels_part(source))
    if name is None or not ids:
        return
    root = parts.tree(name, 1)
    edits = [
        (r.start, r.end, b"")
        for r in root.iter_children(PKG_REL_NS, "Relationship")
        if r.get("Id") in ids
    ]
    parts.store(name, root, edits)


def related_part(parts: Parts, source: str, rel_type: str) -> str | None:
    """The part that ``source``'s first internal relationship of ``rel_type`` points at,
    as the archive spells it; None when there is none or the part is missing."""
    rel = next(
        (r for r in relationships(parts, source) if r.type == rel_type and not r.external), None
    )
    return parts.actual_name(resolve(source, rel.target)) if rel is not None else None
