"""The UNO type library (``.rdb``) of crm_xl's LibreOffice add-in, written without the SDK.

A Calc add-in (a ``com.sun.star.sheet.AddIn`` service, which the function wizard lists
with its help) must describe its functions as methods of a UNO interface, and LibreOffice
reads that interface from a type library in the extension. The LibreOffice SDK makes one
with ``unoidl-write`` from an IDL file; users of crm_xl have no SDK, so this module writes
the same binary format (LibreOffice's "UNOIDL" format, as ``unoidl/source/unoidl-write.cxx``
writes it) for the one thing needed: an interface whose methods take and return ``any``.

The layout, little-endian: ``"UNOIDL\\xff\\0"``, the root map's offset and size (u32 each),
a comment; then each entity, then the names of a module's entries (NUL-terminated) and
the module's map (a byte 0 for a nested module, the entry count, then name offset and
entity offset per entry, sorted by name). An interface entity is its kind byte (5), its
bases, attributes and methods; a name is a u32 length and its bytes, or, written before,
``0x80000000 | offset`` of the first copy. ``tests/excel/test_libreoffice_types.py``
checks the bytes against ``unoidl-write``'s where the SDK is installed.

Example::

    >>> data = interface_rdb("org.example.XDemo", [("TWICE", ["x"])])
    >>> data[:8], len(data)
    (b'UNOIDL\\xff\\x00', 225)
    >>> print(idl_text("org.example.XDemo", [("TWICE", ["x"])]))
    module org { module example {
        interface XDemo : com::sun::star::uno::XInterface
        {
            any TWICE([in] any x);
        };
    }; };
    <BLANKLINE>
"""

from __future__ import annotations

import struct

#: What unoidl-write puts after the header (LibreOffice ignores it).
COMMENT = b"\0** Created by crm_xl (the UNOIDL format of LibreOffice's unoidl-write) **\0"
_INTERFACE = 5  # unoidl::Entity::SORT_INTERFACE_TYPE
_XINTERFACE = "com.sun.star.uno.XInterface"

Method = tuple[str, list[str]]  # name, parameter names (every type is any)


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()
        self.strings: dict[str, int] = {}

    def u8(self, value: int) -> None:
        self.out += struct.pack("<B", value)

    def u32(self, value: int) -> None:
        self.out += struct.pack("<I", value)

    def name(self, text: str) -> None:
        """A length-prefixed name, or a reference to where it was written first."""
        if text in self.strings:
            self.u32(self.strings[text] | 0x80000000)
            return
        self.strings[text] = len(self.out)
        data = text.encode("ascii")
        self.u32(len(data))
        self.out += data

    def nul_name(self, text: str) -> int:
        offset = len(self.out)
        self.out += text.encode("ascii") + b"\0"
        return offset

    def interface(self, methods: list[Method]) -> int:
        offset = len(self.out)
        self.u8(_INTERFACE)  # not published, no annotations
        self.u32(1)  # one mandatory base
        self.name(_XINTERFACE)
        self.u32(0)  # optional bases
        self.u32(0)  # attributes
        self.u32(len(methods))
        for method, params in methods:
            self.name(method)
            self.name("any")
            self.u32(len(params))
            for param in params:
                self.u8(0)  # [in]
                self.name(param)
                self.name("any")
            self.u32(0)  # exceptions
        return offset

    def module(self, entries: dict[str, int], root: bool) -> int:
        """The map of a module's entries (name -> entity offset); returns its offset."""
        names = {key: self.nul_name(key) for key in sorted(entries)}
        offset = len(self.out)
        if not root:
            self.u8(0)  # SORT_MODULE
            self.u32(len(entries))
        for key in sorted(entries):
            self.u32(names[key])
            self.u32(entries[key])
        return offset


def identifier(name: str) -> str:
    """``name`` as a UNO IDL parameter name: IDL allows ``_`` only in all-capital names.

    Example::

        >>> identifier("dimension_names"), identifier("values")
        ('dimensionNames', 'values')
    """
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def interface_rdb(interface: str, methods: list[Method], comment: bytes = COMMENT) -> bytes:
    """The type library holding one interface (``"org.crmxl.XFunctions"``) whose methods
    each take the named ``any`` parameters and return ``any``; ``comment`` is the text
    after the header (unoidl-write names itself there)."""
    *modules, leaf = interface.split(".")
    if not modules:
        raise ValueError(f"{interface!r}: an interface needs a module (org.example.XName)")
    w = _Writer()
    w.out += b"UNOIDL\xff\0" + struct.pack("<II", 0, 0) + comment
    offset = w.interface(methods)
    entries = {leaf: offset}
    for module in reversed(modules[1:]):
        entries = {module: w.module(entries, root=False)}
    root = w.module({modules[0]: w.module(entries, root=False)}, root=True)
    w.out[8:16] = struct.pack("<II", root, 1)
    return bytes(w.out)


def idl_text(interface: str, methods: list[Method]) -> str:
    """The same interface as UNO IDL, what ``unoidl-write`` would read (for checking)."""
    *modules, leaf = interface.split(".")
    lines = [" ".join(f"module {m} {{" for m in modules)]
    lines.append(f"    interface {leaf} : com::sun::star::uno::XInterface")
    lines.append("    {")
    for method, params in methods:
        args = ", ".join(f"[in] any {p}" for p in params)
        lines.append(f"        any {method}({args});")
    lines.append("    };")
    lines.append(" ".join("};" for _ in modules))
    return "\n".join(lines) + "\n"
