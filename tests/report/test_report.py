"""crm-xl report: every figure of a three-period workbook's report, worked out by hand.

The workbook and the arithmetic behind each customer's score are in
tests/report/three_periods.py; the figures below follow from them by hand (each with its
sum written out). They are read back from the HTML (its marked cells) and the Markdown.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from crm_xl.cli import main
from crm_xl.errors import CrmError
from crm_xl.report.make import make_report
from tests.report import three_periods as tp
from tests.report.reading import marked, md_row

AS_OF = tp.AS_OF


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return tp.build(tmp_path_factory.mktemp("three"))


@pytest.fixture(scope="module")
def q4(book):
    html = make_report(book, book.with_name("q4.html"), as_of=AS_OF).read_text(encoding="utf-8")
    md = make_report(book, book.with_name("q4.md"), as_of=AS_OF).read_text(encoding="utf-8")
    return marked(html), md, html


def one(found, key, value):
    texts = found[(key, value)]
    assert len(texts) == 1, texts
    return texts[0]


def test_summary(q4):
    found, md, _ = q4
    # composite: answers 3 4 2 – 2 → points 50 75 25 – 25 → (50+75+25+25)/4 = 43.75;
    # Q3's 55 (75+75+25+50+50)/5 → −11.25, shown rounded half away from zero as Excel does
    assert one(found, "data-figure", "composite") == "43.8"
    assert one(found, "data-figure", "composite_change") == "▼ −11.3"
    # mean score Q4 (89.5+33.275+26.9+83.225+49.675)/5 = 282.575/5 = 56.515 (C2 has no score);
    # Q3 (94.75+54.925+55.95+26.9+89.5+50.875)/6 = 372.9/6 = 62.15 → −5.635
    assert one(found, "data-figure", "mean_score") == "56.5"
    assert one(found, "data-figure", "mean_score_change") == "▼ −5.6"
    assert one(found, "data-figure", "customers") == "5"
    # tiers: A = C1, C5; no B; C = C3, C4, C7 → 40 %, 0 %, 60 % of 5
    assert [one(found, "data-tier-share", t) for t in "ABC"] == [
        "40.0 % (2)",
        "0.0 % (0)",
        "60.0 % (3)",
    ]
    assert one(found, "data-figure", "warnings") == "10"
    # weakest: support and training 25 (answer 2), then satisfaction's mean score
    # (50+50+50+25+75+25)/6 = 45.83
    assert one(found, "data-weak", "1").startswith("技术支持")
    assert one(found, "data-weak", "1").endswith(": 25.0")
    assert one(found, "data-weak", "2").startswith("培训与发展")
    assert one(found, "data-weak", "3").startswith("客户满意度")
    assert one(found, "data-weak", "3").endswith(": 45.8")
    assert md_row(md, "自评综合得分")[1:] == ["43.8", "−11.3"]
    assert md_row(md, "客户平均得分")[1:] == ["56.5", "−5.6"]
    assert md_row(md, "等级 A")[1] == "40.0 % (2)"
    assert md_row(md, "预警")[1] == "10"


def test_self_assessment(q4):
    found, md, _ = q4
    # item: answer, score, weight, points in the composite (4 answered: weight 20/80 each),
    # change against Q3 (answers 4 4 2 3 3: 75 75 25 50 50)
    expected = {
        "interaction": ["客户互动", "3", "50.0", "20", "12.50", "▼ −25.0", "<b>回访</b> & 调查"],
        "sales": ["销售业绩", "4", "75.0", "20", "18.75", "0", ""],
        "support": ["技术支持", "2", "25.0", "20", "6.25", "0", "响应慢"],
        "feedback": ["客户反馈", "未评", "–", "20", "–", "", ""],
        "training": ["培训与发展", "2", "25.0", "20", "6.25", "▼ −25.0", ""],
    }
    for key, cells in expected.items():
        assert one(found, "data-item", key) == " ".join(c for c in cells if c)
    assert one(found, "data-figure", "sa_composite") == "43.8"
    assert md_row(md, "客户互动") == ["客户互动", "3", "50.0", "20", "−25.0", "<b>回访</b> & 调查"]
    assert md_row(md, "客户反馈") == ["客户反馈", "未评", "–", "20", "–", ""]


def test_customers(q4):
    found, md, _ = q4
    # A: C1, C5 — spend 300,000 each; orders (24+18)/2 = 21; days (7+7)/2 = 7;
    # satisfaction (3+4)/2 = 3.5; regions 华东, 华南; channels 直销, 经销商
    assert one(found, "data-tier", "A") == (
        "A 2 40.0 % 300,000 21.0 7.0 3.50 华东 50%, 华南 50% 直销 50%, 经销商 50%"
    )
    assert one(found, "data-tier", "B") == "B 0 0.0 % – – – –"
    # C: C3, C4, C7 — spend (150,000+75,000+225,000)/3 = 150,000; orders (6+6+12)/3 = 8;
    # days (365+186+186)/3 = 245.67; satisfaction (3+2+2)/3 = 2.33
    assert one(found, "data-tier", "C") == (
        "C 3 60.0 % 150,000 8.0 245.7 2.33 华东 67%, 华北 33% 电话销售 67%, 直销 33%"
    )
    # RFM (cn8) of the 5 customers with usable R, F, M (C2's spend is bad):
    # R by days 7 7 365 186 186 → C1 4, C5 4, C3 1, C4 2, C7 2 (mean 2.6)
    # F by orders 24 18 6 6 12 → 5 4 1 1 3 (mean 2.8); M by spend → 4 4 2 1 3 (mean 2.8)
    # C1, C5 high-high-high 重要价值客户; C7 low R, high F and M 重要保持客户; C3, C4 low 一般挽留客户
    # spend 600,000 / 225,000 / 225,000 of 1,050,000
    assert one(found, "data-segment", "重要价值客户") == "重要价值客户 2 40.0 % 57.1 %"
    assert one(found, "data-segment", "一般挽留客户") == "一般挽留客户 2 40.0 % 21.4 %"
    assert one(found, "data-segment", "重要保持客户") == "重要保持客户 1 20.0 % 21.4 %"
    # top: the better half of 5 (C1, C5, C7), with each indicator's points:
    # C1: spend 100 × 0.45 × 0.5 = 22.5, orders 100 × 0.45 × 0.3 = 13.5, days 100 × 0.09 = 9,
    # satisfaction 50 × 0.35 × 0.6 = 10.5, interactions 100 × 0.07 = 7, campaigns 7,
    # complaint hours 100 × 0.2 = 20 — adding up to 89.5
    assert one(found, "data-top", "C1") == (
        f"{tp.SCRIPT_NAME} C1 89.50 A 22.50 13.50 9.00 10.50 7.00 7.00 20.00"
    )
    # C5: 22.5, 75 × 0.135 = 10.125, 9, 75 × 0.21 = 15.75, 75 × 0.07 = 5.25, 80 × 0.07 = 5.6,
    # 75 × 0.2 = 15 → 83.225
    assert one(found, "data-top", "C5") == (
        "南方电子有限公司 C5 83.23 A 22.50 10.13 9.00 15.75 5.25 5.60 15.00"
    )
    assert ("data-top", "C7") in found
    # bottom, lowest first: C4 26.9, C3 33.275
    assert one(found, "data-bottom", "C4").startswith("东海贸易有限公司 C4 26.90 C")
    assert one(found, "data-bottom", "C3").startswith("华北机械有限公司 C3 33.28 C")
    # moved down since Q3: C3 B (55.95) → C (33.275), C7 B (50.875) → C (49.675); none up
    assert one(found, "data-down", "C3") == "C3 华北机械有限公司 B C 55.95 → 33.28"
    assert one(found, "data-down", "C7") == "C7 新星科技有限公司 B C 50.88 → 49.68"
    assert not any(k == "data-up" for k, _ in found)
    assert not any(k in ("data-new", "data-lost") for k, _ in found)
    assert md_row(md, "C")[1:] == ["3", "60.0 %", "150,000", "2.33"]


def test_trends(book):
    from crm_xl.report.context import build_context

    trends = build_context(book, as_of=AS_OF, charts=False)["trends"]
    assert trends["periods"] == list(tp.PERIODS)
    assert trends["composite"] == [55.0, 55.0, 43.75]
    # Q2 (100+54.55+81.45+16+65.725+0)/6 = 317.725/6
    assert [round(v, 6) for v in trends["mean_score"]] == [
        round(317.725 / 6, 6),
        round(372.9 / 6, 6),
        round(282.575 / 5, 6),
    ]
    means = {s["label"]: [round(v, 6) for v in s["values"]] for s in trends["indicators"]}
    # satisfaction's 0–100 mean: Q2 (100+75+100+25+75+0)/6, Q3 (75+50+75+25+75+50)/6,
    # Q4 (50+50+50+25+75+25)/6
    assert means["客户满意度"] == [62.5, round(350 / 6, 6), round(275 / 6, 6)]
    # spend: Q2 (100+50+75+25+50+0)/6 = 50, Q3 (100+75+50+25+100+50)/6, Q4 without C2's bad
    # cell (100+50+25+100+75)/5 = 70
    assert means["年消费金额"] == [50.0, round(400 / 6, 6), 70.0]
    # complaint hours: Q3 without C5's blank (100+50+50+25+75)/5 = 60
    assert means["投诉处理时长(小时)"] == [50.0, 60.0, round(325 / 6, 6)]
    shares = {s["label"]: [round(v, 6) for v in s["values"]] for s in trends["tiers"]}
    assert shares["A"] == [round(200 / 6, 6), round(200 / 6, 6), 40.0]
    assert shares["B"] == [round(200 / 6, 6), 50.0, 0.0]
    assert shares["C"] == [round(200 / 6, 6), round(100 / 6, 6), 60.0]


def test_warnings_and_plan(q4):
    found, md, _ = q4
    rules = [k[1] for k in found if k[0] == "data-rule"]
    texts = [t for (k, _), ts in found.items() if k == "data-rule" for t in ts]
    expected = [
        "自评综合得分比上期(2026-Q3)下降 11.3 分:55.0 → 43.8",
        "客户平均得分比上期(2026-Q3)下降 5.6 分:62.2 → 56.5",
        # days since purchase, mean 0–100 score: Q3 (100+50+50+50+100+100)/6 = 75 →
        # Q4 (100+50+0+50+100+50)/6 = 58.3
        "距上次购买天数(得分均值)比上期(2026-Q3)下降 16.7 分:75.0 → 58.3",
        # satisfaction 62.5 → 58.3 → 45.8: two falls running, since Q2, −16.7 in all
        "客户满意度(得分均值)连续 2 期下降:自 2026-Q2 起从 62.5 降到 45.8(−16.7)",
        "客户满意度(得分均值)比上期(2026-Q3)下降 12.5 分:58.3 → 45.8",
        # complaint hours 60 → (100+50+25+25+75+50)/6 = 54.17: −5.83 > 5
        "投诉处理时长(小时)(得分均值)比上期(2026-Q3)下降 5.8 分:60.0 → 54.2",
        "自评综合得分 43.8,低于预警线 60",
        # more than 180 days: C2 186, C3 365, C4 186, C7 186
        f"4 个客户超过 180 天未购买 {tp.FORMULA_NAME}、华北机械有限公司、东海贸易有限公司、新星科技有限公司",
        "技术支持 自评 2 分(不高于 2 分)",
        "培训与发展 自评 2 分(不高于 2 分)",
    ]
    assert sorted(texts) == sorted(expected)
    assert set(rules) == {
        "drop_points",
        "falling_periods",
        "composite_floor",
        "inactive_days",
        "item_floor",
    }
    # the plan: overdue on 2026-12-15, no owner, no deadline
    assert one(found, "data-plan", "1") == "技术支持响应慢 增加值班工程师 张三 2026-11-30 已逾期"
    assert one(found, "data-plan", "2") == "客户满意度下降 回访 A、B 级客户 – 2027-01-31 无负责人"
    assert one(found, "data-plan", "3") == "培训不足 每季度培训一次 李四 – 无期限"
    # addressed: "客户满意度下降" names both satisfaction warnings, "技术支持响应慢" the support
    # item; "培训不足" does not name 培训与发展: 10 − 3 = 7 left
    unaddressed = [t for (k, _), ts in found.items() if k == "data-unaddressed" for t in ts]
    assert len(unaddressed) == 7
    assert "培训与发展 自评 2 分(不高于 2 分)" in unaddressed
    assert not any("客户满意度" in t or "技术支持" in t for t in unaddressed)
    assert md_row(md, "技术支持响应慢") == [
        "技术支持响应慢",
        "增加值班工程师",
        "张三",
        "2026-11-30",
        "已逾期",
    ]
    assert "尚无改进计划对应的预警 (7)" in md


def test_data_problems_name_the_cell(q4):
    _, md, html = q4
    assert '<td>评级 2026-Q4!E5</td><td class="text">“n/a”是文本,不是数字</td>' in html
    assert "- 评级 2026-Q4!E5: “n/a”是文本,不是数字" in md


def test_names_and_remarks_are_text(q4):
    _, md, html = q4
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>回访" not in html and "&lt;b&gt;回访&lt;/b&gt; &amp; 调查" in html
    assert "=HYPERLINK(&#34;http://example.com&#34;,&#34;点我&#34;)" in html
    assert "script-src" not in html and "default-src 'none'" in html  # no script may run
    # nothing to fetch: only references inside the page (#id)
    assert not re.search(r'(?:src|href)="(?!#)|url\((?!#)|@import', html)
    assert r"\<script\>alert(1)\</script\>" in md and "<script>" not in md
    assert r"\<b\>回访\</b\> & 调查" in md


def test_period_q3(book):
    """--period 2026-Q3: compared with Q2; tier moves, a new and a lost customer, a
    downgraded A customer."""
    html = make_report(book, book.with_name("q3.html"), period="2026-Q3", as_of=AS_OF).read_text(
        encoding="utf-8"
    )
    found = marked(html)
    assert one(found, "data-figure", "composite") == "55.0"
    assert one(found, "data-figure", "composite_change") == "0"
    # 62.15 − 317.725/6 = 9.196
    assert one(found, "data-figure", "mean_score") == "62.2"
    assert one(found, "data-figure", "mean_score_change") == "▲ +9.2"
    assert one(found, "data-up", "C5") == "C5 南方电子有限公司 B A 65.73 → 89.50"
    assert one(found, "data-down", "C3") == "C3 华北机械有限公司 A B 81.45 → 55.95"
    assert one(found, "data-new", "C7") == "新星科技有限公司"
    assert one(found, "data-lost", "C6") == "西部物流有限公司"
    texts = sorted(t for (k, _), ts in found.items() if k == "data-rule" for t in ts)
    assert texts == sorted(
        [
            "1 个上期(2026-Q2)A 级客户本期降级 华北机械有限公司",
            "自评综合得分 55.0,低于预警线 60",
            # C2, C3, C4 at 186 days
            f"3 个客户超过 180 天未购买 {tp.FORMULA_NAME}、华北机械有限公司、东海贸易有限公司",
            "技术支持 自评 2 分(不高于 2 分)",
        ]
    )
    assert "2026-Q4" not in html.split('<section id="trends">')[1]  # later periods left out


def test_english_report_of_the_chinese_workbook(book):
    md = make_report(book, book.with_name("en.md"), lang="en", as_of=AS_OF).read_text(
        encoding="utf-8"
    )
    assert md.startswith("## Customer management evaluation report · 2026-Q4")
    assert md_row(md, "Self-assessment composite")[1:] == ["43.8", "−11.3"]
    assert md_row(md, "Customer interaction")[:3] == ["Customer interaction", "3", "50.0"]
    assert (
        "- Satisfaction (1-5 survey) (mean score) fell 2 periods running: from 62.5 in 2026-Q2 "
        "to 45.8 (−16.7)"
    ) in md
    assert "Customers with a bad" not in md and "'n/a' is text, not a number" in md


def test_the_numbers_equal_what_recalc_stores(book):
    """The report computes from inputs; `crm-xl recalc` evaluates the workbook's own
    formulas: for every period and customer, the same score, tier and segment."""
    from crm_xl.report.book import read_book
    from crm_xl.report.compute import rate_period
    from crm_xl.workbook import layout
    from crm_xl.xlsx import Package

    pkg = Package.open(book)
    names = {k.lower(): v for k, (v, _) in pkg.defined_names().items()}
    data = read_book(book)
    for inputs in data.periods:
        frame = rate_period(data, inputs).frame
        stored = {}
        for key in ("score", "tier", "rfm_segment"):
            sheet, ref = layout.split_ref(names[layout.name(inputs.period, key).lower()])
            col = "".join(c for c in ref.split(":")[0] if c.isalpha())
            values = pkg.values(sheet)
            stored[key] = {r: values.get(f"{col}{r}", ("empty", None)) for r in inputs.rows}
        for _, row in frame.iterrows():
            kind, value = stored["score"][row["row"]]
            if math.isnan(row["score"]):
                assert (kind in ("e", "str") and str(value).startswith("#")) or not row["rated"]
            else:
                assert kind == "n" and math.isclose(value, row["score"], rel_tol=1e-12)
                expected = tp.SCORES[str(inputs.period)][row["customer_id"]]
                assert math.isclose(row["score"], expected, abs_tol=1e-9)  # and by hand
            tier = stored["tier"][row["row"]][1]
            assert (row["tier"] or None) == (tier if row["tier"] else None)
            if row["tier"]:
                assert row["tier"] == tp.TIERS[str(inputs.period)][row["customer_id"]]
            segment = stored["rfm_segment"][row["row"]][1]
            if row["rfm_segment"] is not None:
                assert row["rfm_segment"] == segment


def test_one_period_has_no_comparison(tmp_path):
    book = tmp_path / "one.xlsx"
    assert main(["new", str(book), "--period", "2026-Q2", "--lang", "en"]) == 0
    tp.fill_period(book, "2026-Q2")
    html = make_report(book, tmp_path / "one.html", as_of=AS_OF).read_text(encoding="utf-8")
    found = marked(html)
    assert "The workbook has one period: this report has no comparison" in html
    assert ("data-figure", "composite_change") not in found
    assert one(found, "data-figure", "composite") == "55.0"  # (75+50+50+75+25)/5
    # (100+54.55+81.45+16+65.725+0)/6 = 52.954
    assert one(found, "data-figure", "mean_score") == "53.0"


def test_the_workbook_is_only_read(book, tmp_path):
    before = book.read_bytes()
    assert main(["report", str(book), "-o", str(tmp_path / "r.md"), "--as-of", "2026-12-15"]) == 0
    assert book.read_bytes() == before
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("## 客户管理评估报告")


def test_cli_markdown_to_stdout_and_folders(book, tmp_path, capsys):
    import shutil

    assert main(["report", str(book), "-o", "-", "--as-of", "2026-12-15"]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith("## 客户管理评估报告 · 2026-Q4") and "| 自评综合得分 | 43.8 | −11.3 |" in out
    )
    folder = tmp_path / "teams"
    folder.mkdir()
    shutil.copy(book, folder / "a.xlsx")
    shutil.copy(book, folder / "b.xlsx")
    (folder / "broken.xlsx").write_bytes(b"not a zip")
    assert main(["report", str(folder), "-o", "-", "--as-of", "2026-12-15"]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("## 客户管理评估报告 · 2026-Q4") == 2
    assert "broken.xlsx" in captured.err
    assert main(["report", str(folder / "a.xlsx"), "--period", "2025-Q1"]) == 1
    assert "no period 2025-Q1" in capsys.readouterr().err
    assert main(["report", str(folder / "a.xlsx"), "-o", str(tmp_path / "r.txt")]) == 1
    assert ".html, .md or .pdf" in capsys.readouterr().err


def test_rules_from_the_model_sheet_and_toml(book, tmp_path):
    import shutil

    from crm_xl.report.context import build_context
    from crm_xl.report.make import load_rules
    from crm_xl.workbook import layout
    from crm_xl.xlsx import Package

    copy = tmp_path / "rules.xlsx"
    shutil.copy(book, copy)
    pkg = Package.open(copy)
    sheet, ref = layout.split_ref(pkg.defined_names()[layout.WARN_RULES_NAME][0])
    first = ref.split(":")[0]
    pkg.set_cells(sheet, {first: 3})  # falling_periods, the first rule, from 2 to 3
    pkg.save(copy)
    rules = [w["rule"] for w in build_context(copy, as_of=AS_OF, charts=False)["warnings"]]
    assert "falling_periods" not in rules and len(rules) == 9

    pkg.set_cells(sheet, {first: "two"})
    pkg.save(copy)
    with pytest.raises(CrmError, match=rf"{sheet}!{first}: must be a number, got 'two'"):
        build_context(copy, as_of=AS_OF, charts=False)

    toml = tmp_path / "rules.toml"
    toml.write_text("[early_warning]\ninactive_days = 365\ndrop_points = 20\n", encoding="utf-8")
    ctx = build_context(book, as_of=AS_OF, charts=False, rules=load_rules(toml))
    assert {w["rule"] for w in ctx["warnings"]} == {
        "falling_periods",
        "composite_floor",
        "item_floor",
    }
    toml.write_text("[early_warning]\ninactive_dayz = 365\n", encoding="utf-8")
    with pytest.raises(
        CrmError, match="inactive_dayz: unknown key \\(did you mean 'inactive_days'\\?\\)"
    ):
        load_rules(toml)


def test_a_users_template_runs_in_the_sandbox(book, tmp_path):
    mine = tmp_path / "mine.html.j2"
    mine.write_text(
        "<h1>{{ labels.title }}</h1>{% for t in summary.tiers %}<p>{{ t.label }}={{ t.count }}</p>{% endfor %}"
        "<p>{{ customers.top[0].name }}</p>",
        encoding="utf-8",
    )
    html = make_report(book, tmp_path / "mine.html", template=mine, as_of=AS_OF).read_text(
        encoding="utf-8"
    )
    assert html == (
        "<h1>客户管理评估报告</h1><p>A=2</p><p>B=0</p><p>C=3</p>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    evil = tmp_path / "evil.html.j2"
    evil.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(CrmError, match="template not allowed"):
        make_report(book, tmp_path / "evil.html", template=evil, as_of=AS_OF)
    assert not (tmp_path / "evil.html").exists()
    broken = tmp_path / "broken.html.j2"
    broken.write_text("{% for x in %}", encoding="utf-8")
    with pytest.raises(CrmError, match=r"broken\.html\.j2:1: template error"):
        make_report(book, tmp_path / "broken.html", template=broken, as_of=AS_OF)


def test_not_a_crm_workbook(tmp_path):
    import openpyxl

    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(CrmError, match=r"plain\.xlsx: not a crm_xl workbook"):
        make_report(plain, tmp_path / "r.html", as_of=dt.date(2026, 1, 1))
    assert not (tmp_path / "r.html").exists()


def test_collected_department_forms_have_their_section(tmp_path):
    """Two departments' forms collected for 2027-Q1 (weights 20 % each): Sales answers
    5, 4, -, 2, 3 → (100 + 75 + 25 + 50) / 4 = 62.5 (the blank item left out); Support 3 on
    every item → 50. Company: each item's mean answer over the departments that answered
    it (4, 3.5, 3, 2.5, 3) and the mean of the composites, (62.5 + 50) / 2 = 56.25."""
    import datetime as dt

    import openpyxl

    from crm_xl.workbook.build import new_workbook
    from crm_xl.workbook.collect import collect_forms
    from crm_xl.workbook.period import add_period

    book = new_workbook(tmp_path / "team.xlsx", "2026-Q4", lang="en")
    depts = tmp_path / "depts.csv"
    depts.write_text("department\nSales\nSupport\n", encoding="utf-8")
    forms = {
        f.stem.rsplit("_", 1)[1]: f for f in add_period(book, "2027-Q1", departments=depts).forms
    }
    for name, answers, who in (("Sales", [5, 4, None, 2, 3], "Ann"), ("Support", [3] * 5, "Cy")):
        wb = openpyxl.load_workbook(forms[name])
        ws = wb.active
        ws["D2"], ws["F2"] = who, dt.date(2027, 3, 31)
        for r, answer in zip(range(5, 10), answers, strict=True):
            ws[f"C{r}"] = answer
        if name == "Sales":  # a plan row, overdue on the report's date
            ws["A18"], ws["B18"], ws["C18"] = "Slow replies", "A rota", "Bo"
            ws["D18"] = dt.date(2026, 12, 1)
        wb.save(forms[name])
    collect_forms(book, "2027-Q1", list(forms.values()))
    html = make_report(book, tmp_path / "r.html", as_of=AS_OF).read_text(encoding="utf-8")
    md = make_report(book, tmp_path / "r.md", as_of=AS_OF).read_text(encoding="utf-8")
    assert 'data-figure="company_composite">56.3<' in html  # 56.25, shown to one decimal
    # the period's own form is blank: its self-assessment figure is the company's, said so
    assert "Self-assessment composite (Company (mean of departments)) | 56.3 |" in md
    sales = html.split('data-department="Sales">', 1)[1].split("</tr>", 1)[0]
    cells = [c.split("<", 1)[0] for c in sales.split('class="n">')[1:]]
    assert cells == ["5", "4", "not answered", "2", "3", "62.5"]
    assert "| Support | 3 | 3 | 3 | 3 | 3 | 50.0 |" in md
    # the department's plan row is in the plan, named, with its state
    assert "| [Sales] Slow replies | A rota | Bo | 2026-12-01 | overdue |" in md
    company = next(line for line in md.splitlines() if line.startswith("| **Company"))
    assert [c.strip() for c in company.split("|")[2:-1]] == [
        "4.00",
        "3.50",
        "3.00",
        "2.50",
        "3.00",
        "**56.3**",
    ]
