"""``crm-xl new BOOK --period P``: write a new self-assessment and rating workbook."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from crm_xl.errors import CrmError, counted
    from crm_xl.workbook.build import check_new_file
    from crm_xl.workbook.customers import import_customers, parse_mapping
    from crm_xl.workbook.layout import Period

    period = Period.parse(args.period)
    if args.macros:  # the name first: before any work, and named as the user gave it
        from crm_xl.workbook.macro_workbook import module_name

        module_name(Path(args.book), period)
    card = _model(args.model) if args.model else None
    customers = []
    if args.map and not args.customers:
        raise CrmError("--map maps the columns of a --customers table: give one")
    if args.customers:
        imported = import_customers(
            args.customers, args.sheet, parse_mapping(args.map), args.lang, card
        )
        customers = imported.customers
        for line in imported.report(args.lang):
            if line.warning:
                print(f"warning: {args.customers}: {line.text}", file=sys.stderr)
            else:
                print(f"{args.customers}: {line.text}")
    book = Path(args.book)
    companion = book.with_suffix(".py")
    for path in (book, companion) if args.macros else (book,):
        check_new_file(path, args.force)
    # built, and its results stored, in a folder of its own beside BOOK, then moved into
    # place: a run that fails at any step leaves no half-made workbook (and with --force the
    # old one as it was)
    work = Path(tempfile.mkdtemp(prefix=".crm-xl-new-", dir=book.parent))
    try:
        made = _build(work / book.name, period, args, customers, card)
        for path in made:
            os.replace(path, book.parent / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.lang == "zh":
        model = f",评分模型 {args.model}" if args.model else ""
        made = f"已创建 {book}({period},{len(customers)} 位客户{model})"
        if args.macros:
            print(f"{made}及其配套模块 {companion}")
            print("按钮通过 xlwings RunPython 运行 companion.main():见 docs/excel-setup.md")
        else:
            print(made)
        return 0
    model = f", model {args.model}" if args.model else ""
    people = counted(len(customers), "customer")
    if args.macros:
        print(f"created {book} ({period}, {people}{model}) and its companion module {companion}")
        print("the button runs companion.main() through xlwings RunPython: see docs/excel-setup.md")
    else:
        print(f"created {book} ({period}, {people}{model})")
    return 0


def _model(path: Path) -> Any:
    """The user's scorecard, checked against what the workbook's sheets can hold."""
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.errors import CrmError
    from crm_xl.workbook.build import check_model_fits

    card = load_scorecard(path)
    try:
        check_model_fits(card)
    except CrmError as err:
        raise err.prefixed(str(path)) from None
    return card


def _build(path: Path, period: Any, args: argparse.Namespace, customers: list, card: Any):
    from crm_xl.workbook.build import new_workbook

    if args.macros:
        from crm_xl.workbook.macro_workbook import new_macro_workbook

        made = list(
            new_macro_workbook(path, period, lang=args.lang, customers=customers, card=card)
        )
    else:
        made = [new_workbook(path, period, lang=args.lang, customers=customers, card=card)]
    return made  # with the formulas' results stored: the numbers show in any reader
