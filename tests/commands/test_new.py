"""``crm-xl new --model``: a team's own scorecard in the workbook, worked out by hand."""

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.cli import main

MODEL = """
[scorecard]
name = "Our model"

[[dimensions]]
id = "value"
label_zh = "价值"
label_en = "Value"
weight = 60

[[dimensions]]
id = "service"
label_zh = "服务"
label_en = "Service"
weight = 40

[[indicators]]
id = "annual_spend"
label_zh = "消费"
label_en = "Spend"
dimension = "value"
weight = 70
scale = "linear"
floor = 0
target = 100000

[[indicators]]
id = "orders"
label_zh = "订单"
label_en = "Orders"
dimension = "value"
weight = 30
scale = "minmax"

[[indicators]]
id = "satisfaction"
label_zh = "满意度"
label_en = "Satisfaction"
dimension = "service"
weight = 100
scale = "form"

[tiers]
by = "score"
thresholds = [80, 60, 40]
labels = ["S", "A", "B", "C"]
"""

CUSTOMERS = "customer_id,name,annual_spend,orders,satisfaction\nC1,One,50000,10,5\nC2,Two,100000,20,3\nC3,Three,0,0,1\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "model.toml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    return tmp_path


def _ratings(book):
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Ratings 2026-Q4").to_python()
    return rows[2], {r[0]: r for r in rows[3:6]}


def test_new_with_its_own_model(files, capsys):
    book = files / "team.xlsx"
    args = ["new", str(book), "--period", "2026-Q4", "--lang", "en"]
    assert (
        main([*args, "--customers", str(files / "c.csv"), "--model", str(files / "model.toml")])
        == 0
    )
    assert "model " in capsys.readouterr().out
    header, rows = _ratings(book)
    # three indicators' score columns after the results, in the model's order
    assert header[-3:] == ["Spend", "Orders", "Satisfaction"]
    # by hand: spend 50,000 of 0→100,000 = 50; orders 10 among 0, 10, 20 (minmax) = 50;
    # value 0.7·50 + 0.3·50 = 50; satisfaction 5 → 100; composite 0.6·50 + 0.4·100 = 70 → A
    # (above 60, not above 80). C2: value 100, service 50 → 80, exactly the S threshold: A.
    # C3: 0 → C.
    assert [rows[c][11] for c in ("C1", "C2", "C3")] == [70.0, 80.0, 0.0]
    assert [rows[c][12] for c in ("C1", "C2", "C3")] == ["A", "A", "C"]
    assert rows["C1"][-3:] == [50.0, 50.0, 100.0]
    model = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Model").to_python()
    tiers = next(r for r in model if r and r[0] == "Tier")
    assert [c for c in tiers[1:] if c != ""] == ["S", "A", "B", "C"]
    assert main(["recalc", "--check", str(book)]) == 0  # what new stored is up to date


def test_a_model_whose_tiers_are_reached_at_the_threshold_keeps_that_rule(files, capsys):
    """``at_threshold = "upper"``: 80 is exactly the S threshold, so C2 is S (A under the
    default rule, above); the rule goes into the Ratings formulas and the Model, so a
    recalc after an edit and the button keep it."""
    upper = MODEL.replace('by = "score"', 'by = "score"\nat_threshold = "upper"')
    (files / "model.toml").write_text(upper, encoding="utf-8")
    book = files / "team.xlsx"
    args = ["new", str(book), "--period", "2026-Q4", "--lang", "en"]
    assert (
        main([*args, "--customers", str(files / "c.csv"), "--model", str(files / "model.toml")])
        == 0
    )
    _, rows = _ratings(book)
    assert [rows[c][12] for c in ("C1", "C2", "C3")] == ["A", "S", "C"]
    assert main(["recalc", "--check", str(book)]) == 0
    # C1's spend raised to 100,000 by hand: value 0.7·100 + 0.3·50 = 85, composite
    # 0.6·85 + 0.4·100 = 91 → S; C2 stays exactly 80 → S under this rule
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["Ratings 2026-Q4"]
    spend = next(c.column for c in ws[3] if c.value == "Annual spend")
    ws.cell(4, spend).value = 100000
    wb.save(book)
    capsys.readouterr()
    assert main(["recalc", str(book)]) == 0
    _, rows = _ratings(book)
    assert [rows[c][11] for c in ("C1", "C2")] == [91.0, 80.0]
    assert [rows[c][12] for c in ("C1", "C2", "C3")] == ["S", "S", "C"]
    model = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Model").to_python()
    assert any("reached at its threshold" in str(c) for r in model for c in r)


def test_a_model_the_workbook_cannot_hold_is_refused_and_nothing_is_written(files, capsys):
    bad = MODEL.replace('id = "orders"', 'id = "orders"\ncolumn = "basket_size"', 1)
    (files / "model.toml").write_text(bad, encoding="utf-8")
    book = files / "team.xlsx"
    assert (
        main(["new", str(book), "--period", "2026-Q4", "--model", str(files / "model.toml")]) == 1
    )
    err = capsys.readouterr().err
    assert f"{files / 'model.toml'}: indicators[2].column" in err and "basket_size" in err
    assert sorted(p.name for p in files.iterdir()) == ["c.csv", "model.toml"]  # no leftovers


def _formulas_without_values(book):
    """Every formula cell of the workbook that stores no result (what pandas, calamine and
    Excel's protected view would show blank)."""
    import openpyxl

    from crm_xl.xlsx import Package

    pkg = Package.open(book)
    missing = []
    for ws in openpyxl.load_workbook(book).worksheets:
        stored = pkg.values(ws.title)
        missing += [
            f"{ws.title}!{c.coordinate}"
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=") and c.coordinate not in stored
        ]
    return missing


def test_every_formula_stores_its_value_and_nothing_forces_a_recalculation(files):
    import zipfile

    book = files / "team.xlsx"
    assert main(["new", str(book), "--period", "2026-Q4", "--customers", str(files / "c.csv")]) == 0
    assert main(["new-period", str(book), "--period", "2027-Q1"]) == 0
    assert _formulas_without_values(book) == []
    calc = zipfile.ZipFile(book).read("xl/workbook.xml")
    assert b'fullCalcOnLoad="1"' not in calc and b'calcId="191029"' in calc
    # e.g. the form's items scored and average, worked out: none answered in 2027-Q1
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("自评 2027-Q1").to_python()
    assert [r[2] for r in rows[9:13]] == ["", "0/5", "", ""]  # composite, items, mean, weakest


def test_the_shipped_sample_stores_the_forms_figures():
    # the sample's answers 4, 3, 2, 4, 3: five items scored, mean 16 / 5 = 3.2, the weakest
    # the third (技术支持 scored 2)
    from pathlib import Path

    book = Path(__file__).resolve().parents[2] / "workbooks" / "crm_sample_zh.xlsx"
    assert _formulas_without_values(book) == []
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("自评 2026-Q4").to_python()
    assert [r[2] for r in rows[4:9]] == [4, 3, 2, 4, 3]
    assert rows[10][2] == "5/5" and rows[11][2] == pytest.approx(3.2)
    assert rows[12][2] == rows[6][0]


def test_one_customer_is_one_customer_and_a_title_row_names_the_file_once(tmp_path, capsys):
    table = tmp_path / "one.csv"
    table.write_text(
        "客户名单 2026\ncustomer_id,name,region\nC1,One,东\nC1,Again,西\n", encoding="utf-8"
    )
    book = tmp_path / "b.xlsx"
    assert (
        main(["new", str(book), "--period", "2026-Q4", "--lang", "en", "--customers", str(table)])
        == 0
    )
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    # the title on line 1, the header on line 2: C1 on lines 3 and 4
    assert (
        out[0]
        == f"{table}: the header is row 2; the row(s) above it were read as a title: '客户名单 2026'"
    )
    assert (
        f"warning: {table}: customer ID C1 appears more than once: line 3, column 'customer_id'; "
        "line 4, column 'customer_id'"
    ) in captured.err.splitlines()
    assert out[-1] == f"created {book} (2026-Q4, 2 customers)"
    single = tmp_path / "single.csv"
    single.write_text("customer_id,name\nC1,One\n", encoding="utf-8")
    args = ["new", str(tmp_path / "s.xlsx"), "--period", "2026-Q4", "--customers", str(single)]
    assert main([*args, "--lang", "en"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"created {tmp_path / 's.xlsx'} (2026-Q4, 1 customer)"
    )
    assert main([*args, "--force"]) == 0  # a Chinese workbook (the default) says it in Chinese
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"已创建 {tmp_path / 's.xlsx'}(2026-Q4,1 位客户)"
    )
