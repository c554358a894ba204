"""LET and named LAMBDA calls in the compiler (crm_xl.calc.compiler): names bound to values for
one calculation. Expected values from Microsoft's LET page, XlsxWriter's LAMBDA example and
worked by hand."""

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


# A defined name holding a LAMBDA, called like a function, as Excel writes it (XlsxWriter's
# lambda example: ToCelsius = _xlfn.LAMBDA(_xlpm.temp, (5/9) * (_xlpm.temp-32)))
LAMBDAS = {
    "ToCelsius": "_xlfn.LAMBDA(_xlpm.temp, (5/9) * (_xlpm.temp-32))",
    "Hypot": "_xlfn.LAMBDA(_xlpm.a,_xlpm.b,SQRT(_xlpm.a^2+_xlpm.b^2))",
    "Countdown": "_xlfn.LAMBDA(_xlpm.n,IF(_xlpm.n<1,0,Countdown(_xlpm.n-1)))",
    "Scaled": "_xlfn.LAMBDA(_xlpm.x,_xlpm.x*k)",
}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=ToCelsius(212)", 100.0),  # the example's result
        ("=TOCELSIUS(A1)", 0.0),  # 32 °F
        ("=Hypot(3,4)", 5.0),
        ("=ToCelsius(212)+LET(temp,1,temp)", 101.0),  # the parameter is the lambda's own
        ("=LET(k,2,Scaled(3))", E("#NAME?")),  # the caller's names are not the lambda's
    ],
)
def test_named_lambda_calls(formula, expected):
    wb = Workbook.from_cells({"S": {"A1": 32.0, "Z1": formula}}, names=LAMBDAS)
    got = wb.evaluate("S", "Z1")
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_a_recursive_named_lambda_is_reported():
    wb = Workbook.from_cells({"S": {"Z1": "=Countdown(3)"}}, names=LAMBDAS)
    values, problems = wb.recalculate([("S", "Z1")])
    assert values == {} and [p.where for p in problems] == ["S!Z1"]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=Hypot(3)", E("#VALUE!")),  # Microsoft: a wrong number of arguments is #VALUE!
        ("=ToCelsius", E("#CALC!")),  # a LAMBDA never called
        ("=SUM(MAP({32,212},ToCelsius))", 100.0),  # 0 °C and 100 °C: a named LAMBDA to MAP
    ],
)
def test_named_lambdas_as_excel_gives_them(formula, expected):
    wb = Workbook.from_cells({"S": {"Z1": formula}}, names=LAMBDAS)
    got = wb.evaluate("S", "Z1")
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
