"""Excel's values as the engine computes them, shared by the functions and the evaluator.

A value is a ``float``, a ``str``, a ``bool``, an :class:`XlError` (``#N/A``...),
:data:`EMPTY` (an empty cell) or :data:`MISSING` (an omitted argument); an argument may
also be a :class:`Range` (a reference: cells of a sheet), an :class:`Array` (rows of
values, from an array constant or an array operation) or a :class:`Multi` (a union of
ranges). A function returns an error by raising :class:`ErrorResult`, and refuses what
the engine does not do by raising :class:`Unsupported`. Excel's error codes are the ones
of :mod:`crm_xl.errors`.

Example::

    >>> error("#n/a") is NA, error("#nonsense")
    (True, XlError('#VALUE!'))
    >>> Array([[1.0, 2.0], [3.0, 4.0]]).shape, EMPTY, bool(MISSING)
    ((2, 2), EMPTY, False)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from crm_xl.errors import DYNAMIC_ARRAY_ERRORS, EXCEL_ERRORS
from crm_xl.xlsx.coordinates import col_letters


class XlError:
    """An Excel error value; one instance per code (compare with ``is`` or ``==``)."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __repr__(self) -> str:
        return f"XlError({self.code!r})"

    def __str__(self) -> str:
        return self.code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XlError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("XlError", self.code))


ERRORS = {code: XlError(code) for code in EXCEL_ERRORS + DYNAMIC_ARRAY_ERRORS}
"""Every error value by its code."""
NULL, DIV0, VALUE, REF, NAME, NUM, NA = (ERRORS[c] for c in EXCEL_ERRORS[:7])


def error(code: str) -> XlError:
    """The error value for ``code`` (unknown codes become ``#VALUE!``)."""
    return ERRORS.get(code.upper(), VALUE)


class _Empty:
    __slots__ = ()

    def __repr__(self) -> str:
        return "EMPTY"

    def __bool__(self) -> bool:
        return False


class _Missing(_Empty):
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


EMPTY = _Empty()
"""An empty cell."""
MISSING = _Missing()
"""An omitted function argument (``IF(A1,,2)``)."""


class ErrorResult(Exception):
    """Raised inside a function to return an error value."""

    def __init__(self, err: XlError):
        super().__init__(err.code)
        self.error = err


class Unsupported(Exception):
    """Raised when a formula needs something the evaluator does not do (a reason)."""

    def __init__(self, reason: str, name: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.name = name


class Range:
    """A reference to a block of cells; ``sheet`` reads them (``sheet.get(row, col)``)."""

    __slots__ = ("c1", "c2", "r1", "r2", "sheet")

    def __init__(self, sheet: Any, r1: int, c1: int, r2: int, c2: int):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def size(self) -> int:
        """The number of cells."""
        return (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1)

    def used(self) -> Range | None:
        """The part of the range that may hold anything: the range cut at its sheet's last
        used row and column (None when it lies wholly beyond them). Every other cell of the
        range is blank, so ``C:C`` is read without a million cells:

        >>> class Sheet:
        ...     max_row, max_col = 3, 2
        ...     def get(self, r, c): return float(r)
        >>> Range(Sheet(), 1, 3, 1_048_576, 3).used() is None
        True
        >>> Range(Sheet(), 1, 1, 1_048_576, 1).used(), Range(Sheet(), 1, 1, 1_048_576, 1).size
        (Range(?!A1:A3), 1048576)
        """
        last_row = getattr(self.sheet, "max_row", None)
        last_col = getattr(self.sheet, "max_col", None)
        if last_row is None or last_col is None:
            return self
        r2, c2 = min(self.r2, last_row), min(self.c2, last_col)
        if r2 < self.r1 or c2 < self.c1:
            return None
        if r2 == self.r2 and c2 == self.c2:
            return self
        return Range(self.sheet, self.r1, self.c1, r2, c2)

    def stored(self) -> Iterator[Any]:
        """The values of :meth:`used` (for what leaves blank cells out: SUM, COUNT...)."""
        part = self.used()
        return iter(()) if part is None else part.values()

    def rows(self) -> list[list[Any]]:
        """The cells' values, row by row (the blank rows past the sheet's last used row
        are one shared list: read them, do not change them)."""
        check_size(self.size)
        part = self.used()
        width = self.c2 - self.c1 + 1
        if part is None:
            return [[EMPTY] * width] * (self.r2 - self.r1 + 1)
        get = self.sheet.get
        cols = range(self.c1, part.c2 + 1)
        if part.c2 == self.c2:
            out = [[get(r, c) for c in cols] for r in range(self.r1, part.r2 + 1)]
        else:
            pad = [EMPTY] * (self.c2 - part.c2)
            out = [[get(r, c) for c in cols] + pad for r in range(self.r1, part.r2 + 1)]
        if part.r2 < self.r2:
            blank = [EMPTY] * width
            out.extend(itertools.repeat(blank, self.r2 - part.r2))
        return out

    def values(self) -> Iterator[Any]:
        """The cells' values, row after row (blank past the sheet's last used cells)."""
        check_size(self.size)
        part = self.used()
        width = self.c2 - self.c1 + 1
        if part is None:
            yield from itertools.repeat(EMPTY, self.size)
            return
        get = self.sheet.get
        pad = self.c2 - part.c2
        for r in range(self.r1, part.r2 + 1):
            for c in range(self.c1, part.c2 + 1):
                yield get(r, c)
            if pad:
                yield from itertools.repeat(EMPTY, pad)
        yield from itertools.repeat(EMPTY, (self.r2 - part.r2) * width)

    def cell(self, i: int, j: int) -> Any:
        """The value at (i, j), 0-based within this range."""
        return self.sheet.get(self.r1 + i, self.c1 + j)

    def sub(self, i1: int, j1: int, i2: int, j2: int) -> Range:
        """The part from (i1, j1) to (i2, j2), 0-based within this range."""
        return Range(self.sheet, self.r1 + i1, self.c1 + j1, self.r1 + i2, self.c1 + j2)

    def address(self) -> str:
        """``A1`` or ``A1:B9``, without the sheet."""
        a = f"{col_letters(self.c1)}{self.r1}"
        if self.size == 1:
            return a
        return f"{a}:{col_letters(self.c2)}{self.r2}"

    def __repr__(self) -> str:
        return f"Range({getattr(self.sheet, 'name', '?')}!{self.address()})"


#: The most cells a reference is read cell by cell (four whole columns): what counts,
#: adds or looks up in a bigger one reads only its used part (:meth:`Range.used`).
MAX_CELLS = 4 * 1_048_576


def check_size(cells: int) -> None:
    """Refuse to read ``cells`` values one by one when they are more than :data:`MAX_CELLS`
    (``A:XFD`` is 17 billion): the cell is reported "not evaluated", memory stays bounded."""
    if cells > MAX_CELLS:
        raise Unsupported(
            f"a reference or array of {cells:,} cells is too large to evaluate cell by cell "
            f"(crm-xl recalc reads at most {MAX_CELLS:,})",
            "",
        )


class Array:
    """Rows of values (a list of equally long lists)."""

    __slots__ = ("data",)

    def __init__(self, data: list[list[Any]]):
        self.data = data

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return len(self.data), len(self.data[0]) if self.data else 0

    @property
    def size(self) -> int:
        """The number of values."""
        return len(self.data) * (len(self.data[0]) if self.data else 0)

    def rows(self) -> list[list[Any]]:
        """The values, row by row (the array's own lists)."""
        return self.data

    def values(self) -> Iterator[Any]:
        """The values, row after row."""
        for row in self.data:
            yield from row

    def cell(self, i: int, j: int) -> Any:
        """The value at (i, j), 0-based."""
        return self.data[i][j]

    def __repr__(self) -> str:
        return f"Array({self.data!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Array) and other.data == self.data


class Multi:
    """A union of ranges (``(A1:A3,C1)``)."""

    __slots__ = ("areas",)

    def __init__(self, areas: list[Range]):
        self.areas = areas

    def values(self) -> Iterator[Any]:
        """The values of each area in turn."""
        for a in self.areas:
            yield from a.values()


GRID = (Range, Array)  # rectangular: a shape, rows, cells by position
AREAS = (Range, Array, Multi)  # anything with several values


def tail_start(rows: list[Any]) -> int:
    """Where the run of one repeated row object that ends ``rows`` starts (``len(rows)``
    when the last row is alone): the blank rows past a sheet's used range are one shared
    list (:meth:`Range.rows`), computed once by what reads them.

    >>> blank = [EMPTY]
    >>> tail_start([[1.0], [2.0]] + [blank] * 5), tail_start([[1.0], [2.0]])
    (2, 2)
    >>> tail_start([[1.0], blank, blank, [2.0], blank, blank])  # found too far: no shortcut
    6
    """
    n = len(rows)
    if n < 2 or rows[-1] is not rows[-2]:
        return n
    last = rows[-1]
    lo, hi = 0, n - 1  # rows[hi] is last; find the first index of the run ending at n
    while lo < hi:
        mid = (lo + hi) // 2
        if rows[mid] is last:
            hi = mid
        else:
            lo = mid + 1
    if rows[lo:].count(last) != n - lo:  # the row also appears before its run: no shortcut
        return n
    return lo


def grid_of(v: Any) -> list[list[Any]]:
    """Rows of a range, an array or a single value."""
    if isinstance(v, GRID):
        return v.rows()
    if isinstance(v, Multi):
        raise ErrorResult(VALUE)
    return [[v]]


def shape_of(v: Any) -> tuple[int, int]:
    """(rows, columns) of a range or an array; a single value is (1, 1)."""
    return v.shape if isinstance(v, GRID) else (1, 1)


def stored_values(v: Any) -> Iterator[Any]:
    """:func:`flat_values` without the blank cells past a sheet's used range: for what
    leaves blanks out (SUM, COUNT, MAX...), so ``SUM(C:C)`` reads the used cells only."""
    cls = v.__class__
    if cls is Range:
        return v.stored()
    if cls is Array:
        return v.values()
    if cls is Multi:
        return itertools.chain.from_iterable(a.stored() for a in v.areas)
    return iter((v,))


def flat_values(v: Any) -> Iterator[Any]:
    """The values of a range, an array or a union row by row; a single value alone."""
    if isinstance(v, AREAS):
        yield from v.values()
    else:
        yield v
