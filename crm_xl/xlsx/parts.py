"""The parts of a package in memory, and the one way they are read and edited safely.

:class:`Parts` is the mapping *part name → bytes* in archive order. A part is checked
(:mod:`crm_xl.xlsx.xml_checks`) before its tree is read, and an edited part is checked
again before it is kept, so a bug in an edit cannot produce a broken file; the parts
already proved are remembered, so a part is checked once however often it is read::

    >>> types = (b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    ...          b'<Default Extension="xml" ContentType="application/xml"/></Types>')
    >>> parts = Parts({"[Content_Types].xml": types, "a.xml": b"<a/>"}, "example")
    >>> root = parts.tree("a.xml")
    >>> parts.store("a.xml", root, [(root.end, root.end, b"<!-- after -->")])
    >>> parts["a.xml"], parts.content_type("A.XML"), parts.changed()
    (b'<a/><!-- after -->', 'application/xml', ['a.xml'])
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from defusedxml.common import DefusedXmlException

from crm_xl.errors import CrmError
from crm_xl.xlsx.escapes import escape_attr
from crm_xl.xlsx.namespaces import CT_NS
from crm_xl.xlsx.xml_checks import check_utf8, check_xml, xml_problem
from crm_xl.xlsx.xml_scan import Edit, Node, append_into, parse, splice

T = TypeVar("T")


class Parts(dict[str, bytes]):
    """A package's parts by name, in archive order, with what was read and what was proved.

    ``source`` names the file in errors. Setting ``parts[name]`` stores bytes unchecked
    (the next :meth:`check` or :meth:`tree` checks them); :meth:`store` edits a part.
    """

    def __init__(self, parts: Mapping[str, bytes], source: str):
        super().__init__(parts)
        self.source = source
        self._original = dict(parts)  # as read: what changed() compares with
        self._valid: dict[str, bytes] = {}  # part → the bytes already parsed safely
        self._memo: dict[str, tuple[tuple[Any, ...], Any]] = {}  # see memo()

    def memo(self, key: str, depends_on: Iterable[str], compute: Callable[[], T]) -> T:
        """``compute()``, remembered for as long as the parts it ``depends_on`` are the same
        bytes and no part was added or removed: what is derived from a part (the sheet list
        from the workbook part) is not derived again for every sheet of a 1,000-sheet book.

        Example::

            >>> parts = Parts({"a.xml": b"<a/>"}, "book.xlsx")
            >>> calls = []
            >>> _ = parts.memo("n", ["a.xml"], lambda: calls.append(1))
            >>> _ = parts.memo("n", ["a.xml"], lambda: calls.append(1))
            >>> parts["a.xml"] = b"<b/>"
            >>> _ = parts.memo("n", ["a.xml"], lambda: calls.append(1))
            >>> len(calls)
            2
        """
        stamp = (len(self), *(self.get(name) for name in depends_on))
        held = self._memo.get(key)
        # the same objects (`is`), not equal bytes: comparing a 10 MB part would cost more
        if (
            held is not None
            and len(held[0]) == len(stamp)
            and held[0][0] == stamp[0]
            and all(a is b for a, b in zip(held[0][1:], stamp[1:], strict=True))
        ):
            return held[1]
        value = compute()
        self._memo[key] = (stamp, value)
        return value

    def actual_name(self, name: str) -> str | None:
        """The part's name as the archive spells it (part names are case-insensitive)."""
        if name in self:
            return name
        low = name.lower()
        return next((n for n in self if n.lower() == low), None)

    def changed(self) -> list[str]:
        """Names of the parts added, changed or removed since the package was read."""
        changed = [n for n, b in self._original.items() if self.get(n) != b]
        return changed + [n for n in self if n not in self._original]

    def check(self, name: str) -> None:
        """CrmError unless part ``name`` is UTF-8, well-formed XML without DTDs or entities."""
        data = self[name]
        if self._valid.get(name) is data:
            return
        check_utf8(data, name, self.source)
        try:
            check_xml(data)
        except (ParseError, DefusedXmlException) as err:
            raise CrmError(
                f"part {name} is not usable XML: {xml_problem(err)}", self.source
            ) from None
        self._valid[name] = data

    def proved(self, name: str, data: bytes) -> None:
        """Take ``data``, the part ``name`` as it is now, as checked: a reader that scans it
        anyway proved it as :meth:`check` would (:mod:`crm_xl.calc.row_shapes`)."""
        if self.get(name) is data:
            self._valid[name] = data

    def tree(self, name: str, max_depth: int = 64, shallow: Iterable[str] = ()) -> Node:
        """The part's element tree (:func:`crm_xl.xlsx.xml_scan.parse`), checked first."""
        self.check(name)
        return parse(self[name], max_depth, shallow)

    def store(self, name: str, root: Node, edits: list[Edit]) -> None:
        """Apply edits to a part, prove the result well-formed, keep it."""
        if not edits:
            return
        data = splice(root.data, edits)
        try:
            check_xml(data)
        except (ParseError, DefusedXmlException) as err:  # a bug here, never the user's input
            raise AssertionError(f"editing {name} produced broken XML: {err}") from None
        self.keep_proved(name, data)

    def keep_proved(self, name: str, data: bytes) -> None:
        """Keep ``data`` as part ``name``, already proved well-formed by the caller."""
        self[name] = data
        self._valid[name] = data

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: if the block raises, every part is as it was before it."""
        snapshot = dict(self)
        try:
            yield
        except BaseException:
            self.clear()
            self.update(snapshot)
            raise

    # -- content types -------------------------------------------------------------------

    def content_type(self, name: str) -> str | None:
        """The content type ``[Content_Types].xml`` gives a part (Override, else Default)."""
        root = self.tree("[Content_Types].xml", 1)
        key = "/" + name.lstrip("/").lower()
        for o in root.iter_children(CT_NS, "Override"):
            if (o.get("PartName") or "").lower() == key:
                return o.get("ContentType")
        base = key.rsplit("/", 1)[-1]  # "_rels/.rels" has the extension "rels"
        ext = base.rpartition(".")[2] if "." in base else ""
        for d in root.iter_children(CT_NS, "Default"):
            if (d.get("Extension") or "").lower() == ext:
                return d.get("ContentType")
        return None

    def add_override(self, part: str, content_type: str) -> None:
        """Give ``part`` its content type with an ``<Override>``."""
        root = self.tree("[Content_Types].xml", 1)
        prefix = root.prefix_for(CT_NS) or ""
        new = (
            f'<{prefix}Override PartName="{escape_attr("/" + part)}" '
            f'ContentType="{escape_attr(content_type)}"/>'
        ).encode()
        self.store("[Content_Types].xml", root, append_into(root, new))

    def remove(self, name: str) -> None:
        """Remove a part and its ``<Override>``; KeyError if there is no such part."""
        actual = self.actual_name(name.lstrip("/"))
        if actual is None:
            raise KeyError(name)
        del self[actual]
        ct = self.tree("[Content_Types].xml", 1)
        edits = [
            (o.start, o.end, b"")
            for o in ct.iter_children(CT_NS, "Override")
            if (o.get("PartName") or "").lstrip("/").lower() == actual.lower()
        ]
        if edits:
            self.store("[Content_Types].xml", ct, edits)
