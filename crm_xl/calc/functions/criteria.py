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

from crm_xl.calc.conversions import compare, text_to_number, to_text
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


def _ifs_mask(args: tuple[Any, ...]) -> tuple[tuple[int, int], list[bool]]:
    """The cells that meet every (range, criterion) pair of an *IFS function's arguments;
    a range without its criterion is #VALUE!."""
    if len(args) % 2:
        raise ErrorResult(VALUE)
    return _criteria_mask(list(zip(args[::2], args[1::2], strict=True)))


def _masked_numbers(values: list[Any], mask: list[bool]) -> list[float]:
    out = []
    for v, m in zip(values, mask, strict=True):
        if m:
            if v.__class__ is float:
                out.append(v)
            elif v.__class__ is XlError:
                raise ErrorResult(v)
    return out


def _if_numbers(rng: Any, crit: Any, target: Any) -> list[float]:
    """SUMIF's and AVERAGEIF's numbers: those of ``target`` (else ``rng``) where ``rng``
    meets ``crit``."""
    shape, mask = _criteria_mask([(rng, crit)])
    return _masked_numbers(_sum_cells(rng if target is MISSING else target, shape), mask)


def _ifs_numbers(target: Any, args: tuple[Any, ...]) -> list[float]:
    """The numbers of ``target`` where the *IFS criteria pairs all hold; ``target`` must
    have the criteria ranges' shape."""
    shape, mask = _ifs_mask(args)
    if not isinstance(target, GRID) or target.shape != shape:
        raise ErrorResult(VALUE)
    return _masked_numbers(list(target.values()), mask)


def _average(nums: list[float]) -> float:
    if not nums:
        raise ErrorResult(DIV0)
    return sum(nums) / len(nums)


@builtin("COUNTIF", "RV", errors=True)
def COUNTIF(rng: Any, crit: Any) -> float:
    _, mask = _criteria_mask([(rng, crit)])
    return float(sum(mask))


@builtin("COUNTIFS", "RV", repeat=2, min_args=2, errors=True)
def COUNTIFS(*args: Any) -> float:
    _, mask = _ifs_mask(args)
    return float(sum(mask))


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
