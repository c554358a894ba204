"""Cell values in and out of the CRM_* functions."""

import numpy as np

from crm_xl.core.result import Result, Undefined
from crm_xl.errors import EXCEL_ERRORS
from crm_xl.excel.cells import (
    ERROR_FOR_CODE,
    MAX_TEXT,
    all_empty,
    column,
    error_text,
    flat,
    grid,
    in_language,
    is_empty,
    show,
)


def test_each_reason_shows_the_excel_error_that_fits():
    assert ERROR_FOR_CODE == {
        "div0": "#DIV/0!",
        "no_data": "#N/A",
        "missing": "#N/A",
        "invalid": "#VALUE!",
        "inconsistent": "#NUM!",
    }
    assert set(ERROR_FOR_CODE.values()) <= set(EXCEL_ERRORS)
    assert error_text(Undefined("inconsistent", "lost > start")) == "#NUM! lost > start"
    assert error_text("no responses", "no_data") == "#N/A no responses"
    assert error_text("odd", "no-such-code") == "#VALUE! odd"


def test_a_long_reason_is_cut():
    # where a function's result becomes cells, after the reason is translated
    text = in_language(error_text("x" * 200), "en")
    # "#VALUE! " then 157 characters of the reason and "..."
    assert text == "#VALUE! " + "x" * (MAX_TEXT - 3) + "..."
    assert len(text) == len("#VALUE! ") + 160


def test_empty_cells():
    assert [is_empty(v) for v in (None, "", float("nan"), 0, " ", False)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert all_empty([[None, 1]], [["", None]]).tolist() == [[True, False]]


def test_ranges_as_rows():
    assert grid(np.array([[1, 2]])) == [[1, 2]]
    assert grid([]) == [[]]
    assert flat([[1, 2], [3, 4]]) == [1, 2, 3, 4]
    assert column([7.0]) == 7.0 and column([1.0, ""]) == [[1.0], [""]]


def test_show_blank_cells_and_missing_values():
    nan = float("nan")
    reasons = np.array([None, None, Undefined("div0", "start = 0")], dtype=object)
    result = Result(np.array([1.5, nan, nan]), reasons)
    blank = np.array([False, True, False])
    # a 1-D result is a column; the blank input shows "", the undefined value its reason
    assert show(result, blank=blank) == [[1.5], [""], ["#DIV/0! start = 0"]]
    # no value and no reason: #N/A
    assert show(Result(np.array([nan, 2.0]), np.array([None, None], dtype=object))) == [
        ["#N/A no value"],
        [2.0],
    ]
