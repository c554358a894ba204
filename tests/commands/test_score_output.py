"""What `crm-xl score` and `crm-xl demo` write for people to read (issue 14, "Output people
read"): rounded numbers, number formats, column widths, Chinese headers and summaries,
whole-number IDs, sample copies kept, one warning, no doubled file names.

Every expected value is worked out by hand in the comments; the xlsx display is checked
against LibreOffice, which writes a CSV of the cells as it shows them."""

import csv
import zipfile

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.files.shown import text_width
from tests.helpers.libreoffice import recalculate

# two indicators already on 0-100, 50 % each: the score is their mean
CARD = """
[scorecard]
id_columns = ["id", "name"]

[[indicators]]
id = "a"
label_zh = "甲"
label_en = "A"
weight = 50
scale = "score"

[[indicators]]
id = "b"
label_zh = "乙"
label_en = "B"
weight = 50
scale = "score"

[tiers]
thresholds = [70]
labels = ["A", "B"]
"""

# r1: (70.008 + 70) / 2 = 70.004: shown 70.00, yet an A (70.004 > 70; 70.00 would be a B)
#     a's score 70.008 → 70.01, a's points 70.008 × 0.5 = 35.004 → 35.00, b's 35
# r2: (2.675 + 2.675) / 2 = 2.675 → 2.68 half away from zero, as Excel shows it (Python's
#     round() gives 2.67: the float 2.675 is 2.67499999…); points 1.3375 → 1.34
TABLE = "id,name,a,b\nr1,华南服饰贸易有限公司,70.008,70\nr2,x,2.675,2.675\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "card.toml").write_text(CARD, encoding="utf-8")
    (tmp_path / "t.csv").write_text(TABLE, encoding="utf-8")
    return tmp_path


def score(files, out, *extra):
    args = ["score", str(files / "t.csv"), "-m", str(files / "card.toml"), "-o", str(out)]
    return main([*args, *extra])


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_numbers_are_rounded_to_two_decimals_and_tiers_come_from_the_unrounded_score(
    files, capsys
):
    assert score(files, files / "o.csv") == 0
    assert rows(files / "o.csv") == [
        [
            "id",
            "name",
            "score",
            "indicators_used",
            "tier",
            "note",
            "score_a",
            "points_a",
            "score_b",
            "points_b",
        ],
        [
            "r1",
            "华南服饰贸易有限公司",
            "70.00",
            "2 of 2",
            "A",
            "",
            "70.01",
            "35.00",
            "70.00",
            "35.00",
        ],
        ["r2", "x", "2.68", "2 of 2", "B", "", "2.68", "1.34", "2.68", "1.34"],
    ]
    assert capsys.readouterr().out.splitlines() == [
        f"scored 2 customers from {files / 't.csv'}: 2 with a score",
        "tiers: A 1, B 1",
        f"written to {files / 'o.csv'}",
    ]


def test_chinese_headers_and_summary_the_input_columns_keep_theirs(files, capsys):
    (files / "t.csv").write_text(TABLE + "r3,y,,\n", encoding="utf-8")
    assert score(files, files / "o.csv", "--lang", "zh") == 0
    table = rows(files / "o.csv")
    assert table[0] == [
        "id",
        "name",
        "综合得分",
        "指标数",
        "等级",
        "备注",
        "甲 得分",
        "甲 分值",
        "乙 得分",
        "乙 分值",
    ]
    assert [r[3] for r in table[1:]] == ["2/2", "2/2", "0/2"]
    assert table[3][5] == "没有任何指标数值(0/2)"  # r3: both indicators blank
    assert capsys.readouterr().out.splitlines() == [
        f"已为 3 位客户评分(来自 {files / 't.csv'}):2 位有综合得分,1 位没有(见“备注”列)",
        "等级:A 1,B 1",
        f"已写入 {files / 'o.csv'}",
    ]


def test_one_customer_is_one_customer(files, capsys):
    (files / "t.csv").write_text("id,name,a,b\nr1,x,80,80\n", encoding="utf-8")
    assert score(files, files / "o.csv") == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("scored 1 customer from ")


def test_xlsx_keeps_full_precision_with_a_number_format_and_fits_chinese_text(files):
    assert score(files, files / "o.xlsx", "--lang", "zh") == 0
    book = openpyxl.load_workbook(files / "o.xlsx")
    assert book.sheetnames == ["评分结果"]
    ws = book.active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["id", "name", "综合得分", "指标数"]
    assert ws["C2"].value == pytest.approx(70.004, abs=1e-12)  # not rounded in the cell
    assert ws["C2"].number_format == "0.00" and ws["H2"].number_format == "0.00"
    assert ws["D2"].number_format == "General"  # "2/2" is text
    # name: 10 Chinese characters = 20 columns wide, + 1 → 21 (xlsxwriter stores 21.71,
    # Excel's padding); the header "name" is 4 + 2 for the filter button; the id column
    # "id" and "r1" are narrow: the minimum, 8
    widths = {k: int(d.width) for k, d in ws.column_dimensions.items()}
    assert widths["B"] == 21 and widths["A"] == 8
    # 综合得分: 4 wide characters = 8, + 2 for the filter button + 1 → 11
    assert widths["C"] == 11


def test_xlsx_shows_what_the_csv_says(files):
    """LibreOffice saves the cells as it shows them: the same text as the CSV output."""
    assert score(files, files / "o.xlsx") == 0
    assert score(files, files / "o.csv") == 0
    shown = recalculate(
        files / "o.xlsx", files / "shown.csv", "csv:Text - txt - csv (StarCalc):44,34,76"
    )
    with open(shown, encoding="utf-8", newline="") as f:
        lo = list(csv.reader(f))
    ours = rows(files / "o.csv")
    assert [r[2:3] + r[6:] for r in lo[1:]] == [
        ["70.00", "70.01", "35.00", "70.00", "35.00"],
        ["2.68", "2.68", "1.34", "2.68", "1.34"],
    ]
    assert lo == ours


def test_a_very_long_name_is_capped(files):
    (files / "t.csv").write_text("id,name,a,b\nr1," + "客" * 100 + ",80,80\n", encoding="utf-8")
    assert score(files, files / "o.xlsx") == 0
    ws = openpyxl.load_workbook(files / "o.xlsx").active
    assert int(ws.column_dimensions["B"].width) == 50


def test_text_width_counts_wide_characters_double():
    assert text_width("C0001") == 5
    assert text_width("华南服饰") == 8
    assert text_width("ＡＢ12") == 6  # full-width letters are wide too


def test_numeric_ids_stay_whole_numbers_from_a_workbook(files, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "a", "b"])
    ws.append([10001, "甲公司", 80, 60])  # IDs typed as numbers: calamine reads 10001.0
    ws.append([None, None, None, None])  # a blank row
    ws.append([10002, "乙公司", 50, 50])
    ws.append([None, "丙公司", 10, 10])  # no ID: the others stay whole numbers all the same
    wb.save(tmp_path / "t.xlsx")
    args = ["score", str(tmp_path / "t.xlsx"), "-m", str(files / "card.toml")]
    assert main([*args, "-o", str(tmp_path / "o.csv")]) == 0
    assert [r[0] for r in rows(tmp_path / "o.csv")] == ["id", "10001", "10002", ""]
    assert main([*args, "-o", str(tmp_path / "o.xlsx")]) == 0
    out = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    assert [out["A2"].value, out["A3"].value] == [10001, 10002]
    assert out["A2"].data_type == "n"


def test_numeric_ids_from_a_csv_stay_text_without_excels_triangle(files, tmp_path):
    (files / "t.csv").write_text("id,name,a,b\n10001,x,80,80\n\n00123,y,1,1\n", encoding="utf-8")
    assert score(files, tmp_path / "o.csv") == 0
    assert [r[0] for r in rows(tmp_path / "o.csv")] == ["id", "10001", "00123"]
    assert score(files, tmp_path / "o.xlsx") == 0
    out = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    assert [out["A2"].value, out["A3"].value] == ["10001", "00123"]  # as typed: zeros kept
    with zipfile.ZipFile(tmp_path / "o.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<ignoredError sqref="A2:A3" numberStoredAsText="1"/>' in sheet


def test_normalize_weights_warns_once(files, capsys):
    (files / "w.toml").write_text(CARD.replace("weight = 50", "weight = 40", 1), encoding="utf-8")
    args = ["score", str(files / "t.csv"), "-m", str(files / "w.toml"), "-o", str(files / "o.csv")]
    assert main([*args, "--normalize-weights"]) == 0
    err = capsys.readouterr().err.splitlines()
    # 40 + 50 = 90: one set of weights, one warning
    assert err == [
        "warning: indicators: weights sum to 90, not 100 % (100 or 1): normalised to 100 % "
        "by dividing by 90"
    ]


def test_normalize_weights_warns_once_per_level(tmp_path, capsys):
    from crm_xl.files.resources import sample_path

    card = sample_path("scorecard.toml").read_text(encoding="utf-8")
    # the value dimension's indicators: 55 + 30 + 20 = 105; the dimensions 50 + 35 + 20 = 105
    card = card.replace("weight = 50\n", "weight = 55\n", 1).replace(
        "weight = 45\n", "weight = 50\n", 1
    )
    (tmp_path / "w.toml").write_text(card, encoding="utf-8")
    args = ["score", str(sample_path("customers.csv")), "-m", str(tmp_path / "w.toml")]
    assert main([*args, "-o", str(tmp_path / "o.csv"), "--normalize-weights"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "warning: dimensions: weights sum to 105, not 100 % (100 or 1): normalised to 100 % "
        "by dividing by 105",
        "warning: indicators in dimension 'value': weights sum to 105, not 100 % (100 or 1): "
        "normalised to 100 % by dividing by 105",
    ]


def test_a_title_row_is_noted_with_the_file_named_once(files, tmp_path, capsys):
    (files / "t.csv").write_text("客户名单 2026\n" + TABLE, encoding="utf-8")
    assert score(files, tmp_path / "o.csv") == 0
    first = capsys.readouterr().out.splitlines()[0]
    path = files / "t.csv"
    assert (
        first
        == f"{path}: the header is row 2; the row(s) above it were read as a title: '客户名单 2026'"
    )


def test_demo_in_chinese_has_no_english_left_in_its_tables(capsys):
    assert main(["demo", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    # the best customers: every one of the sample's 7 indicators given or 6 of them
    assert " of 7" not in out and "7/7" in out
    assert "编号" in out and "综合得分" in out and "指标数" in out and "RFM 分群" in out
    assert "indicator" not in out and "points" not in out
    assert "指标" in out and "权重%" in out and "分值" in out


def test_demo_copy_samples_keeps_edited_copies_unless_force(tmp_path, capsys):
    from crm_xl.files.resources import sample_path

    start = tmp_path / "start"
    assert main(["demo", "--copy-samples", str(start)]) == 0
    assert main(["demo", "--copy-samples", str(start)]) == 0  # unchanged copies: fine
    edited = "customer_id,name\nMINE,my own\n"
    (start / "customers.csv").write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert main(["demo", "--copy-samples", str(start)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {start}: already holds customers.csv, different from the samples (edited?): "
        "kept; give --force to replace them with the samples"
    ]
    assert (start / "customers.csv").read_text(encoding="utf-8") == edited
    assert main(["demo", "--copy-samples", str(start), "--force"]) == 0
    assert (start / "customers.csv").read_bytes() == sample_path("customers.csv").read_bytes()


def test_demo_copy_samples_into_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["demo", "--copy-samples", str(tmp_path / "f")]) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_the_fast_rounding_agrees_with_decimal_rounding_everywhere():
    """The vectorised rounding of a float column against Decimal's ROUND_HALF_UP on each
    value's shortest decimal form, on values that end in an exact half (x.xx5) and others."""
    from decimal import ROUND_HALF_UP, Decimal

    import numpy as np
    import pandas as pd

    from crm_xl.files.shown import round_as_shown

    rng = np.random.default_rng(14)
    halves = (rng.integers(0, 10_000, 20_000) * 10 + 5) / 1000  # 12.345, 0.005, …
    values = np.concatenate([rng.random(20_000) * 100, halves, [2.675, 1.3375, 79.625, 0.005]])
    got = round_as_shown(pd.Series(values), 2).tolist()
    want = [
        format(Decimal(repr(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
        for v in values.tolist()
    ]
    assert got == want
    assert got[-4:] == ["2.68", "1.34", "79.63", "0.01"]
    assert round_as_shown(pd.Series([np.nan, -0.001, 0.0]), 2).tolist() == [None, "0.00", "0.00"]


def test_warnings_are_chinese_with_lang_zh(tmp_path, capsys):
    """The value dimension's weights 55 + 30 + 20 = 105, normalised: said once, in Chinese."""
    from crm_xl.cli import main
    from crm_xl.files.resources import sample_path

    card = tmp_path / "w.toml"
    text = sample_path("scorecard.toml").read_text(encoding="utf-8")
    card.write_text(text.replace("weight = 50", "weight = 55", 1), encoding="utf-8")
    args = [
        "score",
        str(sample_path("customers.csv")),
        "-m",
        str(card),
        "-o",
        str(tmp_path / "o.csv"),
    ]
    assert main([*args, "--normalize-weights", "--lang", "zh"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "warning: 维度“value”中的指标:权重合计为 105,不是 100%(100 或 1):已除以 105 换算为 100%"
    ]


def test_errors_are_chinese_with_lang_zh_files_cells_and_inputs_kept(files, capsys):
    """Issue 14: ``--lang zh`` lists the problems in Chinese, like its warnings; the file
    name, the cell or line and what the user typed stay as they are. By hand: the CSV's
    line 2 (r1, below the header) holds 'abc' in a, line 3 (r2) TRUE in b; in the workbook
    r1's a is cell C2 and r2's b (7e15, too large) D3 of the sheet 客户."""
    (files / "t.csv").write_text("id,name,a,b\nr1,x,abc,70\nr2,y,50,TRUE\n", encoding="utf-8")
    assert score(files, files / "o.csv", "--lang", "zh") == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {files / 't.csv'}: 第 2 行,列“a”: “abc”不是数字",
        f"error: {files / 't.csv'}: 第 3 行,列“b”: “TRUE”不是数字",
    ]
    assert score(files, files / "o.csv") == 1  # without --lang: English, as before
    assert capsys.readouterr().err.splitlines() == [
        f"error: {files / 't.csv'}: line 2, column 'a': 'abc' is not a number",
        f"error: {files / 't.csv'}: line 3, column 'b': 'TRUE' is not a number",
    ]
    wb = openpyxl.Workbook()
    wb.active.title = "客户"
    for row in (["id", "name", "a", "b"], ["r1", "x", "abc", 70], ["r2", "y", 50, 7e15]):
        wb.active.append(row)
    wb.save(files / "t.xlsx")
    args = ["score", str(files / "t.xlsx"), "-m", str(files / "card.toml"), "-o"]
    assert main([*args, str(files / "o.csv"), "--lang", "zh"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {files / 't.xlsx'}: 客户!C2: “abc”不是数字",
        f"error: {files / 't.xlsx'}: 客户!D3: 7e+15 超出 crm_xl 可评分的范围(-1e15 到 1e15)",
    ]
    (files / "t.csv").write_text("id,name,a,bb\nr1,x,50,70\n", encoding="utf-8")
    assert score(files, files / "o.csv", "--lang", "zh") == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {files / 't.csv'}: 没有“b”列(第 2 个指标 b 需要此列)(是否指“bb”?);"
        "表中的列为:id, name, a, bb"
    ]
