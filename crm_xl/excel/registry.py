"""The registry of crm_xl's worksheet functions: everything there is to say about each.

One :class:`FunctionSpec` per ``CRM_*`` function, in the order of the reference page: its
name, what it does (English and Chinese), its arguments in order — each with its help text,
whether it takes a range, whether it is optional and its default — what it returns and an
example. The registry is data only: it names no implementation, so every binding is made
from it the same way, without touching the implementations
(:mod:`crm_xl.excel.functions`, found by name):

* the xlwings declarations for desktop Excel (:mod:`crm_xl.excel.udfs`) and through them
  the VBA module (:mod:`crm_xl.excel.vba`);
* the functions as the headless engine calls them (:mod:`crm_xl.excel.engine`);
* the reference page ``docs/functions.md`` (:mod:`crm_xl.excel.reference`).

A range argument (``is_range``) is passed as a list of rows, even for a single cell, with
Excel errors as their text (``"#N/A"``): xlwings' ``ndim=2, err_to_str=True``. Any other
argument is a single cell's plain value.

Texts users read in Excel's function wizard (the description and the English argument help)
are ASCII and at most 255 characters: they go into a VBA module read in the system code page,
and ``Application.MacroOptions`` takes no more. Chinese argument help has its place
(``Text.zh``) for bindings that show it.

Example::

    >>> spec = SPECS["CRM_SCORE"]
    >>> [(a.name, a.is_range, a.optional) for a in spec.arguments]
    [('values', True, False), ('weights', True, False), ('normalize', False, True)]
    >>> spec.signature()
    'CRM_SCORE(values, weights, [normalize])'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The category Excel's function wizard lists the functions under.
CATEGORY = "CRM"


@dataclass(frozen=True)
class Text:
    """A text users read, in English and Chinese; an empty ``zh`` means "show the English"."""

    en: str
    zh: str = ""


@dataclass(frozen=True)
class Argument:
    """One argument of a worksheet function."""

    name: str  # the parameter name: users' formulas and Excel's wizard show it
    help: Text
    is_range: bool = False  # a list of rows with errors as text; else one cell's value
    optional: bool = False
    default: Any = None  # what an omitted optional argument is


@dataclass(frozen=True)
class Result:
    """What a worksheet function returns."""

    help: Text
    spills: bool  # may return a list of rows (a dynamic array); False: always one value
    # one result per row of the first argument, each row's from that row alone (the other
    # arguments the same for every row, or each a cell of that row): a column of such
    # formulas is one call
    row_wise: bool = False
    # ... but only when this argument is given (CRM_SCALE's minmax needs its whole column)
    row_wise_with: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    """Everything about one worksheet function except its implementation."""

    name: str
    description: Text  # one line: the wizard's description
    arguments: tuple[Argument, ...]
    result: Result
    example: str  # a formula and what it shows

    def __post_init__(self) -> None:
        # xlwings, VBA and Office.js all need the optional arguments last
        flags = [a.optional for a in self.arguments]
        if flags != sorted(flags):
            raise ValueError(f"{self.name}: optional arguments must come after required ones")
        for a in self.arguments:
            if not a.name.isidentifier() or (a.default is not None and not a.optional):
                raise ValueError(f"{self.name}: argument {a.name!r} is not a parameter")

    @property
    def required(self) -> int:
        """How many arguments a formula must give."""
        return sum(not a.optional for a in self.arguments)

    def argument(self, name: str) -> Argument:
        """The argument called ``name``.

        Example::

            >>> SPECS["CRM_TIER"].argument("at_threshold").optional
            True
        """
        for a in self.arguments:
            if a.name == name:
                return a
        raise KeyError(f"{self.name} has no argument {name!r}")

    def signature(self) -> str:
        """The call as the reference page writes it, optional arguments in brackets."""
        names = (f"[{a.name}]" if a.optional else a.name for a in self.arguments)
        return f"{self.name}({', '.join(names)})"


_SPECS = (
    # -- composite scores -----------------------------------------------------------------
    FunctionSpec(
        "CRM_SCORE",
        Text(
            "Weighted composite score: sum of value x weight over the indicators that have a value (blanks re-weighted). One row, or a block of rows -> one score per row.",
            "加权综合得分:Σ 指标值 × 权重,空白指标不计并重新分配权重;多行区域逐行计算。",
        ),
        (
            Argument(
                "values",
                Text(
                    "Indicator scores: one row, or rows x indicators (one score per row). Blank = missing, not 0."
                ),
                is_range=True,
            ),
            Argument(
                "weights",
                Text(
                    "One weight per indicator, as % (40,30,20,10) or fractions (0.4,...). Must sum to 100 % unless normalize is TRUE."
                ),
                is_range=True,
            ),
            Argument(
                "normalize",
                Text(
                    "Optional. TRUE rescales weights that do not sum to 100 %; FALSE (default) shows an error instead."
                ),
                optional=True,
                default=False,
            ),
        ),
        Result(
            Text("a number per row (a spilled column for several rows)"), spills=True, row_wise=True
        ),
        example="=CRM_SCORE({85,75,10,70},{40,30,20,10}) → 65.5",
    ),
    FunctionSpec(
        "CRM_MULTISCORE",
        Text(
            "Multi-dimensional score: indicators weighted within their dimension, dimensions weighted in turn. One score per row.",
            "多维度综合得分:维度内指标加权,再按维度权重加权;逐行计算。",
        ),
        (
            Argument("values", Text("Indicator scores, rows x indicators."), is_range=True),
            Argument(
                "weights",
                Text(
                    "Each indicator's weight within its dimension (they sum to 100 % per dimension)."
                ),
                is_range=True,
            ),
            Argument(
                "dimensions",
                Text("Each indicator's dimension name, in the same order as the columns."),
                is_range=True,
            ),
            Argument("dimension_names", Text("The dimension names."), is_range=True),
            Argument(
                "dimension_weights",
                Text("The dimensions' weights, in the order of dimension_names (sum to 100 %)."),
                is_range=True,
            ),
        ),
        Result(Text("a number per row"), spills=True, row_wise=True),
        example='=CRM_MULTISCORE({80,60,90},{50,50,100},{"v","v","r"},{"v","r"},{60,40}) → 78',
    ),
    FunctionSpec(
        "CRM_INDICATORS_USED",
        Text(
            "How many indicators each CRM_SCORE was computed from (blanks are left out).",
            "每行综合得分实际使用的指标个数(空白指标不计)。",
        ),
        (
            Argument(
                "values", Text("Indicator scores: one row or rows x indicators."), is_range=True
            ),
            Argument("weights", Text("One weight per indicator."), is_range=True),
        ),
        Result(Text("a whole number per row"), spills=True, row_wise=True),
        example='=CRM_INDICATORS_USED({80,"",20,60},{40,30,20,10}) → 3',
    ),
    FunctionSpec(
        "CRM_EXPLAIN",
        Text(
            "Each indicator's contribution in points to the composite score (weight x value after re-weighting blanks); they add up to CRM_SCORE.",
            "各指标对综合得分的贡献分值(权重 × 得分),合计等于 CRM_SCORE。",
        ),
        (
            Argument(
                "values",
                Text("Indicator scores of one customer (a row), or rows x indicators."),
                is_range=True,
            ),
            Argument(
                "weights", Text("One weight per indicator, as % or fractions."), is_range=True
            ),
            Argument(
                "normalize",
                Text("Optional. TRUE rescales weights that do not sum to 100 %."),
                optional=True,
                default=False,
            ),
        ),
        Result(
            Text("a row of points per customer (blank where the indicator is blank)"), spills=True
        ),
        example="=CRM_EXPLAIN({85,75,10,70},{40,30,20,10}) → 34, 22.5, 2, 7",
    ),
    # -- normalisation --------------------------------------------------------------------
    FunctionSpec(
        "CRM_NORMALIZE",
        Text(
            'Scale a value to 0-100 between a floor (scores 0) and a target (scores 100), clamped. Lower-is-better: target below floor, or direction "lower".',
            '线性标准化到 0–100:底线得 0 分,目标值得 100 分,超出截断;越低越好的指标用 "lower"(越低越好)。',
        ),
        (
            Argument("value", Text("The KPI value(s): a cell or a range."), is_range=True),
            Argument("floor", Text("The value that scores 0."), is_range=True),
            Argument("target", Text("The value that scores 100."), is_range=True),
            Argument(
                "direction",
                Text(
                    'Optional: "higher" or "lower". With a direction, floor and target may be in either order.'
                ),
                optional=True,
            ),
        ),
        Result(Text("0–100, same shape as value"), spills=True),
        example="=CRM_NORMALIZE(10,30,5) → 80 (churn 10 %: 30 % scores 0, 5 % scores 100)",
    ),
    FunctionSpec(
        "CRM_SCALE",
        Text(
            'An indicator column scored 0-100 by its scale: "linear" (floor/target), "form" (1-5 answers), "minmax" (over the column) or "score" (already 0-100). The Ratings sheet uses it for every indicator.',
            "按标准化方法把指标列换算为 0–100 分:linear(底线/目标)、form(1–5 分)、minmax(极差)、score(已是得分)。",
        ),
        (
            Argument("values", Text("The indicator's values: a cell or a column."), is_range=True),
            Argument("scale", Text('One of "linear", "form", "minmax", "score".')),
            Argument(
                "floor", Text("Optional (linear only). The value that scores 0."), optional=True
            ),
            Argument(
                "target", Text("Optional (linear only). The value that scores 100."), optional=True
            ),
            Argument(
                "direction",
                Text(
                    'Optional: "higher" (default) or "lower" (lower is better; inverts form and score).'
                ),
                optional=True,
            ),
            Argument(
                "among",
                Text(
                    "Optional: the whole column the values belong to (minmax scales over it). With it, a formula per row gives what one formula over the column gives."
                ),
                is_range=True,
                optional=True,
            ),
        ),
        Result(
            Text("0-100, same shape as values"), spills=True, row_wise=True, row_wise_with="among"
        ),
        example='=CRM_SCALE(E4:E203,"linear",0,300000) -> 0-100 per customer',
    ),
    FunctionSpec(
        "CRM_FORM_SCORE",
        Text(
            "Map form answers on a 1-5 scale (or low-high) to 0-100: (answer - 1) / 4 x 100. Answers outside the scale are errors.",
            "把 1–5 分自评/问卷得分换算为 0–100 分:(得分 − 1) / 4 × 100;超出量表为错误。",
        ),
        (
            Argument("answers", Text("The answers: a cell or a range."), is_range=True),
            Argument(
                "low", Text("Optional. Lowest answer of the scale (default 1)."), optional=True
            ),
            Argument(
                "high", Text("Optional. Highest answer of the scale (default 5)."), optional=True
            ),
        ),
        Result(Text("0–100, same shape as answers"), spills=True),
        example="=CRM_FORM_SCORE(4) → 75",
    ),
    FunctionSpec(
        "CRM_MINMAX",
        Text(
            'Min-max scaling over the range itself: lowest value 0, highest 100 (reversed for "lower").',
            '极差标准化:区域内最小值 0 分、最大值 100 分("lower" 时反向)。',
        ),
        (
            Argument("values", Text("The values to scale (a range)."), is_range=True),
            Argument("direction", Text('Optional: "higher" (default) or "lower".'), optional=True),
        ),
        Result(Text("0–100, same shape as values"), spills=True),
        example="=CRM_MINMAX({10;20;30}) → 0, 50, 100",
    ),
    # -- KPIs -----------------------------------------------------------------------------
    FunctionSpec(
        "CRM_CHURN",
        Text(
            "Churn rate in %: customers lost / customers at the start x 100.",
            "客户流失率(%):流失客户数 ÷ 期初客户数 × 100。",
        ),
        (
            Argument("lost", Text("Customers lost in the period."), is_range=True),
            Argument("start", Text("Customers at the start of the period."), is_range=True),
        ),
        Result(Text("%, same shape as the inputs"), spills=True),
        example="=CRM_CHURN(5,100) → 5",
    ),
    FunctionSpec(
        "CRM_RETENTION",
        Text(
            "Retention rate in %: (customers at the end - new customers) / customers at the start x 100.",
            "客户保留率(%):(期末客户数 − 新增客户数)÷ 期初客户数 × 100。",
        ),
        (
            Argument("start", Text("Customers at the start of the period."), is_range=True),
            Argument("end", Text("Customers at the end of the period."), is_range=True),
            Argument("new", Text("New customers won in the period."), is_range=True),
        ),
        Result(Text("%, same shape as the inputs"), spills=True),
        example="=CRM_RETENTION(200,210,30) → 90",
    ),
    FunctionSpec(
        "CRM_GROWTH",
        Text(
            "Sales growth in %: (after - before) / before x 100.",
            "销售增长率(%):(本期 − 上期)÷ 上期 × 100。",
        ),
        (
            Argument("before", Text("Sales of the earlier period."), is_range=True),
            Argument("after", Text("Sales of the later period."), is_range=True),
        ),
        Result(Text("%, same shape as the inputs"), spills=True),
        example="=CRM_GROWTH(100000,110000) → 10",
    ),
    FunctionSpec(
        "CRM_CAC",
        Text(
            "Customer acquisition cost: marketing + sales cost / new customers of the same period.",
            "客户获取成本:(营销 + 销售费用)÷ 同期新增客户数。",
        ),
        (
            Argument("cost", Text("Marketing plus sales cost of the period."), is_range=True),
            Argument("new_customers", Text("New customers won in the same period."), is_range=True),
        ),
        Result(Text("money per customer, same shape as the inputs"), spills=True),
        example="=CRM_CAC(50000,25) → 2000",
    ),
    FunctionSpec(
        "CRM_CLV",
        Text(
            "Customer lifetime value (seed form): annual revenue x relationship years - acquisition cost.",
            "客户生命周期价值:年收入 × 合作年限 − 获客成本。",
        ),
        (
            Argument("annual_revenue", Text("Revenue from the customer per year."), is_range=True),
            Argument("years", Text("Expected relationship length in years."), is_range=True),
            Argument("cac", Text("Acquisition cost of the customer."), is_range=True),
        ),
        Result(Text("money, same shape as the inputs"), spills=True),
        example="=CRM_CLV(12000,3,2000) → 34000",
    ),
    FunctionSpec(
        "CRM_CLV_MARGIN",
        Text(
            "Customer lifetime value, margin form (Gupta & Lehmann 2003): margin x r / (1 + i - r); r and i as fractions.",
            "客户生命周期价值(利润率公式):年利润 × 保留率 ÷ (1 + 折现率 − 保留率),比率用小数。",
        ),
        (
            Argument("margin", Text("Yearly margin from the customer."), is_range=True),
            Argument(
                "retention", Text("Retention rate as a fraction (80 % is 0.8)."), is_range=True
            ),
            Argument(
                "discount_rate", Text("Discount rate as a fraction (10 % is 0.1)."), is_range=True
            ),
        ),
        Result(Text("money, same shape as the inputs"), spills=True),
        example="=CRM_CLV_MARGIN(100,0.8,0.1) → 266.67",
    ),
    FunctionSpec(
        "CRM_NPS",
        Text(
            "Net Promoter Score: % promoters (9-10) - % detractors (0-6) of 0-10 answers; blanks ignored. -100 to 100.",
            "净推荐值 NPS:推荐者(9–10 分)占比 − 贬损者(0–6 分)占比,空白不计,范围 −100 至 100。",
        ),
        (Argument("responses", Text("The 0-10 answers (a range)."), is_range=True),),
        Result(Text("one number"), spills=False),
        example="=CRM_NPS({10,9,9,8,7,7,6,5,3,10}) → 10",
    ),
    FunctionSpec(
        "CRM_CSAT",
        Text(
            'Customer satisfaction: share of answers in the top two points (4-5 on a 1-5 scale) x 100; method "mean" gives the mean answer instead.',
            '客户满意度 CSAT:最高两档(1–5 分量表的 4、5 分)占比 × 100;method 为 "mean" 时返回平均分。',
        ),
        (
            Argument(
                "responses", Text("The answers (a range); blanks are ignored."), is_range=True
            ),
            Argument(
                "scale",
                Text("Optional. Highest point of the scale: 5 (default), 7 or 10."),
                optional=True,
            ),
            Argument("method", Text('Optional: "top2box" (default) or "mean".'), optional=True),
        ),
        Result(Text("one number"), spills=False),
        example="=CRM_CSAT({5,4,3,2,5}) → 60",
    ),
    FunctionSpec(
        "CRM_CES",
        Text(
            'Customer effort score: mean of 1-7 "easy to handle" answers (higher = easier).',
            "客户费力度 CES:1–7 分“容易办理”评分的平均值(越高越省力)。",
        ),
        (
            Argument(
                "responses", Text("The answers (a range); blanks are ignored."), is_range=True
            ),
            Argument(
                "scale",
                Text("Optional. Highest point of the scale: 7 (default) or 5."),
                optional=True,
            ),
        ),
        Result(Text("one number"), spills=False),
        example="=CRM_CES({7,6,5,6}) → 6",
    ),
    # -- tiers and segments ---------------------------------------------------------------
    FunctionSpec(
        "CRM_TIER",
        Text(
            'Tier label for each value from thresholds, e.g. {100000,50000} and {"A","B","C"}. A value equal to a threshold gets the lower tier unless at_threshold is "upper".',
            '按阈值分级,如 {100000,50000} 对应 {"A","B","C"};等于阈值归入较低等级(at_threshold 为 "upper" 时归入较高等级)。',
        ),
        (
            Argument("value", Text("The value(s) to grade: a cell or a range."), is_range=True),
            Argument(
                "thresholds",
                Text("Thresholds from the top tier down, strictly decreasing, e.g. {70,50}."),
                is_range=True,
            ),
            Argument(
                "labels",
                Text("One more label than thresholds, from the top tier down."),
                is_range=True,
            ),
            Argument(
                "at_threshold",
                Text(
                    'Optional: "lower" (default: exactly 100000 is B) or "upper" (exactly 100000 is A).'
                ),
                optional=True,
            ),
        ),
        Result(Text("a label, same shape as value"), spills=True, row_wise=True),
        example='=CRM_TIER(120000,{100000,50000},{"A","B","C"}) → "A"',
    ),
    FunctionSpec(
        "CRM_RFM",
        Text(
            "RFM segment per customer from recency (days, or last-purchase dates with as_of), frequency and monetary columns: quintile scores, then a named segment.",
            "RFM 客户分群:按最近购买(天数或日期)、购买频次、消费金额的五分位得分划分客户群。",
        ),
        (
            Argument(
                "recency",
                Text(
                    "Days since the last purchase (lower is better), or the dates of the last purchase."
                ),
                is_range=True,
            ),
            Argument("frequency", Text("Number of purchases."), is_range=True),
            Argument("monetary", Text("Amount spent."), is_range=True),
            Argument(
                "scheme",
                Text(
                    'Optional: "rf-grid" (default, 10 segments) or "cn8" (8 Chinese CRM segments).'
                ),
                optional=True,
            ),
            Argument("lang", Text('Optional: "en" (default) or "zh".'), optional=True),
            Argument(
                "as_of",
                Text(
                    "Optional. The date recency is counted to, when recency holds dates (e.g. TODAY())."
                ),
                optional=True,
            ),
        ),
        Result(Text("a segment name per customer (a spilled column)"), spills=True),
        example='=CRM_RFM(B2:B100,C2:C100,D2:D100,"cn8","zh")',
    ),
    FunctionSpec(
        "CRM_RFM_ROW",
        Text(
            "The RFM segment of one customer's row, ranked among all customers (the whole columns): the formula to fill down a customer table, so that sorting or deleting rows keeps each segment with its customer.",
            "单个客户(一行)的 RFM 客户群,在全部客户(整列)中排名:在客户表中逐行填充,排序或删除行时客户群随行移动。",
        ),
        (
            Argument(
                "recency",
                Text("This customer's days since the last purchase, or its date."),
                is_range=True,
            ),
            Argument("frequency", Text("This customer's number of purchases."), is_range=True),
            Argument("monetary", Text("This customer's amount spent."), is_range=True),
            Argument(
                "all_recency", Text("Recency of every customer (the whole column)."), is_range=True
            ),
            Argument(
                "all_frequency",
                Text("Frequency of every customer (the whole column)."),
                is_range=True,
            ),
            Argument(
                "all_monetary",
                Text("Monetary of every customer (the whole column)."),
                is_range=True,
            ),
            Argument(
                "scheme",
                Text(
                    'Optional: "rf-grid" (default, 10 segments) or "cn8" (8 Chinese CRM segments).'
                ),
                optional=True,
            ),
            Argument("lang", Text('Optional: "en" (default) or "zh".'), optional=True),
            Argument(
                "as_of",
                Text(
                    "Optional. The date recency is counted to, when recency holds dates (e.g. TODAY())."
                ),
                optional=True,
            ),
        ),
        Result(Text("a segment name per row"), spills=True, row_wise=True),
        example='=CRM_RFM_ROW(B2,C2,D2,$B$2:$B$100,$C$2:$C$100,$D$2:$D$100,"cn8","zh")',
    ),
    FunctionSpec(
        "CRM_RFM_CODE",
        Text(
            'RFM score code per customer, e.g. "545" (recency, frequency and monetary quintiles, 5 = best).',
            'RFM 得分代码,如 "545"(最近购买、频次、金额的五分位得分,5 为最好)。',
        ),
        (
            Argument(
                "recency",
                Text("Days since the last purchase, or the dates of the last purchase."),
                is_range=True,
            ),
            Argument("frequency", Text("Number of purchases."), is_range=True),
            Argument("monetary", Text("Amount spent."), is_range=True),
            Argument(
                "as_of",
                Text("Optional. The date recency is counted to, when recency holds dates."),
                optional=True,
            ),
        ),
        Result(Text("a code per customer (a spilled column)"), spills=True),
        example="=CRM_RFM_CODE(B2:B100,C2:C100,D2:D100)",
    ),
    # -- weights --------------------------------------------------------------------------
    FunctionSpec(
        "CRM_AHP",
        Text(
            'AHP weights from a square pairwise-comparison matrix (Saaty\'s eigenvector method); output "cr" gives the consistency ratio (judgements need CR < 0.1).',
            '层次分析法(AHP)权重:由判断矩阵求特征向量权重;output 为 "cr" 时返回一致性比率(CR < 0.1 方可接受)。',
        ),
        (
            Argument(
                "matrix",
                Text(
                    'The n x n pairwise-comparison matrix (1 on the diagonal, a_ji = 1/a_ij; "1/3" text is accepted).'
                ),
                is_range=True,
            ),
            Argument(
                "output",
                Text(
                    'Optional: "weights" (default, a column), "cr", "ci", "lambda_max" or "consistent".'
                ),
                optional=True,
            ),
        ),
        Result(Text("a column of weights (fractions), or one number"), spills=True),
        example="=CRM_AHP({1,3,5;1/3,1,3;1/5,1/3,1}) → 0.637, 0.258, 0.105",
    ),
    FunctionSpec(
        "CRM_AHP_CR",
        Text(
            "Consistency ratio of an AHP pairwise-comparison matrix: CI / RI (Saaty's random index). Below 0.1 the judgements are acceptable.",
            "AHP 判断矩阵的一致性比率 CR = CI ÷ RI;小于 0.1 时判断矩阵一致性可接受。",
        ),
        (Argument("matrix", Text("The n x n pairwise-comparison matrix."), is_range=True),),
        Result(Text("one number"), spills=False),
        example="=CRM_AHP_CR({1,3,5;1/3,1,3;1/5,1/3,1}) → 0.033",
    ),
    FunctionSpec(
        "CRM_ENTROPY_WEIGHTS",
        Text(
            "Entropy weight method: objective weights from data, rows = customers, columns = indicators; more varied indicators weigh more.",
            "熵权法:由数据客观求权重,行为样本、列为指标;差异越大的指标权重越高。",
        ),
        (
            Argument("matrix", Text("The data: rows x indicators."), is_range=True),
            Argument(
                "directions",
                Text('Optional. One "higher"/"lower" per indicator column (default all "higher").'),
                is_range=True,
                optional=True,
            ),
        ),
        Result(Text("a row of weights (fractions)"), spills=True),
        example="=CRM_ENTROPY_WEIGHTS(B2:E50)",
    ),
)

#: name → specification, in the order of the reference page.
SPECS: dict[str, FunctionSpec] = {spec.name: spec for spec in _SPECS}
