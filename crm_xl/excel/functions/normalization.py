"""Scaling to 0-100 as worksheet functions: CRM_NORMALIZE, CRM_SCALE, CRM_FORM_SCORE and
CRM_MINMAX (the rules are :mod:`crm_xl.core.normalize`). The result has the shape of the
values; a blank value shows ``""``.

Example::

    >>> CRM_NORMALIZE(10, 30, 5)
    80.0
    >>> CRM_FORM_SCORE([[1, 3, 5]])
    [[0.0, 50.0, 100.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crm_xl.core import normalize
from crm_xl.core.result import Result
from crm_xl.excel.arguments import (
    cell_array,
    elementwise,
    number_arg,
    text_arg,
    worksheet_function,
)
from crm_xl.excel.cells import is_empty


@worksheet_function
def CRM_NORMALIZE(
    value: Any, floor: Any, target: Any, direction: Any = None, lang: Any = None
) -> Any:
    """Each value scaled to 0-100 between a floor (0) and a target (100), clamped."""
    d = None if is_empty(direction) else normalize.check_direction(direction)
    return elementwise(
        lambda v, f, t: normalize.linear(v, f, t, direction=d), value, floor, target, data=1
    )


@worksheet_function
def CRM_SCALE(
    values: Any,
    scale: Any,
    floor: Any = None,
    target: Any = None,
    direction: Any = None,
    among: Any = None,
    lang: Any = None,
) -> Any:
    """Each value scored 0-100 by the scorecard scale named (linear, form, minmax, score);
    ``among``, the whole column, is what minmax scales over (a formula per row).

    Example::

        >>> CRM_SCALE([[20]], "minmax", among=[[10], [20], [30]])
        50.0
    """
    kind = text_arg(scale, "")
    d = None if is_empty(direction) else normalize.check_direction(direction)
    low_high = (None if is_empty(floor) else floor, None if is_empty(target) else target)

    def score(v: np.ndarray) -> Any:
        if kind != "minmax" or among is None:
            return normalize.by_scale(v, kind, direction=d, floor=low_high[0], target=low_high[1])
        # the row's values with the whole column: the same min and max for every row
        pool = np.concatenate([v.reshape(-1), cell_array(among).reshape(-1)])
        whole = normalize.by_scale(pool, kind, direction=d)
        head = slice(0, v.size)
        return Result(
            whole.values[head].reshape(v.shape),
            whole.reasons[head].reshape(v.shape),
            name=whole.name,
        )

    return elementwise(score, values)


@worksheet_function
def CRM_FORM_SCORE(answers: Any, low: Any = None, high: Any = None, lang: Any = None) -> Any:
    """Each answer on a low-high scale (1-5 by default) mapped to 0-100."""
    lo, hi = number_arg(low, "low", 1.0), number_arg(high, "high", 5.0)
    return elementwise(lambda a: normalize.form_scale(a, lo, hi), answers)


@worksheet_function
def CRM_MINMAX(values: Any, direction: Any = None, lang: Any = None) -> Any:
    """Min-max scaling over the range itself: lowest 0, highest 100."""
    d = text_arg(direction, "higher")
    return elementwise(lambda v: normalize.min_max(v, direction=d), values)
