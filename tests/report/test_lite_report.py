"""Make report as an xlwings Lite script, through xlwings' Office.js Book engine.

The host (tests/helpers/lite_host.py) runs ``custom_scripts_call`` on Lite's ``main.py`` with
``xw.Book(json=payload)``: the payload is what Lite sends (every sheet's values, dates as
serials, and the defined names) made from a saved workbook. The script's actions, applied
as Lite's client applies them, must give a report sheet whose every cell is the figure of
``crm-xl report``'s data for the same file (:func:`crm_xl.report.context.build_context`,
which reads the file itself) — and the headline figures are checked by hand too
(tests/report/three_periods.py has the arithmetic).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from crm_xl.report.context import build_context
from crm_xl.report.make import make_report
from crm_xl.report.sheet import layout
from tests.helpers.lite import LiteHost, apply_actions, book_payload
from tests.report import three_periods as tp

ROOT = Path(__file__).resolve().parents[2]
AS_OF = tp.AS_OF

# main.py plus one script that fixes the report's date and its download folder (Lite's is
# /data, which the script uses when it exists; here it does not)
GIVEN = """
import datetime as dt
from pathlib import Path
import xlwings as xw
from xlwings import script
from crm_xl.report.lite import run_make_report

@script
def make_report_given(book: xw.Book, as_of: str, folder: str):
    run_make_report(book, dt.date.fromisoformat(as_of), Path(folder))
"""


@pytest.fixture(scope="module")
def lite():
    host = LiteHost()
    host.request(op="exec", code=GIVEN)
    yield host
    host.close()


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    return tp.build(tmp_path_factory.mktemp("lite_report"))


def run(lite, payload, folder: Path) -> list[dict]:
    args = [AS_OF.isoformat(), str(folder)]
    return lite.request(op="script", name="make_report_given", book=payload, args=args)["actions"]


def plain(value):
    """A cell as written → as compared: text without the apostrophe that keeps it text,
    an empty cell as None, every number as float."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value[1:] if value.startswith("'") else value
    if isinstance(value, bool):
        return value
    return float(value) if isinstance(value, (int, float)) else value


def same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    return got == want


def report_rows(payload: dict, name: str) -> list[list]:
    sheet = next(s for s in payload["sheets"] if s["name"] == name)
    rows = [[plain(v) for v in row] for row in sheet["values"]]
    return [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in rows
    ]


def expected_rows(path: Path) -> list[list]:
    """The sheet of ``crm-xl report``'s data for the file, read from the file itself."""
    ctx = build_context(path, as_of=AS_OF, charts=False)
    rows = [[plain(v) for v in row] for row in layout(ctx).rows]
    return [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in rows
    ]


def assert_same_sheet(got: list[list], want: list[list]) -> int:
    assert len(got) == len(want)
    numbers = 0
    for r, (g, w) in enumerate(zip(got, want, strict=True), 1):
        assert len(g) == len(w), (r, g, w)
        for c, (a, b) in enumerate(zip(g, w, strict=True), 1):
            assert same(a, b), (r, c, a, b)
            numbers += isinstance(b, float)
    return numbers


def row_of(rows: list[list], label: str) -> list:
    """The first row labelled ``label`` (the summary's, above the sections')."""
    return next(row for row in rows if row and row[0] == label)


def test_make_report_is_in_lites_run_list(lite):
    scripts = {s["function_name"]: s for s in lite.request(op="scripts")}
    assert scripts["make_report"]["name"] == "Make report"


def test_the_report_sheet_holds_crm_xl_reports_figures(lite, three, tmp_path):
    payload = book_payload(three)
    before = [s["name"] for s in payload["sheets"]]
    actions = run(lite, payload, tmp_path)
    others = apply_actions(payload, actions)
    assert [s["name"] for s in payload["sheets"]] == [*before, "报告 2026-Q4"]  # after the last
    alert = next(a for a in actions if a["func"] == "alert")["args"][0]
    assert "报告 2026-Q4" in alert and "下载" in alert  # the sheet and the HTML download
    assert "setNumberFormat" in others

    got = report_rows(payload, "报告 2026-Q4")
    assert assert_same_sheet(got, expected_rows(three)) > 100
    # and by hand (tests/report/test_report.py has the sums): the composite 43.75, 11.25
    # below Q3's 55; the customers' mean 56.515 (Q3 62.15); tiers A 2, B 0, C 3 of 5
    assert got[0] == ["客户管理评估报告 · 2026-Q4"]
    assert row_of(got, "自评综合得分")[1:] == [43.75, -11.25]
    mean = row_of(got, "客户平均得分")
    assert mean[1] == pytest.approx(56.515) and mean[2] == pytest.approx(56.515 - 62.15)
    assert row_of(got, "已评级客户")[1:] == [5.0]
    assert [row_of(got, f"等级 {t} (占比 %)")[1] for t in "ABC"] == [40.0, 0.0, 60.0]
    assert row_of(got, "预警")[1:] == [10.0]
    # text is written behind an apostrophe, so Excel takes none of it as a formula; names
    # are as typed (no HTML escaping on a sheet)
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    texts = [v for v in written if isinstance(v, str) and v]
    assert texts and all(v.startswith("'") for v in texts)
    assert "'" + tp.SCRIPT_NAME in texts


def test_the_plans_deadlines_come_as_dates_from_their_serials(lite, three, tmp_path):
    """Office.js sends a date cell as its serial: the plan's deadlines are the typed dates,
    and their states follow from them as of the report's date (2026-12-15)."""
    payload = book_payload(three)
    apply_actions(payload, run(lite, payload, tmp_path))
    words = build_context(three, as_of=AS_OF, charts=False)["labels"]
    got = report_rows(payload, "报告 2026-Q4")
    states = {  # by hand: 2026-11-30 is past; no owner; no deadline
        "技术支持响应慢": words["overdue"],
        "客户满意度下降": words["no_owner"],
        "培训不足": words["no_deadline"],
    }
    for problem, measure, owner, deadline in tp.PLAN_Q4:
        row = next(x for x in got if len(x) > 2 and x[1:3] == [problem, measure])
        assert row[3:] == [owner, deadline and deadline.isoformat(), states[problem]]


def test_the_html_download_is_crm_xl_reports_page(lite, three, tmp_path):
    payload = book_payload(three)
    run(lite, payload, tmp_path)
    (page,) = tmp_path.glob("*.html")
    (tmp_path / "reference").mkdir()
    reference = make_report(three, tmp_path / "reference" / page.name, as_of=AS_OF)
    assert page.read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")


def test_the_english_sample_and_a_second_run_replaces_the_sheet(lite, tmp_path):
    sample = tmp_path / "crm_sample_en.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", sample)
    payload = book_payload(sample)
    apply_actions(payload, run(lite, payload, tmp_path))
    want = expected_rows(sample)
    assert want[0] == ["Customer management evaluation report · 2026-Q4"]  # in English
    assert assert_same_sheet(report_rows(payload, "Report 2026-Q4"), want) > 50  # one period
    # run again on the book that now holds the report: the same sheet, cleared and rewritten
    count = len(payload["sheets"])
    actions = run(lite, payload, tmp_path)
    assert "addSheet" not in [a["func"] for a in actions]
    assert "sheetClear" in [a["func"] for a in actions]
    apply_actions(payload, actions)
    assert len(payload["sheets"]) == count
    assert_same_sheet(report_rows(payload, "Report 2026-Q4"), want)


def test_a_users_sheet_of_that_name_is_left_alone(lite, three, tmp_path):
    payload = book_payload(three)
    mine = {**payload["sheets"][0], "name": "报告 2026-Q4", "values": [["我的笔记", 1]]}
    payload["sheets"].append(mine)
    actions = run(lite, payload, tmp_path)
    assert [a["func"] for a in actions] == ["alert"]
    assert "报告 2026-Q4" in actions[0]["args"][0] and "重命名" in actions[0]["args"][0]
    assert not list(tmp_path.glob("*.html"))


def test_a_broken_model_is_a_message_box_naming_the_cell(lite, three, tmp_path):
    payload = book_payload(three)
    model = next(s for s in payload["sheets"] if s["name"] == "模型")["values"]
    model[4][5] = "四十"  # 模型!F5: the first indicator's weight
    actions = run(lite, payload, tmp_path)
    assert [a["func"] for a in actions] == ["alert"]
    prompt, title = actions[0]["args"][:2]
    assert title == "crm_xl" and "F5" in prompt and "四十" in prompt
    assert not list(tmp_path.glob("*.html"))
