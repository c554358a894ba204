"""Composite scores and normalisation: the registry entries of CRM_SCORE, CRM_MULTISCORE,
CRM_INDICATORS_USED, CRM_EXPLAIN, CRM_NORMALIZE, CRM_SCALE, CRM_FORM_SCORE and CRM_MINMAX.

Data only, read through :mod:`crm_xl.excel.registry`.
"""

from __future__ import annotations

from crm_xl.excel.spec import Argument, FunctionSpec, Result, Text

SCORES: tuple[FunctionSpec, ...] = (
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
                    "Indicator scores: one row, or rows x indicators (one score per row). Blank = missing, not 0.",
                    "各指标得分:一行,或多行 × 多个指标(每行得出一个综合得分)。空白表示缺失,不按 0 计。",
                ),
                is_range=True,
            ),
            Argument(
                "weights",
                Text(
                    "One weight per indicator, as % (40,30,20,10) or fractions (0.4,...). Must sum to 100 % unless normalize is TRUE.",
                    "每个指标一个权重,可写百分数(40,30,20,10)或小数(0.4,…);合计须为 100 %,除非 normalize 为 TRUE。",
                ),
                is_range=True,
            ),
            Argument(
                "normalize",
                Text(
                    "Optional. TRUE rescales weights that do not sum to 100 %; FALSE (default) shows an error instead.",
                    "可选。TRUE:权重合计不为 100 % 时按比例调整;FALSE(默认):显示错误。",
                ),
                optional=True,
                default=False,
            ),
        ),
        Result(
            Text(
                "a number per row (a spilled column for several rows)",
                "每行一个数值(多行时溢出为一列)",
            ),
            spills=True,
            row_wise=True,
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
            Argument(
                "values",
                Text("Indicator scores, rows x indicators.", "各指标得分:多行 × 多个指标。"),
                is_range=True,
            ),
            Argument(
                "weights",
                Text(
                    "Each indicator's weight within its dimension (they sum to 100 % per dimension).",
                    "各指标在所属维度内的权重(每个维度内合计为 100 %)。",
                ),
                is_range=True,
            ),
            Argument(
                "dimensions",
                Text(
                    "Each indicator's dimension name, in the same order as the columns.",
                    "各指标所属的维度名称,顺序与指标列一致。",
                ),
                is_range=True,
            ),
            Argument("dimension_names", Text("The dimension names.", "维度名称。"), is_range=True),
            Argument(
                "dimension_weights",
                Text(
                    "The dimensions' weights, in the order of dimension_names (sum to 100 %).",
                    "各维度的权重,顺序与 dimension_names 一致(合计为 100 %)。",
                ),
                is_range=True,
            ),
        ),
        Result(Text("a number per row", "每行一个数值"), spills=True, row_wise=True),
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
                "values",
                Text(
                    "Indicator scores: one row or rows x indicators.",
                    "各指标得分:一行,或多行 × 多个指标。",
                ),
                is_range=True,
            ),
            Argument(
                "weights", Text("One weight per indicator.", "每个指标一个权重。"), is_range=True
            ),
        ),
        Result(Text("a whole number per row", "每行一个整数"), spills=True, row_wise=True),
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
                Text(
                    "Indicator scores of one customer (a row), or rows x indicators.",
                    "单个客户的各指标得分(一行),或多行 × 多个指标。",
                ),
                is_range=True,
            ),
            Argument(
                "weights",
                Text(
                    "One weight per indicator, as % or fractions.",
                    "每个指标一个权重,百分数或小数均可。",
                ),
                is_range=True,
            ),
            Argument(
                "normalize",
                Text(
                    "Optional. TRUE rescales weights that do not sum to 100 %.",
                    "可选。TRUE:权重合计不为 100 % 时按比例调整。",
                ),
                optional=True,
                default=False,
            ),
        ),
        Result(
            Text(
                "a row of points per customer (blank where the indicator is blank)",
                "每个客户一行贡献分值(指标空白处为空)",
            ),
            spills=True,
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
            Argument(
                "value",
                Text("The KPI value(s): a cell or a range.", "指标数值:单元格或区域。"),
                is_range=True,
            ),
            Argument(
                "floor", Text("The value that scores 0.", "得 0 分的数值(底线)。"), is_range=True
            ),
            Argument(
                "target",
                Text("The value that scores 100.", "得 100 分的数值(目标值)。"),
                is_range=True,
            ),
            Argument(
                "direction",
                Text(
                    'Optional: "higher" or "lower". With a direction, floor and target may be in either order.',
                    '可选:"higher"(越高越好)或 "lower"(越低越好)。指定方向后,底线与目标值的先后不限。',
                ),
                optional=True,
            ),
        ),
        Result(Text("0–100, same shape as value", "0–100 分,形状与 value 相同"), spills=True),
        example="=CRM_NORMALIZE(10,30,5) → 80 (churn 10 %: 30 % scores 0, 5 % scores 100)",
    ),
    FunctionSpec(
        "CRM_SCALE",
        Text(
            'An indicator column scored 0-100 by its scale: "linear" (floor/target), "form" (1-5 answers), "minmax" (over the column) or "score" (already 0-100). The Ratings sheet uses it for every indicator.',
            "按标准化方法把指标列换算为 0–100 分:linear(底线/目标)、form(1–5 分)、minmax(极差)、score(已是得分)。",
        ),
        (
            Argument(
                "values",
                Text("The indicator's values: a cell or a column.", "该指标的数值:单元格或一列。"),
                is_range=True,
            ),
            Argument(
                "scale",
                Text(
                    'One of "linear", "form", "minmax", "score".',
                    '标准化方法:"linear"、"form"、"minmax"、"score" 之一。',
                ),
            ),
            Argument(
                "floor",
                Text(
                    "Optional (linear only). The value that scores 0.",
                    "可选(仅 linear)。得 0 分的数值(底线)。",
                ),
                optional=True,
            ),
            Argument(
                "target",
                Text(
                    "Optional (linear only). The value that scores 100.",
                    "可选(仅 linear)。得 100 分的数值(目标值)。",
                ),
                optional=True,
            ),
            Argument(
                "direction",
                Text(
                    'Optional: "higher" (default) or "lower" (lower is better; inverts form and score).',
                    '可选:"higher"(默认,越高越好)或 "lower"(越低越好;form 和 score 随之反向)。',
                ),
                optional=True,
            ),
            Argument(
                "among",
                Text(
                    "Optional: the whole column the values belong to (minmax scales over it). With it, a formula per row gives what one formula over the column gives.",
                    "可选:values 所在的整列(minmax 按整列计算)。给出后,逐行填充的公式与对整列用一个公式结果相同。",
                ),
                is_range=True,
                optional=True,
            ),
        ),
        Result(
            Text("0-100, same shape as values", "0–100 分,形状与 values 相同"),
            spills=True,
            row_wise=True,
            row_wise_with="among",
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
            Argument(
                "answers",
                Text("The answers: a cell or a range.", "自评/问卷得分:单元格或区域。"),
                is_range=True,
            ),
            Argument(
                "low",
                Text(
                    "Optional. Lowest answer of the scale (default 1).",
                    "可选。量表最低分(默认 1)。",
                ),
                optional=True,
            ),
            Argument(
                "high",
                Text(
                    "Optional. Highest answer of the scale (default 5).",
                    "可选。量表最高分(默认 5)。",
                ),
                optional=True,
            ),
        ),
        Result(Text("0–100, same shape as answers", "0–100 分,形状与 answers 相同"), spills=True),
        example="=CRM_FORM_SCORE(4) → 75",
    ),
    FunctionSpec(
        "CRM_MINMAX",
        Text(
            'Min-max scaling over the range itself: lowest value 0, highest 100 (reversed for "lower").',
            '极差标准化:区域内最小值 0 分、最大值 100 分("lower" 时反向)。',
        ),
        (
            Argument(
                "values",
                Text("The values to scale (a range).", "要标准化的数值(区域)。"),
                is_range=True,
            ),
            Argument(
                "direction",
                Text(
                    'Optional: "higher" (default) or "lower".',
                    '可选:"higher"(默认,越高越好)或 "lower"(越低越好)。',
                ),
                optional=True,
            ),
        ),
        Result(Text("0–100, same shape as values", "0–100 分,形状与 values 相同"), spills=True),
        example="=CRM_MINMAX({10;20;30}) → 0, 50, 100",
    ),
)
