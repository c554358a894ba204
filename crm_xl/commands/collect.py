"""``crm-xl collect BOOK --period P FORM...``: the departments' filled-in forms, back in the workbook."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from crm_xl.workbook.collect import collect_forms

    done = collect_forms(args.book, args.period, args.forms, force=args.force)
    if done.added:
        print(f"{done.book}: added to '{done.sheet}': {', '.join(done.added)}")
    if done.replaced:
        print(f"{done.book}: replaced with the newer forms: {', '.join(done.replaced)}")
    company = "no answers yet" if done.company is None else f"{done.company:.1f}"
    print(f"{done.book}: company composite for {done.period} (mean of the departments): {company}")
    return 0
