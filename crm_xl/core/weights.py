"""Reading weights the way users write them: 40/30/20/10 or 0.4/0.3/0.2/0.1.

Weights summing to 100 are percentages, weights summing to 1 are fractions; both mean the
same. Any other sum is a user error. The caller chooses what happens then:

* ``weight_sum="strict"`` (the default everywhere in crm_xl): a :class:`CrmError` that says
  what the weights add up to, because a scorecard whose weights sum to 90 % is usually a
  typing slip that silently changes every score;
* ``weight_sum="normalize"``: the weights are divided by their sum, with a warning that
  says so (for relative weights such as 4/3/2/1 or AHP output rounded by hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from crm_xl.core.inputs import MAX_MAGNITUDE, as_numbers
from crm_xl.errors import CrmError, Problem

WeightSum = Literal["strict", "normalize"]
WEIGHT_SUM_MODES = ("strict", "normalize")

# Relative tolerance on the sum: float noise from AHP or entropy output passes, a weight
# typed wrong (33.3 × 3 = 99.9) does not.
SUM_TOLERANCE = 1e-6


def as_fractions(
    weights: Any,
    *,
    weight_sum: WeightSum = "strict",
    where: str = "weights",
    labels: Sequence[str] | None = None,
    fix_hint: str = "fix the weights, or allow normalisation (weight_sum='normalize')",
) -> tuple[np.ndarray, list[str]]:
    """Return ``(fractions, warnings)``: the weights as fractions summing to 1.

    Raises :class:`CrmError` listing every problem: a blank, non-numeric or negative
    weight (named by position or label), all weights zero, or — in strict mode — a sum
    that is neither 100 nor 1.

    Example::

        >>> as_fractions([40, 30, 20, 10])[0]
        array([0.4, 0.3, 0.2, 0.1])
        >>> as_fractions([4, 3, 2, 1], weight_sum="normalize")[1]
        ['weights sum to 10, not 100 % (100 or 1): normalised to 100 % by dividing by 10']
    """
    if weight_sum not in WEIGHT_SUM_MODES:
        raise ValueError(f"weight_sum must be 'strict' or 'normalize', got {weight_sum!r}")
    values, reasons, _ = as_numbers(weights, "weight")
    values = np.atleast_1d(values).astype(float).reshape(-1)
    flat_reasons = None if reasons is None else np.atleast_1d(reasons).reshape(-1)

    def name(i: int) -> str:
        return f"{where}[{labels[i]}]" if labels is not None else f"{where}[{i + 1}]"

    problems = []
    for i, v in enumerate(values):
        if flat_reasons is not None and flat_reasons[i] is not None:
            problems.append(Problem(name(i), str(flat_reasons[i]).replace("weight: ", "")))
        elif np.isnan(v):
            problems.append(Problem(name(i), "weight is blank"))
        elif v < 0:
            problems.append(Problem(name(i), f"weight {v:g} is negative"))
        elif not np.isfinite(v) or v > MAX_MAGNITUDE:
            problems.append(Problem(name(i), f"weight {v:g} is larger than 1e15"))
    if problems:
        raise CrmError(problems)
    if values.size == 0:
        raise CrmError("no weights given", where)
    total = float(values.sum())
    if total == 0:
        raise CrmError("weights are all zero", where)
    for expected, unit in ((100.0, 100.0), (1.0, 1.0)):
        if abs(total - expected) <= SUM_TOLERANCE * expected:
            return values / unit / (total / expected), []
    message = f"weights sum to {total:g}, not 100 % (100 or 1)"
    if weight_sum == "strict":
        raise CrmError(f"{message}: {fix_hint}", where)
    return values / total, [f"{message}: normalised to 100 % by dividing by {total:g}"]
