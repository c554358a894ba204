"""``crm-xl report BOOK``: the evaluation report of a workbook (or of a folder of them).

``-o report.html|.md|.pdf`` chooses the file and its format (default: an HTML file beside
the workbook); ``-o -`` prints the Markdown version, for a CI job summary
(``crm-xl report book.xlsx -o - >> "$GITHUB_STEP_SUMMARY"``). For a folder, every
workbook in it gets its report beside it (``--format``), or with ``-o -`` all the Markdown
summaries are printed one after another; a workbook that fails is listed and the others
are still done (exit 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from crm_xl.errors import CrmError

WORKBOOKS = (".xlsx", ".xlsm")


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CrmError(f"'{text}' is not a date: write it as 2026-12-31", "--as-of") from None


def _one(book: Path, out: str | None, args: argparse.Namespace, rules) -> str:
    """Make one report; returns what to print (the Markdown for ``-o -``, else a line)."""
    import tempfile

    from crm_xl.report.make import default_output, make_report

    options = dict(
        period=args.period,
        lang=args.lang,
        template=args.template,
        as_of=_as_of(args.as_of),
        rules=rules,
    )
    if out == "-":
        with tempfile.TemporaryDirectory(prefix="crm-xl-report-") as tmp:
            path = make_report(book, Path(tmp) / "report.md", **options)
            return path.read_text(encoding="utf-8")
    target = Path(out) if out else default_output(book, args.period, args.format)
    return f"wrote {make_report(book, target, **options)}"


def run(args: argparse.Namespace) -> int:
    from crm_xl.report.make import load_rules

    rules = load_rules(args.rules) if args.rules else None
    out = str(args.output) if args.output is not None else None
    if not args.book.is_dir():
        print(_one(args.book, out, args, rules))
        return 0
    if out not in (None, "-"):
        raise CrmError("for a folder, -o takes only - (Markdown to the screen)", out)
    books = sorted(
        p
        for p in args.book.iterdir()
        if p.suffix.lower() in WORKBOOKS and not p.name.startswith(("~$", "."))
    )
    if not books:
        raise CrmError("no workbook (.xlsx, .xlsm) in this folder", str(args.book))
    failed = 0
    for book in books:
        try:
            print(_one(book, out, args, rules))
        except CrmError as err:
            failed += 1
            for problem in err.problems:
                print(f"error: {problem}", file=sys.stderr)
    return 1 if failed else 0
