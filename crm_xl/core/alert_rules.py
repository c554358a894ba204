"""The early-warning rules of the evaluation report (预警规则): their names, defaults and checks.

A team changes them in its model — the ``[early_warning]`` table of a scorecard file, or
the Model sheet's early-warning table in a workbook — and the report
(:mod:`crm_xl.report.early_warnings`) applies them. Every rule has a sensible default, so a
model without the table warns as the docs say:

=====================  =======  =================================================================
key                    default  warns when
=====================  =======  =================================================================
``falling_periods``    2        a figure fell this many periods running (0: never)
``drop_points``        5        a figure fell by more than this many points since the last period
``composite_floor``    60       the self-assessment composite (0–100) is below this
``score_floor``        50       the customers' mean score (0–100) is below this
``downgraded_top``     1        at least this many top-tier customers moved down a tier (0: never)
``inactive_days``      180      customers have not bought for more than this many days
``item_floor``         2        a self-assessment item is answered this or lower (1–5)
=====================  =======  =================================================================

Example::

    >>> rules = parse_rules({"falling_periods": 3, "inactive_days": 90})
    >>> rules.falling_periods, rules.inactive_days, rules.item_floor
    (3, 90.0, 2.0)
    >>> parse_rules({"falling_period": 3})
    Traceback (most recent call last):
    ...
    crm_xl.errors.CrmError: early_warning.falling_period: unknown key (did you mean 'falling_periods'?)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from crm_xl.errors import CrmError, Problem


@dataclass(frozen=True)
class WarningRules:
    """The early-warning rules (see the module notes for what each means)."""

    falling_periods: int = 2
    drop_points: float = 5.0
    composite_floor: float = 60.0
    score_floor: float = 50.0
    downgraded_top: int = 1
    inactive_days: float = 180.0
    item_floor: float = 2.0


@dataclass(frozen=True)
class RuleSpec:
    """One rule: its key, its captions and the values it accepts."""

    key: str
    zh: str
    en: str
    whole: bool  # a count (whole number) rather than any number
    low: float  # the smallest value accepted
    high: float  # the largest value accepted


RULE_SPECS = (
    RuleSpec("falling_periods", "连续下降期数", "Periods falling running", True, 0, 100),
    RuleSpec("drop_points", "单期降幅超过(分)", "Drop of more than (points)", False, 0, 100),
    RuleSpec("composite_floor", "自评综合得分低于", "Self-assessment composite below", False, 0, 100),
    RuleSpec("score_floor", "客户平均得分低于", "Customers' mean score below", False, 0, 100),
    RuleSpec("downgraded_top", "最高等级客户降级数达到", "Top-tier customers downgraded, at least", True, 0, 1e9),
    RuleSpec("inactive_days", "未购买天数超过", "Days without a purchase, more than", False, 0, 36500),
    RuleSpec("item_floor", "自评项目得分不高于(1-5)", "Self-assessment item at or below (1-5)", False, 1, 5),
)  # fmt: skip
assert [s.key for s in RULE_SPECS] == [f.name for f in fields(WarningRules)]
DEFAULT_RULES = WarningRules()


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower()


def rule_problems(data: Mapping[str, Any], where: Mapping[str, str] | str) -> list[Problem]:
    """Every problem of a rules table (key → value): unknown keys, values that are not
    numbers, whole numbers or in range. ``where`` is a key prefix (``"early_warning"``) or
    key → place (a Model sheet's cells)."""
    specs = {s.key: s for s in RULE_SPECS}
    place = (lambda k: f"{where}.{k}") if isinstance(where, str) else (lambda k: where.get(k, k))
    problems = []
    for key, value in data.items():
        spec = specs.get(key)
        if spec is None:
            hint = difflib.get_close_matches(str(key), list(specs), n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else f"; known keys: {', '.join(specs)}"
            problems.append(Problem(place(key), f"unknown key{more}"))
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            problems.append(Problem(place(key), f"must be a number, got {_shown(value)}"))
        elif spec.whole and float(value) != int(value):
            problems.append(Problem(place(key), f"must be a whole number, got {value}"))
        elif not spec.low <= value <= spec.high:
            problems.append(
                Problem(place(key), f"must be from {spec.low:g} to {spec.high:g}, got {value:g}")
            )
    return problems


def parse_rules(
    data: Mapping[str, Any] | None, where: Mapping[str, str] | str = "early_warning"
) -> WarningRules:
    """The rules from a table of key → value; missing keys keep their defaults.

    Raises :class:`CrmError` with every problem at its place (see :func:`rule_problems`).
    """
    if data is None:
        return DEFAULT_RULES
    if not isinstance(data, Mapping):
        raise CrmError("must be a table of rule = value", str(where))
    problems = rule_problems(data, where)
    if problems:
        raise CrmError(problems)
    whole = {s.key for s in RULE_SPECS if s.whole}
    return WarningRules(**{k: int(v) if k in whole else float(v) for k, v in data.items()})
