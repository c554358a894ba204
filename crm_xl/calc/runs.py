"""Recognising runs of the same formula down a column, from the formulas' texts alone.

A column filled down holds one formula in R1C1 form written as many texts (``B2*0.5``,
``B3*0.5``, ...). The engine computes such a run as one block, compiled once; to find the
runs without parsing every cell, :func:`template` turns a text into a format string whose
fields are its relative row numbers, :func:`fits` says whether another row's text is that
template there, and :func:`fits_previous` answers it for a whole column at once.

Example::

    >>> t = template("B2*0.5+$C$1", 2)
    >>> fits(t, "B3*0.5+$C$1", 3), fits(t, "B3*0.5+$C$2", 3)
    (True, False)
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from typing import Any

_DIGITS = re.compile(r"(\d+)")
_REF_TAIL = re.compile(r"(?<![A-Za-z0-9_.])\$?[A-Za-z]{1,3}$")


_NOT_AFTER_A_ROW = tuple("_.(!")  # a digit run followed by one is no row number (LOG10(, 1.5)
_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'|\[(?:[^\[\]]|\[[^\[\]]*\])*\]')
"""Text taken as it is: a string ("A1 and 2"), a quoted sheet name ('Q1 2026'!B2), a table
reference's brackets (Table1[[#This Row],[Q2]])."""


def _quoted_spans(text: str) -> list[tuple[int, int]] | None:
    """Where ``text`` is in quotes or brackets; None when one is left open (no template)."""
    spans = [m.span() for m in _QUOTED.finditer(text)]
    outside = _QUOTED.sub("", text)
    return None if any(ch in outside for ch in "\"'[]") else spans


def _has_quotes(text: str) -> bool:
    return '"' in text or "'" in text or "[" in text or "]" in text


def _is_row_number(before: str, after: str, quoted: bool) -> bool:
    """A run of digits is a relative row number: not in quotes or brackets, right after a
    column's letters (not ``$``), and not followed by what makes it a name or a number."""
    return (
        not quoted
        and _REF_TAIL.search(before) is not None
        and not before.endswith("$")
        and not (after[:1].isalnum() or after[:1] in _NOT_AFTER_A_ROW)
    )


def template(text: str, row: int) -> Any:
    """How ``text`` (in ``row``) reads further down: a format string whose fields are the
    relative row numbers, with their values in ``row``; None when unsure (row ranges, a
    quote or bracket left open). Digits in quotes and brackets (``"A1"``, ``'Q1'!B2``'s
    sheet name, ``Table1[Q2]``) are text: they stay as they are, as Excel leaves them when
    it fills down. (Whether table references read the same further down is the caller's
    question: see :func:`crm_xl.calc.blocks.keep_runs_in_table_zones`.)"""
    spans = _quoted_spans(text) if _has_quotes(text) else []
    if spans is None or re.search(r":\$?\d", _QUOTED.sub("", text)):
        return None
    parts = _DIGITS.split(text)
    out = [parts[0].replace("{", "{{").replace("}", "}}")]
    bases = []
    pos = len(parts[0])
    for i in range(1, len(parts), 2):
        before, after = parts[i - 1], parts[i + 1]
        if _is_row_number(before, after, any(a <= pos < b for a, b in spans)):
            out.append(f"{{{len(bases)}}}")
            bases.append(int(parts[i]) - row)
        else:
            out.append(parts[i])
        out.append(after.replace("{", "{{").replace("}", "}}"))
        pos += len(parts[i]) + len(after)
    return "".join(out), bases


def fits(shape: Any, text: str, row: int) -> bool:
    """Whether ``text`` in ``row`` is the formula of :func:`template` ``shape`` there."""
    fmt, offsets = shape
    return fmt.format(*[row + d for d in offsets]) == text


_DIGIT = "\x01"  # stands for a digit in a skeleton (XML text cannot hold it)
_TO_SKELETON = str.maketrans("0123456789", _DIGIT * 10)


def fits_previous(texts: list[str | None], rows: list[int]) -> list[bool]:
    """For a column's formulas (sorted rows): item ``i`` is what
    ``fits(template(texts[i-1], rows[i-1]), texts[i], rows[i])`` says, computed for the
    whole column at once. False where a text is None or the rows are not consecutive.

    A column that is one formula filled down is recognised in one comparison. Otherwise
    texts whose digits sit at the same places (one *skeleton*: the text with every digit
    replaced) form segments, compared run of digits by run of digits: relative row numbers
    must be one more than the row above (written without leading zeros), every other run
    of digits the same string. Where the skeleton changes (row 99 to row 100) the pair is
    checked by :func:`fits` itself.

    Example::

        >>> fits_previous(["B2*0.5", "B3*0.5", "B4*0.50", None], [2, 3, 4, 5])
        [False, True, False, False]
        >>> fits_previous(["A9+1", "A10+1", "A11+1"], [9, 10, 11])
        [False, True, True]
    """
    import numpy as np

    n = len(texts)
    found = [False] * n
    if n < 2:
        return found
    if None not in texts and rows[-1] - rows[0] == n - 1 and _column_fills_down(texts):
        return [False] + [True] * (n - 1)  # the usual column: one formula filled down
    plain = ["" if t is None else t for t in texts]
    skel = "\x00".join(plain).translate(_TO_SKELETON).split("\x00")
    has_text = np.array([t is not None for t in texts])
    pair = has_text[1:] & has_text[:-1] & (np.diff(np.array(rows)) == 1)
    same = pair & np.array(list(map(str.__eq__, skel[1:], skel[:-1])), dtype=bool)
    for i in np.flatnonzero(pair & ~same).tolist():  # the skeleton changes: one by one
        shape = template(plain[i], rows[i])
        found[i + 1] = shape is not None and fits(shape, plain[i + 1], rows[i + 1])
    # segments a..b (b > a) where every row has the skeleton of the row above
    edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        found[a + 1 : b + 1] = _segment_fits(plain[a : b + 1], skel[a])
    return found


def _column_fills_down(texts: list[str]) -> bool:
    """Every text is the first one with its relative row numbers one more each row down
    (consecutive rows); a digit more at row 10, 100, ... is no obstacle here."""
    runs, rel = _digit_runs(texts[0].translate(_TO_SKELETON))
    return rel is not None and _segment_all_fits(texts, runs, rel)


def _digit_runs(skeleton: str) -> tuple[list[tuple[int, int]], tuple[bool, ...] | None]:
    """Where a skeleton's runs of digits are, and which are relative row numbers."""
    runs = [r.span() for r in re.finditer(_DIGIT + "+", skeleton)]
    return runs, _relative_fields(re.sub(_DIGIT + "+", _DIGIT, skeleton))


def _segment_fits(texts: list[str], skeleton: str) -> list[bool]:
    """fits for rows 1.. of texts that share ``skeleton`` (digits at the same places);
    C-level ``map`` over each run of digits, down the segment."""
    m = len(texts)
    runs, rel = _digit_runs(skeleton)
    if rel is None:
        return [False] * (m - 1)
    if _segment_all_fits(texts, runs, rel):
        return [True] * (m - 1)
    ok: Any = itertools.repeat(True, m - 1)
    eq, land = operator.eq, operator.and_
    for (start, end), relative in zip(runs, rel, strict=True):
        col = list(map(operator.itemgetter(slice(start, end)), texts))
        if not relative:
            ok = map(land, ok, map(eq, col[1:], col[:-1]))
            continue
        nums = list(map(int, col))
        # one more than the row above, and written as Excel writes a number (no leading 0)
        ok = map(land, ok, map(eq, nums[1:], map(operator.add, nums[:-1], itertools.repeat(1))))
        ok = map(land, ok, map(eq, map(str, nums[1:]), col[1:]))
    return list(ok)


def _segment_all_fits(texts: list[str], runs: list[tuple[int, int]], rel: tuple[bool, ...]) -> bool:
    """The usual case, a whole segment filled down, in one comparison: every text is the
    first one with its relative row numbers counting up one by one."""
    first, m = texts[0], len(texts)
    parts: list[Any] = []
    pos = 0
    for (start, end), relative in zip(runs, rel, strict=True):
        if relative:
            parts += (
                itertools.repeat(first[pos:start]),
                map(str, itertools.count(int(first[start:end]))),
            )
            pos = end
    if not parts:
        return texts.count(first) == m
    parts.append(itertools.repeat(first[pos:]))
    expected = list(itertools.islice(map("".join, zip(*parts, strict=False)), m))  # endless
    return expected == texts


@functools.lru_cache(maxsize=256)
def _relative_fields(skeleton: str) -> tuple[bool, ...] | None:
    """Which digit runs of a skeleton (one ``_DIGIT`` a run) are relative row numbers, as
    :func:`template` decides; None when :func:`template` gives no template."""
    spans = _quoted_spans(skeleton) if _has_quotes(skeleton) else []
    if spans is None:
        return None
    if re.search(r":\$?" + _DIGIT, _QUOTED.sub("", skeleton)):
        return None
    pieces = skeleton.split(_DIGIT)
    out = []
    pos = len(pieces[0])
    for before, after in itertools.pairwise(pieces):
        out.append(_is_row_number(before, after, any(a <= pos < b for a, b in spans)))
        pos += 1 + len(after)
    return tuple(out)
