"""Excel's math and trigonometry functions (crm_xl.calc.functions.math), worked by hand."""

from __future__ import annotations

import math

import pytest

from tests.helpers.formulas import DATA, E, ev, same


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # ROUND halves away from zero, on the number as written
        ("=ROUND(2.5,0)", 3.0),
        ("=ROUND(-2.5,0)", -3.0),
        ("=ROUND(0.125,2)", 0.13),
        ("=ROUND(1.005,2)", 1.01),
        ("=ROUND(2.675,2)", 2.68),
        ("=ROUND(1234.5,-2)", 1200.0),
        ("=ROUNDUP(-1.21,1)", -1.3),
        ("=ROUNDDOWN(1.29,1)", 1.2),
        ("=INT(-2.5)", -3.0),
        ("=MOD(-3,2)", 1.0),
        ("=MOD(3,-2)", -1.0),
        ("=MOD(1,0)", E("#DIV/0!")),
        # aggregates: ranges skip text and booleans, direct arguments are converted
        ("=SUM(B1:B5)", 19.0),
        ('=SUM("3",B1:B5)', 22.0),
        ('=SUM("x")', E("#VALUE!")),
        ("=SUM(TRUE,1)", 2.0),
        ("=SUM(B1:B4,#N/A)", E("#N/A")),
        # arrays inside SUMPRODUCT, without Ctrl+Shift+Enter
        ('=SUMPRODUCT(--(B1:B5<>""))', 4.0),
        ("=SUMPRODUCT(D1:D3,D1:D3)", 14.0),
        ("=SUMPRODUCT((D1:D3>1)*D1:D3)", 5.0),
        ('=SUMPRODUCT((C1:C3="banana")*(D1:D3))', 2.0),
        ("=SUMPRODUCT(D1:D3,D1:D2)", E("#VALUE!")),
        ("=ABS(-3)", 3.0),
        ("=POWER(2,10)", 1024.0),
        ("=SQRT(-1)", E("#NUM!")),
        ("=LN(0)", E("#NUM!")),
        ("=EXP(1)", math.e),
    ],
)
def test_math_functions(formula, expected):
    got = ev(formula, **DATA)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Excel rounds the value to its 15 significant digits first: the binary
        # 0.0062499999999999995 is 0.00625, and 0.30000000000000004 is 0.3
        ("=ROUND(1.05*(0.0284+0.0046)-0.0284,4)", 0.0063),
        ("=ROUNDUP(0.1+0.2,1)", 0.3),
        ("=ROUNDDOWN(0.3-0.1-0.2+1,15)", 1.0),
        ("=TRUNC((0.1+0.7)*10)", 8.0),  # 7.9999999999999991 to 15 digits is 8
        ("=INT((0.1+0.7)*10)", 8.0),
        ("=CEILING(0.1+0.2,0.1)", 0.3),  # not 0.4: (0.1+0.2)/0.1 is 3 to 15 digits
        ("=FLOOR(0.3,0.1)", 0.3),  # not 0.2: 0.3/0.1 is 2.9999999999999996
        ("=ROUND(2.675,2)", 2.68),
        # the .MATH and .PRECISE family, Microsoft's examples
        ("=_xlfn.CEILING.MATH(24.3,5)", 25.0),
        ("=_xlfn.CEILING.MATH(6.7)", 7.0),
        ("=_xlfn.CEILING.MATH(-8.1,2)", -8.0),
        ("=_xlfn.CEILING.MATH(-5.5,2,-1)", -6.0),
        ("=_xlfn.FLOOR.MATH(24.3,5)", 20.0),
        ("=_xlfn.FLOOR.MATH(6.7)", 6.0),
        ("=_xlfn.FLOOR.MATH(-8.1,2)", -10.0),
        ("=_xlfn.FLOOR.MATH(-5.5,2,-1)", -4.0),
        ("=_xlfn.CEILING.PRECISE(4.3)", 5.0),
        ("=_xlfn.CEILING.PRECISE(-4.3)", -4.0),
        ("=_xlfn.CEILING.PRECISE(4.3,-2)", 6.0),
        ("=_xlfn.CEILING.PRECISE(-4.3,-2)", -4.0),
        ("=_xlfn.FLOOR.PRECISE(-3.2,-1)", -4.0),
        ("=_xlfn.FLOOR.PRECISE(3.2)", 3.0),
        ("=_xlfn.FLOOR.PRECISE(-3.2)", -4.0),
        ("=_xlfn.FLOOR.PRECISE(3.2,-1)", 3.0),
        ("=_xlfn.ISO.CEILING(-4.3,2)", -4.0),
        ("=MROUND(10,3)", 9.0),
        ("=MROUND(-10,-3)", -9.0),
        ("=MROUND(1.3,0.2)", 1.4),
        ("=MROUND(5,-2)", E("#NUM!")),
    ],
)
def test_rounding_works_on_15_significant_digits(formula, expected):
    got = ev(formula)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"


def test_subtotal_leaves_out_rows_a_filter_hides(tmp_path):
    """Microsoft's SUBTOTAL page: rows a filter hides are left out whatever the function
    number; rows hidden by hand only by 101-111. In the file both are <row hidden="1">:
    the filtered ones are those under the header of an AutoFilter or a table's filter."""
    import openpyxl
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table

    from crm_xl.calc.evaluator import Workbook

    path = tmp_path / "filtered.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Region", "Amount"])
    for r in range(2, 10):  # B2:B9 = 1, 2, 4, ..., 128
        ws.cell(r, 1, "north" if r % 2 else "south")
        ws.cell(r, 2, 2 ** (r - 2))
    ws.auto_filter.ref = "A1:B9"
    ws.row_dimensions[4].hidden = True  # 4: filtered out
    ws.row_dimensions[6].hidden = True  # 16: filtered out
    ws["B11"], ws["B12"] = 256, 512
    ws.row_dimensions[11].hidden = True  # hidden by hand, outside the filter
    ws["D1"] = "=SUBTOTAL(9,B2:B12)"
    ws["D2"] = "=SUBTOTAL(109,B2:B12)"
    ws["D3"] = "=SUBTOTAL(2,B2:B12)"
    ws["D4"] = "=SUBTOTAL(102,B:B)"
    ws["D5"] = "=SUM(B2:B12)"
    ws["D6"] = "=SUBTOTAL(9,B:B)"
    ws["D7"] = "=SUBTOTAL(1,B2:B9)"
    t = wb.create_sheet("T")
    t.append(["Item", "Amount"])
    for r in range(2, 7):  # B2:B6 = 1, 2, 4, 8, 16
        t.cell(r, 1, f"i{r}")
        t.cell(r, 2, 2 ** (r - 2))
    table = Table(displayName="Sales", ref="A1:B6")
    table.autoFilter = AutoFilter(ref="A1:B6")
    t.add_table(table)
    t.row_dimensions[3].hidden = True  # 2: filtered out of the table
    t["B8"] = 100
    t.row_dimensions[8].hidden = True  # by hand, below the table
    t["D1"] = "=SUBTOTAL(9,B2:B8)"
    t["D2"] = "=SUBTOTAL(109,B2:B8)"
    t["D3"] = "=SUBTOTAL(9,Sales[Amount])"
    wb.save(path)

    book = Workbook.from_path(path)
    got = {c: book.evaluate("Data", c) for c in ("D1", "D2", "D3", "D4", "D5", "D6", "D7")}
    assert got["D1"] == 1023.0 - 4 - 16  # 256, hidden by hand, stays in for 9
    assert got["D2"] == 1023.0 - 4 - 16 - 256
    assert got["D3"] == 10.0 - 2
    assert got["D4"] == 10.0 - 3  # the header is text; three hidden rows
    assert got["D5"] == 1023.0  # SUM counts every row
    assert got["D6"] == 1023.0 - 4 - 16
    assert got["D7"] == (255.0 - 4 - 16) / 6
    assert book.evaluate("T", "D1") == 31.0 - 2 + 100
    assert book.evaluate("T", "D2") == 31.0 - 2
    assert book.evaluate("T", "D3") == 31.0 - 2
