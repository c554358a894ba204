"""crm_xl: customer-management scoring for Excel users.

The public API, imported lazily so that the ``crm-xl`` command starts fast::

    >>> import crm_xl
    >>> crm_xl.weighted_score([85, 75, 10, 70], [40, 30, 20, 10]).value
    65.5
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name → module that defines it
_API = {
    "Result": "crm_xl.result",
    "Undefined": "crm_xl.result",
    "CrmError": "crm_xl.errors",
    "Problem": "crm_xl.errors",
    # KPIs
    "churn_rate": "crm_xl.kpis",
    "retention_rate": "crm_xl.kpis",
    "clv": "crm_xl.kpis",
    "clv_margin": "crm_xl.kpis",
    "cac": "crm_xl.kpis",
    "nps": "crm_xl.kpis",
    "csat": "crm_xl.kpis",
    "ces": "crm_xl.kpis",
    "sales_growth": "crm_xl.kpis",
    # normalisation
    "linear": "crm_xl.normalize",
    "form_scale": "crm_xl.normalize",
    "min_max": "crm_xl.normalize",
    # models
    "weighted_score": "crm_xl.scoring",
    "multidimensional_score": "crm_xl.scoring",
    "explain": "crm_xl.scoring",
    "Score": "crm_xl.scoring",
    "assign_tiers": "crm_xl.tiers",
    "SEED_004_SPEND_TIERS": "crm_xl.tiers",
    "rfm_scores": "crm_xl.rfm",
    "rfm_segments": "crm_xl.rfm",
    "ahp_weights": "crm_xl.weight_methods",
    "entropy_weights": "crm_xl.weight_methods",
    # scorecards and tables
    "Scorecard": "crm_xl.scorecard",
    "load_scorecard": "crm_xl.scorecard",
    "parse_scorecard": "crm_xl.scorecard",
    "read_table": "crm_xl.tables",
    "write_table": "crm_xl.tables",
    "rate": "crm_xl.rating",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crm_xl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
