"""The ``CRM_*`` functions as the headless engine calls them (:mod:`crm_xl.calc.custom`).

Example::

    >>> functions = engine_functions()
    >>> f = functions["CRM_SCORE"]
    >>> [(p.name, p.as_range, p.optional) for p in f.params]
    [('values', True, False), ('weights', True, False), ('normalize', False, True)]
    >>> f.call([[85, 75, 10, 70]], [[40, 30, 20, 10]], False)
    65.5
"""

from __future__ import annotations

import ast
import functools
import inspect
from pathlib import Path

from crm_xl.calc.custom import CustomFunction, Param
from crm_xl.excel.functions import FUNCTIONS


@functools.cache
def _range_params() -> dict[str, set[str]]:
    """Per function, the parameters :mod:`crm_xl.excel.udfs` declares with ``**RANGE``
    (xlwings' ``ndim=2, err_to_str=True``).

    To go: the registry is to say this itself, and the declarations be made from it.
    """
    tree = ast.parse((Path(__file__).parent / "udfs.py").read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        found[fn.name] = {
            dec.args[0].value
            for dec in fn.decorator_list
            if isinstance(dec, ast.Call)
            and isinstance(dec.func, ast.Attribute)
            and dec.func.attr == "arg"
            and dec.args
            and isinstance(dec.args[0], ast.Constant)
            and any(k.arg is None and getattr(k.value, "id", "") == "RANGE" for k in dec.keywords)
        }
    return found


@functools.cache
def engine_functions() -> dict[str, CustomFunction]:
    """Every ``CRM_*`` function, by name, for :class:`crm_xl.calc.evaluator.Workbook`."""
    out = {}
    for name, info in FUNCTIONS.items():
        params = list(inspect.signature(info.impl).parameters.values())
        ranges = _range_params().get(name, {p.name for p in params})
        out[name] = CustomFunction(
            name,
            info.impl,
            tuple(
                Param(
                    p.name,
                    as_range=p.name in ranges,
                    default=None if p.default is inspect.Parameter.empty else p.default,
                    optional=p.default is not inspect.Parameter.empty,
                )
                for p in params
            ),
        )
    return out
