"""crm_xl's worksheet functions for xlwings Lite: Excel on Windows, macOS and the web.

xlwings Lite runs Python inside Excel (Pyodide) and declares custom functions with
xlwings' Office.js decorators (``from xlwings import func, arg``). This module makes one
declaration per registry entry (:mod:`crm_xl.excel.registry`) — name, argument order and
defaults, the help Excel's formula builder shows, every argument read as xlwings' Office.js
code reads it — and each declaration calls the one implementation in
:mod:`crm_xl.excel.functions` that desktop Excel (:mod:`crm_xl.excel.udfs`) and
``crm-xl recalc`` call too. Users import it through :mod:`crm_xl.lite` in Lite's
``main.py`` (see ``docs/setup-xlwings-lite.md``).

The binding only converts arguments, because Office.js hands cells over differently from
classic xlwings (found in xlwings' ``pro/udfs_officejs.py`` and ``pro/_xlofficejs.py``, and
Office.js' issue tracker):

* **Empty cells.** Excel on the web and current desktop builds send an empty cell of a range
  as JS ``null`` (Pyodide: ``None``, or the ``JsNull`` sentinel from Pyodide 0.28, which
  xlwings maps to ``None``); xlwings also maps ``""`` to ``None``. So blank stays missing.
  Desktop builds from before Microsoft's fix (OfficeDev/office-js#4702, 2024) send ``0``
  for an empty cell, which no Python code can tell from a typed 0: there, update Excel.
* **Numbers.** Whole numbers arrive as Python ``int``; they are handed on as ``float``, as
  classic xlwings and the engine give them. Booleans stay booleans.
* **Errors.** With ``allowErrorForDataTypeAny`` an error cell arrives as an error object;
  ``err_to_str`` (every argument here) makes it its text, ``"#N/A"``, as elsewhere.
* **Dates.** Office.js sends a date cell as its serial number (no number format reaches a
  custom function). An argument the registry marks ``dates_with`` (RFM's recency, when
  ``as_of`` is given) has its numbers turned back into dates.
* **Single cells** arrive as one value, ranges as lists of rows (``ndim=2``); an omitted
  optional argument is the registry's default.

The help is English; with the environment variable ``CRM_XL_LANG=zh`` (xlwings Lite:
*Environment Variables*) it is Chinese.

Example (outside Excel the decorators change nothing; the conversion is the binding's)::

    >>> CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]])
    65.5
    >>> lite_cell(5), lite_cell(True), lite_cell(None)
    (5.0, True, None)
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

from xlwings import arg, func  # in xlwings Lite: the Office.js decorators

from crm_xl.excel.cells import is_empty
from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import SPECS, Argument, FunctionSpec

#: How xlwings reads each kind of argument: a range as rows, every error as its text.
RANGE = {"ndim": 2, "err_to_str": True}
SINGLE = {"err_to_str": True}

#: Excel's last date, 9999-12-31, as a serial: a bigger number is no date.
LAST_SERIAL = 2958465


def help_language() -> str:
    """The language of the help Excel shows: ``CRM_XL_LANG`` (``en`` unless ``zh``)."""
    return "zh" if os.environ.get("CRM_XL_LANG", "").lower().startswith("zh") else "en"


def lite_cell(value: Any) -> Any:
    """One cell as Office.js hands it over → as the implementations take it.

    Example::

        >>> lite_cell(3), lite_cell(2.5), lite_cell(""), lite_cell("#N/A")
        (3.0, 2.5, '', '#N/A')
    """
    if value.__class__ is int:  # not bool: TRUE stays TRUE
        return float(value)
    if value is not None and type(value).__name__ == "JsNull":  # Pyodide >= 0.28
        return None
    return value


def lite_date(value: Any) -> Any:
    """A date cell's serial (Office.js' form of a date) as a date; anything else unchanged.

    Example::

        >>> lite_date(46357.0), lite_date("x"), lite_date(None)
        (datetime.datetime(2026, 12, 1, 0, 0), 'x', None)
    """
    if isinstance(value, float) and 0 < value <= LAST_SERIAL:
        from crm_xl.calc.conversions import serial_to_datetime

        return serial_to_datetime(value)
    return value


def convert(a: Argument, value: Any, dates: bool = False) -> Any:
    """One argument as Lite hands it over → as the implementation takes it."""
    cell = (lambda v: lite_date(lite_cell(v))) if dates else lite_cell
    if isinstance(value, list):
        return [[cell(c) for c in row] if isinstance(row, list) else cell(row) for row in value]
    return a.default if value is None and a.optional else cell(value)


def declare(
    spec: FunctionSpec,
    impl: Callable[..., Any],
    lang: str = "en",
    decorate: tuple[Callable[..., Any], Callable[..., Any]] = (func, arg),
) -> Callable[..., Any]:
    """The function xlwings Lite declares to Excel for ``spec``, calling ``impl``.

    xlwings reads the name, the docstring (the description), the signature (set as
    ``__signature__``: the registry's names, order and defaults) and each ``arg``'s ``doc``
    and conversion options. ``decorate`` is ``(func, arg)``: by default xlwings'.
    """
    xl_func, xl_arg = decorate
    arguments = spec.arguments
    given = {a.name: i for i, a in enumerate(arguments)}

    def declared(*args):  # no type hints: xlwings would take them for converters
        args = list(args) + [a.default for a in arguments[len(args) :]]
        dated = {
            a.name for a in arguments if a.dates_with and not is_empty(args[given[a.dates_with]])
        }
        return impl(*(convert(a, v, a.name in dated) for a, v in zip(arguments, args, strict=True)))

    declared.__name__ = declared.__qualname__ = spec.name
    declared.__doc__ = getattr(spec.description, lang) or spec.description.en
    declared.__signature__ = inspect.Signature(
        [
            inspect.Parameter(
                a.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=a.default if a.optional else inspect.Parameter.empty,
            )
            for a in arguments
        ]
    )
    for a in reversed(arguments):
        doc = getattr(a.help, lang) or a.help.en
        declared = xl_arg(a.name, doc=doc, **(RANGE if a.is_range else SINGLE))(declared)
    return xl_func(declared)


def declarations(lang: str | None = None) -> dict[str, Callable[..., Any]]:
    """Every ``CRM_*`` function as xlwings Lite declares it, by name."""
    lang = lang or help_language()
    return {name: declare(spec, IMPLEMENTATIONS[name], lang) for name, spec in SPECS.items()}


globals().update(declarations())

__all__ = sorted(SPECS)
