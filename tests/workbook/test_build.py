"""The generated self-assessment and rating workbook: structure, Model, forms, LibreOffice."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.core.scorecard import load_scorecard
from crm_xl.errors import CrmError
from crm_xl.files.resources import sample_path
from crm_xl.workbook import layout
from crm_xl.workbook.build import new_workbook
from crm_xl.workbook.customers import read_customers
from crm_xl.workbook.model_reader import read_model
from crm_xl.workbook.shipped import SAMPLE_ANSWERS, SHIPPED_PERIOD, write_shipped
from tests.helpers.libreoffice import (
    evaluate_workbook,
    pdf_export,
    read_values,
    recalculate,
    render_png,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("books")
    customers = read_customers(sample_path("customers.csv"))
    return {
        "zh": new_workbook(
            out / "zh.xlsx", "2026-Q4", lang="zh", customers=customers, answers=SAMPLE_ANSWERS["zh"]
        ),
        "en": new_workbook(out / "en.xlsx", "2026-Q4", lang="en"),
    }


def _normalised_parts(path: Path) -> dict[str, bytes]:
    """Each part's content, not its incidental bytes: XML parts in canonical form (C14N
    2.0: attribute order, quotes, empty elements, namespace declarations and the XML
    declaration are how a writer spells the same document; openpyxl spells them
    differently when lxml is installed)."""
    from xml.etree.ElementTree import canonicalize

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in parts.items():
        if name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml":
            parts[name] = canonicalize(data.decode("utf-8")).encode()
    # openpyxl stamps the save time as "modified": that one value is not content
    parts["docProps/core.xml"] = re.sub(
        rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", parts["docProps/core.xml"]
    )
    # openpyxl writes the content types' Default entries in set order: compare them sorted
    types = parts["[Content_Types].xml"]
    parts["[Content_Types].xml"] = b"".join(
        sorted(re.findall(rb"<(?:Default|Override)[^>]*>", types))
    )
    return parts


def test_shipped_workbooks_are_up_to_date(tmp_path):
    written = write_shipped(tmp_path)
    assert {p.suffix for p in written} == {".xlsx", ".xlsm", ".py"}
    committed_files = {p.name for p in (ROOT / "workbooks").iterdir() if p.suffix != ".md"}
    assert committed_files == {p.name for p in written}, "run python -m crm_xl.workbook workbooks"
    for fresh_path in written:
        committed = ROOT / "workbooks" / fresh_path.name
        if fresh_path.suffix == ".py":
            assert committed.read_text(encoding="utf-8") == fresh_path.read_text(encoding="utf-8")
            continue
        fresh, old = _normalised_parts(fresh_path), _normalised_parts(committed)
        assert sorted(fresh) == sorted(old), fresh_path.name
        stale = [part for part in fresh if fresh[part] != old[part]]
        assert not stale, (
            f"workbooks/{fresh_path.name} is out of date in {stale}: run python -m crm_xl.workbook workbooks"
        )


@pytest.mark.parametrize(
    ("lang", "sheets"),
    [
        ("zh", ["说明", "模型", "自评 2026-Q4", "评级 2026-Q4", "仪表板", "xlwings.conf"]),
        (
            "en",
            [
                "Guide",
                "Model",
                "Self-assessment 2026-Q4",
                "Ratings 2026-Q4",
                "Dashboard",
                "xlwings.conf",
            ],
        ),
    ],
)
def test_sheets_and_defined_names(books, lang, sheets):
    wb = openpyxl.load_workbook(books[lang])
    assert wb.sheetnames == sheets
    names = wb.defined_names
    assert names["crm_2026Q4_score"].attr_text == f"'{sheets[3]}'!$L$4:$L$203"
    assert names["crm_2026Q4_sa_scores"].attr_text == f"'{sheets[2]}'!$C$5:$C$9"
    assert names["crm_ind_weight"].attr_text == f"'{sheets[1]}'!$F$5:$F$11"
    assert names["crm_lang"].attr_text == f'"{lang}"'
    conf = wb["xlwings.conf"]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "crm_xl.udfs")


def test_model_sheet_reads_back_as_the_sample_scorecard(books):
    card, sample = read_model(books["zh"]), load_scorecard(sample_path("scorecard.toml"))
    assert [
        (i.id, i.weight, i.scale, i.direction, i.floor, i.target, i.dimension)
        for i in card.indicators
    ] == [
        (i.id, i.weight, i.scale, i.direction, i.floor, i.target, i.dimension)
        for i in sample.indicators
    ]
    assert [(d.id, d.weight) for d in card.dimensions] == [
        (d.id, d.weight) for d in sample.dimensions
    ]
    assert (card.tiers.thresholds, card.tiers.labels) == ((70.0, 50.0), ("A", "B", "C"))


def test_a_broken_model_edit_is_reported_at_its_cell(books, tmp_path):
    wb = openpyxl.load_workbook(books["zh"])
    ws = wb["模型"]
    ws["F6"], ws["H7"] = "forty", "up"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(CrmError) as err:
        read_model(tmp_path / "bad.xlsx")
    assert [p.message for p in err.value.problems] == [
        "must be a number, got 'forty'",
        "must be one of 'higher', 'lower', got 'up'",
    ]
    assert [p.where.split(": ")[-1] for p in err.value.problems] == ["模型!F6", "模型!H7"]


def test_self_assessment_form(books):
    wb = openpyxl.load_workbook(books["zh"])
    ws = wb["自评 2026-Q4"]
    assert [ws[f"A{r}"].value for r in range(5, 10)] == [i.zh for i in layout.FORM_ITEMS]
    assert (
        ws["B5"].value == "客户服务响应时间、客户互动频率、客户满意度调查结果"
    )  # the form's first item
    assert [ws[f"C{r}"].value for r in range(5, 10)] == [
        SAMPLE_ANSWERS["zh"][i.key][0] for i in layout.FORM_ITEMS
    ]
    assert ws["E5"].value == "=INDEX(crm_form_weight,1)"
    # one formula per item, so rows can be edited one by one
    assert [ws[f"F{r}"].value for r in (5, 9)] == [
        "=CRM_FORM_SCORE(C5,1,5,crm_lang)",
        "=CRM_FORM_SCORE(C9,1,5,crm_lang)",
    ]
    assert ws["C10"].value == "=CRM_SCORE(F5:F9,E5:E9,FALSE,crm_lang)"
    (dv,) = [d for d in ws.data_validations.dataValidation if d.type == "list"]
    assert dv.formula1 == '"1,2,3,4,5"' and str(dv.sqref) == "C5:C9"
    assert ws.freeze_panes == "A5" and ws.print_title_rows == "$4:$4"
    assert int(ws.page_setup.paperSize) == 9 and int(ws.page_setup.fitToWidth) == 1


def test_ratings_sheet(books):
    wb = openpyxl.load_workbook(books["zh"])
    ws = wb["评级 2026-Q4"]
    assert [ws.cell(3, j).value for j in range(1, 5)] == [
        "客户编号",
        "客户名称",
        "区域",
        "购买渠道",
    ]
    assert ws["A4"].value == "C0001" and ws["E4"].value == 229100 and ws["A63"].value == "C0060"
    assert ws["A64"].value is None  # room for more customers below
    # one formula per customer row (rows sort, insert and delete with their results); what
    # ranks a customer among all (RFM, minmax) reads the whole column, absolute
    formulas = {c: ws[f"{c}4"].value for c in "LMNOP"}
    assert formulas["L"] == (
        "=CRM_MULTISCORE(P4:V4,crm_ind_weight,crm_ind_dimension,crm_dim_id,crm_dim_weight,crm_lang)"
    )
    assert formulas["M"] == '=CRM_TIER(L4,crm_tier_thresholds,crm_tier_labels,"lower",crm_lang)'
    assert formulas["N"] == (
        "=CRM_RFM_ROW(G4,F4,E4,$G$4:$G$203,$F$4:$F$203,$E$4:$E$203,crm_rfm_scheme,crm_lang)"
    )
    assert formulas["P"].startswith("=CRM_SCALE(E4,INDEX(crm_ind_scale,1)")
    assert formulas["P"].endswith(",$E$4:$E$203,crm_lang)")
    assert (
        ws["M203"].value == '=CRM_TIER(L203,crm_tier_thresholds,crm_tier_labels,"lower",crm_lang)'
    )
    assert ws["M204"].value is None
    rules = {str(r.sqref): [x.formula for x in r.rules] for r in ws.conditional_formatting}
    assert rules["M4:M203"] == [[f"$M4=INDEX(crm_tier_labels,{k})"] for k in (1, 2, 3)]
    kinds = {d.type: str(d.sqref) for d in ws.data_validations.dataValidation}
    assert kinds["decimal"]  # satisfaction 1-5 and the non-negative number columns
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$2:$3"
    assert ws.page_setup.orientation == "landscape"


def test_dashboard_has_native_charts(books):
    ws = openpyxl.load_workbook(books["en"])["Dashboard"]
    with zipfile.ZipFile(books["en"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        kinds = {
            re.search(rb"<(?:c:)?(pieChart|radarChart|lineChart)>", z.read(n)).group(1)
            for n in charts
        }
    assert kinds == {b"pieChart", b"radarChart", b"lineChart"}
    assert ws["A12"].value is None or ws["B2"].value == "2026-Q4"


def test_customer_text_is_never_a_formula(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text(
        'customer_id,客户名称,年消费金额\nX1,"=HYPERLINK(""http://evil"")",100\nX2,+cmd,\nX3,@SUM(A1),5\n',
        encoding="utf-8",
    )
    book = new_workbook(tmp_path / "b.xlsx", "2026-Q4", customers=read_customers(csv))
    ws = openpyxl.load_workbook(book)["评级 2026-Q4"]
    assert [(ws[f"B{r}"].value, ws[f"B{r}"].data_type) for r in (4, 5, 6)] == [
        ('=HYPERLINK("http://evil")', "s"),
        ("+cmd", "s"),
        ("@SUM(A1)", "s"),
    ]
    # LibreOffice shows the text itself, not a formula's result
    out = recalculate(book, tmp_path / "lo.xlsx")
    assert read_values(out, "评级 2026-Q4", ["B4", "B5"]) == {
        "B4": '=HYPERLINK("http://evil")',
        "B5": "+cmd",
    }


def test_customers_with_bad_numbers_are_all_reported(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("name,annual_spend,orders\nA,abc,1\nB,5,x\n", encoding="utf-8")
    with pytest.raises(CrmError) as err:
        read_customers(csv)
    assert [str(p).split(": ", 1)[1] for p in err.value.problems] == [
        "line 2, column 'annual_spend': 'abc' is not a number",
        "line 3, column 'orders': 'x' is not a number",
    ]


def test_new_command(tmp_path, capsys):
    book = tmp_path / "q.xlsx"
    assert (
        main(
            [
                "new",
                str(book),
                "--period",
                "2026-q4",
                "--lang",
                "en",
                "--customers",
                str(sample_path("customers.csv")),
            ]
        )
        == 0
    )
    assert "created" in capsys.readouterr().out and book.exists()
    before = book.read_bytes()
    assert main(["new", str(book), "--period", "2026-Q4"]) == 1  # never overwrites by default
    assert "already exists" in capsys.readouterr().err and book.read_bytes() == before
    assert main(["new", str(tmp_path / "p.xlsx"), "--period", "2026-Q9"]) == 1
    assert "is not a period" in capsys.readouterr().err


def test_libreoffice_opens_exports_and_renders_the_forms(books, tmp_path):
    """LibreOffice opens each workbook, exports it to PDF, and the forms render to PNG pages.

    Set CRM_XL_RENDER_DIR to keep the PNG pages for a person to look at.
    """
    for lang, book in books.items():
        pdf = pdf_export(book, tmp_path / lang)
        assert pdf.stat().st_size > 10_000
        pages = render_png(pdf, tmp_path / lang / "png")
        assert len(pages) >= 4  # guide, model, form, ratings (and more)
        keep = os.environ.get("CRM_XL_RENDER_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            for page in pages:
                shutil.copy(page, Path(keep) / f"{lang}-{page.name}")


def test_the_guide_prints_whole_on_its_page(books, tmp_path):
    """Every sentence of the Guide is on its printed A4 page (LibreOffice's PDF, read back as
    text): none cut at the page's edge, none running under the next line."""
    import subprocess

    from crm_xl.workbook.guide_sheet import GUIDE

    for lang, book in books.items():
        pdf = pdf_export(book, tmp_path / lang)
        page = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        flat = "".join(page.split())  # wrapped lines joined: compare without the breaks
        missing = [text for text, _ in GUIDE[lang] if "".join(text.split()) not in flat]
        assert not missing, f"{lang}: cut from the printed Guide: {missing}"


def test_the_ratings_print_their_customers_and_no_empty_page(books, tmp_path):
    """The Ratings sheet prepares 200 rows for customers; printed, it stops at the last
    customer (60 here: C0060), so no page of empty rows comes out, and every page it prints
    holds customers."""
    import subprocess

    pdf = pdf_export(books["zh"], tmp_path / "zh")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    first = next(i for i, p in enumerate(pages) if p.lstrip().startswith("客户评级表"))
    # its pages: the first and those after it that repeat its column headers (rows 2-3)
    ratings = [pages[first]] + [p for p in pages[first + 1 :] if p.lstrip().startswith("基本信息")]
    assert all("C00" in p for p in ratings), [p[:80] for p in ratings]
    assert "C0060" in ratings[-1]


def test_recalc_extends_the_print_area_to_a_customer_added_in_calc(tmp_path):
    """A customer typed below the last one in LibreOffice (row 64) is printed after
    crm-xl recalc: the print area follows the customers."""
    from crm_xl.workbook.recalc import recalc_book
    from crm_xl.xlsx import Package
    from tests.helpers.libreoffice import edit_in_calc

    book = tmp_path / "team.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", book)

    def area(path):
        return [
            d.text for d in Package.open(path).defined_name_list() if d.name == "_xlnm.Print_Area"
        ]

    assert area(book) == ["'Ratings 2026-Q4'!$A$1:$V$63"]
    cells = {"A64": "C9001", "B64": "New Co", "E64": 300000, "I64": 5}
    edit_in_calc(book, [{"op": "set", "sheet": "Ratings 2026-Q4", "cells": cells}])
    done = recalc_book(book)
    assert done.print_areas == ["Ratings 2026-Q4"]
    assert [a.replace("'", "").replace("$", "") for a in area(book)] == ["Ratings 2026-Q4!A1:V64"]


def test_standard_formulas_compute_what_crm_xl_expects(tmp_path):
    """Every formula without a CRM_* function, in LibreOffice, against crm_xl's own numbers.

    The CRM_* columns are replaced by the values crm_xl computes for them (LibreOffice does
    not know CRM_*); the Dashboard's and the form's standard formulas then run on top.
    """
    from crm_xl.core.rating import rate
    from crm_xl.files.tables import read_table

    customers = read_customers(sample_path("customers.csv"))
    book = new_workbook(
        tmp_path / "s.xlsx",
        SHIPPED_PERIOD,
        lang="en",
        customers=customers,
        answers=SAMPLE_ANSWERS["en"],
    )
    rating = rate(
        read_table(sample_path("customers.csv")), load_scorecard(sample_path("scorecard.toml"))
    )
    wb = openpyxl.load_workbook(book)
    ws = wb["Ratings 2026-Q4"]
    for r in range(4, 204):
        ws[f"L{r}"] = ws[f"M{r}"] = None
    for i, (score, tier) in enumerate(
        zip(rating.frame["score"], rating.frame["tier"], strict=True)
    ):
        ws[f"L{4 + i}"] = float(score)
        ws[f"M{4 + i}"] = tier
    # the last customer has no score and so no tier (a row with blank inputs)
    ws["L63"] = ws["M63"] = None
    counts = rating.tier_counts()
    counts[rating.frame["tier"].iloc[-1]] -= 1
    form = wb["Self-assessment 2026-Q4"]
    answers = [SAMPLE_ANSWERS["en"][i.key][0] for i in layout.FORM_ITEMS]
    form["F5"] = None
    for k, a in enumerate(answers):
        form[f"F{5 + k}"] = (a - 1) / 4 * 100
    form["C10"] = sum((a - 1) / 4 * 100 * 0.2 for a in answers)
    wb.save(tmp_path / "filled.xlsx")

    out = recalculate(tmp_path / "filled.xlsx", tmp_path / "lo.xlsx")
    f = read_values(out, "Self-assessment 2026-Q4", ["E5", "E9", "C11", "C12", "C13"])
    assert f["E5"] == f["E9"] == 20.0
    assert f["C11"] == "5/5"
    assert f["C12"] == pytest.approx(sum(answers) / 5)
    assert f["C13"] == "Technical support"  # the lowest answer (2) in SAMPLE_ANSWERS
    d = read_values(
        out,
        "Dashboard",
        ["A5", "A6", "A7", "B5", "B6", "B7", "C5", "B10", "A18", "B18", "C18", "D18"],
    )
    assert [d["A5"], d["A6"], d["A7"]] == ["A", "B", "C"]
    assert [d["B5"], d["B6"], d["B7"]] == [float(counts[k]) for k in "ABC"]
    assert d["C5"] == pytest.approx(counts["A"] / 59)  # of the 59 customers with a tier
    assert d["B10"] == float(answers[0])  # the radar's data: the form's answers
    assert d["A18"] == "2026-Q4"
    assert d["B18"] == pytest.approx(sum((a - 1) / 4 * 100 * 0.2 for a in answers))
    assert d["C18"] == pytest.approx(rating.frame["score"].iloc[:-1].mean())
    # one definition of the top tier's share: the trend's is the tier table's
    assert d["D18"] == pytest.approx(counts["A"] / 59) and d["D18"] == d["C5"]


def test_the_template_needs_the_standard_model(tmp_path):
    """A workbook only makes sense with Ratings columns the Model reads: checked up front."""
    from crm_xl.core.scorecard import parse_scorecard
    from crm_xl.workbook.build import check_model_fits

    card = parse_scorecard(
        {"indicators": [{"id": "nps", "label_en": "NPS", "weight": 100, "scale": "score"}]}
    )
    with pytest.raises(CrmError) as err:
        check_model_fits(card)
    assert len(err.value.problems) == 3
    _ = evaluate_workbook  # (the batch evaluator is used by the function tests)


def test_a_blank_answer_is_no_point_on_the_radar(tmp_path):
    """The radar's data leaves a blank answer out (#N/A, which charts skip) instead of
    plotting it as 0; the trend chart marks each period, so one period shows as a point."""
    answers = dict(SAMPLE_ANSWERS["en"])
    answers["support"] = (None, "")
    book = new_workbook(tmp_path / "b.xlsx", SHIPPED_PERIOD, lang="en", answers=answers)
    out = recalculate(book, tmp_path / "lo.xlsx")
    d = read_values(out, "Dashboard", ["B10", "B12"])
    assert d["B10"] == float(SAMPLE_ANSWERS["en"]["interaction"][0]) and d["B12"] == "#N/A"
    with zipfile.ZipFile(book) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    line = next(c for c in charts if re.search(rb"<(\w+:)?lineChart>", c))
    assert len(re.findall(rb'<(?:\w+:)?symbol val="circle"\s*/>', line)) == 2  # both series
