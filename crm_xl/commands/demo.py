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
        # the table's own columns, and English words for two computed columns' keys
        "cols": {
            "customer_id": "id",
            "name": "name",
            "indicators_used": "from",
            "rfm_segment": "RFM segment",
        },
        "parts": {
            "indicator": "indicator",
            "value": "value",
            "weight": "weight %",
            "points": "points",
        },
        "unscored": "({n} without a score: see the note column)",
        "next": "Score your own table:  crm-xl score customers.csv --model scorecard.toml -o scores.xlsx",
        "copied": "Sample files copied to {dir}: edit them and run the command above there.",
        "exists": "already holds {names}, different from the samples (edited?): kept; "
        "give --force to replace them with the samples",
        "not_dir": "is not a folder: give a folder for --copy-samples",
        "samples": "Sample files: {csv}\n              {toml}",
    },
    "zh": {
        "worked": "示例:加权评分模型(数值已是 0-100 分)",
        "spend": "按年消费金额分级(超过10万 A;超过5万 B;其余 C)",
        "top": "综合得分最高的客户",
        "tiers": "各等级客户数(综合得分:超过70 A,超过50 B,其余 C)",
        "why": "{name} 得分 {score:.1f} 的构成",
        "cols": {"customer_id": "编号", "name": "客户名称"},
        "parts": {"indicator": "指标", "value": "得分", "weight": "权重%", "points": "分值"},
        "unscored": "({n} 位客户没有综合得分:见“备注”列)",
        "next": "为自己的表格评分:  crm-xl score customers.csv --model scorecard.toml -o scores.xlsx",
        "copied": "示例文件已复制到 {dir}:修改后在该目录运行上面的命令。",
        "exists": "已有 {names},且与示例文件不同(已修改):保留这些文件;加 --force 则用示例文件覆盖",
        "not_dir": "不是文件夹:--copy-samples 需要一个文件夹",
        "samples": "示例文件:{csv}\n          {toml}",
    },
}


def _heading(text: str) -> None:
    print()
    print(text)
    print("-" * min(78, max(20, len(text.encode("gbk", "replace")))))


def check_copies(folder: Path, sources: list[Path], lang: str = "en", force: bool = False) -> None:
    """Refuse (:class:`CrmError`) to copy the samples into ``folder`` over files that differ
    from them (copies the user edited), unless ``force``; copies left as they were are fine."""
    from crm_xl.errors import CrmError

    if folder.exists() and not folder.is_dir():
        raise CrmError(TEXT[lang]["not_dir"], str(folder))
    changed = [
        src.name
        for src in sources
        if (folder / src.name).exists()
        and (
            not (folder / src.name).is_file()
            or (folder / src.name).read_bytes() != src.read_bytes()
        )
    ]
    if changed and not force:
        raise CrmError(TEXT[lang]["exists"].format(names=", ".join(changed)), str(folder))


def run_demo(lang: str = "en", copy_samples: Path | None = None, force: bool = False) -> int:
    """Print the demo; return the exit code. ``copy_samples``: a folder to copy the sample
    files to, which never replaces an edited copy unless ``force``."""
    import pandas as pd

    from crm_xl.core.rating import rate
    from crm_xl.core.rating_text import column_headers
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.core.scoring import explain, weighted_score
    from crm_xl.core.tiers import ANNUAL_SPEND_TIERS, assign_tiers
    from crm_xl.core.user_numbers import numeric_column
    from crm_xl.files.resources import sample_path
    from crm_xl.files.tables import read_table

    t = TEXT[lang]
    csv, toml = sample_path("customers.csv"), sample_path("scorecard.toml")
    if copy_samples is not None:
        check_copies(copy_samples, [csv, toml], lang, force)
    pd.set_option("display.unicode.east_asian_width", True)
    pd.set_option("display.width", 120)

    _heading(t["worked"])
    worked = weighted_score([85, 75, 10, 70], [40, 30, 20, 10])
    print(
        "85 × 40 % + 75 × 30 % + 10 × 20 % + 70 × 10 % = 34 + 22.5 + 2 + 7 =", f"{worked.value:g}"
    )

    card = load_scorecard(toml)
    table = read_table(csv)
    rating = rate(table, card, lang=lang)
    frame = rating.frame

    _heading(t["top"])
    shown = ["customer_id", "name", "score", "indicators_used", "tier", "rfm_segment"]
    cols = [c for c in shown if c in frame.columns]
    best = frame.sort_values("score", ascending=False).head(10)[cols].copy()
    best["score"] = best["score"].round(1)
    headers = {**column_headers(cols, card.indicators, lang), **t["cols"]}
    print(best.rename(columns=headers).to_string(index=False))

    _heading(t["tiers"])
    total = len(frame)
    for label, count in rating.tier_counts().items():
        print(f"  {label}  {count:3d}  {'█' * round(40 * count / total)}")
    unscored = total - int(rating.score.defined.sum())
    if unscored:
        print("  " + t["unscored"].format(n=unscored))

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
    shown_parts = parts[["indicator", "value", "weight", "points"]]
    print(shown_parts.rename(columns=t["parts"]).to_string(index=False))

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
    return run_demo(lang=args.lang, copy_samples=args.copy_samples, force=args.force)
