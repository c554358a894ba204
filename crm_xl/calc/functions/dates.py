"""Excel's date and time functions, on date serials in the 1900 date system (serial 1 is
1 January 1900, and Excel counts a 29 February 1900 that never was).

Example::

    >>> DATE(2026.0, 13.0, 1.0) == DATE(2027.0, 1.0, 1.0), YEAR(46023.0), EOMONTH(46023.0, 1.0)
    (True, 2026.0, 46081.0)
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from crm_xl.calc.conversions import (
    DATE_TIME,
    date_serial,
    date_text,
    no_bool_number,
    serial_to_datetime,
    time_text,
    to_bool,
    to_int,
    to_number,
    to_text,
)
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import MISSING, NUM, VALUE, ErrorResult, Unsupported


def _date_number(v: Any) -> float:
    """A date argument as a serial: #NUM! before 0 (0 January 1900) or after 9999."""
    x = to_number(v)
    if x < 0 or x > 2958465.99999999:
        raise ErrorResult(NUM)
    return x


def _date_parts(v: Any) -> dt.datetime:
    return serial_to_datetime(_date_number(v))


def _months_later(a: dt.datetime, months: Any) -> tuple[int, int]:
    """(year, month) ``months`` after the month of ``a``: #NUM! outside Excel's dates
    (1900 to 9999), #VALUE! for a logical value (EDATE and EOMONTH refuse them)."""
    n = no_bool_number(months)
    if abs(n) > 120_000:
        raise ErrorResult(NUM)
    m = a.month - 1 + int(n)
    y = a.year + m // 12
    if not 1900 <= y <= 9999:
        raise ErrorResult(NUM)
    return y, m % 12 + 1


@builtin("DATE", "VVV")
def DATE(y: Any, m: Any, d: Any) -> float:
    return date_serial(to_int(y), to_int(m), to_int(d))


def _ymd(v: Any) -> tuple[int, int, int]:
    """(year, month, day) of a date serial; 0 is 0 Jan 1900 and 60 is 29 Feb 1900, as in Excel."""
    n = int(_date_number(v))
    if n == 0:
        return 1900, 1, 0
    if n == 60:
        return 1900, 2, 29
    d = serial_to_datetime(float(n))
    return d.year, d.month, d.day


@builtin("YEAR", "V")
def YEAR(v: Any) -> float:
    return float(_ymd(v)[0])


@builtin("MONTH", "V")
def MONTH(v: Any) -> float:
    return float(_ymd(v)[1])


@builtin("DAY", "V")
def DAY(v: Any) -> float:
    return float(_ymd(v)[2])


def _seconds(v: Any) -> int:
    x = to_number(v)
    if x < 0:
        raise ErrorResult(NUM)
    return round((x - math.floor(x)) * 86400)


@builtin("HOUR", "V")
def HOUR(v: Any) -> float:
    return float(_seconds(v) // 3600 % 24)


@builtin("MINUTE", "V")
def MINUTE(v: Any) -> float:
    return float(_seconds(v) // 60 % 60)


@builtin("SECOND", "V")
def SECOND(v: Any) -> float:
    return float(_seconds(v) % 60)


@builtin("TIME", "VVV")
def TIME(h: Any, m: Any, s: Any) -> float:
    total = to_int(h) * 3600 + to_int(m) * 60 + to_int(s)
    if total < 0:
        raise ErrorResult(NUM)
    return (total % 86400) / 86400


@builtin("TIMEVALUE", "V")
def TIMEVALUE(s: Any) -> float:
    """The time of a text (``"6:00 PM"``, ``"2024-02-29 06:00"``) as a fraction of a day."""
    t = to_text(s).strip()
    n = time_text(t)
    if n is None:
        m = DATE_TIME.match(t)
        n = time_text(m.group(2)) if m and date_text(m.group(1)) is not None else None
    if n is None:
        raise ErrorResult(VALUE)
    return n % 1.0


@builtin("DATEVALUE", "V")
def DATEVALUE(s: Any) -> float:
    """The date of a text (``"10-Jan-2024"``, ``"2024-02-29 06:00"``: the time is dropped)."""
    t = to_text(s).strip()
    n = date_text(t)
    if n is None:
        m = DATE_TIME.match(t)
        n = date_text(m.group(1)) if m and time_text(m.group(2)) is not None else None
    if n is None:
        raise ErrorResult(VALUE)
    return n


@builtin("WEEKDAY", "VV", min_args=1)
def WEEKDAY(v: Any, kind: Any = MISSING) -> float:
    x = math.floor(to_number(v))
    k = 1 if kind is MISSING else to_int(kind)
    if x < 0:
        raise ErrorResult(NUM)
    sunday0 = (x + 6) % 7  # 0 = Sunday (serial 1 = Sunday 1 Jan 1900)
    if k == 1:
        return float(sunday0 + 1)
    if k == 2:
        return float((sunday0 + 6) % 7 + 1)
    if k == 3:
        return float((sunday0 + 6) % 7)
    if 11 <= k <= 17:  # 11: Monday is 1 ... 16: Saturday is 1, 17: Sunday is 1
        return float((sunday0 - (k - 10) % 7) % 7 + 1)
    raise ErrorResult(NUM)


@builtin("DAYS360", "VVV", min_args=2)
def DAYS360(start: Any, end: Any, method: Any = MISSING) -> float:
    a, b = _date_parts(start), _date_parts(end)
    european = method is not MISSING and to_bool(method)
    d1, d2 = a.day, b.day
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        last_feb = a.month == 2 and (a + dt.timedelta(days=1)).month == 3
        if d1 == 31 or last_feb:
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
    return float((b.year - a.year) * 360 + (b.month - a.month) * 30 + d2 - d1)


@builtin("EDATE", "VV")
def EDATE(start: Any, months: Any) -> float:
    a = _date_parts(no_bool_number(start))
    y, m = _months_later(a, months)
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return date_serial(y, m, min(a.day, last))


@builtin("EOMONTH", "VV")
def EOMONTH(start: Any, months: Any) -> float:
    a = _date_parts(no_bool_number(start))
    y, m = _months_later(a, months)
    return date_serial(y, m + 1, 1) - 1


def _last_of_month(d: dt.date) -> bool:
    return (d + dt.timedelta(days=1)).month != d.month


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _feb29_counted(a: dt.date, b: dt.date) -> bool:
    """Actual/actual within one year: whether Excel divides by 366."""
    if _leap(a.year):
        return a.year == b.year or a.month <= 2
    if _leap(b.year):
        return b.month > 2 or (b.month == 2 and b.day == 29)
    return False


@builtin("YEARFRAC", "VVV", min_args=2)
def YEARFRAC(start: Any, end: Any, basis: Any = MISSING) -> float:
    """The fraction of a year between two dates, by day-count ``basis``: 0 US 30/360,
    1 actual/actual, 2 actual/360, 3 actual/365, 4 European 30/360 (the rules of
    Excel's own, as Apache POI's YearFracCalculator, checked against Excel, has them).

    >>> round(YEARFRAC(40909.0, 41120.0), 8), round(YEARFRAC(40909.0, 41120.0, 1.0), 8)
    (0.58055556, 0.57650273)
    """
    s, e = math.floor(_date_number(start)), math.floor(_date_number(end))
    k = 0 if basis is MISSING else to_int(basis)
    if not 0 <= k <= 4:
        raise ErrorResult(NUM)
    if s > e:
        s, e = e, s
    if s < 61:  # the 29 February 1900 that never was: no rule to follow
        raise Unsupported("YEARFRAC of a date before 1 March 1900: not evaluated", "YEARFRAC")
    a, b = serial_to_datetime(s).date(), serial_to_datetime(e).date()
    days = e - s
    if k == 2:
        return days / 360
    if k == 3:
        return days / 365
    if k == 1:
        one_year = a.year == b.year or (
            a.year + 1 == b.year and (a.month, a.day) >= (b.month, b.day)
        )
        if not one_year:
            years = range(a.year, b.year + 1)
            length = sum(366 if _leap(y) else 365 for y in years) / len(years)
        else:
            length = 366 if _feb29_counted(a, b) else 365
        return days / length
    d1, d2 = a.day, b.day
    if k == 4:
        d1, d2 = min(d1, 30), min(d2, 30)
    elif d1 == 31 and d2 == 31:
        d1 = d2 = 30
    elif d1 == 31:
        d1 = 30
    elif d1 == 30 and d2 == 31:
        d2 = 30
    elif a.month == 2 and _last_of_month(a):
        d1 = 30
        if b.month == 2 and _last_of_month(b):
            d2 = 30
    return ((b.year - a.year) * 360 + (b.month - a.month) * 30 + d2 - d1) / 360
