"""One formula evaluated over a few cells, for the hand-worked tests of the engine
(tests/calc/test_evaluator.py) and of Excel's functions (tests/calc/functions/).
"""

from __future__ import annotations

import math

from crm_xl.calc.evaluator import Workbook, XlError
from crm_xl.excel.engine import engine_functions

E = XlError  # E("#N/A") == the engine's #N/A

# The cells the hand-worked cases read: numbers, text, a boolean and blanks in B, fruit
# names against 1-3 in C:D, a number and the same number as text in F.
DATA = {
    "B1": 9.0,
    "B2": "x",
    "B3": True,
    "B4": 10.0,
    "C1": "apple",
    "C2": "banana",
    "C3": "cherry",
    "D1": 1.0,
    "D2": 2.0,
    "D3": 3.0,
    "F1": 5.0,
    "F2": "5",
    "F3": "x",
}


def ev(formula: str, **cells):
    """Evaluate one formula (in Z99 of sheet S) over the given cells, with the CRM_*
    functions as crm-xl recalc hands them to the engine."""
    data = dict(cells)
    data["Z99"] = formula
    return Workbook.from_cells({"S": data}, functions=engine_functions()).evaluate("S", "Z99")


def same(a, b) -> bool:
    """Equal values of the same type; numbers within a relative 1e-9."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b
