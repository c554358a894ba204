"""``crm-xl new BOOK --period P``: write a new self-assessment and rating workbook."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from crm_xl.errors import CrmError
    from crm_xl.workbook.build import new_workbook
    from crm_xl.workbook.customers import import_customers, parse_mapping
    from crm_xl.workbook.layout import Period

    period = Period.parse(args.period)
    customers = []
    if args.map and not args.customers:
        raise CrmError("--map maps the columns of a --customers table: give one")
    if args.customers:
        imported = import_customers(args.customers, args.sheet, parse_mapping(args.map))
        customers = imported.customers
        for line in imported.report(args.lang):
            if line.warning:
                print(f"warning: {args.customers}: {line.text}", file=sys.stderr)
            else:
                print(f"{args.customers}: {line.text}")
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
