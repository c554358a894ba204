"""Numbers as spreadsheet users type them, read from a table column with each bad cell named.

``100,000``, ``¥100,000``, ``12%`` (read as 12: crm_xl's rates are in percent points) and
full-width digits are numbers; a blank is missing (NaN), never 0; text, logical values and
dates are problems reported at their place in the file.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Protocol

import numpy as np

from crm_xl.core.inputs import MAX_MAGNITUDE
from crm_xl.errors import Problem


def _too_large(value: float) -> str:
    return f"{value:g} is outside the range crm_xl scores (-1e15 to 1e15)"


class CellTable(Protocol):
    """A table of cells as typed (``frame``, a pandas DataFrame) that can name a cell's place."""

    frame: Any

    def locate(self, row: int, column: str) -> str:
        """Where data row ``row`` (0-based) of ``column`` is in the file, for messages."""
        ...

    def require(self, columns: list[str], needed_by: dict[str, str]) -> None:
        """Raise :class:`~crm_xl.errors.CrmError` naming every missing column."""
        ...


def parse_text_number(text: str) -> float | None:
    """'¥100,000' → 100000.0, '12%' → 12.0, '' → NaN; None when it is not a number."""
    s = unicodedata.normalize("NFKC", text).strip()
    if s == "":
        return float("nan")
    s = s.replace(",", "").replace(" ", "").lstrip("¥$").rstrip("元")
    if s.endswith("%"):
        s = s[:-1]
    try:
        value = float(s)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def numeric_column(table: CellTable, column: str) -> tuple[np.ndarray, list[Problem]]:
    """The column as floats (NaN for blanks) and a problem for every cell that is not a number.

    Example::

        >>> import pandas as pd
        >>> from crm_xl.files.tables import Table
        >>> t = Table(pd.DataFrame({"spend": ["¥100,000", "12%", None, "abc"]}, dtype=object), "x.csv")
        >>> values, problems = numeric_column(t, "spend")
        >>> values.tolist()[:2], [str(p) for p in problems]
        ([100000.0, 12.0], ["x.csv: line 5, column 'spend': 'abc' is not a number"])
    """
    import datetime as dt

    cells = table.frame[column].to_numpy(dtype=object)
    out = np.full(len(cells), np.nan)
    problems = []
    for i, v in enumerate(cells):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, bool):
            problems.append(
                Problem(
                    table.locate(i, column), f"{str(v).upper()} is a logical value, not a number"
                )
            )
        elif isinstance(v, (int, float)):
            if not np.isfinite(v):
                problems.append(
                    Problem(
                        table.locate(i, column),
                        f"{v} is not a number (the cell holds an overflowing value such as 1e999)",
                    )
                )
            elif abs(v) > MAX_MAGNITUDE:
                problems.append(Problem(table.locate(i, column), _too_large(v)))
            else:
                out[i] = v
        elif isinstance(v, (dt.date, dt.time, dt.timedelta)):
            problems.append(Problem(table.locate(i, column), f"{v} is a date/time, not a number"))
        else:
            parsed = parse_text_number(str(v))
            if parsed is None:
                shown = str(v) if len(str(v)) <= 40 else str(v)[:37] + "..."
                problems.append(Problem(table.locate(i, column), f"{shown!r} is not a number"))
            elif abs(parsed) > MAX_MAGNITUDE:
                problems.append(Problem(table.locate(i, column), _too_large(parsed)))
            else:
                out[i] = parsed
    return out, problems
