"""Excel's values and standard worksheet functions, for the headless evaluator.

Values: ``float``, ``str``, ``bool``, :class:`XlError` (``#N/A``...), :data:`EMPTY` (an
empty cell), :class:`Range` (a reference: cells of a sheet), :class:`Array` (rows of
values, from an array constant or an array operation), :class:`Multi` (a union of ranges).

Each function is registered in :data:`BUILTINS` with how it takes its arguments, one letter
per parameter, as Excel's own function table does:

- ``V`` a value: a range there is reduced to one cell by implicit intersection in an
  ordinary formula, or the function is applied cell by cell in an array formula;
- ``R`` a reference: a range is passed as it is (``SUM(A1:A9)``);
- ``A`` an array: like ``R``, and the argument is computed as an array formula even in an
  ordinary cell (``SUMPRODUCT(--(A1:A5<>""))``).

Semantics follow Excel: empty is 0 in arithmetic and "" in text; text that reads as a
number is a number in arithmetic (``"5"+1`` is 6); in comparisons numbers < text <
booleans and text is case-insensitive; ``SUM``-like functions skip text and booleans in
ranges but convert direct arguments; errors propagate. ``ROUND`` rounds halves away from
zero (decimal arithmetic on the number's shortest repr).

Example::

    >>> call("ROUND", 2.675, 2), call("ROUND", -0.5, 0)
    (2.68, -1.0)
    >>> call("SUM", Array([[1.0, "x", True]]), "2")
    3.0
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation
from typing import Any

from crm_xl.calc.parser import col_letters

# --- values -------------------------------------------------------------------------------


class XlError:
    """An Excel error value; one instance per code (compare with ``is`` or ``==``)."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __repr__(self) -> str:
        return f"XlError({self.code!r})"

    def __str__(self) -> str:
        return self.code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XlError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("XlError", self.code))


ERROR_CODES = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
)
ERRORS = {code: XlError(code) for code in ERROR_CODES}
NULL, DIV0, VALUE, REF, NAME, NUM, NA = (ERRORS[c] for c in ERROR_CODES[:7])


def error(code: str) -> XlError:
    """The error value for ``code`` (unknown codes become ``#VALUE!``)."""
    return ERRORS.get(code.upper(), VALUE)


class _Empty:
    __slots__ = ()

    def __repr__(self) -> str:
        return "EMPTY"

    def __bool__(self) -> bool:
        return False


class _Missing(_Empty):
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


EMPTY = _Empty()
"""An empty cell."""
MISSING = _Missing()
"""An omitted function argument (``IF(A1,,2)``)."""


class ErrorResult(Exception):
    """Raised inside a function to return an error value."""

    def __init__(self, err: XlError):
        super().__init__(err.code)
        self.error = err


class Unsupported(Exception):
    """Raised when a formula needs something the evaluator does not do (a reason)."""

    def __init__(self, reason: str, name: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.name = name


class Range:
    """A reference to a block of cells; ``sheet`` reads them (``sheet.get(row, col)``)."""

    __slots__ = ("c1", "c2", "r1", "r2", "sheet")

    def __init__(self, sheet: Any, r1: int, c1: int, r2: int, c2: int):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def size(self) -> int:
        return (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1)

    def rows(self) -> list[list[Any]]:
        get = self.sheet.get
        cols = range(self.c1, self.c2 + 1)
        return [[get(r, c) for c in cols] for r in range(self.r1, self.r2 + 1)]

    def values(self) -> Iterator[Any]:
        get = self.sheet.get
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield get(r, c)

    def cell(self, i: int, j: int) -> Any:
        return self.sheet.get(self.r1 + i, self.c1 + j)

    def sub(self, i1: int, j1: int, i2: int, j2: int) -> Range:
        """The part from (i1, j1) to (i2, j2), 0-based within this range."""
        return Range(self.sheet, self.r1 + i1, self.c1 + j1, self.r1 + i2, self.c1 + j2)

    def address(self) -> str:
        a = f"{col_letters(self.c1)}{self.r1}"
        if self.size == 1:
            return a
        return f"{a}:{col_letters(self.c2)}{self.r2}"

    def __repr__(self) -> str:
        return f"Range({getattr(self.sheet, 'name', '?')}!{self.address()})"


class Array:
    """Rows of values (a list of equally long lists)."""

    __slots__ = ("data",)

    def __init__(self, data: list[list[Any]]):
        self.data = data

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.data), len(self.data[0]) if self.data else 0

    @property
    def size(self) -> int:
        return len(self.data) * (len(self.data[0]) if self.data else 0)

    def rows(self) -> list[list[Any]]:
        return self.data

    def values(self) -> Iterator[Any]:
        for row in self.data:
            yield from row

    def cell(self, i: int, j: int) -> Any:
        return self.data[i][j]

    def __repr__(self) -> str:
        return f"Array({self.data!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Array) and other.data == self.data


class Multi:
    """A union of ranges (``(A1:A3,C1)``)."""

    __slots__ = ("areas",)

    def __init__(self, areas: list[Range]):
        self.areas = areas

    def values(self) -> Iterator[Any]:
        for a in self.areas:
            yield from a.values()


GRID = (Range, Array)
AREAS = (Range, Array, Multi)


def grid_of(v: Any) -> list[list[Any]]:
    """Rows of a range, an array or a single value."""
    if isinstance(v, GRID):
        return v.rows()
    if isinstance(v, Multi):
        raise ErrorResult(VALUE)
    return [[v]]


def shape_of(v: Any) -> tuple[int, int]:
    return v.shape if isinstance(v, GRID) else (1, 1)


def flat_values(v: Any) -> Iterator[Any]:
    if isinstance(v, AREAS):
        yield from v.values()
    else:
        yield v


# --- coercion -----------------------------------------------------------------------------

_NUM_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*([AaPp][Mm])?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$")


def text_to_number(s: str) -> float | None:
    """Text Excel reads as a number in arithmetic ("5", " 1,000 ", "50%", "$3", "12:30"), or None."""
    t = s.strip()
    if not t:
        return None
    if _NUM_TEXT.match(t):
        return float(t)
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    if t.startswith("-"):
        neg, t = not neg, t[1:].strip()
    if t.startswith("$"):
        t = t[1:].strip()
    scale = 1.0
    if t.endswith("%"):
        scale, t = 0.01, t[:-1].strip()
    if re.match(r"^\d{1,3}(,\d{3})+(\.\d*)?$", t):
        t = t.replace(",", "")
    if _NUM_TEXT.match(t):
        v = float(t) * scale
        return -v if neg else v
    if neg or scale != 1.0:
        return None
    m = _TIME_TEXT.match(t)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        sec = float(m.group(3) or 0)
        if m.group(4):
            if h > 12:
                return None
            h = h % 12 + (12 if m.group(4).lower() == "pm" else 0)
        if mi > 59 or sec >= 60:
            return None
        return (h * 3600 + mi * 60 + sec) / 86400
    m = _ISO_DATE.match(t)
    if m:
        return date_serial(int(m.group(1)), int(m.group(2)), int(m.group(3)), strict=True)
    m = _US_DATE.match(t)
    if m:
        y = int(m.group(3))
        y = y + (2000 if y < 30 else 1900) if y < 100 else y
        return date_serial(y, int(m.group(1)), int(m.group(2)), strict=True)
    return None


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


def number_text(x: float) -> str:
    """A number as Excel turns it into text: 15 significant digits, scientific notation only
    beyond 1E+20 or when a small number would take more than 20 characters."""
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
    elif e > 19:
        out = sci + f"E+{e:02d}"
    elif n > e + 1:
        out = digits[: e + 1] + "." + digits[e + 1 :]
    else:
        out = digits + "0" * (e + 1 - n)
    return "-" + out if x < 0 else out


def to_text(v: Any) -> str:
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


def to_int(v: Any) -> int:
    """A number truncated towards zero (Excel's index arguments)."""
    x = to_number(v)
    if not math.isfinite(x) or abs(x) > 2**53:
        raise ErrorResult(NUM)
    return int(x)


def check(x: float) -> float:
    """A result number, or #NUM! when it is not finite."""
    if x != x or x in (math.inf, -math.inf):
        raise ErrorResult(NUM)
    return x


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


def _date_parts(v: Any) -> dt.datetime:
    x = to_number(v)
    if x < 0 or x > 2958465.99999999:
        raise ErrorResult(NUM)
    return serial_to_datetime(x)


# --- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Builtin:
    """How a function takes its arguments (see the module notes) and its implementation."""

    name: str
    fn: Callable[..., Any]
    params: str
    repeat: int = 0
    min_args: int = 0
    max_args: int | None = None
    lazy: bool = False
    errors: bool = False  # V arguments may be errors (else the first one is the result)
    lift: bool = True  # applied cell by cell to arrays in V arguments (array formulas)
    needs_ctx: bool = False  # fn(ctx, *args): ROW(), COLUMN()

    def kind(self, i: int) -> str:
        if i < len(self.params):
            return self.params[i]
        if self.repeat:
            tail = self.params[-self.repeat :]
            return tail[(i - len(self.params)) % self.repeat]
        return "V"


BUILTINS: dict[str, Builtin] = {}

_VOLATILE = "is volatile ({}): crm-xl recalc must give the same result on every run"
_DYNAMIC = "builds references at run time ({}), so the cells it reads are not known in advance"
VOLATILE = {
    "TODAY": _VOLATILE.format("it changes every day"),
    "NOW": _VOLATILE.format("it changes all the time"),
    "RAND": _VOLATILE.format("it is random"),
    "RANDBETWEEN": _VOLATILE.format("it is random"),
    "RANDARRAY": _VOLATILE.format("it is random"),
    "OFFSET": _DYNAMIC.format("from a position and a size"),
    "INDIRECT": _DYNAMIC.format("from text"),
    "CELL": _VOLATILE.format("it depends on the Excel session"),
    "INFO": _VOLATILE.format("it depends on the Excel session"),
}
"""Functions refused on purpose: recalculation must be deterministic and static."""


def builtin(
    name: str,
    params: str = "",
    *,
    repeat: int = 0,
    min_args: int | None = None,
    max_args: int | None = -1,
    lazy: bool = False,
    errors: bool = False,
    lift: bool = True,
    needs_ctx: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function; ``max_args`` defaults to ``len(params)`` (None when repeating)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        lo = min_args if min_args is not None else len(params)
        hi = (None if repeat else len(params)) if max_args == -1 else max_args
        for n in name.split():
            BUILTINS[n] = Builtin(n, fn, params, repeat, lo, hi, lazy, errors, lift, needs_ctx)
        return fn

    return register


def call(name: str, *args: Any) -> Any:
    """Call a builtin directly with already computed arguments (for tests and examples)."""
    b = BUILTINS[name]
    if not b.errors:
        for i, a in enumerate(args):
            if b.kind(i) == "V" and a.__class__ is XlError:
                return a
    try:
        return b.fn(*args)
    except ErrorResult as e:
        return e.error


# --- aggregation helpers ------------------------------------------------------------------


def numbers(args: tuple[Any, ...], *, text_in_ranges: str = "skip") -> list[float]:
    """The numbers of SUM-like arguments: in ranges and arrays only numbers count (text and
    booleans are skipped, or counted as 0/1 with ``text_in_ranges="zero"`` for the *A
    functions); direct arguments are converted; the first error is raised."""
    out: list[float] = []
    for a in args:
        if isinstance(a, AREAS):
            for v in a.values():
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


@builtin("SUM", "R", repeat=1, min_args=1)
def SUM(*args: Any) -> float:
    if len(args) == 1 and args[0].__class__ is Range:
        total = 0.0
        for v in args[0].values():
            if v.__class__ is float:
                total += v
            elif v.__class__ is XlError:
                raise ErrorResult(v)
        return check(total)
    return check(sum(numbers(args)))


@builtin("PRODUCT", "R", repeat=1, min_args=1)
def PRODUCT(*args: Any) -> float:
    nums = numbers(args)
    return check(math.prod(nums)) if nums else 0.0


@builtin("SUMSQ", "R", repeat=1, min_args=1)
def SUMSQ(*args: Any) -> float:
    return check(sum(x * x for x in numbers(args)))


@builtin("AVERAGE", "R", repeat=1, min_args=1)
def AVERAGE(*args: Any) -> float:
    nums = numbers(args)
    if not nums:
        raise ErrorResult(DIV0)
    return check(sum(nums) / len(nums))


@builtin("AVERAGEA", "R", repeat=1, min_args=1)
def AVERAGEA(*args: Any) -> float:
    nums = numbers(args, text_in_ranges="zero")
    if not nums:
        raise ErrorResult(DIV0)
    return sum(nums) / len(nums)


@builtin("MIN", "R", repeat=1, min_args=1)
def MIN(*args: Any) -> float:
    nums = numbers(args)
    return min(nums) if nums else 0.0


@builtin("MAX", "R", repeat=1, min_args=1)
def MAX(*args: Any) -> float:
    nums = numbers(args)
    return max(nums) if nums else 0.0


@builtin("MINA", "R", repeat=1, min_args=1)
def MINA(*args: Any) -> float:
    nums = numbers(args, text_in_ranges="zero")
    return min(nums) if nums else 0.0


@builtin("MAXA", "R", repeat=1, min_args=1)
def MAXA(*args: Any) -> float:
    nums = numbers(args, text_in_ranges="zero")
    return max(nums) if nums else 0.0


@builtin("COUNT", "R", repeat=1, min_args=1, errors=True)
def COUNT(*args: Any) -> float:
    n = 0
    for a in args:
        if isinstance(a, AREAS):
            n += sum(1 for v in a.values() if v.__class__ is float)
        elif (
            a.__class__ in (float, bool)
            or a is MISSING
            or (a.__class__ is str and text_to_number(a) is not None)
        ):
            n += 1
    return float(n)


@builtin("COUNTA", "R", repeat=1, min_args=1, errors=True)
def COUNTA(*args: Any) -> float:
    n = 0
    for a in args:
        if isinstance(a, AREAS):
            n += sum(1 for v in a.values() if v is not EMPTY)
        else:
            n += 1
    return float(n)


@builtin("COUNTBLANK", "R")
def COUNTBLANK(a: Any) -> float:
    return float(sum(1 for v in flat_values(a) if v is EMPTY or v == ""))


def _variance(nums: list[float], sample: bool) -> float:
    n = len(nums)
    if n < (2 if sample else 1):
        raise ErrorResult(DIV0)
    mean = sum(nums) / n
    return sum((x - mean) ** 2 for x in nums) / (n - 1 if sample else n)


@builtin("VAR VAR.S", "R", repeat=1, min_args=1)
def VAR(*args: Any) -> float:
    return _variance(numbers(args), True)


@builtin("VARP VAR.P", "R", repeat=1, min_args=1)
def VARP(*args: Any) -> float:
    return _variance(numbers(args), False)


@builtin("STDEV STDEV.S", "R", repeat=1, min_args=1)
def STDEV(*args: Any) -> float:
    return math.sqrt(_variance(numbers(args), True))


@builtin("STDEVP STDEV.P", "R", repeat=1, min_args=1)
def STDEVP(*args: Any) -> float:
    return math.sqrt(_variance(numbers(args), False))


@builtin("DEVSQ", "R", repeat=1, min_args=1)
def DEVSQ(*args: Any) -> float:
    nums = numbers(args)
    if not nums:
        raise ErrorResult(NUM)
    mean = sum(nums) / len(nums)
    return sum((x - mean) ** 2 for x in nums)


@builtin("AVEDEV", "R", repeat=1, min_args=1)
def AVEDEV(*args: Any) -> float:
    nums = numbers(args)
    if not nums:
        raise ErrorResult(NUM)
    mean = sum(nums) / len(nums)
    return sum(abs(x - mean) for x in nums) / len(nums)


@builtin("MEDIAN", "R", repeat=1, min_args=1)
def MEDIAN(*args: Any) -> float:
    nums = sorted(numbers(args))
    if not nums:
        raise ErrorResult(NUM)
    n = len(nums)
    return nums[n // 2] if n % 2 else (nums[n // 2 - 1] + nums[n // 2]) / 2


@builtin("MODE MODE.SNGL", "R", repeat=1, min_args=1, errors=True)
def MODE(*args: Any) -> float:
    nums: list[float] = []
    for a in args:  # ranges: numbers only; single cells and values: must be numbers
        many = isinstance(a, AREAS) and not (isinstance(a, Range) and a.size == 1)
        for v in flat_values(a):
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if v.__class__ is float:
                nums.append(v)
            elif not many:
                raise ErrorResult(VALUE)
    counts: dict[float, int] = {}
    for x in nums:
        counts[x] = counts.get(x, 0) + 1
    best = max(counts.values(), default=0)
    if best < 2:
        raise ErrorResult(NA)
    return next(x for x in nums if counts[x] == best)


def _kth(a: Any, k: Any, largest: bool) -> float:
    nums = numbers((a,)) if isinstance(a, AREAS) else [to_number(a)]
    i = math.ceil(to_number(k))
    if not nums or i < 1 or i > len(nums):
        raise ErrorResult(NUM)
    return sorted(nums, reverse=largest)[i - 1]


@builtin("LARGE", "RV")
def LARGE(a: Any, k: Any) -> float:
    return _kth(a, k, True)


@builtin("SMALL", "RV")
def SMALL(a: Any, k: Any) -> float:
    return _kth(a, k, False)


def _rank(x: Any, ref: Any, order: Any, average: bool) -> float:
    v = to_number(x)
    if not isinstance(ref, AREAS):
        raise ErrorResult(NA)
    nums = numbers((ref,))
    ascending = order is not MISSING and to_number(order) != 0
    if v not in nums:
        raise ErrorResult(NA)
    better = sum(1 for n in nums if (n < v if ascending else n > v))
    if not average:
        return float(better + 1)
    ties = nums.count(v)
    return better + (ties + 1) / 2


@builtin("RANK RANK.EQ", "VRV", min_args=2)
def RANK(x: Any, ref: Any, order: Any = MISSING) -> float:
    return _rank(x, ref, order, False)


@builtin("RANK.AVG", "VRV", min_args=2)
def RANK_AVG(x: Any, ref: Any, order: Any = MISSING) -> float:
    return _rank(x, ref, order, True)


def _percentile(a: Any, k: float) -> float:
    nums = sorted(numbers((a,)) if isinstance(a, AREAS) else [to_number(a)])
    if not nums or not 0 <= k <= 1:
        raise ErrorResult(NUM)
    pos = k * (len(nums) - 1)
    lo = math.floor(pos)
    if lo + 1 >= len(nums):
        return nums[-1]
    return nums[lo] + (pos - lo) * (nums[lo + 1] - nums[lo])


@builtin("PERCENTILE PERCENTILE.INC", "RV")
def PERCENTILE(a: Any, k: Any) -> float:
    return _percentile(a, to_number(k))


@builtin("QUARTILE QUARTILE.INC", "RV")
def QUARTILE(a: Any, q: Any) -> float:
    n = math.floor(to_number(q))
    if not 0 <= n <= 4:
        raise ErrorResult(NUM)
    return _percentile(a, n / 4)


_SUBTOTAL = {
    1: AVERAGE,
    2: COUNT,
    3: COUNTA,
    4: MAX,
    5: MIN,
    6: PRODUCT,
    7: STDEV,
    8: STDEVP,
    9: SUM,
    10: VAR,
    11: VARP,
}


@builtin("SUBTOTAL", "VR", repeat=1, min_args=2)
def SUBTOTAL(fn: Any, *refs: Any) -> Any:
    code = to_int(fn)
    base = code - 100 if code > 100 else code
    if base not in _SUBTOTAL:
        raise ErrorResult(VALUE)
    kept: list[Any] = []
    for r in refs:
        if not isinstance(r, Range):
            raise ErrorResult(VALUE)
        skip = getattr(r.sheet, "subtotal_skip", None)
        if skip is None:
            kept.append(r)
            continue
        rows = [
            [EMPTY if skip(r.r1 + i, r.c1 + j, code > 100) else v for j, v in enumerate(row)]
            for i, row in enumerate(r.rows())
        ]
        kept.append(Array(rows))
    return _SUBTOTAL[base](*kept)


# --- criteria (COUNTIF, SUMIF, ...) --------------------------------------------------------

_OPS = ("<=", ">=", "<>", "<", ">", "=")


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Excel wildcards (* any run, ? one character, ~ escapes) as a full-match regex."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.S | re.I)


def has_wildcards(s: str) -> bool:
    return any(c in s for c in "*?~")


def _never(v: Any) -> bool:
    return False


def criterion(crit: Any) -> Callable[[Any], bool]:
    """A COUNTIF-style criterion as a test of one cell value, with Excel's rules: a number
    also matches text that reads as that number (for = only; ``<>5`` matches any text);
    text criteria never match numbers, even with wildcards; a blank cell matches only
    ``<>x`` and the empty criterion; a criterion that is a blank cell matches nothing."""
    if crit is EMPTY or crit is MISSING:
        return _never
    op = ""
    if crit.__class__ is str:
        op = next((o for o in _OPS if crit.startswith(o)), "")
        rest = crit[len(op) :]
        up = rest.upper()
        if up in ("TRUE", "FALSE"):
            crit = up == "TRUE"
        elif up in ERRORS:
            crit = ERRORS[up]
        else:
            num = text_to_number(rest) if rest.strip() else None
            crit = num if num is not None else rest
    if crit.__class__ is XlError:
        code = crit.code
        if op == "<>":
            return lambda v: not (v.__class__ is XlError and v.code == code)
        if op in ("", "="):
            return lambda v: v.__class__ is XlError and v.code == code
        return _never
    if crit.__class__ is bool:
        b = crit

        def match_bool(v: Any) -> bool:
            if v.__class__ is bool:
                return _cmp_ok(op or "=", (v > b) - (v < b))
            return op == "<>" and v.__class__ is not str

        return match_bool
    if crit.__class__ is float:
        x = crit

        def match_number(v: Any) -> bool:
            cls = v.__class__
            if cls is float:
                return _cmp_ok(op or "=", (v > x) - (v < x))
            if cls is str:
                if op == "<>":
                    return True
                return op in ("", "=") and text_to_number(v) == x
            return op == "<>" and v is EMPTY

        return match_number
    text = crit if crit.__class__ is str else to_text(crit)
    rx = wildcard_regex(text) if op in ("", "=", "<>") and has_wildcards(text) else None
    low = text.lower()

    if op == "<>" and text == "":  # "<>": every cell that is not blank
        return lambda v: v is not EMPTY

    def match_text(v: Any) -> bool:
        if v is EMPTY:
            if op in ("", "="):
                return text == ""
            return op == "<>" and text != ""
        if v.__class__ is not str:
            return op == "<>" and text != ""
        if v == "" and text == "":
            return op in ("", "<>")
        if rx is not None:
            hit = rx.fullmatch(v) is not None
            return not hit if op == "<>" else hit
        c = compare(v.lower(), low)
        return _cmp_ok(op or "=", c)

    return match_text


def _cmp_ok(op: str, c: int) -> bool:
    return {
        "<": c < 0,
        ">": c > 0,
        "<=": c <= 0,
        ">=": c >= 0,
        "=": c == 0,
        "<>": c != 0,
    }[op]


def _criteria_mask(pairs: list[tuple[Any, Any]]) -> tuple[tuple[int, int], list[bool]]:
    shape = None
    mask: list[bool] | None = None
    for rng, crit in pairs:
        if not isinstance(rng, GRID):
            raise ErrorResult(VALUE)
        if shape is None:
            shape = rng.shape
        elif rng.shape != shape:
            raise ErrorResult(VALUE)
        test = criterion(crit)
        hits = [test(v) for v in rng.values()]
        mask = hits if mask is None else [a and b for a, b in zip(mask, hits, strict=True)]
    assert shape is not None and mask is not None
    return shape, mask


def _sum_cells(target: Any, shape: tuple[int, int]) -> list[Any]:
    """SUMIF's sum range: it takes the criteria range's shape from its own first cell."""
    if isinstance(target, Range):
        target = target.sub(0, 0, shape[0] - 1, shape[1] - 1)
    elif not isinstance(target, Array) or target.shape != shape:
        raise ErrorResult(VALUE)
    return list(target.values())


@builtin("COUNTIF", "RV", errors=True)
def COUNTIF(rng: Any, crit: Any) -> float:
    _, mask = _criteria_mask([(rng, crit)])
    return float(sum(mask))


@builtin("COUNTIFS", "RV", repeat=2, min_args=2, errors=True)
def COUNTIFS(*args: Any) -> float:
    if len(args) % 2:
        raise ErrorResult(VALUE)
    _, mask = _criteria_mask(list(zip(args[::2], args[1::2], strict=True)))
    return float(sum(mask))


def _masked_numbers(values: list[Any], mask: list[bool]) -> list[float]:
    out = []
    for v, m in zip(values, mask, strict=True):
        if m:
            if v.__class__ is float:
                out.append(v)
            elif v.__class__ is XlError:
                raise ErrorResult(v)
    return out


@builtin("SUMIF", "RVR", min_args=2, errors=True)
def SUMIF(rng: Any, crit: Any, sum_range: Any = MISSING) -> float:
    shape, mask = _criteria_mask([(rng, crit)])
    values = _sum_cells(rng if sum_range is MISSING else sum_range, shape)
    return sum(_masked_numbers(values, mask))


@builtin("SUMIFS", "RRV", repeat=2, min_args=3, errors=True)
def SUMIFS(sum_range: Any, *args: Any) -> float:
    if len(args) % 2:
        raise ErrorResult(VALUE)
    shape, mask = _criteria_mask(list(zip(args[::2], args[1::2], strict=True)))
    if not isinstance(sum_range, GRID) or sum_range.shape != shape:
        raise ErrorResult(VALUE)
    return sum(_masked_numbers(list(sum_range.values()), mask))


@builtin("AVERAGEIF", "RVR", min_args=2, errors=True)
def AVERAGEIF(rng: Any, crit: Any, avg_range: Any = MISSING) -> float:
    shape, mask = _criteria_mask([(rng, crit)])
    nums = _masked_numbers(_sum_cells(rng if avg_range is MISSING else avg_range, shape), mask)
    if not nums:
        raise ErrorResult(DIV0)
    return sum(nums) / len(nums)


@builtin("AVERAGEIFS", "RRV", repeat=2, min_args=3, errors=True)
def AVERAGEIFS(avg_range: Any, *args: Any) -> float:
    if len(args) % 2:
        raise ErrorResult(VALUE)
    shape, mask = _criteria_mask(list(zip(args[::2], args[1::2], strict=True)))
    if not isinstance(avg_range, GRID) or avg_range.shape != shape:
        raise ErrorResult(VALUE)
    nums = _masked_numbers(list(avg_range.values()), mask)
    if not nums:
        raise ErrorResult(DIV0)
    return sum(nums) / len(nums)


@builtin("MAXIFS", "RRV", repeat=2, min_args=3, errors=True)
def MAXIFS(rng: Any, *args: Any) -> float:
    shape, mask = _criteria_mask(list(zip(args[::2], args[1::2], strict=True)))
    if not isinstance(rng, GRID) or rng.shape != shape or len(args) % 2:
        raise ErrorResult(VALUE)
    nums = _masked_numbers(list(rng.values()), mask)
    return max(nums) if nums else 0.0


@builtin("MINIFS", "RRV", repeat=2, min_args=3, errors=True)
def MINIFS(rng: Any, *args: Any) -> float:
    shape, mask = _criteria_mask(list(zip(args[::2], args[1::2], strict=True)))
    if not isinstance(rng, GRID) or rng.shape != shape or len(args) % 2:
        raise ErrorResult(VALUE)
    nums = _masked_numbers(list(rng.values()), mask)
    return min(nums) if nums else 0.0


# --- array arithmetic ---------------------------------------------------------------------


def _same_shape_grids(args: tuple[Any, ...]) -> list[list[Any]]:
    grids = []
    shape = None
    for a in args:
        if isinstance(a, Multi):
            raise ErrorResult(VALUE)
        g = [v for row in grid_of(a) for v in row]
        s = shape_of(a)
        if shape is None:
            shape = s
        elif s != shape:
            raise ErrorResult(VALUE)
        grids.append(g)
    return grids


@builtin("SUMPRODUCT", "A", repeat=1, min_args=1)
def SUMPRODUCT(*args: Any) -> float:
    if all(not isinstance(a, AREAS) or (isinstance(a, GRID) and a.size == 1) for a in args):
        product = 1.0  # single values: text is an error here, not 0
        for a in args:
            v = a.cell(0, 0) if isinstance(a, GRID) else a
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if v is EMPTY or v is MISSING:
                v = 0.0
            if v.__class__ is not float:
                raise ErrorResult(VALUE)
            product *= v
        return product
    grids = _same_shape_grids(args)
    total = 0.0
    for cells in zip(*grids, strict=True):
        p = 1.0
        for v in cells:
            if v.__class__ is XlError:
                raise ErrorResult(v)
            p *= v if v.__class__ is float else 0.0
        total += p
    return check(total)


def _pairs(x: Any, y: Any) -> list[tuple[float, float]]:
    """Number pairs of two arrays of the same size (shapes may differ); errors in x, then
    in y, win; no pair at all is #DIV/0!."""
    gx, gy = list(flat_values(x)), list(flat_values(y))
    if len(gx) != len(gy):
        raise ErrorResult(NA)
    for g in (gx, gy):
        for v in g:
            if v.__class__ is XlError:
                raise ErrorResult(v)
    out = [
        (a, b) for a, b in zip(gx, gy, strict=True) if a.__class__ is float and b.__class__ is float
    ]
    if not out:
        raise ErrorResult(DIV0)
    return out


@builtin("SUMX2MY2", "AA")
def SUMX2MY2(x: Any, y: Any) -> float:
    return sum(a * a - b * b for a, b in _pairs(x, y))


@builtin("SUMX2PY2", "AA")
def SUMX2PY2(x: Any, y: Any) -> float:
    return sum(a * a + b * b for a, b in _pairs(x, y))


@builtin("SUMXMY2", "AA")
def SUMXMY2(x: Any, y: Any) -> float:
    return sum((a - b) ** 2 for a, b in _pairs(x, y))


def _matrix(a: Any) -> list[list[float]]:
    rows = grid_of(a)
    out = []
    for row in rows:
        r = []
        for v in row:
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if v.__class__ is not float:
                raise ErrorResult(VALUE)
            r.append(v)
        out.append(r)
    return out


@builtin("MMULT", "AA", lift=False)
def MMULT(a: Any, b: Any) -> Array:
    x, y = _matrix(a), _matrix(b)
    if len(x[0]) != len(y):
        raise ErrorResult(VALUE)
    return Array(
        [
            [sum(x[i][k] * y[k][j] for k in range(len(y))) for j in range(len(y[0]))]
            for i in range(len(x))
        ]
    )


@builtin("TRANSPOSE", "A", lift=False)
def TRANSPOSE(a: Any) -> Any:
    rows = grid_of(a)
    return Array([[EMPTY_TO_ZERO(v) for v in col] for col in zip(*rows, strict=True)])


def EMPTY_TO_ZERO(v: Any) -> Any:
    return 0.0 if v is EMPTY else v


def _det(m: list[list[float]]) -> float:
    import numpy as np

    return float(np.linalg.det(np.array(m, dtype=float)))


@builtin("MDETERM", "A", lift=False)
def MDETERM(a: Any) -> float:
    m = _matrix(a)
    if len(m) != len(m[0]):
        raise ErrorResult(VALUE)
    return _det(m)


@builtin("MINVERSE", "A", lift=False)
def MINVERSE(a: Any) -> Array:
    import numpy as np

    m = _matrix(a)
    if len(m) != len(m[0]):
        raise ErrorResult(VALUE)
    arr = np.array(m, dtype=float)
    if abs(np.linalg.det(arr)) < 1e-300:
        raise ErrorResult(NUM)
    return Array(np.linalg.inv(arr).tolist())


# --- math ---------------------------------------------------------------------------------

_CTX = Context(prec=400)


def _round(x: float, digits: Any, mode: str) -> float:
    d = to_int(digits)
    if x == 0 or not math.isfinite(x):
        return x
    try:
        q = Decimal(1).scaleb(-d)
        r = Decimal(repr(x)).quantize(q, rounding=mode, context=_CTX)
    except InvalidOperation:
        return x
    return float(r)


@builtin("ROUND", "VV")
def ROUND(x: Any, digits: Any) -> float:
    return _round(to_number(x), digits, ROUND_HALF_UP)


@builtin("ROUNDUP", "VV")
def ROUNDUP(x: Any, digits: Any) -> float:
    return _round(to_number(x), digits, ROUND_UP)


@builtin("ROUNDDOWN", "VV")
def ROUNDDOWN(x: Any, digits: Any) -> float:
    return _round(to_number(x), digits, ROUND_DOWN)


@builtin("TRUNC", "VV", min_args=1)
def TRUNC(x: Any, digits: Any = MISSING) -> float:
    return _round(to_number(x), 0.0 if digits is MISSING else digits, ROUND_DOWN)


@builtin("INT", "V")
def INT(x: Any) -> float:
    return float(math.floor(to_number(x)))


@builtin("ABS", "V")
def ABS(x: Any) -> float:
    return abs(to_number(x))


@builtin("SIGN", "V")
def SIGN(x: Any) -> float:
    v = to_number(x)
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


@builtin("MOD", "VV")
def MOD(n: Any, d: Any) -> float:
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise ErrorResult(DIV0)
    return check(a - b * math.floor(a / b))


@builtin("QUOTIENT", "VV")
def QUOTIENT(n: Any, d: Any) -> float:
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise ErrorResult(DIV0)
    return float(math.trunc(a / b))


def power(a: float, b: float) -> float:
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


@builtin("POWER", "VV")
def POWER(a: Any, b: Any) -> float:
    return power(to_number(a), to_number(b))


@builtin("SQRT", "V")
def SQRT(x: Any) -> float:
    v = to_number(x)
    if v < 0:
        raise ErrorResult(NUM)
    return math.sqrt(v)


@builtin("EXP", "V")
def EXP(x: Any) -> float:
    try:
        return check(math.exp(to_number(x)))
    except OverflowError:
        raise ErrorResult(NUM) from None


@builtin("LN", "V")
def LN(x: Any) -> float:
    v = to_number(x)
    if v <= 0:
        raise ErrorResult(NUM)
    return math.log(v)


@builtin("LOG10", "V")
def LOG10(x: Any) -> float:
    v = to_number(x)
    if v <= 0:
        raise ErrorResult(NUM)
    return math.log10(v)


@builtin("LOG", "VV", min_args=1)
def LOG(x: Any, base: Any = MISSING) -> float:
    v = to_number(x)
    b = 10.0 if base is MISSING else to_number(base)
    if v <= 0 or b <= 0:
        raise ErrorResult(NUM)
    if b == 1:
        raise ErrorResult(DIV0)
    return math.log(v) / math.log(b)


@builtin("PI", "")
def PI() -> float:
    return math.pi


def _unary_math(name: str, fn: Callable[[float], float], ok: Callable[[float], bool]) -> None:
    def impl(x: Any) -> float:
        v = to_number(x)
        if not ok(v):
            raise ErrorResult(NUM)
        try:
            return check(fn(v))
        except (ValueError, OverflowError):
            raise ErrorResult(NUM) from None

    builtin(name, "V")(impl)


for _name, _fn, _ok in (
    ("SIN", math.sin, lambda v: abs(v) < 2**27),
    ("COS", math.cos, lambda v: abs(v) < 2**27),
    ("TAN", math.tan, lambda v: abs(v) < 2**27),
    ("ASIN", math.asin, lambda v: -1 <= v <= 1),
    ("ACOS", math.acos, lambda v: -1 <= v <= 1),
    ("ATAN", math.atan, lambda v: True),
    ("SINH", math.sinh, lambda v: True),
    ("COSH", math.cosh, lambda v: True),
    ("TANH", math.tanh, lambda v: True),
    ("ASINH", math.asinh, lambda v: True),
    ("ACOSH", math.acosh, lambda v: v >= 1),
    ("ATANH", math.atanh, lambda v: -1 < v < 1),
    ("DEGREES", math.degrees, lambda v: True),
    ("RADIANS", math.radians, lambda v: True),
):
    _unary_math(_name, _fn, _ok)


@builtin("ATAN2", "VV")
def ATAN2(x: Any, y: Any) -> float:
    a, b = to_number(x), to_number(y)
    if a == 0 and b == 0:
        raise ErrorResult(DIV0)
    return math.atan2(b, a)


@builtin("FACT", "V")
def FACT(x: Any) -> float:
    v = to_number(x)
    if v < 0:
        raise ErrorResult(NUM)
    n = int(v)
    if n > 170:
        raise ErrorResult(NUM)
    return float(math.factorial(n))


@builtin("COMBIN", "VV")
def COMBIN(n: Any, k: Any) -> float:
    a, b = int(to_number(n)), int(to_number(k))
    if a < 0 or b < 0 or b > a:
        raise ErrorResult(NUM)
    return float(math.comb(a, b))


def _clean(x: float) -> float:
    return float(f"{x:.15g}")


@builtin("CEILING", "VV", min_args=1)
def CEILING(x: Any, sig: Any = MISSING) -> float:
    v = to_number(x)
    s = to_number(sig) if sig is not MISSING else (1.0 if v >= 0 else -1.0)
    if v == 0 or s == 0:
        return 0.0
    if v > 0 and s < 0:
        raise ErrorResult(NUM)
    q = v / s
    n = math.ceil(round(q, 12))
    return _clean(n * s)


@builtin("FLOOR", "VV", min_args=1)
def FLOOR(x: Any, sig: Any = MISSING) -> float:
    v = to_number(x)
    s = to_number(sig) if sig is not MISSING else 1.0
    if v == 0:
        return 0.0
    if s == 0:
        raise ErrorResult(DIV0)
    if v > 0 and s < 0:
        raise ErrorResult(NUM)
    q = v / s
    n = math.floor(round(q, 12))
    return _clean(n * s)


@builtin("EVEN", "V")
def EVEN(x: Any) -> float:
    v = to_number(x)
    n = math.ceil(abs(v) / 2) * 2
    return float(n if v >= 0 else -n)


@builtin("ODD", "V")
def ODD(x: Any) -> float:
    v = to_number(x)
    n = math.ceil(abs(v))
    if n % 2 == 0:
        n += 1
    return float(n if v >= 0 else -n)


# --- logic and information ----------------------------------------------------------------


def _logicals(args: tuple[Any, ...]) -> list[bool]:
    out = []
    for a in args:
        if isinstance(a, AREAS):
            for v in a.values():
                if v.__class__ is XlError:
                    raise ErrorResult(v)
                if v.__class__ in (bool, float):
                    out.append(bool(v))
        elif a is MISSING:
            out.append(False)
        elif a.__class__ is str:
            out.append(to_bool(a))
        else:
            out.append(to_bool(a))
    if not out:
        raise ErrorResult(VALUE)
    return out


@builtin("AND", "R", repeat=1, min_args=1)
def AND(*args: Any) -> bool:
    return all(_logicals(args))


@builtin("OR", "R", repeat=1, min_args=1)
def OR(*args: Any) -> bool:
    return any(_logicals(args))


@builtin("XOR", "R", repeat=1, min_args=1)
def XOR(*args: Any) -> bool:
    return sum(_logicals(args)) % 2 == 1


@builtin("NOT", "V")
def NOT(x: Any) -> bool:
    return not to_bool(x)


@builtin("TRUE", "")
def TRUE() -> bool:
    return True


@builtin("FALSE", "")
def FALSE() -> bool:
    return False


@builtin("NA", "")
def NA_() -> XlError:
    return NA


@builtin("ISNUMBER", "V", errors=True)
def ISNUMBER(v: Any) -> bool:
    return v.__class__ is float


@builtin("ISTEXT", "V", errors=True)
def ISTEXT(v: Any) -> bool:
    return v.__class__ is str


@builtin("ISNONTEXT", "V", errors=True)
def ISNONTEXT(v: Any) -> bool:
    return v.__class__ is not str


@builtin("ISLOGICAL", "V", errors=True)
def ISLOGICAL(v: Any) -> bool:
    return v.__class__ is bool


@builtin("ISBLANK", "V", errors=True)
def ISBLANK(v: Any) -> bool:
    return v is EMPTY


@builtin("ISERROR", "V", errors=True)
def ISERROR(v: Any) -> bool:
    return v.__class__ is XlError


@builtin("ISERR", "V", errors=True)
def ISERR(v: Any) -> bool:
    return v.__class__ is XlError and v.code != "#N/A"


@builtin("ISNA", "V", errors=True)
def ISNA(v: Any) -> bool:
    return v.__class__ is XlError and v.code == "#N/A"


@builtin("ISREF", "R", errors=True, lift=False)
def ISREF(v: Any) -> bool:
    return isinstance(v, (Range, Multi))


@builtin("ISEVEN", "V")
def ISEVEN(v: Any) -> bool:
    return math.floor(abs(to_number(v))) % 2 == 0


@builtin("ISODD", "V")
def ISODD(v: Any) -> bool:
    return math.floor(abs(to_number(v))) % 2 == 1


@builtin("ERROR.TYPE", "V", errors=True)
def ERROR_TYPE(v: Any) -> float:
    if v.__class__ is not XlError:
        raise ErrorResult(NA)
    return float(ERROR_CODES.index(v.code) + 1) if v.code in ERROR_CODES[:7] else 8.0


@builtin("N", "V", errors=True)
def N(v: Any) -> Any:
    if v.__class__ is float or v.__class__ is XlError:
        return v
    if v.__class__ is bool:
        return 1.0 if v else 0.0
    return 0.0


@builtin("T", "V", errors=True)
def T(v: Any) -> Any:
    if v.__class__ is str or v.__class__ is XlError:
        return v
    return ""


@builtin("TYPE", "R", errors=True, lift=False)
def TYPE(v: Any) -> float:
    if isinstance(v, (Range, Array, Multi)) and not (isinstance(v, Range) and v.size == 1):
        return 64.0
    if isinstance(v, Range):
        v = v.cell(0, 0)
    if v.__class__ is str:
        return 2.0
    if v.__class__ is bool:
        return 4.0
    if v.__class__ is XlError:
        return 16.0
    return 1.0


# --- text ---------------------------------------------------------------------------------


@builtin("LEN", "V")
def LEN(s: Any) -> float:
    return float(len(to_text(s)))


@builtin("LEFT", "VV", min_args=1)
def LEFT(s: Any, n: Any = MISSING) -> str:
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise ErrorResult(VALUE)
    return to_text(s)[:k]


@builtin("RIGHT", "VV", min_args=1)
def RIGHT(s: Any, n: Any = MISSING) -> str:
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise ErrorResult(VALUE)
    t = to_text(s)
    return t[max(0, len(t) - k) :] if k else ""


@builtin("MID", "VVV")
def MID(s: Any, start: Any, n: Any) -> str:
    a, k = to_int(start), to_int(n)
    if a < 1 or k < 0:
        raise ErrorResult(VALUE)
    return to_text(s)[a - 1 : a - 1 + k]


@builtin("UPPER", "V")
def UPPER(s: Any) -> str:
    return to_text(s).upper()


@builtin("LOWER", "V")
def LOWER(s: Any) -> str:
    return to_text(s).lower()


@builtin("PROPER", "V")
def PROPER(s: Any) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), to_text(s).lower())


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
        for v in flat_values(a):
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
    if k < 0:
        raise ErrorResult(VALUE)
    return to_text(s) * k


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
    a, k = to_int(start), to_int(n)
    if a < 1 or k < 0:
        raise ErrorResult(VALUE)
    t = to_text(s)
    return t[: a - 1] + to_text(new) + t[a - 1 + k :]


@builtin("FIND", "VVV", min_args=2)
def FIND(needle: Any, hay: Any, start: Any = MISSING) -> float:
    n, h = to_text(needle), to_text(hay)
    a = 1 if start is MISSING else to_int(start)
    if a < 1 or a > len(h) + 1:
        raise ErrorResult(VALUE)
    i = h.find(n, a - 1)
    if i < 0:
        raise ErrorResult(VALUE)
    return float(i + 1)


@builtin("SEARCH", "VVV", min_args=2)
def SEARCH(needle: Any, hay: Any, start: Any = MISSING) -> float:
    n, h = to_text(needle), to_text(hay)
    a = 1 if start is MISSING else to_int(start)
    if a < 1 or a > len(h) + 1:
        raise ErrorResult(VALUE)
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
    r = _round(x, float(decimals), ROUND_HALF_UP)
    d = max(decimals, 0)
    return f"{r:,.{d}f}" if commas else f"{r:.{d}f}"


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
    r = _round(x, float(decimals), ROUND_HALF_UP)
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
        return _format_date(x, toks)
    out = _format_number(abs(x), toks)
    return sign + out if sign and re.search(r"[1-9]", out) else out


@builtin("TEXT", "VV")
def TEXT(v: Any, fmt: Any) -> str:
    return format_value(v, to_text(fmt))


@builtin("DOLLAR", "VV", min_args=1)
def DOLLAR(v: Any, decimals: Any = MISSING) -> str:
    d = 2 if decimals is MISSING else to_int(decimals)
    x = to_number(v)
    r = _round(abs(x), float(d), ROUND_HALF_UP)
    body = f"${r:,.{max(d, 0)}f}"
    return f"({body})" if x < 0 and r != 0 else body


@builtin("FIXED", "VVV", min_args=1)
def FIXED(v: Any, decimals: Any = MISSING, no_commas: Any = MISSING) -> str:
    d = 2 if decimals is MISSING else to_int(decimals)
    commas = not (no_commas is not MISSING and to_bool(no_commas))
    return _format_fixed(to_number(v), d, commas)


# --- dates and times ----------------------------------------------------------------------


@builtin("DATE", "VVV")
def DATE(y: Any, m: Any, d: Any) -> float:
    return date_serial(to_int(y), to_int(m), to_int(d))


def _ymd(v: Any) -> tuple[int, int, int]:
    """(year, month, day) of a date serial; 0 is 0 Jan 1900 and 60 is 29 Feb 1900, as in Excel."""
    x = to_number(v)
    if x < 0 or x > 2958465.99999999:
        raise ErrorResult(NUM)
    n = int(x)
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
    t = to_text(s)
    m = _TIME_TEXT.match(t.strip())
    if not m:
        raise ErrorResult(VALUE)
    n = text_to_number(t)
    if n is None:
        raise ErrorResult(VALUE)
    return n % 1.0


@builtin("DATEVALUE", "V")
def DATEVALUE(s: Any) -> float:
    t = to_text(s).strip()
    if not (_ISO_DATE.match(t) or _US_DATE.match(t)):
        raise ErrorResult(VALUE)
    n = text_to_number(t)
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
    a = _date_parts(start)
    m = a.month - 1 + to_int(months)
    y, m = a.year + m // 12, m % 12 + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return date_serial(y, m, min(a.day, last))


@builtin("EOMONTH", "VV")
def EOMONTH(start: Any, months: Any) -> float:
    a = _date_parts(start)
    m = a.month - 1 + to_int(months)
    y, m = a.year + m // 12, m % 12 + 1
    return date_serial(y, m + 1, 1) - 1


# --- financial ----------------------------------------------------------------------------


def _opt(v: Any, default: float) -> float:
    return default if v is MISSING else to_number(v)


@builtin("FV", "VVVVV", min_args=3)
def FV(rate: Any, nper: Any, pmt: Any, pv: Any = MISSING, when: Any = MISSING) -> float:
    r, n, p, v, w = (
        to_number(rate),
        to_number(nper),
        to_number(pmt),
        _opt(pv, 0.0),
        _opt(when, 0.0),
    )
    if r == 0:
        return -(v + p * n)
    f = (1 + r) ** n
    return check(-(v * f + p * (1 + r * (w != 0)) * (f - 1) / r))


@builtin("PV", "VVVVV", min_args=3)
def PV(rate: Any, nper: Any, pmt: Any, fv: Any = MISSING, when: Any = MISSING) -> float:
    r, n, p, f_, w = (
        to_number(rate),
        to_number(nper),
        to_number(pmt),
        _opt(fv, 0.0),
        _opt(when, 0.0),
    )
    if r == 0:
        return -(f_ + p * n)
    f = (1 + r) ** n
    return check(-(f_ + p * (1 + r * (w != 0)) * (f - 1) / r) / f)


@builtin("PMT", "VVVVV", min_args=3)
def PMT(rate: Any, nper: Any, pv: Any, fv: Any = MISSING, when: Any = MISSING) -> float:
    r, n, v, f_, w = (
        to_number(rate),
        to_number(nper),
        to_number(pv),
        _opt(fv, 0.0),
        _opt(when, 0.0),
    )
    if n == 0:
        raise ErrorResult(NUM)
    if r == 0:
        return -(v + f_) / n
    f = (1 + r) ** n
    return check(-(v * f + f_) * r / ((1 + r * (w != 0)) * (f - 1)))


@builtin("NPER", "VVVVV", min_args=3)
def NPER(rate: Any, pmt: Any, pv: Any, fv: Any = MISSING, when: Any = MISSING) -> float:
    r, p, v, f_, w = (
        to_number(rate),
        to_number(pmt),
        to_number(pv),
        _opt(fv, 0.0),
        _opt(when, 0.0),
    )
    if r == 0:
        if p == 0:
            raise ErrorResult(NUM)
        return -(v + f_) / p
    q = p * (1 + r * (w != 0)) / r
    num, den = q - f_, v + q
    if den == 0 or num / den <= 0:
        raise ErrorResult(NUM)
    return check(math.log(num / den) / math.log(1 + r))


@builtin("NPV", "VR", repeat=1, min_args=2)
def NPV(rate: Any, *values: Any) -> float:
    r = to_number(rate)
    nums = numbers(values)
    if r == -1:
        raise ErrorResult(DIV0)
    return check(sum(v / (1 + r) ** (i + 1) for i, v in enumerate(nums)))


@builtin("IRR", "RV", min_args=1)
def IRR(values: Any, guess: Any = MISSING) -> float:
    nums = numbers((values,)) if isinstance(values, AREAS) else [to_number(values)]
    r = _opt(guess, 0.1)
    for _ in range(100):
        f = sum(v / (1 + r) ** i for i, v in enumerate(nums))
        d = sum(-i * v / (1 + r) ** (i + 1) for i, v in enumerate(nums))
        if d == 0:
            break
        step = f / d
        r -= step
        if abs(step) < 1e-12:
            return r
    raise ErrorResult(NUM)


@builtin("RATE", "VVVVVV", min_args=3)
def RATE(
    nper: Any, pmt: Any, pv: Any, fv: Any = MISSING, when: Any = MISSING, guess: Any = MISSING
) -> float:
    n, p, v, f_, w = (
        to_number(nper),
        to_number(pmt),
        to_number(pv),
        _opt(fv, 0.0),
        _opt(when, 0.0),
    )
    r = _opt(guess, 0.1)

    def g(rate: float) -> float:
        if abs(rate) < 1e-12:
            return v + p * n + f_
        f = (1 + rate) ** n
        return v * f + p * (1 + rate * (w != 0)) * (f - 1) / rate + f_

    for _ in range(100):
        h = 1e-7 * max(1.0, abs(r))
        d = (g(r + h) - g(r - h)) / (2 * h)
        if d == 0:
            break
        step = g(r) / d
        r -= step
        if abs(step) < 1e-12:
            return r
    raise ErrorResult(NUM)


@builtin("POISSON POISSON.DIST", "VVV")
def POISSON(x: Any, mean: Any, cumulative: Any) -> float:
    k, m = int(to_number(x)), to_number(mean)
    if k < 0 or m < 0:
        raise ErrorResult(NUM)

    def pmf(i: int) -> float:
        return math.exp(-m + i * math.log(m) - math.lgamma(i + 1)) if m > 0 else float(i == 0)

    if to_bool(cumulative):
        return sum(pmf(i) for i in range(k + 1))
    return pmf(k)


# --- lookup and reference -----------------------------------------------------------------


def _scalar(v: Any) -> Any:
    if isinstance(v, GRID):
        if v.size != 1:
            raise ErrorResult(VALUE)
        return v.cell(0, 0)
    return v


def _vector(a: Any) -> list[Any]:
    """A one-row or one-column range/array as its values."""
    if not isinstance(a, GRID):
        return [a]
    r, c = a.shape
    if r != 1 and c != 1:
        raise ErrorResult(NA)
    return list(a.values())


def _lookup_equal(x: Any) -> Callable[[Any], bool]:
    if x.__class__ is str:
        if has_wildcards(x):
            rx = wildcard_regex(x)
            return lambda v: v.__class__ is str and bool(rx.fullmatch(v))
        low = x.lower()
        return lambda v: v.__class__ is str and v.lower() == low
    cls = x.__class__
    return lambda v: v.__class__ is cls and v == x


def _same_kind(x: Any, v: Any) -> bool:
    return v.__class__ is x.__class__ or (x.__class__ is float and v.__class__ is int)


class _Flip:
    """A value whose order is reversed (descending lookups reuse the ascending search)."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v


def _lookup_cmp(x: Any, v: Any) -> int | None:
    """x compared with a lookup cell: -1, 0, 1, or None when their types differ."""
    if x.__class__ is _Flip:
        c = _lookup_cmp(x.v, v.v)
        return None if c is None else -c
    if v is EMPTY or v.__class__ is XlError or not _same_kind(x, v):
        return None
    return compare(x, v)


def _approx_ascending(values: list[Any], x: Any, descending: bool = False) -> int:
    """Excel's approximate match (data assumed ascending): the last value ≤ x, found by
    Excel's binary search (so unsorted data gives Excel's answer), or -1. With
    ``descending`` (MATCH type -1): the last value ≥ x in descending data."""
    if descending:
        return _approx_ascending([_Flip(v) for v in values], _Flip(x))
    low, high = -1, len(values)
    while True:
        if high - low < 2:
            return low
        mid = low + (high - low) // 2
        c = _lookup_cmp(x, values[mid])
        if c is None:  # step over cells of another type
            new = mid
            while True:
                new += 1
                if new == high:
                    high = mid
                    break
                c = _lookup_cmp(x, values[new])
                if c is not None and c < 0 and new == high - 1:
                    high = mid
                    break
                if c is None:
                    continue
                if c == 0:
                    mid = new
                    break
                if c < 0:
                    high = new
                else:
                    low = new
                c = None
                break
            if c is None:
                continue
        if c == 0:
            i = mid
            while i + 1 < high and _lookup_cmp(x, values[i + 1]) == 0:
                i += 1
            return i
        if c < 0:
            high = mid
        else:
            low = mid


def _match_index(x: Any, values: list[Any], mode: int) -> int:
    """0-based position of x in values by MATCH type (1, 0, -1); -1 when not found."""
    if x is EMPTY or x is MISSING:
        x = 0.0
    if mode == 0:
        eq = _lookup_equal(x)
        return next((i for i, v in enumerate(values) if eq(v)), -1)
    if mode > 0:
        return _approx_ascending(values, x)
    return _approx_ascending(values, x, descending=True)


@builtin("MATCH", "VRV", min_args=2)
def MATCH(x: Any, arr: Any, kind: Any = MISSING) -> float:
    mode = 1 if kind is MISSING else to_int(kind)
    mode = 1 if mode > 0 else (-1 if mode < 0 else 0)
    i = _match_index(x, _vector(arr), mode)
    if i < 0:
        raise ErrorResult(NA)
    return float(i + 1)


def _table_lookup(x: Any, table: Any, index: Any, approx: Any, vertical: bool) -> Any:
    if not isinstance(table, GRID):
        raise ErrorResult(VALUE if table.__class__ is not XlError else table)
    k = to_int(index)
    rows, cols = table.shape
    if k < 1:
        raise ErrorResult(VALUE)
    if k > (cols if vertical else rows):
        raise ErrorResult(REF)
    approximate = True if approx is MISSING else to_bool(approx)
    if vertical:
        keys = [table.cell(i, 0) for i in range(rows)]
    else:
        keys = [table.cell(0, j) for j in range(cols)]
    i = _match_index(x, keys, 1 if approximate else 0)
    if i < 0:
        raise ErrorResult(NA)
    v = table.cell(i, k - 1) if vertical else table.cell(k - 1, i)
    return v


@builtin("VLOOKUP", "VRVV", min_args=3)
def VLOOKUP(x: Any, table: Any, col: Any, approx: Any = MISSING) -> Any:
    return _table_lookup(x, table, col, approx, True)


@builtin("HLOOKUP", "VRVV", min_args=3)
def HLOOKUP(x: Any, table: Any, row: Any, approx: Any = MISSING) -> Any:
    return _table_lookup(x, table, row, approx, False)


@builtin("LOOKUP", "VAA", min_args=2)
def LOOKUP(x: Any, lookup: Any, result: Any = MISSING) -> Any:
    if result is MISSING:
        if not isinstance(lookup, GRID):
            raise ErrorResult(NA)
        rows, cols = lookup.shape
        if cols > rows:
            keys = [lookup.cell(0, j) for j in range(cols)]
            out = [lookup.cell(rows - 1, j) for j in range(cols)]
        else:
            keys = [lookup.cell(i, 0) for i in range(rows)]
            out = [lookup.cell(i, cols - 1) for i in range(rows)]
    else:
        keys, out = _vector(lookup), _vector(result)
    i = _approx_ascending(keys, x)
    if i < 0:
        raise ErrorResult(NA)
    if i >= len(out):
        raise ErrorResult(NA)
    return out[i]


@builtin("INDEX", "AVVV", min_args=2, lift=False)
def INDEX(arr: Any, row: Any, col: Any = MISSING, area: Any = MISSING) -> Any:
    if isinstance(arr, Multi):
        n = 1 if area is MISSING else to_int(area)
        if not 1 <= n <= len(arr.areas):
            raise ErrorResult(REF)
        arr = arr.areas[n - 1]
    elif area is not MISSING and to_int(area) != 1:
        raise ErrorResult(REF)
    if not isinstance(arr, GRID):
        arr = Array([[arr]])
    rows, cols = arr.shape
    r = 0 if row is MISSING else to_int(row)
    c = 0 if col is MISSING else to_int(col)
    if col is MISSING and rows == 1 and cols > 1:
        r, c = 0, r  # INDEX(row_range, n): n counts columns
        if c < 0 or c > cols:
            raise ErrorResult(REF)
        return _index_part(arr, 0, c)
    if r < 0 or c < 0 or r > rows or c > cols:
        raise ErrorResult(REF)
    if col is MISSING and cols > 1 and r > 0:
        return _index_part(arr, r, 0)
    return _index_part(arr, r, c)


def _index_part(arr: Any, r: int, c: int) -> Any:
    rows, cols = arr.shape
    i1, i2 = (r - 1, r - 1) if r else (0, rows - 1)
    j1, j2 = (c - 1, c - 1) if c else (0, cols - 1)
    if isinstance(arr, Range):
        return arr.sub(i1, j1, i2, j2)
    data = [row[j1 : j2 + 1] for row in arr.rows()[i1 : i2 + 1]]
    if len(data) == 1 and len(data[0]) == 1:
        return data[0][0]
    return Array(data)


@builtin("XLOOKUP", "VAAVVV", min_args=3, lift=False)
def XLOOKUP(
    x: Any,
    lookup: Any,
    result: Any,
    if_not_found: Any = MISSING,
    match_mode: Any = MISSING,
    search_mode: Any = MISSING,
) -> Any:
    if isinstance(x, GRID):
        raise Unsupported("XLOOKUP with several lookup values")
    if x.__class__ is XlError:
        return x
    mode = 0 if match_mode is MISSING else to_int(match_mode)
    search = 1 if search_mode is MISSING else to_int(search_mode)
    if mode not in (0, -1, 1, 2) or search not in (1, -1, 2, -2):
        raise ErrorResult(VALUE)
    if not isinstance(lookup, GRID) or not isinstance(result, GRID):
        raise ErrorResult(VALUE)
    lr, lc = lookup.shape
    if lr != 1 and lc != 1:
        raise ErrorResult(VALUE)
    vertical = lc == 1 and not (lr == 1 and result.shape[0] == 1 and result.shape[1] > 1)
    keys = list(lookup.values())
    rr, rc = result.shape
    if (vertical and rr != len(keys)) or (not vertical and rc != len(keys)):
        raise ErrorResult(VALUE)
    if x is EMPTY or x is MISSING:
        x = 0.0
    order = range(len(keys)) if search > 0 else range(len(keys) - 1, -1, -1)
    found = -1
    if mode in (0, 2):
        if mode == 2 and x.__class__ is str:
            rx = wildcard_regex(x)
            eq: Callable[[Any], bool] = lambda v: v.__class__ is str and bool(rx.fullmatch(v))  # noqa: E731
        elif x.__class__ is str:
            low = x.lower()
            eq = lambda v: v.__class__ is str and v.lower() == low  # noqa: E731
        else:
            cls = x.__class__
            eq = lambda v: v.__class__ is cls and v == x  # noqa: E731
        found = next((i for i in order if eq(keys[i])), -1)
    else:
        best = None
        for i in order:
            v = keys[i]
            if v.__class__ is XlError or not _same_kind(x, v):
                continue
            c = compare(v, x)
            if c == 0:
                found, best = i, None
                break
            closer = best is None or compare(v, best) == (1 if mode == -1 else -1)
            if ((mode == -1 and c < 0) or (mode == 1 and c > 0)) and closer:
                best, found = v, i
    if found < 0:
        if if_not_found is MISSING:
            raise ErrorResult(NA)
        return if_not_found
    if vertical:
        part = result.sub(found, 0, found, rc - 1) if isinstance(result, Range) else None
        if part is None:
            row = result.rows()[found]
            return row[0] if rc == 1 else Array([row])
        return part
    if isinstance(result, Range):
        return result.sub(0, found, rr - 1, found)
    col = [[row[found]] for row in result.rows()]
    return col[0][0] if rr == 1 else Array(col)


@builtin("ROW", "R", min_args=0, lift=False, needs_ctx=True)
def ROW(ctx: Any, ref: Any = MISSING) -> Any:
    if ref is MISSING:
        return float(ctx.row)
    if not isinstance(ref, Range):
        raise ErrorResult(VALUE)
    if ref.shape[0] == 1:
        return float(ref.r1)
    return Array([[float(r)] for r in range(ref.r1, ref.r2 + 1)])


@builtin("COLUMN", "R", min_args=0, lift=False, needs_ctx=True)
def COLUMN(ctx: Any, ref: Any = MISSING) -> Any:
    if ref is MISSING:
        return float(ctx.col)
    if not isinstance(ref, Range):
        raise ErrorResult(VALUE)
    if ref.shape[1] == 1:
        return float(ref.c1)
    return Array([[float(c) for c in range(ref.c1, ref.c2 + 1)]])


@builtin("ROWS", "A", lift=False)
def ROWS(a: Any) -> float:
    if isinstance(a, Multi):
        raise ErrorResult(REF)
    return float(shape_of(a)[0])


@builtin("COLUMNS", "A", lift=False)
def COLUMNS(a: Any) -> float:
    if isinstance(a, Multi):
        raise ErrorResult(REF)
    return float(shape_of(a)[1])


@builtin("ADDRESS", "VVVVV", min_args=2)
def ADDRESS(
    row: Any, col: Any, abs_num: Any = MISSING, a1: Any = MISSING, sheet: Any = MISSING
) -> str:
    r, c = to_int(row), to_int(col)
    k = 1 if abs_num is MISSING else to_int(abs_num)
    if r < 1 or c < 1 or k not in (1, 2, 3, 4):
        raise ErrorResult(VALUE)
    if a1 is not MISSING and not to_bool(a1):
        rs = f"R{r}" if k in (1, 2) else f"R[{r}]"
        cs = f"C{c}" if k in (1, 3) else f"C[{c}]"
        out = rs + cs
    else:
        out = ("$" if k in (1, 3) else "") + col_letters(c) + ("$" if k in (1, 2) else "") + str(r)
    if sheet is not MISSING:
        s = to_text(sheet)
        if re.search(r"[^A-Za-z0-9_.\[\]]", s):
            s = "'" + s.replace("'", "''") + "'"
        out = f"{s}!{out}"
    return out


@builtin("HYPERLINK", "VV", min_args=1)
def HYPERLINK(link: Any, name: Any = MISSING) -> Any:
    return link if name is MISSING else name
