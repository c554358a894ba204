"""``crm-xl recalc BOOK|FOLDER``: recompute workbooks' formulas without Excel, for CI.

One workbook is recalculated by :func:`crm_xl.workbook.recalc.recalc_book`; a folder is
processed in parallel processes with a progress bar and a summary table. ``--check``
changes nothing and exits 1 when a stored value is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, counted
from crm_xl.workbook.recalc import MAX_LISTED, BookResult, recalc_book


def run(args: argparse.Namespace) -> int:
    import json

    from crm_xl.workbook.recalc import recalc_book

    if args.book.is_dir():
        if args.output:
            raise CrmError("-o works with one workbook, not a folder", str(args.output))
        results = recalc_folder(
            args.book,
            check=args.check,
            force=args.force,
            jobs=args.jobs,
            progress=not args.json,
            today=args.today,
        )
    else:
        results = [
            recalc_book(
                args.book, args.output, check=args.check, force=args.force, today=args.today
            )
        ]
    if args.json:
        print(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            _report_book(r, args.check, args.today is not None)
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
                print(f"{r.path}: {counted(r.evaluated, 'cell')} evaluated, {outcome}")
    failed = any(r.problems or r.error or r.input_errors for r in results)
    stale = args.check and any(r.changes for r in results)
    return 1 if failed or stale else 0


def _located(path: Path, text: str) -> str:
    """``text`` with the workbook's name in front, unless it starts with it already."""
    return text if text.startswith(f"{path}:") else f"{path}: {text}"


def _report_book(result, check: bool, today_given: bool = False) -> None:
    if result.error:
        print(f"error: {_located(result.path, result.error)}", file=sys.stderr)
    for problem in result.problems:
        print(f"error: {_located(result.path, str(problem))}", file=sys.stderr)
    if result.filled:
        done = "gets" if check else "got"
        print(
            f"{result.path}: {counted(len(result.filled), 'result cell')} of inserted customer rows "
            f"{done} their CRM_* formulas (first: {', '.join(result.filled[:3])})"
        )
    if result.today is not None:
        given = "" if today_given else " (today's date: --today YYYY-MM-DD fixes it)"
        print(f"{result.path}: TODAY() is {result.today.isoformat()}{given}")
    if result.now is not None:
        given = "" if today_given else " (the current time: --today YYYY-MM-DDTHH:MM fixes it)"
        print(f"{result.path}: NOW() is {result.now.isoformat(' ', 'seconds')}{given}")
    if result.input_errors:
        from crm_xl.core.problem_words import problem_text

        n, zh = len(result.input_errors), result.lang == "zh"
        heading = (
            f"{n} 个 CRM_* 结果单元格因输入有误而显示错误;请按各条原因更正所指的输入:"
            if zh
            else f"{n} CRM_* result cell{'s' * (n != 1)} show{'s' * (n == 1)} an error because "
            f"of {'their' if n != 1 else 'its'} inputs; correct the inputs named in each reason:"
        )
        print(f"error: {result.path}: {heading}", file=sys.stderr)
        for problem in result.input_errors[:MAX_LISTED]:
            reason = problem_text(problem.message, result.lang)
            print(f"error: {result.path}: {problem.where}: {reason}", file=sys.stderr)
        if n > MAX_LISTED:
            more = f"……另有 {n - MAX_LISTED} 个" if zh else f"... and {n - MAX_LISTED} more"
            print(f"error: {result.path}: {more}", file=sys.stderr)
    for note in result.not_evaluated:
        print(f"not evaluated: {_located(result.path, str(note))}", file=sys.stderr)
    if check and result.changes:
        for change in result.changes[:MAX_LISTED]:
            print(f"{result.path}: {change.describe()}")
        if len(result.changes) > MAX_LISTED:
            more = counted(len(result.changes) - MAX_LISTED, "more stale cell")
            print(f"{result.path}: ... and {more}")


def find_books(folder: Path) -> list[Path]:
    """Workbooks in ``folder`` and below (not Excel's ``~$`` lock files, not hidden files)."""
    books = [
        p
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in (".xlsx", ".xlsm")
        and p.is_file()
        and not p.name.startswith(("~$", "."))
        and not any(part.startswith(".") for part in p.relative_to(folder).parts[:-1])
    ]
    return books


def _run_one(args: tuple[str, bool, bool, Any]) -> BookResult:
    path, check, force, today = args
    try:
        return recalc_book(path, check=check, force=force, today=today)
    except CrmError as err:
        result = BookResult(Path(path))
        result.error = "; ".join(str(p) for p in err.problems)
        return result
    except Exception as err:  # one broken workbook must not stop the others
        result = BookResult(Path(path))
        result.error = f"internal error: {type(err).__name__}: {err}"
        return result


def recalc_folder(
    folder: str | Path,
    *,
    check: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: bool = True,
    today: Any = None,
) -> list[BookResult]:
    """Recalculate every workbook under ``folder`` in parallel processes, with a progress bar."""
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    folder = Path(folder)
    books = find_books(folder)
    if not books:
        raise CrmError("no .xlsx or .xlsm workbooks here", str(folder))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(books)))
    results: dict[Path, BookResult] = {}
    work = [(str(b), check, force, today) for b in books]
    if jobs == 1:
        for item in _progress(work, progress, len(books)):
            r = _run_one(item)
            results[r.path] = r
    else:
        from concurrent.futures.process import BrokenProcessPool

        bar = _progress(_count(), progress, len(books))
        next(bar, None)
        try:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(_run_one, item) for item in work]
                for fut in as_completed(futures):
                    r = fut.result()
                    results[r.path] = r
                    next(bar, None)
        except BrokenProcessPool:
            # a worker died (killed for memory, or aborted): every book it had not finished
            # is run again, each in a process of its own, so the one that kills its process
            # is named and the others are recalculated
            for item in work:
                if Path(item[0]) not in results:
                    r = _run_isolated(item)
                    results[r.path] = r
                    next(bar, None)
        bar.close()
    return [results[Path(b)] for b in books]


def _count() -> Any:
    n = 0
    while True:
        yield n
        n += 1


def _run_isolated(item: tuple[str, bool, bool, Any]) -> BookResult:
    """:func:`_run_one` in a process of its own; a process that dies is this book's error."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_run_one, item).result()
    except BrokenProcessPool:
        result = BookResult(Path(item[0]))
        result.error = (
            "the process recalculating this workbook died (out of memory, or killed); "
            "the file was left as it was"
        )
        return result


def _progress(items: Any, show: bool, total: int) -> Any:
    if not show:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("recalculating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("books", total=total)
        for item in items:
            yield item
            bar.advance(task)


def summary_table(results: list[BookResult], root: Path | None = None) -> Any:
    """A rich Table: one row per workbook (status, cells evaluated, changed, problems)."""
    from rich.table import Table

    table = Table(title="crm-xl recalc")
    for col, justify in (
        ("workbook", "left"),
        ("status", "left"),
        ("evaluated", "right"),
        ("changed", "right"),
        ("problems", "right"),
    ):
        table.add_column(col, justify=justify)
    for r in results:
        name = (
            str(r.path.relative_to(root)) if root and r.path.is_relative_to(root) else str(r.path)
        )
        table.add_row(
            name,
            r.status,
            str(r.evaluated),
            str(len(r.changes)),
            str(len(r.problems) + bool(r.error)),
        )
    return table
