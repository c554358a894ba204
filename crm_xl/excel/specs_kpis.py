"""The KPIs: the registry entries of CRM_CHURN, CRM_RETENTION, CRM_GROWTH, CRM_CAC, CRM_CLV,
CRM_CLV_MARGIN, CRM_NPS, CRM_CSAT and CRM_CES.

Data only, read through :mod:`crm_xl.excel.registry`.
"""

from __future__ import annotations

from crm_xl.excel.spec import Argument, FunctionSpec, Result, Text

KPIS: tuple[FunctionSpec, ...] = (
    # -- KPIs -----------------------------------------------------------------------------
    FunctionSpec(
        "CRM_CHURN",
        Text(
            "Churn rate in %: customers lost / customers at the start x 100.",
            "客户流失率(%):流失客户数 ÷ 期初客户数 × 100。",
        ),
        (
            Argument(
                "lost", Text("Customers lost in the period.", "本期流失客户数。"), is_range=True
            ),
            Argument(
                "start",
                Text("Customers at the start of the period.", "期初客户数。"),
                is_range=True,
            ),
        ),
        Result(Text("%, same shape as the inputs", "百分数(%),形状与输入相同"), spills=True),
        example="=CRM_CHURN(5,100) → 5",
    ),
    FunctionSpec(
        "CRM_RETENTION",
        Text(
            "Retention rate in %: (customers at the end - new customers) / customers at the start x 100.",
            "客户保留率(%):(期末客户数 − 新增客户数)÷ 期初客户数 × 100。",
        ),
        (
            Argument(
                "start",
                Text("Customers at the start of the period.", "期初客户数。"),
                is_range=True,
            ),
            Argument(
                "end", Text("Customers at the end of the period.", "期末客户数。"), is_range=True
            ),
            Argument(
                "new", Text("New customers won in the period.", "本期新增客户数。"), is_range=True
            ),
        ),
        Result(Text("%, same shape as the inputs", "百分数(%),形状与输入相同"), spills=True),
        example="=CRM_RETENTION(200,210,30) → 90",
    ),
    FunctionSpec(
        "CRM_GROWTH",
        Text(
            "Sales growth in %: (after - before) / before x 100.",
            "销售增长率(%):(本期 − 上期)÷ 上期 × 100。",
        ),
        (
            Argument("before", Text("Sales of the earlier period.", "上期销售额。"), is_range=True),
            Argument("after", Text("Sales of the later period.", "本期销售额。"), is_range=True),
        ),
        Result(Text("%, same shape as the inputs", "百分数(%),形状与输入相同"), spills=True),
        example="=CRM_GROWTH(100000,110000) → 10",
    ),
    FunctionSpec(
        "CRM_CAC",
        Text(
            "Customer acquisition cost: marketing + sales cost / new customers of the same period.",
            "客户获取成本:(营销 + 销售费用)÷ 同期新增客户数。",
        ),
        (
            Argument(
                "cost",
                Text("Marketing plus sales cost of the period.", "本期营销费用与销售费用之和。"),
                is_range=True,
            ),
            Argument(
                "new_customers",
                Text("New customers won in the same period.", "同期新增客户数。"),
                is_range=True,
            ),
        ),
        Result(
            Text("money per customer, same shape as the inputs", "每个客户的金额,形状与输入相同"),
            spills=True,
        ),
        example="=CRM_CAC(50000,25) → 2000",
    ),
    FunctionSpec(
        "CRM_CLV",
        Text(
            "Customer lifetime value (seed form): annual revenue x relationship years - acquisition cost.",
            "客户生命周期价值:年收入 × 合作年限 − 获客成本。",
        ),
        (
            Argument(
                "annual_revenue",
                Text("Revenue from the customer per year.", "该客户每年带来的收入。"),
                is_range=True,
            ),
            Argument(
                "years",
                Text("Expected relationship length in years.", "预计合作年限(年)。"),
                is_range=True,
            ),
            Argument(
                "cac",
                Text("Acquisition cost of the customer.", "该客户的获客成本。"),
                is_range=True,
            ),
        ),
        Result(Text("money, same shape as the inputs", "金额,形状与输入相同"), spills=True),
        example="=CRM_CLV(12000,3,2000) → 34000",
    ),
    FunctionSpec(
        "CRM_CLV_MARGIN",
        Text(
            "Customer lifetime value, margin form (Gupta & Lehmann 2003): margin x r / (1 + i - r); r and i as fractions.",
            "客户生命周期价值(利润率公式):年利润 × 保留率 ÷ (1 + 折现率 − 保留率),比率用小数。",
        ),
        (
            Argument(
                "margin",
                Text("Yearly margin from the customer.", "该客户每年带来的利润。"),
                is_range=True,
            ),
            Argument(
                "retention",
                Text(
                    "Retention rate as a fraction (80 % is 0.8).",
                    "客户保留率,用小数表示(80 % 写作 0.8)。",
                ),
                is_range=True,
            ),
            Argument(
                "discount_rate",
                Text(
                    "Discount rate as a fraction (10 % is 0.1).",
                    "折现率,用小数表示(10 % 写作 0.1)。",
                ),
                is_range=True,
            ),
        ),
        Result(Text("money, same shape as the inputs", "金额,形状与输入相同"), spills=True),
        example="=CRM_CLV_MARGIN(100,0.8,0.1) → 266.67",
    ),
    FunctionSpec(
        "CRM_NPS",
        Text(
            "Net Promoter Score: % promoters (9-10) - % detractors (0-6) of 0-10 answers; blanks ignored. -100 to 100.",
            "净推荐值 NPS:推荐者(9–10 分)占比 − 贬损者(0–6 分)占比,空白不计,范围 −100 至 100。",
        ),
        (
            Argument(
                "responses",
                Text("The 0-10 answers (a range).", "0–10 分的推荐意愿评分(区域)。"),
                is_range=True,
            ),
        ),
        Result(Text("one number", "一个数值"), spills=False),
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
                "responses",
                Text("The answers (a range); blanks are ignored.", "问卷评分(区域);空白不计。"),
                is_range=True,
            ),
            Argument(
                "scale",
                Text(
                    "Optional. Highest point of the scale: 5 (default), 7 or 10.",
                    "可选。量表最高分:5(默认)、7 或 10。",
                ),
                optional=True,
            ),
            Argument(
                "method",
                Text(
                    'Optional: "top2box" (default) or "mean".',
                    '可选:"top2box"(默认,最高两档占比)或 "mean"(平均分)。',
                ),
                optional=True,
            ),
        ),
        Result(Text("one number", "一个数值"), spills=False),
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
                "responses",
                Text("The answers (a range); blanks are ignored.", "问卷评分(区域);空白不计。"),
                is_range=True,
            ),
            Argument(
                "scale",
                Text(
                    "Optional. Highest point of the scale: 7 (default) or 5.",
                    "可选。量表最高分:7(默认)或 5。",
                ),
                optional=True,
            ),
        ),
        Result(Text("one number", "一个数值"), spills=False),
        example="=CRM_CES({7,6,5,6}) → 6",
    ),
)
