"""crm_xl's worksheet functions for desktop Excel, through xlwings.

Put ``crm_xl.udfs`` in xlwings' **UDF Modules** setting (the ``xlwings.conf`` sheet or the
ribbon) and click *Import Functions*; then type ``=CRM_SCORE(...)`` in a cell. The module
imports on its own: ``python -c "import crm_xl.udfs"``.

This module only declares the functions to Excel — name, argument order, help for the
function wizard, the "CRM" category, ranges passed as lists of rows with Excel errors as
text — and calls the one implementation in :mod:`crm_xl.excel.functions`, which the headless
recalculation calls too. So Excel and ``crm-xl recalc`` show the same values.

Results that are lists of rows spill (dynamic arrays, Excel 365/2021); xlwings runs UDFs
on Windows only, so on macOS use the workbook's macros or ``crm-xl recalc``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from crm_xl.excel import functions as impl

CATEGORY = impl.CATEGORY
RANGE = {"ndim": 2, "err_to_str": True}  # every cell as a list of rows; errors as "#N/A"


def _described(f: Callable[..., Any]) -> Callable[..., Any]:
    """Take the wizard description from the registry (applied first, before xlwings reads it)."""
    f.__doc__ = impl.FUNCTIONS[f.__name__].en
    return f


def _help(name: str, arg: str) -> str:
    return impl.FUNCTIONS[name].args[arg]


@xw.func(category=CATEGORY)
@xw.arg("values", doc=_help("CRM_SCORE", "values"), **RANGE)
@xw.arg("weights", doc=_help("CRM_SCORE", "weights"), **RANGE)
@xw.arg("normalize", doc=_help("CRM_SCORE", "normalize"))
@_described
def CRM_SCORE(values, weights, normalize=False):
    return impl.CRM_SCORE(values, weights, normalize)


@xw.func(category=CATEGORY)
@xw.arg("values", doc=_help("CRM_MULTISCORE", "values"), **RANGE)
@xw.arg("weights", doc=_help("CRM_MULTISCORE", "weights"), **RANGE)
@xw.arg("dimensions", doc=_help("CRM_MULTISCORE", "dimensions"), **RANGE)
@xw.arg("dimension_names", doc=_help("CRM_MULTISCORE", "dimension_names"), **RANGE)
@xw.arg("dimension_weights", doc=_help("CRM_MULTISCORE", "dimension_weights"), **RANGE)
@_described
def CRM_MULTISCORE(values, weights, dimensions, dimension_names, dimension_weights):
    return impl.CRM_MULTISCORE(values, weights, dimensions, dimension_names, dimension_weights)


@xw.func(category=CATEGORY)
@xw.arg("values", doc=_help("CRM_INDICATORS_USED", "values"), **RANGE)
@xw.arg("weights", doc=_help("CRM_INDICATORS_USED", "weights"), **RANGE)
@_described
def CRM_INDICATORS_USED(values, weights):
    return impl.CRM_INDICATORS_USED(values, weights)


@xw.func(category=CATEGORY)
@xw.arg("values", doc=_help("CRM_EXPLAIN", "values"), **RANGE)
@xw.arg("weights", doc=_help("CRM_EXPLAIN", "weights"), **RANGE)
@xw.arg("normalize", doc=_help("CRM_EXPLAIN", "normalize"))
@_described
def CRM_EXPLAIN(values, weights, normalize=False):
    return impl.CRM_EXPLAIN(values, weights, normalize)


@xw.func(category=CATEGORY)
@xw.arg("value", doc=_help("CRM_NORMALIZE", "value"), **RANGE)
@xw.arg("floor", doc=_help("CRM_NORMALIZE", "floor"), **RANGE)
@xw.arg("target", doc=_help("CRM_NORMALIZE", "target"), **RANGE)
@xw.arg("direction", doc=_help("CRM_NORMALIZE", "direction"))
@_described
def CRM_NORMALIZE(value, floor, target, direction=None):
    return impl.CRM_NORMALIZE(value, floor, target, direction)


@xw.func(category=CATEGORY)
@xw.arg("values", doc=_help("CRM_SCALE", "values"), **RANGE)
@xw.arg("scale", doc=_help("CRM_SCALE", "scale"))
@xw.arg("floor", doc=_help("CRM_SCALE", "floor"))
@xw.arg("target", doc=_help("CRM_SCALE", "target"))
@xw.arg("direction", doc=_help("CRM_SCALE", "direction"))
@_described
def CRM_SCALE(values, scale, floor=None, target=None, direction=None):
    return impl.CRM_SCALE(values, scale, floor, target, direction)


@xw.func(category=CATEGORY)
@xw.arg("answers", doc=_help("CRM_FORM_SCORE", "answers"), **RANGE)
@xw.arg("low", doc=_help("CRM_FORM_SCORE", "low"))
@xw.arg("high", doc=_help("CRM_FORM_SCORE", "high"))
@_described
def CRM_FORM_SCORE(answers, low=None, high=None):
    return impl.CRM_FORM_SCORE(answers, low, high)


@xw.func(category=CATEGORY)
@xw.arg("values", doc=_help("CRM_MINMAX", "values"), **RANGE)
@xw.arg("direction", doc=_help("CRM_MINMAX", "direction"))
@_described
def CRM_MINMAX(values, direction=None):
    return impl.CRM_MINMAX(values, direction)


@xw.func(category=CATEGORY)
@xw.arg("lost", doc=_help("CRM_CHURN", "lost"), **RANGE)
@xw.arg("start", doc=_help("CRM_CHURN", "start"), **RANGE)
@_described
def CRM_CHURN(lost, start):
    return impl.CRM_CHURN(lost, start)


@xw.func(category=CATEGORY)
@xw.arg("start", doc=_help("CRM_RETENTION", "start"), **RANGE)
@xw.arg("end", doc=_help("CRM_RETENTION", "end"), **RANGE)
@xw.arg("new", doc=_help("CRM_RETENTION", "new"), **RANGE)
@_described
def CRM_RETENTION(start, end, new):
    return impl.CRM_RETENTION(start, end, new)


@xw.func(category=CATEGORY)
@xw.arg("before", doc=_help("CRM_GROWTH", "before"), **RANGE)
@xw.arg("after", doc=_help("CRM_GROWTH", "after"), **RANGE)
@_described
def CRM_GROWTH(before, after):
    return impl.CRM_GROWTH(before, after)


@xw.func(category=CATEGORY)
@xw.arg("cost", doc=_help("CRM_CAC", "cost"), **RANGE)
@xw.arg("new_customers", doc=_help("CRM_CAC", "new_customers"), **RANGE)
@_described
def CRM_CAC(cost, new_customers):
    return impl.CRM_CAC(cost, new_customers)


@xw.func(category=CATEGORY)
@xw.arg("annual_revenue", doc=_help("CRM_CLV", "annual_revenue"), **RANGE)
@xw.arg("years", doc=_help("CRM_CLV", "years"), **RANGE)
@xw.arg("cac", doc=_help("CRM_CLV", "cac"), **RANGE)
@_described
def CRM_CLV(annual_revenue, years, cac):
    return impl.CRM_CLV(annual_revenue, years, cac)


@xw.func(category=CATEGORY)
@xw.arg("margin", doc=_help("CRM_CLV_MARGIN", "margin"), **RANGE)
@xw.arg("retention", doc=_help("CRM_CLV_MARGIN", "retention"), **RANGE)
@xw.arg("discount_rate", doc=_help("CRM_CLV_MARGIN", "discount_rate"), **RANGE)
@_described
def CRM_CLV_MARGIN(margin, retention, discount_rate):
    return impl.CRM_CLV_MARGIN(margin, retention, discount_rate)


@xw.func(category=CATEGORY)
@xw.arg("responses", doc=_help("CRM_NPS", "responses"), **RANGE)
@_described
def CRM_NPS(responses):
    return impl.CRM_NPS(responses)


@xw.func(category=CATEGORY)
@xw.arg("responses", doc=_help("CRM_CSAT", "responses"), **RANGE)
@xw.arg("scale", doc=_help("CRM_CSAT", "scale"))
@xw.arg("method", doc=_help("CRM_CSAT", "method"))
@_described
def CRM_CSAT(responses, scale=None, method=None):
    return impl.CRM_CSAT(responses, scale, method)


@xw.func(category=CATEGORY)
@xw.arg("responses", doc=_help("CRM_CES", "responses"), **RANGE)
@xw.arg("scale", doc=_help("CRM_CES", "scale"))
@_described
def CRM_CES(responses, scale=None):
    return impl.CRM_CES(responses, scale)


@xw.func(category=CATEGORY)
@xw.arg("value", doc=_help("CRM_TIER", "value"), **RANGE)
@xw.arg("thresholds", doc=_help("CRM_TIER", "thresholds"), **RANGE)
@xw.arg("labels", doc=_help("CRM_TIER", "labels"), **RANGE)
@xw.arg("at_threshold", doc=_help("CRM_TIER", "at_threshold"))
@_described
def CRM_TIER(value, thresholds, labels, at_threshold=None):
    return impl.CRM_TIER(value, thresholds, labels, at_threshold)


@xw.func(category=CATEGORY)
@xw.arg("recency", doc=_help("CRM_RFM", "recency"), **RANGE)
@xw.arg("frequency", doc=_help("CRM_RFM", "frequency"), **RANGE)
@xw.arg("monetary", doc=_help("CRM_RFM", "monetary"), **RANGE)
@xw.arg("scheme", doc=_help("CRM_RFM", "scheme"))
@xw.arg("lang", doc=_help("CRM_RFM", "lang"))
@xw.arg("as_of", doc=_help("CRM_RFM", "as_of"))
@_described
def CRM_RFM(recency, frequency, monetary, scheme=None, lang=None, as_of=None):
    return impl.CRM_RFM(recency, frequency, monetary, scheme, lang, as_of)


@xw.func(category=CATEGORY)
@xw.arg("recency", doc=_help("CRM_RFM_CODE", "recency"), **RANGE)
@xw.arg("frequency", doc=_help("CRM_RFM_CODE", "frequency"), **RANGE)
@xw.arg("monetary", doc=_help("CRM_RFM_CODE", "monetary"), **RANGE)
@xw.arg("as_of", doc=_help("CRM_RFM_CODE", "as_of"))
@_described
def CRM_RFM_CODE(recency, frequency, monetary, as_of=None):
    return impl.CRM_RFM_CODE(recency, frequency, monetary, as_of)


@xw.func(category=CATEGORY)
@xw.arg("matrix", doc=_help("CRM_AHP", "matrix"), **RANGE)
@xw.arg("output", doc=_help("CRM_AHP", "output"))
@_described
def CRM_AHP(matrix, output=None):
    return impl.CRM_AHP(matrix, output)


@xw.func(category=CATEGORY)
@xw.arg("matrix", doc=_help("CRM_AHP_CR", "matrix"), **RANGE)
@_described
def CRM_AHP_CR(matrix):
    return impl.CRM_AHP_CR(matrix)


@xw.func(category=CATEGORY)
@xw.arg("matrix", doc=_help("CRM_ENTROPY_WEIGHTS", "matrix"), **RANGE)
@xw.arg("directions", doc=_help("CRM_ENTROPY_WEIGHTS", "directions"), **RANGE)
@_described
def CRM_ENTROPY_WEIGHTS(matrix, directions=None):
    return impl.CRM_ENTROPY_WEIGHTS(matrix, directions)


__all__ = sorted(name for name in dir() if name.startswith("CRM_"))
