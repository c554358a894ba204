"""Cell coordinates: the one place that turns ``"B3"`` into ``(3, 2)`` and back.

Rows and columns are 1-based, as in Excel; ``(row, col)`` tuples are the keys used
everywhere else. Column conversions are cached: a big sheet names the same few columns
millions of times.

Example::

    >>> col_number("AB"), col_letters(28)
    (28, 'AB')
    >>> parse_cell("$B$3"), cell_name(3, 2)
    ((3, 2), 'B3')
    >>> parse_range("C3:A1"), parse_ref("XFE1")
    ((1, 1, 3, 3), None)
    >>> quote_sheet("It's"), range_cells("A1:B2")
    ("'It''s'", ['A1', 'B1', 'A2', 'B2'])
"""

from __future__ import annotations

import re

MAX_ROW, MAX_COL = 1_048_576, 16_384  # Excel's grid (XFD1048576)

_NUMBERS: dict[str, int] = {}  # "AB" -> 28, filled as columns are met
_LETTERS: dict[int, str] = {}
_ADDRESS = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_IN_GRID = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")


def col_number(letters: str) -> int:
    """``"A"`` → 1, ``"ab"`` → 28 (no check against the grid's last column)."""
    n = _NUMBERS.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        _NUMBERS[letters] = n
    return n


def col_letters(n: int) -> str:
    """1 → ``"A"``, 28 → ``"AB"``."""
    text = _LETTERS.get(n)
    if text is None:
        text, rest = "", n
        while rest:
            rest, rem = divmod(rest - 1, 26)
            text = chr(65 + rem) + text
        _LETTERS[n] = text
    return text


def cell_name(row: int, col: int) -> str:
    """(3, 2) → ``"B3"``."""
    return f"{col_letters(col)}{row}"


def parse_cell(cell: str) -> tuple[int, int]:
    """``"B3"`` or ``"$B$3"`` → (3, 2); ValueError when it is not a cell address."""
    letters = cell.rstrip("0123456789")
    col = _NUMBERS.get(letters)
    if col is not None and len(letters) < len(cell) <= len(letters) + 7:  # the common case
        return int(cell[len(letters) :]), col
    m = _ADDRESS.fullmatch(cell) or _ADDRESS.fullmatch(cell.strip())
    if not m:
        raise ValueError(f"not a cell address: {cell!r}")
    return int(m.group(2)), col_number(m.group(1).upper())


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"B4"`` → (4, 2); None when it is not a cell inside Excel's grid."""
    m = _IN_GRID.match(ref.strip()) if isinstance(ref, str) else None
    if not m:
        return None
    row, col = int(m.group(2)), col_number(m.group(1).upper())
    if row > MAX_ROW or col > MAX_COL:
        return None
    return row, col


def parse_range(text: str) -> tuple[int, int, int, int] | None:
    """``"A1:C3"`` → (row1, col1, row2, col2), corners in either order; a cell is 1×1."""
    first, _, last = text.partition(":")
    a = parse_ref(first)
    b = parse_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def range_name(box: tuple[int, int, int, int]) -> str:
    """(1, 1, 3, 3) → ``"A1:C3"``; a 1×1 box is one cell."""
    r1, c1, r2, c2 = box
    first = cell_name(r1, c1)
    return first if (r1, c1) == (r2, c2) else f"{first}:{cell_name(r2, c2)}"


def range_cells(ref: str) -> list[str]:
    """The cells of ``"A1:B2"`` row by row; ValueError when it is not a range in the grid."""
    box = parse_range(ref)
    if box is None:
        raise ValueError(f"not a cell range: {ref!r}")
    r1, c1, r2, c2 = box
    return [cell_name(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def quote_sheet(name: str) -> str:
    """A sheet name as formulas and defined names write it: quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def absolute(ref: str) -> str:
    """``"B3"`` → ``"$B$3"``, ``"A1:C3"`` → ``"$A$1:$C$3"``."""
    return ":".join(
        "${}${}".format(*re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", part).groups())  # type: ignore[union-attr]
        for part in ref.split(":")
    )
