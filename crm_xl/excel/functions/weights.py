"""Weights from judgements or data as worksheet functions: CRM_AHP, CRM_AHP_CR and
CRM_ENTROPY_WEIGHTS (the methods are :mod:`crm_xl.core.weight_methods`).

Example::

    >>> CRM_AHP([[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]], "consistent")
    True
    >>> CRM_ENTROPY_WEIGHTS([[1, 5], [2, 5], [3, 5]])
    [[1.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

from crm_xl.core import normalize
from crm_xl.core.weight_methods import ahp_weights, entropy_weights
from crm_xl.excel.arguments import text_arg, worksheet_function
from crm_xl.excel.cells import flat, grid, is_empty

_AHP_OUTPUTS = ("weights", "cr", "ci", "lambda_max", "consistent")


@worksheet_function
def CRM_AHP(matrix: Any, output: Any = None, lang: Any = None) -> Any:
    """AHP weights of a pairwise-comparison matrix (a column), or one of its consistency figures."""
    what = text_arg(output, "weights").lower()
    if what not in _AHP_OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(_AHP_OUTPUTS)}, got {output!r}")
    result = ahp_weights(grid(matrix))
    if what == "weights":
        return [[float(w)] for w in result.weights]
    return bool(result.consistent) if what == "consistent" else float(getattr(result, what))


@worksheet_function
def CRM_AHP_CR(matrix: Any, lang: Any = None) -> Any:
    """The consistency ratio of an AHP pairwise-comparison matrix."""
    return CRM_AHP(matrix, "cr")


@worksheet_function
def CRM_ENTROPY_WEIGHTS(matrix: Any, directions: Any = None, lang: Any = None) -> Any:
    """Entropy weights of the data's indicator columns (a row)."""
    dirs = (
        None if is_empty(directions) else [normalize.check_direction(d) for d in flat(directions)]
    )
    result = entropy_weights(grid(matrix), directions=dirs)
    return [[float(w) for w in result.weights]]
