"""crm_xl's functions called from LibreOffice Calc: what the Basic wrappers hand over, and back.

LibreOffice Calc binds ``=CRM_SCORE(…)`` in an ``.xlsx`` to a Basic function of that name
(:mod:`crm_xl.excel.libreoffice_basic` writes one per registry entry). Each wrapper hands
its arguments to the extension's Python component (:mod:`crm_xl.excel.libreoffice_bridge`,
run by LibreOffice's own Python), which calls :func:`call`. This module only converts:

In, as UNO delivers Basic's values to Python: a range is a tuple of row tuples (Basic's
1-based 2-D array), an empty cell ``None``, a number ``float`` or ``int`` (Basic keeps small
whole numbers as integers; Calc has no separate TRUE/FALSE: they arrive as 1 and 0), text
``str``. A range argument (``is_range``) becomes a list of rows even for one cell, as
xlwings passes it; any other argument one cell's value. Omitted optional arguments are
left out, so the implementation's default applies — LibreOffice gives an argument skipped
in the middle (``=CRM_SCALE(A1,,,"linear")``) as 0, unlike Excel.

Out: a number (``float``), text (error text is text, as in Excel through xlwings), ``""``
for a blank result, or a spilled range as a tuple of row tuples, which the Basic wrapper
turns into the 2-D array Calc fills an array formula with.

Example::

    >>> call("CRM_SCORE", (((85, 75, None, 70),), ((40.0, 30.0, 20.0, 10.0),)))
    79.375
    >>> call("CRM_SCORE", (((85, 75, 10, 70), (50, None, None, None)), ((40, 30, 20, 10),)))
    ((65.5,), (50.0,))
    >>> call("CRM_TIER", (55.0, ((70, 50),), (("A", "B", "C"),)))
    'B'
"""

from __future__ import annotations

from typing import Any

from crm_xl.excel.cells import error_text
from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import SPECS, FunctionSpec


def cell_in(value: Any) -> Any:
    """One cell's value as the implementations take it: whole numbers as ``float``.

    Example::

        >>> cell_in(85), cell_in(None), cell_in("East"), cell_in(2.5)
        (85.0, None, 'East', 2.5)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def rows_in(value: Any) -> list[list[Any]]:
    """A range (a tuple of row tuples) or a single cell as a list of rows.

    Example::

        >>> rows_in(((1, None), (2.5, "x"))), rows_in(7)
        ([[1.0, None], [2.5, 'x']], [[7.0]])
    """
    if isinstance(value, (tuple, list)):
        if value and all(isinstance(row, (tuple, list)) for row in value):
            return [[cell_in(c) for c in row] for row in value]
        return [[cell_in(c) for c in value]]  # a 1-D array: one row
    return [[cell_in(value)]]


def argument_in(value: Any, is_range: bool) -> Any:
    """One argument as xlwings would pass it: a list of rows for a range argument, else a
    single value (a one-cell range given where a value belongs is that cell's value).

    Example::

        >>> argument_in(((40.0,),), False), argument_in(5, True)
        (40.0, [[5.0]])
    """
    if is_range:
        return rows_in(value)
    if isinstance(value, (tuple, list)):
        rows = rows_in(value)
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    return cell_in(value)


def result_out(value: Any) -> Any:
    """What the implementation returned, as UNO hands it back to Basic.

    Example::

        >>> result_out([[1.0], [""]]), result_out(None), result_out("B")
        (((1.0,), ('',)), '', 'B')
    """
    if isinstance(value, (list, tuple)):
        rows = rows_in(value)
        return tuple(tuple(result_out(c) for c in row) for row in rows)
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "item"):  # a numpy scalar
        return result_out(value.item())
    return str(value)


def arguments_in(spec: FunctionSpec, args: tuple[Any, ...] | list[Any]) -> list[Any]:
    """The given arguments converted; ValueError when there are too few or too many (the
    Basic wrapper passes one more than the function takes when it was given more).

    Example::

        >>> arguments_in(SPECS["CRM_CHURN"], (5,))
        Traceback (most recent call last):
        ValueError: CRM_CHURN needs 2 arguments, got 1: CRM_CHURN(lost, start, [lang])
    """
    if len(args) < spec.required:
        raise ValueError(
            f"{spec.name} needs {spec.required} arguments, got {len(args)}: {spec.signature()}"
        )
    if len(args) > len(spec.arguments):
        raise ValueError(
            f"{spec.name} takes at most {len(spec.arguments)} arguments: {spec.signature()}"
        )
    return [argument_in(v, a.is_range) for v, a in zip(args, spec.arguments, strict=False)]


def call(name: str, args: tuple[Any, ...] | list[Any]) -> Any:
    """Run the ``CRM_*`` function ``name`` on the arguments a Basic wrapper handed over.

    Never raises: a wrong number of arguments, an unknown name or an unexpected failure is
    error text, as a cell shows it.

    Example::

        >>> call("CRM_NOPE", ())
        "#VALUE! crm_xl has no function 'CRM_NOPE'"
    """
    spec = SPECS.get(name)
    if spec is None:
        return error_text(f"crm_xl has no function {name!r}")
    try:
        given = arguments_in(spec, args)
    except ValueError as err:
        return error_text(str(err))
    try:
        return result_out(IMPLEMENTATIONS[name](*given))
    except Exception as err:  # a cell shows every failure, it never crashes Calc
        return error_text(f"{type(err).__name__}: {err}")
