"""The report's words in Chinese and English: headings, captions and warning sentences.

Templates get the words of the report's language as ``labels`` (``{{ labels.summary }}``);
the sentences of the early warnings are made here so each says, in one language, what
fell, by how much, since when and what it concerns.

Example::

    >>> words("zh")["summary"], words("en")["summary"]
    ('摘要', 'Summary')
    >>> number(65.5), number(-5.635, signed=True), number(43.75), number(None)
    ('65.5', '−5.6', '43.8', '–')
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crm_xl.errors import counted

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("客户管理评估报告", "Customer management evaluation report"),
    "period": ("期间", "Period"),
    "previous": ("上期", "Previous period"),
    "workbook": ("工作簿", "Workbook"),
    "as_of": ("报告日期", "Report date"),
    "no_comparison": (
        "工作簿只有一个期间,本报告不含与上期的比较。",
        "The workbook has one period: this report has no comparison with a previous one.",
    ),
    "computed_note": (
        "所有数字均由工作簿中的输入数据按 crm-xl recalc 的同一算法重新计算,不读取工作簿里保存的结果。",
        "Every figure is computed from the workbook's inputs with the code crm-xl recalc runs; "
        "results stored in the workbook are not read.",
    ),
    "summary": ("摘要", "Summary"),
    "composite": ("自评综合得分", "Self-assessment composite"),
    "mean_score": ("客户平均得分", "Customers' mean score"),
    "customers_rated": ("已评级客户", "Customers rated"),
    "tier_shares": ("等级占比", "Tier shares"),
    "warnings_count": ("预警", "Warnings"),
    "weakest": ("最薄弱的三项", "The three weakest points"),
    "change": ("较上期", "Change"),
    "self_assessment": ("自评", "Self-assessment"),
    "item": ("评估项", "Item"),
    "answer": ("评分(1-5)", "Answer (1-5)"),
    "points": ("得分(0-100)", "Score (0-100)"),
    "weight": ("权重%", "Weight %"),
    "share": ("计入综合分", "Points in composite"),
    "remarks": ("备注", "Remarks"),
    "not_answered": ("未评", "not answered"),
    "department": ("部门", "Department"),
    "by_department": ("各部门自评", "By department"),
    "company_row": ("全公司(各部门平均)", "Company (mean of departments)"),
    "filled_by": ("填表人", "Filled in by"),
    "customers": ("客户", "Customers"),
    "tier": ("等级", "Tier"),
    "count": ("客户数", "Customers"),
    "share_pct": ("占比", "Share"),
    "mean_spend": ("平均年消费", "Mean spend"),
    "mean_orders": ("平均购买次数", "Mean orders"),
    "mean_recency": ("平均距上次购买天数", "Mean days since purchase"),
    "mean_satisfaction": ("平均满意度(1-5)", "Mean satisfaction (1-5)"),
    "regions": ("区域分布", "Regions"),
    "channels": ("渠道分布", "Channels"),
    "segments": ("RFM 分群", "RFM segments"),
    "segment": ("分群", "Segment"),
    "spend_share": ("消费额占比", "Share of spend"),
    "top": ("得分最高的客户", "Top customers"),
    "bottom": ("得分最低的客户", "Bottom customers"),
    "customer": ("客户", "Customer"),
    "customer_id": ("编号", "ID"),
    "score": ("综合得分", "Score"),
    "points_by_indicator": (
        "各指标一栏为该指标贡献的分数,相加即为综合得分。",
        "Each indicator's column is the points it adds to the score; they add up to the score.",
    ),
    "moved_up": ("等级上升", "Moved up a tier"),
    "moved_down": ("等级下降", "Moved down a tier"),
    "from_tier": ("上期等级", "Was"),
    "to_tier": ("本期等级", "Now"),
    "biggest_moves": (
        "以上为得分变化最大的 {shown} 个,共 {n} 个。",
        "The {shown} biggest score changes of {n}.",
    ),
    "new_customers": ("新增客户", "New customers"),
    "lost_customers": ("流失客户(本期无数据)", "Lost customers (no figures this period)"),
    "none": ("无", "None"),
    "trends": ("趋势", "Trends"),
    "trend_composite": (
        "自评综合得分与客户平均得分",
        "Self-assessment composite and customers' mean score",
    ),
    "trend_indicators": ("各指标平均得分(0-100)", "Each indicator's mean score (0-100)"),
    "trend_tiers": ("等级占比(%)", "Tier shares (%)"),
    "early_warnings": ("预警", "Early warnings"),
    "no_warnings": ("本期没有触发预警。", "No warning this period."),
    "rules_note": (
        "预警规则(可在模型表或 TOML 中修改)",
        "Warning rules (change them on the Model sheet or in TOML)",
    ),
    "plan": ("改进计划", "Improvement plan"),
    "problem": ("问题", "Problem"),
    "measure": ("改进措施", "Measure"),
    "owner": ("负责人", "Owner"),
    "deadline": ("完成期限", "Deadline"),
    "state": ("状态", "State"),
    "overdue": ("已逾期", "overdue"),
    "no_owner": ("无负责人", "no owner"),
    "no_deadline": ("无期限", "no deadline"),
    "bad_deadline": ("期限不是日期", "deadline is not a date"),
    "on_track": ("进行中", "open"),
    "no_plan": ("自评表中没有填写改进计划。", "The self-assessment has no improvement plan rows."),
    "unaddressed": ("尚无改进计划对应的预警", "Warnings no plan row addresses yet"),
    "all_addressed": ("每条预警都有对应的改进计划。", "Every warning has a plan row."),
    "data_problems": ("数据问题", "Data problems"),
    "data_problems_note": (
        "以下单元格无法计算,相关客户或项目未计入上述数字:",
        "These cells cannot be used; the customers or items concerned are left out of the figures above:",
    ),
    "place": ("位置", "Cell"),
    "reason": ("原因", "Reason"),
    "kind_item": ("自评", "self-assessment"),
    "kind_indicator": ("指标均分", "indicator mean"),
    "no_customers": ("本期没有客户数据。", "No customer figures this period."),
    "generated_by": ("由 crm_xl 生成", "Made by crm_xl"),
    "and_more": ("等共 {n} 个", "{n} in all"),
}


def words(lang: str) -> dict[str, str]:
    """Every caption in ``lang`` (``zh`` or ``en``)."""
    k = 0 if lang == "zh" else 1
    return {key: pair[k] for key, pair in _WORDS.items()}


def number(value: Any, digits: int = 1, *, signed: bool = False, unit: str = "") -> str:
    """A figure as the report shows it: ``65.5``, ``−5.6`` (a real minus sign), ``+3.0``;
    an en dash for no value. Thousands are grouped for big numbers (``150,000``)."""
    if value is None or value != value:
        return "–"
    v = float(value)
    if v in (float("inf"), float("-inf")):
        return "–"
    shown = 0 if abs(v) >= 10_000 else digits
    # rounded half away from zero, as Excel shows numbers (65.25 → 65.3)
    exact = Decimal(repr(abs(v))).quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{shown}f}"
    if exact == 0:
        v = 0.0  # no "−0.0"
    sign = "−" if v < 0 else ("+" if signed and v > 0 else "")
    return f"{sign}{text}{unit}"


def joined(names: list[str], lang: str, limit: int = 10) -> str:
    """Names joined in the language's way, cut after ``limit`` with how many there are."""
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(names[:limit])
    if len(names) > limit:
        more = words(lang)["and_more"].format(n=len(names))
        shown += f"… {more}" if lang == "zh" else f", … ({more})"
    return shown


def falling_message(
    lang: str, label: str, runs: int, since: str, first: float, last: float, unit: str
) -> str:
    """``客户满意度 连续 2 期下降:自 2026-Q2 起从 62.5 降到 45.8(−16.7)``."""
    change = number(last - first, signed=True)
    if lang == "zh":
        return f"{label}连续 {runs} 期下降:自 {since} 起从 {number(first)}{unit} 降到 {number(last)}{unit}({change})"
    return (
        f"{label} fell {counted(runs, 'period')} running: from {number(first)}{unit} in {since} "
        f"to {number(last)}{unit} ({change})"
    )


def drop_message(lang: str, label: str, previous: str, before: float, now: float, unit: str) -> str:
    """``客户平均得分 比上期(2026-Q3)下降 5.6 分:62.2 → 56.5``."""
    drop = number(before - now)
    if lang == "zh":
        return (
            f"{label}比上期({previous})下降 {drop} 分:{number(before)}{unit} → {number(now)}{unit}"
        )
    return f"{label} dropped {drop} points since {previous}: {number(before)}{unit} → {number(now)}{unit}"


def floor_message(lang: str, label: str, value: float, floor: float) -> str:
    """``自评综合得分 43.8,低于预警线 60``."""
    if lang == "zh":
        return f"{label} {number(value)},低于预警线 {number(floor, 0)}"
    return f"{label} is {number(value)}, below the floor of {number(floor, 0)}"


def downgraded_message(lang: str, top: str, count: int, previous: str) -> str:
    """``3 个上期 A 级客户降级``."""
    if lang == "zh":
        return f"{count} 个上期({previous}){top} 级客户本期降级"
    return f"{count} {top} customer{'s' if count != 1 else ''} of {previous} moved down a tier"


def inactive_message(lang: str, count: int, days: float) -> str:
    """``4 个客户超过 180 天未购买``."""
    if lang == "zh":
        return f"{count} 个客户超过 {number(days, 0)} 天未购买"
    return f"{count} customer{'s' if count != 1 else ''} bought nothing for more than {number(days, 0)} days"


def item_message(lang: str, label: str, answer: float, floor: float) -> str:
    """``技术支持 自评 2 分(不高于 2 分)``."""
    if lang == "zh":
        return f"{label} 自评 {number(answer, 0)} 分(不高于 {number(floor, 0)} 分)"
    return f"{label} is answered {number(answer, 0)} (at or below {number(floor, 0)})"


def problem_text(message: str, lang: str) -> str:
    """A data problem's reason in the report's language (the core words it in English;
    :func:`crm_xl.core.problem_words.problem_text` has the Chinese wordings).

    Example::

        >>> problem_text("'n/a' is text, not a number", "zh")
        '“n/a”是文本,不是数字'
        >>> problem_text("answer 7 is outside the 1-5 scale", "zh")
        '评分 7 超出 1-5 分的范围'
        >>> problem_text("answer 7 is outside the 1-5 scale", "en")
        'answer 7 is outside the 1-5 scale'
    """
    from crm_xl.core.problem_words import problem_text as in_words

    return in_words(message, lang)
