"""Excel's number formats, as TEXT applies them: digits (0 # ?), thousands, decimals, %,
scaling, literal text, sections, and dates and times in English (:func:`format_value`).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP
from typing import Any

from crm_xl.calc.conversions import number_text, serial_to_datetime, text_to_number, to_number
from crm_xl.calc.functions.math import round_digits
from crm_xl.calc.values import VALUE, ErrorResult, Unsupported

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _format_sections(fmt: str) -> list[str]:
    """A number format's sections (positive;negative;zero;text), quotes respected."""
    sections, cur, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            j = fmt.find('"', i + 1)
            j = len(fmt) if j < 0 else j
            cur.append(fmt[i : j + 1])
            i = j + 1
            continue
        if ch == "\\" and i + 1 < len(fmt):
            cur.append(fmt[i : i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    sections.append("".join(cur))
    return sections


def _format_tokens(section: str) -> list[tuple[str, str]]:
    """A format section as (kind, text): lit, num (0 # ? . , % E+), date (y m d h s),
    elapsed ([h]), ampm, text (@)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        rest = section[i:]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            out.append(("lit", section[i + 1 : j]))
            i = j + 1
        elif ch == "\\":
            out.append(("lit", section[i + 1 : i + 2]))
            i += 2
        elif ch == "[":
            j = section.find("]", i)
            inner = section[i + 1 : j] if j > 0 else ""
            if re.fullmatch(r"[hH]+|[mM]+|[sS]+", inner):
                out.append(("elapsed", inner.lower()))
            elif inner.startswith("$"):
                out.append(("lit", inner[1:].split("-")[0]))
            elif re.match(r"[<>=]", inner):
                raise Unsupported(f"TEXT with a conditional number format ({section})", "TEXT")
            i = (j + 1) if j > 0 else len(section)
        elif ch == "_":
            out.append(("lit", " "))
            i += 2
        elif ch == "*":
            i += 2
        elif rest[:5].upper() == "AM/PM":
            out.append(("ampm", "AM/PM"))
            i += 5
        elif rest[:3].upper() == "A/P":
            out.append(("ampm", "A/P"))
            i += 3
        elif ch in "0#?.,%":
            out.append(("num", ch))
            i += 1
        elif ch in "eE" and rest[1:2] in ("+", "-"):
            out.append(("num", "E" + rest[1]))
            i += 2
        elif ch.lower() in "ymdhs":
            j = i
            while j < len(section) and section[j].lower() == ch.lower():
                j += 1
            out.append(("date", section[i:j].lower()))
            i = j
        elif ch == "@":
            out.append(("text", "@"))
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _is_minute(toks: list[tuple[str, str]], i: int) -> bool:
    """An m/mm token means minutes right after hours or right before seconds."""
    parts = [(j, t) for j, (k, t) in enumerate(toks) if k in ("date", "elapsed")]
    pos = next(n for n, (j, _) in enumerate(parts) if j == i)
    before = parts[pos - 1][1] if pos > 0 else ""
    after = parts[pos + 1][1] if pos + 1 < len(parts) else ""
    return before[:1] == "h" or after[:1] == "s"


def _format_date(x: float, toks: list[tuple[str, str]]) -> str:
    if x < 0 or x > 2958465.99999999:
        raise ErrorResult(VALUE)
    secs = round((x - math.floor(x)) * 86400)
    day = math.floor(x) + secs // 86400
    secs %= 86400
    if day == 60:
        y, mo, d, wd = 1900, 2, 29, 2
    elif day == 0:
        y, mo, d, wd = 1900, 1, 0, 5
    else:
        date = serial_to_datetime(float(day))
        y, mo, d, wd = date.year, date.month, date.day, date.weekday()
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    twelve = any(k == "ampm" for k, _ in toks)
    out = []
    for i, (kind, text) in enumerate(toks):
        if kind == "lit":
            out.append(text)
        elif kind == "ampm":
            pm = hh >= 12
            out.append(("PM" if pm else "AM") if text == "AM/PM" else ("P" if pm else "A"))
        elif kind == "elapsed":
            per_day = {"h": 24, "m": 1440, "s": 86400}[text[0]]
            out.append(str(math.floor(x * per_day + 1e-9)).zfill(len(text)))
        elif kind == "date":
            c, n = text[0], len(text)
            if c == "y":
                out.append(str(y)[-2:] if n <= 2 else str(y))
            elif c == "d":
                names = {3: _DAYS[wd][:3], 4: _DAYS[wd]}
                out.append(str(d) if n == 1 else f"{d:02d}" if n == 2 else names.get(n, _DAYS[wd]))
            elif c == "h":
                h = (hh % 12 or 12) if twelve else hh
                out.append(f"{h:02d}" if n >= 2 else str(h))
            elif c == "s":
                out.append(f"{ss:02d}" if n >= 2 else str(ss))
            elif n <= 2 and _is_minute(toks, i):
                out.append(f"{mm:02d}" if n == 2 else str(mm))
            else:
                month = _MONTHS[mo - 1]
                names = {1: str(mo), 2: f"{mo:02d}", 3: month[:3], 5: month[0]}
                out.append(names.get(n, month))
        elif kind == "num" and text in ",.%":
            out.append(text)
        else:
            raise Unsupported("TEXT mixing date and number placeholders", "TEXT")
    return "".join(out)


def _format_number(x: float, toks: list[tuple[str, str]]) -> str:
    digits = [i for i, (k, t) in enumerate(toks) if k == "num" and t in "0#?"]
    if not digits:
        return "".join(t for k, t in toks if k == "lit")
    first, last = digits[0], digits[-1]
    if last + 1 < len(toks) and toks[last + 1] == ("num", "."):  # "#." keeps its point
        last += 1
    if first > 0 and toks[first - 1] == ("num", "."):  # ".00": no integer digits
        first -= 1
    inside = toks[first : last + 1]
    if any(k != "num" for k, _ in inside) or any(t.startswith("E") for k, t in toks if k == "num"):
        raise Unsupported(
            "TEXT with this number format (text between the digits, or scientific notation)",
            "TEXT",
        )
    body = "".join(t for _, t in inside)
    tail = last + 1
    scale = 1.0
    while tail < len(toks) and toks[tail] == ("num", ","):  # 0, = thousands
        scale /= 1000
        tail += 1
    percent = sum(1 for k, t in toks if k == "num" and t == "%")
    x = x * scale * 100**percent
    int_part, point, dec_part = body.partition(".")
    commas = "," in int_part.strip(",")
    decimals = len(dec_part.replace(",", ""))
    r = round_digits(x, float(decimals), ROUND_HALF_UP)
    whole, _, frac = f"{r:.{decimals}f}".partition(".")
    min_int = int_part.count("0")
    if whole == "0" and min_int == 0:
        whole = ""
    if commas and whole:
        whole = f"{int(whole):,}"
    whole = whole.rjust(min_int, "0")
    if decimals:
        keep = len(dec_part.rstrip("#?"))
        frac = frac[:keep] + frac[keep:].rstrip("0")
    out = whole + (point + frac if point else "")

    def lits(part: list[tuple[str, str]]) -> str:
        return "".join(t if k == "lit" else "%" if t == "%" else "" for k, t in part)

    return lits(toks[:first]) + out + lits(toks[tail:])


def format_value(v: Any, fmt: str) -> str:
    """``TEXT(v, fmt)``: Excel number formats — digits (0 # ?), thousands, decimals, %,
    scaling, literal text, sections, and dates and times in English. Conditional formats,
    fractions and scientific notation are refused (:class:`Unsupported`), not guessed.

    Example::

        >>> format_value(1234.567, "#,##0.00"), format_value(0.256, "0.0%")
        ('1,234.57', '25.6%')
        >>> format_value(45000.75, "yyyy-mm-dd hh:mm")
        '2023-03-15 18:00'
    """
    sections = _format_sections(fmt)
    if v.__class__ is str:
        n = text_to_number(v)
        if n is None:
            if len(sections) >= 4:
                return "".join(v if k == "text" else t for k, t in _format_tokens(sections[3]))
            return v
        v = n
    x = to_number(v)
    if fmt.strip().lower() == "general" or not fmt:
        text = number_text(x)
        if len(text) > 11:
            raise Unsupported("TEXT with the General format for a long number", "TEXT")
        return text
    if len(sections) >= 3 and sections[2] and x == 0:
        section, sign = sections[2], ""
    elif len(sections) >= 2 and sections[1] and x < 0:
        section, sign = sections[1], ""
    else:
        section, sign = sections[0], "-" if x < 0 else ""
    toks = _format_tokens(section)
    if any(k == "text" for k, _ in toks):
        return "".join(number_text(x) if k == "text" else t for k, t in toks)
    if any(k in ("date", "elapsed", "ampm") for k, _ in toks):
        elapsed_only = all(
            k != "ampm" and (k != "date" or t[0] in "hs" or (t[0] == "m" and _is_minute(toks, i)))
            for i, (k, t) in enumerate(toks)
        )
        if x < 0 and elapsed_only and any(k == "elapsed" for k, _ in toks):
            # a negative duration: [h]:mm of -0.5 is -12:00; a negative section's own text
            # stands for the sign ("[h]:mm;-[h]:mm")
            return sign + _format_date(-x, toks)
        if x < 0 and not sign:
            raise Unsupported("TEXT of a negative date or time with a negative section", "TEXT")
        return _format_date(x, toks)
    out = _format_number(abs(x), toks)
    return sign + out if sign and re.search(r"[1-9]", out) else out
