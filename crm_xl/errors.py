"""Errors a user can act on: each problem names where it is and what is wrong.

A :class:`CrmError` carries every problem found, not just the first, so a user fixes a
scorecard file or a table in one pass. The CLI prints one line per problem.

Example::

    >>> err = CrmError([Problem("indicators[2].weight", "must be a number, got 'forty'")])
    >>> print(err)
    indicators[2].weight: must be a number, got 'forty'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem: ``where`` (a key path, ``sheet!cell``, ``row 7, column 'x'``) and ``message``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class CrmError(Exception):
    """Input that crm_xl cannot use. ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem] | str, where: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(where, problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def prefixed(self, prefix: str) -> CrmError:
        """The same problems with ``prefix`` (a file name, say) in front of each location,
        once: a problem that already names it is left as it is.

        Example::

            >>> err = CrmError([Problem("Model!F5", "not a number"), Problem("b.xlsx", "damaged")])
            >>> print(err.prefixed("b.xlsx"))
            b.xlsx: Model!F5: not a number
            b.xlsx: damaged
        """
        return CrmError(_prefixed(p, prefix) for p in self.problems)


def _prefixed(problem: Problem, prefix: str) -> Problem:
    where = problem.where
    if where == prefix or where.startswith(f"{prefix}: "):
        return problem
    return Problem(f"{prefix}: {where}" if where else prefix, problem.message)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one: the count in a message for people.

    Example::

        >>> counted(1, "customer"), counted(0, "customer"), counted(2, "entry", "entries")
        ('1 customer', '0 customers', '2 entries')
    """
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


#: Excel's error values, in ERROR.TYPE order (``#NULL!`` is 1, ``#GETTING_DATA`` 8): what a
#: cell of type ``e`` may store and what the formula engine computes.
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
#: The errors of dynamic arrays (Excel 365), which a range may also show as text.
DYNAMIC_ARRAY_ERRORS = ("#SPILL!", "#CALC!")
#: Every error as text, the way xlwings (``err_to_str``) and calamine pass a cell's error.
ERROR_TEXTS = frozenset(EXCEL_ERRORS + DYNAMIC_ARRAY_ERRORS)
