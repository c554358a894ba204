"""The KPI functions (churn, retention, growth, CAC, CLV, NPS, CSAT, CES), worked by hand.

Ranges arrive as lists of rows (xlwings ndim=2); what a cell shows comes back: a number,
text, a list of rows for a spilled range, "" for a blank row, or error text with a reason.
"""

import pytest

from crm_xl.excel.functions import kpis as f
from tests.excel.functions import is_error


def test_kpis_hand_worked():
    assert f.CRM_CHURN(5, 100) == 5.0
    assert f.CRM_RETENTION(200, 210, 30) == 90.0  # (210 − 30)/200
    assert f.CRM_GROWTH(100000, 110000) == pytest.approx(10.0)
    assert f.CRM_CAC(50000, 25) == 2000.0
    assert f.CRM_CLV(12000, 3, 2000) == 34000.0
    assert f.CRM_CLV_MARGIN(100, 0.8, 0.1) == pytest.approx(800 / 3)  # 80 / 0.3


def test_kpis_over_ranges_keep_the_shape_and_continue_past_bad_rows():
    out = f.CRM_CHURN([[5], [3], [None], [12]], [[100], [0], [None], [10]])
    assert out[0] == [5.0]
    assert is_error(out[1][0], "#DIV/0!")
    assert out[2] == [""]  # a blank row stays blank
    assert is_error(out[3][0], "#NUM!") and "more customers lost" in out[3][0]
    assert f.CRM_CHURN([[5], [3], [1]], [[100], [0]]) == (
        "#VALUE! the ranges must be the same size (or single cells), got 3×1 and 2×1"
    )
    # a single cell is used for every row
    assert f.CRM_CHURN([[5], [10]], 100) == [[5.0], [10.0]]


def test_one_blank_argument_is_named():
    out = f.CRM_CHURN(None, 100)
    assert is_error(out, "#N/A") and "lost is blank" in out


def test_survey_kpis():
    # promoters 10,9,9,10 = 4; detractors 6,5,3 = 3; of 10 → 40 − 30
    assert f.CRM_NPS([[10, 9, 9, 8, 7], [7, 6, 5, 3, 10]]) == 10.0
    assert f.CRM_NPS([[None, ""]]) == "#N/A no responses: NPS has no value"
    assert is_error(f.CRM_NPS([[10, 11]]), "#VALUE!")
    assert f.CRM_CSAT([[5, 4, 3, 2, 5]]) == 60.0  # 3 of 5 in 4–5
    assert f.CRM_CSAT([[5, 4, 3, 2, 5]], None, "mean") == pytest.approx(3.8)
    assert f.CRM_CES([[7, 6, 5, 6]]) == 6.0
