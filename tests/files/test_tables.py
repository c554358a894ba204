"""Reading untrusted tables and writing results safely."""

import datetime as dt
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from crm_xl.core.user_numbers import numeric_column
from crm_xl.errors import CrmError
from crm_xl.files import tables
from crm_xl.files.archive import check_archive
from crm_xl.files.tables import Table, read_table, write_table


def test_utf8_bom_csv(write_csv):
    t = read_table(write_csv("\ufeffname,spend\n华东机械,100\n", encoding="utf-8"))
    assert list(t.frame.columns) == ["name", "spend"]
    assert t.frame.loc[0, "name"] == "华东机械"


def test_gbk_csv_from_chinese_excel(write_csv):
    t = read_table(write_csv('客户名称,年消费金额\n华南物流,"120,000"\n', encoding="gbk"))
    assert list(t.frame.columns) == ["客户名称", "年消费金额"]
    values, problems = numeric_column(t, "年消费金额")
    assert values.tolist() == [120000.0] and problems == []


def test_semicolon_separated_csv(write_csv):
    t = read_table(write_csv("a;b\n1;2\n"))
    assert list(t.frame.columns) == ["a", "b"]


def test_numbers_as_spreadsheet_users_write_them(write_csv):
    t = read_table(write_csv('v,w\n"¥100,000",1\n12%,1\n１２３,1\n 7 ,1\n,1\n5元,1\n'))
    values, problems = numeric_column(t, "v")
    assert problems == []
    assert values.tolist()[:4] == [100000.0, 12.0, 123.0, 7.0]
    assert np.isnan(values[4]) and values[5] == 5.0


def test_bad_cells_are_named_by_line_and_column(write_csv):
    t = read_table(write_csv("id,spend\nC1,100\nC2,abc\nC3,\nC4,1e999\n"))
    values, problems = numeric_column(t, "spend")
    assert [str(p) for p in problems] == [
        f"{t.source}: line 3, column 'spend': 'abc' is not a number",
        f"{t.source}: line 5, column 'spend': '1e999' is not a number",
    ]
    assert values[0] == 100.0 and np.isnan(values[2])


def test_blank_strings_are_blank_not_text(write_csv):
    t = read_table(write_csv("a,b\n1,\n,2\n"))
    assert t.frame["b"].tolist() == [None, "2"]


def test_blank_lines_are_dropped_but_line_numbers_stay_right(write_csv):
    t = read_table(write_csv("id,spend\nC1,1\n\n,\nC2,x\n\n"))
    assert t.frame["id"].tolist() == ["C1", "C2"]
    _, problems = numeric_column(t, "spend")
    assert [str(p) for p in problems] == [
        f"{t.source}: line 5, column 'spend': 'x' is not a number"
    ]


def test_excel_cells_are_named_sheet_and_cell(tmp_path):
    path = tmp_path / "customers.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["id", "spend", "joined"])
    ws.append(["C1", 100, dt.date(2026, 1, 5)])
    ws.append(["C2", "n/a", None])
    ws.append(["C3", True, None])
    ws.append(["C4", dt.datetime(2026, 1, 5), None])
    wb.save(path)
    t = read_table(path)
    assert t.sheet == "客户"
    values, problems = numeric_column(t, "spend")
    assert values[0] == 100.0
    assert [str(p) for p in problems] == [
        f"{path}: 客户!B3: 'n/a' is not a number",
        f"{path}: 客户!B4: TRUE is a logical value, not a number",
        f"{path}: 客户!B5: 2026-01-05 is a date/time, not a number",
    ]


def test_excel_sheet_choice_and_unknown_sheet(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    wb.create_sheet("second").append(["y"])
    wb.save(path)
    assert list(read_table(path, sheet="second").frame.columns) == ["y"]
    with pytest.raises(CrmError, match="no sheet 'third'; the sheets are: Sheet, second"):
        read_table(path, sheet="third")


def test_headers_must_be_named_and_unique(write_csv):
    with pytest.raises(CrmError, match="duplicate column header"):
        read_table(write_csv("a,a\n1,2\n"))


def test_unknown_type_missing_file_and_folder(tmp_path):
    (tmp_path / "x.json").touch()
    with pytest.raises(CrmError, match=r"unknown table type '\.json'"):
        read_table(tmp_path / "x.json")
    with pytest.raises(CrmError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(CrmError, match="is a folder"):
        read_table(tmp_path)


def test_missing_columns_are_all_named_with_hints(write_csv):
    t = read_table(write_csv("customer_id,anual_spend\nC1,1\n"))
    with pytest.raises(CrmError) as err:
        t.require(["annual_spend", "orders"], {"annual_spend": "indicators[1] (annual_spend)"})
    messages = [str(p) for p in err.value.problems]
    assert (
        "no column 'annual_spend', needed by indicators[1] (annual_spend) (did you mean 'anual_spend'?)"
        in messages[0]
    )
    assert "no column 'orders'" in messages[1]


def test_zip_bomb_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 2**20))  # 30 MiB of zeros: ~1000:1
    with pytest.raises(CrmError, match="possible zip bomb"):
        check_archive(path)
    with pytest.raises(CrmError, match="possible zip bomb"):
        read_table(path)


def test_csv_output_defuses_formula_injection(tmp_path):
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+cmd", "-Acme", "@SUM(A1)", "华东"],
            "score": [1.0, 2, 3, 4, 5],
        }
    )
    out = write_table(frame, tmp_path / "out.csv")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert back["name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+cmd",
        "'-Acme",
        "'@SUM(A1)",
        "华东",
    ]
    assert back["score"].tolist() == [1.0, 2, 3, 4, 5]  # numbers are left alone
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the Chinese text


def test_xlsx_output_keeps_text_as_text(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "@x"], "score": [1.5, np.nan]})
    out = write_table(frame, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"
    assert ws["A3"].data_type == "s"
    assert ws["B2"].value == 1.5 and ws["B3"].value is None


def test_failed_write_leaves_the_existing_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"original bytes")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tables, "_write_xlsx", boom)
    with pytest.raises(RuntimeError):
        write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_bytes() == b"original bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left


def test_table_locate_for_csv_and_excel():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    assert Table(frame, "t.csv").locate(0, "b") == "t.csv: line 2, column 'b'"
    assert Table(frame, "t.xlsx", "S").locate(0, "b") == "t.xlsx: S!B2"


def test_the_header_is_found_below_a_title_and_notes(tmp_path):
    # what an exported report looks like: a merged title, a note, a blank row, then the table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws["A1"] = "2026 年第四季度客户名单"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"] = "单位:元", "制表:销售部"
    ws.append([])
    ws.append(["客户编号", "客户名称", "所属区域", "年消费金额", "购买次数"])
    ws.append(["C1", "甲公司", "华东", 120000, 12])
    ws.append(["C2", "乙公司", "华南", "n/a", 3])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    t = read_table(path)
    assert list(t.frame.columns) == ["客户编号", "客户名称", "所属区域", "年消费金额", "购买次数"]
    assert t.frame.to_numpy().tolist()[0] == ["C1", "甲公司", "华东", 120000, 12]
    assert t.header_row == 4 and t.title == "2026 年第四季度客户名单 / 单位:元 / 制表:销售部"
    _, problems = numeric_column(t, "年消费金额")  # the bad cell is named where it is
    assert [p.where for p in problems] == [f"{path}: 客户!D6"]
    assert t.header_note("zh").startswith("表头在第 4 行")  # the caller names the file


def test_a_csv_header_below_a_title_line(write_csv):
    t = read_table(write_csv("客户名单,,\n\ncustomer_id,name,annual_spend\nC1,A,10\nC2,B,abc\n"))
    assert list(t.frame.columns) == ["customer_id", "name", "annual_spend"]
    assert t.header_row == 3 and t.title == "客户名单"
    _, problems = numeric_column(t, "annual_spend")
    assert [str(p) for p in problems] == [
        f"{t.source}: line 5, column 'annual_spend': 'abc' is not a number"
    ]


def test_a_first_row_header_is_not_second_guessed(write_csv):
    # a two-column table: nothing above its header, nothing to skip
    t = read_table(write_csv("id,name\nC1,A\n"))
    assert t.header_row is None and t.header_note() is None
    # a narrow header over wider text rows is a broken table, not a title
    with pytest.raises(CrmError):
        read_table(write_csv("id,name\nC1,Alice,x\n"))


def test_a_one_column_header_is_one_column(write_csv):
    path = write_csv("id\n1,2\n")
    with pytest.raises(CrmError) as err:
        read_table(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: line 2: 2 fields, but the header has 1 column: a value holds an unquoted ',' "
        "or a column has no header"
    ]
