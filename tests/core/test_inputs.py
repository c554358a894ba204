"""crm_xl.core.inputs.as_numbers: the one rule for what counts as a number, missing or invalid."""

import math

import numpy as np
import pytest

from crm_xl.core.inputs import as_numbers


def test_rows_of_floats_and_blanks_convert_in_one_go():
    values, reasons, _ = as_numbers([[85.0, None], [3, 70.5]])
    assert values.shape == (2, 2)
    assert values[0, 0] == 85.0 and math.isnan(values[0, 1])
    assert values[1].tolist() == [3.0, 70.5]
    assert reasons is None  # a blank is missing, not invalid


@pytest.mark.parametrize(
    ("odd", "said"),
    [
        (True, "TRUE is a logical value"),
        (np.bool_(False), "FALSE is a logical value"),
        ("12", "'12' is a number stored as text"),
        ("abc", "'abc' is text"),
        ("#N/A", "shows the error #N/A"),
    ],
)
def test_one_odd_cell_among_numbers_is_named(odd, said):
    # the bulk conversion must not read TRUE as 1 or "12" as 12
    values, reasons, _ = as_numbers([[1.0, 2.0], [odd, 4.0]], "spend")
    assert math.isnan(values[1, 0])
    assert values[1, 1] == 4.0 and values[0].tolist() == [1.0, 2.0]
    assert said in reasons[1, 0].message and reasons[1, 0].message.startswith("spend: ")
    assert reasons[0, 0] is None


def test_numpy_numbers_and_nan_count_as_numbers_and_missing():
    values, reasons, _ = as_numbers([np.int64(3), np.float32(1.5), float("nan"), ""])
    assert values[:2].tolist() == [3.0, 1.5]
    assert math.isnan(values[2]) and math.isnan(values[3])
    assert reasons is None
