"""The ``crm-xl`` command.

A few obvious subcommands; errors are one line per problem on stderr and a non-zero exit
code, with no traceback unless ``--debug``. Heavy modules (pandas, numpy) are imported
inside the commands so that ``crm-xl --help`` starts at once.

Exit codes: 0 success, 1 the input has problems (listed), 2 crm_xl itself failed or the
command line is wrong, 130 interrupted, 141 the output was cut off (``crm-xl demo | head``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from crm_xl import __version__
from crm_xl.errors import CrmError


def _common(default: object = argparse.SUPPRESS) -> argparse.ArgumentParser:
    # a subcommand's own --debug must not reset `crm-xl --debug CMD`'s: SUPPRESS adds the
    # attribute only when given
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--debug", action="store_true", default=default, help="show the full traceback on errors"
    )
    return parent


def _date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {text!r}") from None


def _moment(text: str) -> Any:
    """``--today``: a date (``2026-12-01``) or a date and time (``2026-12-01T09:30``)."""
    import datetime as dt

    if "T" not in text and " " not in text:
        return _date(text)
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date as YYYY-MM-DD or a time as YYYY-MM-DDTHH:MM: {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="crm-xl",
        description="Customer-management scoring for Excel users: KPIs, scorecards, tiers, RFM.",
        epilog="Start with `crm-xl demo`. Each command has its own --help.",
        parents=[_common(False)],
    )
    parser.add_argument("--version", action="version", version=f"crm-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    score = sub.add_parser(
        "score",
        parents=[common],
        help="score a customer table (CSV or Excel) with a scorecard file",
        description="Score every row of TABLE with the scorecard MODEL and write the scores, "
        "tiers, RFM segments and each indicator's contribution to OUT (.csv or .xlsx). Scores "
        "and points are written to 2 decimals: rounded half away from zero in CSV (79.625 -> "
        "79.63), full precision shown as 0.00 in .xlsx; tiers are decided on the unrounded "
        "scores.",
    )
    score.add_argument("table", type=Path, help="customer table: .csv, .xlsx, .xlsm, .xls or .ods")
    score.add_argument("--model", "-m", type=Path, required=True, help="scorecard file (.toml)")
    score.add_argument(
        "-o", "--output", type=Path, required=True, help="where to write: .csv or .xlsx"
    )
    score.add_argument("--sheet", help="sheet to read from an Excel TABLE (default: the first)")
    score.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="language of the computed columns' headers (综合得分, 等级 ...; your table's own "
        "columns keep theirs), the RFM segment names and the summary",
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
        "print the worked examples, the best customers, the tiers and one explanation.",
    )
    demo.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="labels in English or Chinese"
    )
    demo.add_argument(
        "--copy-samples",
        type=Path,
        metavar="DIR",
        help="also copy the sample customers.csv and scorecard.toml to DIR, to start your own "
        "(copies you edited are kept unless --force)",
    )
    demo.add_argument(
        "--force", action="store_true", help="with --copy-samples: replace edited copies"
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
        "--map",
        action="append",
        metavar="SOURCE=FIELD",
        help="send a --customers column to a Ratings field (所属区域=region); repeat it, or give "
        "a CSV/Excel file of source header, field pairs",
    )
    new.add_argument(
        "--model",
        type=Path,
        metavar="SCORECARD",
        help="your own scorecard (TOML, as for crm-xl score) for the Model sheet and the "
        "Ratings columns (default: the built-in sample model)",
    )
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

    collect = sub.add_parser(
        "collect",
        parents=[common],
        help="put the departments' filled-in forms into the period's Department forms sheet",
        description="Read the forms that new-period --departments sent out, filled in, and write "
        "them into BOOK's 'Department forms PERIOD' sheet: each department's answers and composite, "
        "the company row and the improvement plans. Every form is checked first (its period, its "
        "layout, the department, answers 1-5); a department's newer form replaces its row. The "
        "period's own form is not touched.",
    )
    collect.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm)")
    collect.add_argument(
        "--period", required=True, help="the period the forms are for, e.g. 2027-Q1"
    )
    collect.add_argument("forms", nargs="+", type=Path, help="the filled-in department forms")
    collect.add_argument("--force", action="store_true", help="even if Excel has BOOK open")

    recalc = sub.add_parser(
        "recalc",
        parents=[common],
        help="recompute the formulas of a workbook (or a folder of them) without Excel",
        description="Evaluate every formula crm_xl supports (the CRM_* cells and every standard "
        "one) and store the results beside the formulas. What it cannot evaluate is left as it "
        "was and reported once per function. Nothing else in the file changes. --check changes "
        "nothing and exits 1 if any stored value is stale (for CI).",
    )
    recalc.add_argument("book", type=Path, help="a workbook (.xlsx/.xlsm) or a folder of them")
    recalc.add_argument(
        "-o", "--output", type=Path, help="write the result here instead of updating BOOK"
    )
    recalc.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 and list stale cells"
    )
    recalc.add_argument(
        "--today",
        type=_moment,
        metavar="YYYY-MM-DD[THH:MM]",
        help="the date TODAY() gives and the time NOW() gives (default: the current local "
        "time; a date alone is that day at 00:00), for a check that gives the same result "
        "every day",
    )
    recalc.add_argument("--json", action="store_true", help="print the results as JSON")
    recalc.add_argument("--force", action="store_true", help="even if Excel has the workbook open")
    recalc.add_argument(
        "--jobs", type=int, help="parallel processes for a folder (default: one per CPU)"
    )

    export = sub.add_parser(
        "export",
        parents=[common],
        help="write a copy with every formula replaced by its value, to send outside the team",
        description="Write a copy of BOOK in which every formula cell holds only its stored value "
        "— for WPS, Numbers, Google Sheets or anyone without the CRM_* functions — with styles, "
        "charts, data validation, comments and names kept; an .xlsx copy drops the VBA project. "
        "A workbook whose stored values are stale is refused (run `crm-xl recalc` first, or give "
        "--recalc). BOOK is only read.",
    )
    export.add_argument("book", type=Path, help="the workbook (.xlsx/.xlsm)")
    export.add_argument(
        "-o", "--output", type=Path, required=True, help="the copy (.xlsx, or .xlsm to keep macros)"
    )
    export.add_argument(
        "--recalc",
        action="store_true",
        help="recompute stale values for the copy instead of refusing (BOOK is not changed)",
    )
    export.add_argument("--force", action="store_true", help="even if Excel has BOOK open")

    report = sub.add_parser(
        "report",
        parents=[common],
        help="write the evaluation report of a workbook: HTML, PDF or Markdown",
        description="Write the evaluation report (评估报告) of a crm_xl workbook: summary, "
        "self-assessment, customers, trends, early warnings and the improvement plan, computed "
        "from the workbook's inputs (never from stale stored results). The workbook is only read.",
    )
    report.add_argument(
        "book", type=Path, help="a crm_xl workbook (.xlsx/.xlsm) or a folder of them"
    )
    report.add_argument(
        "-o",
        "--output",
        help="the report file: .html, .pdf or .md (default: BOOK_report.html beside the workbook); "
        "- prints the Markdown (for CI job summaries)",
    )
    report.add_argument("--period", help="the period to report on (default: the latest)")
    report.add_argument(
        "--lang", choices=("zh", "en"), help="language of the report (default: the workbook's)"
    )
    report.add_argument(
        "--template", type=Path, help="your own jinja2 template (the data: docs/report.md)"
    )
    report.add_argument(
        "--rules",
        type=Path,
        help="a TOML file whose [early_warning] table replaces the Model sheet's warning rules",
    )
    report.add_argument(
        "--as-of", help="the report's date, which decides what is overdue (default: today)"
    )
    report.add_argument(
        "--format",
        choices=("html", "pdf", "md"),
        default="html",
        help="for a folder without -o: the format of each report (default html)",
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

    lo = sub.add_parser(
        "libreoffice-extension",
        parents=[common],
        help="write the LibreOffice extension (.oxt) that makes the CRM_* functions work in Calc",
        description="Write a LibreOffice extension with a Basic function per CRM_* function "
        "(so =CRM_SCORE(...) in an .xlsx is computed by Calc and saved back under its name) "
        "and the Python component that runs crm_xl's implementations. LibreOffice's own "
        "Python must find crm_xl: by default the extension points it at this Python's "
        "site-packages (see docs/setup-libreoffice.md).",
    )
    lo.add_argument(
        "-o", "--output", type=Path, default=Path("crm_xl.oxt"), help="default: crm_xl.oxt"
    )
    lo.add_argument(
        "--python-path",
        action="append",
        metavar="DIR",
        help="a folder where LibreOffice's Python finds crm_xl and numpy/pandas (repeatable; "
        "default: this Python's site-packages)",
    )
    lo.add_argument(
        "--python-version",
        metavar="X.Y",
        help="the Python version those packages were installed for (default: this Python's)",
    )
    return parser


# command name -> the module that runs it (imported only when used: `crm-xl --help` starts fast)
COMMANDS = {
    "score": "crm_xl.commands.score",
    "demo": "crm_xl.commands.demo",
    "new": "crm_xl.commands.new",
    "new-period": "crm_xl.commands.new_period",
    "collect": "crm_xl.commands.collect",
    "recalc": "crm_xl.commands.recalc",
    "export": "crm_xl.commands.export",
    "report": "crm_xl.commands.report",
    "vba": "crm_xl.commands.vba",
    "libreoffice-extension": "crm_xl.commands.libreoffice_extension",
}


class Terminated(BaseException):  # a stop, like KeyboardInterrupt, not an error
    """The process was asked to stop (SIGTERM, SIGHUP): raised where it runs, so every
    ``finally`` runs and the temporary file of a write in progress is removed."""

    def __init__(self, signal_number: int) -> None:
        import signal

        super().__init__(signal_number)
        self.signal_number = signal_number
        self.signal_name = signal.Signals(signal_number).name


def _stop_cleanly_on_termination() -> dict[int, Any]:
    """Turn SIGTERM and SIGHUP into :class:`Terminated`; returns the handlers replaced."""
    import signal
    import threading

    def stop(signal_number: int, _frame: object) -> None:
        raise Terminated(signal_number)

    replaced: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return replaced  # only the main thread may set handlers (main() called from a thread)
    for name in ("SIGTERM", "SIGHUP"):  # Windows has neither of the two
        if hasattr(signal, name):
            number = getattr(signal, name)
            replaced[number] = signal.signal(number, stop)
    return replaced


def main(argv: list[str] | None = None) -> int:
    """Run ``crm-xl`` with ``argv`` (default: the process arguments); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    replaced = _stop_cleanly_on_termination()
    try:
        return importlib.import_module(COMMANDS[args.command]).run(args)
    except CrmError as err:
        if args.debug:
            raise
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated as stop:
        print(f"stopped by {stop.signal_name}: nothing half-written was left", file=sys.stderr)
        return 128 + stop.signal_number
    except BrokenPipeError:
        # the reader of our output went away (`| head`): stop quietly, as the shell's own
        # tools do (128 + SIGPIPE), and keep Python from complaining again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as err:
        if args.debug:
            raise
        print(f"crm-xl: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("rerun with --debug for the traceback, and please report it", file=sys.stderr)
        return 2
    finally:
        import signal

        for number, handler in replaced.items():
            signal.signal(number, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
