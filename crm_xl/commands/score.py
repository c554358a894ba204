"""``crm-xl score TABLE --model SCORECARD -o OUT``: score a customer table with a scorecard."""

from __future__ import annotations

import argparse
import sys

from crm_xl.errors import CrmError


def run(args: argparse.Namespace) -> int:
    from crm_xl.core.rating import rate
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.files.tables import read_table, write_table

    if args.output.resolve() == args.table.resolve():
        raise CrmError(
            "-o would overwrite the input table: write the scores to another file", str(args.output)
        )
    card = load_scorecard(args.model, weight_sum="normalize" if args.normalize_weights else None)
    table = read_table(args.table, sheet=args.sheet)
    if table.header_note(args.lang or "en"):
        print(table.header_note(args.lang or "en"))
    rating = rate(table, card, lang=args.lang)
    for w in rating.warnings:
        print(f"warning: {w}", file=sys.stderr)
    write_table(rating.frame, args.output)
    n = len(rating.frame)
    scored = int(rating.score.defined.sum())
    line = f"scored {n} customers from {args.table}: {scored} with a score"
    if scored < n:
        line += f", {n - scored} without (see the 'note' column)"
    print(line)
    if rating.tier_counts():
        print("tiers: " + ", ".join(f"{k} {v}" for k, v in rating.tier_counts().items()))
    print(f"written to {args.output}")
    return 0
