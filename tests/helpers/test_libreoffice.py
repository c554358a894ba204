"""The LibreOffice oracle (tests/libreoffice.py) computes what Excel would, from scratch.

Expected values are worked out by hand in the comments, not copied from LibreOffice.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.helpers import libreoffice
from tests.helpers.libreoffice import (
    LibreOfficeError,
    evaluate,
    evaluate_many,
    pdf_export,
    read_values,
    recalculate,
    render_png,
    require_libreoffice,
    require_pdftoppm,
)


def test_worked_example_weighted_score():
    require_libreoffice()
    # 85·40 + 75·30 + 10·20 + 70·10 = 3400 + 2250 + 200 + 700 = 6550; ÷ (40+30+20+10) = 65.5
    cells = {
        "A1": 85,
        "A2": 75,
        "A3": 10,
        "A4": 70,
        "B1": 40,
        "B2": 30,
        "B3": 20,
        "B4": 10,
        "C1": "=SUMPRODUCT(A1:A4,B1:B4)/SUM(B1:B4)",
        "C2": "=SUMPRODUCT({85,75,10,70},{40,30,20,10})/SUM(40,30,20,10)",
    }
    got = evaluate(cells)
    assert got["C1"] == 65.5
    assert got["C2"] == 65.5
    assert got["A1"] == 85.0 and type(got["A1"]) is float


def test_stale_cached_value_is_recalculated(tmp_path):
    require_libreoffice()
    stale = tmp_path / "stale.xlsx"
    workbook = xlsxwriter.Workbook(stale)
    sheet = workbook.add_worksheet("Sheet1")
    sheet.write_formula("A1", "=1+1", None, 99)  # cached 99: a lie, 1+1 is 2
    sheet.write_formula("A2", "=A1*10", None, 990)  # a dependant lie: 2·10 is 20
    workbook.close()
    # The lie really is in the file: a cached-value reader sees it.
    assert read_values(stale, "Sheet1", ["A1", "A2"]) == {"A1": 99.0, "A2": 990.0}

    out = recalculate(stale, tmp_path / "fresh.xlsx")
    assert out == tmp_path / "fresh.xlsx"
    assert read_values(out, "Sheet1", ["A1", "A2"]) == {"A1": 2.0, "A2": 20.0}


def test_nps_from_countif():
    require_libreoffice()
    responses = [10, 9, 9, 8, 7, 7, 6, 5, 3, 10]
    cells: dict[str, object] = {f"A{i}": r for i, r in enumerate(responses, start=1)}
    cells["B1"] = '=COUNTIF(A1:A10,">=9")'  # 10, 9, 9, 10 → 4 promoters
    cells["B2"] = '=COUNTIF(A1:A10,"<=6")'  # 6, 5, 3 → 3 detractors
    cells["B3"] = "=COUNT(A1:A10)"  # 10 responses, passives included
    cells["B4"] = '=(COUNTIF(A1:A10,">=9")-COUNTIF(A1:A10,"<=6"))/COUNT(A1:A10)*100'
    got = evaluate(cells)
    # (4 − 3) ÷ 10 × 100 = 10
    assert (got["B1"], got["B2"], got["B3"], got["B4"]) == (4.0, 3.0, 10.0, 10.0)


def test_errors_and_types_come_back_typed():
    require_libreoffice()
    got = evaluate(
        {
            "A1": "=1/0",
            "A2": "=NA()",
            "A3": "=CRM_SCORE(1,2)",  # our UDF is unknown to LibreOffice
            "A4": "=IFERROR(1/0,-1)",
            "B1": "abc",
            "B2": '="ab"&"c"',
            "B3": '=""',
            "B4": None,
            "C1": True,
            "C2": "=1=1",
            "C3": "=2<1",
            "C4": "=B4",  # an empty cell reads as 0 in arithmetic
        }
    )
    assert got == {
        "A1": "#DIV/0!",
        "A2": "#N/A",
        "A3": "#NAME?",
        "A4": -1.0,
        "B1": "abc",
        "B2": "abc",
        "B3": "",
        "B4": None,
        "C1": True,
        "C2": True,
        "C3": False,
        "C4": 0.0,
    }
    assert type(got["C2"]) is bool and type(got["A4"]) is float


def test_excel_2010_functions_need_their_file_prefix():
    require_libreoffice()
    # sample standard deviation of 1, 2, 3: mean 2, squares 1+0+1 = 2, ÷ (3−1) = 1, √1 = 1
    got = evaluate({"A1": "=_xlfn.STDEV.S(1,2,3)", "A2": "=STDEV.S(1,2,3)"})
    assert got == {"A1": 1.0, "A2": "#NAME?"}


def test_formulas_can_read_extra_sheets():
    require_libreoffice()
    got = evaluate(
        {"A1": "=SUMPRODUCT(Data!A1:A2,Data!B1:B2)"},
        sheet="Score",
        extra_sheets={"Data": {"A1": 85, "A2": 75, "B1": 0.4, "B2": 0.6}},
    )
    assert got == {"A1": pytest.approx(79.0)}  # 85·0.4 + 75·0.6 = 34 + 45 = 79


def test_batch_uses_one_libreoffice_start(monkeypatch):
    require_libreoffice()
    runs = []
    real_run = libreoffice.run

    def counting_run(cmd, timeout, what):
        runs.append(cmd)
        return real_run(cmd, timeout, what)

    monkeypatch.setattr(libreoffice, "run", counting_run)
    cases = [
        {"A1": n, "B1": "=A1*A1", "C1": '=IF(A1>=50,"high","low")', "D1": "=1/(A1-7)"}
        for n in range(60)
    ]
    cases.append({"A1": "=Shared!A1+1"})
    got = evaluate_many(cases, extra_sheets={"Shared": {"A1": 41}})
    assert len(runs) == 1
    for n, values in enumerate(got[:60]):
        assert values["B1"] == float(n * n)
        assert values["C1"] == ("high" if n >= 50 else "low")
        assert values["D1"] == ("#DIV/0!" if n == 7 else pytest.approx(1 / (n - 7)))
    assert got[60] == {"A1": 42.0}
    assert evaluate_many([]) == []


def test_failed_conversion_reports_libreoffice_output(tmp_path):
    require_libreoffice()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LibreOfficeError, match="did not convert"):
        recalculate(bad, tmp_path / "out.xlsx")
    with pytest.raises(FileNotFoundError):
        recalculate(tmp_path / "missing.xlsx", tmp_path / "out.xlsx")


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
def test_timeout_kills_libreoffice(tmp_path):
    require_libreoffice()
    source = tmp_path / "in.xlsx"
    workbook = xlsxwriter.Workbook(source)
    workbook.add_worksheet().write_formula("A1", "=1+1")
    workbook.close()
    profile = libreoffice.session_profile()
    with pytest.raises(LibreOfficeError, match="timed out"):
        recalculate(source, tmp_path / "out.xlsx", timeout=0.05)
    deadline = time.monotonic() + 5
    while _processes_mentioning(str(profile)) and time.monotonic() < deadline:
        time.sleep(0.1)  # SIGKILL is delivered asynchronously
    assert _processes_mentioning(str(profile)) == []
    assert not profile.exists()  # a killed run's profile is thrown away
    # The next call works (with a new profile).
    assert read_values(recalculate(source, tmp_path / "out.xlsx"), "Sheet1", ["A1"]) == {"A1": 2.0}


def test_pdf_export_and_png(tmp_path):
    require_libreoffice()
    source = tmp_path / "report.xlsx"
    workbook = xlsxwriter.Workbook(source)
    sheet = workbook.add_worksheet()
    sheet.write_string("A1", "Composite score")
    sheet.write_formula("B1", "=SUMPRODUCT({85,75,10,70},{40,30,20,10})/100", None, 0)
    workbook.close()
    pdf = pdf_export(source, tmp_path / "pdf")
    assert pdf == tmp_path / "pdf" / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")

    require_pdftoppm()
    pages = render_png(pdf, tmp_path / "png")
    assert pages == [tmp_path / "png" / "report-1.png"]
    assert pages[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_tools_skip_locally_and_fail_on_ci(monkeypatch):
    monkeypatch.setattr(libreoffice, "soffice_path", lambda: None)
    monkeypatch.setattr(libreoffice, "pdftoppm_path", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="libreoffice-calc-nogui"):
        require_libreoffice()
    with pytest.raises(pytest.skip.Exception, match="poppler-utils"):
        require_pdftoppm()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_libreoffice()
    with pytest.raises(pytest.fail.Exception, match="poppler-utils"):
        require_pdftoppm()
    with pytest.raises(pytest.fail.Exception):
        evaluate({"A1": "=1+1"})  # the evaluating functions apply the same policy


def test_reader_agrees_with_calamine_on_plain_values(tmp_path):
    # read_values is calamine plus error/empty detection: plain values pass through unchanged.
    path = tmp_path / "plain.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Data")
    sheet.write_row("A1", [1.5, "text", True])
    workbook.close()
    raw = CalamineWorkbook.from_path(os.fspath(path)).get_sheet_by_name("Data").to_python()
    assert raw == [[1.5, "text", True]]
    assert read_values(path, "Data", ["A1", "B1", "C1", "D1"]) == {
        "A1": 1.5,
        "B1": "text",
        "C1": True,
        "D1": None,
    }
