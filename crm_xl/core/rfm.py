"""RFM (recency, frequency, monetary) scores and named segments, for whole columns at once.

Inputs, one value per customer:

* **recency** — days since the customer's last purchase: *lower is better*;
* **frequency** — number of purchases in the period: higher is better;
* **monetary** — amount spent in the period: higher is better.

Scores
------
Each of R, F and M is scored 1 … ``bins`` (5 = best) by its **percentile rank** in the
population, the textbook percentile rank PR = (CF − ½·F) ÷ N (CF: customers at or below the
value, F: customers at the value), which counts customers with the same value as half below:

    p = (number of customers with a lower value + ½ × number with the same value) ÷ N

    score = ⌈bins × p⌉

with N the number of scored customers. Recency is ranked on its negative, so the most
recent customers get 5. The tie rule follows from the formula: **customers with the same
value get the same score** (p depends only on the value), and a higher value never gets a
lower score. Because 0 < p < 1, every score lies in 1 … bins; ten customers with distinct
values fall two per quintile (scores 1 1 2 2 3 3 4 4 5 5); a population where everyone has
the same value gets the middle score 3 (bins = 5) rather than all-best or all-worst; a
single customer also gets 3. The arithmetic is done in integers, so no score moves across a
boundary by rounding: ``score = ceil(bins × (2·below + same) / (2·N))``.

A customer is scored only when all three inputs are usable numbers ≥ 0. Blanks follow the
rule of :func:`crm_xl.core.inputs.as_numbers` (a blank is never 0); text, logical values,
infinities and negative values are invalid. Such a customer is **left out of the ranking**
(so N counts only the scored customers), gets ``<NA>`` scores and no segment, and the
``reason`` column says why.

Segment schemes (module-level tables, listed by :func:`segment_table`)
------------------------------------------------------------------------
``"rf-grid"`` (default): the 5 × 5 recency–frequency grid used throughout RFM tutorials and
open-source code. Each (R, F) cell belongs to exactly one of ten segments (a full partition
of the 25 cells, checked by the tests); **M is ignored by design**: the grid maps R against
F only, M is still scored and shown in ``rfm``. The cells are those of the widely copied
``seg_map`` regex dictionary, matched against the two-digit string "RF" (so it needs
``bins = 5``), e.g. GitHub SaadAbdElGhaffar/customer-segmentation-rfm-kmeans,
``utils/rfm_analysis.py`` (RFM_SCORE = recency_score + frequency_score, no M)::

    [1-2][1-2] hibernating      [1-2][3-4] at_Risk          [1-2]5     cant_loose
    3[1-2]     about_to_sleep   33         need_attention   [3-4][4-5] loyal_customers
    41         promising        51         new_customers    [4-5][2-3] potential_loyalists
    5[4-5]     champions

``"cn8"``: the eight-segment model of Chinese CRM practice (RFM 八类客户). Each of R, F, M is
**high when the customer's score is greater than or equal to the population mean of that
score** (score ≥ mean; for R a high score means a *recent* purchase), low otherwise; the
mean is over the scored customers. This is the rule of Alibaba Cloud Quick Audience: the
model "compares an individual customer's score to a comparison value, such as the average
score of the entire customer group" (Create a new RFM model,
https://help.aliyun.com/en/document_detail/134842.html), and its RFM user-type table rates a
dimension high when the score is "大于等于…对比值" (≥ the comparison value). The eight names
and their high/low patterns are the standard ones, e.g. 重要发展客户 "最近消费时间较近、消费金额高,
但频次不高" and 重要挽留客户 "最近消费时间较远、消费频次不高,但消费金额高" (Zhoupu Data help centre,
http://wk.zhoupudata.com/help/1727), 重要保持客户 "最近消费时间较远,但消费频次和消费金额都很高"
(http://www.ahoracalafate.com/contents/281/131.html)::

    segment                              R      F      M
    重要价值客户  important value         high   high   high
    重要发展客户  important development   high   low    high
    重要保持客户  important retention     low    high   high
    重要挽留客户  important win-back      low    low    high
    一般价值客户  general value           high   high   low
    一般发展客户  general development     high   low    low
    一般保持客户  general retention       low    high   low
    一般挽留客户  general win-back        low    low    low

The means used are kept in ``DataFrame.attrs["cn8_means"]`` so a report can quote them.

Example (the middle customer's scores, 3, equal the means and so count as high)::

    >>> seg = rfm_segments([3, 40, 200], [12, 4, 1], [5000, 900, 80], scheme="cn8", lang="zh")
    >>> seg["rfm"].tolist(), seg["segment"].tolist()
    (['555', '333', '111'], ['重要价值客户', '重要价值客户', '一般挽留客户'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from crm_xl.core.inputs import as_numbers
from crm_xl.errors import CrmError, Problem, counted

Scheme = Literal["rf-grid", "cn8"]
Lang = Literal["en", "zh"]

SCHEMES: tuple[str, ...] = ("rf-grid", "cn8")
LANGS: tuple[str, ...] = ("en", "zh")
INPUTS: tuple[str, str, str] = ("recency", "frequency", "monetary")


@dataclass(frozen=True)
class GridSegment:
    """One segment of the rf-grid scheme: the R and F score ranges it covers (inclusive)."""

    key: str
    en: str
    zh: str
    r: tuple[int, int]
    f: tuple[int, int]
    description: str


@dataclass(frozen=True)
class Cn8Segment:
    """One segment of the cn8 scheme: whether R, F and M are high (True) or low (False)."""

    key: str
    en: str
    zh: str
    r_high: bool
    f_high: bool
    m_high: bool
    description: str


#: The 5 × 5 recency–frequency grid (M ignored by design). Source: the ``seg_map`` of
#: SaadAbdElGhaffar/customer-segmentation-rfm-kmeans ``utils/rfm_analysis.py``; see the
#: module notes. Every (R, F) cell with R, F in 1..5 is in exactly one row.
RF_GRID: tuple[GridSegment, ...] = (
    GridSegment("hibernating", "Hibernating", "沉睡客户", (1, 2), (1, 2),
                "bought long ago and seldom"),
    GridSegment("at_risk", "At Risk", "流失风险客户", (1, 2), (3, 4),
                "bought often, but long ago"),
    GridSegment("cant_lose", "Can't Lose Them", "不能流失客户", (1, 2), (5, 5),
                "bought most often, but long ago"),
    GridSegment("about_to_sleep", "About to Sleep", "即将沉睡客户", (3, 3), (1, 2),
                "middling recency, seldom"),
    GridSegment("need_attention", "Need Attention", "需要关注客户", (3, 3), (3, 3),
                "middling recency and frequency"),
    GridSegment("loyal", "Loyal Customers", "忠诚客户", (3, 4), (4, 5),
                "fairly recent and frequent"),
    GridSegment("promising", "Promising", "有潜力客户", (4, 4), (1, 1),
                "recent, bought once or rarely"),
    GridSegment("new", "New Customers", "新客户", (5, 5), (1, 1),
                "most recent, bought once or rarely"),
    GridSegment("potential_loyalist", "Potential Loyalists", "潜在忠诚客户", (4, 5), (2, 3),
                "recent, middling frequency"),
    GridSegment("champions", "Champions", "冠军客户", (5, 5), (4, 5),
                "most recent and most frequent"),
)  # fmt: skip

#: The eight-segment model (RFM 八类客户): high = score ≥ population mean of that score.
CN8: tuple[Cn8Segment, ...] = (
    Cn8Segment("important_value", "Important value customers", "重要价值客户", True, True, True,
               "recent, frequent, high spend: keep them"),
    Cn8Segment("important_development", "Important development customers", "重要发展客户",
               True, False, True, "recent, high spend, infrequent: raise frequency"),
    Cn8Segment("important_retention", "Important retention customers", "重要保持客户",
               False, True, True, "frequent, high spend, not recent: get back in touch"),
    Cn8Segment("important_win_back", "Important win-back customers", "重要挽留客户",
               False, False, True, "high spend, neither recent nor frequent: win back"),
    Cn8Segment("general_value", "General value customers", "一般价值客户", True, True, False,
               "recent and frequent, low spend"),
    Cn8Segment("general_development", "General development customers", "一般发展客户",
               True, False, False, "recent, infrequent, low spend"),
    Cn8Segment("general_retention", "General retention customers", "一般保持客户",
               False, True, False, "frequent, not recent, low spend"),
    Cn8Segment("general_win_back", "General win-back customers", "一般挽留客户",
               False, False, False, "not recent, infrequent, low spend"),
)  # fmt: skip


def _grid_lookup() -> np.ndarray:
    """A 6 × 6 array: [r, f] → row number in :data:`RF_GRID` (−1 where no row covers it)."""
    grid = np.full((6, 6), -1, dtype=np.int64)
    for i, seg in enumerate(RF_GRID):
        grid[seg.r[0] : seg.r[1] + 1, seg.f[0] : seg.f[1] + 1] = i
    return grid


def _cn8_lookup() -> np.ndarray:
    """An array of 8: 4·R_high + 2·F_high + M_high → row number in :data:`CN8`."""
    table = np.full(8, -1, dtype=np.int64)
    for i, seg in enumerate(CN8):
        table[4 * seg.r_high + 2 * seg.f_high + seg.m_high] = i
    return table


_GRID = _grid_lookup()
_CN8 = _cn8_lookup()


# -- scores ------------------------------------------------------------------------------
def _check_options(bins: Any, scheme: str | None = None, lang: str | None = None) -> None:
    problems = []
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or bins < 2:
        problems.append(Problem("bins", f"must be a whole number of at least 2, got {bins!r}"))
    if scheme is not None and scheme not in SCHEMES:
        problems.append(Problem("scheme", f"must be one of {', '.join(SCHEMES)}, got {scheme!r}"))
    elif scheme == "rf-grid" and not problems and bins != 5:
        problems.append(
            Problem(
                "bins",
                f"the rf-grid segments are defined on 1-5 scores, got bins={bins}; "
                "use bins=5 or scheme='cn8'",
            )
        )
    if lang is not None and lang not in LANGS:
        problems.append(Problem("lang", f"must be one of {', '.join(LANGS)}, got {lang!r}"))
    if problems:
        raise CrmError(problems)


def _percentile_scores(values: np.ndarray, bins: int) -> np.ndarray:
    """Scores 1..bins of ``values`` (all usable) by mid-rank percentile; see the module notes."""
    n = values.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    _, inverse, same = np.unique(values, return_inverse=True, return_counts=True)
    below = np.cumsum(same) - same
    # ceil(bins * (2*below + same) / (2n)) in exact integer arithmetic
    numerator = bins * (2 * below + same)
    per_value = -(-numerator // (2 * n))
    return per_value[inverse.reshape(-1)].astype(np.int64)


def _read_inputs(
    recency: Any, frequency: Any, monetary: Any
) -> tuple[list[np.ndarray], np.ndarray, Any]:
    """The three inputs as float arrays, the problem text per customer ("" if none), the index."""
    columns, problems, index, length = [], [], None, None
    shape_problems = []
    for name, raw in zip(INPUTS, (recency, frequency, monetary), strict=True):
        values, reasons, idx = as_numbers(raw, name)
        values = np.atleast_1d(values)
        if values.ndim != 1:
            shape_problems.append(Problem(name, f"must be one column, got shape {values.shape}"))
            continue
        if length is None:
            length = values.size
        elif values.size != length:
            shape_problems.append(
                Problem(name, f"has {counted(values.size, 'value')}, but recency has {length}")
            )
            continue
        if idx is not None:
            if index is None:
                index = idx
            elif not index.equals(idx):
                shape_problems.append(
                    Problem(name, "its index does not match the other columns' index")
                )
                continue
        msg = np.full(values.shape, "", dtype=object)
        if reasons is not None:
            bad = ~np.equal(np.atleast_1d(reasons), None)
            msg[bad] = [str(r) for r in np.atleast_1d(reasons)[bad]]
        blank = np.isnan(values) & (msg == "")
        msg[blank] = f"{name} is blank"
        inf = np.isinf(values)
        msg[inf] = [f"{name}: {v} is not a finite number" for v in values[inf]]
        neg = values < 0
        msg[neg] = [
            f"{name}: {v:g} is negative; RFM needs values of 0 or more" for v in values[neg]
        ]
        columns.append(values)
        problems.append(msg)
    if shape_problems:
        raise CrmError(shape_problems)
    # Join the problems of each customer: "a; b; c", vectorised over the columns.
    joined = problems[0]
    for msg in problems[1:]:
        both = (joined != "") & (msg != "")
        joined = np.where(both, joined + "; " + msg, joined + msg)
    return columns, joined, index


def rfm_scores(recency: Any, frequency: Any, monetary: Any, bins: int = 5) -> Any:
    """R, F and M scores (1..bins, higher is better) for every customer, by percentile rank.

    ``recency`` is days since the last purchase (lower is better, so the most recent get
    ``bins``); ``frequency`` and ``monetary`` are higher-is-better. Each score is
    ``ceil(bins × p)`` with ``p`` the mid-rank percentile (customers with the same value
    count half below), so equal values get equal scores; see the module notes.

    Returns a pandas DataFrame on the input's index (a Series' index is kept) with columns
    ``r``, ``f``, ``m`` (nullable ``Int64``), ``rfm`` (the code, e.g. ``"545"``; with
    ``bins`` ≥ 10 the scores are joined with ``-``, e.g. ``"10-3-7"``) and ``reason``
    (``None`` for a scored customer, else why it was left out). Customers with a blank,
    invalid or negative input are left out of the ranking and get ``<NA>``.

    Raises :class:`~crm_xl.errors.CrmError` when ``bins`` is not a whole number ≥ 2 or the
    three columns differ in length or index.

    Example::

        >>> s = rfm_scores([1, 10, 30, None], [9, 3, 1, 2], [900, 300, 50, 70])
        >>> s["r"].tolist(), s["f"].tolist(), s["m"].tolist()
        ([5, 3, 1, <NA>], [5, 3, 1, <NA>], [5, 3, 1, <NA>])
        >>> s["rfm"].tolist()
        ['555', '333', '111', None]
        >>> s["reason"].tolist()[3]
        'left out of the RFM ranking: recency is blank'
    """
    import pandas as pd

    _check_options(bins)
    (rec, freq, mon), problems, index = _read_inputs(recency, frequency, monetary)
    ok = problems == ""
    n = rec.size
    scores = {}
    for key, values in (("r", -rec), ("f", freq), ("m", mon)):
        full = np.zeros(n, dtype=np.int64)
        full[ok] = _percentile_scores(values[ok], int(bins))
        scores[key] = full

    code = np.full(n, None, dtype=object)
    if ok.any():
        parts = [scores[k][ok].astype(str) for k in ("r", "f", "m")]
        sep = "" if bins <= 9 else "-"
        joined = np.char.add(np.char.add(np.char.add(parts[0], sep), parts[1]), sep)
        code[ok] = np.char.add(joined, parts[2]).astype(object)
    reason = np.full(n, None, dtype=object)
    reason[~ok] = "left out of the RFM ranking: " + problems[~ok]

    if index is None:
        index = pd.RangeIndex(n)
    frame = pd.DataFrame(
        {key: pd.arrays.IntegerArray(scores[key], ~ok) for key in ("r", "f", "m")},
        index=index,
    )
    frame["rfm"] = pd.Series(code, index=index, dtype=object)
    frame["reason"] = pd.Series(reason, index=index, dtype=object)
    return frame


# -- segments ----------------------------------------------------------------------------
def rfm_segments(
    recency: Any,
    frequency: Any,
    monetary: Any,
    scheme: Scheme = "rf-grid",
    lang: Lang = "en",
    bins: int = 5,
) -> Any:
    """RFM scores plus each customer's named segment under ``scheme``.

    ``scheme`` is ``"rf-grid"`` (the 5 × 5 recency–frequency grid, needs ``bins=5``, ignores
    M by design) or ``"cn8"`` (the eight Chinese CRM segments: R, F, M high when the score
    is ≥ the population mean of that score). ``lang`` picks English (``"en"``) or Chinese
    (``"zh"``) names. See the module notes for the sources and :func:`segment_table` for
    the tables.

    Returns the DataFrame of :func:`rfm_scores` with a ``segment`` column inserted before
    ``reason`` (``None`` for customers left out). For ``"cn8"`` the means compared with are
    in ``frame.attrs["cn8_means"]`` (``{"r": …, "f": …, "m": …}``, ``None`` with no scored
    customer).

    Example::

        >>> seg = rfm_segments([2, 5, 40, 60, 90], [10, 1, 8, 2, 1], [500, 60, 400, 90, 30])
        >>> seg["rfm"].tolist()
        ['555', '412', '344', '233', '111']
        >>> seg["segment"].tolist()
        ['Champions', 'Promising', 'Loyal Customers', 'At Risk', 'Hibernating']
        >>> rfm_segments([2, 90], [10, 1], [500, 30], scheme="cn8", lang="zh")["segment"].tolist()
        ['重要价值客户', '一般挽留客户']
    """
    import pandas as pd

    _check_options(bins, scheme, lang)
    frame = rfm_scores(recency, frequency, monetary, bins=bins)
    ok = frame["reason"].isna().to_numpy()
    r = frame["r"].to_numpy(dtype=np.int64, na_value=0)
    f = frame["f"].to_numpy(dtype=np.int64, na_value=0)
    m = frame["m"].to_numpy(dtype=np.int64, na_value=0)

    if scheme == "rf-grid":
        rows, names = _GRID[r, f], [getattr(s, lang) for s in RF_GRID]
    else:
        count = int(ok.sum())
        if count:
            sums = {k: int(v[ok].sum()) for k, v in (("r", r), ("f", f), ("m", m))}
            # score >= sum / count, compared exactly as score * count >= sum
            high = {k: v * count >= sums[k] for k, v in (("r", r), ("f", f), ("m", m))}
            rows = _CN8[4 * high["r"] + 2 * high["f"] + high["m"]]
            frame.attrs["cn8_means"] = {k: s / count for k, s in sums.items()}
        else:
            rows = np.full(r.shape, -1, dtype=np.int64)
            frame.attrs["cn8_means"] = {"r": None, "f": None, "m": None}
        names = [getattr(s, lang) for s in CN8]

    lookup = np.asarray([*names, None], dtype=object)  # row −1 → None
    segment = np.where(ok, lookup[rows], None)
    frame.insert(
        frame.columns.get_loc("reason"),
        "segment",
        pd.Series(segment, index=frame.index, dtype=object),
    )
    return frame


def segment_table(scheme: Scheme = "rf-grid") -> Any:
    """The segment table of ``scheme`` as a DataFrame, for documentation and reports.

    Columns: ``key``, ``en``, ``zh``, ``r``, ``f``, ``m`` (score ranges such as ``"1-2"``
    for rf-grid, where ``m`` is ``"any"``; ``"high"``/``"low"`` for cn8) and
    ``description``.

    Example::

        >>> t = segment_table("rf-grid")
        >>> t.loc[t["key"] == "champions", ["en", "zh", "r", "f", "m"]].values.tolist()
        [['Champions', '冠军客户', '5', '4-5', 'any']]
        >>> segment_table("cn8").iloc[1][["zh", "r", "f", "m"]].tolist()
        ['重要发展客户', 'high', 'low', 'high']
    """
    import pandas as pd

    _check_options(5, scheme)

    def span(lo_hi: tuple[int, int]) -> str:
        lo, hi = lo_hi
        return str(lo) if lo == hi else f"{lo}-{hi}"

    def level(high: bool) -> str:
        return "high" if high else "low"

    if scheme == "rf-grid":
        rows = [(s.key, s.en, s.zh, span(s.r), span(s.f), "any", s.description) for s in RF_GRID]
    else:
        rows = [
            (s.key, s.en, s.zh, level(s.r_high), level(s.f_high), level(s.m_high), s.description)
            for s in CN8
        ]
    columns = ["key", "en", "zh", "r", "f", "m", "description"]
    return pd.DataFrame(rows, columns=columns, dtype=object)
