"""Calling a custom function (``CRM_*``) as desktop Excel calls it through xlwings.

The contract is :mod:`crm_xl.calc.custom`: here a formula's argument becomes what xlwings
would pass (:func:`to_xlwings`: ranges as lists of rows, formula cells computed first,
errors as text or None, date-formatted cells as datetimes) and the function's result
becomes a value again (:func:`from_xlwings`: a list of rows is an array; text stays text,
even text that starts with an error code).

Example::

    >>> to_xlwings(Array([[1.0, XlError("#N/A")]]), True, CellModel())
    [[1.0, '#N/A']]
    >>> from_xlwings([[1, None], [2.5]]).data
    [[1.0, EMPTY], [2.5, XlError('#N/A')]]
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

from crm_xl.calc.conversions import serial_to_datetime
from crm_xl.calc.model import CellModel, Pending
from crm_xl.calc.values import (
    EMPTY,
    NA,
    VALUE,
    Array,
    Multi,
    Range,
    Unsupported,
    XlError,
    check_size,
    error,
)


def _py_cell(
    v: Any, errors_as_text: bool, date: bool = False, book: CellModel | None = None
) -> Any:
    """One value as xlwings passes it (errors as their text or None, empty as None)."""
    cls = v.__class__
    if cls is float:
        if date and book is not None:
            try:
                return serial_to_datetime(v, book.date1904)
            except (OverflowError, ValueError):
                return v
        return v
    if cls is str or cls is bool:
        return v
    if cls is XlError:
        return v.code if errors_as_text else None
    return None


def fetch(rng: Range) -> list[list[Any]]:
    """A range's values as rows (empty cells as EMPTY), formula cells computed first."""
    return fetch_kinds(rng)[0]


def fetch_kinds(rng: Range) -> tuple[list[list[Any]], set[type]]:
    """:func:`fetch`, and the set of the values' types (one look at every cell, in C)."""
    check_size(rng.size)
    part = rng.used()
    if part is None or part.r2 < rng.r2:  # C:C: the used rows read, the blank rows past
        blank = [EMPTY] * (rng.c2 - rng.c1 + 1)  # them one shared row
        if part is None:
            return [blank] * (rng.r2 - rng.r1 + 1), {type(EMPTY)}
        rows, kinds = fetch_kinds(Range(rng.sheet, rng.r1, rng.c1, part.r2, rng.c2))
        rows.extend(itertools.repeat(blank, rng.r2 - part.r2))
        return rows, kinds | {type(EMPTY)}
    sheet = rng.sheet
    width = rng.c2 - rng.c1 + 1
    keys = itertools.product(range(rng.r1, rng.r2 + 1), range(rng.c1, rng.c2 + 1))
    flat = list(map(sheet.cells.get, keys, itertools.repeat(EMPTY)))
    kinds = set(map(type, flat))
    if Pending in kinds:
        get = sheet.get
        keys = itertools.product(range(rng.r1, rng.r2 + 1), range(rng.c1, rng.c2 + 1))
        flat = [get(r, c) for r, c in keys]
        kinds = set(map(type, flat))
    if width == 1:
        return [[v] for v in flat], kinds
    return [flat[i : i + width] for i in range(0, len(flat), width)], kinds


_PLAIN = {float, str, bool}


def to_xlwings(v: Any, ndim2: bool, book: CellModel) -> Any:
    """An argument as xlwings passes it: with ``ndim2`` (a range parameter) a list of rows
    with errors as text; otherwise a single value, a row or a column (errors as None)."""
    if isinstance(v, Range):
        rows, kinds = fetch_kinds(v)
        sheet = v.sheet
        dated = bool(book.date_styles) and bool(sheet.styles)
        if dated:
            styles, dates = sheet.styles, book.date_styles
            dated = any(
                styles.get((r, c)) in dates
                for r in range(v.r1, v.r2 + 1)
                for c in range(v.c1, v.c2 + 1)
            )
        if dated:
            rows = [
                [
                    _py_cell(x, ndim2, book.is_date_at(sheet, v.r1 + i, v.c1 + j), book)
                    for j, x in enumerate(row)
                ]
                for i, row in enumerate(rows)
            ]
        elif not kinds <= _PLAIN:
            rows = [[_py_cell(x, ndim2) for x in row] for row in rows]
    elif isinstance(v, Array):
        rows = [[_py_cell(x, ndim2) for x in row] for row in v.data]
    elif isinstance(v, Multi):
        raise Unsupported("a union of ranges as an argument of a CRM function", "")
    else:
        rows = [[_py_cell(v, ndim2)]]
    if ndim2:
        return rows
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    if len(rows) == 1:
        return rows[0]
    if all(len(r) == 1 for r in rows):
        return [r[0] for r in rows]
    return rows


def from_py(x: Any) -> Any:
    """One Python value a function returned as a cell value (None is empty, NaN too)."""
    if x is None:
        return EMPTY
    if isinstance(x, bool):
        return x
    if isinstance(x, (int, float)):
        f = float(x)
        return EMPTY if f != f else (f if math.isfinite(f) else error("#NUM!"))
    if isinstance(x, str):
        return x
    if isinstance(x, (dt.datetime, dt.date)):
        d = x if isinstance(x, dt.datetime) else dt.datetime(x.year, x.month, x.day)
        return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if hasattr(x, "item"):  # numpy scalars
        return from_py(x.item())
    return VALUE


def from_xlwings(result: Any) -> Any:
    """A ``CRM_*`` result as a value: a list of rows is an array; error *text* stays text."""
    if hasattr(result, "tolist") and not isinstance(result, (str, bytes)):
        result = result.tolist()
    if isinstance(result, (list, tuple)):
        if not result:
            return EMPTY
        if not isinstance(result[0], (list, tuple)):
            result = [result]
        rows = [[from_py(x) for x in row] for row in result]
        width = max(len(r) for r in rows)
        rows = [r + [NA] * (width - len(r)) for r in rows]
        if len(rows) == 1 and width == 1:
            return rows[0][0]
        return Array(rows)
    return from_py(result)
