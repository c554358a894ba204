"""The safety checks every XML part of an untrusted package passes before it is read.

defusedxml's rules (no DTD, no entity declarations, no external references), enforced by
expat without building a tree, and the encoding and character checks crm_xl relies on
when it reads parts with regular expressions::

    >>> check_xml(b'<a xmlns="urn:x"><b/></a>')
    >>> check_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    Traceback (most recent call last):
    ...
    defusedxml.common.DTDForbidden: DTDForbidden(name='a', system_id=None, public_id=None)
    >>> has_forbidden_chars("ok\\tfine".encode()), has_forbidden_chars(b"bell \\x07")
    (False, True)
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from crm_xl.errors import CrmError


def _refuse_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def check_xml(data: bytes, namespaces: bool = True) -> None:
    """Prove ``data`` well-formed, namespace-correct XML without DTDs or entity declarations.

    The checks of ``defusedxml.ElementTree.fromstring(data, forbid_dtd=True)`` (the same
    expat handlers and exceptions; unbound prefixes and undefined entities are errors) but
    no tree is built: a 100 MB worksheet takes under a second instead of about twelve.
    ``namespaces=False`` leaves prefixes unchecked (for pieces of a part). Raises
    ``ParseError`` or a ``DefusedXmlException``.
    """
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise ParseError(str(err)) from None


def check_utf8(data: bytes, name: str, source: str) -> None:
    """CrmError unless the part declares UTF-8 (or nothing): crm_xl reads and edits UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or re.match(
        rb"(\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"'](?!utf-8)", data, re.I
    ):
        raise CrmError(f"part {name} is not UTF-8; crm_xl edits UTF-8 parts only", source)


def has_forbidden_chars(data: bytes) -> bool:
    """True when UTF-8 ``data`` holds a character XML 1.0 does not allow (C0 controls other
    than tab, newline and carriage return; U+FFFE, U+FFFF). A few C-level passes."""
    import numpy as np

    controls = np.count_nonzero(np.frombuffer(data, dtype=np.uint8) < 0x20)
    if controls != data.count(b"\t") + data.count(b"\n") + data.count(b"\r"):
        return True
    at = data.find(b"\xef\xbf")  # U+F000 to U+FFFF: rare; look closer only then
    while at >= 0:
        if data[at + 2 : at + 3] in (b"\xbe", b"\xbf"):
            return True
        at = data.find(b"\xef\xbf", at + 2)
    return False


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def without_forbidden_chars(text: str) -> tuple[str, str]:
    """``text`` without the characters a cell's XML cannot hold (control characters other
    than tab and line breaks, U+FFFE, U+FFFF), and those removed as ``U+0001 U+001B``
    (empty when none was).

    Example::

        >>> without_forbidden_chars("Acme\x01 Ltd\x1b")
        ('Acme Ltd', 'U+0001 U+001B')
        >>> without_forbidden_chars("行\t1")
        ('行\t1', '')
    """
    found = _NOT_IN_XML.findall(text)
    if not found:
        return text, ""
    codes = " ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
    return _NOT_IN_XML.sub("", text), codes


def xml_problem(err: Exception) -> str:
    """What :func:`check_xml`'s exception means, in words for the message.

    Example::

        >>> xml_problem(DTDForbidden("worksheet", None, None))
        'it declares a DTD (<!DOCTYPE ...>), which crm_xl refuses (a spreadsheet never needs one)'
    """
    if isinstance(err, DTDForbidden):
        return "it declares a DTD (<!DOCTYPE ...>), which crm_xl refuses (a spreadsheet never needs one)"
    if isinstance(err, EntitiesForbidden):
        return "it declares an entity, which crm_xl refuses (a spreadsheet never needs one)"
    if isinstance(err, ExternalReferenceForbidden):
        return "it refers to an external resource, which crm_xl refuses"
    return str(err)
