"""XML surgery: where each element of a part is, and edits that replace only those bytes.

A part already proved safe (:mod:`crm_xl.xlsx.xml_checks`) is scanned by one regular
expression that records where each start and end tag is (:func:`parse` gives a tree of
:class:`Node`); an edit is a ``(start, end, replacement)`` byte range, and
:func:`splice` applies a list of them. Everything else in the part — namespace prefixes,
``mc:Ignorable`` declarations, extension lists — keeps its bytes::

    >>> root = parse(b'<a xmlns="urn:x"><b k="1"/><c>text</c></a>')
    >>> [n.local for n in root.children], root.children[1].text()
    (['b', 'c'], 'text')
    >>> splice(root.data, attr_edits(root.children[0], {"k": "2", "new": "<"}))
    b'<a xmlns="urn:x"><b k="2" new="&lt;"/><c>text</c></a>'
    >>> splice(root.data, append_into(root.children[0], b"<d/>"))
    b'<a xmlns="urn:x"><b k="1"><d/></b><c>text</c></a>'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from crm_xl.xlsx.escapes import escape_attr, unescape
from crm_xl.xlsx.namespaces import XML_NS

TOKEN = re.compile(
    rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>"
    rb"|<(/?)([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)
"""One markup token: groups 1 ``/`` of an end tag, 2 the name, 3 the attributes, 4 ``/`` of
an empty element (comments, CDATA, processing instructions and declarations: no name)."""
ATTR = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_FIRST_R = re.compile(rb'\s+r="([^"&<]*)"')  # r= written first, as every writer does
BASE_NS = {"xml": XML_NS}

Edit = tuple[int, int, bytes]
"""Replace ``data[start:end]`` by the bytes (an insertion when start == end)."""


class Node:
    """Where one element is in a part's bytes (start tag, content, end tag) and its children."""

    __slots__ = (
        "_attrs",
        "attr_span",
        "children",
        "close_start",
        "data",
        "end",
        "nsmap",
        "open_end",
        "parent",
        "qname",
        "start",
    )

    def __init__(
        self,
        data: bytes,
        qname: str,
        start: int,
        open_end: int,
        attr_span: tuple[int, int],
        nsmap: Mapping[str, str],
    ):
        self.data = data
        self.qname = qname
        self.start = start
        self.open_end = open_end
        self.attr_span = attr_span
        self.nsmap = nsmap
        self.children: list[Node] = []
        self.close_start = open_end  # for a self-closing element
        self.end = open_end
        self.parent: Node | None = None
        self._attrs: dict[str, str] | None = None

    @property
    def self_closing(self) -> bool:
        """Written ``<x/>``: no content and no end tag."""
        return self.end == self.open_end

    @property
    def prefix(self) -> str:
        """The namespace prefix of the element's name ('' for none)."""
        return self.qname.partition(":")[0] if ":" in self.qname else ""

    @property
    def local(self) -> str:
        """The element's name without its prefix."""
        return self.qname.rpartition(":")[2]

    @property
    def ns(self) -> str | None:
        """The element's namespace URI (None when its prefix is unbound)."""
        return self.nsmap.get(self.prefix)

    def is_(self, ns: str, local: str) -> bool:
        """The element is ``{ns}local``, whatever prefix the part uses."""
        return self.local == local and self.ns == ns

    def attrs(self) -> dict[str, str]:
        """Attributes by qualified name, values unescaped."""
        if self._attrs is None:
            s, e = self.attr_span
            self._attrs = {
                m.group(1).decode(): unescape(
                    (m.group(2) if m.group(2) is not None else m.group(3)).decode()
                )
                for m in ATTR.finditer(self.data, s, e)
            }
        return self._attrs

    def get(self, name: str, default: str | None = None) -> str | None:
        """One attribute by qualified name, unescaped."""
        if name == "r" and self._attrs is None:  # a cell's or row's r, asked of every one
            m = _FIRST_R.match(self.data, *self.attr_span)
            if m is not None:
                return m.group(1).decode()
        return self.attrs().get(name, default)

    def get_ns(self, ns: str, local: str) -> str | None:
        """The attribute ``{ns}local`` whatever prefix the part uses for ``ns``."""
        for qname, value in self.attrs().items():
            prefix, _, name = qname.rpartition(":")
            if name == local and prefix and self.nsmap.get(prefix) == ns:
                return value
        return None

    def text(self) -> str:
        """The element's content, unescaped (its text when it has no child elements)."""
        return unescape(self.data[self.open_end : self.close_start].decode())

    def child(self, ns: str, local: str) -> Node | None:
        """The first child element ``{ns}local``, if any."""
        return next((c for c in self.children if c.is_(ns, local)), None)

    def iter_children(self, ns: str, local: str) -> Iterator[Node]:
        """The child elements ``{ns}local``, in order."""
        return (c for c in self.children if c.is_(ns, local))

    def iter(self) -> Iterator[Node]:
        """This element and every element under it that was kept, in document order."""
        yield self
        for c in self.children:
            yield from c.iter()

    def prefix_for(self, ns: str) -> str | None:
        """'' for the default namespace, 'x:' for a prefix bound to ``ns``, None if unbound."""
        if self.nsmap.get("") == ns:
            return ""
        for prefix, uri in self.nsmap.items():
            if uri == ns and prefix and prefix != "xml":
                return prefix + ":"
        return None


def declare(nsmap: Mapping[str, str], raw: bytes) -> dict[str, str]:
    """``nsmap`` (a copy) with the ``xmlns`` declarations among the start-tag attributes
    ``raw``: ``xmlns="..."`` binds the default namespace, key ``""``."""
    nsmap = dict(nsmap)
    for a in ATTR.finditer(raw):
        key = a.group(1).decode()
        value = unescape((a.group(2) if a.group(2) is not None else a.group(3)).decode())
        if key == "xmlns":
            nsmap[""] = value
        elif key.startswith("xmlns:"):
            nsmap[key[6:]] = value
    return nsmap


def parse(data: bytes, max_depth: int = 64, shallow: Iterable[str] = ()) -> Node:
    """The element tree of an already validated part, down to ``max_depth`` (root = 0).

    Children of elements whose local name is in ``shallow`` are scanned but not kept
    (``sheetData`` holds most of a big worksheet).
    """
    shallow = set(shallow)
    root: Node | None = None
    stack: list[Node | None] = []
    tokens = TOKEN.finditer(data)
    while (m := next(tokens, None)) is not None:
        name = m.group(2)
        if name is None:
            continue
        if m.group(1):
            node = stack.pop()
            if node is not None:
                node.close_start, node.end = m.start(), m.end()
            continue
        parent = stack[-1] if stack else None
        keep = not stack or (
            parent is not None and len(stack) <= max_depth and parent.local not in shallow
        )
        if not keep:
            if not m.group(4):
                stack.append(None)
                close = _end_tag(data, m.end(), name)
                if close is not None:  # straight to it: a big sheetData is 40 MB of tokens
                    tokens = TOKEN.finditer(data, close)
            continue
        nsmap = parent.nsmap if parent is not None else BASE_NS
        raw = m.group(3)
        if b"xmlns" in raw:
            nsmap = declare(nsmap, raw)
        node = Node(data, name.decode(), m.start(), m.end(), m.span(3), nsmap)
        if parent is not None:
            node.parent = parent
            parent.children.append(node)
        else:
            root = node
        if not m.group(4):
            stack.append(node)
    if root is None:
        raise ValueError("no root element")
    return root


def _end_tag(data: bytes, start: int, name: bytes) -> int | None:
    """Where the end tag of the element ``name`` whose content starts at ``start`` is, found
    without reading the content's tokens; None when the content could hide one (a comment,
    CDATA, a processing instruction, or an element of the same name inside)."""
    end_tag = b"</" + name
    close = data.find(end_tag, start)
    while close >= 0 and data[close + len(end_tag) : close + len(end_tag) + 1] not in _NAME_ENDS:
        close = data.find(end_tag, close + 1)
    if close < 0 or data.find(b"<!", start, close) >= 0 or data.find(b"<?", start, close) >= 0:
        return None
    opens = data.find(b"<" + name, start, close)
    while opens >= 0:
        if data[opens + len(name) + 1 : opens + len(name) + 2] in (*_NAME_ENDS, b"/"):
            return None
        opens = data.find(b"<" + name, opens + 1, close)
    return close


_NAME_ENDS = (b">", b" ", b"\t", b"\n", b"\r")


def splice(data: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping (start, end, replacement) edits; inserts at one point keep order."""
    out: list[bytes] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            raise AssertionError(f"overlapping XML edits at byte {start}")
        out += [data[pos:start], new]
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def attr_edits(node: Node, changes: Mapping[str, str | None]) -> list[Edit]:
    """Edits that set (or, for None, remove) attributes in ``node``'s start tag only."""
    data = node.data
    s, e = node.attr_span
    edits: list[Edit] = []
    seen = set()
    for m in ATTR.finditer(data, s, e):
        name = m.group(1).decode()
        if name not in changes:
            continue
        seen.add(name)
        value = changes[name]
        if value is None:
            cut = m.start()
            while cut > s and data[cut - 1 : cut].isspace():
                cut -= 1
            edits.append((cut, m.end(), b""))
        else:
            span = m.span(2) if m.group(2) is not None else m.span(3)
            edits.append((*span, escape_attr(value).encode()))
    added = "".join(
        f' {n}="{escape_attr(v)}"' for n, v in changes.items() if n not in seen and v is not None
    )
    if added:
        edits.append((e, e, added.encode()))
    return edits


def raw_attrs(node: Node) -> list[tuple[str, bytes]]:
    """A start tag's attributes as (qname, raw quoted value), so kept ones are copied verbatim."""
    s, e = node.attr_span
    return [
        (m.group(1).decode(), node.data[m.end(1) : m.end()].split(b"=", 1)[1].strip())
        for m in ATTR.finditer(node.data, s, e)
    ]


def append_into(node: Node, content: bytes) -> list[Edit]:
    """Edits that put ``content`` at the end of ``node``'s content (opening it if self-closing)."""
    if not node.self_closing:
        return [(node.close_start, node.close_start, content)]
    slash = node.data.rindex(b"/", node.start, node.open_end)
    return [(slash, node.open_end, b">" + content + f"</{node.qname}>".encode())]


def insert_position(parent: Node, order: tuple[str, ...], local: str) -> int | None:
    """Where a new ``local`` child goes among ``parent``'s children in schema ``order``."""
    rank = order.index(local)
    for child in parent.children:
        if child.ns == parent.ns and child.local in order and order.index(child.local) > rank:
            return child.start
    return None if parent.self_closing else parent.close_start
