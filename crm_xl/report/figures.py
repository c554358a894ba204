"""The report's figures: summary, self-assessment, customers and trends, from rated periods.

Pure functions over :class:`~crm_xl.report.compute.RatedPeriod` objects. Conventions (also
in docs/report.md):

* A period's **customers** are the rows of its Ratings sheet with at least one figure;
  rows with only a name (the customer list carried over) are not rated that period.
* The **mean score** and the **tier shares** are over the customers that have a score (a
  customer with a bad input cell has none and is listed under data problems).
* An **indicator's mean** is over the customers with a value for it (0–100).
* Customers are matched between periods by their customer ID (by name when the ID is
  blank). **New**: rated now, not rated in the previous period; **lost**: rated in the
  previous period, not now. **Moved**: a tier in both periods, different.
* **Changes** are against the period just before the report's period.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from crm_xl.report.compute import RatedPeriod

TOP_N = 5  # top and bottom customers listed
MIX_N = 3  # regions and channels listed per tier (the rest as "other")


def _float(x: Any) -> float | None:
    return None if x is None or x != x else float(x)


def _mean(values: Any) -> float | None:
    a = np.asarray(values, dtype=float)
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else None


def change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def customer_key(row: Any) -> str:
    """How a customer is matched across periods: its ID, else its name."""
    return row["customer_id"] or f"name:{row['name']}"


def records(
    frame: Any, columns: tuple[str, ...] = ("customer_id", "name", "tier", "score")
) -> dict:
    """Customer key → a dict of ``columns`` (one pass over columns, not rows of pandas)."""
    rows = frame[list(columns)].to_dict("records")
    return {customer_key(r): r for r in rows}


def rated(period: RatedPeriod) -> Any:
    """The period's customers that have figures (a DataFrame)."""
    return period.frame[period.frame["rated"]]


def scored(period: RatedPeriod) -> Any:
    """The period's customers that have a score."""
    frame = period.frame
    return frame[frame["rated"] & ~np.isnan(frame["score"].to_numpy(dtype=float))]


def period_stats(period: RatedPeriod, card: Any) -> dict[str, Any]:
    """The figures of one period that trends and warnings follow: ``composite``,
    ``mean_score``, ``customers`` (with a score), ``tiers`` (label → share %, over the
    customers with a score), ``tier_counts`` and ``indicators`` (id → mean 0–100)."""
    with_score = scored(period)
    n = len(with_score)
    counts = Counter(with_score["tier"])
    labels = card.tiers.labels
    return {
        "period": str(period.period),
        "composite": period.composite,
        "mean_score": _mean(with_score["score"]),
        "customers": n,
        "tier_counts": {t: int(counts.get(t, 0)) for t in labels},
        "tiers": {t: (100.0 * counts.get(t, 0) / n if n else None) for t in labels},
        "indicators": {i.id: _mean(rated(period)[f"score_{i.id}"]) for i in card.indicators},
    }


def _mix(values: Any) -> list[dict[str, Any]]:
    counts = Counter(v if v else "–" for v in values)
    total = sum(counts.values())
    top = counts.most_common(MIX_N)
    rest = total - sum(c for _, c in top)
    out = [{"name": k, "count": c, "share": 100.0 * c / total} for k, c in top]
    if rest:
        out.append({"name": "…", "count": rest, "share": 100.0 * rest / total})
    return out


def tier_traits(period: RatedPeriod, card: Any) -> list[dict[str, Any]]:
    """Per tier, top first: customers, share, mean spend, orders, recency, satisfaction,
    the region and channel mix."""
    with_score = scored(period)
    n = len(with_score)
    out = []
    for label in card.tiers.labels:
        group = with_score[with_score["tier"] == label]
        out.append(
            {
                "label": label,
                "count": len(group),
                "share": 100.0 * len(group) / n if n else None,
                "mean_spend": _mean(group["annual_spend"]),
                "mean_orders": _mean(group["orders"]),
                "mean_recency": _mean(group["days_since_purchase"]),
                "mean_satisfaction": _mean(group["satisfaction"]),
                "regions": _mix(group["region"]),
                "channels": _mix(group["channel"]),
            }
        )
    return out


def segments(period: RatedPeriod) -> list[dict[str, Any]]:
    """RFM segments, largest first: customers, share of customers with a segment, share of
    their spend."""
    frame = rated(period)
    frame = frame[frame["rfm_segment"].notna()]
    total_n, total_spend = len(frame), float(np.nansum(frame["annual_spend"]))
    out = []
    for name, group in frame.groupby("rfm_segment", sort=False):
        spend = float(np.nansum(group["annual_spend"]))
        out.append(
            {
                "name": name,
                "count": len(group),
                "share": 100.0 * len(group) / total_n,
                "spend": spend,
                "spend_share": 100.0 * spend / total_spend if total_spend else None,
            }
        )
    return sorted(out, key=lambda s: (-s["count"], -s["spend"], s["name"]))


def _customer(row: Any, card: Any, lang: str) -> dict[str, Any]:
    return {
        "customer_id": row["customer_id"],
        "name": row["name"],
        "score": _float(row["score"]),
        "tier": row["tier"],
        "points": [
            {
                "label": i.label_zh if lang == "zh" else i.label_en,
                "value": _float(row[f"points_{i.id}"]),
            }
            for i in card.indicators
        ],
    }


def top_bottom(period: RatedPeriod, card: Any, lang: str) -> tuple[list, list]:
    """The ``TOP_N`` best and worst customers by score (ties by ID), with each indicator's
    points; with fewer than 2 × ``TOP_N`` customers the better half is the top list and
    the rest the bottom list, so no customer is in both."""
    frame = scored(period).sort_values(["score", "customer_id"], ascending=[False, True])
    top = [
        _customer(r, card, lang) for _, r in frame.head(min(TOP_N, -(-len(frame) // 2))).iterrows()
    ]
    rest = frame.iloc[len(top) :].sort_values(["score", "customer_id"], ascending=[True, True])
    bottom = [_customer(r, card, lang) for _, r in rest.head(TOP_N).iterrows()]
    return top, bottom


def movements(now: RatedPeriod, before: RatedPeriod | None, card: Any) -> dict[str, list]:
    """Customers who moved up or down a tier (the biggest score changes first), new and
    lost customers since ``before``."""
    if before is None:
        return {"up": [], "down": [], "new": [], "lost": []}
    rank = {label: k for k, label in enumerate(card.tiers.labels)}  # 0 is the top tier

    was, now_rows = records(rated(before)), records(rated(now))
    up, down = [], []
    for key, row in now_rows.items():
        old = was.get(key)
        if old is None or row["tier"] is None or old["tier"] is None:
            continue
        if row["tier"] != old["tier"]:
            entry = {
                "customer_id": row["customer_id"],
                "name": row["name"],
                "from": old["tier"],
                "to": row["tier"],
                "score_before": _float(old["score"]),
                "score": _float(row["score"]),
            }
            (up if rank[row["tier"]] < rank[old["tier"]] else down).append(entry)

    def brief(r):
        return {
            "customer_id": r["customer_id"],
            "name": r["name"],
            "score": _float(r["score"]),
            "tier": r["tier"],
        }

    def moved(entry: dict[str, Any]) -> float:
        a, b = entry["score"], entry["score_before"]
        return -abs(a - b) if a is not None and b is not None else 0.0

    up.sort(key=moved)  # the biggest moves first
    down.sort(key=moved)
    new = [brief(r) for k, r in now_rows.items() if k not in was]
    lost = [brief(r) for k, r in was.items() if k not in now_rows]
    return {"up": up, "down": down, "new": new, "lost": lost}


def form_items(now: RatedPeriod, before: RatedPeriod | None) -> list[dict[str, Any]]:
    """The form's items with the change of each item's score against ``before``."""
    old = {i["key"]: i for i in before.items} if before is not None else {}
    out = []
    for item in now.items:
        prior = old.get(item["key"])
        out.append({**item, "change": change(item["points"], prior["points"] if prior else None)})
    return out


def weakest(period: RatedPeriod, stats: dict[str, Any], card: Any, lang: str, n: int = 3) -> list:
    """The ``n`` lowest 0–100 figures among the form's items and the indicators' means."""
    points = [
        {"kind": "item", "label": i["label"], "value": i["points"]}
        for i in period.items
        if i["points"] is not None
    ]
    points += [
        {
            "kind": "indicator",
            "label": i.label_zh if lang == "zh" else i.label_en,
            "value": stats["indicators"][i.id],
        }
        for i in card.indicators
        if stats["indicators"][i.id] is not None
    ]
    return sorted(points, key=lambda p: p["value"])[:n]
