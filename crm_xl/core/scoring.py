"""The scoring models: weighted (加权评分模型) and multi-dimensional (多维度评分模型).

Both take a block of rows × indicators (scores already on one scale, e.g. 0–100) and give
one composite per row, vectorised: one call scores a million customers.

Missing inputs (blank, NaN) are left out and the remaining weights re-weighted, and every
result says from how many indicators it was computed (:attr:`Score.used`). In the
multi-dimensional model re-weighting happens level by level: a blank indicator re-weights
the others *of its dimension*; a dimension with no value at all re-weights the dimensions.

A composite is a sum of contributions, in points: :attr:`Score.contributions` (or
:func:`explain` for one row) shows why a customer scored what it did.

The worked example of docs/domain.md::

    >>> weighted_score([85, 75, 10, 70], [40, 30, 20, 10]).value
    65.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from crm_xl.core.inputs import as_numbers
from crm_xl.core.rating_text import no_data_note
from crm_xl.core.result import INVALID, NO_DATA, Result, Undefined
from crm_xl.core.weights import WeightSum, as_fractions
from crm_xl.errors import CrmError, counted


class Score(Result):
    """Composite scores, one per row, with what they were computed from.

    Besides :class:`~crm_xl.core.result.Result`'s ``values``/``reasons``:

    Attributes:
        used: int array, how many indicators each score was computed from.
        total: how many indicators the model has.
        labels: the indicators' names, in column order.
        dimensions: the dimensions' names (one, ``"score"``, for the weighted model).
        matrix: the indicator values (0–100, NaN where blank), rows × indicators.
        within_weights: each indicator's weight within its dimension (fractions).
        dimension_of: each indicator's dimension, as an index into ``dimensions``.
        dimension_weights: each dimension's weight (fractions).
    """

    __slots__ = (
        "dimension_of",
        "dimension_weights",
        "dimensions",
        "labels",
        "matrix",
        "total",
        "within_weights",
    )

    @property
    def used(self) -> np.ndarray | int:
        """How many indicators each score was computed from (an int for one row)."""
        counts = self.matrix.shape[1] - np.isnan(self.matrix).sum(axis=1)
        return int(counts[0]) if self.values.ndim == 0 else counts

    @property
    def coverage(self) -> np.ndarray:
        """Per row, ``"N of M"``: how many of the model's indicators the score used."""
        return np.array([f"{u} of {self.total}" for u in np.atleast_1d(self.used)], dtype=object)

    @property
    def contributions(self) -> np.ndarray:
        """Points each indicator adds to each composite: rows × indicators, NaN if blank.

        Each row sums to its composite. For one row (1-D input) the result is 1-D.
        """
        eff, present = self.effective_weights()
        with np.errstate(invalid="ignore"):
            out = np.where(present, self.matrix * eff, np.nan)
        out[np.isnan(self.values.reshape(-1))] = np.nan
        return out if self.values.ndim else out[0]

    @property
    def dimension_scores(self) -> np.ndarray:
        """Each dimension's score per row (rows × dimensions), NaN where it has no input."""
        num, den = self._dimension_sums()
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(den > 0, num / den, np.nan)
        return out if self.values.ndim else out[0]

    def _dimension_sums(self) -> tuple[np.ndarray, np.ndarray]:
        present = ~np.isnan(self.matrix)
        filled = np.where(present, self.matrix, 0.0)
        onehot = np.eye(len(self.dimension_weights))[self.dimension_of]  # indicators × dimensions
        return (filled * self.within_weights) @ onehot, (present * self.within_weights) @ onehot

    def effective_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Each indicator's weight in each row's composite once blanks are left out and the
        rest re-weighted (rows × indicators, fractions), and which cells were given: the
        weights of the given cells of a row sum to 1 (a blank cell's entry means nothing).

        Example::

            >>> eff, given = weighted_score([[80, None, 60]], [50, 30, 20]).effective_weights()
            >>> (eff * given).round(3).tolist(), given.tolist()
            ([[0.714, 0.0, 0.286]], [[True, False, True]])
        """
        _, den = self._dimension_sums()
        dim_ok = den > 0
        dim_total = np.where(dim_ok, self.dimension_weights, 0.0).sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(dim_ok, self.dimension_weights / dim_total / den, 0.0)
        return self.within_weights * factor[:, self.dimension_of], ~np.isnan(self.matrix)


def _as_matrix(values: Any, n_weights: int, labels: Sequence[str] | None):
    """Rows × indicators floats, per-cell invalid reasons, index, labels, single-row flag."""
    index = None
    if hasattr(values, "columns") and hasattr(values, "index"):  # a DataFrame
        labels = labels if labels is not None else [str(c) for c in values.columns]
        index = values.index
        values = values.to_numpy()
    matrix, reasons, _ = as_numbers(values, "value")
    single = matrix.ndim == 1
    if matrix.ndim == 0 or matrix.ndim > 2:
        raise CrmError("values must be one row or a block of rows × indicators", "values")
    if single:
        matrix = matrix.reshape(1, -1)
        reasons = None if reasons is None else reasons.reshape(1, -1)
    if matrix.shape[1] != n_weights:
        raise CrmError(
            f"{counted(matrix.shape[1], 'value')} per row but {counted(n_weights, 'weight')}: "
            "give one weight per indicator column",
            "values",
        )
    labels = (
        list(labels) if labels is not None else [f"indicator {i + 1}" for i in range(n_weights)]
    )
    if reasons is not None:  # invalid cells, by label, for the row's reason
        for i, j in zip(*np.nonzero(~np.equal(reasons, None)), strict=True):
            r = reasons[i, j]
            message = r.message
            message = (
                f"{labels[j]}:{message[len('value:') :]}"
                if message.startswith("value:")
                else f"{labels[j]}: {message}"  # an upstream result's own reason
            )
            reasons[i, j] = Undefined(r.code, message)
    return matrix, reasons, index, labels, single


def _compute(
    matrix: np.ndarray,
    cell_reasons: np.ndarray | None,
    within_w: np.ndarray,
    dim_of: np.ndarray,
    dim_w: np.ndarray,
    *,
    index: Any,
    labels: list[str],
    dimensions: list[str],
    single: bool,
    min_indicators: int,
    warnings: list[str],
) -> Score:
    n, k = matrix.shape
    # Fast path: one matrix-vector product. A row with any blank gets NaN from it (NaN
    # propagates), and only those rows take the re-weighting path below. The weighted
    # model keeps the weights as the user gave them and divides once at the end, as
    # SUMPRODUCT(values, weights) / SUM(weights) does: 4200 / 70 is 60, not 59.999….
    if len(dim_w) == 1:
        scores = (matrix @ within_w) / within_w.sum()
    else:
        scores = matrix @ (dim_w[dim_of] * within_w)
    undefined: dict[int, Undefined] = {}  # row → reason; few rows, so no per-row array
    incomplete = np.flatnonzero(np.isnan(scores))
    if incomplete.size:
        sub = matrix[incomplete]
        present = ~np.isnan(sub)
        if len(dim_w) == 1:  # weighted model: no dimension level to re-weight
            num = np.where(present, sub, 0.0) @ within_w
            den = present @ within_w
            with np.errstate(invalid="ignore", divide="ignore"):
                scores[incomplete] = num / den
            dim_total = den
        else:
            onehot = np.eye(len(dim_w))[dim_of]
            num = (np.where(present, sub, 0.0) * within_w) @ onehot
            den = (present * within_w) @ onehot
            dim_ok = den > 0
            with np.errstate(invalid="ignore", divide="ignore"):
                dim_scores = np.where(dim_ok, num / den, 0.0)
                dim_total = np.where(dim_ok, dim_w, 0.0).sum(axis=1)
                scores[incomplete] = (dim_scores * dim_w).sum(axis=1) / dim_total
        for i in incomplete[dim_total == 0]:
            undefined[int(i)] = Undefined(NO_DATA, no_data_note(k))
        if min_indicators > 1:
            used = present.sum(axis=1)
            for i, u in zip(
                incomplete[used < min_indicators], used[used < min_indicators], strict=True
            ):
                undefined.setdefault(
                    int(i),
                    Undefined(
                        NO_DATA,
                        f"only {u} of {k} indicators given (at least {min_indicators} required)",
                    ),
                )
    if cell_reasons is not None:
        bad_cells = ~np.equal(cell_reasons, None)
        for i in np.flatnonzero(bad_cells.any(axis=1)):
            first = cell_reasons[i, np.flatnonzero(bad_cells[i])[0]]
            undefined[int(i)] = Undefined(INVALID, first.message)
    reasons = None
    if undefined:
        reasons = np.full(n, None, dtype=object)
        rows = np.fromiter(undefined, dtype=np.int64, count=len(undefined))
        reasons[rows] = list(undefined.values())
        scores[rows] = np.nan

    score = Score(
        scores[0] if single else scores,
        None if reasons is None else (reasons[0] if single else reasons),
        name="score",
        index=index,
        warnings=warnings,
    )
    score.total = k
    score.labels = labels
    score.dimensions = dimensions
    score.matrix, score.within_weights, score.dimension_of, score.dimension_weights = (
        matrix,
        within_w,
        dim_of,
        dim_w,
    )
    return score


def weighted_score(
    values: Any,
    weights: Any,
    *,
    weight_sum: WeightSum = "strict",
    labels: Sequence[str] | None = None,
    min_indicators: int = 1,
) -> Score:
    """Weighted model: composite = Σ wᵢ·sᵢ, over the indicators that have a value.

    Args:
        values: one row (a list of k scores) or rows × k (2-D array, DataFrame). Blank
            cells are missing, never 0; text or booleans make that row's score invalid.
        weights: k weights, as percentages (40, 30, 20, 10) or fractions (0.4, …).
        weight_sum: ``"strict"`` (default) raises if the weights sum to neither 100 nor 1;
            ``"normalize"`` divides by their sum and says so in ``Score.warnings``.
        labels: indicator names (default: the DataFrame's columns, or 1..k).
        min_indicators: rows with fewer indicators than this get no score.

    Returns a :class:`Score`: 0-d for one row, one value per row otherwise.

    Example (docs/domain.md's worked example: satisfaction 85 @ 40 %, retention 75 @ 30 %, growth 10 @ 20 %,
    positive feedback 70 @ 10 %)::

        >>> weighted_score([85, 75, 10, 70], [40, 30, 20, 10]).value
        65.5
        >>> s = weighted_score([[85, 75, 10, 70], [80, None, 20, 60]], [40, 30, 20, 10])
        >>> s.values.round(4).tolist(), s.coverage.tolist()
        ([65.5, 60.0], ['4 of 4', '3 of 4'])
    """
    _, warnings = as_fractions(weights, weight_sum=weight_sum, labels=None)  # checks them
    raw = np.atleast_1d(as_numbers(weights, "weight")[0]).reshape(-1)
    matrix, cell_reasons, index, labels, single = _as_matrix(values, raw.size, labels)
    return _compute(
        matrix,
        cell_reasons,
        raw,
        np.zeros(raw.size, dtype=np.int64),
        np.ones(1),
        index=index,
        labels=labels,
        dimensions=["score"],
        single=single,
        min_indicators=min_indicators,
        warnings=warnings,
    )


def multidimensional_score(
    values: Any,
    weights: Any,
    dimensions: Sequence[str],
    dimension_weights: Mapping[str, float],
    *,
    weight_sum: WeightSum = "strict",
    labels: Sequence[str] | None = None,
    min_indicators: int = 1,
) -> Score:
    """Multi-dimensional model: composite = Σ_d W_d · Σ_i w_di · s_di.

    Args:
        values: one row or rows × k indicator scores (see :func:`weighted_score`).
        weights: k indicator weights; the weights *within each dimension* sum to 100 %.
        dimensions: k dimension names, the dimension of each indicator column.
        dimension_weights: dimension name → weight; these sum to 100 % too.
        weight_sum: ``"strict"`` or ``"normalize"``, applied at both levels.

    A blank indicator re-weights the rest of its dimension; a dimension with no input
    re-weights the other dimensions. :attr:`Score.dimension_scores` gives each dimension's
    score.

    Example: value (60 %) = spend 80 @ 50 % + frequency 60 @ 50 %; relationship (40 %) =
    satisfaction 90 @ 100 % → 0.6 × 70 + 0.4 × 90 = 78::

        >>> multidimensional_score([80, 60, 90], [50, 50, 100], ["value", "value", "rel"],
        ...                        {"value": 60, "rel": 40}).value
        78.0
    """
    dims = [str(d) for d in dimensions]
    raw_w, _, _ = as_numbers(weights, "weight")
    raw_w = np.atleast_1d(raw_w)
    if len(dims) != raw_w.size:
        raise CrmError(
            f"{counted(raw_w.size, 'weight')} but {counted(len(dims), 'dimension name')}",
            "dimensions",
        )
    names = list(dimension_weights)
    unknown = sorted(set(dims) - set(names))
    if unknown:
        raise CrmError(f"no weight for dimension(s) {', '.join(unknown)}", "dimension_weights")
    unused = [d for d in names if d not in dims]
    if unused:
        raise CrmError(f"dimension(s) {', '.join(unused)} have no indicators", "dimension_weights")
    dim_w, warnings = as_fractions(
        [dimension_weights[d] for d in names],
        weight_sum=weight_sum,
        where="dimension weights",
        labels=names,
    )
    dim_of = np.array([names.index(d) for d in dims], dtype=np.int64)
    within = np.empty(raw_w.size)
    for j, d in enumerate(names):
        members = np.flatnonzero(dim_of == j)
        within[members], more = as_fractions(
            raw_w[members], weight_sum=weight_sum, where=f"weights in dimension {d}"
        )
        warnings += [f"dimension {d}: {m}" for m in more]
    matrix, cell_reasons, index, labels, single = _as_matrix(values, raw_w.size, labels)
    return _compute(
        matrix,
        cell_reasons,
        within,
        dim_of,
        dim_w,
        index=index,
        labels=labels,
        dimensions=names,
        single=single,
        min_indicators=min_indicators,
        warnings=warnings,
    )


def explain(score: Score, row: int = 0) -> Any:
    """One row's composite broken into contributions, as a DataFrame (largest first).

    Columns: ``indicator``, ``dimension``, ``value``, ``weight`` (% after re-weighting for
    blanks) and ``points`` (weight × value, what the indicator adds to the composite).

    Example::

        >>> explain(weighted_score([85, 75, 10, 70], [40, 30, 20, 10],
        ...         labels=["satisfaction", "retention", "growth", "feedback"]))[["indicator", "points"]]
              indicator  points
        0  satisfaction    34.0
        1     retention    22.5
        2      feedback     7.0
        3        growth     2.0
    """
    import pandas as pd

    eff, present = score.effective_weights()
    contributions = score.contributions
    if contributions.ndim == 2:
        contributions = contributions[row]
    table = pd.DataFrame(
        {
            "indicator": score.labels,
            "dimension": [score.dimensions[d] for d in score.dimension_of],
            "value": score.matrix[row],
            "weight": np.where(present[row], eff[row] * 100.0, np.nan),
            "points": contributions,
        }
    )
    return table.sort_values("points", ascending=False, na_position="last").reset_index(drop=True)
