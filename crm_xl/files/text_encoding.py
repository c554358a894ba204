"""Which encoding a CSV file from a spreadsheet program is in, decided from its bytes.

Excel saves "CSV UTF-8" with a byte-order mark, "Unicode Text" as UTF-16 with one, and plain
"CSV" in the Windows code page of the user's locale: GBK on Chinese Windows, cp1252 on
Western-European Windows. The first two announce themselves. The last two do not, and many
cp1252 files also decode as GB18030 (``Müller`` is ``4d fc 6c 6c 65 72``; GB18030 reads
``fc 6c`` as 黮), so "it decodes" is no proof. What tells them apart is the shape of the
non-ASCII bytes: Chinese text is runs of two-byte characters (a name is 4-8 bytes in a
row), Western text has a lone accented letter between ASCII ones (a run of one byte, which
can never be a GB2312 character). :func:`decode_table_text` counts both kinds of run.

Example::

    >>> decode_table_text("Müller,Genève\\n".encode("cp1252"))
    ('Müller,Genève\\n', 'cp1252')
    >>> decode_table_text("华东机械,王小明\\n".encode("gbk"))
    ('华东机械,王小明\\n', 'gb18030')
    >>> decode_table_text("\\ufeffname\\n".encode("utf-8"))
    ('name\\n', 'utf-8')
"""

from __future__ import annotations

import re

from crm_xl.errors import CrmError

_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
#: How many runs of non-ASCII bytes are looked at: enough to decide, bounded on a big file.
SAMPLE_RUNS = 20_000


def decode_table_text(raw: bytes, source: str = "") -> tuple[str, str]:
    """``raw`` decoded, and the encoding used: UTF-8 (with or without BOM), UTF-16 with a
    BOM, GB18030/GBK or cp1252 (see the module's docstring for how the last two are told
    apart); :class:`CrmError` naming ``source`` when none of them fits.

    Example::

        >>> decode_table_text(b"id\\r\\nC1\\r\\n")
        ('id\\r\\nC1\\r\\n', 'utf-8')
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CrmError(_UNDECODABLE, source) from None
    unmarked = _utf16_without_bom(raw)
    if unmarked:  # some tools drop the BOM of Excel's "Unicode Text"; ASCII then shows it
        try:
            return raw.decode(unmarked), "utf-16"
        except UnicodeDecodeError:
            raise CrmError(_UNDECODABLE, source) from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    chinese = _decode(raw, "gb18030")
    western = _decode(raw, "cp1252")
    if chinese is not None and (western is None or looks_chinese(raw)):
        return chinese, "gb18030"
    if western is not None:
        return western, "cp1252"
    raise CrmError(_UNDECODABLE, source)


_UNDECODABLE = (
    "cannot tell the file's encoding (it is not UTF-8, GBK/GB18030 or Windows-1252): "
    "save it from Excel as 'CSV UTF-8 (Comma delimited)'"
)


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the first bytes are ASCII text in UTF-16 (every other
    byte zero: a header line such as ``id<TAB>name``), else None."""
    head = raw[:200]
    if len(head) < 8 or len(head) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    # mostly ASCII (a header), a Chinese or accented letter or two among it
    if odd.count(0) >= 0.8 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.8 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def looks_chinese(raw: bytes) -> bool:
    """Whether the non-ASCII bytes of ``raw`` are shaped like GBK text rather than cp1252:
    runs of three bytes or more count for Chinese by their length, a two-byte run of
    GB2312 bytes (a one-character field) counts one, a lone non-ASCII byte (an accented
    letter between ASCII letters) counts one against.

    Example::

        >>> looks_chinese("华南".encode("gbk")), looks_chinese("Müller".encode("cp1252"))
        (True, False)
    """
    score = 0
    for n, run in enumerate(_HIGH_RUN.finditer(raw)):
        if n >= SAMPLE_RUNS:
            break
        length = run.end() - run.start()
        if length >= 3:
            score += length
        elif length == 2:
            score += 1 if min(run.group()) >= 0xA1 else -1
        else:
            score -= 1
    return score > 0
