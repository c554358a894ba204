"""``crm-xl demo``: the product on built-in sample data, in one screen.

It scores the sample customer table (``crm_xl/data/customers.csv``) with the sample
scorecard (``crm_xl/data/scorecard.toml``) through the same pipeline as ``crm-xl score``
and prints the worked examples, the best customers, the tiers and why the top customer scored
what it did.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

TEXT = {
    "en": {
        "worked": "Worked example: the weighted model (values already 0-100 scores)",
        "spend": "Tiers by annual spend (> 100,000 A; > 50,000 B; else C)",
        "top": "Best customers",
        "tiers": "Customers per tier (composite score: > 70 A, > 50 B, else C)",
        "why": "Why {name} scored {score:.1f}",
        "cols": {
            "customer_id": "id",
            "name": "name",
            "score": "score",
            "indicators_used": "from",
            "tier": "tier",
            "rfm_segment": "RFM segment",
        },
        "next": "Score your own table:  crm-xl score customers.csv --model scorecard.toml -o scores.xlsx",
        "copied": "Sample files copied to {dir}: edit them and run the command above there.",
        "samples": "Sample files: {csv}\n              {toml}",
    },
    "zh": {
        "worked": "示例:加权评分模型(数值已是 0-100 分)",
        "spend": "按年消费金额分级(超过10万 A;超过5万 B;其余 C)",
        "top": "综合得分最高的客户",
        "tiers": "各等级客户数(综合得分:超过70 A,超过50 B,其余 C)",
        "why": "{name} 得分 {score:.1f} 的构成",
        "cols": {
            "customer_id": "编号",
            "name": "客户名称",
            "score": "综合得分",
            "indicators_used": "指标数",
            "tier": "等级",
            "rfm_segment": "RFM 分群",
        },
        "next": "为自己的表格评分:  crm-xl score customers.csv --model scorecard.toml -o scores.xlsx",
        "copied": "示例文件已复制到 {dir}:修改后在该目录运行上面的命令。",
        "samples": "示例文件:{csv}\n          {toml}",
    },
}


def _heading(text: str) -> None:
    print()
    print(text)
    print("-" * min(78, max(20, len(text.encode("gbk", "replace")))))


def run_demo(lang: str = "en", copy_samples: Path | None = None) -> int:
    """Print the demo; return the exit code."""
    import pandas as pd

    from crm_xl.core.rating import rate
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.core.scoring import explain, weighted_score
    from crm_xl.core.tiers import ANNUAL_SPEND_TIERS, assign_tiers
    from crm_xl.core.user_numbers import numeric_column
    from crm_xl.files.resources import sample_path
    from crm_xl.files.tables import read_table

    t = TEXT[lang]
    pd.set_option("display.unicode.east_asian_width", True)
    pd.set_option("display.width", 120)

    _heading(t["worked"])
    worked = weighted_score([85, 75, 10, 70], [40, 30, 20, 10])
    print(
        "85 × 40 % + 75 × 30 % + 10 × 20 % + 70 × 10 % = 34 + 22.5 + 2 + 7 =", f"{worked.value:g}"
    )

    csv, toml = sample_path("customers.csv"), sample_path("scorecard.toml")
    card = load_scorecard(toml)
    table = read_table(csv)
    rating = rate(table, card, lang=lang)
    frame = rating.frame

    _heading(t["top"])
    cols = [c for c in t["cols"] if c in frame.columns]
    best = frame.sort_values("score", ascending=False).head(10)[cols].copy()
    best["score"] = best["score"].round(1)
    print(best.rename(columns=t["cols"]).to_string(index=False))

    _heading(t["tiers"])
    total = len(frame)
    for label, count in rating.tier_counts().items():
        print(f"  {label}  {count:3d}  {'█' * round(40 * count / total)}")
    unscored = total - int(rating.score.defined.sum())
    if unscored:
        print(f"  ({unscored} without a score: see the note column)")

    _heading(t["spend"])
    spend, _ = numeric_column(table, "annual_spend")
    spend_tiers = assign_tiers(spend, **ANNUAL_SPEND_TIERS)
    print("  " + "   ".join(f"{k} {v}" for k, v in spend_tiers.counts(["A", "B", "C"]).items()))

    top = frame["score"].idxmax()
    _heading(t["why"].format(name=frame.loc[top, "name"], score=frame.loc[top, "score"]))
    parts = explain(rating.score, row=int(top))
    labels = {i.id: i.label(lang) for i in card.indicators}
    parts["indicator"] = parts["indicator"].map(labels)
    parts["value"] = parts["value"].round(1)
    parts["weight"] = parts["weight"].round(1)
    parts["points"] = parts["points"].round(2)
    print(parts[["indicator", "value", "weight", "points"]].to_string(index=False))

    print()
    print(t["samples"].format(csv=csv, toml=toml))
    print(t["next"])
    if copy_samples is not None:
        copy_samples.mkdir(parents=True, exist_ok=True)
        for src in (csv, toml):
            shutil.copyfile(src, copy_samples / src.name)
        print(t["copied"].format(dir=copy_samples))
    return 0


def run(args: argparse.Namespace) -> int:
    return run_demo(lang=args.lang, copy_samples=args.copy_samples)
