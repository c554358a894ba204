"""Tiers, segments and weights: the registry entries of CRM_TIER, the RFM functions, CRM_AHP,
CRM_AHP_CR and CRM_ENTROPY_WEIGHTS.

Data only, read through :mod:`crm_xl.excel.registry`.
"""

from __future__ import annotations

from crm_xl.excel.spec import Argument, FunctionSpec, Result, Text

# CRM_RFM's and CRM_RFM_ROW's optional arguments: the same words for both
_RFM_OPTIONS = (
    Argument(
        "scheme",
        Text(
            'Optional: "rf-grid" (default, 10 segments) or "cn8" (8 Chinese CRM segments).',
            '可选:"rf-grid"(默认,10 个客户群)或 "cn8"(国内常用的 8 类客户群)。',
        ),
        optional=True,
    ),
    Argument(
        "lang",
        Text(
            'Optional: "en" (default) or "zh", the language of segment names and error texts.',
            '可选:"en"(默认)或 "zh",客户群名称和错误说明的语言。',
        ),
        optional=True,
    ),
    Argument(
        "as_of",
        Text(
            "Optional. The date recency is counted to, when recency holds dates (e.g. TODAY()).",
            "可选。recency 为日期时,计算天数所截至的日期(如 TODAY())。",
        ),
        optional=True,
    ),
)

SEGMENTS: tuple[FunctionSpec, ...] = (
    # -- tiers and segments ---------------------------------------------------------------
    FunctionSpec(
        "CRM_TIER",
        Text(
            'Tier label for each value from thresholds, e.g. {100000,50000} and {"A","B","C"}. A value equal to a threshold gets the lower tier unless at_threshold is "upper".',
            '按阈值分级,如 {100000,50000} 对应 {"A","B","C"};等于阈值归入较低等级(at_threshold 为 "upper" 时归入较高等级)。',
        ),
        (
            Argument(
                "value",
                Text("The value(s) to grade: a cell or a range.", "要分级的数值:单元格或区域。"),
                is_range=True,
            ),
            Argument(
                "thresholds",
                Text(
                    "Thresholds from the top tier down, strictly decreasing, e.g. {70,50}.",
                    "分级阈值,从最高等级往下,严格递减,如 {70,50}。",
                ),
                is_range=True,
            ),
            Argument(
                "labels",
                Text(
                    "One more label than thresholds, from the top tier down.",
                    "等级名称,比阈值多一个,从最高等级往下。",
                ),
                is_range=True,
            ),
            Argument(
                "at_threshold",
                Text(
                    'Optional: "lower" (default: exactly 100000 is B) or "upper" (exactly 100000 is A).',
                    '可选:"lower"(默认:恰好 100000 归入 B)或 "upper"(恰好 100000 归入 A)。',
                ),
                optional=True,
            ),
        ),
        Result(
            Text("a label, same shape as value", "等级名称,形状与 value 相同"),
            spills=True,
            row_wise=True,
        ),
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
                    "Days since the last purchase (lower is better), or the dates of the last purchase.",
                    "距最近一次购买的天数(越少越好),或最近一次购买的日期。",
                ),
                is_range=True,
                dates_with="as_of",
            ),
            Argument("frequency", Text("Number of purchases.", "购买次数。"), is_range=True),
            Argument("monetary", Text("Amount spent.", "消费金额。"), is_range=True),
            *_RFM_OPTIONS,
        ),
        Result(
            Text(
                "a segment name per customer (a spilled column)",
                "每个客户一个客户群名称(溢出为一列)",
            ),
            spills=True,
        ),
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
                Text(
                    "This customer's days since the last purchase, or its date.",
                    "该客户距最近一次购买的天数,或最近一次购买的日期。",
                ),
                is_range=True,
                dates_with="as_of",
            ),
            Argument(
                "frequency",
                Text("This customer's number of purchases.", "该客户的购买次数。"),
                is_range=True,
            ),
            Argument(
                "monetary",
                Text("This customer's amount spent.", "该客户的消费金额。"),
                is_range=True,
            ),
            Argument(
                "all_recency",
                Text(
                    "Recency of every customer (the whole column).",
                    "全部客户距最近一次购买的天数或日期(整列)。",
                ),
                is_range=True,
                dates_with="as_of",
            ),
            Argument(
                "all_frequency",
                Text(
                    "Frequency of every customer (the whole column).", "全部客户的购买频次(整列)。"
                ),
                is_range=True,
            ),
            Argument(
                "all_monetary",
                Text(
                    "Monetary of every customer (the whole column).", "全部客户的消费金额(整列)。"
                ),
                is_range=True,
            ),
            *_RFM_OPTIONS,
        ),
        Result(Text("a segment name per row", "每行一个客户群名称"), spills=True, row_wise=True),
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
                Text(
                    "Days since the last purchase, or the dates of the last purchase.",
                    "距最近一次购买的天数,或最近一次购买的日期。",
                ),
                is_range=True,
                dates_with="as_of",
            ),
            Argument("frequency", Text("Number of purchases.", "购买次数。"), is_range=True),
            Argument("monetary", Text("Amount spent.", "消费金额。"), is_range=True),
            Argument(
                "as_of",
                Text(
                    "Optional. The date recency is counted to, when recency holds dates.",
                    "可选。recency 为日期时,计算天数所截至的日期。",
                ),
                optional=True,
            ),
        ),
        Result(
            Text("a code per customer (a spilled column)", "每个客户一个得分代码(溢出为一列)"),
            spills=True,
        ),
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
                    'The n x n pairwise-comparison matrix (1 on the diagonal, a_ji = 1/a_ij; "1/3" text is accepted).',
                    'n × n 判断矩阵(对角线为 1,a_ji = 1/a_ij;可写文本 "1/3")。',
                ),
                is_range=True,
            ),
            Argument(
                "output",
                Text(
                    'Optional: "weights" (default, a column), "cr", "ci", "lambda_max" or "consistent".',
                    '可选:"weights"(默认,一列权重)、"cr"(一致性比率)、"ci"(一致性指标)、"lambda_max"(最大特征值)或 "consistent"(是否通过一致性检验)。',
                ),
                optional=True,
            ),
        ),
        Result(
            Text("a column of weights (fractions), or one number", "一列权重(小数),或一个数值"),
            spills=True,
        ),
        example="=CRM_AHP({1,3,5;1/3,1,3;1/5,1/3,1}) → 0.637, 0.258, 0.105",
    ),
    FunctionSpec(
        "CRM_AHP_CR",
        Text(
            "Consistency ratio of an AHP pairwise-comparison matrix: CI / RI (Saaty's random index). Below 0.1 the judgements are acceptable.",
            "AHP 判断矩阵的一致性比率 CR = CI ÷ RI;小于 0.1 时判断矩阵一致性可接受。",
        ),
        (
            Argument(
                "matrix",
                Text("The n x n pairwise-comparison matrix.", "n × n 判断矩阵。"),
                is_range=True,
            ),
        ),
        Result(Text("one number", "一个数值"), spills=False),
        example="=CRM_AHP_CR({1,3,5;1/3,1,3;1/5,1/3,1}) → 0.033",
    ),
    FunctionSpec(
        "CRM_ENTROPY_WEIGHTS",
        Text(
            "Entropy weight method: objective weights from data, rows = customers, columns = indicators; more varied indicators weigh more.",
            "熵权法:由数据客观求权重,行为样本、列为指标;差异越大的指标权重越高。",
        ),
        (
            Argument(
                "matrix",
                Text("The data: rows x indicators.", "数据:多行(样本)× 多个指标。"),
                is_range=True,
            ),
            Argument(
                "directions",
                Text(
                    'Optional. One "higher"/"lower" per indicator column (default all "higher").',
                    '可选。每个指标列一个 "higher"(越高越好)/"lower"(越低越好)(默认全部为 "higher")。',
                ),
                is_range=True,
                optional=True,
            ),
        ),
        Result(Text("a row of weights (fractions)", "一行权重(小数)"), spills=True),
        example="=CRM_ENTROPY_WEIGHTS(B2:E50)",
    ),
)
