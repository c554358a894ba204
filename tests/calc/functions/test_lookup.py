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
