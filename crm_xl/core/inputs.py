"""Turning what callers pass (scalars, lists, numpy arrays, pandas columns) into floats.

The rule, the same for every function in the core and every shell in front of it:

* numbers (int, float, numpy numbers) are numbers;
* ``None``, NaN and the empty string are **missing** (NaN, no reason): a blank is never 0;
* anything else (text, booleans, dates) is **invalid**: NaN with a reason naming the value.
  Booleans are refused because ``TRUE`` in a score column is a typing slip, not a 1.

Example::

    >>> values, reasons, index = as_numbers([85, None, "abc", True], "satisfaction")
    >>> values
    array([85., nan, nan, nan])
    >>> [None if r is None else str(r) for r in reasons]
    [None, None, "satisfaction: 'abc' is text, not a number", 'satisfaction: TRUE is a logical value, not a number']
"""

from __future__ import annotations

import datetime as _dt
import numbers
from typing import Any

import numpy as np

from crm_xl.core.result import INVALID, Undefined
from crm_xl.errors import ERROR_TEXTS

#: Element types that convert to float exactly as the element-wise loop would (None -> NaN);
#: bool and numpy.bool_ are not among them: they are refused, not read as 1/0.
_NUMERIC_TYPES = frozenset(
    {float, int, type(None), np.float64, np.float32, np.float16, np.int64, np.int32}
    | {np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8}
)

#: The largest magnitude crm_xl takes as a table value, weight or scorecard number: beyond
#: it a difference or a sum of two values could overflow or lose every digit of the other
#: (no customer spends 10^15 of anything).
MAX_MAGNITUDE = 1e15


def describe_non_number(x: Any) -> str:
    """Why ``x`` is not a usable number, in words a user can act on.

    Example::

        >>> describe_non_number("1,200"), describe_non_number(True)
        ("'1,200' is a number stored as text", 'TRUE is a logical value, not a number')
        >>> describe_non_number("#VALUE! answer 7 is outside the 1-5 scale")
        'answer 7 is outside the 1-5 scale'

    """
    if isinstance(x, (bool, np.bool_)):
        return f"{'TRUE' if x else 'FALSE'} is a logical value, not a number"
    if isinstance(x, (_dt.date, _dt.datetime, np.datetime64)):
        return f"{x} is a date, not a number"
    if isinstance(x, str):
        if x.strip() in ERROR_TEXTS:
            return f"the input shows the error {x.strip()}"
        if _carries_reason(x):
            # a CRM_* result's error with its reason: that reason, not wrapped in another
            # (``#VALUE! indicator 2: answer 7 is outside the 1-5 scale``, one level deep)
            return x.strip().partition(" ")[2]
        shown = x if len(x) <= 40 else x[:37] + "..."
        try:
            float(x.replace(",", ""))
        except ValueError:
            return f"{shown!r} is text, not a number"
        return f"{shown!r} is a number stored as text"
    return f"{x!r} is not a number"


def _carries_reason(x: Any) -> bool:
    """An error text with its reason, as a CRM_* result shows it (``#VALUE! answer 7 …``)."""
    if not isinstance(x, str):
        return False
    code, _, reason = x.strip().partition(" ")
    return code in ERROR_TEXTS and bool(reason)


def is_missing(x: Any) -> bool:
    """A blank input: None, empty or blank text, NaN, pandas' NA or NaT (never 0).

    Example::

        >>> [is_missing(v) for v in (None, "  ", float("nan"), 0)]
        [True, True, True, False]
    """
    if x is None:
        return True
    if isinstance(x, str):
        return x.strip() == ""
    if isinstance(x, float) and x != x:  # NaN
        return True
    try:  # pandas NA / NaT without importing pandas here
        return type(x).__name__ in ("NAType", "NaTType")
    except Exception:  # pragma: no cover - defensive
        return False


def as_numbers(x: Any, name: str = "value") -> tuple[np.ndarray, np.ndarray | None, Any]:
    """Convert ``x`` to a float array.

    Returns ``(values, reasons, index)``: ``reasons`` is ``None`` when every element was a
    number or missing (the fast path for numeric arrays), otherwise an object array with an
    :class:`~crm_xl.core.result.Undefined` at each invalid element. ``index`` is the pandas index
    when ``x`` was a Series, else ``None``.
    """
    index = getattr(x, "index", None) if hasattr(x, "dtype") and hasattr(x, "iloc") else None
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        x = x.to_numpy()
    if isinstance(x, np.ndarray) and x.dtype.kind in "iuf":
        return x.astype(float, copy=False), None, index
    if isinstance(x, numbers.Number) and not isinstance(x, (bool, np.bool_)):
        return np.asarray(float(x)), None, index

    arr = np.asarray(x, dtype=object)
    flat = arr.reshape(-1)
    # What Excel hands over is nearly always floats and blanks (None): converted in one go.
    # Only an element of another type (text, a boolean, a date) needs the loop below.
    if _NUMERIC_TYPES.issuperset(map(type, flat)):
        return arr.astype(float), None, index
    out = np.empty(flat.shape, dtype=float)
    reasons = None
    for i, v in enumerate(flat):
        if isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_)):
            out[i] = float(v)  # NaN stays NaN: missing
            continue
        out[i] = np.nan
        if is_missing(v):
            continue
        if reasons is None:
            reasons = np.full(flat.shape, None, dtype=object)
        why = describe_non_number(v)
        # an upstream result's error keeps its own words (one level deep), others say which
        reasons[i] = Undefined(INVALID, why if _carries_reason(v) else f"{name}: {why}")
    shape = arr.shape
    return out.reshape(shape), (None if reasons is None else reasons.reshape(shape)), index


def new_reasons(shape: tuple[int, ...], *parts: np.ndarray | None) -> np.ndarray:
    """An object array of reasons of ``shape``, pre-filled from the inputs' invalid reasons.

    ``parts`` are the ``reasons`` returned by :func:`as_numbers` for each input (``None``
    allowed); they are broadcast to ``shape`` and the first reason per element is kept.
    """
    reasons = np.full(shape, None, dtype=object)
    for part in parts:
        if part is None:
            continue
        part = np.broadcast_to(part, shape)
        free = np.equal(reasons, None) & ~np.equal(part, None)
        reasons[free] = part[free]
    return reasons
