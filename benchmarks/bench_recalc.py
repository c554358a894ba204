"""Benchmark: `crm-xl recalc` against LibreOffice, the `formulas` library and a plain read.

Workbooks of 1,000, 10,000 and 100,000 customers, each row with one ``=CRM_SCORE(B:E, H1:K1)``
and one ``=SUM(B:E)``. Measured in one run, each tool in its own process (wall time and
peak memory from the OS):

* crm_xl     — ``crm-xl recalc BOOK -o OUT`` (read, evaluate, write cached values);
* LibreOffice — headless full recalculation + save of the same table written with
  SUMPRODUCT/SUM instead of CRM_SCORE (LibreOffice does not know CRM_*);
* formulas   — the ``formulas`` library computing the SUMPRODUCT/SUM workbook
  (skipped above 1,000 rows: it takes about 5 s per 1,000 rows; pip install formulas);
* calamine   — python-calamine reading the file: the floor for any tool that reads it.

Also ``crm-xl --help`` start-up time. Goal (issue 5): at 100,000 rows crm_xl at least 2×
faster than LibreOffice, with less peak memory.

Run:  python benchmarks/bench_recalc.py [--rows 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build(path: Path, rows: int, crm: bool) -> None:
    """The benchmark workbook, written with XlsxWriter (fast, constant memory)."""
    import random

    import xlsxwriter

    rng = random.Random(rows)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Ratings")
    ws.write_row(0, 7, [40, 30, 20, 10])
    ws.write_row(0, 0, ["customer", "satisfaction", "retention", "growth", "feedback"])
    for r in range(1, rows + 1):
        ws.write_string(r, 0, f"C{r:06d}")
        ws.write_row(r, 1, [round(rng.uniform(0, 100), 1) for _ in range(4)])
        row = r + 1
        if crm:
            ws.write_formula(r, 5, f"=CRM_SCORE(B{row}:E{row},$H$1:$K$1)")
        else:
            ws.write_formula(r, 5, f"=SUMPRODUCT(B{row}:E{row},$H$1:$K$1)/SUM($H$1:$K$1)")
        ws.write_formula(r, 6, f"=SUM(B{row}:E{row})")
    wb.close()


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process (os.wait4 gives its own rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def libreoffice(book: Path, out: Path) -> tuple[float, float]:
    profile = Path(tempfile.mkdtemp(prefix="lo-bench-"))
    user = profile / "user"
    user.mkdir()
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item></oor:items>"
    )
    cmd = [
        shutil.which("soffice") or "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(book),
    ]
    try:
        return timed(cmd)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    py = sys.executable
    table = []
    try:
        start = time.perf_counter()
        subprocess.run([py, "-m", "crm_xl", "--help"], check=True, capture_output=True)
        help_seconds = time.perf_counter() - start
        for rows in args.rows:
            crm_book, std_book = work / f"crm_{rows}.xlsx", work / f"std_{rows}.xlsx"
            build(crm_book, rows, crm=True)
            build(std_book, rows, crm=False)
            crm = timed(
                [py, "-m", "crm_xl", "recalc", str(crm_book), "-o", str(work / f"out_{rows}.xlsx")]
            )
            lo = (
                libreoffice(std_book, work / f"lo_{rows}")
                if shutil.which("soffice")
                else (float("nan"),) * 2
            )
            floor = timed(
                [
                    py,
                    "-c",
                    f"from python_calamine import CalamineWorkbook as W; W.from_path({str(std_book)!r}).get_sheet_by_index(0).to_python()",
                ]
            )
            if rows <= 1_000:
                try:
                    import formulas  # noqa: F401

                    code = f"import formulas; m = formulas.ExcelModel().loads({str(std_book)!r}).finish(); m.calculate()"
                    fm = timed([py, "-c", code])
                except ImportError:
                    fm = (float("nan"), float("nan"))
            else:
                fm = (float("nan"), float("nan"))
            table.append((rows, crm, lo, fm, floor))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\ncrm-xl --help starts in {help_seconds:.2f} s\n")
    head = f"{'rows':>8} {'crm_xl s':>9} {'LO s':>7} {'formulas s':>11} {'calamine s':>11} {'LO/crm_xl':>10} {'formulas/crm_xl':>16} {'crm_xl/floor':>13} {'crm MiB':>8} {'LO MiB':>7}"
    print(head)
    print("-" * len(head))
    for rows, crm, lo, fm, floor in table:
        print(
            f"{rows:>8,} {crm[0]:9.2f} {lo[0]:7.2f} {fm[0]:11.2f} {floor[0]:11.2f} "
            f"{lo[0] / crm[0]:9.1f}× {fm[0] / crm[0]:15.1f}× {crm[0] / floor[0]:12.1f}× "
            f"{crm[1]:8.0f} {lo[1]:7.0f}"
        )
    print(
        "\nLO/crm_xl above 1 means crm_xl is faster than LibreOffice (goal: ≥ 2 at 100,000 rows)."
    )
    print(
        "Peak memory is each tool's own process (the largest so far in this run for the children)."
    )
    _ = os


if __name__ == "__main__":
    main()
