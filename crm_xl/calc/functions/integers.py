"""Excel's integer functions of the math category: GCD and LCM, ROMAN and ARABIC.

GCD and LCM truncate their arguments and refuse negative numbers and logical values
(they came from the Analysis ToolPak). ROMAN writes Excel's five forms, from classic (0)
to most concise (4); ARABIC reads a numeral of any of those forms (others are refused,
not guessed: Excel's reading of irregular numerals is not documented).

Example::

    >>> GCD(24.0, 36.0), LCM(4.0, 6.0), ROMAN(499.0), ROMAN(499.0, 4.0), ARABIC("mcmxii")
    (12.0, 12.0, 'CDXCIX', 'ID', 1912.0)
"""

from __future__ import annotations

import math
from typing import Any

from crm_xl.calc.conversions import no_bool_number, to_text
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    AREAS,
    EMPTY,
    MISSING,
    NUM,
    VALUE,
    ErrorResult,
    Unsupported,
    XlError,
    stored_values,
)


def _integers(args: tuple[Any, ...], name: str) -> list[int]:
    out = []
    for a in args:
        vals = stored_values(a) if isinstance(a, AREAS) else (a,)
        for v in vals:
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if isinstance(a, AREAS) and v.__class__ is not float:
                raise Unsupported(f"{name} of a range with text, logical or blank cells", name)
            x = 0.0 if v is MISSING else no_bool_number(v)
            if x < 0 or x >= 2**53:
                raise ErrorResult(NUM)
            out.append(int(x))
    return out


@builtin("GCD", "R", repeat=1, min_args=1)
def GCD(*args: Any) -> float:
    return float(math.gcd(*_integers(args, "GCD")))


@builtin("LCM", "R", repeat=1, min_args=1)
def LCM(*args: Any) -> float:
    nums = _integers(args, "LCM")
    if 0 in nums:
        return 0.0
    r = math.lcm(*nums)
    if r >= 2**53:
        raise ErrorResult(NUM)
    return float(r)


_CHARS = "MDCLXVI"
_VALUES = (1000, 500, 100, 50, 10, 5, 1)


def roman(n: int, form: int) -> str:
    """``n`` (0 to 3999) as a Roman numeral of ``form`` 0 (classic) to 4 (most concise),
    Excel's subtractions (the algorithm LibreOffice's ROMAN shares with Excel).

    >>> [roman(499, f) for f in range(5)]
    ['CDXCIX', 'LDVLIV', 'XDIX', 'VDIV', 'ID']
    """
    out = []
    last = len(_VALUES) - 1
    for i in range(0, last + 1, 2):
        digit = n // _VALUES[i]
        if digit % 5 == 4:
            i2 = i - 1 if digit == 4 else i - 2
            steps = 0
            j = i
            while steps < form and j < last:
                steps += 1
                if _VALUES[i2] - _VALUES[j + 1] <= n:
                    j += 1
                else:
                    steps = form
            out.append(_CHARS[j] + _CHARS[i2])
            n = n + _VALUES[j] - _VALUES[i2]
        else:
            if digit > 4:
                out.append(_CHARS[i - 1])
            out.append(_CHARS[i] * (digit % 5))
            n %= _VALUES[i]
    return "".join(out)


@builtin("ROMAN", "VV", min_args=1)
def ROMAN(number: Any, form: Any = MISSING) -> str:
    x = no_bool_number(number)
    if form is MISSING or form is EMPTY:
        f = 0
    elif form.__class__ is bool:
        f = 0 if form else 4
    else:
        f = int(no_bool_number(form))
    if not 0 <= x < 4000 or not 0 <= f <= 4:
        raise ErrorResult(VALUE)
    return roman(int(x), f)


@builtin("ARABIC", "V")
def ARABIC(text: Any) -> float:
    s = to_text(text).strip().upper()
    if len(s) > 255:
        raise ErrorResult(VALUE)
    sign = 1.0
    if s.startswith("-"):
        sign, s = -1.0, s[1:]
    if not s:
        return 0.0
    if any(c not in _CHARS for c in s):
        raise ErrorResult(VALUE)
    total, biggest = 0, 0
    for c in reversed(s):
        v = _VALUES[_CHARS.index(c)]
        if v < biggest:
            total -= v
        else:
            total += v
            biggest = v
    if not 0 < total < 4000 or all(roman(total, f) != s for f in range(5)):
        raise Unsupported(f"ARABIC of {s!r}, not a numeral ROMAN writes", "ARABIC")
    return sign * total
