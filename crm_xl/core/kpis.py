"""Customer KPIs (docs/domain.md, "KPI definitions"), vectorised over whole columns.

Every function takes scalars, lists, numpy arrays or pandas Series (broadcast together) and
returns a :class:`~crm_xl.core.result.Result`: rates are in percent (5.0 means 5 %), and an
element that has no value (zero denominator, inconsistent data, missing input) is NaN with a
reason — never a crash in the middle of a column, never a silent 0.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from crm_xl.core.inputs import as_numbers, new_reasons
from crm_xl.core.result import (
    DIV0,
    INCONSISTENT,
    INVALID,
    MISSING,
    NO_DATA,
    Result,
    Undefined,
    mark,
)


def _columns(names: tuple[str, ...], *args: Any) -> tuple[list[np.ndarray], np.ndarray, Any]:
    """Convert and broadcast the inputs; return (arrays, reasons, index)."""
    converted = [as_numbers(a, n) for a, n in zip(args, names, strict=True)]
    arrays = np.broadcast_arrays(*(c[0] for c in converted))
    shape = arrays[0].shape
    reasons = new_reasons(shape, *(c[1] for c in converted))
    index = next((c[2] for c in converted if c[2] is not None), None)
    for arr, n in zip(arrays, names, strict=True):
        mark(reasons, np.isnan(arr), Undefined(MISSING, f"{n} is blank"))
    return arrays, reasons, index


def _finish(values: np.ndarray, reasons: np.ndarray, name: str, index: Any) -> Result:
    values = np.where(np.equal(reasons, None), values, np.nan)
    return Result(values, reasons, name=name, index=index)


def churn_rate(lost: Any, start: Any) -> Result:
    """Churn rate 客户流失率 in percent: ``lost / customers at start × 100``.

    No value when ``start`` is 0 (division by zero), when an input is negative (invalid) or
    when more customers were lost than there were at the start (inconsistent data).

    Example::

        >>> churn_rate(5, 100).value
        5.0
        >>> churn_rate([5, 3], [100, 0]).reasons[1].code
        'div0'
    """
    (lost_a, start_a), reasons, index = _columns(("lost", "start"), lost, start)
    with np.errstate(divide="ignore", invalid="ignore"):
        mark(
            reasons,
            (lost_a < 0) | (start_a < 0),
            Undefined(INVALID, "lost and start must not be negative"),
        )
        mark(
            reasons,
            start_a == 0,
            Undefined(
                DIV0, "no customers at the start of the period (start = 0): churn rate has no value"
            ),
        )
        mark(
            reasons,
            lost_a > start_a,
            Undefined(INCONSISTENT, "more customers lost than there were at the start"),
        )
        values = lost_a / start_a * 100.0
    return _finish(values, reasons, "churn rate (%)", index)


def retention_rate(start: Any, end: Any, new: Any) -> Result:
    """Retention rate 客户保留率 in percent: ``(end − new) / start × 100``.

    ``start`` and ``end`` are the customers at the start and end of the period, ``new`` the
    customers won during it, so ``end − new`` is the customers kept. No value when an input
    is negative (invalid), when ``start`` is 0 (division by zero), when there are more new
    customers than customers at the end, or when more customers were kept than there were at
    the start (both inconsistent data).

    Example::

        >>> retention_rate(200, 210, 30).value      # (210 - 30) / 200 × 100
        90.0
        >>> retention_rate([200, 0], [210, 5], [30, 5]).reasons[1].code
        'div0'
    """
    (start_a, end_a, new_a), reasons, index = _columns(("start", "end", "new"), start, end, new)
    kept = end_a - new_a
    mark(
        reasons,
        (start_a < 0) | (end_a < 0) | (new_a < 0),
        Undefined(INVALID, "start, end and new must not be negative"),
    )
    mark(
        reasons,
        start_a == 0,
        Undefined(
            DIV0, "no customers at the start of the period (start = 0): retention rate has no value"
        ),
    )
    mark(
        reasons,
        kept < 0,
        Undefined(INCONSISTENT, "more new customers than customers at the end (new > end)"),
    )
    mark(
        reasons,
        kept > start_a,
        Undefined(
            INCONSISTENT,
            "more customers retained (end - new) than there were at the start",
        ),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        values = kept / start_a * 100.0
    return _finish(values, reasons, "retention rate (%)", index)


def clv(annual_revenue: Any, years: Any, cac: Any) -> Result:
    """Customer lifetime value, simple form: ``annual revenue × relationship years − CAC``.

    No value when ``years`` or ``cac`` is negative (invalid). A negative CLV is a value: the
    customer costs more to win than they bring in.

    Example::

        >>> clv(12_000, 3, 2_000).value
        34000.0
        >>> clv(500, 1, 2_000).value                # a loss-making customer
        -1500.0
    """
    (revenue_a, years_a, cac_a), reasons, index = _columns(
        ("annual revenue", "years", "CAC"), annual_revenue, years, cac
    )
    mark(reasons, years_a < 0, Undefined(INVALID, "relationship years must not be negative"))
    mark(reasons, cac_a < 0, Undefined(INVALID, "CAC must not be negative"))
    return _finish(revenue_a * years_a - cac_a, reasons, "CLV", index)


def clv_margin(margin: Any, retention: Any, discount_rate: Any) -> Result:
    """CLV, margin form (Gupta & Lehmann 2003): ``m · r / (1 + i − r)``.

    ``margin`` (m) is the margin a customer brings per period, ``retention`` (r) the share
    of customers kept per period and ``discount_rate`` (i) the discount rate per period;
    r and i are **fractions** (80 % is 0.8). Source: S. Gupta and D. R. Lehmann, "Customers
    as assets", Journal of Interactive Marketing 17(1), 2003.

    No value when r is outside 0..1 or i is -1 or less (invalid), and when 1 + i − r is not
    above 0 (the formula needs 1 + i − r > 0): exactly 0 is a division by zero, below 0 is
    invalid. A discount rate above 1 (over 100 %) is computed but adds a warning, since it is
    most likely a percentage typed as a whole number.

    Example::

        >>> round(clv_margin(100, 0.8, 0.1).value, 2)   # 100 × 0.8 / (1 + 0.1 - 0.8)
        266.67
        >>> clv_margin(100, 80, 0.1).reason
        'retention 80 must be a fraction between 0 and 1: 80 % is 0.8'
    """
    (m, r, i), reasons, index = _columns(
        ("margin", "retention", "discount rate"), margin, retention, discount_rate
    )
    _mark_each(reasons, (r < 0) | (r > 1), r, INVALID, _retention_message)
    mark(
        reasons,
        i <= -1,
        Undefined(INVALID, "discount rate must be greater than -1 (a fraction: 10 % is 0.1)"),
    )
    denominator = 1.0 + i - r
    needs = "the formula m·r/(1 + i - r) needs 1 + discount rate - retention > 0"
    # 1 + i − r is a difference of fractions: treat rounding noise (0.9 and -0.1) as zero
    zero = np.abs(denominator) < 1e-12
    mark(reasons, zero, Undefined(DIV0, f"1 + discount rate - retention is 0: {needs}"))
    mark(
        reasons, denominator < 0, Undefined(INVALID, f"1 + discount rate - retention < 0: {needs}")
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        values = m * r / denominator
    result = _finish(values, reasons, "CLV (margin form)", index)
    if (result.defined & (i > 1)).any():
        result.warnings.append(
            "a discount rate above 1 means over 100 % per period; "
            "discount rates are fractions (10 % is 0.1)"
        )
    return result


def cac(cost: Any, new_customers: Any) -> Result:
    """Customer acquisition cost 客户获取成本: ``(marketing + sales cost) / new customers``.

    ``cost`` is the **sum** of marketing and sales cost for a period, ``new_customers`` the
    customers won in the same period. No value when an input is negative (invalid) or when
    no customers were won (division by zero).

    Example::

        >>> cac(50_000 + 30_000, 40).value         # marketing + sales cost, 40 new customers
        2000.0
        >>> cac(1_000, 0).reasons.item().code
        'div0'
    """
    (cost_a, new_a), reasons, index = _columns(("cost", "new customers"), cost, new_customers)
    mark(
        reasons,
        (cost_a < 0) | (new_a < 0),
        Undefined(INVALID, "cost and new customers must not be negative"),
    )
    mark(
        reasons,
        new_a == 0,
        Undefined(DIV0, "no new customers in the period (new customers = 0): CAC has no value"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        values = cost_a / new_a
    return _finish(values, reasons, "CAC", index)


def sales_growth(before: Any, after: Any) -> Result:
    """Sales growth in percent: ``(after − before) / before × 100``.

    No value when ``before`` is negative (invalid) or 0 (division by zero).

    Example::

        >>> sales_growth(200_000, 220_000).value
        10.0
        >>> sales_growth(0, 5_000).reasons.item().code
        'div0'
    """
    (before_a, after_a), reasons, index = _columns(("before", "after"), before, after)
    mark(reasons, before_a < 0, Undefined(INVALID, "sales before must not be negative"))
    mark(
        reasons,
        before_a == 0,
        Undefined(DIV0, "no sales in the earlier period (before = 0): sales growth has no value"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (after_a - before_a) / before_a * 100.0
    return _finish(values, reasons, "sales growth (%)", index)


# -- survey KPIs: one value from a whole column of answers ------------------------------------

CSAT_SCALES = (5, 7, 10)
CSAT_METHODS = ("top2box", "mean")
CES_SCALES = (5, 7)


def nps(responses: Any) -> Result:
    """Net Promoter Score 净推荐值: ``% promoters (9-10) − % detractors (0-6)``.

    One value (``.value``) from a column of 0–10 answers; passives (7–8) count in the
    denominator, so the NPS lies between −100 and 100. Blanks are skipped. A 2-D range is
    read row by row. No value when there are no responses (no data) or when any response is
    not a whole number 0–10 (invalid; the message names the first one, counting from 1).

    Example::

        >>> nps([10, 9, 9, 8, 7, 7, 6, 5, 3, 10]).value   # 40 % - 30 %
        10.0
        >>> nps([10, 9, 11, 8]).reason
        'response 3 is 11: NPS answers are whole numbers 0-10'
    """
    return _survey(
        responses,
        "NPS",
        0,
        10,
        lambda a: 100.0 * (np.count_nonzero(a >= 9) - np.count_nonzero(a <= 6)) / a.size,
        "NPS",
    )


def csat(responses: Any, scale: int = 5, method: str = "top2box") -> Result:
    """Customer satisfaction (CSAT) from a column of 1–``scale`` answers.

    ``method="top2box"`` (the default): the share of answers in the top two points of the
    scale × 100 (4 and 5 on a 5-point scale, 6–7 on 7, 9–10 on 10). ``method="mean"``: the
    mean answer, and the result's name says it is a mean. Blanks leave the denominator. No
    value when there are no answers (no data) or when any answer is not a whole number
    1–``scale`` (invalid; the message names the first one).

    Raises:
        ValueError: ``scale`` is not 5, 7 or 10, or ``method`` is unknown.

    Example::

        >>> r = csat([5, 4, 3, 5, None, 2])         # 3 of 5 answers are 4 or 5
        >>> r.value, r.name
        (60.0, 'CSAT (top-2-box %, 1-5 scale)')
        >>> r = csat([5, 4, 3, 4], method="mean")
        >>> r.value, r.name
        (4.0, 'CSAT (mean of 1-5 answers)')
    """
    if scale not in CSAT_SCALES or isinstance(scale, bool):
        raise ValueError(f"CSAT scale must be one of {CSAT_SCALES}, got {scale!r}")
    if method not in CSAT_METHODS:
        raise ValueError(f"CSAT method must be 'top2box' or 'mean', got {method!r}")
    scale = int(scale)
    if method == "mean":
        return _survey(responses, "CSAT", 1, scale, np.mean, f"CSAT (mean of 1-{scale} answers)")
    return _survey(
        responses,
        "CSAT",
        1,
        scale,
        lambda a: 100.0 * np.count_nonzero(a >= scale - 1) / a.size,
        f"CSAT (top-2-box %, 1-{scale} scale)",
    )


def ces(responses: Any, scale: int = 7) -> Result:
    """Customer Effort Score: the mean of 1–``scale`` "easy to handle" answers.

    Higher is easier (7 = "strongly agree that it was easy"); answers on a scale where a
    high number means *more* effort must be reversed first. Blanks are skipped. No value
    when there are no answers (no data) or when any answer is not a whole number
    1–``scale`` (invalid; the message names the first one).

    Raises:
        ValueError: ``scale`` is not 5 or 7.

    Example::

        >>> ces([7, 6, 5, 6]).value
        6.0
        >>> ces([]).reason
        'no responses: CES has no value'
    """
    if scale not in CES_SCALES or isinstance(scale, bool):
        raise ValueError(f"CES scale must be one of {CES_SCALES}, got {scale!r}")
    scale = int(scale)
    return _survey(
        responses, "CES", 1, scale, np.mean, f"CES (mean of 1-{scale} answers, higher = easier)"
    )


def _survey(
    responses: Any,
    kpi: str,
    low: int,
    high: int,
    statistic: Callable[[np.ndarray], Any],
    name: str,
) -> Result:
    """One value from a column (or range) of whole-number answers ``low``..``high``.

    Blanks are dropped; any other answer that is not a whole number in range makes the whole
    value invalid, naming the first such answer (1-based, row by row); no answers → no data.
    Otherwise ``statistic`` is applied to the 1-D array of answers.
    """
    values, invalid, _ = as_numbers(responses, "response")
    answers = values.reshape(-1)
    blank = np.isnan(answers)
    bad = ~blank & ((answers != np.round(answers)) | (answers < low) | (answers > high))
    if invalid is not None:
        bad |= ~np.equal(invalid.reshape(-1), None)
    if bad.any():
        pos = int(np.argmax(bad))  # the first bad answer, for the message
        raw = _flat_raw(responses)[pos]
        why = Undefined(
            INVALID,
            f"response {pos + 1} is {_show(raw)}: {kpi} answers are whole numbers {low}-{high}",
        )
    elif blank.all():
        why = Undefined(NO_DATA, f"no responses: {kpi} has no value")
    else:
        return Result(float(statistic(answers[~blank])), name=name)
    return Result(np.nan, np.asarray(why, dtype=object), name=name)


def _flat_raw(x: Any) -> np.ndarray:
    """The caller's elements, unconverted and flattened row by row (for messages)."""
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        x = x.to_numpy()
    return np.asarray(x, dtype=object).reshape(-1)


def _num(v: float) -> str:
    """A number as a person would type it: 11, 8.5, 0.955."""
    return f"{float(v):.10g}"


def _show(x: Any) -> str:
    """An input value for a message, saying what it is when it is not a number."""
    if isinstance(x, (bool, np.bool_)):
        return f"{'TRUE' if x else 'FALSE'} (a logical value)"
    if isinstance(x, numbers.Number):
        return _num(x)  # type: ignore[arg-type]
    if isinstance(x, str):
        return f"{x!r} (text)"
    return f"{x} (not a number)"


def _retention_message(r: float) -> str:
    msg = f"retention {_num(r)} must be a fraction between 0 and 1"
    if 1 < r <= 100:  # most likely a percentage
        return f"{msg}: {_num(r)} % is {_num(r / 100)}"
    return f"{msg} (80 % is 0.8)"


def _mark_each(
    reasons: np.ndarray,
    mask: np.ndarray,
    values: np.ndarray,
    code: str,
    message: Callable[[float], str],
) -> None:
    """Like :func:`~crm_xl.core.result.mark`, with a message naming each element's value.

    One :class:`Undefined` is made per distinct value, not per element.
    """
    free = mask & np.equal(reasons, None)
    if free.any():
        distinct, which = np.unique(values[free], return_inverse=True)
        made = np.array([Undefined(code, message(v)) for v in distinct], dtype=object)
        reasons[free] = made[which]
