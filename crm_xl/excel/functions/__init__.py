"""The ``CRM_*`` worksheet functions: one implementation for Excel and for headless mode.

Each function takes cell values as a worksheet gives them (a value, or a range as a list
of rows) and returns what the cell shows (see :mod:`crm_xl.excel.cells`): a number, text, a
spilled range as a list of rows, ``""`` for a blank row, or error text with the reason.
They never raise: a problem with the whole call becomes one error text
(:func:`crm_xl.excel.arguments.worksheet_function`).

The implementations live in modules by topic — scores, normalization, kpis, segments (tiers
and RFM), weights — and are all importable from here; :data:`IMPLEMENTATIONS` finds them by
name. What users see of them (description, argument help, which arguments take ranges) is
the registry's (:mod:`crm_xl.excel.registry`); the bindings join the two by name.

Example::

    >>> CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]])
    65.5
    >>> IMPLEMENTATIONS["CRM_CHURN"](5, 100)
    5.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_xl.excel.functions.kpis import (
    CRM_CAC,
    CRM_CES,
    CRM_CHURN,
    CRM_CLV,
    CRM_CLV_MARGIN,
    CRM_CSAT,
    CRM_GROWTH,
    CRM_NPS,
    CRM_RETENTION,
)
from crm_xl.excel.functions.normalization import (
    CRM_FORM_SCORE,
    CRM_MINMAX,
    CRM_NORMALIZE,
    CRM_SCALE,
)
from crm_xl.excel.functions.scores import (
    CRM_EXPLAIN,
    CRM_INDICATORS_USED,
    CRM_MULTISCORE,
    CRM_SCORE,
)
from crm_xl.excel.functions.segments import CRM_RFM, CRM_RFM_CODE, CRM_RFM_ROW, CRM_TIER
from crm_xl.excel.functions.weights import CRM_AHP, CRM_AHP_CR, CRM_ENTROPY_WEIGHTS

#: name → implementation, in the registry's order.
IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        CRM_SCORE,
        CRM_MULTISCORE,
        CRM_INDICATORS_USED,
        CRM_EXPLAIN,
        CRM_NORMALIZE,
        CRM_SCALE,
        CRM_FORM_SCORE,
        CRM_MINMAX,
        CRM_CHURN,
        CRM_RETENTION,
        CRM_GROWTH,
        CRM_CAC,
        CRM_CLV,
        CRM_CLV_MARGIN,
        CRM_NPS,
        CRM_CSAT,
        CRM_CES,
        CRM_TIER,
        CRM_RFM,
        CRM_RFM_ROW,
        CRM_RFM_CODE,
        CRM_AHP,
        CRM_AHP_CR,
        CRM_ENTROPY_WEIGHTS,
    )
}

__all__ = ["IMPLEMENTATIONS", *IMPLEMENTATIONS]
