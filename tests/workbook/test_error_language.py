"""A crm_xl workbook's error texts are in its language (issue 10), the same in every binding.

A workbook made by ``crm-xl new`` gets bad inputs typed with openpyxl — an answer of 7 on
the 1–5 scale (customer row 4's satisfaction, the form's first item) and ``n/a`` as a spend
(row 5) — and ``crm-xl recalc`` computes it. The stored texts are compared with texts
written by hand; the same cell computed by xlwings' classic declarations and by xlwings
Lite's Office.js path shows the same text. An English workbook shows English, and a workbook
whose formulas have no ``lang`` argument (made before it existed) is still computed, in
English.

By hand, for the built-in Model: the Ratings indicators are, in order, annual spend (E),
orders (F), days since purchase (G), satisfaction (I, the 4th), interactions, campaigns,
complaint hours; satisfaction is a "form" answer on 1–5, so 7 is outside it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from crm_xl.cli import main
from crm_xl.files.resources import sample_path

ZH = {
    "ratings": "评级 2026-Q4",
    "form": "自评 2026-Q4",
    "S4": "#VALUE! 评分 7 超出 1-5 分的范围",
    "L4": "#VALUE! 指标 4:评分 7 超出 1-5 分的范围",
    "M4": "#VALUE! 指标 4:评分 7 超出 1-5 分的范围",
    "P5": "#VALUE! 数值:“n/a”是文本,不是数字",
    "L5": "#VALUE! 指标 1:“n/a”是文本,不是数字",
    "M5": "#VALUE! 指标 1:“n/a”是文本,不是数字",
    "N5": "#N/A 未参与 RFM 排名:消费金额:“n/a”是文本,不是数字",
    "F5": "#VALUE! 评分 7 超出 1-5 分的范围",
    "C10": "#VALUE! 指标 1:评分 7 超出 1-5 分的范围",
}
EN = {
    "ratings": "Ratings 2026-Q4",
    "form": "Self-assessment 2026-Q4",
    "S4": "#VALUE! answer 7 is outside the 1-5 scale",
    "L4": "#VALUE! indicator 4: answer 7 is outside the 1-5 scale",
    "M4": "#VALUE! indicator 4: answer 7 is outside the 1-5 scale",
    "P5": "#VALUE! value: 'n/a' is text, not a number",
    "L5": "#VALUE! indicator 1: 'n/a' is text, not a number",
    "M5": "#VALUE! indicator 1: 'n/a' is text, not a number",
    "N5": "#N/A left out of the RFM ranking: monetary: 'n/a' is text, not a number",
    "F5": "#VALUE! answer 7 is outside the 1-5 scale",
    "C10": "#VALUE! indicator 1: answer 7 is outside the 1-5 scale",
}
RATINGS_CELLS = ("S4", "L4", "M4", "P5", "L5", "M5", "N5")


def new_book(tmp_path: Path, lang: str) -> Path:
    book = tmp_path / f"team_{lang}.xlsx"
    argv = ["new", str(book), "--period", "2026-Q4", "--lang", lang]
    assert main([*argv, "--customers", str(sample_path("customers.csv"))]) == 0
    return book


def type_bad_inputs(book: Path, texts: dict[str, str], edit=None) -> None:
    wb = openpyxl.load_workbook(book)
    ratings, form = wb[texts["ratings"]], wb[texts["form"]]
    ratings["I4"] = 7  # satisfaction 7 on a 1-5 scale
    ratings["E5"] = "n/a"  # annual spend
    form["C5"] = 7
    form["C6"] = 3
    if edit:
        edit(wb)
    wb.save(book)


def stored(book: Path, sheet: str, cells) -> dict[str, object]:
    """The stored values of ``cells``, read by openpyxl and by calamine (they must agree)."""
    ws = openpyxl.load_workbook(book, data_only=True)[sheet]
    values = {c: ws[c].value for c in cells}
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python()
    for c in cells:
        col, row = ord(c[0]) - ord("A"), int(c[1:]) - 1
        assert rows[row][col] == values[c], c
    return values


@pytest.fixture(scope="module")
def zh_book(tmp_path_factory):
    book = new_book(tmp_path_factory.mktemp("zh"), "zh")
    type_bad_inputs(book, ZH)
    assert main(["recalc", str(book)]) == 1  # results that are errors fail the run
    return book


def test_the_chinese_workbook_stores_chinese_error_texts(zh_book, capsys):
    assert stored(zh_book, ZH["ratings"], RATINGS_CELLS) == {c: ZH[c] for c in RATINGS_CELLS}
    assert stored(zh_book, ZH["form"], ("F5", "C10")) == {"F5": ZH["F5"], "C10": ZH["C10"]}
    # the formulas carry the language, so a check computes the very same texts
    assert main(["recalc", "--check", str(zh_book)]) == 1
    out, err = capsys.readouterr()
    assert "all up to date" in out
    assert f"error: {zh_book}: {ZH['ratings']}!S4: {ZH['S4']}" in err
    formulas = openpyxl.load_workbook(zh_book)[ZH["ratings"]]
    assert formulas["S4"].value.endswith(",crm_lang)")
    assert (
        formulas["M4"].value == '=CRM_TIER(L4,crm_tier_thresholds,crm_tier_labels,"lower",crm_lang)'
    )


def test_xlwings_classic_and_lite_show_what_recalc_stored(zh_book):
    # the satisfaction score S4 and the composite L4 of row 4, computed from the cells the
    # formulas read: the Model's 4th indicator settings, the whole satisfaction column
    from crm_xl.excel.vba import load_udf_module
    from tests.helpers.lite import LiteHost

    wb = openpyxl.load_workbook(zh_book, data_only=True)
    model, ratings = wb["模型"], wb[ZH["ratings"]]
    scale, direction, floor, target = (model[f"{c}8"].value for c in "GHIJ")
    among = [[ratings[f"I{r}"].value] for r in range(4, 204)]
    scores = [[ratings[f"{c}4"].value for c in "PQRSTUV"]]
    weights = [[model[f"F{r}"].value] for r in range(5, 12)]
    dims = [[model[f"E{r}"].value] for r in range(5, 12)]
    dim_ids = [[model[f"A{r}"].value] for r in range(15, 18)]
    dim_weights = [[model[f"D{r}"].value] for r in range(15, 18)]
    assert scale == "form"

    _, udfs = load_udf_module()
    assert udfs.CRM_SCALE([[7.0]], scale, floor, target, direction, among, "zh") == ZH["S4"]
    multi = (scores, weights, dims, dim_ids, dim_weights)
    assert udfs.CRM_MULTISCORE(*multi, "zh") == ZH["L4"]
    assert udfs.CRM_FORM_SCORE([[7.0]], 1.0, 5.0, "zh") == ZH["F5"]

    lite = LiteHost()
    try:
        shown = lite.call(
            "CRM_SCALE", [[7]], [[scale]], [[floor]], [[target]], [[direction]], among, [["zh"]]
        )
        assert shown == [[ZH["S4"]]]
        assert lite.call("CRM_MULTISCORE", *multi, [["zh"]]) == [[ZH["L4"]]]
    finally:
        lite.close()


def test_the_english_workbook_stores_english_error_texts(tmp_path):
    book = new_book(tmp_path, "en")
    type_bad_inputs(book, EN)
    assert main(["recalc", str(book)]) == 1
    assert stored(book, EN["ratings"], RATINGS_CELLS) == {c: EN[c] for c in RATINGS_CELLS}
    assert stored(book, EN["form"], ("F5", "C10")) == {"F5": EN["F5"], "C10": EN["C10"]}


def without_lang(wb) -> None:
    """The formulas as crm_xl wrote them before the lang argument (RFM had "zh" already)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                f = cell.value
                if isinstance(f, str) and f.startswith("=CRM_"):
                    f = f.replace(',"lower",crm_lang)', ")").replace(",1,5,crm_lang)", ")")
                    f = f.replace(",FALSE,crm_lang)", ")")
                    f = f.replace("crm_rfm_scheme,crm_lang)", 'crm_rfm_scheme,"zh")')
                    cell.value = f.replace(",crm_lang)", ")")


def test_a_workbook_made_before_lang_is_computed_in_english_and_listed_in_chinese(tmp_path, capsys):
    book = new_book(tmp_path, "zh")
    type_bad_inputs(book, ZH, edit=without_lang)
    assert "crm_lang" not in openpyxl.load_workbook(book)[ZH["ratings"]]["L4"].value
    assert main(["recalc", str(book)]) == 1
    values = stored(book, ZH["ratings"], ("S4", "L4", "M4", "P5", "L5"))
    assert values == {c: EN[c] for c in ("S4", "L4", "M4", "P5", "L5")}
    # the RFM column always had "zh": its segment names and now its reasons are Chinese
    assert stored(book, ZH["ratings"], ("N5",)) == {"N5": ZH["N5"]}
    assert stored(book, ZH["form"], ("F5",)) == {"F5": EN["F5"]}
    err = capsys.readouterr().err  # the listing is in the workbook's language all the same
    assert f"error: {book}: {ZH['ratings']}!L4: {ZH['L4']}" in err
    assert f"error: {book}: {ZH['ratings']}!L5: {ZH['L5']}" in err


def test_a_new_period_and_an_inserted_row_carry_the_language(tmp_path):
    book = new_book(tmp_path, "zh")
    assert main(["new-period", str(book), "--period", "2027-Q1"]) == 0
    sheet = "评级 2027-Q1"

    def edit(wb):
        ws = wb[sheet]
        ws["I4"] = 7
        # row 6 as a row inserted by a user: inputs, no result formulas
        for c in "LMNOPQRSTUV":
            ws[f"{c}6"] = None
        ws["E6"], ws["F6"], ws["G6"], ws["I6"] = 50000, 3, 30, 6

    wb = openpyxl.load_workbook(book)
    assert wb[sheet]["S4"].value.endswith(",crm_lang)")  # copied with the sheet
    assert wb["自评 2027-Q1"]["F5"].value == "=CRM_FORM_SCORE(C5,1,5,crm_lang)"
    edit(wb)
    wb.save(book)
    assert main(["recalc", str(book)]) == 1
    assert stored(book, sheet, ("S4", "L4", "S6")) == {
        "S4": ZH["S4"],
        "L4": ZH["L4"],
        "S6": "#VALUE! 评分 6 超出 1-5 分的范围",
    }
    filled = openpyxl.load_workbook(book)[sheet]
    assert filled["S6"].value.endswith(",crm_lang)")
    assert filled["L6"].value.endswith(",crm_lang)")


def test_the_button_writes_the_same_texts(tmp_path):
    # a workbook whose result columns hold values (after the Recalculate ratings button):
    # recalc runs the button's own computation, which passes crm_lang as the formulas do
    book = new_book(tmp_path, "zh")

    def values_only(wb):
        ws = wb[ZH["ratings"]]
        for r in range(4, 204):
            for c in "LMNOPQRSTUV":
                ws[f"{c}{r}"] = 0
        form = wb[ZH["form"]]
        for r in range(5, 10):
            form[f"F{r}"] = 0
        form["C10"] = 0

    type_bad_inputs(book, ZH, edit=values_only)
    main(["recalc", str(book)])
    assert stored(book, ZH["ratings"], ("S4", "L4", "M4", "P5", "L5")) == {
        c: ZH[c] for c in ("S4", "L4", "M4", "P5", "L5")
    }
    assert stored(book, ZH["form"], ("F5", "C10")) == {"F5": ZH["F5"], "C10": ZH["C10"]}
