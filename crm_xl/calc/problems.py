"""Why a cell cannot be computed: the engine's exceptions, and the problems reported for them.

A cell the engine cannot compute is never guessed: its block gets an
:class:`EvaluationError` (an unsupported function, a formula that cannot be parsed, a
cycle), every cell that reads it gets :class:`DependsOn` that error, and the caller gets
one :class:`~crm_xl.errors.Problem` per cause (:func:`grouped_problems`).

Example::

    >>> err = UnsupportedFunction("OFFSET", "S!A1")
    >>> err.problem()
    Problem(where='S!A1', message='function OFFSET is not supported by crm-xl recalc')
    >>> grouped_problems([(FormulaParseError(f"S!B{r}", "bad"), 1) for r in (2, 3)])
    [Problem(where='S!B2:B3', message='bad; 2 cell(s) that depend on it were not recalculated either')]
"""

from __future__ import annotations

from typing import Any

from crm_xl.errors import Problem
from crm_xl.xlsx.coordinates import cell_name, parse_cell


def not_computed(name: str, err: BaseException) -> str:
    """The reason reported for a function that failed on its arguments in a way the engine
    does not know Excel's answer for (an overflow, a date out of range...): the cell is
    left as it was rather than given a guessed value.

    Example::

        >>> not_computed("EDATE", OverflowError("date value out of range"))
        'EDATE could not be evaluated here (OverflowError: date value out of range); the cell is left as it was'
    """
    return (
        f"{name} could not be evaluated here ({type(err).__name__}: {err}); "
        "the cell is left as it was"
    )


class EvaluationError(Exception):
    """A cell that cannot be computed: ``where`` is ``Sheet!A1``, ``reason`` says why."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason

    def problem(self) -> Problem:
        """The error as the problem reported to the user."""
        return Problem(self.where, self.reason)


class UnsupportedFunction(EvaluationError):
    """The formula calls a function (or uses syntax) the engine does not compute."""

    def __init__(self, name: str, cell: str, reason: str | None = None):
        super().__init__(cell, reason or f"function {name} is not supported by crm-xl recalc")
        self.name = name
        self.cell = cell


class FormulaParseError(EvaluationError):
    """The formula text cannot be parsed."""


class CircularReference(EvaluationError):
    """Cells that depend on each other; ``cells`` lists them."""

    def __init__(self, cells: list[str]):
        shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
        super().__init__(cells[0], f"circular reference between {shown}")
        self.cells = cells


class DependsOn(Exception):
    """Reading a cell that has a problem: ``root`` is that problem."""

    def __init__(self, root: EvaluationError):
        super().__init__(root.where)
        self.root = root


def grouped_problems(roots: list[tuple[EvaluationError, int]]) -> list[Problem]:
    """One problem per cause: cells of one column with the same reason become a range.

    ``roots`` are the errors with how many other cells each one stopped.
    """
    runs: list[list[Any]] = []  # [sheet, col, first row, last row, reason, dependents]
    index: dict[tuple[str, int, str], list[Any]] = {}
    for root, dependents in roots:
        sheet, _, cell = root.where.rpartition("!")
        try:
            row, col = parse_cell(cell)
        except ValueError:
            runs.append([root.where, 0, 0, 0, root.reason, dependents])
            continue
        key = (sheet, col, root.reason)
        run = index.get(key)
        if run is not None and run[3] == row - 1:
            run[3] = row
            run[5] += dependents
            continue
        run = [sheet, col, row, row, root.reason, dependents]
        index[key] = run
        runs.append(run)
    problems = []
    for sheet, col, r1, r2, reason, dependents in runs:
        if not col:
            where = sheet
        elif r1 == r2:
            where = f"{sheet}!{cell_name(r1, col)}"
        else:
            where = f"{sheet}!{cell_name(r1, col)}:{cell_name(r2, col)}"
        if dependents:
            reason += f"; {dependents} cell(s) that depend on it were not recalculated either"
        problems.append(Problem(where, reason))
    return problems


def function_summary(
    roots: list[tuple[EvaluationError, int, int]], shown: int = 3
) -> list[Problem]:
    """What a full recalculation could not evaluate, once per function (or per reason for
    what is not a function: a formula that cannot be parsed, a cycle), with how many cells
    it leaves as they were and the first of them — not one line per cell.

    ``roots`` are the errors with how many cells each one is (a run of one formula is one
    error) and how many other cells it stopped.

    Example::

        >>> roots = [(UnsupportedFunction("OFFSET", f"S!A{r}"), 1, 2) for r in range(1, 6)]
        >>> roots.append((UnsupportedFunction("OFFSET", "T!C9"), 1, 0))
        >>> [str(p) for p in function_summary(roots)]
        ['S!A1:A5, T!C9: function OFFSET is not supported by crm-xl recalc: 6 cells left as they were, and 10 cells that depend on them']
    """
    groups: dict[str, list[tuple[EvaluationError, int, int]]] = {}
    for entry in roots:
        root = entry[0]
        name = getattr(root, "name", "")
        key = f"function {name}" if name and name != "?" else root.reason
        groups.setdefault(key, []).append(entry)
    problems = []
    for group in groups.values():
        own = sum(e[1] for e in group)
        stopped = sum(e[2] for e in group)
        places = [p.where for p in grouped_problems([(e[0], 0) for e in group])]
        where = ", ".join(places[:shown]) + (
            f" and {len(places) - shown} more" if len(places) > shown else ""
        )
        reason = group[0][0].reason
        if len({e[0].reason for e in group}) > 1:
            reason += " (and like reasons)"
        message = f"{reason}: {own} cell{'s' if own != 1 else ''} left as they were"
        if stopped:
            message += f", and {stopped} cell{'s' if stopped != 1 else ''} that depend on them"
        problems.append(Problem(where, message))
    return problems
