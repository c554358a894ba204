"""Blocks: grouping a sheet's formula cells into the units the engine computes.

A block (:class:`~crm_xl.calc.model.Block`) is one formula cell, an array formula's anchor
with its range, or a run of cells down a column with the same formula in R1C1 form — a
shared formula, or one text filled down (:mod:`crm_xl.calc.runs`). Each block's formula
is compiled once (:func:`compile_text`, cached by its R1C1 form) and given its fast path
(:mod:`crm_xl.calc.vectorised`); its cells hold its :class:`~crm_xl.calc.model.Pending`
marker until it is computed. Each sheet's blocks are indexed by column
(:func:`index_sheet`) so that the blocks a range covers are found by bisection
(:func:`blocks_in`), which gives each block's dependencies (:func:`block_deps`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
from collections.abc import Callable, Iterator
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.compiler import Compiler
from crm_xl.calc.model import Block, CellModel, Ctx, FormulaInfo, Pending, SheetData
from crm_xl.calc.problems import FormulaParseError, UnsupportedFunction
from crm_xl.calc.runs import fits, fits_previous, template
from crm_xl.calc.structured_refs import table_zone
from crm_xl.calc.values import EMPTY, Unsupported
from crm_xl.calc.vectorised import vectoriser
from crm_xl.xlsx.coordinates import cell_name, parse_range


def build_sheet_blocks(book: CellModel, sheet: SheetData, compiled: dict[Any, Any]) -> None:
    """Group the sheet's formula cells into blocks: runs down a column of one formula
    (shared, or the same in R1C1 form), and single cells. ``compiled`` caches the book's
    compiled formulas (:func:`compile_text`)."""
    by_col: dict[int, list[int]] = {}
    for row, col in sheet.formulas:
        by_col.setdefault(col, []).append(row)
    formulas, cells = sheet.formulas, sheet.cells
    for col in sorted(by_col):
        rows = by_col[col]
        rows.sort()
        infos = list(map(formulas.__getitem__, zip(rows, itertools.repeat(col))))
        # fit[i]: formula i is formula i-1 one row down (one look at the whole column)
        fit = fits_previous([info.own_text for info in infos], rows)
        if book.tables:
            keep_runs_in_table_zones(book, sheet, col, rows, infos, fit)
        run: Block | None = None
        shape: Any = None  # the run's template
        si: str | None = None
        last = -2
        chained = False  # the run's last row has the run's formula text (fit[] applies)
        # kinds that may continue a run everywhere: a run of fits is taken in one step
        plain = {info.kind for info in infos} <= {"normal", "shared"}
        n, i = len(rows), 0
        while i < n:
            row, info = rows[i], infos[i]
            i += 1
            kind = info.kind
            if run is not None and row == last + 1 and kind in ("normal", "shared"):
                text = info.own_text
                if si is not None and info.si == si:
                    join, chained = True, False
                elif (
                    shape is not None
                    and text is not None
                    and (fit[i - 1] if chained else fits(shape, text, row))
                ):
                    join = chained = True
                else:
                    join = False
                if join:
                    cells[(row, col)] = run.marker
                    last = row
                    continue
            if run is not None:
                run.r1 = last
                run.out = (run.r0, col, last, col)
                run = None
            block = Block(sheet, col, row, row, None, kind)
            setup_block(book, block, info, row, col, compiled)
            if kind in ("normal", "shared"):
                run, last, si = block, row, info.si
                shape = template(info.own_text, row) if info.own_text is not None else None
                chained = shape is not None
                if chained and plain and i < n and fit[i]:
                    # the rows below that fit join the run: markers in one go
                    try:
                        stop = fit.index(False, i)
                    except ValueError:
                        stop = n
                    below = zip(rows[i:stop], itertools.repeat(col))
                    cells.update(zip(below, itertools.repeat(block.marker)))
                    last, i = rows[stop - 1], stop
                elif si is not None and plain and i < n:
                    # the cells of a shared formula below its master: joined in one go (as
                    # the loop would one by one) while they are the next rows with its si
                    same = functools.partial(operator.eq, si)
                    k = sum(1 for _ in itertools.takewhile(same, map(_SI, infos[i:])))
                    if k and rows[i + k - 1] - row == k:
                        below = zip(rows[i : i + k], itertools.repeat(col))
                        cells.update(zip(below, itertools.repeat(block.marker)))
                        last, i, chained = rows[i + k - 1], i + k, False
        if run is not None:
            run.r1 = last
            run.out = (run.r0, col, last, col)
    for block in sheet.blocks:
        if block.problem is not None:
            if block.r1 > block.r0:  # one problem for the whole run of cells
                block.problem.where = f"{block.where()}:{cell_name(block.r1, block.col)}"
            block.marker.failed = block.problem


_SI = operator.attrgetter("si")


def keep_runs_in_table_zones(
    book: CellModel,
    sheet: SheetData,
    col: int,
    rows: list[int],
    infos: list[FormulaInfo],
    fit: list[bool],
) -> None:
    """A table reference reads the same one row down only while the row stays where it
    was with respect to every table it can mean (above, in the header, in the data,
    in the totals, below: ``[@Q2]`` is #VALUE! outside the data, ``[Q2]`` without a
    table name means the table the cell is in): ``fit`` is cleared where it does not."""
    tables = list(book.tables.values())
    for i in range(1, len(rows)):
        text = infos[i].own_text
        if fit[i] and text is not None and "[" in text:
            fit[i] = all(
                table_zone(t, sheet, rows[i - 1], col) == table_zone(t, sheet, rows[i], col)
                for t in tables
            )


def setup_block(
    book: CellModel,
    block: Block,
    info: FormulaInfo,
    row: int,
    col: int,
    compiled: dict[Any, Any],
) -> None:
    """A new block of ``info``'s formula in (row, col): compiled (or given its problem),
    with its fast path, and its marker in every cell it fills."""
    sheet = block.sheet
    sheet.blocks.append(block)
    addr = cell_name(row, col)
    where = f"{sheet.name}!{addr}"
    arr = block.anchor_kind in ("array", "dynamic")
    block.key = ("si", info.si) if info.si is not None else ("cell", None)
    if block.anchor_kind == "dataTable":
        block.problem = UnsupportedFunction(
            "TABLE", where, "a what-if data table ({=TABLE()}) is not supported"
        )
    else:
        text = info.text_at(addr)
        try:
            node, code, spans = compile_text(book, sheet, text, row, col, arr, compiled)
        except fx.FormulaError as err:
            block.node = getattr(err, "node", None)
            shown = text if len(text) <= 80 else text[:77] + "..."
            block.problem = FormulaParseError(where, f"cannot parse formula ={shown}: {err}")
        except Unsupported as err:
            block.node = getattr(err, "node", None)
            block.problem = UnsupportedFunction(err.name or "?", where, err.reason)
        except RecursionError:  # defined names and formulas nested within the limits, yet too deep
            block.problem = FormulaParseError(
                where,
                "the formula (with the defined names it uses) is nested too deeply to evaluate",
            )
        else:
            block.node, block.code, block.spans = node, code, spans
            if not arr:
                block.vector = vectoriser(book, sheet, node)
    if arr and info.ref:
        block.out = parse_range(info.ref) or (row, col, row, col)
        sheet.max_row = max(sheet.max_row, block.out[2])  # the cells it fills are used
        sheet.max_col = max(sheet.max_col, block.out[3])
    cells, stored = sheet.cells, sheet.stored
    for r, c in block.cells():
        if (r, c) != (row, col):
            sheet.owner[(r, c)] = (row, col)
            # what the file stores there (the array's last result): kept for recalc
            old = cells.get((r, c), EMPTY)
            stored[(r, c)] = EMPTY if old.__class__ is Pending else old
        cells[(r, c)] = block.marker


def compile_text(
    book: CellModel,
    sheet: SheetData,
    text: str,
    row: int,
    col: int,
    arr: bool,
    compiled: dict[Any, Any],
) -> tuple[fx.Node, Callable[[Ctx], Any], list[Any]]:
    """Compile a formula: its tree, its code and the ranges it reads (cached in
    ``compiled`` by its R1C1 form)."""
    key, count = fx.relative_key(text, (row, col)) if "[" not in text else (None, -2)
    cache_key = (sheet.index, arr, key)
    if key is not None and cache_key in compiled:
        return compiled[cache_key]
    node, corners = fx.parse_counted(text, (row, col))
    comp = Compiler(book, sheet, (row, col))
    try:
        code = comp.top(node, arr)
    except (Unsupported, fx.FormulaError) as err:
        err.node = node  # type: ignore[attr-defined]  # cells_using still sees the calls
        raise
    result = (node, code, comp.spans)
    if key is not None and corners == count:
        compiled[cache_key] = result
    return result


def index_sheet(sheet: SheetData) -> None:
    """Index the sheet's blocks by the columns they fill, sorted by row (for bisection)."""
    cols: dict[int, list[Block]] = {}
    for block in sheet.blocks:
        if block.split is not None:
            continue
        _, c1, _, c2 = block.out
        for c in range(c1, c2 + 1):
            cols.setdefault(c, []).append(block)
    sheet.col_index = {}
    for c, blocks in cols.items():
        blocks.sort(key=lambda b: b.out[0])
        sheet.col_index[c] = ([b.out[0] for b in blocks], [b.out[2] for b in blocks], blocks)
    sheet.index_cols = sorted(sheet.col_index)


def block_at(sheet: SheetData, row: int, col: int) -> Block | None:
    """The block that fills cell (row, col), or None for a constant or empty cell."""
    v = sheet.cells.get((row, col))
    if v.__class__ is Pending:
        return v.block
    if (row, col) not in sheet.formulas and (row, col) not in sheet.owner:
        return None
    for b in blocks_in(sheet, row, col, row, col):
        return b
    return None


def blocks_in(
    sheet: SheetData, r1: int | None, c1: int | None, r2: int | None, c2: int | None
) -> Iterator[Block]:
    """The blocks that fill cells of a range (None: the whole rows or columns)."""
    cols = sheet.index_cols
    lo = 0 if c1 is None else bisect.bisect_left(cols, c1)
    hi = len(cols) if c2 is None else bisect.bisect_right(cols, c2)
    for c in cols[lo:hi]:
        starts, ends, blocks = sheet.col_index[c]
        i = 0 if r1 is None else bisect.bisect_left(ends, r1)
        j = len(blocks) if r2 is None else bisect.bisect_right(starts, r2)
        for b in blocks[i:j]:
            if b.split is not None:  # one part per row, in order: the rows asked for
                lo = 0 if r1 is None else max(r1 - b.r0, 0)
                hi = len(b.split) if r2 is None else min(r2 - b.r0 + 1, len(b.split))
                yield from b.split[lo:hi]
            else:
                yield b


def block_deps(block: Block) -> list[Block]:
    """The blocks filling the cells a block reads, from any of its rows (cached)."""
    if block.deps is not None:
        return block.deps
    seen: dict[int, Block] = {}
    for target, refs in block.spans:
        box = None
        for ref in refs:
            for row in (block.r0, block.r1):
                b = ref.bounds(row, block.col)
                box = b if box is None else _union(box, b)
        if box is None:
            continue
        for dep in blocks_in(target, *box):
            seen[id(dep)] = dep
    block.deps = list(seen.values())
    return block.deps


def _union(a: tuple, b: tuple) -> tuple:
    def lo(x: int | None, y: int | None) -> int | None:
        return None if x is None or y is None else min(x, y)

    def hi(x: int | None, y: int | None) -> int | None:
        return None if x is None or y is None else max(x, y)

    return lo(a[0], b[0]), lo(a[1], b[1]), hi(a[2], b[2]), hi(a[3], b[3])
