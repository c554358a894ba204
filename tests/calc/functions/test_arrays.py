"""Excel's dynamic-array functions (crm_xl.calc.functions.arrays): SEQUENCE, FILTER,
UNIQUE, SORT, SORTBY. Expected values are worked by hand from Microsoft's function pages
(the examples there, or the rule they state)."""

from __future__ import annotations

import pytest

from crm_xl.calc.evaluator import Workbook
from crm_xl.calc.functions import call
from crm_xl.calc.values import Array
from tests.helpers.formulas import DATA, E, ev, same

# a small table: names in A, regions in B, sales in C
TABLE = {
    "A1": "dan", "B1": "east", "C1": 30.0,
    "A2": "amy", "B2": "west", "C2": 10.0,
    "A3": "cal", "B3": "east", "C3": 20.0,
    "A4": "bob", "B4": "west", "C4": 40.0,
}  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # SEQUENCE(rows, columns, start, step) fills row by row
        ("=SUM(SEQUENCE(4))", 10.0),
        ('=TEXTJOIN(",",,SEQUENCE(2,3,10,-2))', "10,8,6,4,2,0"),
        ("=ROWS(SEQUENCE(2,3)) * 10 + COLUMNS(SEQUENCE(2,3))", 23.0),
        ("=SEQUENCE(0)", E("#CALC!")),
        ("=SEQUENCE(-1)", E("#VALUE!")),
        ("=SEQUENCE(1)", 1.0),
        # FILTER keeps the rows whose include value is true
        ('=TEXTJOIN(",",,FILTER(A1:A4,B1:B4="east"))', "dan,cal"),
        ("=SUM(FILTER(C1:C4,C1:C4>15))", 90.0),
        ('=FILTER(A1:A4,B1:B4="north")', E("#CALC!")),
        ('=FILTER(A1:A4,B1:B4="north","none")', "none"),
        ('=FILTER(A1:A4,B1:B3="east")', E("#VALUE!")),  # include of another height
        ('=TEXTJOIN(",",,FILTER(A1:C1,{TRUE,FALSE,TRUE}))', "dan,30"),  # columns
        ('=TEXTJOIN(",",,FILTER(A1:A4,{1;0;"x";1}))', E("#VALUE!")),  # text is no flag
        # UNIQUE: distinct rows in order of first appearance, text case-insensitive
        ('=TEXTJOIN(",",,UNIQUE(B1:B4))', "east,west"),
        ('=TEXTJOIN(",",,UNIQUE({"a";"A";"b";"a";"c"},,TRUE))', "b,c"),
        ('=TEXTJOIN(",",,UNIQUE({1,2,1,3},TRUE))', "1,2,3"),
        ("=UNIQUE({1;1},,TRUE)", E("#CALC!")),
        ("=ROWS(UNIQUE(A1:B4))", 4.0),
        # SORT by a column, ascending or descending; SORTBY by another range
        ('=TEXTJOIN(",",,SORT(A1:A4))', "amy,bob,cal,dan"),
        ('=TEXTJOIN(",",,SORT(A1:C4,3,-1))', "bob,west,40,dan,east,30,cal,east,20,amy,west,10"),
        (
            '=TEXTJOIN(",",,SORT(A1:C4,{2,3},{1,-1}))',
            "dan,east,30,cal,east,20,bob,west,40,amy,west,10",
        ),
        ('=TEXTJOIN(",",,SORTBY(A1:A4,C1:C4))', "amy,cal,dan,bob"),
        ('=TEXTJOIN(",",,SORTBY(A1:A4,B1:B4,1,C1:C4,-1))', "dan,cal,bob,amy"),
        ('=TEXTJOIN(",",,SORT({3,1,2},1,1,TRUE))', "1,2,3"),
        ("=SORT(A1:C4,4)", E("#VALUE!")),
        ("=SORT(A1:C4,1,2)", E("#VALUE!")),
        ('=TEXTJOIN(",",,SORTBY(A1:A4,C1:C3))', E("#VALUE!")),
        ("=INDEX(SORT(UNIQUE(FILTER(B1:B4,C1:C4>5)),1,-1),1)", "west"),
    ],
)
def test_dynamic_array_functions(formula, expected):
    got = ev(formula, **TABLE)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_sort_orders_numbers_text_then_logical_values():
    # Excel's ascending order: numbers, then text (case-insensitive), then FALSE, TRUE
    data = Array([[True], ["b"], [2.0], [False], ["A"], [-1.0]])
    assert call("SORT", data) == Array([[-1.0], [2.0], ["A"], ["b"], [False], [True]])
    # stable: equal keys keep their order
    rows = Array([["x", 1.0], ["y", 0.0], ["z", 1.0]])
    assert call("SORT", rows, 2.0) == Array([["y", 0.0], ["x", 1.0], ["z", 1.0]])


@pytest.mark.parametrize(
    "formula",
    [
        '=SORT({"é";"f"})',  # a non-ASCII letter: Windows' collation, not reproduced
        '=SORT({"its";"it\'s"})',  # the same but for an apostrophe: no rule given
        '=SORT({"a-b";"a\'b"})',  # the same but for different ignored characters
        '=SORTBY({1;2},{"a\tb";"ab"})',  # a control character
        "=SORT(A1:A5)",  # a blank key
        "=SORT({1;#N/A})",
        "=UNIQUE(D1:D3)",  # blank and 0 together
    ],
)
def test_what_excel_orders_by_its_collation_is_reported(formula):
    wb = Workbook.from_cells({"S": {**TABLE, "D1": 0.0, "D3": 1.0, "Z1": formula}})
    values, problems = wb.recalculate([("S", "Z1")])
    assert values == {} and [p.where for p in problems] == ["S!Z1"]


def test_a_filter_spills_in_a_full_recalculation():
    # the ev helper sees the first value; the array itself goes to the spill range
    got = call(
        "FILTER", Array([["a", 1.0], ["b", 2.0], ["c", 3.0]]), Array([[True], [False], [True]])
    )
    assert got == Array([["a", 1.0], ["c", 3.0]])
    assert same(ev('=FILTER(C1:C4,B1:B4="west")', **TABLE), 10.0)
    assert same(ev("=SEQUENCE(3,1,5)", **DATA), 5.0)


def test_sort_puts_digits_before_the_space_before_letters():
    # Microsoft's "Default sort orders": 0 1 ... 9 (space) ... A B ... Z, by character
    got = call("SORT", Array([["a b"], ["ab"], ["a1"], ["A"]]))
    assert got == Array([["A"], ["a1"], ["a b"], ["ab"]])


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # the order Microsoft gives: 0-9, (space), ! " # $ % & ( ) * , . / : ; ? @ [ \ ] ^
        # _ ` { | } ~ + < = >, then the letters, character by character, any case
        (["ab", "a-c", "a b", "a_b", "a1", "A!"], ["a1", "a b", "A!", "a_b", "ab", "a-c"]),
        (["a<", "a+", "a~", "a="], ["a~", "a+", "a<", "a="]),
        (["a[", "a@", "a?", "a]", "a\\"], ["a?", "a@", "a[", "a\\", "a]"]),
        (["A11", "A100", "A1"], ["A1", "A100", "A11"]),  # the page's own example
        # apostrophes and hyphens are ignored...
        (["oneil", "o'neal", "on-e"], ["on-e", "o'neal", "oneil"]),
        # ...but of two texts the same except for a hyphen, the one with it comes last
        (["co-op", "coop"], ["coop", "co-op"]),
        (["b-c", "bc", "Bc"], ["bc", "Bc", "b-c"]),  # case alone: their order is kept
    ],
)
def test_sort_of_ascii_text_follows_excels_default_sort_order(texts, expected):
    got = call("SORT", Array([[t] for t in texts]))
    assert got == Array([[t] for t in expected])
    # descending is the same order reversed (the texts differ, so no ties to keep)
    if len({t.lower() for t in texts}) == len(texts):
        got = call("SORT", Array([[t] for t in texts]), 1.0, -1.0)
        assert got == Array([[t] for t in reversed(expected)])


def test_unique_of_numbers_equal_only_to_15_digits_is_reported():
    wb = Workbook.from_cells({"S": {"A1": "=0.1+0.2", "A2": 0.3, "Z1": "=ROWS(UNIQUE(A1:A2))"}})
    values, problems = wb.recalculate([("S", "Z1")])
    assert ("S", "Z1") not in values and [p.where for p in problems] == ["S!Z1"]


def test_a_dynamic_filter_fills_its_spill_range_or_is_reported():
    # =FILTER(A1:A4,B1:B4="east") anchored in E1: two names, as the file's spill range
    # E1:E2 holds; a file whose spill range is E1:E3 was saved with other data: reported
    for ref, expected in (("E1:E2", {"E1": "dan", "E2": "cal"}), ("E1:E3", None)):
        wb = Workbook.from_cells({"S": TABLE})
        sheet = wb.sheet("S")
        wb.set_formula(sheet, 1, 5, '_xlfn._xlws.FILTER(A1:A4,B1:B4="east")', "dynamic", ref)
        values, problems = wb.recalculate([("S", "E1")])
        if expected is None:
            assert problems and "spills 2×1 cells" in problems[0].message
        else:
            assert problems == []
            assert {c: values[("S", c)] for c in expected} == expected
