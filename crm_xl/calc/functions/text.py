"""Excel's text functions: lengths and parts, case, joining, searching and replacing,
characters and codes, numbers as text (TEXT, DOLLAR, FIXED, VALUE), TEXTSPLIT. The number formats
TEXT applies are in :mod:`crm_xl.calc.functions.number_format`.

Example::

    >>> LEFT("hello", 2.0) + MID("hello", 2.0, 3.0), SEARCH("B*", "aabc"), DOLLAR(-1234.567)
    ('heell', 3.0, '($1,234.57)')
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crm_xl.calc.conversions import to_bool, to_int, to_number, to_text
from crm_xl.calc.functions.criteria import has_wildcards, wildcard_regex
from crm_xl.calc.functions.math import round_digits
from crm_xl.calc.functions.number_format import format_value
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    EMPTY,
    ERRORS,
    GRID,
    MISSING,
    NA,
    VALUE,
    Array,
    ErrorResult,
    Unsupported,
    flat_values,
    stored_values,
)

MAX_TEXT = 32_767  # the most characters a cell holds: a longer text result is #VALUE!


@builtin("LEN", "V")
def LEN(s: Any) -> float:
    return float(len(to_text(s)))


def _count(n: Any) -> int:
    """LEFT's and RIGHT's number of characters: 1 when omitted, never negative."""
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise ErrorResult(VALUE)
    return k


def _span(start: Any, n: Any) -> tuple[int, int]:
    """MID's and REPLACE's (start, count): start from 1, count never negative."""
    a, k = to_int(start), to_int(n)
    if a < 1 or k < 0:
        raise ErrorResult(VALUE)
    return a, k


def _start(start: Any, hay: str) -> int:
    """FIND's and SEARCH's start position: 1 when omitted, at most one past the end."""
    a = 1 if start is MISSING else to_int(start)
    if a < 1 or a > len(hay) + 1:
        raise ErrorResult(VALUE)
    return a


@builtin("LEFT", "VV", min_args=1)
def LEFT(s: Any, n: Any = MISSING) -> str:
    k = _count(n)
    return to_text(s)[:k]


@builtin("RIGHT", "VV", min_args=1)
def RIGHT(s: Any, n: Any = MISSING) -> str:
    k = _count(n)
    t = to_text(s)
    return t[max(0, len(t) - k) :] if k else ""


@builtin("MID", "VVV")
def MID(s: Any, start: Any, n: Any) -> str:
    a, k = _span(start, n)
    return to_text(s)[a - 1 : a - 1 + k]


@builtin("UPPER", "V")
def UPPER(s: Any) -> str:
    return "".join(_case(c, True) for c in to_text(s))


@builtin("LOWER", "V")
def LOWER(s: Any) -> str:
    return "".join(_case(c, False) for c in to_text(s))


def _case(c: str, upper: bool) -> str:
    """One character in upper or lower case, as Windows maps it for Excel: letter for
    letter (``ß`` stays ``ß``, where Python writes ``SS``); a character whose case is
    more than one character is refused rather than guessed."""
    if c < "\x80":
        return c.upper() if upper else c.lower()
    m = c.upper() if upper else c.lower()
    if len(m) == 1:
        return m
    if c == "ß":
        return c
    raise Unsupported(f"UPPER, LOWER or PROPER of {c!r} (its case is several letters)", "UPPER")


@builtin("PROPER", "V")
def PROPER(s: Any) -> str:
    """Each letter after a character that is not a letter in upper case, the others in
    lower case; letters beyond ASCII count (``élan`` is ``Élan``), digits do not
    (``76BudGet`` is ``76Budget``, Microsoft's example)."""
    out, after_letter = [], False
    for c in to_text(s):
        out.append(_case(c, not after_letter))
        after_letter = c.isalpha()
    return "".join(out)


@builtin("TRIM", "V")
def TRIM(s: Any) -> str:
    return " ".join(p for p in to_text(s).split(" ") if p)


@builtin("CLEAN", "V")
def CLEAN(s: Any) -> str:
    return "".join(c for c in to_text(s) if ord(c) >= 32)


@builtin("CONCATENATE", "V", repeat=1, min_args=1)
def CONCATENATE(*args: Any) -> str:
    return "".join(to_text(a) for a in args)


@builtin("CONCAT", "R", repeat=1, min_args=1)
def CONCAT(*args: Any) -> str:
    out = []
    for a in args:
        for v in stored_values(a):  # blank cells add nothing
            out.append(to_text(v))
    return "".join(out)


@builtin("TEXTJOIN", "VVR", repeat=1, min_args=3)
def TEXTJOIN(delim: Any, ignore_empty: Any, *args: Any) -> str:
    d, skip = to_text(delim), to_bool(ignore_empty)
    parts = []
    for a in args:
        for v in flat_values(a):
            t = to_text(v)
            if t or not skip:
                parts.append(t)
    return d.join(parts)


@builtin("EXACT", "VV")
def EXACT(a: Any, b: Any) -> bool:
    return to_text(a) == to_text(b)


@builtin("REPT", "VV")
def REPT(s: Any, n: Any) -> str:
    k = to_int(n)
    text = to_text(s)
    if k < 0 or len(text) * k > MAX_TEXT:  # Excel's cells hold 32,767 characters
        raise ErrorResult(VALUE)
    return text * k


@builtin("SUBSTITUTE", "VVVV", min_args=3)
def SUBSTITUTE(s: Any, old: Any, new: Any, nth: Any = MISSING) -> str:
    text, o, n = to_text(s), to_text(old), to_text(new)
    if not o:
        return text
    if nth is MISSING:
        return text.replace(o, n)
    k = to_int(nth)
    if k < 1:
        raise ErrorResult(VALUE)
    pos = -1
    for _ in range(k):
        pos = text.find(o, pos + 1)
        if pos < 0:
            return text
    return text[:pos] + n + text[pos + len(o) :]


@builtin("REPLACE", "VVVV")
def REPLACE(s: Any, start: Any, n: Any, new: Any) -> str:
    a, k = _span(start, n)
    t = to_text(s)
    return t[: a - 1] + to_text(new) + t[a - 1 + k :]


@builtin("FIND", "VVV", min_args=2)
def FIND(needle: Any, hay: Any, start: Any = MISSING) -> float:
    n, h = to_text(needle), to_text(hay)
    a = _start(start, h)
    i = h.find(n, a - 1)
    if i < 0:
        raise ErrorResult(VALUE)
    return float(i + 1)


@builtin("SEARCH", "VVV", min_args=2)
def SEARCH(needle: Any, hay: Any, start: Any = MISSING) -> float:
    n, h = to_text(needle), to_text(hay)
    a = _start(start, h)
    if has_wildcards(n):
        rx = re.compile(wildcard_regex(n).pattern, re.S | re.I)
        m = rx.search(h, a - 1)
        if not m:
            raise ErrorResult(VALUE)
        return float(m.start() + 1)
    i = h.lower().find(n.lower(), a - 1)
    if i < 0:
        raise ErrorResult(VALUE)
    return float(i + 1)


@builtin("VALUE", "V")
def VALUE_(s: Any) -> float:
    if s.__class__ is float:
        return s
    if s.__class__ is bool:
        raise ErrorResult(VALUE)
    if s is EMPTY or s is MISSING:
        return 0.0  # VALUE of a blank cell is 0, VALUE("") is #VALUE! (Apache POI's TestValue)
    return to_number(to_text(s))


@builtin("CHAR", "V")
def CHAR(n: Any) -> str:
    k = to_int(n)
    if not 1 <= k <= 255:
        raise ErrorResult(VALUE)
    return bytes([k]).decode("cp1252", errors="replace")


@builtin("CODE", "V")
def CODE(s: Any) -> float:
    t = to_text(s)
    if not t:
        raise ErrorResult(VALUE)
    try:
        return float(t[0].encode("cp1252")[0])
    except UnicodeEncodeError:
        return 63.0


def _format_fixed(x: float, decimals: int, commas: bool) -> str:
    """``x`` rounded to ``decimals`` and written with Excel's 15 significant digits (the
    digits beyond are zeros: FIXED(1234567890123456789,0) is 1,234,567,890,123,460,000)."""
    r = round_digits(x, float(decimals), ROUND_HALF_UP)
    d = max(decimals, 0)
    exact = Decimal(f"{r:.15g}") if r else Decimal(0)
    return f"{exact:,.{d}f}" if commas else f"{exact:.{d}f}"


@builtin("TEXT", "VV")
def TEXT(v: Any, fmt: Any) -> str:
    return format_value(v, to_text(fmt))


@builtin("DOLLAR", "VV", min_args=1)
def DOLLAR(v: Any, decimals: Any = MISSING) -> str:
    d = 2 if decimals is MISSING else to_int(decimals)
    x = to_number(v)
    r = round_digits(abs(x), float(d), ROUND_HALF_UP)
    body = f"${r:,.{max(d, 0)}f}"
    return f"({body})" if x < 0 and r != 0 else body


@builtin("FIXED", "VVV", min_args=1)
def FIXED(v: Any, decimals: Any = MISSING, no_commas: Any = MISSING) -> str:
    d = 2 if decimals is MISSING else to_int(decimals)
    commas = not (no_commas is not MISSING and to_bool(no_commas))
    return _format_fixed(to_number(v), d, commas)


def _delimiters(d: Any) -> list[str]:
    if d is MISSING or d is EMPTY:
        return []
    out = [to_text(v) for v in flat_values(d)]
    if any(s == "" for s in out):
        raise ErrorResult(VALUE)
    return out


def _split(s: str, delims: list[str], fold: bool) -> list[str]:
    if not delims:
        return [s]
    alternatives = "|".join(re.escape(x) for x in sorted(delims, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE if fold else 0).split(s)


@builtin("TEXTSPLIT", "VAAVVV", min_args=2, lift=False)
def TEXTSPLIT(
    text: Any,
    col_delim: Any,
    row_delim: Any = MISSING,
    ignore_empty: Any = MISSING,
    match_mode: Any = MISSING,
    pad_with: Any = MISSING,
) -> Any:
    """Text split into columns at ``col_delim`` and rows at ``row_delim`` (either may be
    several texts); short rows padded with ``pad_with`` (#N/A by default).

    >>> TEXTSPLIT("a,b;c", ",", ";")
    Array([['a', 'b'], ['c', XlError('#N/A')]])
    """
    if isinstance(text, GRID):
        raise Unsupported("TEXTSPLIT of several texts at once", "TEXTSPLIT")
    s = to_text(text)
    cols, rows = _delimiters(col_delim), _delimiters(row_delim)
    if not cols and not rows:
        raise ErrorResult(VALUE)
    skip = ignore_empty is not MISSING and ignore_empty is not EMPTY and to_bool(ignore_empty)
    fold = match_mode is not MISSING and match_mode is not EMPTY and to_int(match_mode) == 1
    lines = _split(s, rows, fold)
    if skip:
        lines = [x for x in lines if x != ""]
    grid = [_split(x, cols, fold) for x in lines]
    if skip:
        grid = [[x for x in r if x != ""] for r in grid]
        grid = [r for r in grid if r]
    if not grid:
        raise ErrorResult(ERRORS["#CALC!"])
    width = max(len(r) for r in grid)
    pad = NA if pad_with is MISSING else pad_with
    data = [r + [pad] * (width - len(r)) for r in grid]
    if len(data) == 1 and width == 1:
        return data[0][0]
    return Array(data)
