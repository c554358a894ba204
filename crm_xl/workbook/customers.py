"""Reading a customer list (CSV or Excel) into the Ratings sheet's input columns.

Headers may be the column keys or their Chinese or English labels
(:data:`crm_xl.workbook.layout.RATINGS_INPUTS`); number columns must hold numbers, and
text columns stay text whatever they start with (a name such as ``=HYPERLINK(…)`` is
never a formula).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout


@dataclass(frozen=True)
class Customer:
    """One row of the Ratings sheet's input columns (values as the user gave them)."""

    values: dict[str, Any]


def read_customers(path: str | Path, sheet: str | None = None) -> list[Customer]:
    """Customers from a CSV or Excel table, matched to the Ratings columns by key or label.

    Headers may be the column keys (``annual_spend``) or their Chinese or English labels
    (``年消费金额``, ``Annual spend``). Number columns must hold numbers (every bad cell is
    reported with its place); text columns are kept as text whatever they start with.

    Example::

        >>> from crm_xl.files.resources import sample_path
        >>> first = read_customers(sample_path("customers.csv"))[0]
        >>> first.values["customer_id"], first.values["annual_spend"]
        ('C0001', 229100)
    """
    from crm_xl.core.user_numbers import numeric_column
    from crm_xl.files.tables import read_table

    table = read_table(path, sheet=sheet)
    by_header: dict[str, str] = {}
    for c in layout.RATINGS_INPUTS:
        for h in (c.key, c.zh, c.en):
            by_header[h.strip().lower()] = c.key
    mapping = {
        h: by_header[str(h).strip().lower()]
        for h in table.frame.columns
        if str(h).strip().lower() in by_header
    }
    if not {"customer_id", "name"} & set(mapping.values()):
        raise CrmError(
            "the table needs a customer_id (客户编号) or name (客户名称) column; "
            f"its columns are: {', '.join(map(str, table.frame.columns))}",
            str(path),
        )
    numeric = {c.key for c in layout.RATINGS_INPUTS if not c.text}
    columns: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    for header, key in mapping.items():
        if key in numeric:
            values, bad = numeric_column(table, header)
            problems += bad
            columns[key] = [
                None if v != v else (int(v) if float(v).is_integer() else float(v)) for v in values
            ]
        else:
            columns[key] = [None if v is None else str(v) for v in table.frame[header]]
    if problems:
        raise CrmError(problems)
    n = len(table.frame)
    return [Customer({k: columns[k][i] for k in columns}) for i in range(n)]
