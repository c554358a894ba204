"""Text in and out of SpreadsheetML: XML escapes and Excel's ST_Xstring ``_xHHHH_`` escapes.

XML 1.0 cannot carry most control characters, and XML parsers turn a carriage return into
a line feed; Excel writes such characters in cell text as ``_xHHHH_`` (ECMA-376 part 1,
ST_Xstring) and writes a literal ``_xHHHH_`` as ``_x005F_xHHHH_``. These functions turn
text into what a part holds and back::

    >>> escape_text("a<b & c")
    'a&lt;b &amp; c'
    >>> escape_attr('say "hi"\\n')
    'say &quot;hi&quot;&#10;'
    >>> unescape("&lt;&#65;&#x42;&amp;")
    '<AB&'
    >>> text_content("two\\r\\nlines&#13;")
    'two\\nlines\\r'
    >>> cell_text("tab\\tCR\\r _x0041_ <")
    'tab\\tCR_x000D_ _x005F_x0041_ &lt;'
    >>> xstring_decode("CR_x000D_ _x005F_x0041_")
    'CR\\r _x0041_'
"""

from __future__ import annotations

import re

# characters XML 1.0 does not allow (and lone surrogates, which UTF-8 cannot encode)
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ST_XSTRING_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_CELL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_XSTRING_CODE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def escape_text(text: str) -> str:
    """Text as element content: ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    """Text as an attribute value: quotes escaped too, and the white space a parser would
    otherwise normalise (newline, carriage return, tab) written as character references."""
    return (
        escape_text(text)
        .replace('"', "&quot;")
        .replace("'", "&apos;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def unescape(text: str) -> str:
    """XML's five named entities and character references back to characters."""

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _NAMED[ref]

    return _ENTITY.sub(one, text) if "&" in text else text


def text_content(raw: str) -> str:
    """What an XML parser reports for element text written ``raw`` in a part: line ends
    normalised (CR LF and a lone CR are LF, XML 1.0 §2.11), then references replaced
    (``&#13;`` is the one way to keep a CR)."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return unescape(raw)


def cell_text(text: str) -> str:
    """Text as a cell's ``<t>`` or ``<v>`` content: ST_Xstring escapes (``_x000D_``), then XML
    escapes.

    Excel reads ``_xHHHH_`` as the character U+HHHH, so literal ``_x0041_`` in the text
    is written ``_x005F_x0041_``; control characters that XML cannot carry (and CR, which
    XML parsers turn into LF) are written as ``_xHHHH_``.
    """
    text = _ST_XSTRING_ESCAPE.sub(r"_x005F_\1", text)
    text = _CELL_CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return escape_text(text)


def xstring_decode(text: str) -> str:
    """ST_Xstring escapes back to characters: ``_x000D_`` → CR, ``_x005F_x0041_`` → ``_x0041_``."""
    if "_x" not in text:
        return text
    return _XSTRING_CODE.sub(lambda m: chr(int(m.group(1), 16)), text)
