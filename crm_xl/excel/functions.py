"""The ``CRM_*`` worksheet functions: one implementation for Excel and for headless mode.

Each function takes cell values as a worksheet gives them (a value, or a range as a list
of rows) and returns what the cell shows (see :mod:`crm_xl.excel.cells`): a number, text, a
spilled range as a list of rows, ``""`` for a blank row, or error text with the reason.
They never raise: a problem with the whole call becomes one error text.

:data:`FUNCTIONS` is the registry: name → :class:`FunctionInfo` with the implementation,
the English and Chinese one-liners, the argument help shown in Excel's function wizard
and an example. ``crm_xl.udfs`` declares the same functions to xlwings for desktop Excel;
the headless recalculation calls them from here by name.

Example::

    >>> CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]])
    65.5
    >>> CRM_SCORE([[85, 75, 10, 70], [80, None, 20, 60]], [[40, 30, 20, 10]])
    [[65.5], [60.0]]
    >>> CRM_CHURN(5, 0)
    '#DIV/0! no customers at the start of the period (start = 0): churn rate has no value'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crm_xl.core import kpis, normalize
from crm_xl.core.result import NO_DATA
from crm_xl.core.weights import as_fractions
from crm_xl.errors import CrmError
from crm_xl.excel.cells import all_empty, column, error_text, flat, grid, is_empty, show

CATEGORY = "CRM"


@dataclass(frozen=True)
class FunctionInfo:
    """What users see of one worksheet function (wizard help, docs) and its implementation."""

    name: str
    impl: Callable[..., Any]
    en: str  # one line, shown in Excel's function wizard (≤ 255 characters)
    zh: str
    args: dict[str, str] = field(default_factory=dict)  # argument → help (≤ 255 characters)
    example: str = ""
    result: str = ""


FUNCTIONS: dict[str, FunctionInfo] = {}


def excel_function(en: str, zh: str, args: dict[str, str], example: str, result: str):
    """Register a worksheet function; any exception it raises becomes error text."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(impl)
        def safe(*a: Any) -> Any:
            try:
                return impl(*a)
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

        FUNCTIONS[impl.__name__] = FunctionInfo(impl.__name__, safe, en, zh, args, example, result)
        return safe

    return register


# -- argument helpers -----------------------------------------------------------------------
def _flag(value: Any, name: str) -> bool:
    """An optional TRUE/FALSE argument (omitted = FALSE)."""
    if is_empty(value) or value is False or value == 0:
        return False
    if value is True or value == 1:
        return True
    raise ValueError(f"{name} must be TRUE or FALSE, got {value!r}")


def _text_arg(value: Any, default: str) -> str:
    return default if is_empty(value) else str(value).strip()


def _number_arg(value: Any, name: str, default: float) -> float:
    if is_empty(value):
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def _cells(value: Any) -> np.ndarray:
    """A range as a 2-D object array (for the core's per-cell rules)."""
    g = grid(value)
    return np.array(g, dtype=object).reshape(len(g), len(g[0]) if g and g[0] else 0)


def _elementwise(fn: Callable[..., Any], *args: Any, data: int | None = None) -> Any:
    """Apply a vectorised core function cell by cell over same-sized ranges (or single cells).

    A cell shows ``""`` where its inputs are all empty — or, with ``data=n``, where the first
    ``n`` arguments (the data, not the settings such as floor and target) are empty.
    """
    arrays = [_cells(a) for a in args]
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        sizes = " and ".join(f"{a.shape[0]}×{a.shape[1]}" for a in arrays)
        raise ValueError(
            f"the ranges must be the same size (or single cells), got {sizes}"
        ) from None
    return show(fn(*arrays), blank=all_empty(*args[:data]))


def _rows_and_weights(values: Any, weights: Any) -> tuple[list[list[Any]], list[Any]]:
    """Customers as rows × indicators, and the weights; a single column with one weight per
    cell is one customer laid out vertically (the self-assessment form's layout)."""
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


_WEIGHTS_HINT = "fix them, or set the normalize argument to TRUE to rescale them"


def _blank_rows(rows: list[list[Any]]) -> list[bool]:
    # a row whose first cell holds a number is not blank: decided without a call
    return [
        False
        if (first := row[0] if row else None).__class__ is float and first == first
        else all(map(is_empty, row))
        for row in rows
    ]


# -- composite scores -------------------------------------------------------------------------
@excel_function(
    en="Weighted composite score: sum of value x weight over the indicators that have a value (blanks re-weighted). One row, or a block of rows -> one score per row.",
    zh="加权综合得分:Σ 指标值 × 权重,空白指标不计并重新分配权重;多行区域逐行计算。",
    args={
        "values": "Indicator scores: one row, or rows x indicators (one score per row). Blank = missing, not 0.",
        "weights": "One weight per indicator, as % (40,30,20,10) or fractions (0.4,...). Must sum to 100 % unless normalize is TRUE.",
        "normalize": "Optional. TRUE rescales weights that do not sum to 100 %; FALSE (default) shows an error instead.",
    },
    example="=CRM_SCORE({85,75,10,70},{40,30,20,10}) → 65.5",
    result="a number per row (a spilled column for several rows)",
)
def CRM_SCORE(values: Any, weights: Any, normalize: Any = False) -> Any:
    from crm_xl.core.scoring import weighted_score

    rows, w = _rows_and_weights(values, weights)
    mode = "normalize" if _flag(normalize, "normalize") else "strict"
    as_fractions(w, weight_sum=mode, fix_hint=_WEIGHTS_HINT)
    score = weighted_score(rows, w, weight_sum=mode)
    return show(score, blank=np.array(_blank_rows(rows)).reshape(score.values.shape))


@excel_function(
    en="Multi-dimensional score: indicators weighted within their dimension, dimensions weighted in turn. One score per row.",
    zh="多维度综合得分:维度内指标加权,再按维度权重加权;逐行计算。",
    args={
        "values": "Indicator scores, rows x indicators.",
        "weights": "Each indicator's weight within its dimension (they sum to 100 % per dimension).",
        "dimensions": "Each indicator's dimension name, in the same order as the columns.",
        "dimension_names": "The dimension names.",
        "dimension_weights": "The dimensions' weights, in the order of dimension_names (sum to 100 %).",
    },
    example='=CRM_MULTISCORE({80,60,90},{50,50,100},{"v","v","r"},{"v","r"},{60,40}) → 78',
    result="a number per row",
)
def CRM_MULTISCORE(
    values: Any, weights: Any, dimensions: Any, dimension_names: Any, dimension_weights: Any
) -> Any:
    from crm_xl.core.scoring import multidimensional_score

    rows, w = _rows_and_weights(values, weights)
    names, dim_w = [str(n) for n in flat(dimension_names)], flat(dimension_weights)
    if len(names) != len(dim_w):
        raise ValueError(f"{len(names)} dimension names but {len(dim_w)} dimension weights")
    score = multidimensional_score(
        rows, w, [str(d) for d in flat(dimensions)], dict(zip(names, dim_w, strict=True))
    )
    return show(score, blank=np.array(_blank_rows(rows)).reshape(score.values.shape))


@excel_function(
    en="How many indicators each CRM_SCORE was computed from (blanks are left out).",
    zh="每行综合得分实际使用的指标个数(空白指标不计)。",
    args={
        "values": "Indicator scores: one row or rows x indicators.",
        "weights": "One weight per indicator.",
    },
    example='=CRM_INDICATORS_USED({80,"",20,60},{40,30,20,10}) → 3',
    result="a whole number per row",
)
def CRM_INDICATORS_USED(values: Any, weights: Any) -> Any:
    rows, _ = _rows_and_weights(values, weights)
    return column(
        [
            float(sum(not is_empty(c) for c in row)) if not blank else ""
            for row, blank in zip(rows, _blank_rows(rows), strict=True)
        ]
    )


@excel_function(
    en="Each indicator's contribution in points to the composite score (weight x value after re-weighting blanks); they add up to CRM_SCORE.",
    zh="各指标对综合得分的贡献分值(权重 × 得分),合计等于 CRM_SCORE。",
    args={
        "values": "Indicator scores of one customer (a row), or rows x indicators.",
        "weights": "One weight per indicator, as % or fractions.",
        "normalize": "Optional. TRUE rescales weights that do not sum to 100 %.",
    },
    example="=CRM_EXPLAIN({85,75,10,70},{40,30,20,10}) → 34, 22.5, 2, 7",
    result="a row of points per customer (blank where the indicator is blank)",
)
def CRM_EXPLAIN(values: Any, weights: Any, normalize: Any = False) -> Any:
    from crm_xl.core.scoring import weighted_score

    rows, w = _rows_and_weights(values, weights)
    mode = "normalize" if _flag(normalize, "normalize") else "strict"
    as_fractions(w, weight_sum=mode, fix_hint=_WEIGHTS_HINT)
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


# -- normalisation ----------------------------------------------------------------------------
@excel_function(
    en='Scale a value to 0-100 between a floor (scores 0) and a target (scores 100), clamped. Lower-is-better: target below floor, or direction "lower".',
    zh='线性标准化到 0–100:底线得 0 分,目标值得 100 分,超出截断;越低越好的指标用 "lower"(越低越好)。',
    args={
        "value": "The KPI value(s): a cell or a range.",
        "floor": "The value that scores 0.",
        "target": "The value that scores 100.",
        "direction": 'Optional: "higher" or "lower". With a direction, floor and target may be in either order.',
    },
    example="=CRM_NORMALIZE(10,30,5) → 80 (churn 10 %: 30 % scores 0, 5 % scores 100)",
    result="0–100, same shape as value",
)
def CRM_NORMALIZE(value: Any, floor: Any, target: Any, direction: Any = None) -> Any:
    d = None if is_empty(direction) else normalize.check_direction(direction)
    return _elementwise(
        lambda v, f, t: normalize.linear(v, f, t, direction=d), value, floor, target, data=1
    )


@excel_function(
    en='An indicator column scored 0-100 by its scale: "linear" (floor/target), "form" (1-5 answers), "minmax" (over the column) or "score" (already 0-100). The Ratings sheet uses it for every indicator.',
    zh="按标准化方法把指标列换算为 0–100 分:linear(底线/目标)、form(1–5 分)、minmax(极差)、score(已是得分)。",
    args={
        "values": "The indicator's values: a cell or a column.",
        "scale": 'One of "linear", "form", "minmax", "score".',
        "floor": "Optional (linear only). The value that scores 0.",
        "target": "Optional (linear only). The value that scores 100.",
        "direction": 'Optional: "higher" (default) or "lower" (lower is better; inverts form and score).',
    },
    example='=CRM_SCALE(E4:E203,"linear",0,300000) -> 0-100 per customer',
    result="0-100, same shape as values",
)
def CRM_SCALE(
    values: Any, scale: Any, floor: Any = None, target: Any = None, direction: Any = None
) -> Any:
    kind = _text_arg(scale, "")
    d = None if is_empty(direction) else normalize.check_direction(direction)
    low_high = (None if is_empty(floor) else floor, None if is_empty(target) else target)
    return _elementwise(
        lambda v: normalize.by_scale(v, kind, direction=d, floor=low_high[0], target=low_high[1]),
        values,
    )


@excel_function(
    en="Map form answers on a 1-5 scale (or low-high) to 0-100: (answer - 1) / 4 x 100. Answers outside the scale are errors.",
    zh="把 1–5 分自评/问卷得分换算为 0–100 分:(得分 − 1) / 4 × 100;超出量表为错误。",
    args={
        "answers": "The answers: a cell or a range.",
        "low": "Optional. Lowest answer of the scale (default 1).",
        "high": "Optional. Highest answer of the scale (default 5).",
    },
    example="=CRM_FORM_SCORE(4) → 75",
    result="0–100, same shape as answers",
)
def CRM_FORM_SCORE(answers: Any, low: Any = None, high: Any = None) -> Any:
    lo, hi = _number_arg(low, "low", 1.0), _number_arg(high, "high", 5.0)
    return _elementwise(lambda a: normalize.form_scale(a, lo, hi), answers)


@excel_function(
    en='Min-max scaling over the range itself: lowest value 0, highest 100 (reversed for "lower").',
    zh='极差标准化:区域内最小值 0 分、最大值 100 分("lower" 时反向)。',
    args={
        "values": "The values to scale (a range).",
        "direction": 'Optional: "higher" (default) or "lower".',
    },
    example="=CRM_MINMAX({10;20;30}) → 0, 50, 100",
    result="0–100, same shape as values",
)
def CRM_MINMAX(values: Any, direction: Any = None) -> Any:
    d = _text_arg(direction, "higher")
    return _elementwise(lambda v: normalize.min_max(v, direction=d), values)


# -- KPIs -----------------------------------------------------------------------------------
@excel_function(
    en="Churn rate in %: customers lost / customers at the start x 100.",
    zh="客户流失率(%):流失客户数 ÷ 期初客户数 × 100。",
    args={
        "lost": "Customers lost in the period.",
        "start": "Customers at the start of the period.",
    },
    example="=CRM_CHURN(5,100) → 5",
    result="%, same shape as the inputs",
)
def CRM_CHURN(lost: Any, start: Any) -> Any:
    return _elementwise(kpis.churn_rate, lost, start)


@excel_function(
    en="Retention rate in %: (customers at the end - new customers) / customers at the start x 100.",
    zh="客户保留率(%):(期末客户数 − 新增客户数)÷ 期初客户数 × 100。",
    args={
        "start": "Customers at the start of the period.",
        "end": "Customers at the end of the period.",
        "new": "New customers won in the period.",
    },
    example="=CRM_RETENTION(200,210,30) → 90",
    result="%, same shape as the inputs",
)
def CRM_RETENTION(start: Any, end: Any, new: Any) -> Any:
    return _elementwise(kpis.retention_rate, start, end, new)


@excel_function(
    en="Sales growth in %: (after - before) / before x 100.",
    zh="销售增长率(%):(本期 − 上期)÷ 上期 × 100。",
    args={"before": "Sales of the earlier period.", "after": "Sales of the later period."},
    example="=CRM_GROWTH(100000,110000) → 10",
    result="%, same shape as the inputs",
)
def CRM_GROWTH(before: Any, after: Any) -> Any:
    return _elementwise(kpis.sales_growth, before, after)


@excel_function(
    en="Customer acquisition cost: marketing + sales cost / new customers of the same period.",
    zh="客户获取成本:(营销 + 销售费用)÷ 同期新增客户数。",
    args={
        "cost": "Marketing plus sales cost of the period.",
        "new_customers": "New customers won in the same period.",
    },
    example="=CRM_CAC(50000,25) → 2000",
    result="money per customer, same shape as the inputs",
)
def CRM_CAC(cost: Any, new_customers: Any) -> Any:
    return _elementwise(kpis.cac, cost, new_customers)


@excel_function(
    en="Customer lifetime value (seed form): annual revenue x relationship years - acquisition cost.",
    zh="客户生命周期价值:年收入 × 合作年限 − 获客成本。",
    args={
        "annual_revenue": "Revenue from the customer per year.",
        "years": "Expected relationship length in years.",
        "cac": "Acquisition cost of the customer.",
    },
    example="=CRM_CLV(12000,3,2000) → 34000",
    result="money, same shape as the inputs",
)
def CRM_CLV(annual_revenue: Any, years: Any, cac: Any) -> Any:
    return _elementwise(kpis.clv, annual_revenue, years, cac)


@excel_function(
    en="Customer lifetime value, margin form (Gupta & Lehmann 2003): margin x r / (1 + i - r); r and i as fractions.",
    zh="客户生命周期价值(利润率公式):年利润 × 保留率 ÷ (1 + 折现率 − 保留率),比率用小数。",
    args={
        "margin": "Yearly margin from the customer.",
        "retention": "Retention rate as a fraction (80 % is 0.8).",
        "discount_rate": "Discount rate as a fraction (10 % is 0.1).",
    },
    example="=CRM_CLV_MARGIN(100,0.8,0.1) → 266.67",
    result="money, same shape as the inputs",
)
def CRM_CLV_MARGIN(margin: Any, retention: Any, discount_rate: Any) -> Any:
    return _elementwise(kpis.clv_margin, margin, retention, discount_rate)


@excel_function(
    en="Net Promoter Score: % promoters (9-10) - % detractors (0-6) of 0-10 answers; blanks ignored. -100 to 100.",
    zh="净推荐值 NPS:推荐者(9–10 分)占比 − 贬损者(0–6 分)占比,空白不计,范围 −100 至 100。",
    args={"responses": "The 0-10 answers (a range)."},
    example="=CRM_NPS({10,9,9,8,7,7,6,5,3,10}) → 10",
    result="one number",
)
def CRM_NPS(responses: Any) -> Any:
    return show(kpis.nps(flat(responses)))


@excel_function(
    en='Customer satisfaction: share of answers in the top two points (4-5 on a 1-5 scale) x 100; method "mean" gives the mean answer instead.',
    zh='客户满意度 CSAT:最高两档(1–5 分量表的 4、5 分)占比 × 100;method 为 "mean" 时返回平均分。',
    args={
        "responses": "The answers (a range); blanks are ignored.",
        "scale": "Optional. Highest point of the scale: 5 (default), 7 or 10.",
        "method": 'Optional: "top2box" (default) or "mean".',
    },
    example="=CRM_CSAT({5,4,3,2,5}) → 60",
    result="one number",
)
def CRM_CSAT(responses: Any, scale: Any = None, method: Any = None) -> Any:
    s = int(_number_arg(scale, "scale", 5))
    return show(kpis.csat(flat(responses), scale=s, method=_text_arg(method, "top2box")))


@excel_function(
    en='Customer effort score: mean of 1-7 "easy to handle" answers (higher = easier).',
    zh="客户费力度 CES:1–7 分“容易办理”评分的平均值(越高越省力)。",
    args={
        "responses": "The answers (a range); blanks are ignored.",
        "scale": "Optional. Highest point of the scale: 7 (default) or 5.",
    },
    example="=CRM_CES({7,6,5,6}) → 6",
    result="one number",
)
def CRM_CES(responses: Any, scale: Any = None) -> Any:
    return show(kpis.ces(flat(responses), scale=int(_number_arg(scale, "scale", 7))))


# -- tiers and segments -----------------------------------------------------------------------
@excel_function(
    en='Tier label for each value from thresholds, e.g. {100000,50000} and {"A","B","C"}. A value equal to a threshold gets the lower tier unless at_threshold is "upper".',
    zh='按阈值分级,如 {100000,50000} 对应 {"A","B","C"};等于阈值归入较低等级(at_threshold 为 "upper" 时归入较高等级)。',
    args={
        "value": "The value(s) to grade: a cell or a range.",
        "thresholds": "Thresholds from the top tier down, strictly decreasing, e.g. {70,50}.",
        "labels": "One more label than thresholds, from the top tier down.",
        "at_threshold": 'Optional: "lower" (default: exactly 100000 is B) or "upper" (exactly 100000 is A).',
    },
    example='=CRM_TIER(120000,{100000,50000},{"A","B","C"}) → "A"',
    result="a label, same shape as value",
)
def CRM_TIER(value: Any, thresholds: Any, labels: Any, at_threshold: Any = None) -> Any:
    from crm_xl.core.tiers import assign_tiers

    cells = _cells(value)
    tiers = assign_tiers(
        cells,
        flat(thresholds),
        [str(x) for x in flat(labels)],
        at_threshold=_text_arg(at_threshold, "lower"),
    )
    blank = all_empty(value)
    out = [
        [
            ""
            if blank[i, j]
            else (
                tiers.labels[i, j]
                if tiers.labels[i, j] is not None
                else error_text(tiers.reasons[i, j])
            )
            for j in range(cells.shape[1])
        ]
        for i in range(cells.shape[0])
    ]
    return out[0][0] if cells.size == 1 else out


def _recency_days(recency: list[Any], as_of: Any) -> list[Any]:
    """Recency as days; dates of last purchase are turned into days before ``as_of``."""
    dates = [isinstance(r, (dt.date, dt.datetime)) for r in recency]
    if not any(dates):
        return recency
    if is_empty(as_of) or not isinstance(as_of, (dt.date, dt.datetime)):
        raise ValueError(
            "recency holds dates of last purchase: give the as-of date as the sixth argument, e.g. TODAY()"
        )
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    return [
        ((day - (r.date() if isinstance(r, dt.datetime) else r)).days if d else r)
        for r, d in zip(recency, dates, strict=True)
    ]


def _rfm_frame(recency: Any, frequency: Any, monetary: Any, scheme: Any, lang: Any, as_of: Any):
    from crm_xl.core.rfm import rfm_segments

    r, f, m = flat(recency), flat(frequency), flat(monetary)
    if not len(r) == len(f) == len(m):
        raise ValueError(
            f"recency, frequency and monetary must be the same length, got {len(r)}, {len(f)}, {len(m)}"
        )
    frame = rfm_segments(
        np.array(_recency_days(r, as_of), dtype=object),
        np.array(f, dtype=object),
        np.array(m, dtype=object),
        scheme=_text_arg(scheme, "rf-grid"),
        lang=_text_arg(lang, "en"),
    )
    blank = [is_empty(a) and is_empty(b) and is_empty(c) for a, b, c in zip(r, f, m, strict=True)]
    return frame, blank


def _rfm_cells(frame: Any, blank: list[bool], key: str) -> Any:
    out = []
    values, reasons = frame[key].tolist(), frame["reason"].tolist()  # not .iloc per row
    for i, is_blank in enumerate(blank):
        value = values[i]
        if is_blank:
            out.append("")
        elif value is None or value is np.nan or (isinstance(value, float) and np.isnan(value)):
            out.append(error_text(str(reasons[i] or "no value"), NO_DATA))
        else:
            out.append(str(value))
    return column(out)


@excel_function(
    en="RFM segment per customer from recency (days, or last-purchase dates with as_of), frequency and monetary columns: quintile scores, then a named segment.",
    zh="RFM 客户分群:按最近购买(天数或日期)、购买频次、消费金额的五分位得分划分客户群。",
    args={
        "recency": "Days since the last purchase (lower is better), or the dates of the last purchase.",
        "frequency": "Number of purchases.",
        "monetary": "Amount spent.",
        "scheme": 'Optional: "rf-grid" (default, 10 segments) or "cn8" (8 Chinese CRM segments).',
        "lang": 'Optional: "en" (default) or "zh".',
        "as_of": "Optional. The date recency is counted to, when recency holds dates (e.g. TODAY()).",
    },
    example='=CRM_RFM(B2:B100,C2:C100,D2:D100,"cn8","zh")',
    result="a segment name per customer (a spilled column)",
)
def CRM_RFM(
    recency: Any,
    frequency: Any,
    monetary: Any,
    scheme: Any = None,
    lang: Any = None,
    as_of: Any = None,
) -> Any:
    frame, blank = _rfm_frame(recency, frequency, monetary, scheme, lang, as_of)
    return _rfm_cells(frame, blank, "segment")


@excel_function(
    en='RFM score code per customer, e.g. "545" (recency, frequency and monetary quintiles, 5 = best).',
    zh='RFM 得分代码,如 "545"(最近购买、频次、金额的五分位得分,5 为最好)。',
    args={
        "recency": "Days since the last purchase, or the dates of the last purchase.",
        "frequency": "Number of purchases.",
        "monetary": "Amount spent.",
        "as_of": "Optional. The date recency is counted to, when recency holds dates.",
    },
    example="=CRM_RFM_CODE(B2:B100,C2:C100,D2:D100)",
    result="a code per customer (a spilled column)",
)
def CRM_RFM_CODE(recency: Any, frequency: Any, monetary: Any, as_of: Any = None) -> Any:
    frame, blank = _rfm_frame(recency, frequency, monetary, None, None, as_of)
    return _rfm_cells(frame, blank, "rfm")


# -- weights --------------------------------------------------------------------------------
_AHP_OUTPUTS = ("weights", "cr", "ci", "lambda_max", "consistent")


@excel_function(
    en='AHP weights from a square pairwise-comparison matrix (Saaty\'s eigenvector method); output "cr" gives the consistency ratio (judgements need CR < 0.1).',
    zh='层次分析法(AHP)权重:由判断矩阵求特征向量权重;output 为 "cr" 时返回一致性比率(CR < 0.1 方可接受)。',
    args={
        "matrix": 'The n x n pairwise-comparison matrix (1 on the diagonal, a_ji = 1/a_ij; "1/3" text is accepted).',
        "output": 'Optional: "weights" (default, a column), "cr", "ci", "lambda_max" or "consistent".',
    },
    example="=CRM_AHP({1,3,5;1/3,1,3;1/5,1/3,1}) → 0.637, 0.258, 0.105",
    result="a column of weights (fractions), or one number",
)
def CRM_AHP(matrix: Any, output: Any = None) -> Any:
    from crm_xl.core.weight_methods import ahp_weights

    what = _text_arg(output, "weights").lower()
    if what not in _AHP_OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(_AHP_OUTPUTS)}, got {output!r}")
    result = ahp_weights(grid(matrix))
    if what == "weights":
        return [[float(w)] for w in result.weights]
    return bool(result.consistent) if what == "consistent" else float(getattr(result, what))


@excel_function(
    en="Consistency ratio of an AHP pairwise-comparison matrix: CI / RI (Saaty's random index). Below 0.1 the judgements are acceptable.",
    zh="AHP 判断矩阵的一致性比率 CR = CI ÷ RI;小于 0.1 时判断矩阵一致性可接受。",
    args={"matrix": "The n x n pairwise-comparison matrix."},
    example="=CRM_AHP_CR({1,3,5;1/3,1,3;1/5,1/3,1}) → 0.033",
    result="one number",
)
def CRM_AHP_CR(matrix: Any) -> Any:
    return CRM_AHP(matrix, "cr")


@excel_function(
    en="Entropy weight method: objective weights from data, rows = customers, columns = indicators; more varied indicators weigh more.",
    zh="熵权法:由数据客观求权重,行为样本、列为指标;差异越大的指标权重越高。",
    args={
        "matrix": "The data: rows x indicators.",
        "directions": 'Optional. One "higher"/"lower" per indicator column (default all "higher").',
    },
    example="=CRM_ENTROPY_WEIGHTS(B2:E50)",
    result="a row of weights (fractions)",
)
def CRM_ENTROPY_WEIGHTS(matrix: Any, directions: Any = None) -> Any:
    from crm_xl.core.weight_methods import entropy_weights

    dirs = (
        None if is_empty(directions) else [normalize.check_direction(d) for d in flat(directions)]
    )
    result = entropy_weights(grid(matrix), directions=dirs)
    return [[float(w) for w in result.weights]]


def reference_markdown() -> str:
    """The function reference page (``docs/functions.md``), generated from :data:`FUNCTIONS`."""
    import inspect

    lines = [
        "# Worksheet functions reference",
        "",
        "Generated from `crm_xl/excel/functions.py` (`python -m crm_xl.excel.functions > docs/functions.md`);",
        "a test fails when this page is out of date. Optional arguments are in brackets.",
        "What a cell shows when there is no value: see the end of this page.",
        "",
    ]
    for name, info in FUNCTIONS.items():
        params = inspect.signature(info.impl).parameters.values()
        sig = ", ".join(
            p.name if p.default is inspect.Parameter.empty else f"[{p.name}]" for p in params
        )
        lines += [f"## {name}({sig})", "", info.en, "", info.zh, ""]
        lines += ["| argument | meaning |", "|---|---|"]
        lines += [f"| `{arg}` | {text} |" for arg, text in info.args.items()]
        lines += ["", f"**Result:** {info.result}.  ", f"**Example:** `{info.example}`", ""]
    lines += [
        "## When there is no value",
        "",
        "A cell shows error text: the Excel error that fits, then the reason.",
        "",
        "| shown | when |",
        "|---|---|",
        "| `#DIV/0! …` | a denominator is zero (churn with no customers at the start, CAC with no new customers) |",
        "| `#N/A …` | nothing to compute from (no survey responses; one input of a row blank) |",
        "| `#VALUE! …` | an input is not a usable number (text, TRUE/FALSE, a date, an error cell, an answer outside its scale), or the arguments do not fit together |",
        "| `#NUM! …` | inputs contradict each other (more customers lost than at the start) |",
        '| empty (`""`) | every input of that row or cell is empty: a blank table row stays blank |',
        "",
        "xlwings cannot return Excel's own error values from Python, so this is text in Excel and",
        "in `crm-xl recalc` alike; `=ISNUMBER(cell)` is FALSE for it.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(reference_markdown(), end="")
