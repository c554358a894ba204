"""Excel tables in formulas: what a structured reference means, seen from a cell.

``Sales[Amount]``, ``Sales[[#Totals],[Amount]]``, ``[@Amount]`` (the table holding the
formula) become ordinary references (:func:`structured_ref`) once the table's range is
known; :func:`table_zone` says where a cell is with respect to a table, the only thing such
a reference depends on when a formula is filled down.

Example::

    >>> table_spec("[[#Totals],[Amount]]")
    ({'#totals'}, ('Amount', 'Amount'))
    >>> table_spec("[@[Unit Price]]")
    ({'#this row'}, ('Unit Price', 'Unit Price'))
"""

from __future__ import annotations

import re
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.model import CellModel, SheetData, Table
from crm_xl.calc.values import REF, VALUE

_SPECIALS = {"#all", "#data", "#headers", "#totals", "#this row"}


def table_zone(table: Table, sheet: SheetData, row: int, col: int) -> tuple[bool, ...]:
    """Where a cell is with respect to a table: the table's sheet or another, its columns
    or not, and above, in the header rows, in the data, in the totals or below."""
    first_data, last_data = table.r1 + table.headers, table.r2 - table.totals
    return (
        table.sheet is sheet,
        table.c1 <= col <= table.c2,
        row >= table.r1,
        row >= first_data,
        row <= last_data,
        row <= table.r2,
    )


def table_spec(spec: str) -> tuple[set[str], tuple[str, str] | None]:
    """``[[#Totals],[Amount]]`` → ({"#totals"}, ("Amount", "Amount")); columns None = all."""
    if not (spec.startswith("[") and spec.endswith("]")):
        raise ValueError("expected brackets")
    inner = spec[1:-1].strip()
    specials: set[str] = set()
    if inner.startswith("@"):
        specials.add("#this row")
        inner = inner[1:].strip()
        if not inner:
            return specials, None
        if not inner.startswith("["):
            name = _unescape_column(inner)
            return specials, (name, name)
    if not inner:
        return specials, None
    if not inner.startswith("["):
        if inner.lower() in _SPECIALS:
            return {inner.lower()}, None
        name = _unescape_column(inner)
        return specials, (name, name)
    groups: list[str] = []
    seps: list[str] = []
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "[":
            j = i + 1
            buf = []
            while j < len(inner) and inner[j] != "]":
                if inner[j] == "'" and j + 1 < len(inner):
                    buf.append(inner[j + 1])
                    j += 2
                    continue
                buf.append(inner[j])
                j += 1
            if j >= len(inner):
                raise ValueError("unclosed bracket")
            groups.append("".join(buf))
            i = j + 1
        elif ch in ",:":
            seps.append(ch)
            i += 1
        elif ch.isspace():
            i += 1
        else:
            raise ValueError(f"unexpected {ch!r}")
    cols: list[str] = []
    for g in groups:
        if g.strip().lower() in _SPECIALS:
            specials.add(g.strip().lower())
        else:
            cols.append(g)
    if not cols:
        return specials, None
    if len(cols) == 1:
        return specials, (cols[0], cols[0])
    if len(cols) == 2 and ":" in seps:
        return specials, (cols[0], cols[1])
    raise ValueError("more than one column")


def _unescape_column(name: str) -> str:
    return re.sub(r"'(.)", r"\1", name)


def structured_ref(
    book: CellModel, node: fx.StructRef, sheet: SheetData, row: int, col: int
) -> Any:
    """A structured reference as a reference (:class:`~crm_xl.calc.parser.Ref`) or an error,
    seen from cell (row, col) of ``sheet``."""
    if node.table:
        table = book.tables.get(node.table.upper())
        if table is None:
            return REF
    else:
        table = next(
            (
                t
                for t in book.tables.values()
                if t.sheet is sheet and t.r1 <= row <= t.r2 and t.c1 <= col <= t.c2
            ),
            None,
        )
        if table is None:
            return REF
    try:
        specials, cols = table_spec(node.spec)
    except ValueError as err:
        raise fx.FormulaError(f"cannot read the table reference {node.text}: {err}") from None
    names = [c.casefold() for c in table.columns]
    if cols is None:
        j1, j2 = 0, len(names) - 1
    else:
        try:
            j1, j2 = sorted((names.index(cols[0].casefold()), names.index(cols[1].casefold())))
        except ValueError:
            return REF
    first_data = table.r1 + table.headers
    last_data = table.r2 - table.totals
    if "#this row" in specials:
        if not first_data <= row <= last_data:
            return VALUE
        return fx.Ref(
            table.sheet.name, 0, table.c1 + j1, 0, table.c1 + j2, (False, True, False, True)
        )
    if not specials or specials == {"#data"}:
        r1, r2 = first_data, last_data
    elif "#all" in specials:
        r1, r2 = table.r1, table.r2
    else:
        parts = []
        if "#headers" in specials:
            if not table.headers:
                return REF
            parts += [table.r1, first_data - 1]
        if "#data" in specials:
            parts += [first_data, last_data]
        if "#totals" in specials:
            if not table.totals:
                return REF
            parts += [last_data + 1, table.r2]
        if not parts:
            raise fx.FormulaError(f"cannot read the table reference {node.text}")
        r1, r2 = min(parts), max(parts)
    if r2 < r1:
        return REF
    return fx.Ref(table.sheet.name, r1, table.c1 + j1, r2, table.c1 + j2, (True, True, True, True))
