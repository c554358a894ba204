"""CRM_TIER, CRM_RFM and CRM_RFM_CODE, with cell-shaped inputs, worked by hand.

Ranges arrive as lists of rows (xlwings ndim=2); what a cell shows comes back: a number,
text, a list of rows for a spilled range, "" for a blank row, or error text with a reason.
"""

import datetime as dt

from crm_xl.excel.functions import segments as f
from tests.excel.functions import is_error


def test_tier_annual_spend_boundaries():
    values = [[150000], [100000], [75000], [50000], [None], ["x"]]
    out = f.CRM_TIER(values, [[100000, 50000]], [["A", "B", "C"]])
    assert [r[0] for r in out[:5]] == ["A", "B", "B", "C", ""]
    assert is_error(out[5][0], "#VALUE!")
    assert f.CRM_TIER(100000, [[100000, 50000]], [["A", "B", "C"]], "upper") == "A"
    assert f.CRM_TIER(1, [[1, 2]], [["A", "B"]]).startswith(
        "#VALUE! tiers.labels: 2 threshold(s) make 3 tiers"
    )


def test_rfm_segments_days_and_dates():
    # three customers: the most recent, most frequent, biggest spender is 重要价值客户 under cn8
    recency, frequency, monetary = (
        [[10], [200], [30], [None]],
        [[5], [1], [3], [None]],
        [[1000], [50], [300], [None]],
    )
    out = f.CRM_RFM(recency, frequency, monetary, "cn8", "zh")
    assert out[0] == ["重要价值客户"] and out[1] == ["一般挽留客户"] and out[3] == [""]
    dates = [
        [dt.datetime(2026, 11, 13)],
        [dt.datetime(2026, 5, 7)],
        [dt.datetime(2026, 10, 24)],
        [None],
    ]
    as_of = dt.datetime(2026, 11, 23)  # 10, 200 and 30 days before
    assert f.CRM_RFM(dates, frequency, monetary, "cn8", "zh", as_of) == out
    assert f.CRM_RFM(dates, frequency, monetary).startswith(
        "#VALUE! recency holds dates of last purchase"
    )
    assert f.CRM_RFM_CODE(recency, frequency, monetary)[0][0].isdigit()


def test_rfm_row_is_the_customers_segment_among_the_whole_columns():
    # the three customers above: a formula per row gives each what the column formula gives
    recency, frequency, monetary = (
        [[10], [200], [30], [None]],
        [[5], [1], [3], [None]],
        [
            [1000],
            [50],
            [300],
            [None],
        ],
    )
    column = [r[0] for r in f.CRM_RFM(recency, frequency, monetary, "cn8", "zh")]
    rows = [
        f.CRM_RFM_ROW(r[0], q[0], m[0], recency, frequency, monetary, "cn8", "zh")
        for r, q, m in zip(recency, frequency, monetary, strict=True)
    ]
    assert rows == column == ["重要价值客户", "一般挽留客户", column[2], ""]
    # with dates of last purchase, counted to the as-of date (10, 200 and 30 days before)
    as_of = dt.datetime(2026, 11, 23)
    dates = [[as_of - dt.timedelta(days=d)] for d in (10, 200, 30)]
    first = f.CRM_RFM_ROW(dates[0], 5, 1000, dates, frequency[:3], monetary[:3], "cn8", "zh", as_of)
    assert first == "重要价值客户"
    # a row that is not among the columns is an error, not a guess
    assert is_error(f.CRM_RFM_ROW(99, 9, 9, recency, frequency, monetary), "#N/A")
