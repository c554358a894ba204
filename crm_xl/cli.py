"""The ``crm-xl`` command.

A few obvious subcommands; errors are one line per problem on stderr and a non-zero exit
code, with no traceback unless ``--debug``. Heavy modules (pandas, numpy) are imported
inside the commands so that ``crm-xl --help`` starts at once.

Exit codes: 0 success, 1 the input has problems (listed), 2 crm_xl itself failed or the
command line is wrong, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_xl import __version__
from crm_xl.errors import CrmError


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="crm-xl",
        description="Customer-management scoring for Excel users: KPIs, scorecards, tiers, RFM.",
        epilog="Start with `crm-xl demo`. Each command has its own --help.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"crm-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    score = sub.add_parser(
        "score",
        parents=[common],
        help="score a customer table (CSV or Excel) with a scorecard file",
        description="Score every row of TABLE with the scorecard MODEL and write the scores, "
        "tiers, RFM segments and each indicator's contribution to OUT (.csv or .xlsx).",
    )
    score.add_argument("table", type=Path, help="customer table: .csv, .xlsx, .xlsm, .xls or .ods")
    score.add_argument("--model", "-m", type=Path, required=True, help="scorecard file (.toml)")
    score.add_argument(
        "-o", "--output", type=Path, required=True, help="where to write: .csv or .xlsx"
    )
    score.add_argument("--sheet", help="sheet to read from an Excel TABLE (default: the first)")
    score.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the RFM segment names"
    )
    score.add_argument(
        "--normalize-weights",
        action="store_true",
        help="rescale weights that do not sum to 100 %% (with a warning) instead of stopping",
    )

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="score the built-in sample customers and print the results",
        description="Score the built-in sample customer table with the sample scorecard and "
        "print the seed cases, the best customers, the tiers and one explanation.",
    )
    demo.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="labels in English or Chinese"
    )
    demo.add_argument(
        "--copy-samples",
        type=Path,
        metavar="DIR",
        help="also copy the sample customers.csv and scorecard.toml to DIR, to start your own",
    )
    new = sub.add_parser(
        "new",
        parents=[common],
        help="create the self-assessment and rating workbook for a period",
        description="Create the self-assessment and rating workbook: Guide, Model, the period's "
        "Self-assessment and Ratings sheets, Dashboard and xlwings.conf, in Chinese or English.",
    )
    new.add_argument(
        "book", type=Path, help="the workbook to create: .xlsx (or .xlsm with --macros)"
    )
    new.add_argument("--period", required=True, help="e.g. 2026-Q4, 2026-H1, 2026-03 or 2026")
    new.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of sheets and labels (default zh)",
    )
    new.add_argument(
        "--customers", type=Path, help="fill the Ratings sheet from this CSV or Excel table"
    )
    new.add_argument("--sheet", help="sheet to read from an Excel --customers file")
    new.add_argument(
        "--macros",
        action="store_true",
        help="macro-enabled .xlsm with a Recalculate ratings button (xlwings)",
    )
    new.add_argument("--force", action="store_true", help="replace BOOK if it exists")

    period = sub.add_parser(
        "new-period",
        parents=[common],
        help="add the next period's blank sheets to a workbook, leaving everything else as it is",
        description="Add blank Self-assessment and Ratings sheets for PERIOD to BOOK: same structure, "
        "the customer list and model carried over, scores blank; earlier periods, your edits, "
        "charts, VBA and buttons are not touched. The file is changed in place, atomically.",
    )
    period.add_argument("book", type=Path, help="a workbook made by crm-xl new (.xlsx or .xlsm)")
    period.add_argument("--period", required=True, help="the new period, e.g. 2027-Q1")
    period.add_argument(
        "--departments",
        type=Path,
        help="CSV/Excel with a 'department' (部门) column: also write one blank form workbook per department",
    )
    period.add_argument(
        "--force", action="store_true", help="even if Excel has BOOK open; replace department forms"
    )

    recalc = sub.add_parser(
        "recalc",
        parents=[common],
        help="recompute the CRM_* cells of a workbook (or a folder of them) without Excel",
        description="Evaluate every cell whose formula uses a CRM_* function, and the standard "
        "cells they depend on or that depend on them, and store the results beside the formulas. "
        "Nothing else in the file changes. --check changes nothing and exits 1 if any stored "
        "value is stale (for CI).",
    )
    recalc.add_argument("book", type=Path, help="a workbook (.xlsx/.xlsm) or a folder of them")
    recalc.add_argument(
        "-o", "--output", type=Path, help="write the result here instead of updating BOOK"
    )
    recalc.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 and list stale cells"
    )
    recalc.add_argument("--json", action="store_true", help="print the results as JSON")
    recalc.add_argument("--force", action="store_true", help="even if Excel has the workbook open")
    recalc.add_argument(
        "--jobs", type=int, help="parallel processes for a folder (default: one per CPU)"
    )

    vba = sub.add_parser(
        "vba",
        parents=[common],
        help="write the VBA module declaring the CRM_* functions (for Excel without VBA-project access)",
        description="Write the xlwings_udfs VBA module for all CRM_* functions, generated by "
        "xlwings' own generate_vba_wrapper. Import it once in the VBA editor (File > Import "
        "File) when Excel forbids 'Trust access to the VBA project object model', which "
        "xlwings' Import Functions button needs. Then run the CrmXlRegisterFunctions macro "
        "once for the function wizard's help texts.",
    )
    vba.add_argument(
        "-o", "--output", type=Path, default=Path("crm_udfs.bas"), help="default: crm_udfs.bas"
    )
    vba.add_argument(
        "--workbook",
        default="crm_xl.xlsm",
        help="name of the workbook it goes into; a .xlam add-in makes the functions use ActiveWorkbook",
    )
    return parser


def _cmd_new(args: argparse.Namespace) -> int:
    from crm_xl.layout import Period
    from crm_xl.workbook import new_workbook, read_customers

    period = Period.parse(args.period)
    customers = read_customers(args.customers, sheet=args.sheet) if args.customers else []
    if args.macros:
        from crm_xl.macro_workbook import new_macro_workbook

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
    from crm_xl.workbook import store_results

    store_results(path)
    return 0


def _cmd_new_period(args: argparse.Namespace) -> int:
    from crm_xl.period import add_period

    done = add_period(args.book, args.period, departments=args.departments, force=args.force)
    print(f"added {done.period} to {done.book} after {done.previous}: {', '.join(done.sheets)}")
    for warning in done.warnings:
        print(
            f"warning: result not stored (Excel computes it on opening): {warning}", file=sys.stderr
        )
    for form in done.forms:
        print(f"wrote {form}")
    return 0


def _report_book(result, check: bool) -> None:
    from crm_xl.recalc import MAX_LISTED

    if result.error:
        print(f"error: {result.path}: {result.error}", file=sys.stderr)
    for problem in result.problems:
        print(f"error: {result.path}: {problem}", file=sys.stderr)
    if check and result.changes:
        for change in result.changes[:MAX_LISTED]:
            print(f"{result.path}: {change.describe()}")
        if len(result.changes) > MAX_LISTED:
            print(f"{result.path}: ... and {len(result.changes) - MAX_LISTED} more stale cells")


def _cmd_recalc(args: argparse.Namespace) -> int:
    import json

    from crm_xl.recalc import recalc_book, recalc_folder, summary_table

    if args.book.is_dir():
        if args.output:
            raise CrmError("-o works with one workbook, not a folder", str(args.output))
        results = recalc_folder(
            args.book, check=args.check, force=args.force, jobs=args.jobs, progress=not args.json
        )
    else:
        results = [recalc_book(args.book, args.output, check=args.check, force=args.force)]
    if args.json:
        print(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            _report_book(r, args.check)
        if args.book.is_dir():
            from rich.console import Console

            Console().print(summary_table(results, args.book))
        else:
            r = results[0]
            if not r.problems and not r.error:
                if args.check and r.changes:
                    outcome = f"{len(r.changes)} stale"
                elif r.changes:
                    outcome = f"{len(r.changes)} updated"
                else:
                    outcome = "all up to date"
                if r.written and r.written != r.path:
                    outcome += f", written to {r.written}"
                print(f"{r.path}: {r.evaluated} cells evaluated, {outcome}")
    failed = any(r.problems or r.error for r in results)
    stale = args.check and any(r.changes for r in results)
    return 1 if failed or stale else 0


def _cmd_vba(args: argparse.Namespace) -> int:
    from crm_xl.vba import write_udf_vba

    if args.output.suffix.lower() != ".bas":
        raise CrmError("the VBA module file must end in .bas", str(args.output))
    path = write_udf_vba(args.output, workbook_name=args.workbook)
    print(
        f"wrote {path}: import it in the VBA editor (File > Import File), then run CrmXlRegisterFunctions once"
    )
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from crm_xl.rating import rate
    from crm_xl.scorecard import load_scorecard
    from crm_xl.tables import read_table, write_table

    if args.output.resolve() == args.table.resolve():
        raise CrmError(
            "-o would overwrite the input table: write the scores to another file", str(args.output)
        )
    card = load_scorecard(args.model, weight_sum="normalize" if args.normalize_weights else None)
    table = read_table(args.table, sheet=args.sheet)
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


def _cmd_demo(args: argparse.Namespace) -> int:
    from crm_xl.demo import run_demo

    return run_demo(lang=args.lang, copy_samples=args.copy_samples)


COMMANDS = {
    "score": _cmd_score,
    "demo": _cmd_demo,
    "new": _cmd_new,
    "new-period": _cmd_new_period,
    "recalc": _cmd_recalc,
    "vba": _cmd_vba,
}


def main(argv: list[str] | None = None) -> int:
    """Run ``crm-xl`` with ``argv`` (default: the process arguments); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except CrmError as err:
        if args.debug:
            raise
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if args.debug:
            raise
        print(f"crm-xl: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("rerun with --debug for the traceback, and please report it", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
