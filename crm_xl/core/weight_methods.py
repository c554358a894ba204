"""Deriving indicator weights: AHP (层次分析法) and the entropy weight method (熵权法).

The two formal methods Chinese practice uses to set scorecard weights (docs/domain.md):

* :func:`ahp_weights` — the analytic hierarchy process. Experts compare the indicators in
  pairs on Saaty's 1–9 scale; the weights are the principal right eigenvector of the
  pairwise-comparison matrix, and the consistency ratio CR = CI / RI says whether the
  judgements hang together (CR < 0.1) or should be revised.
  Saaty, T.L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill, New York;
  Saaty, T.L. (1990) "How to make a decision: the analytic hierarchy process",
  *European Journal of Operational Research* 48(1), 9–26;
  Saaty, T.L. (2008) "Decision making with the analytic hierarchy process",
  *Int. J. Services Sciences* 1(1), 83–98.
* :func:`entropy_weights` — the entropy weight method: an indicator whose values differ more
  across the rows (customers, periods) carries more information and gets more weight.
  Min–max normalised values r_ij, p_ij = r_ij / Σ_i r_ij, e_j = −(1/ln n) Σ_i p_ij ln p_ij,
  d_j = 1 − e_j, w_j = d_j / Σ_j d_j — the form of Shannon's entropy used as a weighting
  method in multi-attribute decision making (Zeleny, M. (1982) *Multiple Criteria Decision
  Making*, McGraw-Hill; Hwang, C.-L. & Yoon, K. (1981) *Multiple Attribute Decision Making*,
  Springer, LNEMS 186).

Both return frozen result objects with the weights (summing to 1), the intermediate values a
report shows, :meth:`as_percent` for a scorecard, and a one-paragraph :meth:`summary`.
Input a user can fix (a text cell, a non-reciprocal judgement, a blank) raises
:class:`~crm_xl.errors.CrmError` listing every problem with its 1-based row and column.
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from crm_xl.core.inputs import describe_non_number, is_missing
from crm_xl.errors import CrmError, Problem, counted

__all__ = [
    "CR_THRESHOLD",
    "RANDOM_INDEX",
    "RECIPROCAL_TOLERANCE",
    "AhpResult",
    "EntropyResult",
    "ahp_weights",
    "entropy_weights",
]

# Saaty's random index RI(n): the mean consistency index CI of randomly filled reciprocal
# matrices of order n on the 1–9 scale. Values of Saaty, T.L. (1980) The Analytic Hierarchy
# Process, McGraw-Hill, and Saaty (1990) EJOR 48, 9–26 (the table most Chinese textbooks print
# as 平均随机一致性指标 RI). Checked against the table reproduced in an IWA Publishing journal
# article (https://iwaponline.com/view-large/3120630, "Table 2", n = 1…8: 0, 0, 0.58, 0.9,
# 1.12, 1.24, 1.32, 1.41) and, for n = 9 and 10 (1.45, 1.49), against implementations that cite
# Saaty & Tran (2007) Mathematical and Computer Modelling 46(7–8), 962–975. Later simulations
# give slightly different values (some tables print 1.51 for n = 10); we keep Saaty's.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}

# Saaty's rule: judgements with CR < 0.1 are acceptable; otherwise revise them.
CR_THRESHOLD = 0.1

# A judgement and its mirror must multiply to 1 within this relative tolerance. Users type
# 1/3 as 0.333 and 1/6 as 0.167 (0.2 % off); every 1/k of the 1–9 scale rounded to three
# decimals is within 0.45 %, so 0.5 % accepts those and still catches 0.33 for 1/3 (1 % off)
# and real slips (2 where 1/2 was meant).
RECIPROCAL_TOLERANCE = 5e-3

_DIAGONAL_TOLERANCE = 1e-9
# Entropy: a column whose range is below this fraction of its magnitude counts as constant.
_CONSTANT_TOLERANCE = 1e-12
_DIRECTIONS = ("higher", "lower")


# -- shared helpers ----------------------------------------------------------------------
def _as_rows(matrix: Any, what: str) -> tuple[list[list[Any]], list[str] | None, list[Any]]:
    """Return ``(rows, column labels from a DataFrame or None, row labels or [])``."""
    if hasattr(matrix, "columns") and hasattr(matrix, "to_numpy"):  # pandas DataFrame
        rows = matrix.to_numpy(dtype=object).tolist()
        return rows, [str(c) for c in matrix.columns], list(matrix.index)
    if isinstance(matrix, np.ndarray):
        if matrix.ndim != 2:
            raise CrmError(
                f"needs a table (rows × columns), got an array with {matrix.ndim} dimension(s)",
                what,
            )
        return matrix.tolist(), None, []
    if isinstance(matrix, (str, bytes)) or not isinstance(matrix, Sequence):
        raise CrmError(f"needs a table (a list of rows), got {type(matrix).__name__}", what)

    def is_row(row: Any) -> bool:
        return not isinstance(row, (str, bytes)) and hasattr(row, "__iter__")

    if len(matrix) and not any(is_row(row) for row in matrix):
        raise CrmError(
            f"needs a table (a list of rows), got a flat list of {counted(len(matrix), 'value')}",
            what,
        )
    rows: list[list[Any]] = []
    problems = []
    for i, row in enumerate(matrix, start=1):
        if not is_row(row):
            problems.append(Problem(f"row {i}", f"must be a list of values, got {row!r}"))
            rows.append([])
        else:
            rows.append(list(row))
    if problems:
        raise CrmError(problems)
    return rows, None, []


def _check_labels(labels: Sequence[Any] | None, n: int, what: str) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        raise CrmError("must be a list of names, one per column, not a single string", "labels")
    out = [str(x) for x in labels]
    if len(out) != n:
        raise CrmError(f"{counted(len(out), 'label')} given for {n} {what}", "labels")
    return out


def _percent(weights: np.ndarray, decimals: int | None) -> np.ndarray:
    """Weights × 100; rounded by largest remainder so the rounded values still sum to 100."""
    pct = np.asarray(weights, dtype=float) * 100.0
    if decimals is None:
        return pct
    unit = 10.0**decimals
    scaled = pct * unit
    floors = np.floor(scaled + 1e-9)
    short = round(100.0 * unit - floors.sum())
    if short > 0:
        order = np.argsort(-(scaled - floors), kind="stable")
        floors[order[:short]] += 1
    return np.round(floors / unit, decimals)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _name_list(labels: Sequence[str], values: np.ndarray) -> str:
    return ", ".join(f"{lab} {v:.1f} %" for lab, v in zip(labels, values, strict=True))


# -- AHP -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AhpResult:
    """Weights from an AHP pairwise-comparison matrix, with Saaty's consistency check.

    Attributes:
        weights: principal right eigenvector of the matrix, normalised to sum to 1.
        lambda_max: the principal (largest real) eigenvalue λmax.
        ci: consistency index CI = (λmax − n) / (n − 1).
        ri: Saaty's random index RI for this n (:data:`RANDOM_INDEX`).
        cr: consistency ratio CR = CI / RI; 0 for n ≤ 2 (such matrices are always consistent).
        consistent: ``cr < 0.1`` (:data:`CR_THRESHOLD`).
        labels: one name per criterion ("C1", "C2", … when none were given).
        matrix: the comparison matrix used (each pair's entry ≥ 1 as typed, its mirror the
            exact reciprocal).
        worst: 1-based ``(row, column)`` of the judgement that departs most from the derived
            weights (largest a_ij · w_j / w_i) — the first one to reconsider when CR ≥ 0.1;
            ``None`` for n = 2.
        warning: (property) a sentence when the judgements are inconsistent, else ``None``.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    labels: tuple[str, ...]
    matrix: np.ndarray
    worst: tuple[int, int] | None = None

    @property
    def n(self) -> int:
        """Number of criteria."""
        return len(self.weights)

    @property
    def warning(self) -> str | None:
        """Why these weights should not be used yet (CR ≥ 0.1), or ``None``."""
        if self.consistent:
            return None
        return f"CR = {self.cr:.3f} ≥ {CR_THRESHOLD}: {self._advice('en')}"

    def _advice(self, lang: str) -> str:
        i, j = self.worst if self.worst is not None else (1, 2)
        entered = _fmt(float(self.matrix[i - 1, j - 1]))
        implied = float(self.weights[i - 1] / self.weights[j - 1])
        pair = f"{self.labels[i - 1]} vs {self.labels[j - 1]}"
        if lang == "zh":
            return (
                "判断矩阵未通过一致性检验，请修正两两比较判断后再使用这些权重。"
                f"与权重偏离最大的判断在第 {i} 行第 {j} 列（{pair}）："
                f"输入 {entered}，权重隐含约 {implied:.2g}。"
            )
        return (
            "the pairwise judgements are inconsistent and should be revised before these "
            f"weights are used. The judgement furthest from the derived weights is row {i}, "
            f"column {j} ({pair}): entered {entered}, the weights imply about {implied:.2g}."
        )

    def as_percent(self, decimals: int | None = None) -> np.ndarray:
        """The weights in percent; with ``decimals``, rounded so they still sum to exactly 100.

        Example::

            >>> ahp_weights([[1, 2], [0.5, 1]]).as_percent(1)
            array([66.7, 33.3])
        """
        return _percent(self.weights, decimals)

    def as_dict(self) -> dict[str, float]:
        """``{label: weight}``, weights as fractions summing to 1."""
        return {lab: float(w) for lab, w in zip(self.labels, self.weights, strict=True)}

    def summary(self, lang: str = "en") -> str:
        """Weights, λmax, CI, RI, CR and the consistency verdict, in English or Chinese.

        Example::

            >>> print(ahp_weights([[1, 2], [0.5, 1]], labels=["A", "B"]).summary())
            AHP weights (Saaty eigenvector, n = 2): A 66.7 %, B 33.3 %. λmax = 2.0000, CI = 0.0000, RI = 0.00, CR = 0.000: a 2 × 2 matrix is always consistent.
        """
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
        pct = self.as_percent(1)
        stats = (
            f"λmax = {self.lambda_max:.4f}, CI = {self.ci:.4f}, RI = {self.ri:.2f}, "
            f"CR = {self.cr:.3f}"
        )
        if lang == "zh":
            head = f"AHP 权重（特征向量法，n = {self.n}）：{_name_list(self.labels, pct)}。{stats}"
            if self.n <= 2:
                return head + "：二阶判断矩阵总是一致的。"
            if self.consistent:
                return head + f" < {CR_THRESHOLD}：判断矩阵通过一致性检验。"
            return head + f" ≥ {CR_THRESHOLD}：{self._advice('zh')}"
        head = f"AHP weights (Saaty eigenvector, n = {self.n}): {_name_list(self.labels, pct)}. {stats}"
        if self.n <= 2:
            return head + f": a {self.n} × {self.n} matrix is always consistent."
        if self.consistent:
            return head + f" < {CR_THRESHOLD}: the judgements are acceptably consistent."
        return head + f" ≥ {CR_THRESHOLD}: {self._advice('en')}"

    def __repr__(self) -> str:
        verdict = "consistent" if self.consistent else "INCONSISTENT"
        ws = ", ".join(f"{lab}={w:.4f}" for lab, w in zip(self.labels, self.weights, strict=True))
        return f"AhpResult({ws}; CR={self.cr:.4f}, {verdict})"


def _parse_judgement(x: Any) -> tuple[float | None, str | None]:
    """A cell of a comparison matrix → ``(value, None)`` or ``(None, why it is unusable)``.

    Numbers are numbers; text may be a number ("0.333") or a fraction ("1/3", also with the
    full-width characters of a Chinese input method, "１／３").
    """
    if isinstance(x, (bool, np.bool_)):
        return None, describe_non_number(x)
    if isinstance(x, numbers.Number):
        v = float(x)  # type: ignore[arg-type]
        return (None, "is blank") if math.isnan(v) else (v, None)
    if is_missing(x):
        return None, "is blank"
    if isinstance(x, str):
        text = unicodedata.normalize("NFKC", x).strip().replace(" ", "")
        try:
            if text.count("/") == 1:
                num, den = (float(part) for part in text.split("/"))
                if den == 0:
                    return None, f"{x!r} divides by zero"
                return num / den, None
            return float(text), None
        except ValueError:
            return None, f"{describe_non_number(x)} (write a judgement as 3, 0.333 or 1/3)"
    return None, describe_non_number(x)


def _fmt(v: float) -> str:
    """A judgement as a user would write it: 3, 0.5, or 1/3 for reciprocals of integers."""
    if v >= 1 or v <= 0:
        return f"{v:g}"
    k = 1.0 / v
    if abs(k - round(k)) < 1e-9:
        return f"1/{round(k)}"
    return f"{v:.4g}"


def ahp_weights(matrix: Any, labels: Sequence[Any] | None = None) -> AhpResult:
    """Weights from a pairwise-comparison matrix by Saaty's principal eigenvector method.

    ``matrix[i][j]`` (a_ij) says how much more important criterion i is than criterion j on
    Saaty's 1–9 scale; the matrix must be positive and reciprocal (a_ji = 1/a_ij, a_ii = 1).
    Entries may be numbers or text as typed in a spreadsheet ("3", "1/3", "0.333").

    Formulas::

        A w = λmax w,  w = principal right eigenvector, normalised so Σ w_i = 1
        CI = (λmax − n) / (n − 1),   CR = CI / RI(n)   (CR = 0 for n ≤ 2)
        consistent  ⇔  CR < 0.1

    A judgement typed as a rounded reciprocal (0.333 for 1/3) is accepted when it is within
    :data:`RECIPROCAL_TOLERANCE` of the exact reciprocal of its mirror; the computation then
    keeps the entry ≥ 1 of each pair as typed and uses its exact reciprocal for the other, so
    0.333 and 1/3 give the same weights.

    Inconsistent judgements (CR ≥ 0.1) are flagged in ``warning`` and :meth:`AhpResult.summary`,
    not raised: the weights are still the eigenvector of the judgements entered.

    Raises :class:`CrmError` listing every problem with its 1-based position ("row 2,
    column 3"): a matrix that is not square, fewer than 2 or more than 10 criteria (the RI
    table's range), blank, non-numeric, non-positive or infinite entries, a diagonal entry
    that is not 1, a pair that is not reciprocal.

    ``labels`` name the criteria (by default the columns of a DataFrame, else C1, C2, …).

    Example (the service-industry criteria of docs/domain.md, judged in pairs)::

        >>> r = ahp_weights([[1, 3, 5], ["1/3", 1, 3], [0.2, 0.333, 1]],
        ...                 labels=["满意度", "响应速度", "忠诚度"])
        >>> r.weights.round(3)
        array([0.637, 0.258, 0.105])
        >>> round(r.cr, 3), r.consistent
        (0.033, True)
        >>> r.as_percent(1)
        array([63.7, 25.8, 10.5])
    """
    rows, frame_labels, row_index = _as_rows(matrix, "matrix")
    n = len(rows)
    problems: list[Problem] = []

    # shape
    widths = {len(r) for r in rows}
    if n == 0:
        raise CrmError("the matrix is empty: it needs one row and one column per criterion")
    if widths != {n}:
        if len(widths) == 1:
            problems.append(
                Problem(
                    "matrix",
                    f"has {counted(n, 'row')} and {counted(widths.pop(), 'column')}; a pairwise-comparison matrix "
                    "must be square (one row and one column per criterion)",
                )
            )
        else:
            for i, r in enumerate(rows, start=1):
                if len(r) != n:
                    problems.append(
                        Problem(
                            f"row {i}",
                            f"has {counted(len(r), 'entry', 'entries')}; a {n} × {n} matrix needs {n} in every row",
                        )
                    )
    square = not problems
    if n < 2:
        problems.append(Problem("matrix", f"has {n} criterion; AHP needs at least 2"))
    elif n > max(RANDOM_INDEX):
        problems.append(
            Problem(
                "matrix",
                f"has {n} criteria; Saaty's random index table covers at most "
                f"{max(RANDOM_INDEX)}: group the criteria into a hierarchy of smaller matrices",
            )
        )

    names: list[str] | None = None
    try:
        names = _check_labels(labels, n, "criteria") if labels is not None else frame_labels
    except CrmError as e:
        problems.extend(e.problems)
    if labels is None and frame_labels is not None and row_index and square:
        default_index = list(row_index) == list(range(n))
        if not default_index and [str(x) for x in row_index] != frame_labels:
            problems.append(
                Problem(
                    "matrix",
                    "row labels and column labels differ ("
                    f"{', '.join(map(str, row_index))} vs {', '.join(frame_labels)}); "
                    "criterion i must be row i and column i",
                )
            )

    def where(i: int, j: int) -> str:
        base = f"row {i + 1}, column {j + 1}"
        if names is not None and square and i < len(names) and j < len(names):
            return f"{base} ({names[i]} vs {names[j]})"
        return base

    # entries: parse every cell first, then report cell problems in reading order
    values = [[math.nan] * len(r) for r in rows]
    blank: list[tuple[int, int]] = []
    cell_problems: list[tuple[tuple[int, int], Problem]] = []
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            v, why = _parse_judgement(cell)
            if why == "is blank":
                blank.append((i, j))
            elif why is not None:
                cell_problems.append(((i, j), Problem(where(i, j), why)))
            elif v is None or math.isinf(v):
                cell_problems.append(((i, j), Problem(where(i, j), f"{cell!r} is not finite")))
            elif v <= 0:
                msg = f"{_fmt(v)} must be positive (Saaty's scale runs from 1/9 to 9)"
                cell_problems.append(((i, j), Problem(where(i, j), msg)))
            else:
                values[i][j] = v
    for i, j in blank:
        msg = "is blank: every cell needs a judgement"
        if i == j:
            msg += " (the diagonal is 1)"
        elif square and not math.isnan(values[j][i]):
            mirror = values[j][i]
            msg += (
                f" (here {_fmt(1.0 / mirror)}, the reciprocal of row {j + 1}, column {i + 1}, "
                f"which is {_fmt(mirror)})"
            )
        cell_problems.append(((i, j), Problem(where(i, j), msg)))

    if square:
        for i in range(n):
            v = values[i][i]
            if not math.isnan(v) and abs(v - 1.0) > _DIAGONAL_TOLERANCE:
                msg = f"is {_fmt(v)}; the diagonal must be 1 (a criterion compared with itself)"
                cell_problems.append(((i, i), Problem(where(i, i), msg)))
        for i in range(n):
            for j in range(i + 1, n):
                a_ij, a_ji = values[i][j], values[j][i]
                if math.isnan(a_ij) or math.isnan(a_ji):
                    continue
                if abs(a_ij * a_ji - 1.0) > RECIPROCAL_TOLERANCE:
                    expected = 1.0 / a_ij
                    approx = f"{expected:.4g}"
                    shown = _fmt(expected) + ("" if _fmt(expected) == approx else f" (≈ {approx})")
                    msg = (
                        f"{_fmt(a_ji)} is not the reciprocal of row {i + 1}, column {j + 1} "
                        f"({_fmt(a_ij)}): expected {shown}"
                    )
                    cell_problems.append(((j, i), Problem(where(j, i), msg)))
    cell_problems.sort(key=lambda item: item[0])
    problems.extend(p for _, p in cell_problems)
    if problems:
        raise CrmError(problems)

    a = np.array(values, dtype=float)
    # Keep the entry ≥ 1 of each pair as typed, its mirror exactly reciprocal.
    for i in range(n):
        a[i, i] = 1.0
        for j in range(i + 1, n):
            if a[i, j] >= a[j, i]:
                a[j, i] = 1.0 / a[i, j]
            else:
                a[i, j] = 1.0 / a[j, i]

    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))  # Perron root: real, and the largest (Perron–Frobenius)
    lambda_max = float(eigenvalues[k].real)
    vec = eigenvectors[:, k].real
    weights = vec / vec.sum()  # also fixes the sign: the Perron vector has one sign

    ri = RANDOM_INDEX[n]
    ci = (lambda_max - n) / (n - 1)
    if abs(ci) < 1e-12:  # float noise around a perfectly consistent matrix
        ci = 0.0
    cr = ci / ri if n > 2 else 0.0
    consistent = cr < CR_THRESHOLD
    names = names or [f"C{i + 1}" for i in range(n)]

    # ε_ij = a_ij w_j / w_i is 1 for a judgement that agrees with the weights.
    eps = a * weights[None, :] / weights[:, None]
    np.fill_diagonal(eps, 0.0)
    wi, wj = np.unravel_index(int(np.argmax(eps)), eps.shape)
    worst = (int(wi) + 1, int(wj) + 1) if n > 2 else None

    return AhpResult(
        weights=_frozen(weights),
        lambda_max=lambda_max,
        ci=float(ci),
        ri=ri,
        cr=float(cr),
        consistent=bool(consistent),
        labels=tuple(names),
        matrix=_frozen(a),
        worst=worst,
    )


# -- entropy weight method -----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class EntropyResult:
    """Weights from the entropy weight method (熵权法).

    Attributes:
        weights: w_j = d_j / Σ d_j, summing to 1 (0 for a constant column).
        entropy: e_j = −(1/ln n) Σ_i p_ij ln p_ij, in [0, 1]; 1 for a constant column.
        divergence: d_j = 1 − e_j (差异系数), the information the column carries.
        labels: one name per column ("X1", "X2", … when none were given).
        directions: ``"higher"`` or ``"lower"`` per column, as used.
        rows_used: n, the number of complete rows the weights come from.
        dropped_rows: 1-based positions of the rows left out because a cell was blank.
        notes: sentences about the computation (rows dropped, constant columns).
    """

    weights: np.ndarray
    entropy: np.ndarray
    divergence: np.ndarray
    labels: tuple[str, ...]
    directions: tuple[str, ...]
    rows_used: int
    dropped_rows: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def rows_dropped(self) -> int:
        """How many rows were left out because they had a blank cell."""
        return len(self.dropped_rows)

    def as_percent(self, decimals: int | None = None) -> np.ndarray:
        """The weights in percent; with ``decimals``, rounded so they still sum to exactly 100."""
        return _percent(self.weights, decimals)

    def as_dict(self) -> dict[str, float]:
        """``{label: weight}``, weights as fractions summing to 1."""
        return {lab: float(w) for lab, w in zip(self.labels, self.weights, strict=True)}

    def summary(self, lang: str = "en") -> str:
        """The weights and how they were computed, in English or Chinese."""
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
        pct = _name_list(self.labels, self.as_percent(1))
        if lang == "zh":
            text = f"熵权法权重（{self.rows_used} 行数据）：{pct}。"
            if self.dropped_rows:
                text += f"有空白单元格的 {self.rows_dropped} 行未参与计算。"
            const = [lab for lab, d in zip(self.labels, self.divergence, strict=True) if d == 0]
            if const:
                text += f"常数列 {', '.join(const)} 不提供信息，权重为 0。"
            return text
        text = f"Entropy weights from {self.rows_used} rows: {pct}."
        return " ".join([text, *self.notes])

    def __repr__(self) -> str:
        ws = ", ".join(f"{lab}={w:.4f}" for lab, w in zip(self.labels, self.weights, strict=True))
        return f"EntropyResult({ws}; n={self.rows_used}, dropped={self.rows_dropped})"


def _check_directions(directions: Any, names: list[str]) -> tuple[list[str], list[Problem]]:
    """Directions per column, and a problem for each one that is not "higher"/"lower"."""
    m = len(names)
    problems: list[Problem] = []
    if directions is None:
        return ["higher"] * m, problems
    if isinstance(directions, str):
        given: list[Any] = [directions] * m
        places = ["directions"] * m
    elif isinstance(directions, Mapping):
        lookup = {str(k): v for k, v in directions.items()}
        problems.extend(
            Problem(f"directions[{k!r}]", f"no such column; the columns are {', '.join(names)}")
            for k in lookup
            if k not in names
        )
        given = [lookup.get(name, "higher") for name in names]
        places = [f"directions[{name!r}]" for name in names]
    else:
        given = list(directions)
        if len(given) != m:
            return ["higher"] * m, [
                Problem(
                    "directions",
                    f"{counted(len(given), 'direction')} given for {counted(m, 'column')}",
                )
            ]
        places = [f"directions[{j + 1}]" for j in range(m)]
    out = []
    for place, d in zip(places, given, strict=True):
        text = d.strip().lower() if isinstance(d, str) else None
        if text not in _DIRECTIONS:
            if not any(p.where == place for p in problems):
                problems.append(Problem(place, f"must be 'higher' or 'lower', got {d!r}"))
            text = "higher"
        out.append(text)
    return out, problems


def entropy_weights(
    matrix: Any,
    directions: str | Sequence[str] | Mapping[str, str] | None = None,
    labels: Sequence[Any] | None = None,
) -> EntropyResult:
    """Objective weights by the entropy weight method (熵权法).

    ``matrix`` has one row per evaluated object (customer, period, branch) and one column per
    indicator: a numpy array, a list of rows or a pandas DataFrame (whose columns give the
    labels). ``directions`` says per column whether higher or lower values are better
    (``"higher"``/``"lower"``; one string for all, a list, or ``{label: direction}``;
    default all higher).

    Formulas (n rows, column j)::

        r_ij = (x_ij − min_j) / (max_j − min_j)          higher is better
        r_ij = (max_j − x_ij) / (max_j − min_j)          lower is better
        p_ij = r_ij / Σ_i r_ij
        e_j  = −(1 / ln n) Σ_i p_ij ln p_ij,   with 0 · ln 0 = 0
        d_j  = 1 − e_j,   w_j = d_j / Σ_j d_j

    Choices, stated because texts differ:

    * **No epsilon shift.** Min–max normalisation gives every column a 0, and some texts add
      a small constant (0.0001, 0.01) to all r_ij to avoid ln 0. We do not: 0 · ln 0 = 0 is
      the exact limit of p ln p, so nothing is undefined, and a shift changes the weights by
      an amount that depends on an arbitrary constant.
    * **Blank cells:** a row with any blank cell is dropped (the weights compare rows on every
      indicator); how many and which are in ``dropped_rows`` and ``notes``.
    * **Constant column:** it separates nobody, so d_j = 0 (e_j = 1) and its weight is 0; the
      notes say so. Values equal up to float noise (range ≤ 1e-12 × magnitude) count as
      constant, so a formula's rounding error does not become a full-weight indicator.

    Raises :class:`CrmError` listing every problem with its row and column: a text or logical
    cell, an infinite value, fewer than 2 complete rows, every column constant, a bad
    direction or label count.

    Example::

        >>> r = entropy_weights([[80, 2.0], [60, 1.5], [90, 6.0], [70, 3.0]],
        ...                     directions=["higher", "lower"], labels=["满意度", "投诉处理时长"])
        >>> r.entropy.round(4), r.weights.round(4)
        (array([0.7296, 0.7827]), array([0.5544, 0.4456]))
        >>> r.as_percent(1)
        array([55.4, 44.6])
    """
    rows, frame_labels, _ = _as_rows(matrix, "matrix")
    problems: list[Problem] = []
    if not rows:
        raise CrmError(
            "the table is empty: it needs rows (customers, periods) and columns", "matrix"
        )
    widths = {len(r) for r in rows}
    m = max(widths)
    if len(widths) > 1:
        raise CrmError(
            Problem(f"row {i}", f"has {len(r)} value(s); the longest row has {m}")
            for i, r in enumerate(rows, start=1)
            if len(r) != m
        )
    if m == 0:
        raise CrmError("the table has no columns", "matrix")

    names = frame_labels
    if labels is not None:
        try:
            names = _check_labels(labels, m, "columns")
        except CrmError as e:
            problems.extend(e.problems)
            names = None
    names = names or [f"X{j + 1}" for j in range(m)]
    dirs, dir_problems = _check_directions(directions, names)
    problems.extend(dir_problems)

    def where(i: int, j: int) -> str:
        col = repr(names[j]) if labels is not None or frame_labels is not None else str(j + 1)
        return f"row {i + 1}, column {col}"

    x = np.full((len(rows), m), np.nan)
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            if isinstance(cell, numbers.Number) and not isinstance(cell, (bool, np.bool_)):
                v = float(cell)  # type: ignore[arg-type]
                if math.isinf(v):
                    problems.append(Problem(where(i, j), f"{v} is not a finite number"))
                else:
                    x[i, j] = v  # NaN stays NaN: blank
            elif not is_missing(cell):
                problems.append(Problem(where(i, j), describe_non_number(cell)))
    if problems:
        raise CrmError(problems)

    complete = ~np.isnan(x).any(axis=1)
    dropped = tuple(int(i) + 1 for i in np.flatnonzero(~complete))
    x = x[complete]
    n = x.shape[0]
    notes: list[str] = []
    if dropped:
        shown = ", ".join(map(str, dropped[:10])) + (" …" if len(dropped) > 10 else "")
        notes.append(
            f"{len(dropped)} of {len(rows)} rows had a blank cell and were left out (rows {shown})."
        )
    if n < 2:
        raise CrmError(
            f"{n} complete row(s) (rows without a blank cell); the entropy method needs at least "
            "2 rows to compare",
            "matrix",
        )

    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    # Constant up to float noise (0.1 + 0.2 vs 0.3 from a spreadsheet formula): such a
    # column separates nobody, and min–max would blow the noise up to a full 0–1 range.
    constant = span <= _CONSTANT_TOLERANCE * np.maximum(np.abs(lo), np.abs(hi))
    if constant.all():
        raise CrmError(
            "every column has the same value in every row: the data separate nobody, so the "
            "entropy method cannot set weights",
            "matrix",
        )
    safe_span = np.where(constant, 1.0, span)
    lower = np.array([d == "lower" for d in dirs])
    r = np.where(lower, hi - x, x - lo) / safe_span
    p = r / np.where(constant, 1.0, r.sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    entropy = -plogp.sum(axis=0) / math.log(n)
    entropy = np.where(constant, 1.0, np.clip(entropy, 0.0, 1.0))
    divergence = 1.0 - entropy
    weights = divergence / divergence.sum()

    for j in np.flatnonzero(constant):
        notes.append(
            f"column {names[j]!r} has the same value in every row: it separates nobody, so its "
            "weight is 0."
        )

    return EntropyResult(
        weights=_frozen(weights),
        entropy=_frozen(entropy),
        divergence=_frozen(divergence),
        labels=tuple(names),
        directions=tuple(dirs),
        rows_used=n,
        dropped_rows=dropped,
        notes=tuple(notes),
    )
