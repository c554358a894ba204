"""LET in the compiler (crm_xl.calc.compiler.Compiler.lazy_LET): names bound to values for
one calculation. Expected values from Microsoft's LET page and worked by hand."""

from __future__ import annotations

import pytest

from crm_xl.calc.evaluator import FormulaParseError, Workbook
from tests.helpers.formulas import E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=LET(x,1,x+1)", 2.0),  # Microsoft's LET page
        ("=_xlfn.LET(_xlpm.x,1,_xlpm.x+1)", 2.0),  # as Excel writes it in the file
        ("=LET(x,A1,y,x*2,SUM(y,x))", 3.0),  # a name sees the names before it
        ("=LET(r,A1:A3,SUM(r)*2)", 12.0),  # a name for a range
        ("=LET(x,2,LET(x,3,x)+x)", 5.0),  # an inner LET's name hides the outer one
        ("=LET(X,5,x*2)", 10.0),  # names are case-insensitive
        ("=LET(x,1,y)", E("#NAME?")),
        ("=LET(x,1/0,2)", 2.0),  # an unused error is just a value
        ("=LET(total,SUM(A1:A3),IF(total>5,total,0))", 6.0),
        ("=LET(n,A1:A3,ROWS(n))", 3.0),
    ],
)
def test_let(formula, expected):
    got = ev(formula, A1=1.0, A2=2.0, A3=3.0)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_let_needs_names_and_values_in_pairs():
    with pytest.raises(FormulaParseError):
        ev("=LET(x,1,2,3)")


def test_one_compiled_let_running_inside_itself_keeps_each_cells_names():
    # the same formula down A: each cell's y reads the cell below through INDIRECT, which
    # is computed then, inside the first run of the same compiled LET
    cells = {f"B{r}": float(r) for r in range(1, 4)}
    for r in range(1, 4):
        cells[f"A{r}"] = f'=LET(x,B{r},y,INDIRECT("A"&(ROW()+1))+0,y+x)'
    wb = Workbook.from_cells({"S": cells})
    values, problems = wb.recalculate([("S", "A1"), ("S", "A2"), ("S", "A3")])
    assert problems == []
    # A3 = 3 + 0 (A4 is blank), A2 = 2 + A3, A1 = 1 + A2
    assert values == {("S", "A1"): 6.0, ("S", "A2"): 5.0, ("S", "A3"): 3.0}
