"""Excel's criteria (``COUNTIF(A1:A9, ">=5")``, ``"b*"``...) and the functions that count,
add, average or take the extremes of cells that meet them: COUNTIF(S), SUMIF(S),
AVERAGEIF(S), MAXIFS, MINIFS. Excel's wildcards (``*``, ``?``, ``~``) are also what lookups
and SEARCH match with.

Example::

    >>> from crm_xl.calc.values import Array
    >>> COUNTIF(Array([[1.0, 5.0, "5", "x"]]), ">=5"), COUNTIF(Array([["apple", "banana"]]), "b*")
    (1.0, 1.0)
    >>> criterion("<>apple")("Apple"), wildcard_regex("a~*b").fullmatch("a*b") is not None
    (False, True)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crm_xl.calc.conversions import compare, equal15, text_to_number, to_text
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    DIV0,
    EMPTY,
    ERRORS,
    GRID,
    MISSING,
    VALUE,
    Array,
    ErrorResult,
    Range,
    XlError,
    check_size,
)

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
    """Whether text holds one of Excel's wildcard characters (``*``, ``?``, ``~``)."""
    return any(c in s for c in "*?~")


def _never(v: Any) -> bool:
    return False


def criterion(crit: Any) -> Callable[[Any], bool]:
    """A COUNTIF-style criterion as a test of one cell value, with Excel's rules: a number
    also matches text that reads as that number (for = only); ``<>5`` matches every cell
    that is not the number 5 — text, logical values, errors and blank cells too; text
    criteria never match numbers, even with wildcards; a blank cell matches only ``<>x``,
    ``""`` and ``"="``; a criterion that is a blank cell (or omitted) is 0 ("If the
    criteria argument is a reference to an empty cell, the COUNTIFS function treats the
    empty cell as a 0 value", Microsoft's COUNTIFS page): it matches the number 0 only."""
    if crit is EMPTY or crit is MISSING:
        crit = 0.0
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
            return op == "<>"  # text (even "TRUE"), numbers, errors, blanks: "not TRUE"

        return match_bool
    if crit.__class__ is float:
        x = crit
        on_number = _number_test(op or "=", x)

        def match_number(v: Any) -> bool:
            cls = v.__class__
            if cls is float:
                return on_number(v)
            if cls is str:
                if op == "<>":
                    return True
                return op in ("", "=") and text_to_number(v) == x
            return op == "<>"  # a logical value, an error, a blank cell: "not 5"

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


def _number_test(op: str, x: float) -> Callable[[float], bool]:
    """``v op x`` for numbers, equal to Excel's 15 significant digits (one test per cell
    of the range: numbers further apart than 2E-14 of x are decided at once)."""
    tol = abs(x) * 2e-14

    def eq(v: float) -> bool:
        return v == x or (abs(v - x) <= tol and equal15(v, x))

    tests: dict[str, Callable[[float], bool]] = {
        "=": eq,
        "<>": lambda v: not eq(v),
        "<": lambda v: v < x and not eq(v),
        ">": lambda v: v > x and not eq(v),
        "<=": lambda v: v <= x or eq(v),
        ">=": lambda v: v >= x or eq(v),
    }
    return tests[op]


_CMP_OK: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
}


def _cmp_ok(op: str, c: int) -> bool:
    return _CMP_OK[op](c)


def _used_box(grids: list[Any], shape: tuple[int, int]) -> tuple[int, int]:
    """How many rows and columns from the top left of same-shaped ``grids`` may hold
    anything: past them every grid is blank (a whole column past the sheet's used rows)."""
    h = w = 0
    for g in grids:
        if not isinstance(g, Range):
            return shape
        part = g.used()
        if part is not None:
            h, w = max(h, part.r2 - g.r1 + 1), max(w, part.c2 - g.c1 + 1)
    return min(h, shape[0]), min(w, shape[1])


def _box_values(g: Any, box: tuple[int, int]) -> list[Any]:
    """The values of the top-left ``box`` of a grid, row after row."""
    h, w = box
    if h == 0 or w == 0:
        return []
    check_size(h * w)
    if isinstance(g, Range):  # within the used cells (the box): read them directly
        get = g.sheet.get
        if w == 1:
            c = g.c1
            return [get(r, c) for r in range(g.r1, g.r1 + h)]
        cols = range(g.c1, g.c1 + w)
        return [get(r, c) for r in range(g.r1, g.r1 + h) for c in cols]
    return list(g.values())


class _Mask:
    """Which cells of same-shaped ranges meet their criteria: ``hits`` for the cells of
    the top-left ``box`` (row after row), ``blank_hits`` how many cells past it (blank in
    every range) meet them all."""

    __slots__ = ("blank_hits", "box", "hits", "shape")

    def __init__(self, shape: tuple[int, int], box: tuple[int, int], hits: list[bool], blank: int):
        self.shape, self.box, self.hits, self.blank_hits = shape, box, hits, blank

    def count(self) -> float:
        """The number of cells that meet every criterion."""
        return float(sum(self.hits) + self.blank_hits)


def _criteria_mask(pairs: list[tuple[Any, Any]], targets: tuple[Any, ...] = ()) -> _Mask:
    """The cells of the (range, criterion) pairs that meet every criterion; ranges of
    different shapes are #VALUE!. ``targets`` (the ranges summed or averaged, of the same
    shape) only widen the part read: ``COUNTIF(C:C, "")`` counts the blank cells past the
    used rows without reading them."""
    shape = None
    for rng, _ in pairs:
        if not isinstance(rng, GRID):
            raise ErrorResult(VALUE)
        if shape is None:
            shape = rng.shape
        elif rng.shape != shape:
            raise ErrorResult(VALUE)
    assert shape is not None
    box = _used_box([r for r, _ in pairs] + list(targets), shape)
    hits: list[bool] | None = None
    blank_ok = True
    for rng, crit in pairs:
        test = criterion(crit)
        got = [test(v) for v in _box_values(rng, box)]
        hits = got if hits is None else [a and b for a, b in zip(hits, got, strict=True)]
        blank_ok = blank_ok and test(EMPTY)
    assert hits is not None
    outside = shape[0] * shape[1] - box[0] * box[1]
    return _Mask(shape, box, hits, outside if blank_ok else 0)


def _sum_target(target: Any, shape: tuple[int, int]) -> Any:
    """SUMIF's sum range: it takes the criteria range's shape from its own first cell."""
    if isinstance(target, Range):
        return target.sub(0, 0, shape[0] - 1, shape[1] - 1)
    if not isinstance(target, Array) or target.shape != shape:
        raise ErrorResult(VALUE)
    return target


def _ifs_pairs(args: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    """An *IFS function's (range, criterion) pairs; a range without its criterion is #VALUE!."""
    if len(args) % 2:
        raise ErrorResult(VALUE)
    return list(zip(args[::2], args[1::2], strict=True))


def _masked_numbers(target: Any, mask: _Mask) -> list[float]:
    """The numbers of ``target`` where the mask holds (blank cells past it add none)."""
    out = []
    for v, m in zip(_box_values(target, mask.box), mask.hits, strict=True):
        if m:
            if v.__class__ is float:
                out.append(v)
            elif v.__class__ is XlError:
                raise ErrorResult(v)
    return out


def _if_numbers(rng: Any, crit: Any, target: Any) -> list[float]:
    """SUMIF's and AVERAGEIF's numbers: those of ``target`` (else ``rng``) where ``rng``
    meets ``crit``."""
    if not isinstance(rng, GRID):
        raise ErrorResult(VALUE)
    cells = rng if target is MISSING else _sum_target(target, rng.shape)
    mask = _criteria_mask([(rng, crit)], (cells,))
    return _masked_numbers(cells, mask)


def _ifs_numbers(target: Any, args: tuple[Any, ...]) -> list[float]:
    """The numbers of ``target`` where the *IFS criteria pairs all hold; ``target`` must
    have the criteria ranges' shape."""
    pairs = _ifs_pairs(args)
    if not isinstance(target, GRID):
        raise ErrorResult(VALUE)
    mask = _criteria_mask(pairs, (target,))
    if target.shape != mask.shape:
        raise ErrorResult(VALUE)
    return _masked_numbers(target, mask)


def _average(nums: list[float]) -> float:
    if not nums:
        raise ErrorResult(DIV0)
    return sum(nums) / len(nums)


@builtin("COUNTIF", "RV", errors=True)
def COUNTIF(rng: Any, crit: Any) -> float:
    return _criteria_mask([(rng, crit)]).count()


@builtin("COUNTIFS", "RV", repeat=2, min_args=2, errors=True)
def COUNTIFS(*args: Any) -> float:
    return _criteria_mask(_ifs_pairs(args)).count()


@builtin("SUMIF", "RVR", min_args=2, errors=True)
def SUMIF(rng: Any, crit: Any, sum_range: Any = MISSING) -> float:
    return sum(_if_numbers(rng, crit, sum_range))


@builtin("SUMIFS", "RRV", repeat=2, min_args=3, errors=True)
def SUMIFS(sum_range: Any, *args: Any) -> float:
    return sum(_ifs_numbers(sum_range, args))


@builtin("AVERAGEIF", "RVR", min_args=2, errors=True)
def AVERAGEIF(rng: Any, crit: Any, avg_range: Any = MISSING) -> float:
    return _average(_if_numbers(rng, crit, avg_range))


@builtin("AVERAGEIFS", "RRV", repeat=2, min_args=3, errors=True)
def AVERAGEIFS(avg_range: Any, *args: Any) -> float:
    return _average(_ifs_numbers(avg_range, args))


@builtin("MAXIFS", "RRV", repeat=2, min_args=3, errors=True)
def MAXIFS(rng: Any, *args: Any) -> float:
    nums = _ifs_numbers(rng, args)
    return max(nums) if nums else 0.0


@builtin("MINIFS", "RRV", repeat=2, min_args=3, errors=True)
def MINIFS(rng: Any, *args: Any) -> float:
    nums = _ifs_numbers(rng, args)
    return min(nums) if nums else 0.0
