"""Formula parsing (crm_xl.calc.parser): precedence, references, constants, shared formulas."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.formula.translate import Translator

from crm_xl.calc.parser import (
    ArrayConst,
    Binary,
    Bool,
    Error,
    FormulaError,
    Func,
    Missing,
    Name,
    Number,
    Percent,
    Ref,
    RefError,
    StructRef,
    Text,
    Unary,
    Unsupported,
    functions_used,
    parse,
    parse_counted,
    relative_key,
    translate,
)
from crm_xl.xlsx.coordinates import col_letters, col_number

N = Number
REL = (False, False, False, False)
ABS = (True, True, True, True)


def cell(sheet, row, col, host=(1, 1)):
    """A relative one-cell reference to (row, col) seen from host."""
    return Ref(sheet, row - host[0], col - host[1], row - host[0], col - host[1], REL)


# --- precedence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("=1+2*3", Binary("+", N(1), Binary("*", N(2), N(3)))),
        ("=(1+2)*3", Binary("*", Binary("+", N(1), N(2)), N(3))),
        ("=1-2-3", Binary("-", Binary("-", N(1), N(2)), N(3))),
        ("=2^3^2", Binary("^", Binary("^", N(2), N(3)), N(2))),  # left to right in Excel
        ("=-2^2", Binary("^", Unary("-", N(2)), N(2))),  # negation first: 4
        ("=2^-1", Binary("^", N(2), Unary("-", N(1)))),
        ("=50%^2", Binary("^", Percent(N(50)), N(2))),
        ("=-50%", Percent(Unary("-", N(50)))),
        ('="a"&1+2', Binary("&", Text("a"), Binary("+", N(1), N(2)))),
        ("=1+1=2", Binary("=", Binary("+", N(1), N(1)), N(2))),
        ('=1&2=3&"x"', Binary("=", Binary("&", N(1), N(2)), Binary("&", N(3), Text("x")))),
        ("=1<>2", Binary("<>", N(1), N(2))),
        ("=1<=2", Binary("<=", N(1), N(2))),
        ("=--TRUE", Unary("-", Unary("-", Bool(True)))),
        ("=+5", Unary("+", N(5))),
        ("=2*3%", Binary("*", N(2), Percent(N(3)))),
    ],
)
def test_operator_precedence(text, tree):
    assert parse(text) == tree


def test_reference_operators_bind_tighter_than_arithmetic():
    tree = parse("=SUM(A1:B2 B2:C3)*2")
    assert tree == Binary(
        "*",
        Func(
            "SUM",
            (
                Binary(
                    " ",
                    Ref(None, 0, 0, 1, 1, REL),
                    Ref(None, 1, 1, 2, 2, REL),
                ),
            ),
        ),
        N(2),
    )


def test_union_inside_parentheses_is_one_argument():
    tree = parse("=SUM((A1,B1),C1)")
    assert isinstance(tree, Func) and len(tree.args) == 2
    assert tree.args[0] == Binary(",", cell(None, 1, 1), cell(None, 1, 2))


def test_whitespace_is_ignored_except_between_references():
    assert parse("= SUM( A1 , B1 ) + 1") == Binary(
        "+", Func("SUM", (cell(None, 1, 1), cell(None, 1, 2))), N(1)
    )


# --- references ---------------------------------------------------------------------------


def test_relative_references_are_offsets_from_the_formula_cell():
    assert parse("=B2", host=(3, 3)) == Ref(None, -1, -1, -1, -1, REL)
    assert parse("=$B$2", host=(3, 3)) == Ref(None, 2, 2, 2, 2, ABS)
    assert parse("=B$2", host=(3, 3)) == Ref(None, 2, -1, 2, -1, (True, False, True, False))
    # the same formula filled down is the same tree
    assert parse("=B2*2", host=(2, 3)) == parse("=B3*2", host=(3, 3))


def test_ref_bounds_for_a_host():
    ref = parse("=A1:$C$3", host=(2, 2))
    assert ref.bounds(2, 2) == (1, 1, 3, 3)
    assert ref.bounds(10, 10) == (3, 3, 9, 9)  # the relative corner moved, sorted


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("=A:A", Ref(None, None, 0, None, 0, REL)),
        ("=$A:$C", Ref(None, None, 1, None, 3, (False, True, False, True))),
        ("=3:3", Ref(None, 2, None, 2, None, REL)),
        ("=$3:$5", Ref(None, 3, None, 5, None, (True, False, True, False))),
        ("=Sheet2!A1:B2", Ref("Sheet2", 0, 0, 1, 1, REL)),
        ("='Sheet name'!A1:B2", Ref("Sheet name", 0, 0, 1, 1, REL)),
        ("='It''s'!$A$1", Ref("It's", 1, 1, 1, 1, ABS)),
        ("='2024'!A1", Ref("2024", 0, 0, 0, 0, REL)),
        ("=Sheet1!A1:Sheet1!B2", Ref("Sheet1", 0, 0, 1, 1, REL)),
    ],
)
def test_references(text, ref):
    assert parse(text) == ref


def test_names_and_errors_in_references():
    assert parse("=crm_ind_weight") == Name("crm_ind_weight")
    assert parse("=Sheet1!local_name") == Name("local_name", "Sheet1")
    assert parse("='My sheet'!rate") == Name("rate", "My sheet")
    assert parse("=Sheet1!#REF!") == RefError("Sheet1")
    assert parse("=#REF!") == Error("#REF!")
    # beyond the grid a reference-like word is a name
    assert parse("=ABCD1") == Name("ABCD1")
    assert parse("=XFE1") == Name("XFE1")


def test_structured_and_external_references():
    assert parse("=SUM(Sales[Amount])") == Func(
        "SUM", (StructRef("Sales", "[Amount]", "Sales[Amount]"),)
    )
    assert parse("=[@Amount]*2").left == StructRef(None, "[@Amount]", "[@Amount]")
    ext = parse("=[1]Sheet1!A1")
    assert isinstance(ext, Unsupported) and "external" in ext.reason


# --- constants and calls ------------------------------------------------------------------


def test_array_constants():
    assert parse("={1,2;3,4}") == ArrayConst(((1.0, 2.0), (3.0, 4.0)))
    assert parse('={-1,"a";TRUE,#N/A}') == ArrayConst(((-1.0, "a"), (True, Error("#N/A"))))
    with pytest.raises(FormulaError, match="same length"):
        parse("={1,2;3}")


def test_literals():
    assert parse('="say ""hi"""') == Text('say "hi"')
    assert parse("=1.5E+3") == N(1500)
    assert parse("=FALSE") == Bool(False)
    assert parse("=#DIV/0!") == Error("#DIV/0!")


def test_function_calls_prefixes_and_missing_arguments():
    assert parse("=_xlfn.XLOOKUP(1,A1:A3,B1:B3)").name == "XLOOKUP"
    assert parse("=_xlfn._xlws.SORT(A1:A3)").name == "SORT"
    assert parse("=IF(A1,,2)").args == (cell(None, 1, 1), Missing(), N(2))
    assert parse("=IF(A1,1,)").args[2] == Missing()
    assert parse("=PI()") == Func("PI", ())
    assert parse("=sum(a1)") == Func("SUM", (cell(None, 1, 1),))


def test_range_to_a_function_result():
    tree = parse("=SUM(A1:INDEX(B1:B5,2))")
    inner = tree.args[0]
    assert inner.op == ":" and inner.left == cell(None, 1, 1)
    assert inner.right == Func("INDEX", (Ref(None, 0, 1, 4, 1, REL), N(2)))


def test_functions_used():
    tree = parse("=IFERROR(CRM_SCORE(A1:D1,W),0)+SUM(1)")
    assert functions_used(tree) == {"IFERROR", "CRM_SCORE", "SUM"}


@pytest.mark.parametrize("text", ["=", "=1+", "=SUM(1", "=(1", "=1)", "=A1#"])
def test_parse_errors(text):
    with pytest.raises(FormulaError):
        parse(text)


# --- keys and shared formulas ---------------------------------------------------------------


def test_relative_key_sees_through_position_but_not_strings():
    k1 = relative_key("=SUM(B2:E2)+$H$1", (2, 6))
    k2 = relative_key("=SUM(B3:E3)+$H$1", (3, 6))
    assert k1 == k2 and k1[1] == 3
    # text that looks like a reference is text
    assert relative_key('="A1"&A1', (1, 2))[0] != relative_key('="A2"&A2', (2, 2))[0]
    assert relative_key("=LOG10(A1)", (1, 2))[0] == relative_key("=LOG10(A2)", (2, 2))[0]
    # a constant that changes is a different formula
    assert relative_key("=A1+1", (1, 2))[0] != relative_key("=A2+2", (2, 2))[0]


@given(st.integers(1, 500), st.integers(1, 60), st.integers(1, 500), st.integers(1, 60))
def test_relative_key_matches_the_trees(r1, c1, r2, c2):
    """Same key ⇔ same tree, for references at random positions from two hosts."""
    a = f"=SUM({col_letters(c1)}{r1}:{col_letters(c1)}${r1 + 3})*{col_letters(c2)}{r2}"
    host_a, host_b = (10, 10), (20, 30)
    b = translate(a[1:], "J10", "AD20")
    ka, na = relative_key(a, host_a)[0], parse_counted(a, host_a)
    kb, nb = relative_key("=" + b, host_b)[0], parse_counted("=" + b, host_b)
    if "#REF!" not in b:
        assert ka == kb
        assert na == nb


def test_counted_corners_match_the_key():
    for text in ["=A1", "=A1:B2", "=A:A", "=3:3", "=Sheet2!A1+'x y'!B2:C3", "=A1:INDEX(B1:B2,1)"]:
        assert parse_counted(text)[1] == relative_key(text, (1, 1))[1], text
    assert parse_counted("=T[a]")[1] == -1


def test_translate_shared_formula_like_openpyxl():
    master = "A1*$B$1+SUM(C1:C3)+Sheet2!D4"
    assert translate(master, "E1", "E3") == "A3*$B$1+SUM(C3:C5)+Sheet2!D6"
    assert translate(master, "E1", "F1") == "B1*$B$1+SUM(D1:D3)+Sheet2!E4"
    expected = Translator("=" + master, origin="E1").translate_formula("G9")[1:]
    assert translate(master, "E1", "G9") == expected
    # the translated text parses to the master's tree
    assert parse(translate(master, "E1", "G9"), (9, 7)) == parse(master, (1, 5))


def test_column_letters():
    assert [col_letters(n) for n in (1, 26, 27, 702, 703, 16384)] == [
        "A",
        "Z",
        "AA",
        "ZZ",
        "AAA",
        "XFD",
    ]
    assert col_number("xfd") == 16384
