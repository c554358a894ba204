"""Planning: which blocks to compute, in what order, and which cannot be (cycles).

From the blocks asked for, :func:`plan` follows the dependency graph
(:func:`crm_xl.calc.blocks.block_deps`), optionally adds every block that depends on them
(:func:`with_dependents`, for a recalculation), and orders what it reaches dependencies
first (:func:`tarjan`, iterative: chains of 100,000 cells). A cycle that only exists
because a run of cells was grouped into one block (a running total down a column) goes
away when the run is split into single cells (:func:`split`); a real cycle becomes a
:class:`~crm_xl.calc.problems.CircularReference` on each of its blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_xl.calc.blocks import block_deps
from crm_xl.calc.model import Block, SheetData
from crm_xl.calc.problems import CircularReference


def plan(sheets: list[SheetData], blocks: list[Block], dependents: bool) -> list[Block]:
    """The blocks to compute, dependencies first: ``blocks``, (their dependents,) and
    everything they need. Cycles become problems; runs of cells that only look cyclic
    because they were grouped are split into single cells."""
    while True:
        start = list(blocks)
        if dependents:
            start = with_dependents(sheets, start)
        order, cyclic = tarjan(start, block_deps)
        splittable = [b for comp in cyclic for b in comp if b.r0 != b.r1 and b.out[0] != b.out[2]]
        if not splittable:
            break
        for b in splittable:
            split(sheets, b)
        blocks = [p for b in blocks for p in (b.split or [b])]
    for comp in cyclic:
        cells = [b.where() for b in comp]
        for b in comp:
            b.problem = b.problem or CircularReference(
                [b.where()] + [c for c in cells if c != b.where()]
            )
            b.marker.failed = b.problem
    return order


def with_dependents(sheets: list[SheetData], blocks: list[Block]) -> list[Block]:
    """``blocks`` and every block that depends on them, directly or not."""
    rdeps: dict[int, list[Block]] = {}
    for sheet in sheets:
        for b in sheet.blocks:
            if b.split is not None:
                continue
            for d in block_deps(b):
                rdeps.setdefault(id(d), []).append(b)
    seen = {id(b): b for b in blocks}
    stack = list(blocks)
    while stack:
        b = stack.pop()
        for d in rdeps.get(id(b), ()):
            if id(d) not in seen:
                seen[id(d)] = d
                stack.append(d)
    return list(seen.values())


def split(sheets: list[SheetData], block: Block) -> None:
    """Turn a run of cells into single-cell blocks (precise dependencies)."""
    sheet = block.sheet
    parts = []
    for row in range(block.r0, block.r1 + 1):
        p = Block(sheet, block.col, row, row, block.key, block.anchor_kind)
        p.code, p.node, p.spans, p.problem = block.code, block.node, block.spans, block.problem
        p.marker.failed = block.marker.failed
        if sheet.cells.get((row, block.col)) is block.marker:
            sheet.cells[(row, block.col)] = p.marker
        parts.append(p)
    block.split = parts
    sheet.blocks.extend(parts)
    for s in sheets:
        for b in s.blocks:
            if b.deps is not None and any(d is block for d in b.deps):
                b.deps = None


def tarjan(
    roots: list[Block], deps: Callable[[Block], list[Block]]
) -> tuple[list[Block], list[list[Block]]]:
    """Blocks reachable from ``roots`` in dependency order (iterative Tarjan), and the
    strongly connected components that are cycles."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[Block] = []
    order: list[Block] = []
    cycles: list[list[Block]] = []
    counter = 0
    for root in roots:
        if id(root) in index:
            continue
        work = [(root, iter(deps(root)))]
        index[id(root)] = low[id(root)] = counter
        counter += 1
        stack.append(root)
        on_stack.add(id(root))
        while work:
            node, it = work[-1]
            advanced = False
            for d in it:
                if id(d) not in index:
                    index[id(d)] = low[id(d)] = counter
                    counter += 1
                    stack.append(d)
                    on_stack.add(id(d))
                    work.append((d, iter(deps(d))))
                    advanced = True
                    break
                if id(d) in on_stack:
                    low[id(node)] = min(low[id(node)], index[id(d)])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[id(node)])
            if low[id(node)] == index[id(node)]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(id(x))
                    comp.append(x)
                    if x is node:
                        break
                order.extend(comp)
                if len(comp) > 1 or any(d is node for d in deps(node)):
                    cycles.append(comp)
    return order, cycles
