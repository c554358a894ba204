"""Normalisation: putting KPIs of different units on one 0–100 scale.

Three ways, each vectorised over a whole column:

* :func:`linear` — between a floor (scores 0) and a target (scores 100), clamped;
  lower-is-better indicators (churn, CAC, response time) are inverted.
* :func:`form_scale` — a 1–5 form answer mapped as (s − 1) / 4 × 100.
* :func:`min_max` — relative to the population: the lowest value scores 0, the highest 100.

Blank inputs stay blank (NaN, no reason): the scoring models leave them out and re-weight.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from crm_xl.core.inputs import as_numbers, new_reasons
from crm_xl.core.result import DIV0, INVALID, NO_DATA, Result, Undefined, mark

Direction = Literal["higher", "lower"]
DIRECTIONS = ("higher", "lower")


# What users type for a direction, in English and Chinese.
_DIRECTION_WORDS = {
    "higher": "higher", "high": "higher", "越高越好": "higher", "高": "higher",
    "正向": "higher",
    "lower": "lower", "low": "lower", "越低越好": "lower", "低": "lower",
    "负向": "lower", "逆向": "lower",
}  # fmt: skip


def check_direction(direction: str | None) -> str | None:
    """Return ``"higher"`` or ``"lower"`` (``None`` stays ``None``), else raise ``ValueError``.

    Chinese words are understood too: 越高越好/正向 (higher), 越低越好/负向/逆向 (lower).

    Example::

        >>> check_direction("Lower"), check_direction("越低越好")
        ('lower', 'lower')
    """
    if direction is None:
        return None
    d = _DIRECTION_WORDS.get(str(direction).strip().lower())
    if d is None:
        raise ValueError(
            f"direction must be 'higher' or 'lower' (越高越好 / 越低越好), got {direction!r}"
        )
    return d


def linear(x: Any, floor: Any, target: Any, direction: Direction | None = None) -> Result:
    """Map ``x`` linearly to 0–100 and clamp.

    Without ``direction``, ``floor`` is the value that scores 0 and ``target`` the value that
    scores 100, so a target below the floor means lower is better. With ``direction`` the two
    bounds may be given in either order: for ``"higher"`` the larger bound scores 100, for
    ``"lower"`` the smaller one does. Equal bounds give no value.

    Example::

        >>> linear([50, 150, 250], 0, 200).values        # higher is better
        array([ 25.,  75., 100.])
        >>> linear(10, 30, 5).value                      # churn %: 30 scores 0, 5 scores 100
        80.0
        >>> linear(10, 5, 30, direction="lower").value   # the same, bounds in either order
        80.0
    """
    direction = check_direction(direction)
    xv, xr, index = as_numbers(x, "value")
    fv, fr, _ = as_numbers(floor, "floor")
    tv, tr, _ = as_numbers(target, "target")
    xv, fv, tv = np.broadcast_arrays(xv, fv, tv)
    reasons = new_reasons(xv.shape, xr, fr, tr)
    mark(reasons, np.isnan(fv) | np.isnan(tv), Undefined(INVALID, "floor or target is blank"))
    mark(reasons, fv == tv, Undefined(DIV0, "floor and target are equal"))
    if direction == "higher":
        zero, full = np.minimum(fv, tv), np.maximum(fv, tv)
    elif direction == "lower":
        zero, full = np.maximum(fv, tv), np.minimum(fv, tv)
    else:
        zero, full = fv, tv
    with np.errstate(divide="ignore", invalid="ignore"):
        # + 0.0 turns the -0.0 of a lower-is-better indicator at its floor into 0.0
        scores = np.clip((xv - zero) / (full - zero) * 100.0, 0.0, 100.0) + 0.0
    scores = np.where(np.equal(reasons, None), scores, np.nan)
    return Result(scores, reasons, name="score (0-100)", index=index)


def form_scale(x: Any, low: float = 1, high: float = 5) -> Result:
    """Map form answers on a ``low``–``high`` scale (default 1–5) to 0–100.

    ``(s − low) / (high − low) × 100``; an answer outside the scale has no value (invalid),
    because a 6 on a 1–5 form is a typing error, not an excellent score.

    Example::

        >>> form_scale([1, 3, 4.5, 5]).values
        array([  0. ,  50. ,  87.5, 100. ])
        >>> str(form_scale(6).reason)
        'answer 6 is outside the 1-5 scale'
    """
    if not high > low:
        raise ValueError(f"form scale needs high > low, got {low}-{high}")
    xv, xr, index = as_numbers(x, "answer")
    reasons = new_reasons(xv.shape, xr)
    outside = (xv < low) | (xv > high)
    if outside.any():
        for i in np.flatnonzero(outside.reshape(-1)):
            flat = reasons.reshape(-1)
            if flat[i] is None:
                v = xv.reshape(-1)[i]
                shown = int(v) if float(v).is_integer() else v
                flat[i] = Undefined(
                    INVALID, f"answer {shown} is outside the {_n(low)}-{_n(high)} scale"
                )
    scores = (xv - low) / (high - low) * 100.0
    scores = np.where(np.equal(reasons, None), scores, np.nan)
    return Result(scores, reasons, name="score (0-100)", index=index)


def min_max(x: Any, direction: Direction = "higher") -> Result:
    """Scale a column relative to its own population: min → 0, max → 100.

    For ``direction="lower"`` the smallest value scores 100. Blanks are ignored when
    finding min and max. If every value is equal the indicator separates nobody, so it has
    no value (the scoring models then leave it out and re-weight).

    Example::

        >>> min_max([10, 20, 30]).values
        array([  0.,  50., 100.])
        >>> min_max([10, 20, 30], direction="lower").values
        array([100.,  50.,   0.])
    """
    direction = check_direction(direction) or "higher"
    xv, xr, index = as_numbers(x, "value")
    reasons = new_reasons(xv.shape, xr)
    usable = np.equal(reasons, None) & ~np.isnan(xv)
    if not usable.any():
        mark(reasons, ~np.isnan(xv), Undefined(NO_DATA, "no values to scale"))
        return Result(np.full(xv.shape, np.nan), reasons, name="score (0-100)", index=index)
    lo, hi = xv[usable].min(), xv[usable].max()
    if lo == hi:
        mark(
            reasons,
            usable,
            Undefined(NO_DATA, f"every value is {_n(lo)}: min-max scaling separates nobody"),
        )
        return Result(np.full(xv.shape, np.nan), reasons, name="score (0-100)", index=index)
    scores = (xv - lo) / (hi - lo) * 100.0
    if direction == "lower":
        scores = 100.0 - scores
    scores = np.where(np.equal(reasons, None), scores, np.nan)
    return Result(scores, reasons, name="score (0-100)", index=index)


def _n(v: float) -> str:
    """A number as a user typed it: 5, not 5.0."""
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"


SCALES = ("linear", "form", "minmax", "score")


def by_scale(
    x: Any,
    scale: str,
    *,
    direction: Direction | None = "higher",
    floor: Any = None,
    target: Any = None,
    answers: tuple[float, float] = (1.0, 5.0),
) -> Result:
    """Map ``x`` to 0–100 by a scorecard's ``scale``: linear, form, minmax or score.

    ``"score"`` takes values already on 0–100 as they are. ``direction="lower"`` inverts
    the form and score scales (100 − s); for linear and minmax see :func:`linear` and
    :func:`min_max`.

    Example::

        >>> by_scale([3, 5], "form").values.tolist(), by_scale(20, "score", direction="lower").value
        ([50.0, 100.0], 80.0)
    """
    scale = str(scale).strip().lower()
    direction = check_direction(direction) or "higher"
    if scale == "linear":
        if floor is None or target is None:
            raise ValueError("the linear scale needs a floor and a target")
        return linear(x, floor, target, direction=direction)
    if scale == "minmax":
        return min_max(x, direction=direction)
    if scale == "form":
        result = form_scale(x, *answers)
    elif scale == "score":
        values, reasons, index = as_numbers(x, "value")
        result = Result(values, reasons, name="score (0-100)", index=index)
    else:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    if direction == "lower":
        result = Result(100.0 - result.values, result.reasons, name=result.name, index=result.index)
    return result
