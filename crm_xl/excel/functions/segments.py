"""Tiers and RFM segments as worksheet functions: CRM_TIER, CRM_RFM and CRM_RFM_CODE (the
rules are :mod:`crm_xl.core.tiers` and :mod:`crm_xl.core.rfm`).

Example::

    >>> CRM_TIER(120000, [[100000, 50000]], [["A", "B", "C"]])
    'A'
    >>> CRM_RFM([[10], [200]], [[5], [1]], [[1000], [50]], "cn8", "zh")
    [['重要价值客户'], ['一般挽留客户']]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from crm_xl.core.result import NO_DATA
from crm_xl.core.rfm import rfm_segments
from crm_xl.core.tiers import assign_tiers
from crm_xl.excel.arguments import cell_array, text_arg, worksheet_function
from crm_xl.excel.cells import all_empty, column, error_text, flat, is_empty


@worksheet_function
def CRM_TIER(
    value: Any, thresholds: Any, labels: Any, at_threshold: Any = None, lang: Any = None
) -> Any:
    """Each value's tier label from thresholds."""
    cells = cell_array(value)
    tiers = assign_tiers(
        cells,
        flat(thresholds),
        [str(x) for x in flat(labels)],
        at_threshold=text_arg(at_threshold, "lower"),
    )
    blank = all_empty(value)
    out = [
        [
            ""
            if blank[i, j]
            else (
                tiers.labels[i, j]
                if tiers.labels[i, j] is not None
                else error_text(tiers.reasons[i, j])
            )
            for j in range(cells.shape[1])
        ]
        for i in range(cells.shape[0])
    ]
    return out[0][0] if cells.size == 1 else out


def _recency_days(recency: list[Any], as_of: Any) -> list[Any]:
    """Recency as days; dates of last purchase are turned into days before ``as_of``."""
    dates = [isinstance(r, (dt.date, dt.datetime)) for r in recency]
    if not any(dates):
        return recency
    if isinstance(as_of, (int, float)) and not isinstance(as_of, bool) and 0 < as_of < 2958466:
        # DATE(2026,12,1) or TODAY() typed as the argument: Excel hands over its serial
        from crm_xl.calc.conversions import serial_to_datetime

        as_of = serial_to_datetime(float(as_of))
    if is_empty(as_of) or not isinstance(as_of, (dt.date, dt.datetime)):
        raise ValueError(
            "recency holds dates of last purchase: give the as-of date as the sixth argument, e.g. TODAY()"
        )
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    return [
        ((day - (r.date() if isinstance(r, dt.datetime) else r)).days if d else r)
        for r, d in zip(recency, dates, strict=True)
    ]


def _rfm_frame(recency: Any, frequency: Any, monetary: Any, scheme: Any, lang: Any, as_of: Any):
    """The RFM table of the three columns, and which customers' rows are blank."""
    r, f, m = flat(recency), flat(frequency), flat(monetary)
    if not len(r) == len(f) == len(m):
        raise ValueError(
            f"recency, frequency and monetary must be the same length, got {len(r)}, {len(f)}, {len(m)}"
        )
    frame = rfm_segments(
        np.array(_recency_days(r, as_of), dtype=object),
        np.array(f, dtype=object),
        np.array(m, dtype=object),
        scheme=text_arg(scheme, "rf-grid"),
        lang=text_arg(lang, "en"),
    )
    blank = [is_empty(a) and is_empty(b) and is_empty(c) for a, b, c in zip(r, f, m, strict=True)]
    return frame, blank


def _rfm_cells(frame: Any, blank: list[bool], key: str) -> Any:
    """One column of the RFM table as cells: blank rows ``""``, no value as error text."""
    out = []
    values, reasons = frame[key].tolist(), frame["reason"].tolist()  # not .iloc per row
    for i, is_blank in enumerate(blank):
        value = values[i]
        if is_blank:
            out.append("")
        elif value is None or value is np.nan or (isinstance(value, float) and np.isnan(value)):
            out.append(error_text(str(reasons[i] or "no value"), NO_DATA))
        else:
            out.append(str(value))
    return column(out)


@worksheet_function
def CRM_RFM(
    recency: Any,
    frequency: Any,
    monetary: Any,
    scheme: Any = None,
    lang: Any = None,
    as_of: Any = None,
) -> Any:
    """Per customer: the RFM segment name."""
    frame, blank = _rfm_frame(recency, frequency, monetary, scheme, lang, as_of)
    return _rfm_cells(frame, blank, "segment")


@worksheet_function
def CRM_RFM_ROW(
    recency: Any,
    frequency: Any,
    monetary: Any,
    all_recency: Any,
    all_frequency: Any,
    all_monetary: Any,
    scheme: Any = None,
    lang: Any = None,
    as_of: Any = None,
) -> Any:
    """Per customer row: its RFM segment, ranked among the whole columns ``all_*``.

    A customer's scores depend only on its own values and the population (percentile
    ranks), so each row's segment is looked up by its values in the population's table.

    Example::

        >>> CRM_RFM_ROW(200, 1, 50, [[10], [200]], [[5], [1]], [[1000], [50]], "cn8", "zh")
        '一般挽留客户'
    """
    frame, blank = _rfm_frame(all_recency, all_frequency, all_monetary, scheme, lang, as_of)
    population = zip(
        _recency_days(flat(all_recency), as_of),
        flat(all_frequency),
        flat(all_monetary),
        strict=True,
    )
    segments, reasons = frame["segment"].tolist(), frame["reason"].tolist()
    found: dict[tuple[Any, ...], int] = {}
    for i, values in enumerate(population):
        if not blank[i]:
            found.setdefault(_row_key(values), i)
    r, f, m = flat(recency), flat(frequency), flat(monetary)
    if not len(r) == len(f) == len(m):
        raise ValueError(
            f"recency, frequency and monetary must be the same length, got {len(r)}, {len(f)}, {len(m)}"
        )
    out = []
    for values in zip(_recency_days(r, as_of), f, m, strict=True):
        if all(is_empty(v) for v in values):
            out.append("")
            continue
        i = found.get(_row_key(values))
        if i is None:
            out.append(error_text("this customer is not among the columns ranked", NO_DATA))
        elif segments[i] is None or (isinstance(segments[i], float) and np.isnan(segments[i])):
            out.append(error_text(str(reasons[i] or "no value"), NO_DATA))
        else:
            out.append(str(segments[i]))
    return column(out)


def _row_key(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A customer's values as a lookup key: 3 and 3.0 alike, blank and "" alike."""
    return tuple(
        None if is_empty(v) else (float(v) if isinstance(v, int) and not isinstance(v, bool) else v)
        for v in values
    )


@worksheet_function
def CRM_RFM_CODE(
    recency: Any, frequency: Any, monetary: Any, as_of: Any = None, lang: Any = None
) -> Any:
    """Per customer: the RFM score code, e.g. ``"545"``."""
    frame, blank = _rfm_frame(recency, frequency, monetary, None, None, as_of)
    return _rfm_cells(frame, blank, "rfm")
