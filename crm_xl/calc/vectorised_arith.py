"""The fast path for arithmetic down a column: ``=B2*0.4+C2*0.3+D2*0.2+E2*0.1`` in one go.

A run of cells whose formula is only ``+ - * /``, prefix ``-``/``+``, postfix ``%``, numbers
and references to single cells (each relative to the row, like ``B2``, or fixed, like
``$H$1``) is computed on whole columns with numpy: every row's operands are read from the
cell model once per reference, and each operator is one array operation.

It vouches only for the common case, where Excel's rules for numbers are IEEE arithmetic:
every operand of every row is a number (not empty, text, a boolean or an error) and no step
gives an infinity, a NaN or a division by zero. numpy's ``+ - * /`` on float64 round exactly
as Python's operators do, so the results are the same floats the cell-by-cell path gives.
Anything else — one empty cell, one text, one zero divisor in the run — and the function
says so (returns False), and the block is computed cell by cell, which is always right.

Example::

    >>> from crm_xl.calc import parser as fx
    >>> arithmetic(fx.parse("=B2*0.5+$C$1", (2, 1)))
    True
    >>> arithmetic(fx.parse("=B2^2", (2, 1))), arithmetic(fx.parse("=SUM(B2:C2)*2", (2, 1)))
    (False, False)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from crm_xl.calc import parser as fx
from crm_xl.calc.model import Block, CellModel, SheetData
from crm_xl.calc.values import EMPTY
from crm_xl.xlsx.coordinates import MAX_COL, MAX_ROW

__all__ = ["arithmetic", "arithmetic_vectoriser"]

_OPS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
MAX_NODES = 64  # a longer expression is left to the cell-by-cell path


class _NotVouched(Exception):
    """The run has an operand or a step the fast path does not vouch for."""


def _single_cell(node: fx.Ref) -> bool:
    a1, b1, a2, b2 = node.abs
    return (
        node.r1 is not None
        and node.c1 is not None
        and node.r1 == node.r2
        and node.c1 == node.c2
        and a1 == a2
        and b1 == b2
    )


def arithmetic(node: fx.Node) -> bool:
    """Whether ``node`` is arithmetic the fast path computes: ``+ - * /``, prefix signs,
    ``%``, numbers and single-cell references, at most :data:`MAX_NODES` of them."""
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        count += 1
        if count > MAX_NODES:
            return False
        if isinstance(n, fx.Number):
            continue
        if isinstance(n, fx.Ref):
            if not _single_cell(n):
                return False
        elif isinstance(n, fx.Binary) and n.op in _OPS:
            stack += (n.left, n.right)
        elif (isinstance(n, fx.Unary) and n.op in "+-") or isinstance(n, fx.Percent):
            stack.append(n.operand)
        else:
            return False
    return True


def _finite(x: Any) -> Any:
    if not np.all(np.isfinite(x)):
        raise _NotVouched
    return x


def arithmetic_vectoriser(
    book: CellModel, sheet: SheetData, node: fx.Node
) -> Callable[[Block], bool] | None:
    """A function computing a run of ``node`` (see :func:`arithmetic`) for a whole block, or
    None when ``node`` is not such arithmetic or reads another sheet that does not exist."""
    if not arithmetic(node):
        return None
    for n in fx.walk(node):
        if isinstance(n, fx.Ref) and n.sheet is not None and book.sheet_named(n.sheet) is None:
            return None

    def column(ref: fx.Ref, block: Block, n: int) -> Any:
        target = sheet if ref.sheet is None else book.sheet_named(ref.sheet)
        assert target is not None
        r, c, _, _ = ref.bounds(block.r0, block.col)
        assert r is not None and c is not None
        fixed = ref.abs[0]
        last = r if fixed else r + n - 1
        if r < 1 or c < 1 or last > MAX_ROW or c > MAX_COL:
            raise _NotVouched  # #REF! somewhere in the run
        cells = target.cells
        if fixed:
            v = cells.get((r, c), EMPTY)
            if v.__class__ is not float:
                raise _NotVouched
            return v
        keys = zip(range(r, last + 1), itertools.repeat(c, n), strict=True)
        values = list(map(cells.get, keys, itertools.repeat(EMPTY)))
        if set(map(type, values)) != {float}:
            raise _NotVouched
        return np.array(values, dtype=np.float64)

    def ev(n: fx.Node, block: Block, rows: int) -> Any:
        if isinstance(n, fx.Number):
            return float(n.value)
        if isinstance(n, fx.Ref):
            return column(n, block, rows)
        if isinstance(n, fx.Unary):
            x = ev(n.operand, block, rows)
            return x if n.op == "+" else -x
        if isinstance(n, fx.Percent):
            return ev(n.operand, block, rows) / 100.0
        assert isinstance(n, fx.Binary)
        a, b = ev(n.left, block, rows), ev(n.right, block, rows)
        if n.op == "/" and np.any(np.asarray(b) == 0.0):
            raise _NotVouched  # #DIV/0! in some row
        return _finite(_OPS[n.op](a, b))

    def run(block: Block) -> bool:
        rows = block.r1 - block.r0 + 1
        try:
            result = ev(node, block, rows)
        except _NotVouched:
            return False
        # no reference relative to the row: one value for every row
        flat = [float(result)] * rows if np.ndim(result) == 0 else result.tolist()
        cells, col, marker = block.sheet.cells, block.col, block.marker
        keys = list(zip(range(block.r0, block.r1 + 1), itertools.repeat(col, rows), strict=True))
        if list(map(cells.get, keys)).count(marker) == rows:
            cells.update(zip(keys, flat, strict=True))
        else:
            for key, x in zip(keys, flat, strict=True):
                if cells.get(key) is marker:
                    cells[key] = x
        return True

    return run
