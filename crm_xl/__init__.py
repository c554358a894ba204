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
    "Result": "crm_xl.core.result",
    "Undefined": "crm_xl.core.result",
    "CrmError": "crm_xl.errors",
    "Problem": "crm_xl.errors",
    # KPIs
    "churn_rate": "crm_xl.core.kpis",
    "retention_rate": "crm_xl.core.kpis",
    "clv": "crm_xl.core.kpis",
    "clv_margin": "crm_xl.core.kpis",
    "cac": "crm_xl.core.kpis",
    "nps": "crm_xl.core.kpis",
    "csat": "crm_xl.core.kpis",
    "ces": "crm_xl.core.kpis",
    "sales_growth": "crm_xl.core.kpis",
    # normalisation
    "linear": "crm_xl.core.normalize",
    "form_scale": "crm_xl.core.normalize",
    "min_max": "crm_xl.core.normalize",
    # models
    "weighted_score": "crm_xl.core.scoring",
    "multidimensional_score": "crm_xl.core.scoring",
    "explain": "crm_xl.core.scoring",
    "Score": "crm_xl.core.scoring",
    "assign_tiers": "crm_xl.core.tiers",
    "ANNUAL_SPEND_TIERS": "crm_xl.core.tiers",
    "SEED_004_SPEND_TIERS": "crm_xl.core.tiers",  # the former name of ANNUAL_SPEND_TIERS
    "rfm_scores": "crm_xl.core.rfm",
    "rfm_segments": "crm_xl.core.rfm",
    "ahp_weights": "crm_xl.core.weight_methods",
    "entropy_weights": "crm_xl.core.weight_methods",
    # scorecards and tables
    "Scorecard": "crm_xl.core.scorecard",
    "load_scorecard": "crm_xl.core.scorecard",
    "parse_scorecard": "crm_xl.core.scorecard",
    "read_table": "crm_xl.files.tables",
    "write_table": "crm_xl.files.tables",
    "rate": "crm_xl.core.rating",
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
