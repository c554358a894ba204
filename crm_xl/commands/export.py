"""``crm-xl export BOOK -o copy.xlsx``: a copy with every formula replaced by its value.

For sending a workbook outside the team — to WPS, Numbers, Google Sheets or a colleague
without crm_xl's functions, where every ``=CRM_SCORE(…)`` would show ``#NAME?`` or be
recomputed wrongly. The copy holds what the workbook shows: each formula cell keeps its
stored value, styles, number formats, charts (with their cached data), data validation,
conditional formats, comments, defined names and sheet layout stay; calcChain goes (it
lists formulas). An ``.xlsx`` copy of an ``.xlsm`` drops the VBA project (a button bound
to a macro stays drawn but does nothing); an ``.xlsm`` copy keeps it.

Stored values must be current, or the copy would send old numbers: the workbook is
checked first as ``crm-xl recalc --check`` checks it, and a stale workbook is refused
with what to do — run ``crm-xl recalc BOOK`` (or save it in Excel), or give ``--recalc``
to compute them into the copy (the original is never changed). A formula with no stored
value at all is refused too. The copy is written atomically; BOOK is only read.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from crm_xl.errors import CrmError, Problem

SUFFIXES = {".xlsx", ".xlsm"}
MAX_LISTED = 5


def run(args: argparse.Namespace) -> int:
    book, out = Path(args.book), Path(args.output)
    done = export_values(book, out, recalc=args.recalc, force=args.force)
    print(f"{book}: {done} formulas replaced by their values, written to {out}")
    return 0


def export_values(book: Path, out: Path, *, recalc: bool = False, force: bool = False) -> int:
    """Write ``out``, a copy of ``book`` whose formulas are their stored values; returns how
    many formulas were replaced. Raises :class:`CrmError` (nothing written) when the stored
    values are stale or missing, unless ``recalc`` computes them for the copy first."""
    from crm_xl.workbook.recalc import recalc_book
    from crm_xl.xlsx import Package

    _check_paths(book, out)
    with tempfile.TemporaryDirectory() as folder:
        source = book
        if recalc:
            source = Path(folder) / ("recalculated" + book.suffix.lower())
            result = recalc_book(book, source, force=force)
        else:
            result = recalc_book(book, check=True, force=force)
        if result.error:
            raise CrmError(result.error, str(book))
        if result.problems:
            raise CrmError([_at(book, p) for p in result.problems])  # the check's own
        if result.changes and not recalc:
            cells = ", ".join(f"{c.sheet}!{c.cell}" for c in result.changes[:MAX_LISTED])
            more = len(result.changes) - MAX_LISTED
            raise CrmError(
                f"{len(result.changes)} stored values are out of date ({cells}"
                f"{f' and {more} more' if more > 0 else ''}): run `crm-xl recalc {book}` "
                "first (or open and save it in Excel), or give --recalc to compute them for "
                "the copy",
                str(book),
            )
        pkg = Package.open(result.written or source)
        replaced, missing = 0, []
        for sheet in pkg.sheets():
            if sheet.kind != "worksheet":
                continue
            n, empty = pkg.formulas_to_values(sheet.name)
            replaced += n
            missing += [f"{sheet.name}!{cell}" for cell in empty]
        if missing:
            listed = ", ".join(missing[:MAX_LISTED])
            raise CrmError(
                f"{len(missing)} formulas have no stored value ({listed}"
                f"{' …' if len(missing) > MAX_LISTED else ''}): open and save the workbook in "
                "Excel, or run `crm-xl recalc` on it, first",
                str(book),
            )
        if out.suffix.lower() == ".xlsx":
            pkg.drop_vba()
        pkg.save(out)
    return replaced


def _check_paths(book: Path, out: Path) -> None:
    if not book.is_file():
        raise CrmError("no such workbook", str(book))
    if book.suffix.lower() not in SUFFIXES:
        raise CrmError("export works on .xlsx and .xlsm workbooks", str(book))
    if out.suffix.lower() not in SUFFIXES:
        raise CrmError("-o must be an .xlsx file (or .xlsm to keep the macros)", str(out))
    if out.suffix.lower() == ".xlsm" and book.suffix.lower() != ".xlsm":
        raise CrmError("-o: an .xlsm copy needs an .xlsm workbook; write .xlsx", str(out))
    if out.exists() and out.resolve() == book.resolve():
        raise CrmError("-o must not be the workbook itself: the original stays as it is", str(out))


def _at(book: Path, problem: Problem) -> Problem:
    """The problem with the workbook's name in front, unless it starts with it already."""
    if problem.where.startswith(str(book)):
        return problem
    return Problem(f"{book}: {problem.where}" if problem.where else str(book), problem.message)
