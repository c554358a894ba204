"""What a worksheet function's registry entry holds: :class:`FunctionSpec` and its parts.

Example::

    >>> spec = FunctionSpec(
    ...     "F", Text("f"), (Argument("x", Text("x", "x 值")),), Result(Text("a number"), spills=False), "=F(1)"
    ... )
    >>> spec.signature(), spec.arguments[0].help.zh
    ('F(x)', 'x 值')
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Text:
    """A text users read, in English and Chinese; an empty ``zh`` means "show the English"."""

    en: str
    zh: str = ""


@dataclass(frozen=True)
class Argument:
    """One argument of a worksheet function."""

    name: str  # the parameter name: users' formulas and Excel's wizard show it
    help: Text
    is_range: bool = False  # a list of rows with errors as text; else one cell's value
    optional: bool = False
    default: Any = None  # what an omitted optional argument is
    # the argument whose being given says this one holds dates (RFM's recency with as_of):
    # for bindings that receive dates as bare serial numbers (xlwings Lite, Office.js)
    dates_with: str = ""


#: The optional last argument of every ``CRM_*`` function: the language of its error texts.
#: crm_xl's workbooks pass their ``crm_lang`` name, so a cell's text is the same in every
#: binding (the formula carries the language); formulas without it show English.
LANG = Argument(
    "lang",
    Text(
        'Optional: "en" (default) or "zh", the language of error texts; crm_xl workbooks pass crm_lang.',
        '可选:"en"(默认)或 "zh",错误说明的语言;crm_xl 工作簿传入 crm_lang。',
    ),
    optional=True,
)


@dataclass(frozen=True)
class Result:
    """What a worksheet function returns."""

    help: Text
    spills: bool  # may return a list of rows (a dynamic array); False: always one value
    # one result per row of the first argument, each row's from that row alone (the other
    # arguments the same for every row, or each a cell of that row): a column of such
    # formulas is one call
    row_wise: bool = False
    # ... but only when this argument is given (CRM_SCALE's minmax needs its whole column)
    row_wise_with: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    """Everything about one worksheet function except its implementation."""

    name: str
    description: Text  # one line: the wizard's description
    arguments: tuple[Argument, ...]
    result: Result
    example: str  # a formula and what it shows

    def __post_init__(self) -> None:
        # xlwings, VBA and Office.js all need the optional arguments last
        flags = [a.optional for a in self.arguments]
        if flags != sorted(flags):
            raise ValueError(f"{self.name}: optional arguments must come after required ones")
        for a in self.arguments:
            if not a.name.isidentifier() or (a.default is not None and not a.optional):
                raise ValueError(f"{self.name}: argument {a.name!r} is not a parameter")
            if a.dates_with and a.dates_with not in {b.name for b in self.arguments}:
                raise ValueError(f"{self.name}: {a.name} has dates with {a.dates_with!r}")

    @property
    def required(self) -> int:
        """How many arguments a formula must give."""
        return sum(not a.optional for a in self.arguments)

    def argument(self, name: str) -> Argument:
        """The argument called ``name``.

        Example::

            >>> from crm_xl.excel.registry import SPECS
            >>> SPECS["CRM_TIER"].argument("at_threshold").optional
            True
        """
        for a in self.arguments:
            if a.name == name:
                return a
        raise KeyError(f"{self.name} has no argument {name!r}")

    def with_lang(self) -> FunctionSpec:
        """This entry with :data:`LANG` as its last argument, unless it has a ``lang`` already
        (CRM_RFM's, which names the segments too).

        Example::

            >>> f = FunctionSpec("F", Text("f"), (Argument("x", Text("x")),), Result(Text("n"), spills=False), "=F(1)")
            >>> f.with_lang().signature()
            'F(x, [lang])'
        """
        if any(a.name == LANG.name for a in self.arguments):
            return self
        return replace(self, arguments=(*self.arguments, LANG))

    def signature(self) -> str:
        """The call as the reference page writes it, optional arguments in brackets."""
        names = (f"[{a.name}]" if a.optional else a.name for a in self.arguments)
        return f"{self.name}({', '.join(names)})"
