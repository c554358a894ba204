"""``=SUM(B{r}:E{r})`` down a column summed on whole columns (crm_xl.calc.vectorised's
``_sum_numbers``) gives exactly the floats the row-by-row path gives, and leaves every run
with a blank, a text, a boolean, an error or an overflow to that path."""

from __future__ import annotations

import random

import pytest

from crm_xl.calc import vectorised
from crm_xl.calc.evaluator import Workbook, XlError


def _book(pool: list, seed: int, rows: int = 150) -> tuple[dict, list]:
    rnd = random.Random(seed)
    cells: dict = {}
    for r in range(1, rows + 1):
        for c in "BCDE":
            v = rnd.choice(pool)
            if v is not None:
                cells[f"{c}{r}"] = v
        cells[f"G{r}"] = f"=SUM(B{r}:E{r})"
    return cells, [("S", f"G{r}") for r in range(1, rows + 1)]


def _both(cells: dict, targets: list) -> tuple[dict, dict]:
    fast, problems = Workbook.from_cells({"S": cells}).recalculate(targets)
    assert problems == []
    slow_book = Workbook.from_cells({"S": cells})
    slow_book.build_blocks()
    for b in slow_book.sheet("S").blocks:
        b.vector = None  # cell by cell
    slow, _ = slow_book.recalculate(targets)
    return fast, slow


def test_numbers_summed_on_columns_without_a_step_per_row(monkeypatch):
    numbers = [float(v) for v in range(-50, 101, 7)] + [0.1, 0.2, 0.3, 1e-300, 123456.789, -0.0]
    cells, targets = _book(numbers, 3)

    def per_row(name, row):
        raise AssertionError("the column path should have taken every row")

    monkeypatch.setattr(vectorised, "_row_aggregate", per_row)
    fast, problems = Workbook.from_cells({"S": cells}).recalculate(targets)
    monkeypatch.undo()
    assert problems == []
    _, slow = _both(cells, targets)
    assert fast == slow
    # left to right from 0.0, as Excel adds a row: worked out here with Python's floats
    for r in range(1, 151):
        expected = 0.0
        for c in "BCDE":
            expected += cells[f"{c}{r}"]
        assert fast[("S", f"G{r}")] == expected


def test_rounding_of_the_order_of_addition_is_kept():
    # 0.1 + 0.2 + 0.3 left to right is 0.6000000000000001; in another order it is 0.6
    cells = {}
    for r in range(1, 11):
        cells.update({f"B{r}": 0.1, f"C{r}": 0.2, f"D{r}": 0.3, f"E{r}": 0.0})
        cells[f"G{r}"] = f"=SUM(B{r}:E{r})"
    values, _ = Workbook.from_cells({"S": cells}).recalculate([("S", "G1"), ("S", "G10")])
    assert values[("S", "G1")] == 0.6000000000000001
    assert values[("S", "G10")] == 0.6000000000000001


@pytest.mark.parametrize("seed", [5, 11, 17])
def test_messy_inputs_are_left_to_the_row_by_row_path(seed):
    pool = [None, "", "12", "text", True, False, "=NA()", 0.0, -5.0, 1e308, 2.5]
    cells, targets = _book(pool, seed)
    fast, slow = _both(cells, targets)
    assert fast == slow


def test_overflow_and_an_error_by_hand():
    # 1E308 + 1E308 overflows: #NUM!; an #N/A in the row is the row's result; text skipped
    cells = {"B1": 1e308, "C1": 1e308, "D1": 1.0, "E1": 1.0}
    cells.update({"B2": 1.0, "C2": "=NA()", "D2": 2.0, "E2": 3.0})
    cells.update({"B3": 1.0, "C3": "x", "D3": 2.0, "E3": True})
    for r in (1, 2, 3):
        cells[f"G{r}"] = f"=SUM(B{r}:E{r})"
    values, _ = Workbook.from_cells({"S": cells}).recalculate([("S", f"G{r}") for r in (1, 2, 3)])
    assert values[("S", "G1")] == XlError("#NUM!")
    assert values[("S", "G2")] == XlError("#N/A")
    assert values[("S", "G3")] == 3.0
