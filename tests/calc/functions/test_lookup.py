"""Excel's lookup and reference functions (crm_xl.calc.functions.lookup), worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # lookups
        ('=VLOOKUP("banana",C1:D3,2,FALSE)', 2.0),
        ('=VLOOKUP("BAN*",C1:D3,2,FALSE)', 2.0),
        ('=VLOOKUP("kiwi",C1:D3,2,FALSE)', E("#N/A")),
        ('=VLOOKUP("c",C1:D3,2)', 2.0),  # approximate: the last value <= "c"
        ('=VLOOKUP("apple",C1:D3,3,FALSE)', E("#REF!")),
        ('=HLOOKUP(2,{1,2,3;"a","b","c"},2)', "b"),
        ('=HLOOKUP(2.5,{1,2,3;"a","b","c"},2,TRUE)', "b"),
        ("=MATCH(5,{1,3,5,7},0)", 3.0),
        ("=MATCH(6,{1,3,5,7})", 3.0),
        ("=MATCH(0,{1,3,5,7},1)", E("#N/A")),
        ("=MATCH(4,{7,5,3,1},-1)", 2.0),
        ('=MATCH("b?nana",C1:C3,0)', 2.0),
        ('=MATCH("~*",{"a","*"},0)', 2.0),
        ("=INDEX(C1:D3,2,2)", 2.0),
        ("=SUM(INDEX(C1:D3,0,2))", 6.0),
        ("=INDEX(C1:D3,2)", E("#VALUE!")),  # a whole row in one cell
        ("=INDEX(D1:D3,2)", 2.0),
        ("=INDEX({1,2,3},2)", 2.0),
        ("=INDEX(D1:D3,4)", E("#REF!")),
        ("=SUM(D1:INDEX(D1:D3,2))", 3.0),
        ('=XLOOKUP("cherry",C1:C3,D1:D3)', 3.0),
        ('=_xlfn.XLOOKUP("kiwi",C1:C3,D1:D3,"none")', "none"),
        ('=XLOOKUP("kiwi",C1:C3,D1:D3)', E("#N/A")),
        ("=XLOOKUP(2.5,D1:D3,C1:C3,,-1)", "banana"),  # exact or next smaller
        ("=XLOOKUP(2.5,D1:D3,C1:C3,,1)", "cherry"),  # exact or next larger
        ('=XLOOKUP("b*",C1:C3,D1:D3,,2)', 2.0),  # wildcards
        ('=XLOOKUP("b*",C1:C3,D1:D3)', E("#N/A")),  # no wildcards in mode 0
        ("=XLOOKUP(1,{1,2,1},{10,20,30},,0,-1)", 30.0),  # last to first
        ('=LOOKUP("b",C1:C3,D1:D3)', 1.0),
    ],
)
def test_lookup_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Microsoft's MATCH page, B2:B5 = 25, 38, 40, 41
        ("=MATCH(39,B2:B5,1)", 2.0),
        ("=MATCH(41,B2:B5,0)", 4.0),
        # -1 on data that is not in descending order: #N/A ("the values in the range
        # B2:B5 are not in descending order"), not the 40 a linear search would find
        ("=MATCH(40,B2:B5,-1)", E("#N/A")),
        # -1 on descending data: the smallest value that is at least the one sought
        ("=MATCH(40,{41,40,38,25},-1)", 2.0),
        ("=MATCH(39,{41,40,38,25},-1)", 2.0),
        ("=MATCH(10,{41,40,38,25},-1)", 4.0),
        ("=MATCH(50,{41,40,38,25},-1)", E("#N/A")),
        # whole columns: the used cells are searched, the blank rest never matches
        ("=MATCH(40,B:B,0)", 4.0),
        ("=MATCH(99,B:B,1)", 5.0),
        ("=MATCH(1,B:B,0)", E("#N/A")),
        ("=VLOOKUP(41,B:B,1,FALSE)", 41.0),
        ("=LOOKUP(39,B:B)", 38.0),
        ("=_xlfn.XLOOKUP(40,B:B,B:B)", 40.0),
        ("=_xlfn.XLOOKUP(40,B:B,C:C)", 0.0),  # C4 is blank: shown as 0
        ("=_xlfn.XLOOKUP(40,B:B,C1:C9)", E("#VALUE!")),  # not the same size
    ],
)
def test_match_descending_and_whole_columns(formula, expected):
    got = ev(formula, B2=25.0, B3=38.0, B4=40.0, B5=41.0)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


# An empty lookup value (the blank cell Z1): XLOOKUP and XMATCH find the first blank cell
# of the lookup range (Excel 365, as captured in formualizer PR #438 and as LibreOffice
# was changed to agree, tdf#160711), not the 0 MATCH would read it as. Keys in A1:A3 with
# A2 blank, labels in B; A4:A6 are blank too, past the used cells.
BLANKS = {"A1": "x", "A3": "z", "B1": "p1", "B2": "p2", "B3": "p3", "B4": "p4", "B5": "p5"}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=XLOOKUP(Z1,A1:A3,B1:B3)", "p2"),
        ("=XMATCH(Z1,A1:A3)", 2.0),
        ("=XMATCH(Z1,A1:A5,0,-1)", 5.0),  # last to first: A5, blank past the used cells
        ("=XLOOKUP(Z1,A3:A5,B3:B5)", "p4"),  # A4: blank, past the used cells
        ('=XLOOKUP(Z1,{"x","z"},{1,2},"none")', "none"),  # no blank: not found
        ("=XMATCH(Z1,{1,2})", E("#N/A")),
        # the rest of XLOOKUP, by Microsoft's page: if_not_found, match and search modes
        ("=XLOOKUP(5,{1,3,7},{10,30,70},,-1)", 30.0),  # next smaller; omitted: #N/A if none
        ("=XLOOKUP(0,{1,3,7},{10,30,70},,-1)", E("#N/A")),
        ("=XLOOKUP(0,{1,3,7},{10,30,70},,1)", 10.0),  # next larger
        ("=XLOOKUP(5,{7,1,6,3},{70,10,60,30},,1)", 60.0),  # unsorted: the closest above
        ("=XLOOKUP(5,{7,1,6,3},{70,10,60,30},,-1)", 30.0),
        ('=XLOOKUP("?e*",{"apple","pear","beet"},{1,2,3},,2)', 2.0),  # wildcards
        ('=XLOOKUP("?e*",{"apple","pear","beet"},{1,2,3},,2,-1)', 3.0),  # from the end
        ('=XLOOKUP("~?",{"a","?"},{1,2},,2)', 2.0),  # ~ escapes a wildcard
        ("=XLOOKUP(30,{10,20,30,40},{1,2,3,4},,0,2)", 3.0),  # binary, ascending
        ("=XLOOKUP(20,{40,30,20,10},{1,2,3,4},,0,-2)", 3.0),  # binary, descending
        ("=XLOOKUP(25,{10,20,30,40},{1,2,3,4},,-1,2)", 2.0),
        ("=XLOOKUP(25,{10,20,30,40},{1,2,3,4},,1,2)", 3.0),
        ("=XLOOKUP(1,{1,2},{1,2},,3)", E("#VALUE!")),  # no match mode 3
    ],
)
def test_xlookup_of_an_empty_value_and_its_modes(formula, expected):
    got = ev(formula, **BLANKS)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    "formula",
    [
        "=XMATCH(Z1,{1,0,2})",  # a 0 before any blank: whether it matches is not documented
        '=XMATCH(Z1,{"a",""})',  # an empty text, likewise
        "=XMATCH(Z1,A1:A3,1)",  # next larger than nothing
        "=XMATCH(Z1,A1:A3,0,2)",  # a binary search for a blank
    ],
)
def test_an_empty_lookup_value_excel_gives_no_rule_for_is_reported(formula):
    from crm_xl.calc.evaluator import Workbook

    wb = Workbook.from_cells({"S": {**BLANKS, "Y1": formula}})
    values, problems = wb.recalculate([("S", "Y1")])
    assert ("S", "Y1") not in values and [p.where for p in problems] == ["S!Y1"]
