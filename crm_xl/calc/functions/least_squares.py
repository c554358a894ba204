"""The least-squares fit behind LINEST, LOGEST, TREND and GROWTH, with Excel's statistics.

Excel's rules (Microsoft's LINEST page and its notes on the Office implementation,
MS-OI29500 §2.1.985):

- the fit is ``y = m1·x1 + … + mk·xk + b``; with ``const`` FALSE, ``b`` is 0;
- an x column that adds nothing to the others (collinear) is left out: coefficient 0,
  standard error 0, and the degrees of freedom count only the columns used;
- ``df = n − k − 1`` (``n − k`` without a constant), for the k columns used;
- the total sum of squares is ``Σ(y − ȳ)²``, or ``Σy²`` without a constant (which is why
  r² and F change with ``const``); ``ssreg = sstotal − ssresid``, ``r² = ssreg/sstotal``,
  ``F = (ssreg/k) / (ssresid/df)``, ``sey = √(ssresid/df)``.

Which of several collinear columns Excel leaves out depends on the pivoting of its own QR
decomposition, which is not documented: only a column that is all zeros (the one column
that can be left out) is handled; any other collinearity, or columns so nearly collinear
that the choice could go either way, is refused ("not evaluated"). So are statistics
that Excel would show as an error or with no certain value (no degree of freedom left,
points exactly on the fitted line, y all equal). Results are rounded to Excel's 15
significant digits. The normal equations are solved in exact rational arithmetic (a float
is an exact fraction), so an exact fit gives exact numbers and every statistic is the true
value rounded once, whatever the order of the data; above ``EXACT_LIMIT`` operations a QR
decomposition in floating point does it.

Example (Microsoft's LINEST page, example 1: slope 2, intercept 1)::

    >>> f = fit([[0.0, 4.0, 2.0, 3.0]], [1.0, 9.0, 5.0, 7.0], True)
    >>> f.coefficients, f.intercept
    ([2.0], 1.0)
    >>> f.predict([[5.0, 6.0]])
    [11.0, 13.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from crm_xl.calc.conversions import round15
from crm_xl.calc.values import Unsupported

NEAR_COLLINEAR = 1e-7  # smallest / largest singular value of the scaled, centred x columns
EXACT_LIMIT = 300_000  # n·p² above which the fit is done in floating point
EXACT_FIT = 1e-24  # (floating point) ssresid below this share of Σy² is an exact fit


@dataclass
class Fit:
    """A least-squares fit: ``coefficients`` in the order of the x columns (0 for a
    column left out) and ``intercept`` (0 without a constant), rounded to 15 digits;
    ``beta`` the solution for the columns used (then the constant) and ``inverse`` the
    inverse of the normal equations' matrix, exact fractions or floats."""

    coefficients: list[float]
    intercept: float
    used: list[bool]
    columns: list[list[float]]
    ys: list[float]
    const: bool
    name: str
    beta: list[Any]
    inverse: list[list[Any]]

    def raw_values(self, columns: list[list[float]]) -> list[float]:
        """:meth:`predict` before rounding to 15 digits (GROWTH takes exp of them)."""
        kept = [c for c, u in zip(columns, self.used, strict=True) if u]
        exact = isinstance(self.beta[0], Fraction) if self.beta else False
        num = Fraction if exact else float
        b = self.beta[-1] if self.const else num(0)
        m = len(columns[0]) if columns else 1
        out = []
        for i in range(m):
            terms = [beta * num(col[i]) for beta, col in zip(self.beta, kept, strict=False)]
            out.append(float(b + sum(terms, num(0))) if exact else b + math.fsum(terms))
        return out

    def predict(self, columns: list[list[float]]) -> list[float]:
        """The fitted values at new points, one list of values per x column.

        >>> fit([[1.0, 2.0, 3.0]], [2.0, 4.0, 6.0], False).predict([[10.0]])
        [20.0]
        """
        return [round15(v) for v in self.raw_values(columns)]

    def statistics(self) -> tuple[list[float], float | None, list[float]]:
        """The standard errors of the coefficients (x order) and of the intercept (None
        without a constant), and ``[r², sey, F, df, ssreg, ssresid]``.

        >>> se, se_b, (r2, sey, f, df, ssreg, ssresid) = fit(
        ...     [[1.0, 2.0, 3.0, 4.0]], [2.0, 3.0, 5.0, 6.0], True).statistics()
        >>> r2, f, df, ssreg, ssresid
        (0.98, 98.0, 2.0, 9.8, 0.2)
        """
        name, n = self.name, len(self.ys)
        k = sum(self.used)
        df = n - k - (1 if self.const else 0)
        if k == 0:
            raise Unsupported(f"{name} statistics with every x column left out", name)
        if df <= 0:
            raise Unsupported(f"{name} statistics with no degree of freedom left", name)
        exact = isinstance(self.beta[0], Fraction)
        num = Fraction if exact else float
        ys = [num(y) for y in self.ys]
        kept = [[num(v) for v in c] for c, u in zip(self.columns, self.used, strict=True) if u]
        b = self.beta[-1] if self.const else num(0)
        resid = [
            y - b - sum((beta * col[i] for beta, col in zip(self.beta, kept, strict=False)), num(0))
            for i, y in enumerate(ys)
        ]
        ss_resid = sum((r * r for r in resid), num(0))
        ybar = sum(ys, num(0)) / n if self.const else num(0)
        ss_total = sum(((y - ybar) ** 2 for y in ys), num(0))
        if ss_total == 0:
            raise Unsupported(f"{name} statistics of y values that are all equal", name)
        if ss_resid == 0 or (not exact and ss_resid <= EXACT_FIT * sum(y * y for y in ys)):
            raise Unsupported(
                f"{name} statistics of points exactly on the fit (F is infinite)", name
            )
        ss_reg = ss_total - ss_resid
        sey2 = ss_resid / df
        se_used = iter(math.sqrt(float(sey2 * self.inverse[i][i])) for i in range(k))
        se = [round15(next(se_used)) if u else 0.0 for u in self.used]
        se_b = round15(math.sqrt(float(sey2 * self.inverse[k][k]))) if self.const else None
        f_stat = ss_reg * df / (k * ss_resid)
        stats = [ss_reg / ss_total, math.sqrt(float(sey2)), f_stat, df, ss_reg, ss_resid]
        return se, se_b, [round15(float(v)) for v in stats]


def _solve_exact(design: list[list[float]], ys: list[float]) -> tuple[list[Any], list[list[Any]]]:
    """β and (DᵀD)⁻¹ for the design columns D, in fractions (Gauss-Jordan elimination)."""
    cols = [[Fraction(v) for v in c] for c in design]
    y = [Fraction(v) for v in ys]
    p = len(cols)
    a = [
        [sum((u * v for u, v in zip(ci, cj, strict=True)), Fraction(0)) for cj in cols]
        for ci in cols
    ]
    c = [sum((u * v for u, v in zip(ci, y, strict=True)), Fraction(0)) for ci in cols]
    inv = [[Fraction(int(i == j)) for j in range(p)] for i in range(p)]
    for j in range(p):
        pivot = next(i for i in range(j, p) if a[i][j] != 0)  # DᵀD is positive definite
        a[j], a[pivot], inv[j], inv[pivot] = a[pivot], a[j], inv[pivot], inv[j]
        d = a[j][j]
        a[j] = [v / d for v in a[j]]
        inv[j] = [v / d for v in inv[j]]
        for i in range(p):
            if i != j and a[i][j] != 0:
                f = a[i][j]
                a[i] = [u - f * v for u, v in zip(a[i], a[j], strict=True)]
                inv[i] = [u - f * v for u, v in zip(inv[i], inv[j], strict=True)]
    beta = [sum((inv[i][j] * c[j] for j in range(p)), Fraction(0)) for i in range(p)]
    return beta, inv


def _solve_float(design: list[list[float]], ys: list[float]) -> tuple[list[Any], list[list[Any]]]:
    """β and (DᵀD)⁻¹ by a QR decomposition of D, in floating point."""
    import numpy as np

    q, r = np.linalg.qr(np.array(design, dtype=float).T)
    beta = np.linalg.solve(r, q.T @ np.array(ys, dtype=float))
    rinv = np.linalg.inv(r)
    return beta.tolist(), (rinv @ rinv.T).tolist()


def fit(columns: list[list[float]], ys: list[float], const: bool, name: str = "LINEST") -> Fit:
    """Fit ``ys`` to the x ``columns`` (each a list as long as ``ys``) by least squares,
    leaving out the columns that are all zeros; other collinear columns are refused.

    >>> f = fit([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]], [2.0, 3.0, 5.0, 6.0], True)
    >>> f.coefficients, f.intercept, f.used
    ([1.4, 0.0], 0.5, [True, False])
    """
    import numpy as np

    used = [any(v != 0.0 for v in col) for col in columns]
    kept = [c for c, u in zip(columns, used, strict=True) if u]
    n = len(ys)
    if const:
        for col in kept:
            if all(v == col[0] for v in col):
                raise Unsupported(f"{name} of an x column whose values are all equal", name)
    if kept:
        x = np.array(kept, dtype=float).T
        xc = x - x.mean(axis=0) if const else x
        sv = np.linalg.svd(xc / np.linalg.norm(xc, axis=0), compute_uv=False)
        if len(sv) < len(kept) or len(kept) > n - const or sv[-1] < NEAR_COLLINEAR * sv[0]:
            raise Unsupported(
                f"{name} of collinear x columns (which one Excel leaves out is not documented)",
                name,
            )
    design = kept + ([[1.0] * n] if const else [])
    if not design:
        beta: list[Any] = []
        inverse: list[list[Any]] = []
    elif n * len(design) ** 2 <= EXACT_LIMIT:
        beta, inverse = _solve_exact(design, ys)
    else:
        beta, inverse = _solve_float(design, ys)
    it = iter(beta)
    coef = [round15(float(next(it))) if u else 0.0 for u in used]
    b = round15(float(beta[-1])) if const else 0.0
    return Fit(coef, b, used, columns, ys, const, name, beta, inverse)
