"""``crm-xl new BOOK --period P``: write a new self-assessment and rating workbook."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from crm_xl.workbook.build import new_workbook, read_customers
    from crm_xl.workbook.layout import Period

    period = Period.parse(args.period)
    customers = read_customers(args.customers, sheet=args.sheet) if args.customers else []
    if args.macros:
        from crm_xl.workbook.macro_workbook import new_macro_workbook

        path, companion = new_macro_workbook(
            args.book, period, lang=args.lang, customers=customers, force=args.force
        )
        print(
            f"created {path} ({period}, {len(customers)} customers) and its companion module {companion}"
        )
        print("the button runs companion.main() through xlwings RunPython: see docs/excel-setup.md")
    else:
        path = new_workbook(
            args.book, period, lang=args.lang, customers=customers, force=args.force
        )
        print(f"created {path} ({period}, {len(customers)} customers)")
    # store the formulas' results, so the numbers show in any reader before Excel recalculates
    from crm_xl.workbook.build import store_results

    store_results(path)
    return 0
