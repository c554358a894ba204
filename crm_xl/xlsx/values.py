"""Cell values: what crm_xl writes (:class:`Formula`, :class:`ErrorValue`) and the one reading
of what a worksheet stores (:func:`decode_value`, :func:`read_shared_strings`).

A stored value is a cell's ``t=`` (ECMA-376 part 1, §18.18.11 ST_CellType), the text of
its ``<v>``, the text of its inline string ``<is>``, and, for ``t="s"``, the workbook's
shared strings. Every reader of cell values in crm_xl decodes it here, so a cell means the
same thing to the recalculation engine and to the package::

    >>> decode_value(None, "71.25", None, [])
    ('n', 71.25)
    >>> decode_value("s", "1", None, ["zero", "one"])
    ('str', 'one')
    >>> decode_value("d", "2024-01-15T18:00:00", None, [])
    ('n', 45306.75)
    >>> decode_value("n", "n/a", None, [])
    ('empty', None)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm_xl.errors import EXCEL_ERRORS, CrmError
from crm_xl.xlsx.escapes import text_content, unescape, xstring_decode

MAX_CELL_TEXT = 32767  # Excel's limit on characters in a cell
MAX_FORMULA = 8192  # ... and in a formula


@dataclass(frozen=True)
class Formula:
    """A formula for :meth:`Package.set_cells`, with an optional cached result.

    ``text`` is the formula as Excel stores it (a leading ``=`` is dropped; Excel 2010+
    functions need their ``_xlfn.`` prefix). ``cached`` is the value Excel shows until it
    recalculates: a number, text, bool or :class:`ErrorValue`; None writes no cached value
    (call :meth:`Package.request_full_calc_on_load` so Excel computes it on opening).

    Example::

        >>> Formula("=SUM(A1:A3)", cached=6).text
        'SUM(A1:A3)'
    """

    text: str
    cached: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"a formula is text, not {type(self.text).__name__}")
        text = self.text[1:] if self.text.startswith("=") else self.text
        object.__setattr__(self, "text", text)


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error value (``#N/A``, ``#DIV/0!``...), for a cell or a formula's cached result.

    Example::

        >>> ErrorValue("#N/A").code
        '#N/A'
    """

    code: str

    def __post_init__(self) -> None:
        if self.code not in EXCEL_ERRORS:
            raise CrmError(
                f"unknown Excel error {self.code!r}; use one of {', '.join(EXCEL_ERRORS)}"
            )


# --- reading what a worksheet stores ------------------------------------------------------

EMPTY: tuple[str, Any] = ("empty", None)


def decode_value(
    t: str | None,
    v: str | None,
    inline: str | None,
    strings: Sequence[str],
    *,
    date1904: bool = False,
) -> tuple[str, Any]:
    """A stored cell value as ``(type, value)``: ``("n", float)``, ``("str", text)``,
    ``("b", bool)``, ``("e", "#N/A")`` or ``("empty", None)``.

    ``t`` is the cell's ``t=`` (None when absent), ``v`` the text of its ``<v>`` as the
    part holds it, XML escapes and all (None: no ``<v>``; ``""``: ``<v/>`` or
    ``<v></v>``), ``inline`` the text of its ``<is>`` (:func:`rich_text`; None: none),
    ``strings`` the workbook's shared strings, ``date1904`` its date system.

    What Excel makes of each ``t`` (ECMA-376 part 1, §18.3.1.4 and §18.18.11):

    - absent or ``n``: a number; a ``<v>`` that is not one (``n/a``, digits other than
      ASCII) is no value, as the cell has no text type;
    - ``s``: the shared string at that 0-based index (no value when there is none);
    - ``str``: text (a formula's text result; ``<v></v>`` is the empty text);
    - ``inlineStr``: the text of ``<is>``;
    - ``b``: ``1``/``true`` is TRUE, anything else FALSE; ``e``: the error's text;
    - ``d``: an ISO 8601 date, time or date and time (what Excel writes when it saves
      dates "in ISO 8601 format"), which Excel reads as the date's serial number in the
      workbook's date system (:func:`iso_serial`); other text is no value;
    - anything else (no such type), or no ``<v>``: no value.

    Example::

        >>> decode_value("str", "a &amp; b_x000D_", None, [])
        ('str', 'a & b\\r')
        >>> decode_value("b", "1", None, []), decode_value("e", "#N/A", None, [])
        (('b', True), ('e', '#N/A'))
        >>> decode_value("inlineStr", None, "typed", []), decode_value("str", None, None, [])
        (('str', 'typed'), ('empty', None))
        >>> decode_value("d", "2024-01-15", None, [], date1904=True)
        ('n', 43844.0)
    """
    if t is None or t == "n":
        if not v or not v.isascii():
            return EMPTY
        try:
            return ("n", float(v))
        except ValueError:
            return EMPTY
    if t == "inlineStr":
        return EMPTY if inline is None else ("str", inline)
    if v is None:
        return EMPTY
    if t == "str":
        return ("str", xstring_decode(text_content(v)))
    text = unescape(v)
    if not text.strip():
        return EMPTY
    if t == "s":
        try:
            index = int(text)
        except ValueError:
            return EMPTY
        return ("str", strings[index]) if 0 <= index < len(strings) else EMPTY
    if t == "b":
        return ("b", text.strip() in ("1", "true"))
    if t == "e":
        return ("e", text.strip())
    if t == "d":
        serial = iso_serial(text, date1904)
        return EMPTY if serial is None else ("n", serial)
    return EMPTY


_ISO_8601 = re.compile(
    r"(?:(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d))?"
    r"(?:(?(year)T|T?)(?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d(?:\.\d+)?))?)?"
    r"(?P<zone>Z|[+-]\d\d:?\d\d)?"
)
_EPOCH_1900 = dt.date(1899, 12, 30).toordinal()  # serial 0, counted back past 1900-02-29
_EPOCH_1904 = dt.date(1904, 1, 1).toordinal()


def iso_serial(text: str, date1904: bool = False) -> float | None:
    """The serial number of an ISO 8601 date (``2024-01-15``), date and time
    (``2024-01-15T18:30:00``, seconds and their fractions optional) or time of day
    (``18:30``, a fraction of a day); None when ``text`` is none of these or no such day.

    A time zone is taken as LibreOffice takes it: ``Z`` is UTC, an offset (``+02:00``)
    moves the time to UTC. Excel's 1900 date system counts 1900-02-29, a day that did not
    exist: serials from 1900-03-01 on are days since 1899-12-30, earlier ones one less
    (1900-01-01 is 1). The 1904 system counts days since 1904-01-01.

    Example::

        >>> iso_serial("2024-01-15T18:00:00"), iso_serial("1900-01-01"), iso_serial("1900-03-01")
        (45306.75, 1.0, 61.0)
        >>> iso_serial("12:00"), iso_serial("2024-01-15T18:00+06:00"), iso_serial("2024-02-30")
        (0.5, 45306.5, None)
        >>> iso_serial("1904-01-02", date1904=True)
        1.0
    """
    m = _ISO_8601.fullmatch(text.strip())
    if m is None or (m["year"] is None and m["hour"] is None):
        return None
    seconds = 0.0
    if m["hour"] is not None:
        hour, minute, second = int(m["hour"]), int(m["minute"]), float(m["second"] or 0)
        if hour > 23 or minute > 59 or second >= 60:
            return None
        seconds = hour * 3600 + minute * 60 + second
    zone = m["zone"]
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        if m["year"] is None or hours > 23 or minutes > 59:
            return None  # a time of day has no day to move into
        seconds -= (hours * 3600 + minutes * 60) * (1 if zone[0] == "+" else -1)
    if m["year"] is None:
        return seconds / 86400
    try:
        day = dt.date(int(m["year"]), int(m["month"]), int(m["day"])).toordinal()
    except ValueError:
        return None
    day += int(seconds // 86400)  # an offset may move the time into the day before or after
    days = day - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    if not date1904 and 0 < days <= 60:  # before 1900-03-01: Excel's extra day not yet counted
        days -= 1
    return days + seconds % 86400 / 86400


_RUN_PATTERNS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def rich_text(content: str, prefix: str = "") -> str:
    """The text of a string item (``<si>``) or inline string (``<is>``) from its content as
    the part holds it: its ``<t>`` and its runs' ``<t>``, phonetic runs (``<rPh>``, the
    reading of East Asian text) left out, each ``<t>`` decoded (:func:`~crm_xl.xlsx.escapes.text_content`,
    then its ``_xHHHH_`` escapes). ``prefix`` is the
    SpreadsheetML namespace prefix of the part (``"x:"`` in some writers' files).

    Example::

        >>> rich_text("<r><t>in </t></r><r><rPr><b/></rPr><t>bold &amp;_x000A_</t></r>")
        'in bold &\\n'
        >>> rich_text("<t>東京</t><rPh sb='0' eb='2'><t>トウキョウ</t></rPh>")
        '東京'
    """
    found = _RUN_PATTERNS.get(prefix)
    if found is None:
        p = re.escape(prefix)
        found = _RUN_PATTERNS[prefix] = (
            re.compile(rf"<{p}rPh(?=[\s/>])(?:[^>]*?/>|.*?</{p}rPh\s*>)", re.S),
            re.compile(rf"<{p}t(?=[\s/>])[^>]*?(?:/>|>(.*?)</{p}t\s*>)", re.S),
        )
    phonetic, run = found
    if "rPh" in content:
        content = phonetic.sub("", content)
    return "".join(
        xstring_decode(text_content(t)) if "&" in t or "_x" in t or "\r" in t else t
        for t in run.findall(content)
    )


_SST_ROOT = re.compile(r"<(?:([A-Za-z_][\w.-]*):)?sst(?=[\s/>])")


def read_shared_strings(data: bytes) -> list[str]:
    """The texts of a shared-strings part (``xl/sharedStrings.xml``), in order: what a cell
    with ``t="s"`` and ``<v>i</v>`` shows is item ``i``. The part must have passed
    :func:`crm_xl.xlsx.xml_checks.check_xml`.

    Example::

        >>> read_shared_strings(
        ...     b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        ...     b'<si><t>plain</t></si><si/><si><r><t>ri</t></r><r><t>ch</t></r></si></sst>'
        ... )
        ['plain', '', 'rich']
    """
    text = data.decode("utf-8-sig")
    root = _SST_ROOT.search(text)
    prefix = root.group(1) + ":" if root is not None and root.group(1) else ""
    p = re.escape(prefix)
    # an item of one plain <t> (no markup, entity, CR or _xHHHH_ escape in it: what most
    # writers write) is its text as it stands (group 1); any other is decoded by rich_text
    items = re.compile(
        rf"<{p}si(?=[\s/>])[^>]*?(?:/>|>(?:<{p}t(?: xml:space=\"preserve\")?>([^<&\r_]*)</{p}t>"
        rf"</{p}si>|(.*?)</{p}si\s*>))",
        re.S,
    )
    return [
        plain or (rich_text(content, prefix) if content else "")
        for plain, content in items.findall(text)
    ]


def read_shared_strings_each(data: bytes) -> list[str]:
    """:func:`read_shared_strings` decoding every item by :func:`rich_text` (the general
    path its plain-item shortcut stands in for; the tests compare the two)."""
    text = data.decode("utf-8-sig")
    root = _SST_ROOT.search(text)
    prefix = root.group(1) + ":" if root is not None and root.group(1) else ""
    p = re.escape(prefix)
    items = re.compile(rf"<{p}si(?=[\s/>])[^>]*?(?:/>|>(.*?)</{p}si\s*>)", re.S)
    return [rich_text(content, prefix) for content in items.findall(text)]
