"""Excel's statistical functions: averages, counts, minimum and maximum, spread (VAR,
STDEV...), order statistics (MEDIAN, LARGE, RANK, PERCENTILE...) and the Poisson
distribution. Counting and averaging by criteria is in :mod:`crm_xl.calc.functions.criteria`.

Each function is the worksheet function of its name (and the aliases it is registered
under), computed with Excel's rules: in ranges only numbers count (the *A functions count
text as 0 and booleans as 0 or 1), direct arguments are converted.

Example::

    >>> from crm_xl.calc.values import Array
    >>> MEDIAN(Array([[3.0, 1.0, 2.0, 10.0]])), STDEV(2.0, 4.0)
    (2.5, 1.4142135623730951)
"""

from __future__ import annotations

import math
from typing import Any

from crm_xl.calc.conversions import check, numbers, text_to_number, to_bool, to_number
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import (
    AREAS,
    DIV0,
    EMPTY,
    MISSING,
    NA,
    NUM,
    VALUE,
    ErrorResult,
    Range,
    XlError,
    flat_values,
    stored_values,
)


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
            n += sum(1 for v in stored_values(a) if v.__class__ is float)
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
            n += sum(1 for v in stored_values(a) if v is not EMPTY)
        else:
            n += 1
    return float(n)


@builtin("COUNTBLANK", "R")
def COUNTBLANK(a: Any) -> float:
    """Blank cells and cells showing "" (``COUNTBLANK(M:M)``: the cells past the sheet's
    used rows are counted, not read)."""
    if isinstance(a, Range):
        part = a.used()
        if part is None:
            return float(a.size)
        return float(a.size - part.size + sum(1 for v in part.values() if v is EMPTY or v == ""))
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


def _deviations(args: tuple[Any, ...]) -> list[float]:
    """Each number's difference from their mean; no numbers at all is #NUM!."""
    nums = numbers(args)
    if not nums:
        raise ErrorResult(NUM)
    mean = sum(nums) / len(nums)
    return [x - mean for x in nums]


@builtin("DEVSQ", "R", repeat=1, min_args=1)
def DEVSQ(*args: Any) -> float:
    return sum(d**2 for d in _deviations(args))


@builtin("AVEDEV", "R", repeat=1, min_args=1)
def AVEDEV(*args: Any) -> float:
    devs = _deviations(args)
    return sum(abs(d) for d in devs) / len(devs)


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
        for v in stored_values(a) if many else flat_values(a):
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
    nums = numbers((a,))
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
    nums = sorted(numbers((a,)))
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


def _percentile_exc(a: Any, k: float) -> float:
    """The k-th percentile with k strictly between 0 and 1, at rank k*(n+1) (Excel's
    PERCENTILE.EXC: a rank below 1 or above n is #NUM!)."""
    nums = sorted(numbers((a,)))
    n = len(nums)
    pos = k * (n + 1)
    if not nums or not 0 < k < 1 or pos < 1 or pos > n:
        raise ErrorResult(NUM)
    lo = math.floor(pos)
    if lo >= n:
        return nums[-1]
    return nums[lo - 1] + (pos - lo) * (nums[lo] - nums[lo - 1])


@builtin("PERCENTILE.EXC", "RV")
def PERCENTILE_EXC(a: Any, k: Any) -> float:
    return _percentile_exc(a, to_number(k))


@builtin("QUARTILE.EXC", "RV")
def QUARTILE_EXC(a: Any, q: Any) -> float:
    n = math.floor(to_number(q))
    if not 1 <= n <= 3:
        raise ErrorResult(NUM)
    return _percentile_exc(a, n / 4)


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
