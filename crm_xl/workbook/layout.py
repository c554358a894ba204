"""The workbook's layout, defined once: sheets, sections, columns, defined names, periods.

Every shell that touches the self-assessment and rating workbook — the generator
(``crm-xl new``), ``crm-xl new-period``, the Recalculate macro and the headless
recalculation — reads where things are from here, so a change of layout is one change.

Sheets are found by **defined names**, not by their (Chinese or English) titles: every
period's sheets carry workbook-level names such as ``crm_2026Q4_ratings``, and the Model's
tables names such as ``crm_ind_weights``.

Example::

    >>> Period.parse("2026-Q4").key, ratings_sheet("2026-Q4", "zh")
    ('2026Q4', '评级 2026-Q4')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crm_xl.errors import CrmError

LANGS = ("zh", "en")

# -- periods ------------------------------------------------------------------------------
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H[12]|(?:0[1-9]|1[0-2])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """An assessment period: ``2026`` (year), ``2026-H1``, ``2026-Q4`` or ``2026-03`` (month)."""

    sort_key: tuple[int, int, int]
    text: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period as users write it (``2026-q4`` is fine); a clear error otherwise."""
        t = str(text).strip().upper()
        m = _PERIOD.match(t)
        if not m:
            raise CrmError(
                f"'{text}' is not a period: write 2026-Q4 (quarter), 2026-H1 (half-year), "
                "2026-03 (month) or 2026 (year)",
                "--period",
            )
        year, part = int(m["year"]), m["part"] or ""
        if part.startswith("Q"):
            start = (int(part[1]) - 1) * 3 + 1
        elif part.startswith("H"):
            start = (int(part[1]) - 1) * 6 + 1
        elif part:
            start = int(part)
        else:
            start = 1
        return cls((year, start, len(part)), f"{year}-{part}" if part else str(year))

    @classmethod
    def from_key(cls, key: str) -> Period:
        """The period of a defined-name key: ``2026Q4`` → 2026-Q4, ``202603`` → 2026-03."""
        year, part = key[:4], key[4:]
        return cls.parse(f"{year}-{part}" if part else year)

    @property
    def key(self) -> str:
        """The period in defined names: ``2026Q4``, ``2026H1``, ``202603``, ``2026``."""
        return self.text.replace("-", "")

    def next(self) -> Period:
        """The period after this one, of the same kind.

        Example::

            >>> [str(Period.parse(p).next()) for p in ("2026-Q4", "2026-H1", "2026-12", "2026")]
            ['2027-Q1', '2026-H2', '2027-01', '2027']
        """
        year, _, part = self.text.partition("-")
        y = int(year)
        if not part:
            return Period.parse(str(y + 1))
        kind, n = (part[0], int(part[1:])) if part[0] in "QH" else ("", int(part))
        if n == {"Q": 4, "H": 2, "": 12}[kind]:
            y, n = y + 1, 1
        else:
            n += 1
        return Period.parse(f"{y}-{kind}{n}" if kind else f"{y}-{n:02d}")

    def __str__(self) -> str:
        return self.text


# -- sheets ---------------------------------------------------------------------------------
SHEET_TITLES = {
    "guide": {"zh": "说明", "en": "Guide"},
    "model": {"zh": "模型", "en": "Model"},
    "dashboard": {"zh": "仪表板", "en": "Dashboard"},
}
CONFIG_SHEET = "xlwings.conf"  # xlwings reads its settings from a sheet of exactly this name
_PERIOD_SHEETS = {
    "self_assessment": {"zh": "自评 {p}", "en": "Self-assessment {p}"},
    "ratings": {"zh": "评级 {p}", "en": "Ratings {p}"},
}


def sheet_title(kind: str, lang: str) -> str:
    return SHEET_TITLES[kind][lang]


def self_assessment_sheet(period: str | Period, lang: str) -> str:
    return _PERIOD_SHEETS["self_assessment"][lang].format(p=period)


def ratings_sheet(period: str | Period, lang: str) -> str:
    return _PERIOD_SHEETS["ratings"][lang].format(p=period)


def form_title(period: str | Period, lang: str) -> str:
    return {
        "zh": f"客户管理现状自评表 {period}",
        "en": f"Customer management self-assessment {period}",
    }[lang]


def ratings_title(period: str | Period, lang: str) -> str:
    return {"zh": f"客户评级表 {period}", "en": f"Customer ratings {period}"}[lang]


def name(period: Period | None, what: str) -> str:
    """A workbook-level defined name: ``crm_<what>`` or ``crm_<period key>_<what>``."""
    return f"crm_{what}" if period is None else f"crm_{period.key}_{what}"


#: The defined name that lists the workbook's periods' keys, oldest first.
LANG_NAME = "crm_lang"


# -- the Model sheet ------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelColumn:
    key: str  # scorecard key
    zh: str
    en: str
    width: float


MODEL_COLUMNS = (
    ModelColumn("id", "编号", "ID", 20),
    ModelColumn("label_zh", "指标名称", "Label (Chinese)", 18),
    ModelColumn("label_en", "指标名称(英文)", "Label (English)", 26),
    ModelColumn("column", "评级表列", "Ratings column", 20),
    ModelColumn("dimension", "维度", "Dimension", 13),
    ModelColumn("weight", "维度内权重%", "Weight in dimension %", 12),
    ModelColumn("scale", "标准化方法", "Scale", 11),
    ModelColumn("direction", "方向", "Direction", 10),
    ModelColumn("floor", "底线(0分)", "Floor (scores 0)", 13),
    ModelColumn("target", "目标(100分)", "Target (scores 100)", 13),
)
MODEL_TITLE_ROW = 1
MODEL_IND_HEADER_ROW = 4  # indicators table: header here, one row per indicator below
MODEL_DIM_GAP = 2  # blank rows between the tables
MODEL_DIM_COLUMNS = (
    ModelColumn("id", "维度编号", "Dimension ID", 20),
    ModelColumn("label_zh", "维度名称", "Label (Chinese)", 18),
    ModelColumn("label_en", "维度名称(英文)", "Label (English)", 26),
    ModelColumn("weight", "维度权重%", "Weight %", 12),
)


# -- the Ratings sheet (seed 004's table) -----------------------------------------------------
@dataclass(frozen=True)
class RatingsColumn:
    """One column of the Ratings sheet."""

    key: str
    zh: str
    en: str
    group: str  # the header group it sits under
    kind: str  # "input" (the user types it), "computed" (a CRM_* formula), "indicator" (0-100)
    number_format: str = "General"
    width: float = 12


GROUPS = {
    "basic": {"zh": "基本信息", "en": "Basic information"},
    "purchase": {"zh": "购买行为", "en": "Purchase behaviour"},
    "interaction": {"zh": "客户互动", "en": "Interactions"},
    "satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "campaign": {"zh": "市场活动", "en": "Campaigns"},
    "result": {"zh": "评级结果", "en": "Rating"},
    "scores": {"zh": "指标得分(0-100)", "en": "Indicator scores (0-100)"},
}

RATINGS_INPUTS = (
    RatingsColumn("customer_id", "客户编号", "Customer ID", "basic", "input", "@", 12),
    RatingsColumn("name", "客户名称", "Customer", "basic", "input", "@", 26),
    RatingsColumn("region", "区域", "Region", "basic", "input", "@", 9),
    RatingsColumn("channel", "购买渠道", "Channel", "basic", "input", "@", 11),
    RatingsColumn("annual_spend", "年消费金额", "Annual spend", "purchase", "input", "#,##0", 13),
    RatingsColumn("orders", "购买次数", "Orders", "purchase", "input", "0", 9),
    RatingsColumn(
        "days_since_purchase", "距上次购买天数", "Days since purchase", "purchase", "input", "0", 12
    ),
    RatingsColumn("interactions", "互动次数", "Interactions", "interaction", "input", "0", 9),
    RatingsColumn(
        "satisfaction", "满意度(1-5)", "Satisfaction (1-5)", "satisfaction", "input", "0.0", 11
    ),
    RatingsColumn(
        "complaint_hours",
        "投诉处理时长(小时)",
        "Complaint hours",
        "satisfaction",
        "input",
        "0.0",
        12,
    ),
    RatingsColumn("campaigns", "活动参与次数", "Campaigns joined", "campaign", "input", "0", 11),
)
RATINGS_RESULTS = (
    RatingsColumn("score", "综合得分", "Score", "result", "computed", "0.0", 10),
    RatingsColumn("tier", "等级", "Tier", "result", "computed", "@", 7),
    RatingsColumn("rfm_segment", "RFM 分群", "RFM segment", "result", "computed", "@", 16),
    RatingsColumn("indicators_used", "有效指标数", "Indicators used", "result", "computed", "0", 9),
)
RATINGS_TITLE_ROW = 1
RATINGS_GROUP_ROW = 2
RATINGS_HEADER_ROW = 3
RATINGS_FIRST_ROW = 4
RATINGS_MIN_ROWS = 200  # room to add customers; computed columns cover every row
RATINGS_SPARE_ROWS = 50


def ratings_rows(customers: int) -> int:
    """How many data rows a period's Ratings sheet gets (customers plus room to add more)."""
    need = customers + RATINGS_SPARE_ROWS
    return max(RATINGS_MIN_ROWS, -(-need // 100) * 100)


# -- the Self-assessment sheet (seed 002's form) ----------------------------------------------
@dataclass(frozen=True)
class FormItem:
    key: str
    zh: str
    en: str
    criteria_zh: str
    criteria_en: str
    weight: float


FORM_ITEMS = (
    FormItem(
        "interaction", "客户互动", "Customer interaction",
        "客户服务响应时间、客户互动频率、客户满意度调查结果",
        "Service response time, interaction frequency, satisfaction survey results", 20,
    ),
    FormItem(
        "sales", "销售业绩", "Sales performance",
        "销售额增长率、客户获取成本、客户留存率",
        "Sales growth, customer acquisition cost, customer retention", 20,
    ),
    FormItem(
        "support", "技术支持", "Technical support",
        "技术支持团队的工作效率、客户投诉处理时间",
        "Support team efficiency, complaint handling time", 20,
    ),
    FormItem(
        "feedback", "客户反馈", "Customer feedback",
        "客户反馈收集机制的有效性、客户意见采纳情况",
        "Effectiveness of feedback collection, adoption of customer suggestions", 20,
    ),
    FormItem(
        "training", "培训与发展", "Training and development",
        "员工客户管理技能培训情况、员工工作积极性",
        "Staff training in customer management, staff motivation", 20,
    ),
)  # fmt: skip
FORM_TITLE_ROW = 1
FORM_INFO_ROW = 2  # department / filled in by / date
FORM_HEADER_ROW = 4
FORM_FIRST_ITEM_ROW = 5
FORM_PLAN_ROWS = 5  # blank rows of the improvement plan
FORM_SUMMARY_ROWS = 4  # composite, items scored, average, weakest item


def form_rows() -> dict[str, int]:
    """Row numbers of the form's parts (items, summary, plan, signatures)."""
    last_item = FORM_FIRST_ITEM_ROW + len(FORM_ITEMS) - 1
    summary = last_item + 1
    plan_title = summary + FORM_SUMMARY_ROWS + 1
    return {
        "first_item": FORM_FIRST_ITEM_ROW,
        "last_item": last_item,
        "summary": summary,
        "plan_title": plan_title,
        "plan_first": plan_title + 2,
        "plan_last": plan_title + 1 + FORM_PLAN_ROWS,
        "signatures": plan_title + 3 + FORM_PLAN_ROWS,
    }


# columns of the form
FORM_COL_ITEM, FORM_COL_CRITERIA, FORM_COL_SCORE, FORM_COL_REMARKS = "A", "B", "C", "D"
FORM_COL_WEIGHT, FORM_COL_POINTS = "E", "F"

# -- the Dashboard --------------------------------------------------------------------------
TREND_CAPACITY = 12  # periods listed in the trend table (and its chart)


# -- defined names of a period ----------------------------------------------------------------
PERIOD_RATINGS_NAME = re.compile(
    r"^crm_(?P<key>\d{4}(?:Q[1-4]|H[12]|0[1-9]|1[0-2])?)_ratings$", re.IGNORECASE
)
"""``crm_2026Q4_ratings``: one per period; the periods of a workbook are read from them."""

_REF = re.compile(r"^'?(?P<sheet>(?:[^']|'')+?)'?!(?P<ref>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$")


def split_ref(text: str) -> tuple[str, str]:
    """A defined name's reference as (sheet, range without ``$``).

    Example::

        >>> split_ref("='评级 2026-Q4'!$L$4:$L$203")
        ('评级 2026-Q4', 'L4:L203')
    """
    m = _REF.match(text.strip().lstrip("="))
    if not m:
        raise CrmError(f"cannot read the reference {text!r}")
    return m["sheet"].replace("''", "'"), m["ref"].replace("$", "")


def periods_of(names: Iterable[str]) -> list[Period]:
    """The periods a workbook has, oldest first, from its defined names.

    Example::

        >>> [str(p) for p in periods_of(["crm_2027Q1_ratings", "crm_lang", "crm_2026Q4_ratings"])]
        ['2026-Q4', '2027-Q1']
    """
    return sorted(Period.from_key(m["key"]) for n in names if (m := PERIOD_RATINGS_NAME.match(n)))
