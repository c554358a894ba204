"""crm-xl recalc: CRM_* cells recomputed without Excel, stored beside the formulas, nothing else touched."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.cli import main
from crm_xl.core.rating import rate
from crm_xl.core.scorecard import load_scorecard
from crm_xl.files.resources import sample_path
from crm_xl.files.tables import read_table
from crm_xl.workbook.recalc import recalc_book
from crm_xl.xlsx import Formula, Package
from tests.calc.test_evaluator import KNOWN_BAD_CACHE
from tests.helpers.excel_made import excel_made, excel_made_files, excel_made_params
from tests.helpers.libreoffice import read_values

ROOT = Path(__file__).resolve().parents[2]


def rows_of(path: Path, sheet: str) -> list[list]:
    return (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def fresh_sample(path: Path) -> Path:
    """The shipped sample workbook as the generator writes it, before its results are
    stored (the shipped copies have theirs): the state of a workbook whose inputs changed."""
    from crm_xl.workbook.build import new_workbook
    from crm_xl.workbook.macro_workbook import new_macro_workbook
    from crm_xl.workbook.shipped import SHIPPED_PERIOD, shipped_workbooks

    kwargs = shipped_workbooks()[path.with_suffix(".xlsx").name]
    if path.suffix == ".xlsm":
        return new_macro_workbook(path, SHIPPED_PERIOD, results=False, **kwargs)[0]
    return new_workbook(path, SHIPPED_PERIOD, results=False, **kwargs)


@pytest.fixture
def sample(tmp_path):
    return fresh_sample(tmp_path / "crm_sample_en.xlsm")


def test_recalc_fills_the_crm_cells_with_crm_xl_numbers(sample):
    before = parts(sample)
    result = recalc_book(sample)
    assert result.status == "updated" and not result.problems
    ratings = rows_of(sample, "Ratings 2026-Q4")
    expected = rate(
        read_table(sample_path("customers.csv")), load_scorecard(sample_path("scorecard.toml"))
    ).frame
    assert [r[11] for r in ratings[3:63]] == pytest.approx(expected["score"].tolist())
    assert [r[12] for r in ratings[3:63]] == expected["tier"].tolist()
    # the Dashboard's standard formulas that depend on them were recomputed too
    dash = rows_of(sample, "Dashboard")
    counts = expected["tier"].value_counts()
    assert [dash[4][1], dash[5][1], dash[6][1]] == [float(counts.get(t, 0)) for t in "ABC"]
    assert dash[17][2] == pytest.approx(expected["score"].mean())
    # only the sheets holding those cells changed; VBA, button, charts are as they were
    after = parts(sample)
    changed = sorted(n for n in before if before[n] != after[n])
    pkg = Package.open(sample)
    assert changed == sorted(
        {pkg.sheet(s).part for s in ("Ratings 2026-Q4", "Self-assessment 2026-Q4", "Dashboard")}
    )
    assert set(after) == set(before)


def test_a_second_run_changes_nothing_and_check_is_green(sample, capsys):
    recalc_book(sample)
    stamp = sample.read_bytes()
    again = recalc_book(sample)
    assert again.changes == [] and again.written is None
    assert sample.read_bytes() == stamp
    assert main(["recalc", "--check", str(sample)]) == 0
    assert "cells evaluated, all up to date" in capsys.readouterr().out


def test_check_lists_stale_cells_and_changes_nothing(sample, capsys):
    before = sample.read_bytes()
    assert main(["recalc", "--check", str(sample)]) == 1
    out = capsys.readouterr().out
    assert (
        "Ratings 2026-Q4!" in out
        and "stored nothing, computed" in out
        and "more stale cells" in out
    )
    assert sample.read_bytes() == before


def test_json_output(sample, capsys):
    assert main(["recalc", "--json", "-o", str(sample.with_name("out.xlsm")), str(sample)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["status"] == "updated" and entry["written"].endswith("out.xlsm")
    first = entry["changed"][0]
    assert set(first) == {"sheet", "cell", "stored", "computed"}


def test_output_file_leaves_the_original(sample):
    before = sample.read_bytes()
    out = sample.with_name("copy.xlsm")
    recalc_book(sample, out)
    assert sample.read_bytes() == before and out.exists()


def test_libreoffice_shows_the_stored_values_without_recalculating(sample):
    recalc_book(sample)
    got = read_values(sample, "Ratings 2026-Q4", ["L4", "M4", "O4"])  # read as stored
    assert got["M4"] == "A" and got["O4"] == 7.0 and got["L4"] == pytest.approx(79.6236764705882)


def test_unsupported_function_is_reported_and_its_cell_left_alone(sample, capsys):
    pkg = Package.open(sample)
    pkg.set_cells("Guide", {"C1": Formula("CRM_NPS(D1:D3)+FOOBAR(1)")})
    pkg.save(sample)
    assert main(["recalc", str(sample)]) == 1
    err = capsys.readouterr().err
    assert "Guide!C1" in err and "FOOBAR" in err
    assert Package.open(sample).cached_values("Guide", ["C1"])["C1"][0] == "empty"


def test_excel_lock_file_stops_the_run(sample, capsys):
    lock = sample.with_name("~$" + sample.name)
    lock.write_bytes(b"")
    before = sample.read_bytes()
    assert main(["recalc", str(sample)]) == 1
    assert "Excel has this workbook open" in capsys.readouterr().err
    assert sample.read_bytes() == before
    assert main(["recalc", "--force", str(sample)]) == 0


def test_a_broken_model_is_reported_at_its_cell(sample, capsys):
    pkg = Package.open(sample)
    pkg.set_cells("Model", {"F6": "forty"})
    pkg.save(sample)
    before = sample.read_bytes()
    assert main(["recalc", str(sample)]) == 1
    assert "Model!F6: must be a number, got 'forty'" in capsys.readouterr().err
    assert sample.read_bytes() == before


def test_folder_mode(tmp_path, capsys):
    folder = tmp_path / "books"
    (folder / "sub").mkdir(parents=True)
    fresh_sample(folder / "crm_sample_zh.xlsx").rename(folder / "a.xlsx")
    shutil.copy(ROOT / "workbooks" / "crm_template_en.xlsx", folder / "sub" / "b.xlsx")
    (folder / "~$a.xlsx").write_bytes(b"lock")  # Excel's lock file is not a workbook
    assert main(["recalc", "--check", str(folder)]) == 1  # the sample's results are not stored yet
    assert main(["recalc", "--force", "--jobs", "2", str(folder)]) == 0
    assert main(["recalc", "--check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "a.xlsx" in out and "b.xlsx" in out and "up to date" in out


def test_after_the_button_recalc_computes_the_same_cells(tmp_path):
    """The button (xlwings backend) leaves values in the result columns; crm-xl recalc then
    recomputes those values headless, and a stale one is found by --check."""
    import openpyxl

    from crm_xl.workbook.macros import recalculate_ratings
    from tests.helpers import xlwings_double

    clicked = tmp_path / "clicked.xlsx"
    book = xlwings_double.Book(ROOT / "workbooks" / "crm_sample_en.xlsx")
    recalculate_ratings(book)  # what clicking the button does in Excel
    book.wb.save(clicked)
    assert not isinstance(
        openpyxl.load_workbook(clicked)["Ratings 2026-Q4"]["L4"].value, str | type(None)
    )

    # CI agrees with the button; the test double saves with openpyxl, which drops the
    # values Excel would have stored for the other formulas: those are all a full
    # recalculation finds to fill in
    first = recalc_book(clicked, check=True).changes
    assert [c for c in first if c.stored[0] != "empty"] == []
    assert "Ratings 2026-Q4" not in {c.sheet for c in first}
    wb = openpyxl.load_workbook(clicked)
    wb["Ratings 2026-Q4"]["E4"] = 10  # the first customer's spend changes, nobody clicks
    wb.save(clicked)
    stale = recalc_book(clicked, check=True)
    assert {c.cell for c in stale.changes} >= {"L4", "P4"}
    recalc_book(clicked)
    assert recalc_book(clicked, check=True).changes == []


# -- lossless on every workbook saved by real Excel ------------------------------------------
@pytest.mark.parametrize("name", excel_made_params(names=True))
def test_recalc_changes_only_the_result_bytes_of_an_excel_made_workbook(name, tmp_path):
    """A CRM_* cell added to each fixture Excel saved (charts, images, buttons, VBA,
    comments, validation, shared and array formulas, calcChain …); after recalc every part
    is byte-for-byte as it was, and in the cell's sheet only that cell's value differs."""
    import re

    book = tmp_path / name
    pkg = Package.open(excel_made(name))
    sheet = next(s for s in pkg.sheets() if s.kind == "worksheet")
    # the worked example (docs/domain.md): 85×40% + 75×30% + 10×20% + 70×10% = 65.5
    pkg.set_cells(sheet.name, {"XFA1": Formula("CRM_SCORE({85,75,10,70},{40,30,20,10})")})
    pkg.save(book)
    before = parts(book)

    result = recalc_book(book)

    assert [str(p) for p in result.problems] == []
    # a full recalculation: Excel's own results are up to date, but for the cell whose
    # stored value is known to be wrong (tests/calc/test_evaluator.py's KNOWN_BAD_CACHE)
    known_bad = [(s, c, ("n", v)) for (n, s, c), v in KNOWN_BAD_CACHE.items() if n == name]
    assert [(c.sheet, c.cell, c.computed) for c in result.changes] == [
        (sheet.name, "XFA1", ("n", 65.5)),
        *known_bad,
    ]
    after = parts(book)
    assert set(after) == set(before)
    changed = [n for n in before if before[n] != after[n]]
    assert changed == [sheet.part]
    if known_bad:
        return  # that cell's bytes changed too
    # the sheet: the same bytes once the new cell's <v> is taken out
    cell = re.compile(
        rb'(<(?:\w+:)?c r="XFA1"[^>]*>.*?</(?:\w+:)?f>)(<(?:\w+:)?v>65\.5</(?:\w+:)?v>)'
    )
    assert cell.search(after[sheet.part]), "the result is stored beside its formula"
    assert cell.sub(rb"\1", after[sheet.part]) == before[sheet.part]
    assert rows_of(book, sheet.name)[0][-1] == 65.5  # what a reader sees, no recalculation


def test_the_shipped_workbooks_pass_check_as_a_team_ci_would(capsys):
    """Issue 5's "done when": `crm-xl recalc --check workbooks/` in a CI is green."""
    assert main(["recalc", "--check", "--jobs", "1", str(ROOT / "workbooks")]) == 0
    assert capsys.readouterr().out.count("up to date") == 8


def test_a_new_workbook_has_its_results_stored(tmp_path, capsys):
    book = tmp_path / "crm_new.xlsx"
    customers = sample_path("customers.csv")
    args = ["new", str(book), "--period", "2027-Q1", "--lang", "en", "--customers", str(customers)]
    assert main(args) == 0
    assert main(["recalc", "--check", str(book)]) == 0
    rows = rows_of(book, "Ratings 2027-Q1")
    expected = rate(read_table(customers), load_scorecard(sample_path("scorecard.toml")))
    assert [r[11] for r in rows[3:63]] == pytest.approx(expected.frame["score"].tolist())


# --- a big table: the fast paths give what the general ones give, and the right numbers ---


def big_book(path: Path, rows: int) -> Path:
    """The benchmark's table (benchmarks/bench_recalc.py), with blanks and text among the
    scores and a CRM_TIER column whose results are text."""
    import random

    import xlsxwriter

    rng = random.Random(rows)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Ratings")
    ws.write_row(0, 0, ["customer", "satisfaction", "retention", "growth", "feedback"])
    ws.write_row(0, 8, [40, 30, 20, 10])
    for r in range(1, rows + 1):
        ws.write_string(r, 0, f"C{r:06d}")
        for c in range(1, 5):
            pick = rng.random()
            if pick < 0.03:
                continue  # a blank: missing, re-weighted
            if pick < 0.04:
                ws.write_string(r, c, "n/a")  # text where a score belongs
            else:
                ws.write_number(r, c, round(rng.uniform(0, 100), 1))
        row = r + 1
        ws.write_formula(r, 5, f"=CRM_SCORE(B{row}:E{row},$I$1:$L$1)")
        ws.write_formula(r, 6, f"=SUM(B{row}:E{row})")
        ws.write_formula(r, 7, f'=CRM_TIER(F{row},{{70,50}},{{"A","B","C"}})')
        ws.write_row(r, 12, [rng.randint(0, 100), rng.randint(0, 100)])  # always numbers
        ws.write_formula(r, 14, f"=CRM_SCORE(M{row}:N{row},$I$1:$J$1,TRUE)")
    wb.close()
    return path


def expected_score(values: list) -> object:
    """CRM_SCORE worked out by hand: blanks re-weighted, text makes the row an error."""
    weights = [40, 30, 20, 10]
    if any(isinstance(v, str) and v != "" for v in values):
        return "error"
    used = [(v, w) for v, w in zip(values, weights, strict=True) if v not in ("", None)]
    return sum(v * w for v, w in used) / sum(w for _, w in used)


def test_big_table_fast_paths_agree_with_the_general_ones(tmp_path, monkeypatch):
    from crm_xl.calc import reader as sheet_reader
    from crm_xl.workbook import recalc
    from crm_xl.xlsx import targeted_edit, zip_io

    src = big_book(tmp_path / "big.xlsx", 6000)
    fast = tmp_path / "fast.xlsx"
    result = recalc_book(src, fast)
    assert result.evaluated == 24_000 and not result.problems  # 4 formula columns × 6,000
    with monkeypatch.context() as m:
        m.setattr(sheet_reader, "SHAPES_MIN_CHARS", 1 << 62)
        m.setattr(targeted_edit, "edit_targeted", lambda *a, **k: None)
        m.setattr(recalc, "_stale_numbers", lambda *a, **k: None)
        m.setattr(zip_io.ParallelDeflate, "suits", classmethod(lambda cls, i, m: False))
        slow = tmp_path / "slow.xlsx"
        again = recalc_book(src, slow)
    assert parts(fast) == parts(slow)
    assert [c.cell for c in result.changes] == [c.cell for c in again.changes]
    # the numbers, read back by calamine, against the hand-worked rule
    table = rows_of(fast, "Ratings")
    kinds = {"error": 0, "blank": 0}
    for r in range(1, 6001):
        values = table[r][1:5]
        kinds["blank"] += "" in values
        want = expected_score(values)
        score, tier = table[r][5], table[r][7]
        if want == "error":
            kinds["error"] += 1
            assert str(score).startswith("#VALUE!"), (r, score)
        else:
            assert score == pytest.approx(want, rel=1e-12), (r, values)
            assert tier == ("A" if want > 70 else "B" if want > 50 else "C")
        m, n = table[r][12:14]
        assert table[r][14] == pytest.approx((40 * m + 30 * n) / 70, rel=1e-12)
    assert kinds["error"] > 100 and kinds["blank"] > 300  # the odd rows were there
    assert recalc_book(fast, check=True).changes == []  # CI is green on what was written


@pytest.mark.parametrize(
    "path",
    excel_made_files() + sorted((ROOT / "workbooks").glob("*.xls[xm]")),
    ids=lambda p: p.name,
)
def test_what_the_reader_keeps_is_what_the_file_stores(path):
    """recalc compares results with the values the reader kept (with each formula, and for
    the other cells of array ranges): they are what the package's own scan reports."""
    from crm_xl.calc.evaluator import EMPTY, Workbook
    from crm_xl.workbook.recalc import same, typed
    from crm_xl.xlsx.coordinates import parse_cell

    pkg = Package.open(path)
    wb = Workbook.from_package(pkg)
    wb.build_blocks()
    checked = 0
    for sheet in wb.sheets:
        for cell, (kind, value) in pkg.cached_values(sheet.name).items():
            key = parse_cell(cell)
            info = sheet.formulas.get(key)
            if info is not None:
                kept = (info.cached_type, info.cached_value)
                kept = ("e", str(kept[1])) if kept[0] == "e" else kept
            else:
                found = sheet.stored[key]
                kept = typed(None if found is EMPTY else found)
            assert same(kept, (kind, value)), (sheet.name, cell, kept, (kind, value))
            checked += 1
    assert checked or "formula" not in path.name


@pytest.mark.parametrize(
    "name",
    [
        *(p.name for p in excel_made_files()),
        *(f"workbooks/{n}" for n in ("crm_sample_zh.xlsx", "crm_sample_en.xlsm")),
    ],
)
def test_recalc_with_every_fast_path_forced_writes_what_the_general_paths_write(
    name, tmp_path, monkeypatch
):
    """Every sheet read by row shapes (however small), results written by the targeted
    edit: the file recalc writes is the one the general reader and the full scan write."""
    from crm_xl.calc import reader as sheet_reader
    from crm_xl.workbook import recalc
    from crm_xl.xlsx import targeted_edit

    source = ROOT / name if name.startswith("workbooks/") else excel_made(name)
    name = source.name
    book = tmp_path / name
    pkg = Package.open(source)
    sheet = next(s for s in pkg.sheets() if s.kind == "worksheet")
    pkg.set_cells(sheet.name, {"XFA1": Formula("CRM_SCORE({85,75,10,70},{40,30,20,10})")})
    pkg.save(book)
    fast, slow = tmp_path / "fast" / name, tmp_path / "slow" / name
    fast.parent.mkdir()
    slow.parent.mkdir()
    with monkeypatch.context() as m:
        m.setattr(sheet_reader, "SHAPES_MIN_CHARS", 0)
        quick = recalc_book(book, fast)
    with monkeypatch.context() as m:
        m.setattr(sheet_reader, "SHAPES_MIN_CHARS", 1 << 62)
        m.setattr(targeted_edit, "edit_targeted", lambda *a, **k: None)
        m.setattr(recalc, "_stale_numbers", lambda *a, **k: None)
        general = recalc_book(book, slow)
    assert [str(p) for p in quick.problems] == [str(p) for p in general.problems]
    assert quick.changes == general.changes
    assert parts(fast) == parts(slow)


def test_results_that_are_errors_because_of_their_inputs_fail_the_check(tmp_path, capsys):
    # an answer of 7 on the 1-5 scale (customer row 5's satisfaction, the form's 2nd item)
    # and "n/a" as a spend: the values are computed and stored, and the run says so and fails
    from crm_xl.cli import main
    from crm_xl.xlsx import Package

    book = tmp_path / "team.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", book)
    pkg = Package.open(book)
    pkg.set_cells("Ratings 2026-Q4", {"I5": 7, "E6": "n/a"})
    pkg.set_cells("Self-assessment 2026-Q4", {"C6": 7})
    pkg.save(book)
    assert main(["recalc", str(book)]) == 1
    err = capsys.readouterr().err
    for line in (
        "Ratings 2026-Q4!S5: #VALUE! answer 7 is outside the 1-5 scale",
        # one level deep: the composite says which indicator, and why, once
        "Ratings 2026-Q4!L5: #VALUE! indicator 4: answer 7 is outside the 1-5 scale",
        "Ratings 2026-Q4!L6: #VALUE! indicator 1: 'n/a' is text, not a number",
        "Self-assessment 2026-Q4!C10: #VALUE! indicator 2: answer 7 is outside the 1-5 scale",
    ):
        assert f"error: {book}: {line}" in err
    assert main(["recalc", "--check", str(book)]) == 1  # up to date, and still failing
    assert "all up to date" in capsys.readouterr().out


def test_the_chinese_workbook_lists_the_bad_inputs_in_chinese(tmp_path, capsys):
    # the same inputs in the Chinese sample: 客户满意度 is column I, 年消费金额 column E
    from crm_xl.cli import main
    from crm_xl.xlsx import Package

    book = tmp_path / "team.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_zh.xlsx", book)
    pkg = Package.open(book)
    pkg.set_cells("评级 2026-Q4", {"I5": 7, "E6": "n/a"})
    pkg.save(book)
    assert main(["recalc", str(book)]) == 1
    err = capsys.readouterr().err
    # S5 and P6 (the two indicators' scores), then each row's composite and tier
    assert f"error: {book}: 6 个 CRM_* 结果单元格因输入有误而显示错误;" in err
    for line in (
        "评级 2026-Q4!S5: #VALUE! 评分 7 超出 1-5 分的范围",
        "评级 2026-Q4!L5: #VALUE! 指标 4:评分 7 超出 1-5 分的范围",
        "评级 2026-Q4!L6: #VALUE! 指标 1:“n/a”是文本,不是数字",
        "评级 2026-Q4!P6: #VALUE! 数值:“n/a”是文本,不是数字",
    ):
        assert f"error: {book}: {line}" in err


def test_today_is_the_date_given_or_today_and_said(tmp_path, capsys):
    import datetime as dt

    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    from crm_xl.cli import main
    from crm_xl.excel.functions import CRM_RFM
    from crm_xl.xlsx import Package

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    last = [dt.datetime(2026, 11, 20), dt.datetime(2026, 6, 1), dt.datetime(2026, 10, 1)]
    for i, (day, f, m) in enumerate(zip(last, (5, 1, 3), (1000, 50, 300), strict=True), 1):
        ws.cell(i, 1, day).number_format = "yyyy-mm-dd"
        ws.cell(i, 2, f)
        ws.cell(i, 3, m)
    ws["D1"] = ArrayFormula("D1:D3", '=CRM_RFM(A1:A3,B1:B3,C1:C3,"cn8","zh",TODAY())')
    ws["E1"] = ArrayFormula("E1:E3", '=CRM_RFM(A1:A3,B1:B3,C1:C3,"cn8","zh",DATE(2026,12,1))')
    ws["G1"] = "=TODAY()"
    book = tmp_path / "t.xlsx"
    wb.save(book)
    assert main(["recalc", str(book), "--today", "2026-12-01"]) == 0
    assert f"{book}: TODAY() is 2026-12-01\n" in capsys.readouterr().out
    v = Package.open(book).values("S")
    assert v["G1"] == ("n", 46357.0)  # 2026-01-01 is 46023, plus 334 days
    # 11, 183 and 61 days before 1 December 2026: what the days give
    by_days = [
        r[0]
        for r in CRM_RFM([[11], [183], [61]], [[5], [1], [3]], [[1000], [50], [300]], "cn8", "zh")
    ]
    assert [v[f"D{r}"][1] for r in (1, 2, 3)] == by_days == [v[f"E{r}"][1] for r in (1, 2, 3)]
    assert main(["recalc", "--check", str(book), "--today", "2026-12-01"]) == 0  # reproducible
    assert main(["recalc", "--check", str(book)]) in (0, 1)  # today's date, said so
    assert "(today's date: --today YYYY-MM-DD fixes it)" in capsys.readouterr().out


def test_now_is_the_moment_given_or_the_current_time_and_said(tmp_path, capsys):
    import datetime as dt

    import openpyxl

    from crm_xl.cli import main
    from crm_xl.xlsx import Package

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = "=NOW()"
    ws["A2"] = "=HOUR(NOW())*100+MINUTE(NOW())"
    ws["A3"] = "=NOW()-TODAY()"
    book = tmp_path / "t.xlsx"
    wb.save(book)
    # 1 December 2026 is serial 46357 (see the TODAY test); 09:30 is 9.5/24 of a day
    assert main(["recalc", str(book), "--today", "2026-12-01T09:30"]) == 0
    out = capsys.readouterr().out
    assert f"{book}: NOW() is 2026-12-01 09:30:00\n" in out
    assert f"{book}: TODAY() is 2026-12-01\n" in out
    v = Package.open(book).values("S")
    assert v["A1"][0] == "n" and abs(v["A1"][1] - (46357 + 9.5 / 24)) < 1e-9
    assert v["A2"] == ("n", 930.0)
    assert v["A3"][0] == "n" and abs(v["A3"][1] - 9.5 / 24) < 1e-9
    assert main(["recalc", "--check", str(book), "--today", "2026-12-01T09:30"]) == 0
    # a date alone: that day at midnight
    assert main(["recalc", str(book), "--today", "2026-12-01"]) == 0
    assert f"{book}: NOW() is 2026-12-01 00:00:00\n" in capsys.readouterr().out
    v = Package.open(book).values("S")
    assert v["A1"] == ("n", 46357.0) and v["A2"] == ("n", 0.0) and v["A3"] == ("n", 0.0)
    # no option: the current local time, said so
    before = dt.datetime.now().replace(microsecond=0)
    assert main(["recalc", str(book)]) == 0
    out = capsys.readouterr().out
    assert "(the current time: --today YYYY-MM-DDTHH:MM fixes it)" in out
    said = dt.datetime.fromisoformat(out.split("NOW() is ")[1][:19])
    assert before <= said <= dt.datetime.now()
    with pytest.raises(SystemExit) as refused:  # argparse's refusal, one line
        main(["recalc", str(book), "--today", "2026-12-01T25:00"])
    assert refused.value.code == 2
    assert "not a date as YYYY-MM-DD or a time as YYYY-MM-DDTHH:MM" in capsys.readouterr().err
