"""A realistic test workbook with three periods, and every figure of its report by hand.

Built as a team builds it: ``crm-xl new`` with a customer list (2026-Q2), ``crm-xl
new-period`` twice (2026-Q3, 2026-Q4), each period's figures and form typed into the file
(edited as a package, as Excel would save the cells), then ``crm-xl recalc``.

The model is the built-in one (docs/domain.md): per indicator a 0–100 score,

    spend S = spend / 300,000 × 100      orders O = orders / 24 × 100
    recency D = (365 − days) / 358 × 100 satisfaction Sat = (answer − 1) / 4 × 100
    interactions I = n / 20 × 100        campaigns C = n / 5 × 100
    complaint hours H = (72 − h) / 68 × 100

    score = 0.45 × (0.5 S + 0.3 O + 0.2 D) + 0.35 × (0.6 Sat + 0.2 I + 0.2 C) + 0.2 H

(a blank indicator re-weights its dimension; a dimension without input re-weights the
dimensions), tiers > 70 A, > 50 B, else C. The inputs are chosen so that every indicator
score is a round number; each customer's arithmetic is written out in :data:`SCORES`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm_xl.cli import main
from crm_xl.workbook import layout
from crm_xl.workbook.layout import Period
from crm_xl.xlsx import Package

PERIODS = ("2026-Q2", "2026-Q3", "2026-Q4")
SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://example.com","点我")'

# the customer list: ID, name, region, channel
CUSTOMERS = [
    ("C1", SCRIPT_NAME, "华东", "直销"),
    ("C2", FORMULA_NAME, "华南", "经销商"),
    ("C3", "华北机械有限公司", "华北", "直销"),
    ("C4", "东海贸易有限公司", "华东", "电话销售"),
    ("C5", "南方电子有限公司", "华南", "经销商"),
    ("C6", "西部物流有限公司", "华北", "直销"),
    ("C7", "新星科技有限公司", "华东", "电话销售"),
]
# per period and customer: spend, orders, days since purchase, satisfaction (1-5),
# interactions, complaint hours, campaigns; None is a blank cell
FIGURES = {
    "2026-Q2": {
        "C1": (300000, 24, 7, 5, 20, 4, 5),
        "C2": (150000, 12, 186, 4, 10, 38, 2),
        "C3": (225000, 18, 7, 5, 15, 21, 3),
        "C4": (75000, 6, 365, 2, 5, 72, 0),
        "C5": (150000, 18, 186, 4, 10, 21, 4),
        "C6": (0, 0, 365, 1, 0, 72, 0),
    },  # C7 not a customer yet (its row is blank)
    "2026-Q3": {
        "C1": (300000, 24, 7, 4, 20, 4, 5),
        "C2": (225000, 12, 186, 3, 10, 38, 2),
        "C3": (150000, 12, 186, 4, 10, 38, 3),
        "C4": (75000, 6, 186, 2, 5, 55, 1),
        "C5": (300000, 24, 7, 4, 15, None, 4),  # complaint hours blank
        "C7": (150000, 6, 7, 3, 5, 21, 0),
    },  # C6 has no figures: lost
    "2026-Q4": {
        "C1": (300000, 24, 7, 3, 20, 4, 5),
        "C2": ("n/a", 12, 186, 3, 10, 38, 2),  # a bad cell: no score for C2
        "C3": (150000, 6, 365, 3, 5, 55, 1),
        "C4": (75000, 6, 186, 2, 5, 55, 1),
        "C5": (300000, 18, 7, 4, 15, 21, 4),
        "C7": (225000, 12, 186, 2, 10, 38, 2),
    },
}
INPUT_KEYS = (
    "annual_spend",
    "orders",
    "days_since_purchase",
    "satisfaction",
    "interactions",
    "complaint_hours",
    "campaigns",
)

# the scores, worked out: value dimension v = 0.5 S + 0.3 O + 0.2 D, relationship
# r = 0.6 Sat + 0.2 I + 0.2 C, service H; score = 0.45 v + 0.35 r + 0.2 H
SCORES = {
    "2026-Q2": {
        "C1": 100.0,  # everything at its target: 100
        "C2": 54.55,  # v = 25+15+10 = 50; r = 45+10+8 = 63; H 50 → 22.5+22.05+10
        "C3": 81.45,  # v = 37.5+22.5+20 = 80; r = 60+15+12 = 87; H 75 → 36+30.45+15
        "C4": 16.0,  # v = 12.5+7.5+0 = 20; r = 15+5+0 = 20; H 0 → 9+7+0
        "C5": 65.725,  # v = 25+22.5+10 = 57.5; r = 45+10+16 = 71; H 75 → 25.875+24.85+15
        "C6": 0.0,  # everything at its floor
    },
    "2026-Q3": {
        "C1": 94.75,  # v = 100; r = 45+20+20 = 85; H 100 → 45+29.75+20
        "C2": 54.925,  # v = 37.5+15+10 = 62.5; r = 30+10+8 = 48; H 50 → 28.125+16.8+10
        "C3": 55.95,  # v = 25+15+10 = 50; r = 45+10+12 = 67; H 50 → 22.5+23.45+10
        "C4": 26.9,  # v = 12.5+7.5+10 = 30; r = 15+5+4 = 24; H 25 → 13.5+8.4+5
        "C5": 89.5,  # v = 100; r = 45+15+16 = 76; no service input: (45 + 26.6) / 0.8
        "C7": 50.875,  # v = 25+7.5+20 = 52.5; r = 30+5+0 = 35; H 75 → 23.625+12.25+15
    },
    "2026-Q4": {
        "C1": 89.5,  # v = 100; r = 30+20+20 = 70; H 100 → 45+24.5+20
        "C3": 33.275,  # v = 25+7.5+0 = 32.5; r = 30+5+4 = 39; H 25 → 14.625+13.65+5
        "C4": 26.9,  # as in Q3
        "C5": 83.225,  # v = 50+22.5+20 = 92.5; r = 45+15+16 = 76; H 75 → 41.625+26.6+15
        "C7": 49.675,  # v = 37.5+15+10 = 62.5; r = 15+10+8 = 33; H 50 → 28.125+11.55+10
    },  # C2: annual spend 'n/a' → no score, tier or segment
}
TIERS = {
    "2026-Q2": {"C1": "A", "C2": "B", "C3": "A", "C4": "C", "C5": "B", "C6": "C"},
    "2026-Q3": {"C1": "A", "C2": "B", "C3": "B", "C4": "C", "C5": "A", "C7": "B"},
    "2026-Q4": {"C1": "A", "C3": "C", "C4": "C", "C5": "A", "C7": "C"},
}
# the self-assessment: answers (interaction, sales, support, feedback, training), weights 20
ANSWERS = {
    "2026-Q2": (4, 3, 3, 4, 2),  # points 75 50 50 75 25 → composite 55
    "2026-Q3": (4, 4, 2, 3, 3),  # points 75 75 25 50 50 → composite 55
    "2026-Q4": (3, 4, 2, None, 2),  # points 50 75 25 – 25 → (50+75+25+25) / 4 = 43.75
}
REMARKS_Q4 = ("<b>回访</b> & 调查", "", "响应慢", "", "")
PLAN_Q4 = [  # problem, measure, owner, deadline
    ("技术支持响应慢", "增加值班工程师", "张三", dt.date(2026, 11, 30)),  # overdue on 12-15
    ("客户满意度下降", "回访 A、B 级客户", None, dt.date(2027, 1, 31)),  # no owner
    ("培训不足", "每季度培训一次", "李四", None),  # no deadline
]
AS_OF = dt.date(2026, 12, 15)


def _serial(day: dt.date) -> float:
    """A date as Excel stores it (days since 1899-12-30)."""
    return float((day - dt.date(1899, 12, 30)).days)


def fill_period(book: Path, period: str) -> None:
    """Type the period's figures, answers, remarks and plan into the workbook."""
    pkg = Package.open(book)
    names = {k.lower(): v for k, (v, _) in pkg.defined_names().items()}
    p = Period.parse(period)
    sheet, ref = layout.split_ref(names[layout.name(p, layout.RATINGS_TABLE).lower()])
    first = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
    letters = {}
    for key in (*INPUT_KEYS, "customer_id", "name", "region", "channel"):
        _, col = layout.split_ref(names[layout.name(p, key).lower()])
        letters[key] = "".join(ch for ch in col.split(":")[0] if ch.isalpha())
    cells = {}
    for i, (cid, name, region, channel) in enumerate(CUSTOMERS):
        row = first + i
        for key, value in zip(
            ("customer_id", "name", "region", "channel"), (cid, name, region, channel), strict=True
        ):
            cells[f"{letters[key]}{row}"] = value
        figures = FIGURES[period].get(cid, (None,) * len(INPUT_KEYS))
        for key, value in zip(INPUT_KEYS, figures, strict=True):
            cells[f"{letters[key]}{row}"] = value
    pkg.set_cells(sheet, cells)
    form, scores = layout.split_ref(names[layout.name(p, layout.SA_SCORES).lower()])
    top = int("".join(ch for ch in scores.split(":")[0] if ch.isdigit()))
    answers = {}
    for i, answer in enumerate(ANSWERS[period]):
        answers[f"{layout.FORM_COL_SCORE}{top + i}"] = answer
        if period == "2026-Q4":
            answers[f"{layout.FORM_COL_REMARKS}{top + i}"] = REMARKS_Q4[i] or None
    if period == "2026-Q4":
        answers[f"{layout.FORM_INFO_INPUTS[0]}{layout.FORM_INFO_ROW}"] = "客户服务部"
        plan_first = layout.form_rows()["plan_first"]
        for k, (problem, measure, owner, deadline) in enumerate(PLAN_Q4):
            r = plan_first + k
            answers[f"A{r}"], answers[f"B{r}"], answers[f"C{r}"] = problem, measure, owner
            answers[f"D{r}"] = None if deadline is None else _serial(deadline)
    pkg.set_cells(form, answers)
    pkg.save(book)


def build(folder: Path, lang: str = "zh") -> Path:
    """The three-period workbook in ``folder`` (recalculated, as a team would keep it)."""
    book = folder / f"team_{lang}.xlsx"
    assert main(["new", str(book), "--period", PERIODS[0], "--lang", lang]) == 0
    fill_period(book, PERIODS[0])
    for period in PERIODS[1:]:
        assert main(["new-period", str(book), "--period", period]) == 0
        fill_period(book, period)
    assert main(["recalc", str(book)]) in (0, 1)  # C2's bad cell is reported, not fatal
    return book
