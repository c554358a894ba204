"""SUBTOTAL and AGGREGATE (crm_xl.calc.functions.aggregate): what filters, hidden rows,
nested totals and errors leave out, worked by hand and from Microsoft's documented examples."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table

from crm_xl.calc.evaluator import UnsupportedFunction, Workbook
from tests.helpers.formulas import E, ev, same


def test_subtotal_leaves_out_rows_a_filter_hides(tmp_path):
    """Microsoft's SUBTOTAL page: rows a filter hides are left out whatever the function
    number; rows hidden by hand only by 101-111. In the file both are <row hidden="1">:
    the filtered ones are those under the header of an AutoFilter or a table's filter."""
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


def _filtered_book(path):
    """Data!B2:B9 = 1, 2, 4, ... 128 under an AutoFilter over A1:B9 that hides rows 4 and
    6 (4 and 16); B11 = 256 hidden by hand, B12 = 512; C1 a SUBTOTAL to be left out."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Region", "Amount"])
    for r in range(2, 10):
        ws.cell(r, 1, "north" if r % 2 else "south")
        ws.cell(r, 2, 2 ** (r - 2))
    ws.auto_filter.ref = "A1:B9"
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[6].hidden = True
    ws["B11"], ws["B12"] = 256, 512
    ws.row_dimensions[11].hidden = True
    ws["B13"] = "=SUBTOTAL(9,B2:B3)"  # 3, a nested total
    ws["B14"] = "=1/0"
    return wb, ws


def test_aggregate_options_leave_out_hidden_rows_errors_and_nested_totals(tmp_path):
    path = tmp_path / "aggregate.xlsx"
    wb, ws = _filtered_book(path)
    ws["D1"] = "=_xlfn.AGGREGATE(9,7,B2:B14)"  # hidden rows and errors out, nested kept
    ws["D2"] = "=_xlfn.AGGREGATE(9,3,B2:B14)"  # 3: the nested total out too
    ws["D3"] = "=_xlfn.AGGREGATE(9,5,B2:B12)"  # hidden rows out, nested kept: none here
    ws["D4"] = "=_xlfn.AGGREGATE(9,1,B2:B14)"  # the error is not left out
    ws["D5"] = "=_xlfn.AGGREGATE(2,7,B2:B14)"  # COUNT
    ws["D6"] = "=_xlfn.AGGREGATE(14,7,B2:B14,2)"  # LARGE(…, 2) of what is left
    ws["D7"] = "=_xlfn.AGGREGATE(9,6,B2:B14)"  # keeps hidden rows: filtered ones unknown
    ws["D8"] = "=_xlfn.AGGREGATE(9,7,B11:B14)"  # 512 and the nested 3
    ws["D9"] = "=_xlfn.AGGREGATE(9,6,B11:B14)"  # no filter here: 256, 512 and the nested 3
    ws["D10"] = "=_xlfn.AGGREGATE(9,2,B11:B14)"  # nested total left out: 256 and 512
    wb.save(path)
    book = Workbook.from_path(path)
    got = {c: book.evaluate("Data", c) for c in ("D1", "D2", "D3", "D4", "D5", "D6", "D8")}
    visible = 255.0 - 4 - 16 + 512  # rows 2-9 shown, 11 hidden, 12 shown
    assert got["D1"] == visible + 3  # options 4-7 keep nested totals
    assert got["D2"] == visible and got["D3"] == visible
    assert got["D4"] == E("#DIV/0!")
    assert got["D5"] == 8.0  # 1, 2, 8, 32, 64, 128, 512 and the nested 3
    assert got["D6"] == 128.0
    assert got["D8"] == 512.0 + 3
    with pytest.raises(UnsupportedFunction, match="AGGREGATE over rows a filter hides"):
        book.evaluate("Data", "D7")
    assert book.evaluate("Data", "D9") == 256.0 + 512 + 3
    assert book.evaluate("Data", "D10") == 256.0 + 512


# Microsoft's AGGREGATE page: A1:A11 and B1:B11, two errors in A
MICROSOFT = {
    **{
        f"A{i}": v
        for i, v in enumerate(
            [E("#DIV/0!"), 72.0, 30.0, E("#NUM!"), 31.0, 96.0, 32.0, 81.0, 33.0, 53.0, 34.0], 1
        )
    },
    **{
        f"B{i}": v
        for i, v in enumerate(
            [82.0, 65.0, 95.0, 63.0, 53.0, 71.0, 55.0, 83.0, 100.0, 91.0, 89.0], 1
        )
    },
}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=_xlfn.AGGREGATE(4,6,A1:A11)", 96.0),
        ("=_xlfn.AGGREGATE(14,6,A1:A11,3)", 72.0),
        ("=_xlfn.AGGREGATE(15,6,A1:A11)", E("#VALUE!")),  # SMALL without its k
        ("=_xlfn.AGGREGATE(12,6,A1:A11,B1:B11)", 68.0),
        ("=MAX(A1:A2)", E("#DIV/0!")),
        # the array form leaves the errors of a computed array out: the row of the 2nd "x"
        ('=_xlfn.AGGREGATE(15,6,ROW(C1:C5)/(C1:C5="x"),2)', 4.0),
        ("=_xlfn.AGGREGATE(20,6,A1:A11)", E("#VALUE!")),
        ("=_xlfn.AGGREGATE(9,8,A1:A11)", E("#VALUE!")),
        # PERCENTILE.EXC and QUARTILE.EXC (16-19), Microsoft's own examples
        ("=_xlfn.PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0.25)", 2.5),
        ("=_xlfn.PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0)", E("#NUM!")),
        ("=_xlfn.QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},1)", 15.0),
        ("=_xlfn.QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},3)", 43.0),
        ("=_xlfn.AGGREGATE(19,6,{6,7,15,36,39,40,41,42,43,47,49},1)", 15.0),
        ("=_xlfn.AGGREGATE(16,6,{1,2,3,4},0.5)", 2.5),
    ],
)
def test_aggregate_microsofts_examples(formula, expected):
    cells = dict(MICROSOFT)
    cells.update({"C2": "x", "C4": "x", "C5": "y"})
    got = ev(formula, **cells)
    assert same(got, expected), f"{formula}: got {got!r}, expected {expected!r}"
