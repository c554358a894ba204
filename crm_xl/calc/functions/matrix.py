"""Excel's matrix functions: MMULT, MDETERM, MINVERSE (numbers only; numpy does the algebra).

Example::

    >>> from crm_xl.calc.values import Array
    >>> MMULT(Array([[1.0, 2.0]]), Array([[3.0], [4.0]]))
    Array([[11.0]])
"""

from __future__ import annotations

from typing import Any

from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import NUM, VALUE, Array, ErrorResult, XlError, grid_of


def _matrix(a: Any) -> list[list[float]]:
    rows = grid_of(a)
    out = []
    for row in rows:
        r = []
        for v in row:
            if v.__class__ is XlError:
                raise ErrorResult(v)
            if v.__class__ is not float:
                raise ErrorResult(VALUE)
            r.append(v)
        out.append(r)
    return out


@builtin("MMULT", "AA", lift=False)
def MMULT(a: Any, b: Any) -> Array:
    x, y = _matrix(a), _matrix(b)
    if len(x[0]) != len(y):
        raise ErrorResult(VALUE)
    return Array(
        [
            [sum(x[i][k] * y[k][j] for k in range(len(y))) for j in range(len(y[0]))]
            for i in range(len(x))
        ]
    )


def _det(m: list[list[float]]) -> float:
    import numpy as np

    return float(np.linalg.det(np.array(m, dtype=float)))


@builtin("MDETERM", "A", lift=False)
def MDETERM(a: Any) -> float:
    m = _matrix(a)
    if len(m) != len(m[0]):
        raise ErrorResult(VALUE)
    return _det(m)


@builtin("MINVERSE", "A", lift=False)
def MINVERSE(a: Any) -> Array:
    import numpy as np

    m = _matrix(a)
    if len(m) != len(m[0]):
        raise ErrorResult(VALUE)
    arr = np.array(m, dtype=float)
    if abs(np.linalg.det(arr)) < 1e-300:
        raise ErrorResult(NUM)
    return Array(np.linalg.inv(arr).tolist())
