"""Composite scores as worksheet functions: CRM_SCORE, CRM_MULTISCORE, CRM_INDICATORS_USED
and CRM_EXPLAIN (the computation is :mod:`crm_xl.core.scoring`).

Values arrive as rows × indicators, one customer per row; a single column with one weight
per cell is one customer (the self-assessment form). A blank row shows ``""``.

Example::

    >>> CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]])
    65.5
    >>> CRM_SCORE([[85, 75, 10, 70], [80, None, 20, 60]], [[40, 30, 20, 10]])
    [[65.5], [60.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crm_xl.core.scoring import multidimensional_score, weighted_score
from crm_xl.core.weights import as_fractions
from crm_xl.excel.arguments import (
    WEIGHTS_HINT,
    blank_rows,
    flag,
    rows_and_weights,
    worksheet_function,
)
from crm_xl.excel.cells import column, error_text, flat, is_empty, show


@worksheet_function
def CRM_SCORE(values: Any, weights: Any, normalize: Any = False, lang: Any = None) -> Any:
    """Per row: Σ value × weight over the indicators that have a value (blanks re-weighted)."""
    rows, w = rows_and_weights(values, weights)
    mode = "normalize" if flag(normalize, "normalize") else "strict"
    as_fractions(w, weight_sum=mode, fix_hint=WEIGHTS_HINT)
    score = weighted_score(rows, w, weight_sum=mode)
    return show(score, blank=np.array(blank_rows(rows)).reshape(score.values.shape))


@worksheet_function
def CRM_MULTISCORE(
    values: Any,
    weights: Any,
    dimensions: Any,
    dimension_names: Any,
    dimension_weights: Any,
    lang: Any = None,
) -> Any:
    """Per row: indicators weighted within their dimension, then the dimensions weighted."""
    rows, w = rows_and_weights(values, weights)
    names, dim_w = [str(n) for n in flat(dimension_names)], flat(dimension_weights)
    if len(names) != len(dim_w):
        raise ValueError(f"{len(names)} dimension names but {len(dim_w)} dimension weights")
    score = multidimensional_score(
        rows, w, [str(d) for d in flat(dimensions)], dict(zip(names, dim_w, strict=True))
    )
    return show(score, blank=np.array(blank_rows(rows)).reshape(score.values.shape))


@worksheet_function
def CRM_INDICATORS_USED(values: Any, weights: Any, lang: Any = None) -> Any:
    """Per row: how many indicators CRM_SCORE used (the non-blank ones)."""
    rows, _ = rows_and_weights(values, weights)
    return column(
        [
            float(sum(not is_empty(c) for c in row)) if not blank else ""
            for row, blank in zip(rows, blank_rows(rows), strict=True)
        ]
    )


@worksheet_function
def CRM_EXPLAIN(values: Any, weights: Any, normalize: Any = False, lang: Any = None) -> Any:
    """Per row: each indicator's points in CRM_SCORE (weight × value after re-weighting)."""
    rows, w = rows_and_weights(values, weights)
    mode = "normalize" if flag(normalize, "normalize") else "strict"
    as_fractions(w, weight_sum=mode, fix_hint=WEIGHTS_HINT)
    score = weighted_score(rows, w, weight_sum=mode)
    points = np.atleast_2d(score.contributions)
    reasons = np.atleast_1d(score.reasons)
    out = []
    for i in range(len(rows)):
        if reasons[i] is not None:
            out.append([error_text(reasons[i])] + [""] * (len(w) - 1))
        else:
            out.append(["" if np.isnan(p) else float(p) for p in points[i]])
    return out
