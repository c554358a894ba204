"""Excel's functions that build references while they run: INDIRECT (from text), OFFSET
(from a position and a size) and ANCHORARRAY (``A1#``, the range a dynamic array spills
into), and FORMULATEXT (the formula of a cell).

The cells such a reference reaches are not known before the formula runs, so no
dependency order can put them first: they are computed when they are read (a formula
cell read before its turn is computed then, :meth:`crm_xl.calc.model.SheetData.get`), a
cell that cannot be computed makes the reading cell a problem too, and a reference back
to the cell itself is a circular reference. Defined names in INDIRECT's text, and
OFFSET's negative heights and widths, are refused ("not evaluated"), not guessed.

Example (a sheet of one cell, for the references to point into)::

    >>> class Sheet:
    ...     name, max_row, max_col = "S", 9, 9
    ...     def get(self, r, c): return float(r * 10 + c)
    >>> class Book:
    ...     def sheet_named(self, name): return None
    ...     def name_node(self, name, sheet): return None
    >>> class Ctx:
    ...     sheet, book, row, col = Sheet(), Book(), 5, 5
    >>> INDIRECT(Ctx(), "B3:C4"), INDIRECT(Ctx(), "R[-1]C", False), INDIRECT(Ctx(), "no such")
    (Range(S!B3:C4), Range(S!E4), XlError('#REF!'))
    >>> OFFSET(INDIRECT(Ctx(), "B3"), 2.0, 1.0, 2.0)
    Range(S!C5:C6)
"""

from __future__ import annotations

import re
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.conversions import to_bool, to_int, to_text
from crm_xl.calc.functions.registry import BUILTINS, builtin
from crm_xl.calc.values import (
    EMPTY,
    GRID,
    MISSING,
    NA,
    REF,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Range,
    Unsupported,
    XlError,
)
from crm_xl.xlsx.coordinates import MAX_COL, MAX_ROW, cell_name, parse_range

_R1C1 = re.compile(
    r"R(?:\[(-?\d+)\]|(\d+))?C(?:\[(-?\d+)\]|(\d+))?"
    r"(?::R(?:\[(-?\d+)\]|(\d+))?C(?:\[(-?\d+)\]|(\d+))?)?",
    re.IGNORECASE,
)


def _sheet_of(ctx: Any, name: str | None) -> Any:
    return ctx.sheet if name is None else ctx.book.sheet_named(name)


def _box(r1: int, c1: int, r2: int, c2: int) -> tuple[int, int, int, int] | None:
    r1, r2 = min(r1, r2), max(r1, r2)
    c1, c2 = min(c1, c2), max(c1, c2)
    if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
        return None
    return r1, c1, r2, c2


def _a1(ctx: Any, text: str) -> Any:
    try:
        node = fx.parse("=" + text, (ctx.row, ctx.col))
    except fx.FormulaError:
        return REF
    if isinstance(node, fx.Name):
        scope = ctx.sheet if node.sheet is None else ctx.book.sheet_named(node.sheet)
        if scope is None or ctx.book.name_node(node.name, scope) is None:
            return REF  # no such name
        raise Unsupported("INDIRECT of a defined name: not evaluated", "INDIRECT")
    if not isinstance(node, fx.Ref):
        return REF
    sheet = _sheet_of(ctx, node.sheet)
    if sheet is None:
        return REF
    r1, c1, r2, c2 = node.bounds(ctx.row, ctx.col)
    box = _box(r1 or 1, c1 or 1, r2 or MAX_ROW, c2 or MAX_COL)
    return REF if box is None else Range(sheet, *box)


def _r1c1(ctx: Any, text: str) -> Any:
    sheet_name = None
    if "!" in text:
        sheet_name, _, text = text.rpartition("!")
        if sheet_name.startswith("'") and sheet_name.endswith("'") and len(sheet_name) > 1:
            sheet_name = sheet_name[1:-1].replace("''", "'")
    m = _R1C1.fullmatch(text.strip())
    if m is None:
        raise Unsupported(f"INDIRECT of {text!r} in R1C1 style: not evaluated", "INDIRECT")
    g = m.groups()

    def at(rel: str | None, absolute: str | None, here: int) -> int:
        if absolute is not None:
            return int(absolute)
        return here + int(rel or 0)

    r1, c1 = at(g[0], g[1], ctx.row), at(g[2], g[3], ctx.col)
    if m.group(0).find(":") < 0:
        r2, c2 = r1, c1
    else:
        r2, c2 = at(g[4], g[5], ctx.row), at(g[6], g[7], ctx.col)
    sheet = _sheet_of(ctx, sheet_name)
    box = None if sheet is None else _box(r1, c1, r2, c2)
    return REF if box is None else Range(sheet, *box)


@builtin("INDIRECT", "VV", min_args=1, lift=False, needs_ctx=True)
def INDIRECT(ctx: Any, ref_text: Any, a1: Any = MISSING) -> Any:
    if isinstance(ref_text, GRID):
        raise Unsupported("INDIRECT of several texts at once: not evaluated", "INDIRECT")
    text = to_text(ref_text).strip()
    if not text:
        return REF
    if a1 is MISSING or a1 is EMPTY or to_bool(a1):
        return _a1(ctx, text)
    return _r1c1(ctx, text)


def _size(v: Any, default: int) -> int:
    if v is MISSING or v is EMPTY:
        return default
    n = to_int(v)
    if n == 0:
        raise ErrorResult(REF)
    if n < 0:
        raise Unsupported("OFFSET with a negative height or width: not evaluated", "OFFSET")
    return n


@builtin("OFFSET", "RVVVV", min_args=3, lift=False)
def OFFSET(ref: Any, rows: Any, cols: Any, height: Any = MISSING, width: Any = MISSING) -> Any:
    if ref.__class__ is XlError:
        return ref
    if any(isinstance(v, (Range, Array, Multi)) for v in (rows, cols, height, width)):
        raise Unsupported("OFFSET with several offsets or sizes at once", "OFFSET")
    if not isinstance(ref, Range):
        raise ErrorResult(VALUE)
    dr = 0 if rows is MISSING or rows is EMPTY else to_int(rows)
    dc = 0 if cols is MISSING or cols is EMPTY else to_int(cols)
    h, w = ref.shape
    h, w = _size(height, h), _size(width, w)
    r1, c1 = ref.r1 + dr, ref.c1 + dc
    box = _box(r1, c1, r1 + h - 1, c1 + w - 1)
    return REF if box is None else Range(ref.sheet, *box)


@builtin("ANCHORARRAY", "R", lift=False)
def ANCHORARRAY(ref: Any) -> Any:
    """``A1#``: the range the dynamic array anchored in A1 spills into (as the file holds
    it: a spill of another size is reported by the evaluator, never written); ``#REF!``
    for a cell that does not hold a dynamic array."""
    if ref.__class__ is XlError:
        return ref
    if not isinstance(ref, Range):
        raise ErrorResult(VALUE)
    sheet = ref.sheet
    info = getattr(sheet, "formulas", {}).get((ref.r1, ref.c1))
    if info is None or info.kind != "dynamic":
        return REF
    box = parse_range(info.ref or cell_name(ref.r1, ref.c1))
    if box is None:
        return REF
    return Range(sheet, *box)


_PREFIX = re.compile(r"_xl(?:fn|ws|pm)\.", re.IGNORECASE)


@builtin("FORMULATEXT", "R", lift=False)
def FORMULATEXT(ref: Any) -> Any:
    """The formula of a reference's first cell as Excel shows it (``=SUM(A1:A3)``);
    ``#N/A`` for a cell without a formula."""
    if ref.__class__ is XlError:
        return ref
    if isinstance(ref, (Array, Multi)) or not isinstance(ref, Range):
        raise ErrorResult(VALUE if not isinstance(ref, Array) else NA)
    sheet, key = ref.sheet, (ref.r1, ref.c1)
    info = getattr(sheet, "formulas", {}).get(key)
    if info is None:
        if key in getattr(sheet, "owner", {}):
            raise Unsupported("FORMULATEXT of a cell in an array formula's range", "FORMULATEXT")
        return NA
    if info.kind not in ("normal", "shared"):
        raise Unsupported(f"FORMULATEXT of a formula of kind {info.kind}", "FORMULATEXT")
    text = info.text_at(cell_name(*key))
    if "[" in _strings_out(text):
        # Excel shows table references its own way ([@Col] for Table1[[#This Row],[Col]])
        raise Unsupported("FORMULATEXT of a formula with table references", "FORMULATEXT")
    if _may_show_at(text, key):
        raise Unsupported(
            "FORMULATEXT of a formula Excel may show with @ (a range, a name or a function "
            "that can return one, in a formula saved before dynamic arrays)",
            "FORMULATEXT",
        )
    return "=" + _outside_strings(text)


#: Functions that can return a range or an array where one value is expected: Excel 365
#: shows them with the implicit intersection operator (``=@INDEX(...)``) in such formulas.
_MAY_SPILL = {
    "INDEX", "OFFSET", "INDIRECT", "XLOOKUP", "FILTER", "SORT", "SORTBY", "UNIQUE",
    "SEQUENCE", "TRANSPOSE", "MMULT", "MINVERSE", "TEXTSPLIT", "ANCHORARRAY", "LAMBDA",
}  # fmt: skip
_LAZY_FUNCS = {"IF", "IFERROR", "IFNA", "CHOOSE", "IFS", "SWITCH", "LET", "SINGLE"}


def _may_show_at(text: str, host: tuple[int, int]) -> bool:
    """Whether Excel might write ``@`` into the formula it shows (a formula saved as an
    ordinary one, which Excel 365 reads with implicit intersection): a multi-cell
    reference where one value is expected, a defined name, or a function that may return
    a range or an array. Array arguments (SUMPRODUCT's) and direct references given to
    reference arguments (SUM's) take ranges as they are."""
    try:
        stack: list[tuple[Any, bool]] = [(fx.parse("=" + text, host), False)]
    except fx.FormulaError:
        return True
    while stack:
        n, arrays = stack.pop()
        if isinstance(n, fx.Ref):
            one = n.r1 is not None and n.c1 is not None and (n.r1, n.c1) == (n.r2, n.c2)
            if not (one and n.abs[:2] == n.abs[2:]) and not arrays:
                return True
        elif isinstance(n, (fx.Name, fx.StructRef)):
            return True
        elif isinstance(n, fx.Func):
            spec = BUILTINS.get(n.name)
            if n.name in _MAY_SPILL or (spec is None and n.name not in _LAZY_FUNCS):
                return True
            for i, a in enumerate(n.args):
                kind = "V" if spec is None else spec.kind(i)
                if kind == "R" and isinstance(a, fx.Ref):
                    continue
                stack.append((a, arrays or kind == "A"))
        elif isinstance(n, fx.Binary):
            if n.op in (":", ",", " ") and not arrays:
                return True
            stack.extend(((n.left, arrays), (n.right, arrays)))
        elif isinstance(n, (fx.Unary, fx.Percent)):
            stack.append((n.operand, arrays))
        elif isinstance(n, fx.Call):  # a LAMBDA's result may be an array
            return True
    return False


def _strings_out(text: str) -> str:
    """The formula without its quoted strings."""
    return re.sub(r'"(?:[^"]|"")*"', "", text)


def _outside_strings(text: str) -> str:
    """The ``_xlfn.`` prefixes removed outside quoted strings."""
    parts = re.split(r'("(?:[^"]|"")*")', text)
    return "".join(p if i % 2 else _PREFIX.sub("", p) for i, p in enumerate(parts))
