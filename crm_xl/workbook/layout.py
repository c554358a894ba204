"""The workbook's layout, defined once: sheets, sections, columns, defined names, periods.

Every shell that touches the self-assessment and rating workbook — the generator
(``crm-xl new``), ``crm-xl new-period``, the Recalculate macro and the headless
recalculation — reads where things are from here, so a change of layout is one change.

Sheets are found by **defined names**, not by their (Chinese or English) titles: every
period's sheets carry workbook-level names such as ``crm_2026Q4_ratings``, and the Model's
tables names such as ``crm_ind_weight``.

Example::

    >>> Period.parse("2026-Q4").key, ratings_sheet("2026-Q4", "zh")
    ('2026Q4', '评级 2026-Q4')
    >>> name(Period.parse("2026-Q4"), SA_COMPOSITE), TIER_THRESHOLDS_NAME
    ('crm_2026Q4_sa_composite', 'crm_tier_thresholds')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.xlsx.coordinates import col_letters

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
    "departments": {"zh": "部门自评 {p}", "en": "Department forms {p}"},
}


TITLE_CELL = "A1"  # each sheet's heading (a new period's copies get their own)


def sheet_title(kind: str, lang: str) -> str:
    """The title of the Guide, Model or Dashboard sheet (``kind``) in ``lang``.

    Example::

        >>> sheet_title("model", "zh"), sheet_title("model", "en")
        ('模型', 'Model')
    """
    return SHEET_TITLES[kind][lang]


def self_assessment_sheet(period: str | Period, lang: str) -> str:
    """The title of a period's Self-assessment sheet (``自评 2026-Q4``)."""
    return _PERIOD_SHEETS["self_assessment"][lang].format(p=period)


def ratings_sheet(period: str | Period, lang: str) -> str:
    """The title of a period's Ratings sheet (``评级 2026-Q4``)."""
    return _PERIOD_SHEETS["ratings"][lang].format(p=period)


def departments_sheet(period: str | Period, lang: str) -> str:
    """The title of a period's sheet of collected department forms (``部门自评 2026-Q4``)."""
    return _PERIOD_SHEETS["departments"][lang].format(p=period)


def form_title(period: str | Period, lang: str) -> str:
    """The heading in A1 of a period's Self-assessment sheet."""
    return {
        "zh": f"客户管理现状自评表 {period}",
        "en": f"Customer management self-assessment {period}",
    }[lang]


def ratings_title(period: str | Period, lang: str) -> str:
    """The heading in A1 of a period's Ratings sheet."""
    return {"zh": f"客户评级表 {period}", "en": f"Customer ratings {period}"}[lang]


# -- defined names --------------------------------------------------------------------------
def name(period: Period | None, what: str) -> str:
    """A workbook-level defined name: ``crm_<what>`` or ``crm_<period key>_<what>``."""
    return f"crm_{what}" if period is None else f"crm_{period.key}_{what}"


#: The workbook's language ("zh" or "en"), a text constant: marks a crm_xl workbook.
LANG_NAME = "crm_lang"
#: The keys of the workbook's periods, oldest first, a text constant (``"2026Q4,2027Q1"``).
PERIODS_NAME = "crm_periods"

#: The Model's indicator columns that have a defined name each: ``crm_ind_<key>``.
MODEL_NAMED_COLUMNS = ("id", "weight", "dimension", "scale", "direction", "floor", "target")


def indicator_name(key: str) -> str:
    """The defined name of one of the Model's indicator columns: ``crm_ind_weight``."""
    return f"crm_ind_{key}"


#: Marks a workbook with a Model sheet, and finds that sheet.
MODEL_NAME = indicator_name("weight")
DIM_ID_NAME, DIM_WEIGHT_NAME = "crm_dim_id", "crm_dim_weight"
TIER_THRESHOLDS_NAME, TIER_LABELS_NAME = "crm_tier_thresholds", "crm_tier_labels"
#: The model's rule at a threshold, a constant name (``"lower"`` or ``"upper"``) that the
#: Model reader takes; a workbook without it is ``"lower"``, the default rule.
TIER_AT_NAME = "crm_tier_at"
RFM_SCHEME_NAME = "crm_rfm_scheme"
FORM_WEIGHT_NAME = "crm_form_weight"  # the self-assessment items' weights
DEPARTMENTS_NAME = "departments"  # a period's collected department forms: crm_<period>_departments
#: The report's early-warning rules: two columns, each rule's value then its key
#: (:mod:`crm_xl.core.alert_rules`), below the form's weights.
WARN_RULES_NAME = "crm_warn_rules"
CURRENT_PERIOD_NAME = "crm_current_period"  # the Dashboard's period cell
TREND_NAME = "crm_trend"  # the Dashboard's trend table, one row per period

# What a period's names end in (crm_2026Q4_<what>), besides each Ratings column's key:
RATINGS_TABLE = "ratings"  # the whole Ratings table; one per period, so it lists the periods
SA_SCORES, SA_POINTS = "sa_scores", "sa_points"  # the form's answers (1-5) and points (0-100)
SA_ITEMS, SA_COMPOSITE = "sa_items", "sa_composite"  # its item captions and its composite


def indicator_score_key(indicator_id: str) -> str:
    """The Ratings column (and period name) of an indicator's 0–100 score: ``score_orders``."""
    return f"score_{indicator_id}"


# -- the Model sheet ------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelColumn:
    """One column of the Model's indicators or dimensions table."""

    key: str  # scorecard key
    zh: str
    en: str
    width: float
    editable: bool = False  # shown as an input cell: users tune it in Excel


MODEL_COLUMNS = (
    ModelColumn("id", "编号", "ID", 20),
    ModelColumn("label_zh", "指标名称", "Label (Chinese)", 18),
    ModelColumn("label_en", "指标名称(英文)", "Label (English)", 26),
    ModelColumn("column", "评级表列", "Ratings column", 20),
    ModelColumn("dimension", "维度", "Dimension", 13, editable=True),
    ModelColumn("weight", "维度内权重%", "Weight in dimension %", 12, editable=True),
    ModelColumn("scale", "标准化方法", "Scale", 11, editable=True),
    ModelColumn("direction", "方向", "Direction", 10, editable=True),
    ModelColumn("floor", "底线(0分)", "Floor (scores 0)", 13, editable=True),
    ModelColumn("target", "目标(100分)", "Target (scores 100)", 13, editable=True),
)
MODEL_IND_HEADER_ROW = 4  # indicators table: header here, one row per indicator below
MODEL_DIM_GAP = 2  # blank rows between the tables
MODEL_DIM_COLUMNS = (
    ModelColumn("id", "维度编号", "Dimension ID", 20),
    ModelColumn("label_zh", "维度名称", "Label (Chinese)", 18),
    ModelColumn("label_en", "维度名称(英文)", "Label (English)", 26),
    ModelColumn("weight", "维度权重%", "Weight %", 12, editable=True),
)
MODEL_VALUE_COL = 2  # captions in column A, values from B: tiers, RFM scheme, form weights


def column_letter(columns: Sequence[Any], key: str) -> str:
    """The letter of column ``key`` in a table whose columns start at A.

    Example::

        >>> column_letter(MODEL_COLUMNS, "weight"), column_letter(MODEL_DIM_COLUMNS, "weight")
        ('F', 'D')
    """
    return col_letters([c.key for c in columns].index(key) + 1)


@dataclass(frozen=True)
class ModelRows:
    """Row numbers of the Model sheet's tables, which follow each other down the sheet:
    indicators, dimensions, tiers (a header, the thresholds' row, the labels' row), the RFM
    scheme, the self-assessment items' weights (a header, then one row per item)."""

    ind_first: int
    ind_last: int
    dim_header: int
    dim_first: int
    dim_last: int
    tier_header: int
    thresholds: int
    labels: int
    rfm: int
    form_header: int


def model_rows(indicators: int, dimensions: int = 0) -> ModelRows:
    """Where the Model's tables are for so many indicators and dimensions (the reader,
    which finds the counts as it reads down the sheet, asks again with each count found).

    Example (the sample scorecard: 7 indicators in 3 dimensions)::

        >>> rows = model_rows(7, 3)
        >>> rows.ind_first, rows.ind_last, rows.dim_header, rows.thresholds, rows.form_header
        (5, 11, 14, 21, 26)
    """
    ind_first = MODEL_IND_HEADER_ROW + 1
    ind_last = ind_first + indicators - 1
    dim_header = ind_last + 1 + MODEL_DIM_GAP
    dim_last = dim_header + dimensions
    tier_header = dim_last + 1 + MODEL_DIM_GAP
    rfm = tier_header + 4  # below the labels' row and one blank row
    return ModelRows(
        ind_first=ind_first,
        ind_last=ind_last,
        dim_header=dim_header,
        dim_first=dim_header + 1,
        dim_last=dim_last,
        tier_header=tier_header,
        thresholds=tier_header + 1,
        labels=tier_header + 2,
        rfm=rfm,
        form_header=rfm + 2,
    )


# -- the Ratings sheet (the customer rating table) ------------------------------------------
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
    carried: bool = False  # part of the customer list, which a new period keeps
    allowed: str = ""  # the inputs' data validation: "1-5" (a score) or ">=0" (a count, an amount)

    @property
    def text(self) -> bool:
        """A text column: values are kept as text, whatever they look like."""
        return self.number_format == "@"


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
    RatingsColumn("customer_id", "客户编号", "Customer ID", "basic", "input", "@", 12, carried=True),
    RatingsColumn("name", "客户名称", "Customer", "basic", "input", "@", 26, carried=True),
    RatingsColumn("region", "区域", "Region", "basic", "input", "@", 9, carried=True),
    RatingsColumn("channel", "购买渠道", "Channel", "basic", "input", "@", 11, carried=True),
    RatingsColumn("annual_spend", "年消费金额", "Annual spend", "purchase", "input", "#,##0", 13, allowed=">=0"),
    RatingsColumn("orders", "购买次数", "Orders", "purchase", "input", "0", 9, allowed=">=0"),
    RatingsColumn("days_since_purchase", "距上次购买天数", "Days since purchase", "purchase", "input", "0", 12, allowed=">=0"),
    RatingsColumn("interactions", "互动次数", "Interactions", "interaction", "input", "0", 9, allowed=">=0"),
    RatingsColumn("satisfaction", "满意度(1-5)", "Satisfaction (1-5)", "satisfaction", "input", "0.0", 11, allowed="1-5"),
    RatingsColumn("complaint_hours", "投诉处理时长(小时)", "Complaint hours", "satisfaction", "input", "0.0", 12, allowed=">=0"),
    RatingsColumn("campaigns", "活动参与次数", "Campaigns joined", "campaign", "input", "0", 11, allowed=">=0"),
)  # fmt: skip
#: The inputs of the RFM segment (recency, frequency, monetary), in the order its formulas
#: take them.
RFM_INPUT_KEYS = ("days_since_purchase", "orders", "annual_spend")
#: Other headers users' own tables give the input fields (exports of CRM systems, hand-made
#: lists), besides each field's key and labels; a unit in brackets after a header
#: (``全年消费(元)``, ``Spend (CNY)``) is ignored when matching. Each import says which
#: source column went to which field, so a match is never silent.
HEADER_ALIASES = {
    "customer_id": ("客户ID", "客户id", "客户代码", "客户号", "客户编码", "编号", "ID", "Customer No", "Customer number", "Account ID"),
    "name": ("公司名称", "客户", "客户名", "名称", "公司", "单位名称", "Customer name", "Company", "Account", "Account name"),
    "region": ("所属区域", "地区", "大区", "区域名称", "Area", "Territory"),
    "channel": ("销售渠道", "渠道", "Sales channel"),
    "annual_spend": ("全年消费", "年消费", "年度消费", "消费金额", "年销售额", "销售额", "年度采购额", "年采购额", "采购额", "采购金额", "Spend", "Annual revenue", "Revenue"),
    "orders": ("订单数", "订单次数", "下单次数", "Order count", "Number of orders"),
    "days_since_purchase": ("最近购买天数", "距今天数", "最近一次购买距今天数", "Recency", "Recency (days)"),
    "interactions": ("互动", "联系次数", "拜访次数", "Contacts", "Touches"),
    "satisfaction": ("满意度", "客户满意度", "满意度评分", "CSAT", "Satisfaction"),
    "complaint_hours": ("投诉时长", "投诉处理时长", "投诉响应时长", "Complaint handling hours", "Complaint time"),
    "campaigns": ("活动参与", "参与活动次数", "市场活动参与", "Campaigns"),
}  # fmt: skip
RATINGS_RESULTS = (
    RatingsColumn("score", "综合得分", "Score", "result", "computed", "0.0", 10),
    RatingsColumn("tier", "等级", "Tier", "result", "computed", "@", 7),
    RatingsColumn("rfm_segment", "RFM 分群", "RFM segment", "result", "computed", "@", 16),
    RatingsColumn("indicators_used", "有效指标数", "Indicators used", "result", "computed", "0", 9),
)
RATINGS_GROUP_ROW = 2
RATINGS_HEADER_ROW = 3
RATINGS_FIRST_ROW = 4
RATINGS_MIN_ROWS = 200  # room to add customers; computed columns cover every row
RATINGS_SPARE_ROWS = 50
RATINGS_NOTE_CELL = "F1"  # what to type where


def ratings_columns(indicators: Iterable[Any]) -> list[RatingsColumn]:
    """Every column of a Ratings sheet, left to right: the inputs, the results, then each
    indicator's 0–100 score (``indicators``: the scorecard's, with ``id`` and labels)."""
    scores = [
        RatingsColumn(
            indicator_score_key(i.id), i.label_zh, i.label_en, "scores", "indicator", "0.0", 10
        )
        for i in indicators
    ]
    return [*RATINGS_INPUTS, *RATINGS_RESULTS, *scores]


IDENTITY_KEYS = ("customer_id", "name")  # a customer row has at least one of these
RATINGS_PRINT_BLANK_ROWS = 20  # a sheet with no customer yet prints this many rows to fill by hand


def ratings_print_last_row(last_customer_row: int | None) -> int:
    """The last row a Ratings sheet prints: its last customer's (the rows prepared below
    for more customers would print as empty pages), or some blank rows when it has none.

    Example::

        >>> ratings_print_last_row(63), ratings_print_last_row(None)
        (63, 23)
    """
    if last_customer_row is None:
        return RATINGS_FIRST_ROW + RATINGS_PRINT_BLANK_ROWS - 1
    return last_customer_row


def ratings_rows(customers: int) -> int:
    """How many data rows a period's Ratings sheet gets (customers plus room to add more)."""
    need = customers + RATINGS_SPARE_ROWS
    return max(RATINGS_MIN_ROWS, -(-need // 100) * 100)


# -- the Self-assessment sheet (the form) --------------------------------------------------
@dataclass(frozen=True)
class FormItem:
    """One item of the self-assessment form, with its criteria and default weight (%)."""

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
FORM_INFO_ROW = 2  # department / filled in by / date: a caption, then the cell to fill in
FORM_INFO_CAPTIONS = ("A", "C", "E")
FORM_INFO_INPUTS = ("B", "D", "F")  # the first one is the department
FORM_HEADER_ROW = 4
FORM_FIRST_ITEM_ROW = 5
FORM_PLAN_ROWS = 5  # blank rows of the improvement plan
FORM_PLAN_COLUMNS = ("A", "B", "C", "D")  # problem, measure, owner, deadline
FORM_SUMMARY_ROWS = 4  # composite, items scored, average, weakest item
FORM_SUMMARY_COL = "C"  # the summary's values (the composite first); captions merged in A:B


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
TREND_FORMATTED_ROWS = 120  # rows formatted for the trend (new-period grows it past 12)
DASHBOARD_PERIOD_CELL = "B2"  # the current period (crm_current_period)


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
