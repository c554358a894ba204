"""What the engine needs to know of a function it does not define itself (``CRM_*``).

The engine is below the layer that defines crm_xl's worksheet functions, so it never
imports them: whoever builds a :class:`~crm_xl.calc.evaluator.Workbook` hands it the
custom functions as :class:`CustomFunction` records, and the engine calls them the way
desktop Excel calls them through xlwings:

* a parameter with ``as_range`` gets a list of rows (even for a single cell), Excel errors
  as their text (``"#N/A"``), empty cells as None, dates as :class:`datetime.datetime`
  where the cell is date-formatted — xlwings' ``ndim=2, err_to_str=True``;
* any other parameter gets the plain value of a single cell (errors as None);
* an omitted optional argument gets its ``default``;
* the result is what the cell shows: a number, text, a list of rows that spills, ``""``
  for a blank. ``call`` must not raise; text that starts with an error code is that error
  with a reason (see :mod:`crm_xl.excel.cells`).

Example::

    >>> double = CustomFunction("DOUBLE", lambda x: x * 2, (Param("x", as_range=False),))
    >>> double.required, double.call(21)
    (1, 42)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One parameter of a custom function, in order."""

    name: str
    as_range: bool  # passed as a list of rows with errors as text
    default: Any = None
    optional: bool = False


@dataclass(frozen=True)
class CustomFunction:
    """A function the engine calls by name: ``call(*arguments)`` → the cell's value."""

    name: str
    call: Callable[..., Any]
    params: tuple[Param, ...]
    # one result per row of the first argument (a list of one-element rows), each from its
    # own row, the other arguments alike for every row: the engine may then compute a
    # column of such formulas (``=F(B2:E2,…)`` filled down) in one call with every row
    row_wise: bool = False
    # ... only when the parameter of this name is given
    row_wise_with: str = ""

    @property
    def required(self) -> int:
        """How many arguments a formula must give."""
        return sum(not p.optional for p in self.params)


#: name (upper case) → function
CustomFunctions = Mapping[str, CustomFunction]
