"""Benchmark: full recalculation + save against IronCalc, LibreOffice and a plain read.

One table of ``--rows`` customers (default 100,000): a text id, four numbers and two formulas
per row, ``=SUM(B2:E2)`` and the weighted score ``=B2*0.4+C2*0.3+D2*0.2+E2*0.1``. The same
table is written four ways, as the writers people use write it:

* ``xlsxwriter``   — XlsxWriter (as Excel: shared strings), one formula per cell (cached value 0);
* ``shared``       — the same file with each formula column as one shared formula (what Excel
  writes for a filled-down column);
* ``openpyxl``     — openpyxl (crm_xl's own generator writes with it): no cached values;
* ``libreoffice``  — the openpyxl file converted by LibreOffice (its own XML: ``t="str"``-free
  here, cached values, no shared formulas).

Each contender runs in its own child process (wall time, and peak RSS from ``os.wait4``) and
does a full recalculation and save of every input:

* crm_xl      — ``crm-xl recalc BOOK -o OUT``;
* IronCalc    — ``ironcalc.load_from_xlsx``, ``evaluate()``, ``save_to_xlsx`` (Rust;
  ``pip install ".[bench]"``);
* LibreOffice — headless ``--convert-to xlsx`` with "recalculate on load: always";
* calamine    — python-calamine reading the file, nothing computed: the floor.

Every output is read back and its two formula columns compared with the values computed here
(a contender that saved wrong numbers is marked ``WRONG``).

Then the workbook commands at ``--customers`` (default 20,000): ``crm-xl new --customers`` and
``crm-xl new-period``, each against XlsxWriter writing the same cells (every value and formula
of the resulting workbook) in constant-memory mode.

Goals (issue 13): recalc faster than IronCalc and within 3× of calamine on every input, peak
memory below IronCalc's and LibreOffice's; ``new`` and ``new-period`` within 2× of XlsxWriter
and under 300 MiB.

Run:  python benchmarks/bench_engines.py [--rows 100000] [--customers 20000] [--skip-commands]
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import bench_recalc

HERE = Path(__file__).resolve().parent
WEIGHTS = (0.4, 0.3, 0.2, 0.1)
NAN = (float("nan"), float("nan"))


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process.

    Through ``/usr/bin/time`` when there is one: a child forked from this process starts with
    this process's resident set as its peak (Linux keeps it across ``exec``), so
    ``os.wait4`` alone would count the benchmark's own memory in every contender's.
    """
    if not os.path.exists("/usr/bin/time"):
        return bench_recalc.timed(cmd)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[:4]} failed: {proc.stderr.decode()[-500:]}")
        return wall, int(rss.read().split()[-1]) / 1024  # KiB


def libreoffice(book: Path, out: Path) -> tuple[float, float]:
    """LibreOffice headless recalculating ``book`` on load and saving it to ``out``."""
    saved = bench_recalc.timed
    bench_recalc.timed = lambda cmd, env=None: timed(cmd)
    try:
        return bench_recalc.libreoffice(book, out)
    finally:
        bench_recalc.timed = saved


def numbers(rows: int) -> list[list[float]]:
    import random

    rng = random.Random(rows)
    return [[round(rng.uniform(0, 100), 1) for _ in range(4)] for _ in range(rows)]


def formulas(row: int) -> tuple[str, str]:
    """The two formulas of sheet row ``row`` (1-based)."""
    r = row
    score = "+".join(f"{c}{r}*{w}" for c, w in zip("BCDE", WEIGHTS, strict=True))
    return f"=SUM(B{r}:E{r})", f"={score}"


HEADER = ["customer", "satisfaction", "retention", "growth", "feedback", "total", "score"]


def write_xlsxwriter(path: Path, data: list[list[float]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))  # not constant_memory: that writes inline strings
    ws = wb.add_worksheet("Ratings")
    ws.write_row(0, 0, HEADER)
    for i, values in enumerate(data, start=1):
        ws.write_string(i, 0, f"C{i:06d}")
        ws.write_row(i, 1, values)
        total, score = formulas(i + 1)
        ws.write_formula(i, 5, total)
        ws.write_formula(i, 6, score)
    wb.close()


def make_shared(source: Path, path: Path, rows: int) -> None:
    """``source`` with columns F and G as shared formulas, as Excel writes a filled column."""
    last = rows + 1

    def shared(m: re.Match) -> str:
        col, row, text = m.group(1), int(m.group(2)), m.group(3)
        si = "0" if col == "F" else "1"
        if row == 2:
            return f'<c r="{col}2"><f t="shared" ref="{col}2:{col}{last}" si="{si}">{text}</f>'
        return f'<c r="{col}{row}"><f t="shared" si="{si}"/>'

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r'<c r="([FG])(\d+)"><f>([^<]*)</f>', shared, data.decode())
                data = text.encode()
            zout.writestr(item, data)


def write_openpyxl(path: Path, data: list[list[float]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Ratings")
    ws.append(HEADER)
    for i, values in enumerate(data, start=1):
        ws.append([f"C{i:06d}", *values, *formulas(i + 1)])
    wb.save(path)


def to_libreoffice(source: Path, path: Path) -> None:
    out = path.parent / "lo-convert"
    libreoffice(source, out)
    shutil.move(out / source.name, path)
    shutil.rmtree(out, ignore_errors=True)


def check(path: Path, data: list[list[float]]) -> bool:
    """Whether ``path``'s columns F and G hold the table's SUM and score (Excel's tolerance)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    if len(rows) != len(data):
        return False
    for values, row in zip(data, rows, strict=True):
        total, score = sum(values), sum(v * w for v, w in zip(values, WEIGHTS, strict=True))
        if not (
            math.isclose(row[5], total, rel_tol=1e-12)
            and math.isclose(row[6], score, rel_tol=1e-12)
        ):
            return False
    return True


def contenders(py: str, book: Path, out: Path) -> dict[str, tuple[float, float]]:
    results = {}
    results["crm_xl"] = timed(
        [py, "-m", "crm_xl", "recalc", str(book), "-o", str(out / "crm.xlsx")]
    )
    try:
        import ironcalc  # noqa: F401

        code = (
            "import ironcalc, sys; m = ironcalc.load_from_xlsx(sys.argv[1], 'en', 'UTC', 'en'); "
            "m.evaluate(); m.save_to_xlsx(sys.argv[2])"
        )
        results["IronCalc"] = timed([py, "-c", code, str(book), str(out / "ironcalc.xlsx")])
    except ImportError:
        results["IronCalc"] = NAN
    if shutil.which("soffice"):
        results["LibreOffice"] = libreoffice(book, out / "lo")
    else:
        results["LibreOffice"] = NAN
    code = (
        "import sys; from python_calamine import CalamineWorkbook as W; "
        "W.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()"
    )
    results["calamine"] = timed([py, "-c", code, str(book)])
    return results


def outputs(out: Path, book: Path) -> dict[str, Path]:
    return {
        "crm_xl": out / "crm.xlsx",
        "IronCalc": out / "ironcalc.xlsx",
        "LibreOffice": out / "lo" / book.name,
    }


# --- the workbook commands ---------------------------------------------------------------

XLSXWRITER_CHILD = """
import pickle, sys, xlsxwriter
sheets = pickle.load(open(sys.argv[1], "rb"))
wb = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
for name, rows in sheets:
    ws = wb.add_worksheet(name)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v)
            else:
                ws.write(r, c, v)
wb.close()
"""


def dump_cells(book: Path, target: Path) -> int:
    """Every sheet's values and formulas of ``book`` pickled to ``target``; the cell count."""
    from openpyxl import load_workbook

    wb = load_workbook(book, read_only=True)
    sheets, count = [], 0
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        rows = [
            [v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for v in r]
            for r in rows
        ]
        count += sum(v is not None for r in rows for v in r)
        sheets.append((ws.title[:31], rows))
    wb.close()
    target.write_bytes(pickle.dumps(sheets))
    return count


def commands(py: str, work: Path, customers: int) -> list[tuple[str, tuple, tuple, int]]:
    import csv
    import random

    rng = random.Random(customers)
    table = work / "customers.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "name", "region", "channel"])
        for i in range(customers):
            w.writerow(
                [
                    f"C{i:06d}",
                    f"Customer {i:06d} Ltd",
                    rng.choice(["East", "South", "North", "West"]),
                    rng.choice(["direct", "dealer", "phone", "online"]),
                ]
            )
    book = work / "book.xlsx"
    results = []
    new = timed(
        [
            py,
            "-m",
            "crm_xl",
            "new",
            str(book),
            "--period",
            "2026-Q1",
            "--lang",
            "en",
            "--customers",
            str(table),
        ]
    )
    cells = work / "cells.pickle"
    count = dump_cells(book, cells)
    xw = timed([py, "-c", XLSXWRITER_CHILD, str(cells), str(work / "xw_new.xlsx")])
    results.append(("crm-xl new --customers", new, xw, count))
    period = timed([py, "-m", "crm_xl", "new-period", str(book), "--period", "2026-Q2"])
    count = dump_cells(book, cells)
    xw = timed([py, "-c", XLSXWRITER_CHILD, str(cells), str(work / "xw_period.xlsx")])
    results.append(("crm-xl new-period", period, xw, count))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--skip-commands", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the inputs and outputs in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="crm-engines-"))
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    data = numbers(args.rows)
    inputs = {
        "xlsxwriter": work / "xlsxwriter.xlsx",
        "shared": work / "shared.xlsx",
        "openpyxl": work / "openpyxl.xlsx",
        "libreoffice": work / "libreoffice.xlsx",
    }
    table = []
    try:
        write_xlsxwriter(inputs["xlsxwriter"], data)
        make_shared(inputs["xlsxwriter"], inputs["shared"], args.rows)
        write_openpyxl(inputs["openpyxl"], data)
        if shutil.which("soffice"):
            to_libreoffice(inputs["openpyxl"], inputs["libreoffice"])
        else:
            del inputs["libreoffice"]
        for name, book in inputs.items():
            out = work / f"out-{name}"
            out.mkdir(exist_ok=True)
            results = contenders(py, book, out)
            right = {
                who: path.exists() and check(path, data) for who, path in outputs(out, book).items()
            }
            table.append((name, results, right))
            print(f"{name}: done", file=sys.stderr)
        jobs = [] if args.skip_commands else commands(py, work, args.customers)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    who = ["crm_xl", "IronCalc", "LibreOffice", "calamine"]
    print(
        f"\nFull recalculation and save, {args.rows:,} rows (2 formulas per row), seconds / peak MiB\n"
    )
    head = f"{'input':<12}" + "".join(f"{w:>18}" for w in who)
    head += f"{'IronCalc/crm':>14}{'LO/crm':>8}{'crm/floor':>11}"
    print(head)
    print("-" * len(head))
    for name, results, right in table:
        line = f"{name:<12}"
        for w in who:
            s, mib = results[w]
            mark = "" if right.get(w, True) else " WRONG"
            line += f"{s:.2f} s {mib:.0f}M{mark}".rjust(18)
        crm = results["crm_xl"][0]
        line += f"{results['IronCalc'][0] / crm:13.2f}×{results['LibreOffice'][0] / crm:7.2f}×"
        line += f"{crm / results['calamine'][0]:10.2f}×"
        print(line)
    print("\nIronCalc/crm and LO/crm above 1: crm_xl is faster. crm/floor: goal within 3×.")
    for name, _results, right in table:
        wrong = [w for w, ok in right.items() if not ok]
        if wrong:
            print(f"{name}: wrong or missing values saved by {', '.join(wrong)}")
    if jobs:
        print(f"\nWorkbook commands, {args.customers:,} customers\n")
        head = f"{'command':<24}{'crm_xl s':>9}{'MiB':>6}{'XlsxWriter s':>13}{'MiB':>6}{'crm/XW':>8}{'cells':>10}"
        print(head)
        print("-" * len(head))
        for name, crm, xw, count in jobs:
            print(
                f"{name:<24}{crm[0]:9.2f}{crm[1]:6.0f}{xw[0]:13.2f}{xw[1]:6.0f}"
                f"{crm[0] / xw[0]:7.2f}×{count:10,}"
            )
        print("\nGoal: crm/XW within 2×, crm_xl under 300 MiB.")


if __name__ == "__main__":
    main()
