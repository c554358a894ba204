"""The report as a worksheet: the report's data (:mod:`crm_xl.report.context`) laid out as
rows of cells, in the workbook's language.

The sheet is what **Make report** writes into the workbook where no report file can be
written beside it (xlwings Lite, :mod:`crm_xl.report.lite`). It holds the figures of the
HTML report — summary, self-assessment, customers by tier, top and bottom customers, tier
moves, RFM segments, trends, early warnings, the improvement plan and its states, data
problems — as **numbers** (shown with one decimal by the sheet's number formats, never
rounded in the cell), text as text. Nothing here computes a figure: every number is the
context's.

Example::

    >>> ctx = {"lang": "en", "labels": {"title": "Report"}, "period": "2026-Q4"}
    >>> sheet_name(ctx), is_report_sheet([["Report · 2026-Q4"]], ctx)
    ('Report 2026-Q4', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_xl.report.text import joined
from crm_xl.xlsx.coordinates import col_letters

#: The sheet's name before the period, per language.
SHEET_WORD = {"zh": "报告", "en": "Report"}
#: Number formats: a figure (score, share, mean), a count, money.
FIGURE, COUNT, MONEY = "0.0", "0", "#,##0"


def sheet_name(ctx: dict[str, Any]) -> str:
    """The report sheet's name: ``报告 2026-Q4`` / ``Report 2026-Q4``."""
    return f"{SHEET_WORD.get(ctx['lang'], SHEET_WORD['en'])} {ctx['period']}"


def title(ctx: dict[str, Any]) -> str:
    """The text of the sheet's A1: the report's title and period."""
    return f"{ctx['labels']['title']} · {ctx['period']}"


def is_report_sheet(rows: list[list[Any]], ctx: dict[str, Any]) -> bool:
    """True when a sheet's rows (from A1) are a report this module wrote (its A1 is the
    title): such a sheet may be replaced; any other sheet of that name is the user's."""
    first = rows[0][0] if rows and rows[0] else None
    return isinstance(first, str) and first.lstrip("'") == title(ctx)


@dataclass
class Layout:
    """The sheet being laid out: ``rows`` from A1, number formats by range, bold rows."""

    rows: list[list[Any]] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    bold: list[int] = field(default_factory=list)  # 1-based rows

    @property
    def width(self) -> int:
        """The widest row's cell count."""
        return max((len(r) for r in self.rows), default=1)

    def line(self, *cells: Any, bold: bool = False) -> int:
        """Add a row; returns its number."""
        self.rows.append(list(cells))
        if bold:
            self.bold.append(len(self.rows))
        return len(self.rows)

    def heading(self, text: str) -> None:
        """A blank row, then a section's heading."""
        self.line()
        self.line(text, bold=True)

    def table(self, header: list[Any], body: list[list[Any]], formats: dict[int, str]) -> None:
        """A header row and its rows; ``formats``: 0-based column → number format."""
        self.line(*header, bold=True)
        if not body:
            return
        first = len(self.rows) + 1
        for row in body:
            self.line(*row)
        for col, fmt in formats.items():
            letter = col_letters(col + 1)
            self.formats[f"{letter}{first}:{letter}{len(self.rows)}"] = fmt


def _name(c: dict[str, Any]) -> str:
    return c.get("name") or c.get("customer_id") or ""


def _state(row: dict[str, Any], words: dict[str, str]) -> str:
    return ", ".join(words[s] for s in row["states"]) or words["on_track"]


def layout(ctx: dict[str, Any]) -> Layout:
    """The report of ``ctx`` as a sheet (see the module notes)."""
    L, lang, prev = ctx["labels"], ctx["lang"], ctx["previous"]
    out = Layout()
    out.line(title(ctx), bold=True)
    out.line(L["workbook"], ctx["workbook"], L["period"], ctx["period"])
    out.line(L["previous"], prev or L["none"], L["as_of"], ctx["as_of"])
    if not prev:
        out.line(L["no_comparison"])
    out.line(L["computed_note"])

    s = ctx["summary"]
    out.heading(L["summary"])
    composite = L["composite"] + (
        f" ({L['company_row']})" if s["composite_from_departments"] else ""
    )
    out.table(
        ["", ctx["period"], L["change"] if prev else ""],
        [
            [composite, s["composite"], s["composite_change"]],
            [L["mean_score"], s["mean_score"], s["mean_score_change"]],
            [L["customers_rated"], s["customers"]],
            *[[f"{L['tier']} {t['label']} ({L['share_pct']} %)", t["share"]] for t in s["tiers"]],
            [L["warnings_count"], s["warnings"]],
            *[
                [f"{L['weakest']} {k}: {w['label']}", w["value"]]
                for k, w in enumerate(s["weakest"], 1)
            ],
        ],
        {1: FIGURE, 2: FIGURE},
    )

    sa = ctx["self_assessment"]
    out.heading(L["self_assessment"] + (f" · {sa['department']}" if sa["department"] else ""))
    items = [
        [i["label"], i["answer"], i["points"], i["weight"], i["share"], i["change"], i["remarks"]]
        for i in sa["items"]
    ]
    items.append([L["composite"], None, sa["composite"], None, None, sa["composite_change"]])
    out.table(
        [L["item"], L["answer"], L["points"], L["weight"], L["share"], L["change"], L["remarks"]],
        items,
        {1: COUNT, 2: FIGURE, 3: COUNT, 4: FIGURE, 5: FIGURE},
    )
    if sa["departments"]:
        out.heading(L["by_department"])
        body = [[d["department"], *d["answers"], d["composite"]] for d in sa["departments"]]
        body.append([L["company_row"], *sa["company"]["answers"], sa["company"]["composite"]])
        n = len(sa["items"])
        out.table(
            [L["department"], *[i["label"] for i in sa["items"]], L["composite"]],
            body,
            {k: "0.##" for k in range(1, n + 1)} | {n + 1: FIGURE},
        )

    c = ctx["customers"]
    out.heading(L["customers"])
    out.table(
        [
            L["tier"],
            L["count"],
            f"{L['share_pct']} %",
            L["mean_spend"],
            L["mean_orders"],
            L["mean_recency"],
            L["mean_satisfaction"],
        ],
        [
            [
                t["label"],
                t["count"],
                t["share"],
                t["mean_spend"],
                t["mean_orders"],
                t["mean_recency"],
                t["mean_satisfaction"],
            ]
            for t in c["tiers"]
        ],
        {1: COUNT, 2: FIGURE, 3: MONEY, 4: FIGURE, 5: FIGURE, 6: "0.00"},
    )
    for key in ("top", "bottom"):
        out.heading(L[key])
        out.table(
            [L["customer_id"], L["customer"], L["score"], L["tier"]],
            [[x["customer_id"], x["name"], x["score"], x["tier"]] for x in c[key]],
            {2: FIGURE},
        )
    if prev:
        for key in ("moved_up", "moved_down"):
            moved = c["up" if key == "moved_up" else "down"]
            out.heading(f"{L[key]} ({len(moved)})")
            out.table(
                [
                    L["customer_id"],
                    L["customer"],
                    L["from_tier"],
                    L["to_tier"],
                    prev,
                    ctx["period"],
                ],
                [
                    [m["customer_id"], m["name"], m["from"], m["to"], m["score_before"], m["score"]]
                    for m in moved
                ],
                {4: FIGURE, 5: FIGURE},
            )
        out.line()
        out.line(
            f"{L['new_customers']} ({len(c['new'])})", joined([_name(x) for x in c["new"]], lang)
        )
        out.line(
            f"{L['lost_customers']} ({len(c['lost'])})", joined([_name(x) for x in c["lost"]], lang)
        )
    out.heading(L["segments"])
    out.table(
        [L["segment"], L["count"], f"{L['share_pct']} %", f"{L['spend_share']} %"],
        [[g["name"], g["count"], g["share"], g["spend_share"]] for g in c["segments"]],
        {1: COUNT, 2: FIGURE, 3: FIGURE},
    )

    t = ctx["trends"]
    out.heading(L["trends"])
    n = len(t["periods"])
    out.table(
        ["", *t["periods"]],
        [
            [L["composite"], *t["composite"]],
            [L["mean_score"], *t["mean_score"]],
            *[[i["label"], *i["values"]] for i in t["indicators"]],
            *[[f"{L['tier']} {x['label']} ({L['share_pct']} %)", *x["values"]] for x in t["tiers"]],
        ],
        {k: FIGURE for k in range(1, n + 1)},
    )

    out.heading(f"{L['early_warnings']} ({len(ctx['warnings'])})")
    for w in ctx["warnings"]:
        out.line(w["message"], joined(list(w["concerns"]), lang, 10) if w["concerns"] else None)
    if not ctx["warnings"]:
        out.line(L["no_warnings"])

    plan = ctx["plan"]
    out.heading(L["plan"])
    if plan["rows"]:
        out.table(
            [L["department"], L["problem"], L["measure"], L["owner"], L["deadline"], L["state"]],
            [
                [
                    r["department"],
                    r["problem"],
                    r["measure"],
                    r["owner"],
                    r["deadline"],
                    _state(r, L),
                ]
                for r in plan["rows"]
            ],
            {},
        )
    else:
        out.line(L["no_plan"])
    out.line()
    out.line(f"{L['unaddressed']} ({len(plan['unaddressed'])})", bold=True)
    for w in plan["unaddressed"]:
        out.line(w["message"])
    if not plan["unaddressed"]:
        out.line(L["all_addressed"])

    if ctx["problems"]:
        out.heading(f"{L['data_problems']} ({len(ctx['problems'])})")
        out.line(L["data_problems_note"])
        out.table(
            [L["place"], L["reason"], L["period"]],
            [[p["where"], p["message"], p["period"]] for p in ctx["problems"]],
            {},
        )
    out.line()
    out.line(L["generated_by"])
    return out
