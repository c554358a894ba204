"""crm_xl's worksheet functions for desktop Excel, through xlwings.

Put ``crm_xl.udfs`` in xlwings' **UDF Modules** setting (the ``xlwings.conf`` sheet or the
ribbon) and click *Import Functions*; then type ``=CRM_SCORE(...)`` in a cell. The module
imports on its own: ``python -c "import crm_xl.udfs"``.

This module only declares the functions to Excel, one per registry entry
(:mod:`crm_xl.excel.registry`): name, argument order and defaults, help for the function
wizard, the "CRM" category, range arguments passed as lists of rows with Excel errors as
text. Each declaration calls the one implementation in :mod:`crm_xl.excel.functions`, which
the headless recalculation calls too. So Excel and ``crm-xl recalc`` show the same values.

Results that are lists of rows spill (dynamic arrays, Excel 365/2021); xlwings runs UDFs
on Windows only, so on macOS use the workbook's macros or ``crm-xl recalc``.

Example::

    >>> CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]])
    65.5
    >>> import inspect
    >>> str(inspect.signature(CRM_SCORE))
    '(values, weights, normalize=False, lang=None)'
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import xlwings as xw

from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import CATEGORY, SPECS, FunctionSpec

RANGE = {"ndim": 2, "err_to_str": True}  # every cell as a list of rows; errors as "#N/A"


def declare(spec: FunctionSpec, impl: Callable[..., Any]) -> Callable[..., Any]:
    """The function xlwings declares to Excel for ``spec``, calling ``impl``.

    xlwings reads a function's name, docstring (the wizard's description), signature
    (argument names, order, which are optional and their defaults) and type hints (as
    converters: there are none). The signature is the registry's, set as ``__signature__``,
    which ``inspect.signature`` — and so xlwings — reports.
    """

    def declared(*args, **kwargs):  # no type hints: xlwings would take them for converters
        return impl(*args, **kwargs)

    declared.__name__ = declared.__qualname__ = spec.name
    declared.__doc__ = spec.description.en
    declared.__signature__ = inspect.Signature(
        [
            inspect.Parameter(
                a.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=a.default if a.optional else inspect.Parameter.empty,
            )
            for a in spec.arguments
        ]
    )
    # xw.arg, then xw.func: the order of the hand-written decorator stacks
    for a in reversed(spec.arguments):
        declared = xw.arg(a.name, doc=a.help.en, **(RANGE if a.is_range else {}))(declared)
    return xw.func(category=CATEGORY)(declared)


globals().update({name: declare(spec, IMPLEMENTATIONS[name]) for name, spec in SPECS.items()})

__all__ = sorted(SPECS)
