"""The CRM_* functions as the engine calls them: made from the registry's argument facts."""

from crm_xl.calc.custom import Param
from crm_xl.excel.engine import engine_functions
from crm_xl.excel.functions import IMPLEMENTATIONS
from tests.excel.test_registry import RANGES


def test_every_function_with_its_range_arguments():
    functions = engine_functions()
    assert list(functions) == list(RANGES)
    for name, f in functions.items():
        assert f.name == name and f.call is IMPLEMENTATIONS[name]
        assert {p.name for p in f.params if p.as_range} == RANGES[name]


def test_parameters_in_order_with_their_defaults():
    f = engine_functions()["CRM_SCALE"]
    assert f.params == (
        Param("values", as_range=True),
        Param("scale", as_range=False),
        Param("floor", as_range=False, default=None, optional=True),
        Param("target", as_range=False, default=None, optional=True),
        Param("direction", as_range=False, default=None, optional=True),
        Param("among", as_range=True, default=None, optional=True),
        Param("lang", as_range=False, default=None, optional=True),
    )
    assert f.required == 2
    score = engine_functions()["CRM_SCORE"]
    assert score.params[2] == Param("normalize", as_range=False, default=False, optional=True)


def test_the_call_computes():
    # 5 of 100 customers lost: 5 %
    assert engine_functions()["CRM_CHURN"].call([[5]], [[100]]) == 5.0


def test_row_wise_functions_are_the_per_row_scores():
    # one result per row of the first argument, each from its own row: the composite, the
    # multi-dimensional composite and the count of indicators used; a cell's tier, its
    # 0-100 score (minmax only with the whole column given) and a row's RFM segment among
    # the whole columns. CRM_EXPLAIN gives a row of points per customer, CRM_RFM ranks the
    # rows it is given among themselves: neither is "one per row"
    row_wise = {name for name, f in engine_functions().items() if f.row_wise}
    assert row_wise == {
        "CRM_SCORE",
        "CRM_MULTISCORE",
        "CRM_INDICATORS_USED",
        "CRM_TIER",
        "CRM_SCALE",
        "CRM_RFM_ROW",
    }
    assert engine_functions()["CRM_SCALE"].row_wise_with == "among"
