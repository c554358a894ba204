"""The one registry of Excel's functions (crm_xl.calc.functions.registry) and its filling by
the category modules (importing crm_xl.calc.functions)."""

from __future__ import annotations

import importlib

from crm_xl.calc.evaluator import supported_functions
from crm_xl.calc.functions import BUILTINS, VOLATILE

CATEGORIES = (
    "aggregate",
    "arrays",
    "criteria",
    "dates",
    "engineering",
    "financial",
    "information",
    "integers",
    "logical",
    "lookup",
    "math",
    "matrix",
    "references",
    "regression",
    "statistical",
    "text",
)


def test_builtins_table_is_consistent():
    for name, spec in BUILTINS.items():
        assert spec.min_args <= (spec.max_args if spec.max_args is not None else 255), name
        assert all(k in "VRA" for k in spec.params), name


def test_every_category_module_registers_into_the_one_registry():
    homes = {spec.fn.__module__ for spec in BUILTINS.values()}
    assert homes == {f"crm_xl.calc.functions.{c}" for c in CATEGORIES}
    for category in CATEGORIES:
        module = importlib.import_module(f"crm_xl.calc.functions.{category}")
        own = [n for n, spec in BUILTINS.items() if spec.fn.__module__ == module.__name__]
        assert own, category


def test_the_engine_supports_every_builtin_and_refuses_the_volatile_ones():
    names = set(supported_functions())
    assert set(BUILTINS) <= names
    assert not names & set(VOLATILE)
    # one name per spelling Excel stores, aliases sharing their implementation
    assert BUILTINS["STDEV.S"].fn is BUILTINS["STDEV"].fn
    assert BUILTINS["VAR.P"].fn is BUILTINS["VARP"].fn
