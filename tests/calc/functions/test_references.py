"""INDIRECT, OFFSET and FORMULATEXT (crm_xl.calc.functions.references): references built
while a formula runs. Checked against Excel's results in Apache POI's Excel-saved test
workbook, and by hand (Microsoft's INDIRECT, OFFSET and FORMULATEXT pages)."""

from __future__ import annotations

import pytest

from crm_xl.calc.evaluator import CircularReference, Workbook
from tests.helpers.excel_made import excel_made
from tests.helpers.formulas import E, same

CELLS = {
    "A1": "B2", "A2": 1.333, "A3": 45.0, "A4": "George", "A5": 10.0,  # after Microsoft's INDIRECT page
    "B2": 1.333, "B3": 45.0, "B4": "George", "B5": 10.0,
    "C1": 3.0, "C2": 4.0, "C3": 5.0,
}  # fmt: skip


def values_of(cells, targets, **sheets):
    wb = Workbook.from_cells({"S": cells, **sheets})
    return wb.recalculate([("S", t) for t in targets])


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # as on Microsoft's INDIRECT page: A1 holds "B2", B2 1.333 ...
        ("=INDIRECT(A1)", 1.333),
        ('=INDIRECT("B"&C2)', "George"),
        ('=INDIRECT("$B$4")', "George"),
        ('=SUM(INDIRECT("C1:C3"))', 12.0),
        ('=SUM(INDIRECT("C:C"))', 12.0),
        ('=INDIRECT("T!A1")', 7.0),
        ("=INDIRECT(\"'Other sheet'!A1\")", 8.0),
        ('=INDIRECT("R2C2",FALSE)', 1.333),
        ('=INDIRECT("R[-2]C[-23]",FALSE)', 3.0),  # from Z3: row 1, column C
        ('=SUM(INDIRECT("R1C3:R3C3",FALSE))', 12.0),
        ('=INDIRECT("nowhere!A1")', E("#REF!")),
        ('=INDIRECT("A1B2")', E("#REF!")),  # no such name
        ('=INDIRECT("A1+1")', E("#REF!")),
        ('=INDIRECT("")', E("#REF!")),
        # Microsoft's OFFSET page: OFFSET(D3,3,-2,1,1) is B6's value
        ("=OFFSET(C3,-1,-1,1,1)", 1.333),
        ("=SUM(OFFSET(C1,0,0,3,1))", 12.0),
        ("=SUM(OFFSET(B2:B3,1,1))", 5.0),  # C3:C4, the size of B2:B3 (C4 blank)
        ("=OFFSET(A1,-1,0)", E("#REF!")),  # above the sheet
        ("=OFFSET(A1,0,0,0)", E("#REF!")),
        ('=OFFSET("A1",0,0)', E("#VALUE!")),
        # FORMULATEXT: the formula as Excel shows it; a value has none
        ("=FORMULATEXT(D1)", "=SUM(C1:C3)*2"),
        ("=FORMULATEXT(D2)", '=IF(TRUE,"_xlfn.",SUMPRODUCT(A2:A3*2))'),
        ("=FORMULATEXT(C1)", E("#N/A")),
    ],
)
def test_references_built_while_the_formula_runs(formula, expected):
    cells = CELLS | {
        "D1": "=SUM(C1:C3)*2",
        "D2": '=IF(TRUE,"_xlfn.",_xlfn.SUMPRODUCT(A2:A3*2))',
        "Z3": formula,
    }
    wb = Workbook.from_cells({"S": cells, "T": {"A1": 7.0}, "Other sheet": {"A1": 8.0}})
    got = wb.evaluate("S", "Z3")
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_a_target_computed_later_is_computed_first():
    # A1 reads B9 through INDIRECT; B9 is a formula the dependency order knows nothing
    # about, and a chain behind it: each is computed when read
    cells = {"A1": '=INDIRECT("B9")*2', "B9": "=C9+1", "C9": "=D9*10", "D9": 4.0}
    values, problems = values_of(cells, ["A1", "B9", "C9"])
    assert problems == []
    assert values == {("S", "A1"): 82.0, ("S", "B9"): 41.0, ("S", "C9"): 40.0}


def test_a_target_that_cannot_be_computed_stops_the_cell_that_reads_it():
    cells = {"A1": '=INDIRECT("B1")+1', "B1": '=WEBSERVICE("x")', "C1": "=2"}
    values, problems = values_of(cells, ["A1", "B1", "C1"])
    assert values == {("S", "C1"): 2.0}
    assert problems and problems[0].where == "S!B1"


def test_a_reference_back_to_itself_is_circular():
    wb = Workbook.from_cells({"S": {"A1": '=INDIRECT("A1")+1'}})
    with pytest.raises(CircularReference):
        wb.evaluate("S", "A1")


@pytest.mark.parametrize(
    "formula",
    [
        "=OFFSET(C3,0,0,-2)",
        '=INDIRECT("my_name")',
        # Excel 365 may show these with @ (=@A1:A3+1, =@INDEX(...)): not guessed
        "=FORMULATEXT(E1)",
        "=FORMULATEXT(E2)",
        "=FORMULATEXT(E3)",
        "=FORMULATEXT(E4)",
    ],
)
def test_what_is_not_certain_is_reported(formula):
    cells = CELLS | {
        "E1": "=C1:C3+1",
        "E2": "=INDEX(C1:C3,1)",
        "E3": "=SUM(C1:C3*2)",
        "E4": "=my_name*2",
        "Z1": formula,
    }
    wb = Workbook.from_cells({"S": cells}, names={"my_name": "S!$C$1"})
    values, problems = wb.recalculate([("S", "Z1")])
    assert ("S", "Z1") not in values and [p.where for p in problems] == ["S!Z1"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("D740", 2.0),  # INDIRECT("B9")
        ("E740", 2.0),  # INDIRECT("$B$9")
        ("F740", E("#REF!")),  # INDIRECT(D10), D10 not a reference
        ("D1008", 2.3456),  # OFFSET(G7, 2, 0)
        ("E1008", 4.0),  # OFFSET(G7, 0, 3)
        ("F1008", 3.4567),  # OFFSET(G7, "2.1", "1.9"): truncated
        ("H1008", 1.0),  # SUM(OFFSET(K7:L8, 0,0,1,1))
        ("I1008", 2.001),  # SUM(OFFSET(K7:L8, 0,0,1,)): an empty width is the width
        ("L1008", 7.0009),  # SUM(OFFSET(K7:L8, 0,0))
    ],
)
def test_excel_results_in_pois_workbook(cell, expected):
    wb = Workbook.from_path(excel_made("FormulaEvalTestData_Copy.xlsx"))
    got = wb.evaluate("EverythingTests", cell)
    assert same(got, expected), f"{cell}: got {got!r}, Excel {expected!r}"


def test_anchorarray_is_the_range_a_dynamic_array_spills_into():
    # =SEQUENCE(3)*10 in A1, spilling into A1:A3 as the file holds it; B1 = SUM(A1#)
    wb = Workbook.from_cells({"S": {"B1": "=SUM(_xlfn.ANCHORARRAY(A1))", "B2": "=ANCHORARRAY(C1)"}})
    sheet = wb.sheet("S")
    wb.set_formula(sheet, 1, 1, "_xlfn.SEQUENCE(3)*10", "dynamic", "A1:A3")
    wb.set_value(sheet, 1, 3, 5.0)
    values, problems = wb.recalculate([("S", "B1"), ("S", "B2")])
    assert problems == []
    assert values[("S", "B1")] == 60.0  # 10 + 20 + 30
    assert values[("S", "B2")] == E("#REF!")  # C1 holds no dynamic array
    assert [values[("S", f"A{r}")] for r in (1, 2, 3)] == [10.0, 20.0, 30.0]
