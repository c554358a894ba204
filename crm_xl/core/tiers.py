"""Tiers: thresholds → labels (客户评级), vectorised.

The boundary rule, stated once: **a value equal to a threshold belongs to the lower tier**
(``at_threshold="lower"``, the default): to reach a tier a value must *exceed* its
threshold. This is how seed 004 reads in Chinese — "超过10万元为A级 … 5万元以下为C级" — under the
statutory reading of those words (民法典 第1259条: "以上、以下…包括本数;不满、超过…不包括本数":
超过 excludes the number, 以下 includes it). So exactly 100,000 is a B and exactly 50,000 is a C.
Pass ``at_threshold="upper"`` for the other convention (a value equal to a threshold reaches
it, as in ``=IF(x>=100000,"A",…)``).

Example (seed 004, annual spend in yuan)::

    >>> assign_tiers([150_000, 100_000, 75_000, 50_000, 20_000], **SEED_004_SPEND_TIERS).labels.tolist()
    ['A', 'B', 'B', 'C', 'C']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from crm_xl.core.inputs import as_numbers, new_reasons
from crm_xl.core.result import MISSING, Undefined, mark
from crm_xl.errors import CrmError, Problem

AtThreshold = Literal["lower", "upper"]

#: Seed 004's example: > 100,000 → A, 50,000–100,000 → B, ≤ 50,000 → C (annual spend, yuan).
SEED_004_SPEND_TIERS: dict[str, Any] = {"thresholds": (100_000, 50_000), "labels": ("A", "B", "C")}


@dataclass(frozen=True)
class Tiers:
    """Tier labels per element (``None`` where the value is blank or invalid) and reasons."""

    labels: np.ndarray
    reasons: np.ndarray
    index: Any = None

    def to_series(self) -> Any:
        """The labels as a pandas Series on the input's index."""
        import pandas as pd

        return pd.Series(self.labels.reshape(-1), index=self.index, name="tier", dtype=object)

    def counts(self, order: Sequence[str]) -> dict[str, int]:
        """How many elements fall in each tier, in ``order`` (zero counts kept)."""
        flat = self.labels.reshape(-1).tolist()
        return {label: flat.count(label) for label in order}


def check_tier_rule(thresholds: Any, labels: Any, where: str = "tiers") -> list[Problem]:
    """Every problem with a tier rule: numbers, strictly ordered, one more label than thresholds."""
    problems = []
    values, reasons, _ = as_numbers(thresholds, "threshold")
    values = np.atleast_1d(values)
    if values.size == 0:
        problems.append(Problem(f"{where}.thresholds", "give at least one threshold"))
    for i, v in enumerate(values):
        if reasons is not None and np.atleast_1d(reasons)[i] is not None:
            problems.append(Problem(f"{where}.thresholds[{i + 1}]", str(np.atleast_1d(reasons)[i])))
        elif np.isnan(v):
            problems.append(Problem(f"{where}.thresholds[{i + 1}]", "threshold is blank"))
    finite = values[~np.isnan(values)]
    if finite.size > 1:
        steps = np.diff(finite)
        if not ((steps > 0).all() or (steps < 0).all()):
            problems.append(
                Problem(
                    f"{where}.thresholds",
                    "thresholds must be strictly increasing or strictly decreasing, "
                    f"got {', '.join(f'{t:g}' for t in finite)}",
                )
            )
    labels = list(labels) if labels is not None else []
    if len(labels) != values.size + 1:
        problems.append(
            Problem(
                f"{where}.labels",
                f"{values.size} threshold(s) make {values.size + 1} tiers, "
                f"but {len(labels)} label(s) are given",
            )
        )
    if len(set(map(str, labels))) != len(labels):
        problems.append(Problem(f"{where}.labels", "labels must be different from each other"))
    return problems


def assign_tiers(
    values: Any,
    thresholds: Sequence[float],
    labels: Sequence[str],
    *,
    at_threshold: AtThreshold = "lower",
) -> Tiers:
    """Give each value its tier label.

    ``thresholds`` and ``labels`` go in the same direction: descending thresholds with
    labels from the top tier down (``[100000, 50000]``, ``["A", "B", "C"]``), or ascending
    thresholds with labels from the bottom up (``[50000, 100000]``, ``["C", "B", "A"]``).
    ``at_threshold`` decides where a value equal to a threshold goes (see the module notes).

    Example::

        >>> assign_tiers([80, 60, 59.9], [80, 60], ["A", "B", "C"]).labels.tolist()
        ['B', 'C', 'C']
        >>> assign_tiers([80, 60, 59.9], [80, 60], ["A", "B", "C"], at_threshold="upper").labels.tolist()
        ['A', 'B', 'C']
    """
    if at_threshold not in ("lower", "upper"):
        raise ValueError(f"at_threshold must be 'lower' or 'upper', got {at_threshold!r}")
    problems = check_tier_rule(thresholds, labels)
    if problems:
        raise CrmError(problems)
    t = np.asarray(thresholds, dtype=float)
    names = np.asarray([str(x) for x in labels], dtype=object)
    if t.size > 1 and t[0] > t[-1]:  # descending: flip both to ascending order
        t, names = t[::-1], names[::-1]
    x, x_reasons, index = as_numbers(values, "value")
    reasons = new_reasons(x.shape, x_reasons)
    mark(reasons, np.isnan(x), Undefined(MISSING, "value is blank: no tier"))
    position = np.searchsorted(
        t, np.nan_to_num(x), side="left" if at_threshold == "lower" else "right"
    )
    out = names[position]
    out = np.where(np.equal(reasons, None), out, None)
    return Tiers(out, reasons, index)
