"""How the ``CRM_*`` implementations read their arguments and report a problem with them.

A worksheet function never raises (:func:`worksheet_function`): a problem with the whole
call — weights that do not fit the values, ranges of different sizes, an argument that is
not TRUE/FALSE — becomes one error text, the way a cell shows it (:mod:`crm_xl.excel.cells`).
Problems with single cells stay per cell: the core's results carry them. Every error
text is then given in the language of the function's ``lang`` argument
(:func:`crm_xl.excel.cells.in_language`), here, for every binding alike.

Example::

    >>> @worksheet_function
    ... def HALF(x):
    ...     return number_arg(x, "x", 0.0) / 2
    >>> HALF(3), HALF("three")
    (1.5, "#VALUE! x must be a number, got 'three'")
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from crm_xl.errors import CrmError
from crm_xl.excel.cells import (
    all_empty,
    error_text,
    flat,
    grid,
    in_language,
    is_empty,
    language,
    show,
)

#: How to fix weights that do not sum to 100 %, said by CRM_SCORE and CRM_EXPLAIN.
WEIGHTS_HINT = "fix them, or set the normalize argument to TRUE to rescale them"


def worksheet_function(impl: Callable[..., Any]) -> Callable[..., Any]:
    """``impl`` as a worksheet function: any problem it raises becomes error text, and every
    error text is in the language of its ``lang`` argument (English when omitted).

    Example::

        >>> @worksheet_function
        ... def ANSWER(x, lang=None):
        ...     return number_arg(x, "x", 0.0)
        >>> print(ANSWER("7", "zh"))
        #VALUE! x 须为数字,实为 '7'
        >>> print(ANSWER("7", "fr"))
        #VALUE! lang must be "en" or "zh", got 'fr'
    """
    params = list(inspect.signature(impl).parameters)
    at = params.index("lang") if "lang" in params else None

    def translated(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # one place for both ways a call can fail: raised problems and per-cell results
        try:
            return impl(*args, **kwargs)
        except CrmError as err:
            # "weights: weights sum to 90" reads twice; keep the place only when it adds something
            return error_text(
                "; ".join(
                    p.message if p.where.split("[")[0] in p.message else str(p)
                    for p in err.problems
                )
            )
        except ValueError as err:
            return error_text(str(err))

    @functools.wraps(impl)
    def safe(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("lang") if at is None or len(args) <= at else args[at]
        try:
            lang = language(given)
        except ValueError as err:
            return error_text(str(err))
        return in_language(translated(args, kwargs), lang)

    return safe


def flag(value: Any, name: str) -> bool:
    """An optional TRUE/FALSE argument (omitted = FALSE).

    Example::

        >>> flag(None, "normalize"), flag(True, "normalize"), flag(0, "normalize")
        (False, True, False)
    """
    if is_empty(value) or value is False or value == 0:
        return False
    if value is True or value == 1:
        return True
    raise ValueError(f"{name} must be TRUE or FALSE, got {value!r}")


def text_arg(value: Any, default: str) -> str:
    """An optional text argument, trimmed (omitted = ``default``)."""
    return default if is_empty(value) else str(value).strip()


def number_arg(value: Any, name: str, default: float) -> float:
    """An optional number argument (omitted = ``default``); TRUE/FALSE and text are refused."""
    if is_empty(value):
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def cell_array(value: Any) -> np.ndarray:
    """A cell or range as a 2-D object array (for the core's per-cell rules).

    Example::

        >>> cell_array(5).shape, cell_array([[1, 2], [3, 4]]).shape
        ((1, 1), (2, 2))
    """
    g = grid(value)
    return np.array(g, dtype=object).reshape(len(g), len(g[0]) if g and g[0] else 0)


def elementwise(fn: Callable[..., Any], *args: Any, data: int | None = None) -> Any:
    """Apply a vectorised core function cell by cell over same-sized ranges (or single cells).

    A cell shows ``""`` where its inputs are all empty — or, with ``data=n``, where the first
    ``n`` arguments (the data, not the settings such as floor and target) are empty.
    """
    arrays = [cell_array(a) for a in args]
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        sizes = " and ".join(f"{a.shape[0]}×{a.shape[1]}" for a in arrays)
        raise ValueError(
            f"the ranges must be the same size (or single cells), got {sizes}"
        ) from None
    return show(fn(*arrays), blank=all_empty(*args[:data]))


def rows_and_weights(values: Any, weights: Any) -> tuple[list[list[Any]], list[Any]]:
    """Customers as rows × indicators, and the weights; a single column with one weight per
    cell is one customer laid out vertically (the self-assessment form's layout).

    Example::

        >>> rows_and_weights([[85], [75]], [[40], [60]])
        ([[85, 75]], [40, 60])
    """
    rows, w = grid(values), flat(weights)
    width = len(rows[0]) if rows else 0
    if width == len(w):
        return rows, w
    if width == 1 and len(rows) == len(w):
        return [[r[0] for r in rows]], w
    raise ValueError(
        f"values have {width} column(s) per row but there are {len(w)} weights: "
        "give one weight per indicator column"
    )


def blank_rows(rows: list[list[Any]]) -> list[bool]:
    """Per row: True where every cell is empty (the row shows ``""``)."""
    # a row whose first cell holds a number is not blank: decided without a call
    return [
        False
        if (first := row[0] if row else None).__class__ is float and first == first
        else all(map(is_empty, row))
        for row in rows
    ]
