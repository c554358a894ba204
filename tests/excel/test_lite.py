"""The CRM_* functions in xlwings Lite, through xlwings' own Office.js code path.

A host process (tests/helpers/lite_host.py) imports Lite's ``main.py`` — the one line
``from crm_xl.lite import *`` — with xlwings' Office.js decorators, and answers with xlwings'
``custom_functions_meta`` (what Excel registers) and ``custom_functions_call`` (a formula's
payload as Office.js sends it). The same inputs go through the headless engine (what
``crm-xl recalc`` runs) as cells of a sheet; both must show the same cells.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from crm_xl.calc.evaluator import Workbook, XlError
from crm_xl.excel.engine import engine_functions
from crm_xl.excel.registry import SPECS
from crm_xl.xlsx.coordinates import cell_name
from tests.helpers.lite import LiteHost, officejs_cell, officejs_range


@pytest.fixture(scope="module")
def lite():
    host = LiteHost()
    yield host
    host.close()


@pytest.fixture(scope="module")
def meta(lite):
    return {f["name"]: f for f in lite.request(op="meta")["functions"]}


def test_main_py_gets_the_office_js_decorators(lite):
    # what Lite's main.py imports: xlwings' Office.js declarations, not the no-op ones
    assert lite.request(op="decorators") == [
        "xlwings.pro.udfs_officejs.xlfunc",
        "xlwings.pro.udfs_officejs",
    ]


def test_every_function_is_registered(meta):
    assert sorted(meta) == sorted(SPECS)


@pytest.mark.parametrize("name", list(SPECS))
def test_metadata_says_what_the_registry_says(meta, name):
    spec, f = SPECS[name], meta[name]
    assert f["id"] == name and f["description"] == spec.description.en
    assert [p["name"] for p in f["parameters"]] == [a.name for a in spec.arguments]
    for p, a in zip(f["parameters"], spec.arguments, strict=True):
        assert p["description"] == a.help.en
        assert p.get("optional", False) == a.optional, a.name
        # every argument is declared matrix/any: a range or a single cell, errors passed on
        assert (p["dimensionality"], p["type"]) == ("matrix", "any")
    assert f["result"] == {"dimensionality": "matrix", "type": "any"}


def test_help_in_chinese_with_crm_xl_lang():
    host = LiteHost(CRM_XL_LANG="zh")
    try:
        meta = {f["name"]: f for f in host.request(op="meta")["functions"]}
    finally:
        host.close()
    score = meta["CRM_SCORE"]
    assert score["description"] == SPECS["CRM_SCORE"].description.zh
    assert score["parameters"][0]["description"].startswith("各指标得分")


# -- the same cells through Lite and through the engine ------------------------------------

OMIT = object()  # an optional argument left out of the formula
D = dt.datetime

# (function, arguments: a reference into the cells or a typed value, the cells)
CASES = [
    # the weighted model's worked case (docs/domain.md), then a blank indicator (left out, re-weighted), text and an error
    (
        "CRM_SCORE",
        ["B1:E1", "B2:E2"],
        {"B1": 85, "C1": 75, "D1": 10, "E1": 70, "B2": 40, "C2": 30, "D2": 20, "E2": 10},
    ),
    (
        "CRM_SCORE",
        ["B1:E1", "B2:E2"],
        {"B1": 85, "C1": 75, "E1": 70, "B2": 40, "C2": 30, "D2": 20, "E2": 10},
    ),
    (
        "CRM_SCORE",
        ["B1:E3", "B5:E5"],
        {
            "B1": 85,
            "C1": "n/a",
            "D1": 10,
            "E1": 70,
            "B2": "#N/A",
            "C2": 1,
            "B5": 40,
            "C5": 30,
            "D5": 20,
            "E5": 10,
        },
    ),
    ("CRM_SCORE", ["B1:C1", "B2:C2", True], {"B1": 80, "C1": 60, "B2": 30, "C2": 30}),
    ("CRM_SCORE", ["B1:C1", "B2:C2"], {"B1": 0, "C1": 60, "B2": 50, "C2": 50}),  # a true 0
    (
        "CRM_MULTISCORE",
        ["B1:D2", "B4:D4", "B5:D5", "B6:C6", "B7:C7"],
        {
            "B1": 80,
            "C1": 60,
            "D1": 90,
            "C2": 40,
            "D2": 70,
            "B4": 50,
            "C4": 50,
            "D4": 100,
            "B5": "v",
            "C5": "v",
            "D5": "r",
            "B6": "v",
            "C6": "r",
            "B7": 60,
            "C7": 40,
        },
    ),
    (
        "CRM_INDICATORS_USED",
        ["B1:E2", "B4:E4"],
        {"B1": 80, "D1": 20, "E1": 60, "B2": 1, "B4": 40, "C4": 30, "D4": 20, "E4": 10},
    ),
    (
        "CRM_EXPLAIN",
        ["B1:E1", "B2:E2"],
        {"B1": 85, "C1": 75, "E1": 70, "B2": 40, "C2": 30, "D2": 20, "E2": 10},
    ),
    ("CRM_NORMALIZE", ["B1:B4", 30, 5], {"B1": 10, "B2": 40, "B4": "x"}),
    ("CRM_NORMALIZE", ["B1:B3", "C1", "D1", "lower"], {"B1": 10, "B2": 2, "C1": 5, "D1": 30}),
    (
        "CRM_SCALE",
        ["B1:B5", "linear", 0, 300000],
        {"B1": 150000, "B2": 400000, "B4": "abc", "B5": "#DIV/0!"},
    ),
    ("CRM_SCALE", ["B1:B4", "minmax", OMIT, OMIT, "lower"], {"B1": 10, "B2": 20, "B3": 30}),
    ("CRM_SCALE", ["B2", "minmax", OMIT, OMIT, OMIT, "B1:B4"], {"B1": 10, "B2": 20, "B3": 30}),
    ("CRM_FORM_SCORE", ["B1:B5"], {"B1": 4, "B2": 1, "B4": 7, "B5": True}),
    ("CRM_FORM_SCORE", ["B1", 0, 10], {"B1": 5}),
    ("CRM_MINMAX", ["B1:B4"], {"B1": 10, "B2": 20, "B3": 30}),
    ("CRM_CHURN", ["B1:B3", "C1:C3"], {"B1": 5, "C1": 100, "B2": 1, "C2": 0, "C3": 50}),
    ("CRM_RETENTION", ["B1", "C1", "D1"], {"B1": 200, "C1": 210, "D1": 30}),
    ("CRM_GROWTH", ["B1:B2", "C1:C2"], {"B1": 100000, "C1": 110000, "B2": 0, "C2": 5}),
    ("CRM_CAC", ["B1", "C1"], {"B1": 50000, "C1": 25}),
    ("CRM_CLV", ["B1", "C1", "D1"], {"B1": 12000, "C1": 3, "D1": 2000}),
    ("CRM_CLV_MARGIN", ["B1", "C1", "D1"], {"B1": 100, "C1": 0.8, "D1": 0.1}),
    (
        "CRM_NPS",
        ["B1:B12"],
        {
            "B1": 10,
            "B2": 9,
            "B3": 9,
            "B4": 8,
            "B5": 7,
            "B6": 7,
            "B7": 6,
            "B8": 5,
            "B9": 3,
            "B10": 10,
        },
    ),
    # a whole column: Office.js hands over all 1,048,576 cells, the engine reads the used ones
    ("CRM_NPS", ["B:B"], {"B1": 10, "B2": 9, "B5": 3, "B90000": 6}),
    ("CRM_CSAT", ["B1:B6"], {"B1": 5, "B2": 4, "B3": 3, "B4": 2, "B5": 5}),
    ("CRM_CSAT", ["B1:B6", 5, "mean"], {"B1": 5, "B2": 4, "B3": 3, "B4": 2, "B5": 5}),
    ("CRM_CES", ["B1:B5"], {"B1": 7, "B2": 6, "B3": 5, "B4": 6}),
    (
        "CRM_TIER",
        ["B1:B5", "C1:D1", "C2:E2"],
        {
            "B1": 120000,
            "B2": 100000,
            "B3": 20000,
            "B5": "x",
            "C1": 100000,
            "D1": 50000,
            "C2": "A",
            "D2": "B",
            "E2": "C",
        },
    ),
    (
        "CRM_TIER",
        ["B1:B2", "C1:D1", "C2:E2", "upper"],
        {"B1": 100000, "B2": 50000, "C1": 100000, "D1": 50000, "C2": "A", "D2": "B", "E2": "C"},
    ),
    (
        "CRM_RFM",
        ["B1:B6", "C1:C6", "D1:D6", "cn8", "zh"],
        {
            **{f"B{i}": d for i, d in enumerate([5, 40, 200, 12, 90], 1)},
            **{f"C{i}": n for i, n in enumerate([12, 3, 1, 8, 2], 1)},
            **{f"D{i}": m for i, m in enumerate([90000, 20000, 3000, 50000, 8000], 1)},
        },
    ),
    # recency as dates of last purchase, counted to as_of (Office.js hands dates over as serials)
    (
        "CRM_RFM_CODE",
        ["B1:B5", "C1:C5", "D1:D5", "E1"],
        {
            "B1": D(2026, 11, 20),
            "B2": D(2026, 6, 1),
            "B3": D(2025, 12, 1),
            "B4": D(2026, 10, 1),
            "B5": D(2026, 9, 1),
            "C1": 12,
            "C2": 3,
            "C3": 1,
            "C4": 8,
            "C5": 2,
            "D1": 90000,
            "D2": 20000,
            "D3": 3000,
            "D4": 50000,
            "D5": 8000,
            "E1": D(2026, 12, 1),
        },
    ),
    (
        "CRM_RFM_ROW",
        ["B2", "C2", "D2", "$B$1:$B$5", "$C$1:$C$5", "$D$1:$D$5", "rf-grid"],
        {
            "B1": 5,
            "B2": 40,
            "B3": 200,
            "B4": 12,
            "B5": 90,
            "C1": 12,
            "C2": 3,
            "C3": 1,
            "C4": 8,
            "C5": 2,
            "D1": 90000,
            "D2": 20000,
            "D3": 3000,
            "D4": 50000,
            "D5": 8000,
        },
    ),
    (
        "CRM_AHP",
        ["B1:D3"],
        {"B1": 1, "C1": 3, "D1": 5, "B2": "1/3", "C2": 1, "D2": 3, "B3": 0.2, "C3": "1/3", "D3": 1},
    ),
    (
        "CRM_AHP",
        ["B1:D3", "cr"],
        {"B1": 1, "C1": 3, "D1": 5, "B2": "1/3", "C2": 1, "D2": 3, "B3": 0.2, "C3": "1/3", "D3": 1},
    ),
    ("CRM_AHP_CR", ["B1:B1"], {"B1": 1}),
    (
        "CRM_ENTROPY_WEIGHTS",
        ["B1:D4"],
        {
            "B1": 1,
            "C1": 10,
            "D1": 5,
            "B2": 2,
            "C2": 20,
            "D2": 5,
            "B3": 3,
            "C3": 30,
            "D3": 6,
            "B4": 4,
            "C4": 45,
            "D4": 5,
        },
    ),
]


REF = re.compile(r"^(\$?[A-Z]{1,3}\$?\d+(:\$?[A-Z]{1,3}\$?\d+)?|\$?[A-Z]{1,3}:\$?[A-Z]{1,3})$")


def is_ref(x: Any) -> bool:
    """A reference to cells (``B1``, ``$B$1:$B$5``, ``B:B``), not a typed text such as "cn8"."""
    return isinstance(x, str) and REF.match(x) is not None


def formula_text(name: str, args: list[Any]) -> str:
    while args and args[-1] is OMIT:
        args = args[:-1]

    def text(x: Any) -> str:
        if x is OMIT:
            return ""
        if is_ref(x):
            return x
        if isinstance(x, bool):
            return "TRUE" if x else "FALSE"
        if isinstance(x, str):
            return f'"{x}"'
        return repr(x)

    return f"={name}({','.join(text(x) for x in args)})"


def engine_cells(name: str, args: list[Any], cells: dict[str, Any], shape: tuple[int, int]):
    """The formula over ``cells`` computed by the headless engine, as a block of ``shape``."""
    data = {
        k: (XlError(v) if isinstance(v, str) and v.startswith("#") else v) for k, v in cells.items()
    }
    rows, cols = shape
    anchor, last = "Z1", cell_name(rows, 26 + cols - 1)
    formula = formula_text(name, args)
    data[anchor] = ("{" + formula + "}", f"{anchor}:{last}") if (rows, cols) != (1, 1) else formula
    if any(isinstance(v, dt.datetime) for v in cells.values()):
        wb = Workbook.from_path(dated_book(data, anchor, last), engine_functions())
    else:
        wb = Workbook.from_cells({"S": data}, functions=engine_functions())
    want = [("S", cell_name(1 + i, 26 + j)) for i in range(rows) for j in range(cols)]
    got = wb.evaluate_all(want)
    return [[got[("S", cell_name(1 + i, 26 + j))] for j in range(cols)] for i in range(rows)]


def dated_book(data: dict[str, Any], anchor: str, last: str) -> Path:
    """The cells as an .xlsx whose dates are date cells (a number format), as Excel saves them."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "S"
    for cell, v in data.items():
        if isinstance(v, tuple):
            ws[cell] = ArrayFormula(f"{anchor}:{last}", v[0][1:-1])
        else:
            ws[cell] = v
            if isinstance(v, dt.datetime):
                ws[cell].number_format = "yyyy-mm-dd"
    path = Path(tempfile.mkdtemp()) / "dates.xlsx"
    book.save(path)
    return path


def lite_args(args: list[Any], cells: dict[str, Any]) -> list[Any]:
    return [
        None if x is OMIT else officejs_range(cells, x) if is_ref(x) else [[officejs_cell(x)]]
        for x in args
    ]


def same(a: Any, b: Any) -> bool:
    blank = ("", None)
    if a in blank or b in blank or type(b).__name__ == "Empty":
        return (a in blank) and (b in blank or type(b).__name__ == "Empty")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


@pytest.mark.parametrize(
    ("name", "args", "cells"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_lite_shows_what_the_engine_computes(lite, name, args, cells):
    shown = lite.call(name, *lite_args(args, cells))
    expected = engine_cells(name, args, cells, (len(shown), len(shown[0])))
    assert all(
        same(a, b)
        for ra, rb in zip(shown, expected, strict=True)
        for a, b in zip(ra, rb, strict=True)
    ), (shown, expected)


def test_blank_is_missing_never_0(lite):
    # by hand: 85, 75, (blank), 70 with weights 40/30/20/10 → the blank's 20 % left out:
    # (85·40 + 75·30 + 70·10) / 80 = 79.375; with a typed 0 instead: 65.5 − 2 = 63.5
    assert lite.call("CRM_SCORE", [[85, 75, None, 70]], [[40, 30, 20, 10]], None) == [[79.375]]
    assert lite.call("CRM_SCORE", [[85, 75, "", 70]], [[40, 30, 20, 10]], None) == [[79.375]]
    assert lite.call("CRM_SCORE", [[85, 75, 0, 70]], [[40, 30, 20, 10]], None) == [[63.5]]
    # a row of blanks stays blank; 3 of 4 indicators used
    assert lite.call("CRM_SCORE", [[None, None], [80, None]], [[50, 50]], None) == [[""], [80.0]]
    assert lite.call("CRM_INDICATORS_USED", [[85, 75, None, 70]], [[40, 30, 20, 10]]) == [[3.0]]


def test_an_error_cell_is_named_not_hidden(lite):
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    shown = lite.call("CRM_FORM_SCORE", [[4, na]], None, None)
    assert shown == [[75.0, "#VALUE! answer: the input shows the error #N/A"]]
    # an error where a single value belongs is not taken for "omitted" (the default)
    low = lite.call("CRM_FORM_SCORE", [[4]], [[na]], None)[0][0]
    assert low.startswith("#VALUE!") and "#N/A" in low


def test_pyodides_jsnull_is_an_empty_cell(lite):
    # Pyodide 0.28 and later hand a JS null over as JsNull, not None: in a range it is a
    # blank (left out), as a whole argument an omitted one (its default)
    null = {"jsnull": True}
    assert lite.call("CRM_SCORE", [[85, 75, null, 70]], [[40, 30, 20, 10]], null) == [[79.375]]
    assert lite.call("CRM_FORM_SCORE", [[4]], null, null) == [[75.0]]  # low and high: 1-5
