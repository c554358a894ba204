"""The cells of a shared formula are joined to their master's block in one go
(crm_xl.calc.blocks.build_sheet_blocks): the same blocks, and the same values, as joining
them one by one, with gaps, another shared formula in the middle of the column and a
second column reading the first."""

from __future__ import annotations

import pytest

from crm_xl.calc import blocks
from crm_xl.calc.evaluator import Workbook
from crm_xl.xlsx import Package
from tests.calc.test_row_shapes import HEAD, TAIL, book


def _sheet() -> str:
    rows = []
    for r in range(2, 401):
        cells = [f'<c r="B{r}"><v>{r}</v></c>']
        if r == 2:
            cells.append('<c r="F2"><f t="shared" ref="F2:F400" si="0">B2+1</f><v>0</v></c>')
        elif r == 25:
            cells.append('<c r="F25"><f t="shared" ref="F25" si="1">B25*2</f><v>0</v></c>')
        elif r != 20:  # F20 has no cell: a gap in the shared formula
            cells.append(f'<c r="F{r}"><f t="shared" si="0"/><v>0</v></c>')
        if r == 2:
            cells.append('<c r="G2"><f t="shared" ref="G2:G400" si="2">F2*2</f><v>0</v></c>')
        else:
            cells.append(f'<c r="G{r}"><f t="shared" si="2"/><v>0</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return HEAD + "".join(rows) + TAIL


def _blocks_and_values(data: bytes) -> tuple[list, dict]:
    wb = Workbook.from_package(Package.from_bytes(data))
    wb.recalculate_blocks(wb.formula_blocks())
    sheet = wb.sheets[0]
    shape = sorted((b.col, b.r0, b.r1, b.key) for b in sheet.blocks)
    values = {}
    for b in sheet.blocks:
        keys, vals = wb.block_results(b)
        values.update(zip(keys, vals, strict=True))
    return shape, values


@pytest.mark.parametrize("shapes", [True, False])
def test_shared_cells_joined_at_once_as_one_by_one(shapes, monkeypatch):
    from crm_xl.calc import reader

    monkeypatch.setattr(reader, "SHAPES_MIN_CHARS", 0 if shapes else 1 << 62)
    data = book(_sheet())
    fast_blocks, fast = _blocks_and_values(data)
    with monkeypatch.context() as m:
        m.setattr(blocks, "_SI", lambda info: object())  # never the run's si: one by one
        slow_blocks, slow = _blocks_and_values(data)
    assert fast_blocks == slow_blocks
    assert fast == slow
    # by hand: F2:F19 and F21:F24 (the gap), F25 its own formula, F26:F400 (si 0 again)
    f_runs = [(r0, r1) for col, r0, r1, _ in fast_blocks if col == 6]
    assert f_runs == [(2, 19), (21, 24), (25, 25), (26, 400)]
    assert [(r0, r1) for col, r0, r1, _ in fast_blocks if col == 7] == [(2, 400)]
    assert fast[(3, 6)] == 4.0 and fast[(25, 6)] == 50.0  # F3 = B3+1, F25 = B25*2
    assert fast[(400, 6)] == 401.0 and fast[(400, 7)] == 802.0
    assert fast[(20, 7)] == 0.0  # F20 is blank: G20 = 0 * 2
