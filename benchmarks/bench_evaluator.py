"""Benchmark: the headless evaluator behind ``crm-xl recalc``.

A workbook made with openpyxl holds N rows of four scores (B:E) and, per row, one
``=CRM_SCORE(B{r}:E{r},$H$1:$K$1)`` and one ``=SUM(B{r}:E{r})``. For N = 1,000, 10,000
and 100,000 rows it times:

- load: ``Package.open`` + ``Workbook.from_package`` (every cell, formula and style);
- evaluate: ``wb.recalculate`` of every formula cell (the columns are computed in one call
  each: CRM_SCORE over the block of rows, SUM row by row from one read of the block);
- recalc_book: the whole ``crm-xl recalc`` of the file (load, evaluate, write the cached
  values into a copy), when that command is available;
- calamine: python-calamine reading the same file's values (no formulas) — the floor.

Results are checked against numpy before timings are reported. Best of ``--repeat`` runs.
Product goal: load + evaluate + write of the 100,000-row workbook in < 2 s.

Run:  python benchmarks/bench_evaluator.py [--rows 1000 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
from python_calamine import CalamineWorkbook

from crm_xl.calc.evaluator import Workbook
from crm_xl.excel.engine import engine_functions
from crm_xl.xlsx import Package

WEIGHTS = [40, 30, 20, 10]


def build(path: Path, rows: int, seed: int = 1) -> np.ndarray:
    """Write the workbook; return the scores as a rows × 4 array."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 101, size=(rows, 4)).astype(float)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    for j, w in enumerate(WEIGHTS):
        ws.cell(1, 8 + j, w)
    for i in range(rows):
        r = i + 2
        ws.cell(r, 1, f"C{r}")
        for j in range(4):
            ws.cell(r, 2 + j, scores[i, j])
        ws.cell(r, 6, f"=CRM_SCORE(B{r}:E{r},$H$1:$K$1)")
        ws.cell(r, 7, f"=SUM(B{r}:E{r})")
    book.save(path)
    return scores


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(rows: int, folder: Path, repeat: int) -> dict[str, float]:
    path = folder / f"bench{rows}.xlsx"
    scores = build(path, rows)

    def load() -> Workbook:
        return Workbook.from_package(Package.open(path), engine_functions())

    t_load, _ = best_of(load, repeat)

    def evaluate() -> dict:
        wb = load()
        targets = [(s, c) for s, c, _ in wb.formula_cells()]
        start = time.perf_counter()
        values, problems = wb.recalculate(targets)
        assert not problems, problems
        evaluate.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
        return values

    t_eval = float("inf")
    values: dict = {}
    for _ in range(repeat):
        values = evaluate()
        t_eval = min(t_eval, evaluate.seconds)  # type: ignore[attr-defined]
    expected = scores @ np.array(WEIGHTS, dtype=float) / 100
    got = np.array([values[("Data", f"F{r}")] for r in range(2, rows + 2)])
    sums = np.array([values[("Data", f"G{r}")] for r in range(2, rows + 2)])
    assert np.allclose(got, expected, rtol=1e-12), "CRM_SCORE differs from numpy"
    assert np.array_equal(sums, scores.sum(axis=1)), "SUM differs from numpy"

    def calamine() -> list:
        book = CalamineWorkbook.from_path(str(path))
        try:
            return book.get_sheet_by_name("Data").to_python()
        finally:
            book.close()

    t_cal, _ = best_of(calamine, repeat)
    t_recalc = float("nan")
    try:
        from crm_xl.workbook.recalc import recalc_book

        out = folder / f"out{rows}.xlsx"
        t_recalc, result = best_of(lambda: recalc_book(path, out), repeat)
        assert result.error is None and not result.problems, result.as_json()
    except Exception as err:  # the command is being built alongside; time the rest anyway
        print(f"  (recalc_book not timed: {type(err).__name__}: {err})")
    return {
        "rows": rows,
        "load": t_load,
        "evaluate": t_eval,
        "load+evaluate": t_load + t_eval,
        "recalc_book": t_recalc,
        "calamine": t_cal,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crm-xl-bench-") as tmp:
        results = [run(n, Path(tmp), args.repeat) for n in args.rows]
    cols = ["rows", "load", "evaluate", "load+evaluate", "recalc_book", "calamine"]
    print()
    print(" | ".join(f"{c:>13}" for c in cols))
    print(" | ".join("-" * 13 for _ in cols))
    for r in results:
        cells = [f"{r['rows']:>13,}"] + [
            f"{r[c]:>12.3f}s" if r[c] == r[c] else f"{'n/a':>13}" for c in cols[1:]
        ]
        print(" | ".join(cells))
    print(
        "\nload = Package.open + Workbook.from_package; evaluate = recalculate(all formulas);"
        "\nrecalc_book = crm-xl recalc of the file to a copy; calamine = values only (the floor)."
    )


if __name__ == "__main__":
    main()
