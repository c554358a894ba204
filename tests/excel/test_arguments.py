"""How the CRM_* implementations read arguments and turn a problem into one error text."""

import pytest

from crm_xl.errors import CrmError, Problem
from crm_xl.excel.arguments import (
    blank_rows,
    cell_array,
    elementwise,
    flag,
    number_arg,
    rows_and_weights,
    text_arg,
    worksheet_function,
)


def test_a_problem_becomes_error_text():
    @worksheet_function
    def F(where):
        raise CrmError([Problem(where, "weights sum to 90")])

    # the place is dropped where the message already names it
    assert F("weights") == "#VALUE! weights sum to 90"
    assert F("row 3") == "#VALUE! row 3: weights sum to 90"

    @worksheet_function
    def G(x):
        raise ValueError("x is odd")

    assert G(1) == "#VALUE! x is odd"
    assert G.__name__ == "G"


def test_other_exceptions_are_not_hidden():
    @worksheet_function
    def H():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        H()


def test_flags_texts_and_numbers():
    assert [flag(v, "n") for v in (None, "", False, 0, True, 1)] == [False] * 4 + [True] * 2
    with pytest.raises(ValueError, match="n must be TRUE or FALSE, got 'yes'"):
        flag("yes", "n")
    assert text_arg(None, "lower") == "lower" and text_arg(" upper ", "lower") == "upper"
    assert number_arg(None, "scale", 5.0) == 5.0 and number_arg(7, "scale", 5.0) == 7.0
    with pytest.raises(ValueError, match="scale must be a number, got True"):
        number_arg(True, "scale", 5.0)


def test_rows_and_weights():
    assert rows_and_weights([[1, 2], [3, 4]], [[50, 50]]) == ([[1, 2], [3, 4]], [50, 50])
    with pytest.raises(ValueError, match="values have 2 column"):
        rows_and_weights([[1, 2]], [[100]])


def test_blank_rows():
    assert blank_rows([[1.0, None], [None, ""], [float("nan"), None]]) == [False, True, True]


def test_elementwise_refuses_ranges_of_other_sizes():
    assert cell_array([[1, 2]]).shape == (1, 2)
    with pytest.raises(ValueError, match=r"got 2×1 and 3×1"):
        elementwise(lambda a, b: pytest.fail("not called"), [[1], [2]], [[1], [2], [3]])
