"""The fast path: a run of cells with one formula computed in one go, not cell by cell.

Two shapes of formula down a column are computed for the whole run (a block) at once:

* ``=SUM(B{r}:E{r})`` and the other row aggregates (:data:`ROW_AGGREGATES`): every row's
  result from one read of the block's rows;
* a row-wise custom function (``CustomFunction.row_wise``, ``=CRM_SCORE(B{r}:E{r},$H$1:$K$1)``):
  called once with the block's rows as its first argument, the other arguments being the
  same for every row, one result per row back;
* arithmetic of numbers and single cells (``=B{r}*0.4+C{r}*0.3``): whole columns at a time
  (:mod:`crm_xl.calc.vectorised_arith`).

:func:`vectoriser` gives the function that does it, or None for any other formula. A
result it cannot vouch for leaves the block to be computed cell by cell, which is always
right; the tests compare both ways.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from crm_xl.calc import parser as fx
from crm_xl.calc.compiler import Compiler
from crm_xl.calc.custom_calls import fetch, from_py, to_xlwings
from crm_xl.calc.model import Block, CellModel, Ctx, SheetData
from crm_xl.calc.operators import final
from crm_xl.calc.values import EMPTY, Range, Unsupported, XlError, error
from crm_xl.calc.vectorised_arith import arithmetic, arithmetic_vectoriser
from crm_xl.xlsx.coordinates import MAX_COL, MAX_ROW

_isfinite = math.isfinite


def _row_aggregate(name: str, row: list[Any]) -> Any:
    """SUM, AVERAGE, MIN, MAX, COUNT or COUNTA of one row of a range (Excel's rules for
    ranges: numbers count, text and booleans are skipped, the first error wins)."""
    if name == "COUNTA":
        return float(sum(1 for v in row if v is not EMPTY))
    nums = []
    for v in row:
        cls = v.__class__
        if cls is float:
            nums.append(v)
        elif cls is XlError and name != "COUNT":
            return v
    if name == "SUM":
        total = 0.0
        for x in nums:
            total += x
        return total if math.isfinite(total) else error("#NUM!")
    if name == "COUNT":
        return float(len(nums))
    if not nums:
        return error("#DIV/0!") if name == "AVERAGE" else 0.0
    if name == "AVERAGE":
        return sum(nums) / len(nums)
    return min(nums) if name == "MIN" else max(nums)


def _sum_numbers(rng: Range, block: Block) -> bool:
    """The common case of ``=SUM(B{r}:E{r})`` down a column, on whole columns: every cell
    of the range a number (no empty cell, text, boolean, error or formula not yet
    computed), every cell of the block still to compute, every sum finite. Each row is
    summed left to right from 0.0 as :func:`_row_aggregate` does (numpy's ``+`` on float64
    rounds as Python's), so the results are the same floats; False, nothing written,
    otherwise (the row-by-row path then runs)."""
    cells = rng.sheet.cells
    n = rng.r2 - rng.r1 + 1
    out = block.sheet.cells
    keys = list(zip(range(block.r0, block.r0 + n), itertools.repeat(block.col, n), strict=True))
    if list(map(out.get, keys)).count(block.marker) != n:
        return False
    total = np.zeros(n)
    for c in range(rng.c1, rng.c2 + 1):
        column = list(
            map(cells.get, zip(range(rng.r1, rng.r2 + 1), itertools.repeat(c, n), strict=True))
        )
        if set(map(type, column)) != {float}:
            return False
        total += np.array(column, dtype=np.float64)
    if not np.all(np.isfinite(total)):
        return False
    out.update(zip(keys, total.tolist(), strict=True))
    return True


ROW_AGGREGATES = {"SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA"}


def _aggregate_vectoriser(
    book: CellModel, sheet: SheetData, node: fx.Func
) -> Callable[[Block], bool] | None:
    """``=SUM(B{r}:E{r})`` down a column: each row's sum from one read of the block."""
    if len(node.args) != 1:
        return None
    ref = node.args[0]
    if not (
        isinstance(ref, fx.Ref)
        and ref.r1 is not None
        and ref.r1 == ref.r2
        and not ref.abs[0]
        and not ref.abs[2]
        and ref.c1 is not None
    ):
        return None
    target = sheet if ref.sheet is None else book.sheet_named(ref.sheet)
    if target is None:
        return None
    name = node.name

    def run(block: Block) -> bool:
        r1, c1, _, c2 = ref.bounds(block.r0, block.col)
        assert r1 is not None and c1 is not None and c2 is not None
        n = block.r1 - block.r0 + 1
        if r1 < 1 or r1 + n - 1 > MAX_ROW or c1 < 1 or c2 > MAX_COL:
            return False
        rng = Range(target, r1, c1, r1 + n - 1, c2)
        cells, col, marker = block.sheet.cells, block.col, block.marker
        if name == "SUM" and _sum_numbers(rng, block):
            return True
        rows = fetch(rng)
        for i, row in enumerate(rows):
            key = (block.r0 + i, col)
            if cells.get(key) is marker:
                cells[key] = _row_aggregate(name, row)
        return True

    return run


def _row_fixed(node: fx.Node, book: CellModel, sheet: SheetData, depth: int = 0) -> bool:
    """True when the expression reads the same cells from every row (no relative rows)."""
    for n in fx.walk(node):
        if isinstance(n, fx.Ref):
            if (n.r1 is not None and not n.abs[0]) or (n.r2 is not None and not n.abs[2]):
                return False
        elif isinstance(n, fx.Name):
            if depth > 5:
                return False
            target = book.sheet_named(n.sheet) if n.sheet else sheet
            try:
                sub = book.name_node(n.name, target or sheet)
            except fx.FormulaError:
                return False
            if sub is not None and not _row_fixed(sub, book, sheet, depth + 1):
                return False
        elif isinstance(n, fx.Func) and n.name in ("ROW", "ROWS", "SINGLE"):
            return False
    return True


def _row_cell(node: fx.Node) -> bool:
    """A reference to cells of one row, relative in its row (``B4``, ``B4:E4``)."""
    return (
        isinstance(node, fx.Ref)
        and node.r1 is not None
        and node.r1 == node.r2
        and not node.abs[0]
        and not node.abs[2]
    )


def vectoriser(book: CellModel, sheet: SheetData, node: fx.Node) -> Callable[[Block], bool] | None:
    """A function computing a whole run of cells in one go, or None when the formula is not
    one of the shapes handled (then cells are computed one by one)."""
    if isinstance(node, fx.Func) and node.name in ROW_AGGREGATES:
        return _aggregate_vectoriser(book, sheet, node)
    if arithmetic(node):
        return arithmetic_vectoriser(book, sheet, node)
    if not isinstance(node, fx.Func) or not node.args:
        return None
    info = book.functions.get(node.name)
    if info is None or not info.row_wise:
        return None
    if info.row_wise_with:
        given = {
            p.name
            for p, a in zip(info.params, node.args, strict=False)
            if not isinstance(a, fx.Missing)
        }
        if info.row_wise_with not in given:
            return None
    first = node.args[0]
    if not _row_cell(first):
        return None
    # the other arguments read the same cells from every row, or are a cell of the row
    # (``=CRM_RFM_ROW(G4,F4,E4,$G$4:$G$203,…)``): these are passed as columns too
    per_row = [
        _row_cell(a) and a.r1 == first.r1 and p.as_range
        for a, p in zip(node.args[1:], info.params[1:], strict=False)
    ]
    if len(per_row) < len(node.args) - 1 or not info.params[0].as_range:
        return None  # more arguments than parameters: the cell says so, one by one
    if not all(
        row or _row_fixed(a, book, sheet) for a, row in zip(node.args[1:], per_row, strict=True)
    ):
        return None
    targets = [
        sheet if a.sheet is None else book.sheet_named(a.sheet)
        for a, row in zip(node.args, [True, *per_row], strict=True)
        if row
    ]
    if any(t is None for t in targets):
        return None
    target = targets[0]
    rest = fx.Func(node.name, node.args[1:])
    comp = Compiler(book, sheet)
    try:
        rest_args = [
            None if row else comp.expr(a, False) for a, row in zip(rest.args, per_row, strict=True)
        ]
    except (Unsupported, fx.FormulaError):
        return None
    params, impl = info.params, info.call

    def run(block: Block) -> bool:
        ctx = Ctx(book, sheet, block.r0, block.col)
        r1, c1, _, c2 = first.bounds(block.r0, block.col)
        assert r1 is not None and c1 is not None and c2 is not None
        n = block.r1 - block.r0 + 1
        values = [to_xlwings(Range(target, r1, c1, r1 + n - 1, c2), True, book)]
        for f, p, a in zip(rest_args, params[1:], rest.args, strict=False):
            if isinstance(a, fx.Missing):
                values.append(p.default)
            elif f is None:  # a cell of the row: the column of them
                assert isinstance(a, fx.Ref)
                ra, ca, _, cb = a.bounds(block.r0, block.col)
                assert ra is not None and ca is not None and cb is not None
                at = sheet if a.sheet is None else book.sheet_named(a.sheet)
                values.append(to_xlwings(Range(at, ra, ca, ra + n - 1, cb), True, book))
            else:
                values.append(to_xlwings(f(ctx), p.as_range, book))
        result = impl(*values)
        if not (
            isinstance(result, list)
            and len(result) == n
            and all(isinstance(r, list) and len(r) == 1 for r in result)
        ):
            return False
        cells, marker, r0, col = block.sheet.cells, block.marker, block.r0, block.col
        keys = list(zip(range(r0, r0 + n), itertools.repeat(col, n), strict=True))
        flat = list(map(operator.itemgetter(0), result))
        if (
            list(map(cells.get, keys)).count(marker) == n
            and set(map(type, flat)) == {float}
            and all(map(_isfinite, flat))
        ):
            cells.update(zip(keys, flat, strict=True))  # finite floats are their own values
            return True
        for key, x in zip(keys, flat, strict=True):
            if cells.get(key) is marker:
                cells[key] = x if x.__class__ is float and _isfinite(x) else final(from_py(x))
        return True

    return run
