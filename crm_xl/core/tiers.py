"""Tiers: thresholds → labels (客户评级), vectorised.

The boundary rule, stated once: **a value equal to a threshold belongs to the lower tier**
(``at_threshold="lower"``, the default): to reach a tier a value must *exceed* its
threshold. This is how the spend tiers of docs/domain.md read in Chinese — "超过10万元为A级 …
5万元以下为C级" — under the statutory reading of those words (民法典 第1259条: "以上、以下…包括本数;不满、超过…不包括本数":
超过 excludes the number, 以下 includes it). So exactly 100,000 is a B and exactly 50,000 is a C.
Pass ``at_threshold="upper"`` for the other convention (a value equal to a threshold reaches
it, as in ``=IF(x>=100000,"A",…)``).

Thresholds are listed from the highest tier down and must strictly decrease; labels go
from the top tier down, one more than thresholds: ``[70, 50]`` with ``["A", "B", "C"]`` is
> 70 → A, > 50 → B, else C, and ``[70]`` with ``["A", "B"]`` is > 70 → A, else B. Ascending
thresholds are refused (:data:`THRESHOLD_ORDER`), whoever gives them: a scorecard file, the
workbook's Model sheet or ``=CRM_TIER``.

Example (annual spend in yuan)::

    >>> assign_tiers([150_000, 100_000, 75_000, 50_000, 20_000], **ANNUAL_SPEND_TIERS).labels.tolist()
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

#: Tiers by annual spend (yuan): > 100,000 → A, > 50,000 → B, else C.
ANNUAL_SPEND_TIERS: dict[str, Any] = {"thresholds": (100_000, 50_000), "labels": ("A", "B", "C")}
SEED_004_SPEND_TIERS = ANNUAL_SPEND_TIERS  # the former name, kept for existing callers

#: How a tier rule is written, said wherever thresholds in another order are refused.
THRESHOLD_ORDER = (
    "list the thresholds from the highest down, e.g. 70, 50; labels from the top tier: A, B, C"
)


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
    """Every problem with a tier rule: numbers, one more label than thresholds, different
    labels, thresholds strictly decreasing (from the top tier down).

    Example::

        >>> [str(p) for p in check_tier_rule([50, 70], ["A", "B", "C"])]
        ['tiers.thresholds: thresholds go from the top tier down, got 50, 70: list the thresholds from the highest down, e.g. 70, 50; labels from the top tier: A, B, C']
    """
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
    labels = list(labels) if labels is not None else []
    for i, label in enumerate(labels):
        if label is None or (isinstance(label, str) and not label.strip()):
            problems.append(Problem(f"{where}.labels[{i + 1}]", "label is blank"))
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
    finite = values[~np.isnan(values)]
    if finite.size > 1 and not (np.diff(finite) < 0).all():
        problems.append(
            Problem(
                f"{where}.thresholds",
                "thresholds go from the top tier down, "
                f"got {', '.join(f'{t:g}' for t in finite)}: {THRESHOLD_ORDER}",
            )
        )
    return problems


def assign_tiers(
    values: Any,
    thresholds: Sequence[float],
    labels: Sequence[str],
    *,
    at_threshold: AtThreshold = "lower",
) -> Tiers:
    """Give each value its tier label.

    ``thresholds`` go from the top tier down, strictly decreasing, and ``labels`` from the
    top tier down (``[100000, 50000]``, ``["A", "B", "C"]``); see the module notes.
    ``at_threshold`` decides where a value equal to a threshold goes.

    Example::

        >>> assign_tiers([80, 60, 59.9], [80, 60], ["A", "B", "C"]).labels.tolist()
        ['B', 'C', 'C']
        >>> assign_tiers([80, 60, 59.9], [80, 60], ["A", "B", "C"], at_threshold="upper").labels.tolist()
        ['A', 'B', 'C']
        >>> assign_tiers([79.6, 21.1], [70], ["A", "B"]).labels.tolist()
        ['A', 'B']
    """
    if at_threshold not in ("lower", "upper"):
        raise ValueError(f"at_threshold must be 'lower' or 'upper', got {at_threshold!r}")
    problems = check_tier_rule(thresholds, labels)
    if problems:
        raise CrmError(problems)
    # searchsorted wants ascending thresholds: the bottom tier first
    t = np.asarray(thresholds, dtype=float)[::-1]
    names = np.asarray([str(x) for x in labels], dtype=object)[::-1]
    x, x_reasons, index = as_numbers(values, "value")
    reasons = new_reasons(x.shape, x_reasons)
    mark(reasons, np.isnan(x), Undefined(MISSING, "value is blank: no tier"))
    position = np.searchsorted(
        t, np.nan_to_num(x), side="left" if at_threshold == "lower" else "right"
    )
    out = names[position]
    out = np.where(np.equal(reasons, None), out, None)
    return Tiers(out, reasons, index)
