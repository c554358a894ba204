"""LAMBDA in formulas (crm_xl.calc.lambdas): inline calls, LAMBDAs in LET, and the helper
functions MAP, REDUCE, SCAN, BYROW, BYCOL and MAKEARRAY. Expected values are Microsoft's
function pages' examples (the data they give, the result they state) or worked by hand;
the errors are the ones those pages name (#CALC! for a LAMBDA not called or a helper's
LAMBDA giving several values, #VALUE! for a wrong number of parameters)."""

from __future__ import annotations

import time

import pytest

from crm_xl.calc.evaluator import Workbook
from tests.helpers.formulas import E, ev, same

# Microsoft's examples enter their data in A1:C2: here 1..6 row by row, letters in E1:G2
GRID = {
    "A1": 1.0, "B1": 2.0, "C1": 3.0,
    "A2": 4.0, "B2": 5.0, "C2": 6.0,
    "E1": "a", "F1": "b", "G1": "c",
    "E2": "d", "F2": "e", "G2": "f",
}  # fmt: skip


def whole(inner: str) -> str:
    """A formula showing a whole array: its shape and its values row by row."""
    return f'=ROWS({inner})&"x"&COLUMNS({inner})&":"&TEXTJOIN(",",FALSE,{inner})'


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # inline LAMBDA called where it is written, as Excel writes it in the file too
        ("=LAMBDA(x, x+1)(1)", 2.0),
        ("=_xlfn.LAMBDA(_xlpm.x,_xlpm.x*2)(B2)", 10.0),
        ("=LAMBDA(a,b,a*10+b)(A1,C2)", 16.0),
        ("=LAMBDA(r,SUM(r))(A1:C2)", 21.0),  # a range as the argument
        ("=LAMBDA(x,x+1)(1)+LAMBDA(x,x*3)(2)", 8.0),
        ("=LAMBDA(x,x)", E("#CALC!")),  # not called
        ("=LAMBDA(x,y,x+y)(1)", E("#VALUE!")),  # too few arguments
        ("=LAMBDA(x,x)(1,2)", E("#VALUE!")),  # too many
        ("=LAMBDA(x,LAMBDA(y,x+y))(1)", E("#CALC!")),  # gives a LAMBDA: nothing to show
        # LAMBDA bound by LET, called by its name
        ("=LET(f, LAMBDA(x,y,x+y), f(1,2))", 3.0),
        ("=_xlfn.LET(_xlpm.f,_xlfn.LAMBDA(_xlpm.x,_xlpm.x^2),_xlpm.f(3)+_xlpm.f(4))", 25.0),
        ("=LET(k,10,f,LAMBDA(x,x+k),f(1))", 11.0),  # the LET names where it is written
        ("=LET(f,LAMBDA(x,x*2),g,LAMBDA(x,f(x)+1),g(5))", 11.0),  # one calls another
        ("=LET(x,100,f,LAMBDA(x,x+1),f(1)+x)", 102.0),  # the parameter hides the LET name
        ("=LET(f,LAMBDA(x,x),f)", E("#CALC!")),
        ("=LET(f,LAMBDA(x,x),f(1,2))", E("#VALUE!")),
        # a LAMBDA given to a LAMBDA
        ("=LET(twice,LAMBDA(g,x,g(g(x))),twice(LAMBDA(y,y*3),2))", 18.0),
        # MAP: Microsoft's example 1 squares the values above 4 (1..6: 1,2,3,4,25,36)
        (whole("MAP(A1:C2, LAMBDA(a, IF(a>4,a*a,a)))"), "2x3:1,2,3,4,25,36"),
        (whole("MAP(A1:C2,E1:G2,LAMBDA(n,s,s&n))"), "2x3:a1,b2,c3,d4,e5,f6"),
        (whole("MAP({1,2,3},LAMBDA(a,a+1))"), "1x3:2,3,4"),
        # a range's cells are handed over as references (the ISFORMULA(x) idiom)
        (whole("MAP(A1:A2,LAMBDA(c,ROW(c)*100+COLUMN(c)))"), "2x1:101,201"),
        ("=MAP(A1:C2,LAMBDA(a,b,a))", E("#VALUE!")),  # two parameters for one array
        ("=MAP(A1:C2,LAMBDA(a,{1,2}))", E("#CALC!")),  # several values for one element
        (whole("MAP({1,0,2},LAMBDA(a,1/a))"), E("#DIV/0!")),  # an element's error stays its own
        ("=INDEX(MAP({1,0,2},LAMBDA(a,1/a)),3)", 0.5),
        # REDUCE: Microsoft's example 1 sums the squares (1+4+9+16+25+36)
        ("=REDUCE(, A1:C2, LAMBDA(a,b,a+b^2))", 91.0),
        # its example 2, a "PRODUCTIF": multiplies the values above 50
        ("=REDUCE(1,{10,60,70,20},LAMBDA(a,b,IF(b>50,a*b,a)))", 4200.0),
        # its example 3 counts the even values
        ("=REDUCE(0,A1:C2,LAMBDA(a,n,IF(ISEVEN(n),1+a,a)))", 3.0),
        ('=REDUCE("",E1:G2,LAMBDA(a,b,b&a))', "fedcba"),  # row by row
        ("=REDUCE(0,A1:C2,LAMBDA(a,a))", E("#VALUE!")),
        # SCAN: Microsoft's examples, the letters joined and the factorials
        (whole('SCAN("",E1:G2,LAMBDA(a,b,a&b))'), "2x3:a,ab,abc,abcd,abcde,abcdef"),
        (whole("SCAN(1,A1:C2,LAMBDA(a,b,a*b))"), "2x3:1,2,6,24,120,720"),
        (whole("SCAN(,A1:C1,LAMBDA(a,b,a+b))"), "1x3:1,3,6"),
        # BYROW and BYCOL: Microsoft's MAX and SUMSQ of each row and column
        (whole("BYROW(A1:C2, LAMBDA(array, MAX(array)))"), "2x1:3,6"),
        (whole("BYROW(A1:C2, LAMBDA(array, SUMSQ(array)))"), "2x1:14,77"),
        (whole("BYCOL(A1:C2, LAMBDA(array, MAX(array)))"), "1x3:4,5,6"),
        (whole("BYCOL(A1:C2,LAMBDA(array,SUMSQ(array)))"), "1x3:17,29,45"),
        (whole("BYROW(SEQUENCE(3),LAMBDA(rw,rw+1))"), "3x1:2,3,4"),  # a 1×1 array is one value
        ("=BYROW(A1:C2,LAMBDA(r,r*2))", E("#CALC!")),  # a row, not one value
        ("=BYROW(A1:C2,LAMBDA(r,s,1))", E("#VALUE!")),
        # MAKEARRAY: Microsoft's example 1, a multiplication table
        (whole("MAKEARRAY(3, 3, LAMBDA(r,c, r*c))"), "3x3:1,2,3,2,4,6,3,6,9"),
        (whole("MAKEARRAY(2,1,LAMBDA(r,c,r))"), "2x1:1,2"),
        ("=MAKEARRAY(0,2,LAMBDA(r,c,1))", E("#VALUE!")),
        ("=MAKEARRAY(2,2,LAMBDA(r,1))", E("#VALUE!")),
        # helpers inside LET, with a LET-bound LAMBDA
        ("=LET(sq,LAMBDA(x,x*x),SUM(MAP(A1:C1,sq)))", 14.0),
        ("=LET(k,2,SUM(MAP(A1:C1,LAMBDA(x,x*k))))", 12.0),
    ],
)
def test_lambda(formula, expected):
    got = ev(formula, **GRID)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    "formula",
    [
        # a LAMBDA handed itself: Excel recurses; here it is refused, quickly, never a hang
        "=LET(f,LAMBDA(g,n,IF(n=0,1,n*g(g,n-1))),f(f,5))",
        "=LET(f,LAMBDA(g,n,IF(n<2,n,g(g,n-1)+g(g,n-2))),f(f,30))",  # twice per level
        "=1+LAMBDA(x,x)",  # a LAMBDA where a value is expected
        "=IF(A1,LAMBDA(x,x),LAMBDA(x,x*2))(3)",  # which LAMBDA is known only when run
        "=MAP(A1:C2,A1:A2,LAMBDA(a,b,a+b))",  # arrays of different sizes
        "=MAP(A1:C2,SUM)",  # Excel's eta-reduced form: not read
    ],
)
def test_lambdas_crm_xl_does_not_evaluate_are_reported(formula):
    wb = Workbook.from_cells({"S": {**GRID, "Z1": formula}})
    start = time.perf_counter()
    values, problems = wb.recalculate([("S", "Z1")])
    assert time.perf_counter() - start < 5
    assert ("S", "Z1") not in values and [p.where for p in problems] == ["S!Z1"]


def test_a_map_spills_in_a_full_recalculation():
    # =MAP(A1:C1,LAMBDA(x,x*10)) anchored in A5, its spill range A5:C5 as the file says
    wb = Workbook.from_cells({"S": GRID})
    sheet = wb.sheet("S")
    wb.set_formula(
        sheet, 5, 1, "_xlfn.MAP(A1:C1,_xlfn.LAMBDA(_xlpm.x,_xlpm.x*10))", "dynamic", "A5:C5"
    )
    values, problems = wb.recalculate([("S", "A5")])
    assert problems == []
    assert [values[("S", c)] for c in ("A5", "B5", "C5")] == [10.0, 20.0, 30.0]


def test_one_compiled_lambda_serves_a_column_and_each_row_keeps_its_values():
    cells = {f"A{r}": float(r) for r in range(1, 5)}
    for r in range(1, 5):
        cells[f"B{r}"] = f"=LAMBDA(x,y,x*y)(A{r},LET(f,LAMBDA(z,z+1),f(A{r})))"
    wb = Workbook.from_cells({"S": cells})
    values, problems = wb.recalculate([("S", f"B{r}") for r in range(1, 5)])
    assert problems == []
    assert [values[("S", f"B{r}")] for r in range(1, 5)] == [2.0, 6.0, 12.0, 20.0]
