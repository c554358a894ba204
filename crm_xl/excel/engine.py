"""The ``CRM_*`` functions as the headless engine calls them (:mod:`crm_xl.calc.custom`).

Built from the registry (:mod:`crm_xl.excel.registry`): each argument's name, whether it is
passed as a range, whether it is optional and its default, whether the function works row
by row; the call is the implementation
(:mod:`crm_xl.excel.functions`) that Excel runs through xlwings too.

Example::

    >>> functions = engine_functions()
    >>> f = functions["CRM_SCORE"]
    >>> [(p.name, p.as_range, p.optional) for p in f.params]
    [('values', True, False), ('weights', True, False), ('normalize', False, True), ('lang', False, True)]
    >>> f.call([[85, 75, 10, 70]], [[40, 30, 20, 10]], False)
    65.5
"""

from __future__ import annotations

import functools

from crm_xl.calc.custom import CustomFunction, Param
from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import SPECS


@functools.cache
def engine_functions() -> dict[str, CustomFunction]:
    """Every ``CRM_*`` function, by name, for :class:`crm_xl.calc.evaluator.Workbook`."""
    return {
        name: CustomFunction(
            name,
            IMPLEMENTATIONS[name],
            tuple(
                Param(a.name, as_range=a.is_range, default=a.default, optional=a.optional)
                for a in spec.arguments
            ),
            row_wise=spec.result.row_wise,
            row_wise_with=spec.result.row_wise_with,
        )
        for name, spec in SPECS.items()
    }
