"""``crm-xl new-period BOOK --period P``: add a period's blank sheets to a workbook."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from crm_xl.workbook.period import add_period

    done = add_period(args.book, args.period, departments=args.departments, force=args.force)
    print(f"added {done.period} to {done.book} after {done.previous}: {', '.join(done.sheets)}")
    for warning in done.warnings:
        print(
            f"warning: result not stored (Excel computes it on opening): {warning}", file=sys.stderr
        )
    for form in done.forms:
        print(f"wrote {form}")
    return 0
