"""Numbers that may have no value, each with the reason a user can read.

Every KPI and score in crm_xl is computed for a whole column at once. Some elements have no
value: a churn rate when nobody was a customer at the start, an NPS with no responses, a
composite with every input blank. Those elements are NaN in :attr:`Result.values` and carry
an :class:`Undefined` in :attr:`Result.reasons`, so a column never crashes half-way and a
missing number is never silently 0.

Example::

    >>> from crm_xl import churn_rate
    >>> r = churn_rate([5, 3], [100, 0])
    >>> r.values
    array([ 5., nan])
    >>> str(r.reasons[1])
    'no customers at the start of the period (start = 0): churn rate has no value'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Reason codes. Shells map them to what their medium shows (an Excel error value, a CSV note).
DIV0 = "div0"  # a denominator is zero: churn with start = 0, CAC with no new customers
NO_DATA = "no_data"  # nothing to compute from: no responses, every indicator blank
MISSING = "missing"  # an input of this element is blank
INVALID = "invalid"  # an input is not a number, or outside its allowed range
INCONSISTENT = "inconsistent"  # inputs contradict each other: more lost than at start

CODES = (DIV0, NO_DATA, MISSING, INVALID, INCONSISTENT)


@dataclass(frozen=True)
class Undefined:
    """Why an element has no value.

    ``code`` is one of :data:`CODES` (for programs), ``message`` is a sentence for people.

    Example::

        >>> Undefined(DIV0, "start = 0").code
        'div0'
    """

    code: str
    message: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown reason code {self.code!r}; expected one of {CODES}")

    def __str__(self) -> str:
        return self.message


class Result:
    """A column (or a single value) of numbers, with a reason wherever there is no number.

    Attributes:
        values: float array; NaN where the element has no value.
        reasons: object array of the same shape; an :class:`Undefined` where ``values`` is
            NaN, ``None`` elsewhere.
        name: what the numbers are, e.g. ``"NPS"`` or ``"CSAT (mean of 1-5 answers)"``.
        index: the pandas index of the input, kept so :meth:`to_series` lines up with it.
        warnings: sentences about the computation as a whole (e.g. weights normalised).

    Example::

        >>> from crm_xl import nps
        >>> r = nps([10, 9, 8, 6])
        >>> r.value, r.name
        (25.0, 'NPS')
        >>> nps([]).reason
        'no responses: NPS has no value'
    """

    __slots__ = ("_reasons", "index", "name", "values", "warnings")

    def __init__(
        self,
        values: Any,
        reasons: Any = None,
        *,
        name: str = "",
        index: Any = None,
        warnings: Sequence[str] = (),
    ) -> None:
        self.values = np.asarray(values, dtype=float)
        # None means "no reasons at all"; the array is made on first access, which keeps
        # scoring a million complete rows from allocating a million None pointers.
        self._reasons = None if reasons is None else np.asarray(reasons, dtype=object)
        if self._reasons is not None and self._reasons.shape != self.values.shape:
            raise ValueError("values and reasons must have the same shape")
        self.name = name
        self.index = index
        self.warnings = list(warnings)

    @property
    def reasons(self) -> np.ndarray:
        """Object array: an :class:`Undefined` where ``values`` is NaN, ``None`` elsewhere."""
        if self._reasons is None:
            self._reasons = np.full(self.values.shape, None, dtype=object)
        return self._reasons

    # -- scalar access -------------------------------------------------------------------
    @property
    def value(self) -> float | None:
        """The single value (``None`` if it has none). Only for a one-element result."""
        v = self._single(self.values)
        return None if np.isnan(v) else float(v)

    @property
    def reason(self) -> str | None:
        """Why the single value has none (``None`` if it has one)."""
        r = self._single(self.reasons)
        return None if r is None else str(r)

    def _single(self, arr: np.ndarray) -> Any:
        if arr.size != 1:
            raise ValueError(
                f"{self.name or 'this result'} holds {arr.size} values; "
                "use .values / .reasons or .to_series()"
            )
        return arr.reshape(-1)[0]

    def __float__(self) -> float:
        v = self.value
        return float("nan") if v is None else v

    # -- column access -------------------------------------------------------------------
    @property
    def defined(self) -> np.ndarray:
        """Boolean mask: True where there is a value."""
        return ~np.isnan(self.values)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.values if dtype is None else self.values.astype(dtype)

    def __len__(self) -> int:
        return len(self.values) if self.values.ndim else 1

    def to_series(self) -> Any:
        """The values as a pandas Series (NaN where undefined), on the input's index."""
        import pandas as pd

        return pd.Series(self.values.reshape(-1), index=self.index, name=self.name or None)

    def to_frame(self) -> Any:
        """A DataFrame with a ``value`` and a ``reason`` column."""
        import pandas as pd

        reasons = [None if r is None else str(r) for r in self.reasons.reshape(-1)]
        return pd.DataFrame({"value": self.values.reshape(-1), "reason": reasons}, index=self.index)

    def __repr__(self) -> str:
        if self.values.size == 1:
            shown = self.value if self.value is not None else f"no value ({self.reason})"
            return f"Result({self.name or 'value'}: {shown})"
        n_undefined = int((~self.defined).sum())
        return (
            f"Result({self.name or 'values'}: {self.values.size} values, {n_undefined} undefined)"
        )


def mark(reasons: np.ndarray, mask: np.ndarray, why: Undefined) -> None:
    """Record ``why`` for every element of ``mask`` that has no reason yet.

    The first reason found for an element wins, so callers check the most basic problems
    (missing, invalid input) before the arithmetic ones (division by zero).
    """
    free = mask & np.equal(reasons, None)
    if free.any():
        reasons[free] = why
