"""Arithmetic down a column computed on whole columns (crm_xl.calc.vectorised_arith) gives
exactly what each cell's formula gives alone, and leaves to the cell-by-cell path every run
it cannot vouch for (blanks, text, booleans, errors, division by zero, overflow)."""

from __future__ import annotations

import random

import pytest

from crm_xl.calc.evaluator import Workbook, XlError

TEMPLATES = [
    "=B{r}*0.4+C{r}*0.3+D{r}*0.2+E{r}*0.1",
    "=(B{r}-C{r})/D{r}",
    "=-B{r}+$H$1*C{r}%",
    "=B{r}/$H$2",  # $H$2 is 0: #DIV/0! in every row
    "=B{r}*1E+300*C{r}",  # overflow: #NUM!
    "=+B{r}-(-C{r})",
    "=$H$1*2",  # no reference relative to the row
    "=B{n}-B{r}",  # the next row
]


def _book(pool: list, seed: int, template: str) -> tuple[dict, list]:
    rnd = random.Random(seed)
    cells: dict = {"H1": 40.0, "H2": 0.0}
    for r in range(1, 152):
        for c in "BCDE":
            v = rnd.choice(pool)
            if v is not None:
                cells[f"{c}{r}"] = v
    for r in range(1, 151):
        cells[f"G{r}"] = template.format(r=r, n=r + 1)
    return cells, [("S", f"G{r}") for r in range(1, 151)]


def _both(cells: dict, targets: list) -> tuple[dict, dict, bool]:
    fast_book = Workbook.from_cells({"S": cells})
    fast, problems = fast_book.recalculate(targets)
    assert problems == []
    block = fast_book.sheet("S").blocks[-1]
    vectorised = block.vector is not None and block.r1 - block.r0 >= 100
    slow_book = Workbook.from_cells({"S": cells})
    slow_book.build_blocks()
    for b in slow_book.sheet("S").blocks:
        b.vector = None  # cell by cell
    slow, _ = slow_book.recalculate(targets)
    return fast, slow, vectorised


@pytest.mark.parametrize("template", TEMPLATES)
def test_numbers_only_in_one_go_equal_cell_by_cell(template):
    numbers = [float(v) for v in range(-50, 101, 7)] + [0.1, 0.2, 1e-300, 123456.789]
    cells, targets = _book(numbers, 3, template)
    fast, slow, vectorised = _both(cells, targets)
    assert vectorised  # the run is one block with a fast path
    assert fast == slow
    assert all(v.__class__ in (float, XlError) for v in fast.values())


@pytest.mark.parametrize("template", TEMPLATES)
def test_messy_inputs_are_left_to_the_cell_by_cell_path(template):
    pool = [None, "", "12", "text", True, False, "=NA()", 0.0, -5.0, 1e308, 2.5]
    cells, targets = _book(pool, 11, template)
    fast, slow, _ = _both(cells, targets)
    assert fast == slow


def test_the_weighted_score_worked_by_hand():
    # 0.4*80 + 0.3*60 + 0.2*50 + 0.1*100 = 32 + 18 + 10 + 10 = 70; 0.4*10 + 0.3*20 + 0 + 0.1*5
    # = 4 + 6 + 0.5 = 10.5; a blank E4 is 0 in Excel: 0.4*1 + 0.3*1 + 0.2*1 = 0.9
    cells = {"B2": 80.0, "C2": 60.0, "D2": 50.0, "E2": 100.0}
    cells.update({"B3": 10.0, "C3": 20.0, "D3": 0.0, "E3": 5.0})
    cells.update({"B4": 1.0, "C4": 1.0, "D4": 1.0})
    for r in (2, 3, 4):
        cells[f"F{r}"] = f"=B{r}*0.4+C{r}*0.3+D{r}*0.2+E{r}*0.1"
    values, problems = Workbook.from_cells({"S": cells}).recalculate(
        [("S", f"F{r}") for r in (2, 3, 4)]
    )
    assert problems == []
    assert values[("S", "F2")] == pytest.approx(70.0)
    assert values[("S", "F3")] == pytest.approx(10.5)
    assert values[("S", "F4")] == pytest.approx(0.9)
    assert values[("S", "F2")] == 80.0 * 0.4 + 60.0 * 0.3 + 50.0 * 0.2 + 100.0 * 0.1
