"""Customer KPIs as worksheet functions: churn, retention, growth, CAC, CLV (two forms), NPS,
CSAT and CES (the formulas are :mod:`crm_xl.core.kpis`).

The rate and money KPIs work cell by cell over same-sized ranges (or single cells) and keep
their shape; the survey KPIs take every answer of a range and give one number.

Example::

    >>> CRM_CHURN(5, 0)
    '#DIV/0! no customers at the start of the period (start = 0): churn rate has no value'
    >>> CRM_NPS([[10, 9, 9, 8, 7, 7, 6, 5, 3, 10]])
    10.0
"""

from __future__ import annotations

from typing import Any

from crm_xl.core import kpis
from crm_xl.excel.arguments import elementwise, number_arg, text_arg, worksheet_function
from crm_xl.excel.cells import flat, show


@worksheet_function
def CRM_CHURN(lost: Any, start: Any, lang: Any = None) -> Any:
    """Churn rate in %, cell by cell: lost / start × 100."""
    return elementwise(kpis.churn_rate, lost, start)


@worksheet_function
def CRM_RETENTION(start: Any, end: Any, new: Any, lang: Any = None) -> Any:
    """Retention rate in %, cell by cell: (end − new) / start × 100."""
    return elementwise(kpis.retention_rate, start, end, new)


@worksheet_function
def CRM_GROWTH(before: Any, after: Any, lang: Any = None) -> Any:
    """Sales growth in %, cell by cell: (after − before) / before × 100."""
    return elementwise(kpis.sales_growth, before, after)


@worksheet_function
def CRM_CAC(cost: Any, new_customers: Any, lang: Any = None) -> Any:
    """Customer acquisition cost, cell by cell: cost / new customers."""
    return elementwise(kpis.cac, cost, new_customers)


@worksheet_function
def CRM_CLV(annual_revenue: Any, years: Any, cac: Any, lang: Any = None) -> Any:
    """Customer lifetime value, cell by cell: annual revenue × years − CAC."""
    return elementwise(kpis.clv, annual_revenue, years, cac)


@worksheet_function
def CRM_CLV_MARGIN(margin: Any, retention: Any, discount_rate: Any, lang: Any = None) -> Any:
    """Customer lifetime value, margin form, cell by cell: m × r / (1 + i − r)."""
    return elementwise(kpis.clv_margin, margin, retention, discount_rate)


@worksheet_function
def CRM_NPS(responses: Any, lang: Any = None) -> Any:
    """Net Promoter Score of every answer in the range: % promoters − % detractors."""
    return show(kpis.nps(flat(responses)))


@worksheet_function
def CRM_CSAT(responses: Any, scale: Any = None, method: Any = None, lang: Any = None) -> Any:
    """Customer satisfaction of every answer in the range: top-two-box share, or the mean."""
    s = int(number_arg(scale, "scale", 5))
    return show(kpis.csat(flat(responses), scale=s, method=text_arg(method, "top2box")))


@worksheet_function
def CRM_CES(responses: Any, scale: Any = None, lang: Any = None) -> Any:
    """Customer effort score of every answer in the range: their mean."""
    return show(kpis.ces(flat(responses), scale=int(number_arg(scale, "scale", 7))))
