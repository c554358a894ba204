"""How a number reads in a table written for people: rounded as Excel shows it, whole
numbers without ``.0``, and how wide a text is on screen (Chinese characters count two).

:func:`crm_xl.files.tables.write_table` uses these for its CSV and ``.xlsx`` output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def format_decimals(number_format: str) -> int:
    """How many decimals an Excel number format shows (``"0.00"`` → 2, ``"#,##0"`` → 0).

    Example::

        >>> format_decimals("0.00"), format_decimals("0.0"), format_decimals("0")
        (2, 1, 0)
    """
    _, dot, decimals = number_format.partition(".")
    return len(decimals) - len(decimals.lstrip("0#")) if dot else 0


def round_as_shown(column: Any, decimals: int) -> Any:
    """The numbers of ``column`` as Excel shows them with that many decimals: rounded half
    away from zero, in decimal (2.675 → ``2.68``, where ``round`` gives 2.67 from the binary
    2.67499…), trailing zeros kept (70 → ``70.00``); blank stays blank, text stays text.

    Vectorised for a float column (about as fast as writing the CSV itself); the few values
    within a hair of a half, and those beyond 1e9 once scaled (where the product may be off
    by more than that hair), are rounded exactly, through their shortest decimal form.

    Example::

        >>> import pandas as pd
        >>> round_as_shown(pd.Series([2.675, 70.0, None]), 2).tolist()
        ['2.68', '70.00', None]
    """
    import numpy as np
    import pandas as pd

    if not pd.api.types.is_float_dtype(column.dtype):
        return column.map(lambda v: _rounded_one(v, decimals)).astype(object)
    values = column.to_numpy(dtype=float)
    scale = 10.0**decimals
    with np.errstate(invalid="ignore"):
        scaled = np.abs(values) * scale
        whole = np.floor(scaled + 0.5)
        doubtful = np.isfinite(values) & (
            (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | (scaled > 1e9)
        )
        out = np.where(whole == 0, 0.0, np.copysign(whole / scale, values))
    texts = [f"{v:.{decimals}f}" if math.isfinite(v) else None for v in out.tolist()]
    for i in np.flatnonzero(doubtful):
        texts[i] = _rounded_one(float(values[i]), decimals)
    for i in np.flatnonzero(np.isinf(values)):
        texts[i] = float(values[i])  # as the CSV writer writes it
    return pd.Series(texts, index=column.index, dtype=object)


def _rounded_one(v: Any, decimals: int) -> Any:
    from decimal import ROUND_HALF_UP, Decimal

    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if math.isnan(v):
            return None
        if math.isfinite(v):
            step = Decimal(1).scaleb(-decimals)
            shown = Decimal(repr(float(v))).quantize(step, rounding=ROUND_HALF_UP)
            return format(abs(shown) if shown == 0 else shown, "f")  # never "-0.00"
    return v


def _whole(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def whole_numbers(frame: Any, formats: Mapping[str, str] = {}) -> Any:
    """``frame`` with whole numbers read as floats (10001.0) as ints, in every column not in
    ``formats`` (a column with a number format keeps its floats): a text column's numbers
    one by one; a float column when all its numbers are whole (blank cells stay blank).

    Example::

        >>> import pandas as pd
        >>> f = pd.DataFrame({"id": [10001.0, None], "n": [3.0, None], "x": [1.5, 2.0]}, dtype=object)
        >>> f["n"], f["x"] = f["n"].astype(float), f["x"].astype(float)
        >>> whole_numbers(f).to_dict("list")
        {'id': [10001, None], 'n': [3, None], 'x': [1.5, 2.0]}
    """
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if col in formats:
            continue
        values = out[col]
        if values.dtype == object:
            whole = [_whole(v) for v in values.tolist()]
            out[col] = pd.Series(whole, index=values.index, dtype=object)
        elif pd.api.types.is_float_dtype(values.dtype):
            given = values.to_numpy(dtype=float)
            given = given[~np.isnan(given)]
            if given.size and bool(np.all((np.mod(given, 1) == 0) & (np.abs(given) < 2**53))):
                ints = [None if math.isnan(v) else int(v) for v in values.tolist()]
                out[col] = pd.Series(ints, index=values.index, dtype=object)
    return out


def text_width(text: str) -> int:
    """How wide ``text`` is on screen, in characters: East Asian wide and full-width
    characters (Chinese, full-width digits) count two.

    Example::

        >>> text_width("C0001"), text_width("华南服饰"), text_width("ＡＢ1")
        (5, 8, 5)
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown_text(value: Any, decimals: int | None) -> str:
    """A cell's text as a reader sees it (for the column width): a number with ``decimals``
    decimals when it has a number format, else as it is written.

    Example::

        >>> shown_text(79.62367, 2), shown_text("华南", None), shown_text(None, 2)
        ('79.62', '华南', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if decimals is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.{decimals}f}"
    return str(value)
