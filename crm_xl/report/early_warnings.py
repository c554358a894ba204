"""The early warnings (预警): the rules of :mod:`crm_xl.core.alert_rules` applied to a period.

Figures followed over the periods: the self-assessment composite, the customers' mean
score, the top tier's share and every indicator's mean. Each warning is a dict:

* ``rule`` — the rule's key (``falling_periods``, ``drop_points``, ``composite_floor``,
  ``score_floor``, ``downgraded_top``, ``inactive_days``, ``item_floor``);
* ``subject`` — what it is about (the figure's, item's or indicator's label) and
  ``subjects`` — every label that names it, in both languages (to match plan rows);
* ``message`` — one sentence: what fell, by how much, since when;
* ``since`` — the period the fall started from (or None), ``change`` — by how much;
* ``concerns`` — the customers or items it concerns (names), possibly empty.
"""

from __future__ import annotations

from typing import Any

from crm_xl.core.alert_rules import WarningRules
from crm_xl.report import text
from crm_xl.report.compute import RatedPeriod
from crm_xl.report.figures import rated, records
from crm_xl.workbook import layout


def _figures(card: Any, lang: str) -> list[tuple[str, str, list[str], Any, str]]:
    """(key, label, every label, how to get it from a period's stats, unit) of each figure."""
    w = text.words(lang)
    both = lambda key: [text.words("zh")[key], text.words("en")[key]]  # noqa: E731
    top = card.tiers.labels[0]
    share = {"zh": f"{top} 级客户占比", "en": f"{top} tier share"}
    out = [
        ("composite", w["composite"], both("composite"), lambda s: s["composite"], ""),
        ("mean_score", w["mean_score"], both("mean_score"), lambda s: s["mean_score"], ""),
        ("top_share", share[lang], list(share.values()), lambda s: s["tiers"].get(top), " %"),
    ]
    mean = {"zh": "{}(得分均值)", "en": "{} (mean score)"}
    for ind in card.indicators:
        label = mean[lang].format(ind.label_zh if lang == "zh" else ind.label_en)
        out.append(
            (
                f"indicator:{ind.id}",
                label,
                [ind.label_zh, ind.label_en, ind.id],
                lambda s, i=ind.id: s["indicators"][i],
                "",
            )
        )
    return out


def _run(values: list[float | None]) -> int:
    """How many period-to-period falls in a row end at the last value."""
    runs = 0
    for k in range(len(values) - 1, 0, -1):
        a, b = values[k - 1], values[k]
        if a is None or b is None or not b < a:
            break
        runs += 1
    return runs


def find_warnings(
    history: list[dict[str, Any]],
    now: RatedPeriod,
    before: RatedPeriod | None,
    card: Any,
    rules: WarningRules,
    lang: str,
) -> list[dict[str, Any]]:
    """The warnings of the last period of ``history`` (each period's
    :func:`~crm_xl.report.figures.period_stats`, oldest first); ``now`` and ``before`` are
    that period and the one before it (None with one period)."""
    out: list[dict[str, Any]] = []
    periods = [s["period"] for s in history]

    def add(rule: str, subject: str, subjects: list[str], message: str, **more: Any) -> None:
        entry = {"rule": rule, "subject": subject, "subjects": subjects, "message": message}
        entry.update({"since": None, "change": None, "concerns": []})
        entry.update(more)
        out.append(entry)

    for _key, label, labels, get, unit in _figures(card, lang):
        values = [get(s) for s in history]
        runs = _run(values)
        if rules.falling_periods and runs >= rules.falling_periods:
            first, last = values[-1 - runs], values[-1]
            since = periods[-1 - runs]
            add(
                "falling_periods",
                label,
                labels,
                text.falling_message(lang, label, runs, since, first, last, unit),
                since=since,
                change=last - first,
            )
        if len(values) > 1 and values[-1] is not None and values[-2] is not None:
            drop = values[-2] - values[-1]
            if drop > rules.drop_points:
                add(
                    "drop_points",
                    label,
                    labels,
                    text.drop_message(lang, label, periods[-2], values[-2], values[-1], unit),
                    since=periods[-2],
                    change=-drop,
                )

    stats = history[-1]
    w = text.words(lang)
    both = lambda key: [text.words("zh")[key], text.words("en")[key]]  # noqa: E731
    if stats["composite"] is not None and stats["composite"] < rules.composite_floor:
        add(
            "composite_floor",
            w["composite"],
            both("composite"),
            text.floor_message(lang, w["composite"], stats["composite"], rules.composite_floor),
        )
    if stats["mean_score"] is not None and stats["mean_score"] < rules.score_floor:
        add(
            "score_floor",
            w["mean_score"],
            both("mean_score"),
            text.floor_message(lang, w["mean_score"], stats["mean_score"], rules.score_floor),
        )
    if before is not None and rules.downgraded_top:
        top = card.tiers.labels[0]
        was = records(rated(before))
        down = [
            r["name"] or r["customer_id"]
            for key, r in records(rated(now)).items()
            if (old := was.get(key)) is not None
            and old["tier"] == top
            and r["tier"] is not None
            and r["tier"] != top
        ]
        if len(down) >= rules.downgraded_top:
            share = {"zh": f"{top} 级客户", "en": f"{top} customers"}
            add(
                "downgraded_top",
                share[lang],
                list(share.values()),
                text.downgraded_message(lang, top, len(down), str(before.period)),
                since=str(before.period),
                concerns=down,
            )
    frame = rated(now)
    idle = frame[frame["days_since_purchase"] > rules.inactive_days]
    if len(idle):
        label = {"zh": "未购买客户", "en": "Customers not buying"}
        add(
            "inactive_days",
            label[lang],
            [*label.values(), *_indicator_labels(card, "days_since_purchase")],
            text.inactive_message(lang, len(idle), rules.inactive_days),
            concerns=[n or i for n, i in zip(idle["name"], idle["customer_id"], strict=True)],
        )
    for item in now.items:
        if item["answer"] is None or item["answer"] > rules.item_floor:
            continue
        form = next(f for f in layout.FORM_ITEMS if f.key == item["key"])
        add(
            "item_floor",
            item["label"],
            [form.zh, form.en],
            text.item_message(lang, item["label"], item["answer"], rules.item_floor),
        )
    return out


def _indicator_labels(card: Any, column: str) -> list[str]:
    return [x for i in card.indicators if i.column == column for x in (i.label_zh, i.label_en)]
