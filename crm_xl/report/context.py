"""Everything a report template receives, as one dict (documented in docs/report.md).

:func:`build_context` reads the workbook (:mod:`crm_xl.report.book`), computes every period
(:mod:`crm_xl.report.compute`), then the figures, warnings, plan states and charts. The
dict holds plain values — numbers as floats (None for no value), text as given — so a
team's own template formats them its own way; the built-in templates use the filters of
:mod:`crm_xl.report.render`.

Example::

    >>> import tempfile, pathlib, datetime
    >>> from crm_xl.workbook.build import new_workbook
    >>> book = new_workbook(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", "2026-Q4", lang="en")
    >>> ctx = build_context(book, as_of=datetime.date(2026, 12, 31), charts=False)
    >>> ctx["period"], ctx["previous"], ctx["summary"]["customers"]
    ('2026-Q4', None, 0)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from crm_xl.core.alert_rules import RULE_SPECS, WarningRules
from crm_xl.errors import CrmError
from crm_xl.report import figures, text
from crm_xl.report.book import Book
from crm_xl.report.compute import RatedPeriod, rate_period
from crm_xl.report.early_warnings import find_warnings
from crm_xl.workbook.layout import Period


def plan_rows(now: RatedPeriod, as_of: dt.date) -> list[dict[str, Any]]:
    """The period's plan rows, each with its ``states``: ``overdue`` (the deadline is
    before ``as_of``), ``no_owner``, ``no_deadline``, ``bad_deadline`` (not a date)."""
    out = []
    for row in now.inputs.plan:
        states = []
        if row.deadline is not None and row.deadline < as_of:
            states.append("overdue")
        if not row.owner:
            states.append("no_owner")
        if row.deadline is None:
            states.append("bad_deadline" if row.deadline_text else "no_deadline")
        out.append(
            {
                "problem": row.problem,
                "measure": row.measure,
                "owner": row.owner,
                "deadline": row.deadline.isoformat() if row.deadline else row.deadline_text,
                "states": states,
                "cell": row.cell,
                "department": row.department,
            }
        )
    return out


def addressed(warning: dict[str, Any], plan: list[dict[str, Any]]) -> bool:
    """A plan row addresses a warning when its problem or measure names the warning's
    subject (any of its labels, in either language; case ignored)."""
    for row in plan:
        said = f"{row['problem']} {row['measure']}".casefold()
        if any(s and s.casefold() in said for s in warning["subjects"]):
            return True
    return False


def _pick(periods: list[Period], wanted: str | None) -> int:
    if wanted is None:
        return len(periods) - 1
    p = Period.parse(wanted)
    for k, q in enumerate(periods):
        if q.key == p.key:
            return k
    raise CrmError(
        f"the workbook has no period {p} (it has {', '.join(map(str, periods))})", "--period"
    )


def departments_of(rows: list[Any]) -> dict[str, Any]:
    """The collected department forms for the templates: each department's answers and
    composite, and the company row (each item's mean answer over the departments that
    answered it, the mean of their composites: each department counts once).

    Example::

        >>> from crm_xl.report.book import DepartmentRow
        >>> rows = [DepartmentRow("Sales", "", "", [5, 3], 75.0, "D!A5"),
        ...         DepartmentRow("Support", "", "", [3, None], 50.0, "D!A6")]
        >>> company = departments_of(rows)["company"]
        >>> company["answers"], company["composite"]
        ([4.0, 3.0], 62.5)
    """
    if not rows:
        return {"departments": [], "company": None}

    def mean(values: list[Any]) -> float | None:
        given = [v for v in values if v is not None]
        return sum(given) / len(given) if given else None

    n = len(rows[0].answers)
    return {
        "departments": [
            {
                "department": r.department,
                "filled_by": r.filled_by,
                "date": r.date,
                "answers": r.answers,
                "composite": r.composite,
                "cell": r.cell,
            }
            for r in rows
        ],
        "company": {
            "answers": [mean([r.answers[k] for r in rows]) for k in range(n)],
            "composite": mean([r.composite for r in rows]),
        },
    }


def build_context(
    path: str | Path,
    *,
    period: str | None = None,
    lang: str | None = None,
    as_of: dt.date | None = None,
    rules: WarningRules | None = None,
    charts: bool = True,
) -> dict[str, Any]:
    """The report's data for ``period`` (default: the latest) of the workbook at ``path``;
    ``lang`` defaults to the workbook's, ``as_of`` (which decides what is overdue) to
    today, ``rules`` to the Model's. Periods after ``period`` are left out."""
    from crm_xl.report.book import read_book

    return context_of(read_book(path, rules), period=period, lang=lang, as_of=as_of, charts=charts)


def context_of(
    book: Book,
    *,
    period: str | None = None,
    lang: str | None = None,
    as_of: dt.date | None = None,
    charts: bool = True,
) -> dict[str, Any]:
    """:func:`build_context` of a workbook already read (:func:`crm_xl.report.book.read_book`,
    or :func:`~crm_xl.report.book.read_book_from` for the book open in Excel)."""
    lang = lang or book.lang
    if lang not in ("zh", "en"):
        raise CrmError(f"language must be zh or en, got '{lang}'", "--lang")
    as_of = as_of or dt.date.today()
    k = _pick([p.period for p in book.periods], period)
    done = [rate_period(book, p) for p in book.periods[: k + 1]]
    if lang != book.lang:  # segment names in the report's language
        from dataclasses import replace

        done = [rate_period(replace(book, lang=lang), p) for p in book.periods[: k + 1]]
    now, before = done[-1], (done[-2] if len(done) > 1 else None)
    card = book.card
    history = [figures.period_stats(p, card) for p in done]
    stats, prior = history[-1], (history[-2] if before is not None else None)
    warnings = find_warnings(history, now, before, card, book.rules, lang)
    plan = plan_rows(now, as_of)
    top, bottom = figures.top_bottom(now, card, lang)
    label = lambda i: i.label_zh if lang == "zh" else i.label_en  # noqa: E731
    tiers = [
        {"label": t, "count": stats["tier_counts"][t], "share": stats["tiers"][t]}
        for t in card.tiers.labels
    ]
    ctx: dict[str, Any] = {
        "lang": lang,
        "labels": text.words(lang),
        "workbook": book.path.name,
        "period": str(now.period),
        "previous": str(before.period) if before is not None else None,
        "periods": [s["period"] for s in history],
        "as_of": as_of.isoformat(),
        "tier_labels": list(card.tiers.labels),
        "indicators": [
            {"id": i.id, "label": label(i), "weight": i.weight, "dimension": i.dimension}
            for i in card.indicators
        ],
        "summary": {
            "composite": stats["composite"],
            "composite_change": figures.change(stats["composite"], prior and prior["composite"]),
            "mean_score": stats["mean_score"],
            "mean_score_change": figures.change(stats["mean_score"], prior and prior["mean_score"]),
            "customers": stats["customers"],
            "tiers": tiers,
            "warnings": len(warnings),
            "weakest": figures.weakest(now, stats, card, lang),
        },
        "self_assessment": {
            "items": figures.form_items(now, before),
            "composite": now.composite,
            "composite_change": figures.change(now.composite, before and before.composite),
            "answered": sum(1 for i in now.items if i["answer"] is not None),
            "department": now.inputs.department,
            **departments_of(now.inputs.departments),
        },
        "customers": {
            "tiers": figures.tier_traits(now, card),
            "segments": figures.segments(now),
            "top": top,
            "bottom": bottom,
            **figures.movements(now, before, card),
        },
        "trends": {
            "periods": [s["period"] for s in history],
            "composite": [s["composite"] for s in history],
            "mean_score": [s["mean_score"] for s in history],
            "indicators": [
                {"label": label(i), "values": [s["indicators"][i.id] for s in history]}
                for i in card.indicators
            ],
            "tiers": [
                {"label": t, "values": [s["tiers"][t] for s in history]} for t in card.tiers.labels
            ],
        },
        "warnings": warnings,
        "rules": [
            {
                "key": spec.key,
                "label": spec.zh if lang == "zh" else spec.en,
                "value": getattr(book.rules, spec.key),
            }
            for spec in RULE_SPECS
        ],
        "plan": {
            "rows": plan,
            "unaddressed": [w for w in warnings if not addressed(w, plan)],
        },
        "problems": [
            {
                "where": p.where,
                "message": text.problem_text(p.message, lang),
                "period": str(r.period),
            }
            for r in done
            for p in r.problems
        ],
    }
    ctx["summary"]["composite_change"] = ctx["self_assessment"]["composite_change"]
    company = ctx["self_assessment"]["company"]
    # the period's own form left blank and the departments' forms collected: the company
    # composite (their mean) is the period's self-assessment figure, said so
    ctx["summary"]["composite_from_departments"] = False
    if stats["composite"] is None and company and company["composite"] is not None:
        ctx["summary"]["composite"] = company["composite"]
        ctx["summary"]["composite_from_departments"] = True
        ctx["summary"]["composite_change"] = figures.change(
            company["composite"], prior and prior["composite"]
        )
    if charts:
        from crm_xl.report.charts import trend_charts

        ctx["charts"] = trend_charts(ctx)
    else:
        ctx["charts"] = {}
    return ctx
