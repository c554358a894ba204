"""Excel's conversions between its value types, its ordering of values, its date serials
and the number rules its operators and functions share.

Semantics follow Excel: empty is 0 in arithmetic and "" in text; text that reads as a
number is a number in arithmetic (``"5"+1`` is 6); in comparisons numbers < text <
booleans and text is case-insensitive; ``SUM``-like functions skip text and booleans in
ranges but convert direct arguments (:func:`numbers`); errors propagate (a conversion
raises :class:`~crm_xl.calc.values.ErrorResult` with the error).

Example::

    >>> to_number(" 1,000 "), to_text(0.1 + 0.2), compare("a", True)
    (1000.0, '0.3', -1)
    >>> date_serial(2026, 1, 1), date_serial(1900, 3, 1)
    (46023.0, 61.0)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from crm_xl.calc.values import (
    AREAS,
    DIV0,
    EMPTY,
    GRID,
    MISSING,
    NUM,
    VALUE,
    ErrorResult,
    XlError,
    stored_values,
)

# --- text and numbers ---------------------------------------------------------------------

_NUM_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# The times and dates Excel reads in text (TIMEVALUE and DATEVALUE accept only these)
TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*([AaPp][Mm])?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$")
_DMY_DATE = re.compile(r"^(\d{1,2})(?:-|\s+)([A-Za-z]{3,9})\.?(?:-|\s+|,\s*)(\d{4}|\d{2})$")
_MDY_DATE = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}|\d{2})$")
DATE_TIME = re.compile(r"^(.*?\S)\s+(\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)$")
_MIXED_FRACTION = re.compile(r"^(\d+)\s+(\d+)/(\d+)$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3,})+(\.\d*)?([eE][+-]?\d+)?$")  # POI: 1,0000 is 10000
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _month(name: str) -> int | None:
    """1-12 for an English month name or its three-letter abbreviation."""
    low = name.lower()
    for i, full in enumerate(_MONTHS, start=1):
        if low in (full, full[:3]):
            return i
    return None


def _year(text: str) -> int:
    """A date's year as written: two digits are 1930-2029, as Excel reads them."""
    y = int(text)
    return y if len(text) > 2 else y + (2000 if y < 30 else 1900)


def date_text(t: str) -> float | None:
    """The serial of a date Excel reads in text (without a time), or None: ``2024-02-29``,
    ``2/29/2024``, ``10-Jan-2024``, ``1 January 2025``, ``Jan 10, 2024``.

    >>> date_text("10-Jan-2024"), date_text("Jan 10, 2024"), date_text("1 January 2025")
    (45301.0, 45301.0, 45658.0)
    >>> date_text("2024-02-30"), date_text("10-Foo-2024")
    (None, None)
    """
    m = ISO_DATE.match(t)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := US_DATE.match(t):
        year, month, day = _year(m.group(3)), int(m.group(1)), int(m.group(2))
    elif m := _DMY_DATE.match(t):
        year, month, day = _year(m.group(3)), _month(m.group(2)) or 0, int(m.group(1))
    elif m := _MDY_DATE.match(t):
        year, month, day = _year(m.group(3)), _month(m.group(1)) or 0, int(m.group(2))
    else:
        return None
    if year < 1900 or year > 9999 or month == 0:
        return None  # before 1900 Excel has no dates: the text stays text
    if (year, month, day) == (1900, 2, 29):
        return 60.0  # the day Excel counts that never was
    return date_serial(year, month, day, strict=True)


def time_text(t: str) -> float | None:
    """The fraction of a day of a time Excel reads in text (``12:30``, ``6:00 PM``), or None."""
    m = TIME_TEXT.match(t)
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    sec = float(m.group(3) or 0)
    if m.group(4):
        if h > 12:
            return None
        h = h % 12 + (12 if m.group(4).lower() == "pm" else 0)
    if mi > 59 or sec >= 60:
        return None
    return (h * 3600 + mi * 60 + sec) / 86400


def date_time_text(t: str) -> float | None:
    """A date, a time, or a date and a time (``2024-02-29 06:00``) in text as a serial."""
    n = date_text(t)
    if n is not None:
        return n
    n = time_text(t)
    if n is not None:
        return n
    m = DATE_TIME.match(t)
    if m:
        day, time = date_text(m.group(1)), time_text(m.group(2))
        if day is not None and time is not None:
            return day + time
    return None


def text_to_number(s: str) -> float | None:
    """Text Excel reads as a number in arithmetic and VALUE, or None: numbers (``" 1,000 "``,
    ``"$-5"``, ``"(5)"``, ``"30 %"``, ``"1E+3"``), fractions (``"1 1/2"``), dates and times
    (``"10-Jan-2024"``, ``"2024-02-29 06:00"``, ``"12:30 PM"``). Not ``"--8"`` (one sign
    only), ``""``, nor ``"1E+400"`` (Excel has no infinite numbers).

    >>> text_to_number("1 1/2"), text_to_number(" + 100"), text_to_number("$-5"), text_to_number("--8")
    (1.5, 100.0, -5.0, None)
    >>> text_to_number("2024-02-29 06:00"), text_to_number("1,0000"), text_to_number("1,00")
    (45351.25, 10000.0, None)
    """
    t = s.strip()
    if not t:
        return None
    if _NUM_TEXT.match(t):
        return _finite(float(t))
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    elif t[0] in "+-":
        neg, t = t[0] == "-", t[1:].strip()
    if t.startswith("$"):
        t = t[1:].strip()
        if not neg and t[:1] in ("+", "-"):  # "$-5"
            neg, t = t[0] == "-", t[1:]
    scale = 1.0
    if t.endswith("%"):
        scale, t = 0.01, t[:-1].strip()
    if _GROUPED.match(t):
        t = t.replace(",", "")
    if t and _NUM_TEXT.match(t) and t[0] not in "+-":  # one sign only: "--8" is not a number
        v = _finite(float(t) * scale)
        return None if v is None else -v if neg else v
    if scale != 1.0:
        return None
    m = _MIXED_FRACTION.match(t)
    if m:
        whole, num, den = (int(g) for g in m.groups())
        if den == 0:
            return None
        v = whole + num / den
        return -v if neg else v
    if neg:
        return None
    return date_time_text(t)


def _finite(x: float) -> float | None:
    """A number read from text, or None for one beyond Excel's (``"1E+400"`` is text)."""
    return x if math.isfinite(x) else None


def to_number(v: Any) -> float:
    """A value as a number for arithmetic; raises ErrorResult(#VALUE!) for other text."""
    cls = v.__class__
    if cls is float:
        return v
    if cls is bool:
        return 1.0 if v else 0.0
    if cls is str:
        n = text_to_number(v)
        if n is None:
            raise ErrorResult(VALUE)
        return n
    if cls is XlError:
        raise ErrorResult(v)
    if v is EMPTY or v is MISSING:
        return 0.0
    if cls is int:
        return float(v)
    if isinstance(v, GRID):
        return to_number(v.cell(0, 0))
    raise ErrorResult(VALUE)


def round15(x: float) -> float:
    """``x`` to Excel's 15 significant digits, the precision it computes and shows with
    (``0.1+0.2`` is 0.3; ROUND, INT, CEILING... start from this value).

    >>> round15(0.1 + 0.2), round15(1.05 * (0.0284 + 0.0046) - 0.0284), round15(1e300)
    (0.3, 0.00625, 1e+300)
    """
    if x == 0 or x != x or x in (math.inf, -math.inf):
        return x
    return float(f"{x:.15g}")


def equal15(x: float, y: float) -> bool:
    """Whether two numbers are equal to 15 significant digits, as Excel compares them
    (``=0.1+0.2=0.3`` is TRUE).

    >>> equal15(0.1 + 0.2, 0.3), equal15(0.3, 0.30000000000001)
    (True, False)
    """
    if x == y:
        return True
    if abs(x - y) >= max(abs(x), abs(y)) * 1e-14:  # they differ within 15 digits
        return False
    return f"{x:.15g}" == f"{y:.15g}"


def number_text(x: float) -> str:
    """A number as Excel turns it into text: 15 significant digits, scientific notation
    from 1E+15 up (16 digits and more cannot be shown) or when a small number would take
    more than 20 characters.

    >>> number_text(1e15 + 0.3), number_text(123456789012345.0), number_text(2.0**60)
    ('1E+15', '123456789012345', '1.15292150460685E+18')
    """
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    mant, exp = f"{abs(x):.14e}".split("e")
    e = int(exp)
    digits = mant.replace(".", "").rstrip("0") or "0"
    n = len(digits)
    sci = digits[0] + ("." + digits[1:] if n > 1 else "")
    if e < 0:
        lead = -e - 1
        out = sci + f"E-{-e:02d}" if 2 + lead + n > 20 else "0." + "0" * lead + digits
    elif e >= 15:
        out = sci + f"E+{e:02d}"
    elif n > e + 1:
        out = digits[: e + 1] + "." + digits[e + 1 :]
    else:
        out = digits + "0" * (e + 1 - n)
    return "-" + out if x < 0 else out


def to_text(v: Any) -> str:
    """A value as text for ``&`` and text functions (numbers as :func:`number_text`)."""
    cls = v.__class__
    if cls is str:
        return v
    if cls is float:
        return number_text(v)
    if cls is bool:
        return "TRUE" if v else "FALSE"
    if cls is XlError:
        raise ErrorResult(v)
    if v is EMPTY or v is MISSING:
        return ""
    if cls is int:
        return number_text(float(v))
    if isinstance(v, GRID):
        return to_text(v.cell(0, 0))
    raise ErrorResult(VALUE)


def to_bool(v: Any) -> bool:
    """A value as a logical: numbers are TRUE unless 0, text only "TRUE" or "FALSE"."""
    cls = v.__class__
    if cls is bool:
        return v
    if cls is float or cls is int:
        return v != 0
    if cls is str:
        u = v.strip().upper()
        if u == "TRUE":
            return True
        if u == "FALSE":
            return False
        raise ErrorResult(VALUE)
    if cls is XlError:
        raise ErrorResult(v)
    if v is EMPTY or v is MISSING:
        return False
    raise ErrorResult(VALUE)


def no_bool_number(v: Any) -> float:
    """:func:`to_number` for the functions that came from the Analysis ToolPak (EDATE,
    EOMONTH, ISEVEN, ISODD, QUOTIENT...): a logical value is #VALUE!, not 1 or 0.

    Example::

        >>> no_bool_number("4"), call_value(no_bool_number, True)
        (4.0, XlError('#VALUE!'))
    """
    if v.__class__ is bool or (isinstance(v, GRID) and v.cell(0, 0).__class__ is bool):
        raise ErrorResult(VALUE)
    return to_number(v)


def call_value(fn: Any, *args: Any) -> Any:
    """``fn(*args)``, or the Excel error it raises (for examples and tests)."""
    try:
        return fn(*args)
    except ErrorResult as e:
        return e.error


def to_int(v: Any) -> int:
    """A number truncated towards zero (Excel's index arguments)."""
    x = to_number(v)
    if not math.isfinite(x) or abs(x) > 2**53:
        raise ErrorResult(NUM)
    return int(x)


# --- Excel's order of values ------------------------------------------------------------

_RANK = {float: 0, str: 1, bool: 2}


def compare(a: Any, b: Any) -> int:
    """Excel's ordering of two scalars: -1, 0 or 1 (errors must be handled before)."""
    if a is EMPTY or a is MISSING:
        a = "" if b.__class__ is str else (False if b.__class__ is bool else 0.0)
    if b is EMPTY or b is MISSING:
        b = "" if a.__class__ is str else (False if a.__class__ is bool else 0.0)
    ra, rb = _RANK.get(a.__class__, 0), _RANK.get(b.__class__, 0)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 1:
        a, b = a.lower(), b.lower()
    elif (
        ra == 0
        and a.__class__ is float
        and b.__class__ is float
        and abs(a - b) <= abs(a) * 2e-14
        and equal15(a, b)
    ):
        return 0  # numbers equal to 15 significant digits are equal
    return -1 if a < b else (1 if a > b else 0)


# --- dates --------------------------------------------------------------------------------

_EPOCH = dt.datetime(1899, 12, 30)


def date_serial(year: int, month: int, day: int, strict: bool = False) -> float:
    """Excel's DATE(year, month, day) in the 1900 date system; months and days may overflow
    (DATE(1900,1,32) is 1 Feb). Excel counts a 29 February 1900 that never was (serial 60).
    With ``strict`` an impossible date gives None instead of rolling over."""
    if strict:
        try:
            dt.date(year, month, day)
        except ValueError:
            return None  # type: ignore[return-value]
    if 0 <= year < 1900:
        year += 1900
    y, m = year + (month - 1) // 12, (month - 1) % 12 + 1
    if y < 1900 or y > 9999:
        raise ErrorResult(NUM)
    first = (dt.date(y, m, 1) - dt.date(1900, 1, 1)).days + 1 + (1 if (y, m) >= (1900, 3) else 0)
    serial = first + day - 1
    if serial < 0 or serial > 2958465:
        raise ErrorResult(NUM)
    return float(serial)


def serial_to_datetime(serial: float, date1904: bool = False) -> dt.datetime:
    """An Excel date serial as a datetime (1900 system: serial 60 is the fictitious 29 Feb 1900)."""
    if date1904:
        return dt.datetime(1904, 1, 1) + dt.timedelta(days=serial)
    if serial < 61:
        serial += 1  # before 1 March 1900 Excel counts the day that never was
    return _EPOCH + dt.timedelta(days=serial)


# --- numbers of arguments and results -------------------------------------------------------


def numbers(args: tuple[Any, ...], *, text_in_ranges: str = "skip") -> list[float]:
    """The numbers of SUM-like arguments: in ranges and arrays only numbers count (text and
    booleans are skipped, or counted as 0/1 with ``text_in_ranges="zero"`` for the *A
    functions); direct arguments are converted; the first error is raised."""
    out: list[float] = []
    for a in args:
        if isinstance(a, AREAS):
            for v in stored_values(
                a
            ):  # blanks count for nothing: a whole column reads its used cells
                cls = v.__class__
                if cls is float:
                    out.append(v)
                elif cls is XlError:
                    raise ErrorResult(v)
                elif text_in_ranges == "zero":
                    if cls is bool:
                        out.append(1.0 if v else 0.0)
                    elif cls is str:
                        out.append(0.0)
        elif a is MISSING:
            out.append(0.0)
        else:
            out.append(to_number(a))
    return out


def check(x: float) -> float:
    """A result number, or #NUM! when it is not finite."""
    if x != x or x in (math.inf, -math.inf):
        raise ErrorResult(NUM)
    return x


def power(a: float, b: float) -> float:
    """Excel's ``a^b``: 0^0 is #NUM!, 0 to a negative power #DIV/0!, no complex results."""
    if a == 0 and b == 0:
        raise ErrorResult(NUM)
    if a == 0 and b < 0:
        raise ErrorResult(DIV0)
    try:
        r = a**b
    except OverflowError:
        raise ErrorResult(NUM) from None
    if isinstance(r, complex):
        raise ErrorResult(NUM)
    return check(r)
