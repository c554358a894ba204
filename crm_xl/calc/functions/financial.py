"""Excel's financial functions: the time value of money (FV, PV, PMT, NPER, RATE) and cash
flows (NPV, IRR).

Example::

    >>> round(PMT(0.01, 12.0, 1000.0), 6), FV(0.0, 10.0, -100.0)
    (-88.848789, 1000.0)
"""

from __future__ import annotations

import math
from typing import Any

from crm_xl.calc.conversions import check, numbers, to_number
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import DIV0, MISSING, NUM, ErrorResult, Unsupported


def _opt(v: Any, default: float) -> float:
    return default if v is MISSING else to_number(v)


def _rate(v: Any, name: str) -> float:
    """A rate argument: above −1, or the cell is not evaluated (Excel's answers at and
    below −1 follow no rule crm_xl can reproduce: #NUM!, #DIV/0! or a number)."""
    r = to_number(v)
    if r <= -1:
        raise Unsupported(
            f"{name} with a rate of −1 or less is not evaluated by crm-xl recalc", name
        )
    return r


@builtin("FV", "VVVVV", min_args=3)
def FV(rate: Any, nper: Any, pmt: Any, pv: Any = MISSING, when: Any = MISSING) -> float:
    r, n, p, v, w = (
        _rate(rate, "FV"),
        to_number(nper),
        to_number(pmt),
        _opt(pv, 0.0),
        _opt(when, 0.0),
    )
    if r == 0:
        return -(v + p * n)
    f = (1 + r) ** n
    # in this order Excel's own rounding comes out (FormulaEvalTestData's FV(2.95,13,...))
    return check(-v * f - p * (1 + r * (w != 0)) * ((f - 1) / r))


@builtin("PV", "VVVVV", min_args=3)
def PV(rate: Any, nper: Any, pmt: Any, fv: Any = MISSING, when: Any = MISSING) -> float:
    r, n, p, f_, w = (
        _rate(rate, "PV"),
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
        _rate(rate, "PMT"),
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
        _rate(rate, "NPER"),
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
    nums = numbers((values,))
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
            if r <= -1:
                raise Unsupported("RATE found a rate of −1 or less: not evaluated", "RATE")
            return r
    raise ErrorResult(NUM)


@builtin("MIRR", "RVV")
def MIRR(values: Any, finance_rate: Any, reinvest_rate: Any) -> float:
    """The modified internal rate of return: negative flows discounted at ``finance_rate``,
    positive ones compounded at ``reinvest_rate``; no flow of either sign is #DIV/0!.

    Microsoft's example: −120,000 then 39,000, 30,000, 21,000, 37,000, 46,000 at 10 % and
    12 % is 12.61 %::

        >>> from crm_xl.calc.values import Array
        >>> flows = Array([[-120000.0, 39000.0, 30000.0, 21000.0, 37000.0, 46000.0]])
        >>> round(MIRR(flows, 0.1, 0.12), 6)
        0.126094
    """
    nums = numbers((values,))
    f, r = to_number(finance_rate), to_number(reinvest_rate)
    n = len(nums)
    if f == -1 or r == -1:
        raise ErrorResult(DIV0)
    pos = sum(v / (1 + r) ** i for i, v in enumerate(nums) if v > 0)
    neg = sum(v / (1 + f) ** i for i, v in enumerate(nums) if v < 0)
    if pos == 0 or neg == 0 or n < 2:
        raise ErrorResult(DIV0)
    ratio = -pos * (1 + r) ** (n - 1) / neg
    if ratio < 0:
        raise ErrorResult(NUM)
    return check(ratio ** (1 / (n - 1)) - 1)
