"""Benchmark: `crm-xl report` of a 20,000-customer workbook with 8 periods, against pandas.

The workbook is built as a team builds it (``crm-xl new`` with the customers, ``new-period``
seven times, each period's figures typed in, ``recalc``). Measured in one run, each in its
own process (wall time and peak memory from the OS):

* crm_xl HTML — ``crm-xl report BOOK -o report.html`` (read, compute every period, figures,
  warnings, charts, render);
* crm_xl Markdown — the same to ``.md``;
* pandas (the floor) — ``pandas.read_excel(BOOK, sheet_name=[the 8 Ratings sheets],
  engine="calamine")``: only reading the same sheets, the fastest engine pandas has, no
  computation at all.

Goal (issue 11): the report within 3× of the floor.

Run:  python benchmarks/bench_report.py [--customers 20000] [--periods 8]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(folder: Path, customers: int, periods: int) -> Path:
    """The benchmark workbook (cached in ``folder``)."""
    import random

    from crm_xl.workbook import layout
    from crm_xl.workbook.build import new_workbook
    from crm_xl.workbook.customers import Customer
    from crm_xl.workbook.layout import Period
    from crm_xl.workbook.period import add_period
    from crm_xl.xlsx import Package

    book = folder / f"bench_{customers}_{periods}.xlsx"
    if book.exists():
        return book
    rng = random.Random(customers)
    regions, channels = ["华东", "华南", "华北", "西南"], ["直销", "经销商", "电话销售", "电商"]
    people = [
        Customer(
            {
                "customer_id": f"C{i:06d}",
                "name": f"客户{i:06d}有限公司",
                "region": rng.choice(regions),
                "channel": rng.choice(channels),
            }
        )
        for i in range(customers)
    ]
    tmp = book.with_suffix(".tmp.xlsx")
    new_workbook(tmp, "2025-Q1", customers=people, force=True)
    period = Period.parse("2025-Q1")
    for k in range(periods):
        if k:
            period = period.next()
            add_period(tmp, str(period))
        pkg = Package.open(tmp)
        names = {n.lower(): v for n, (v, _) in pkg.defined_names().items()}
        cells = {}
        sheet = None
        for key, make in (
            ("annual_spend", lambda: rng.randint(0, 300_000)),
            ("orders", lambda: rng.randint(0, 30)),
            ("days_since_purchase", lambda: rng.randint(0, 400)),
            ("satisfaction", lambda: rng.randint(1, 5)),
            ("interactions", lambda: rng.randint(0, 25)),
            ("complaint_hours", lambda: round(rng.uniform(2, 80), 1)),
            ("campaigns", lambda: rng.randint(0, 6)),
        ):
            sheet, ref = layout.split_ref(names[layout.name(period, key).lower()])
            col = "".join(c for c in ref.split(":")[0] if c.isalpha())
            first = int(ref.split(":")[0][len(col) :])
            for i in range(customers):
                cells[f"{col}{first + i}"] = make()
        pkg.set_cells(sheet, cells)
        form, ref = layout.split_ref(names[layout.name(period, layout.SA_SCORES).lower()])
        top = int(ref.split(":")[0][1:])
        pkg.set_cells(form, {f"C{top + i}": rng.randint(1, 5) for i in range(5)})
        pkg.save(tmp)
    subprocess.run([sys.executable, "-m", "crm_xl", "recalc", str(tmp)], check=True)
    os.replace(tmp, book)
    return book


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[:4]} failed")
    return wall, usage.ru_maxrss / 1024


PANDAS = """
import sys, pandas as pd
from crm_xl.xlsx import Package
names = [s.name for s in Package.open(sys.argv[1]).sheets()]
sheets = [n for n in names if n.startswith(("评级 ", "Ratings "))]
frames = pd.read_excel(sys.argv[1], sheet_name=sheets, engine="calamine", header=2)
assert len(frames) == int(sys.argv[2]), len(frames)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "crm-xl-bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.build_only:
        build(args.folder, args.customers, args.periods)
        return
    t = time.perf_counter()
    # built in a child process: the peak memory measured of the runs below is their own
    # (Linux children inherit the parent's high-water mark)
    subprocess.run([sys.executable, __file__, "--build-only", *sys.argv[1:]], check=True)
    book = build(args.folder, args.customers, args.periods)
    print(
        f"workbook: {book} ({book.stat().st_size / 1e6:.1f} MB, built or found in {time.perf_counter() - t:.0f} s)"
    )
    out = args.folder / "report"
    runs = {
        "crm_xl HTML": [sys.executable, "-m", "crm_xl", "report", str(book), "-o", f"{out}.html"],
        "crm_xl Markdown": [sys.executable, "-m", "crm_xl", "report", str(book), "-o", f"{out}.md"],
        "pandas (floor)": [sys.executable, "-c", PANDAS, str(book), str(args.periods)],
    }
    results = {}
    for name, cmd in runs.items():
        results[name] = min(timed(cmd) for _ in range(args.repeat))
    floor = results["pandas (floor)"][0]
    print(f"\n{args.customers:,} customers × {args.periods} periods\n")
    print(f"{'':18}{'s':>8}{'MiB':>8}{'÷ floor':>10}")
    for name, (wall, mib) in results.items():
        print(f"{name:18}{wall:8.2f}{mib:8.0f}{wall / floor:9.2f}×")


if __name__ == "__main__":
    main()
