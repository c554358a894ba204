"""crm-xl new-period: the next period added, everything else byte-for-byte as it was."""

from __future__ import annotations

import re
import shutil
import zipfile
from html import escape
from pathlib import Path

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.errors import CrmError
from crm_xl.workbook.build import new_workbook
from crm_xl.workbook.period import add_period
from crm_xl.xlsx import Package
from tests.helpers.excel_made import excel_made
from tests.helpers.libreoffice import read_values, recalculate

ROOT = Path(__file__).resolve().parents[2]
# the parts new-period may change: the workbook's index of sheets and names, and its own sheets
PACKAGE_INDEX = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_part(path: Path, title: str) -> str:
    return Package.open(path).sheet(title).part


@pytest.fixture
def sample(tmp_path):
    book = tmp_path / "crm_sample_zh.xlsm"
    shutil.copy(ROOT / "workbooks" / "crm_sample_zh.xlsm", book)
    return book


def test_new_period_on_the_sample_workbook(sample, tmp_path):
    before = parts(sample)
    dashboard = sheet_part(sample, "仪表板")
    done = add_period(sample, "2027-Q1")
    assert (str(done.period), str(done.previous)) == ("2027-Q1", "2026-Q4")
    after = parts(sample)

    # every part other than the index, the Dashboard and the two new sheets is untouched
    new_parts = set(after) - set(before)
    assert {sheet_part(sample, "自评 2027-Q1"), sheet_part(sample, "评级 2027-Q1")} <= new_parts
    changed = {n for n in before if n in after and before[n] != after[n]}
    assert changed <= PACKAGE_INDEX | {dashboard}
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]  # VBA
    assert (
        after["xl/drawings/vmlDrawing1.vml"] == before["xl/drawings/vmlDrawing1.vml"]
    )  # the button
    assert all(after[n] == before[n] for n in before if n.startswith("xl/charts/"))

    wb = openpyxl.load_workbook(sample, keep_vba=True)
    assert wb.sheetnames[2:6] == ["自评 2026-Q4", "评级 2026-Q4", "自评 2027-Q1", "评级 2027-Q1"]
    old, new = wb["评级 2026-Q4"], wb["评级 2027-Q1"]
    # the customer list is carried over, their figures are blank for the new period
    assert [new[f"{c}4"].value for c in "ABCD"] == [old[f"{c}4"].value for c in "ABCD"]
    assert [new[f"{c}4"].value for c in "EFGHIJK"] == [None] * 7
    assert old["E4"].value == 229100  # the earlier period keeps its figures
    assert new["L4"].value == old["L4"].value  # same CRM_* formulas
    form_old, form_new = wb["自评 2026-Q4"], wb["自评 2027-Q1"]
    assert [form_new[f"C{r}"].value for r in range(5, 10)] == [None] * 5
    assert [form_old[f"C{r}"].value for r in range(5, 10)] == [4, 3, 2, 4, 3]
    assert form_new["A1"].value == "客户管理现状自评表 2027-Q1"
    assert form_new.data_validations.dataValidation[0].formula1 == '"1,2,3,4,5"'
    names = wb.defined_names
    assert names["crm_2027Q1_score"].attr_text == "'评级 2027-Q1'!$L$4:$L$203"
    assert names["crm_2026Q4_score"].attr_text == "'评级 2026-Q4'!$L$4:$L$203"
    assert names["crm_periods"].attr_text == '"2026Q4,2027Q1"'
    dash = wb["仪表板"]
    assert dash["B2"].value == "2027-Q1" and dash["B5"].value == "=COUNTIF(crm_2027Q1_tier,A5)"
    assert (dash["A18"].value, dash["A19"].value) == ("2026-Q4", "2027-Q1")
    assert (
        dash["B18"].value == "=crm_2026Q4_sa_composite"
        and dash["B19"].value == "=crm_2027Q1_sa_composite"
    )

    # LibreOffice opens the result and computes the Dashboard's standard formulas on it
    out = recalculate(sample, tmp_path / "lo.xlsx")
    got = read_values(out, "仪表板", ["B2", "A5", "A19"])
    assert got == {"B2": "2027-Q1", "A5": "A", "A19": "2027-Q1"}
    assert read_values(out, "自评 2027-Q1", ["C11"]) == {"C11": "0/5"}


def test_refusals_leave_the_file_untouched(sample, tmp_path):
    before = sample.read_bytes()
    with pytest.raises(CrmError, match="period 2026-Q4 already exists"):
        add_period(sample, "2026-Q4")
    with pytest.raises(CrmError, match="comes before the workbook's latest period"):
        add_period(sample, "2026-Q3")
    lock = sample.with_name("~$" + sample.name)
    lock.write_bytes(b"")
    with pytest.raises(CrmError, match="Excel has this workbook open"):
        add_period(sample, "2027-Q1")
    lock.unlink()
    assert sample.read_bytes() == before
    plain = new_workbook(tmp_path / "plain.xlsx", "2026-Q4")
    wb = openpyxl.load_workbook(plain)
    del wb.defined_names["crm_lang"]
    wb.save(tmp_path / "foreign.xlsx")
    with pytest.raises(CrmError, match="not a crm_xl workbook"):
        add_period(tmp_path / "foreign.xlsx", "2027-Q1")


def test_a_failed_save_leaves_the_original(sample, monkeypatch):
    before = sample.read_bytes()

    def boom(self, path):
        raise OSError("disk full")

    monkeypatch.setattr(Package, "_write", boom)
    with pytest.raises(CrmError, match="cannot write here: disk full"):
        add_period(sample, "2027-Q1")
    assert sample.read_bytes() == before
    assert sorted(p.name for p in sample.parent.iterdir()) == [sample.name]


def test_department_forms(sample, capsys):
    depts = sample.with_name("depts.csv")
    depts.write_text(
        "部门,负责人\n销售一部,张三\n客服/售后,李四\n销售一部,重复\n", encoding="utf-8"
    )
    assert (
        main(["new-period", str(sample), "--period", "2027-Q1", "--departments", str(depts)]) == 0
    )
    forms = sorted(sample.parent.glob("crm_sample_zh_2027Q1_*.xlsx"))
    assert [f.name for f in forms] == [
        "crm_sample_zh_2027Q1_客服_售后.xlsx",
        "crm_sample_zh_2027Q1_销售一部.xlsx",
    ]
    ws = openpyxl.load_workbook(forms[1]).active
    assert ws.title == "自评 2027-Q1" and ws["B2"].value == "销售一部"
    assert ws["E5"].value == 20 and ws["F5"].value == '=IF(C5="","",(C5-1)/4*100)'
    assert "crm_" not in "".join(str(c.value) for row in ws.iter_rows() for c in row)  # standalone
    assert "wrote" in capsys.readouterr().out
    # a blank form's results are stored, as in every workbook crm_xl writes (a mail preview
    # or pandas shows "0/5" items scored), and nothing forces a recalculation on opening
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(forms[1])).get_sheet_by_name("自评 2027-Q1").to_python()
    assert [r[2] for r in rows[9:13]] == ["", "0/5", "", ""]
    assert b'fullCalcOnLoad="1"' not in zipfile.ZipFile(forms[1]).read("xl/workbook.xml")


@pytest.mark.parametrize(
    "listing, message",
    [
        (
            "name,owner\nSales,Ann\n",
            "needs a 'department' (部门) column; its columns are: name, owner",
        ),
        ("department\n\n", "no departments listed"),
    ],
)
def test_a_bad_department_list_leaves_the_workbook_as_it_was(sample, capsys, listing, message):
    """A refused --departments file is refused before the workbook changes: the file keeps
    its bytes and a second try, with a good list, adds the period (not "already exists")."""
    depts = sample.with_name("depts.csv")
    depts.write_text(listing, encoding="utf-8")
    before = sample.read_bytes()
    args = ["new-period", str(sample), "--period", "2027-Q1", "--departments", str(depts)]
    assert main(args) == 1
    assert capsys.readouterr().err == f"error: {depts}: {message}\n"
    assert sample.read_bytes() == before
    assert sorted(p.name for p in sample.parent.iterdir()) == sorted([sample.name, depts.name])
    depts.write_text("department\nSales\n", encoding="utf-8")
    assert main(args) == 0
    assert sample.with_name("crm_sample_zh_2027Q1_Sales.xlsx").is_file()


def test_an_existing_department_form_is_not_replaced_without_force(sample, capsys):
    depts = sample.with_name("depts.csv")
    depts.write_text("department\nSales\n", encoding="utf-8")
    form = sample.with_name("crm_sample_zh_2027Q1_Sales.xlsx")
    form.write_bytes(b"filled in by the sales team")
    before = sample.read_bytes()
    args = ["new-period", str(sample), "--period", "2027-Q1", "--departments", str(depts)]
    assert main(args) == 1
    assert "already exists: use --force to replace the department forms" in capsys.readouterr().err
    assert sample.read_bytes() == before and form.read_bytes() == b"filled in by the sales team"


def test_standalone_form_formulas_in_libreoffice(sample, tmp_path):
    depts = tmp_path / "d.csv"
    depts.write_text("department\nSales\n", encoding="utf-8")
    (form,) = add_period(sample, "2027-Q1", departments=depts).forms
    wb = openpyxl.load_workbook(form)
    ws = wb.active
    for r, answer in zip(range(5, 10), (5, 4, None, 2, 3), strict=True):
        ws[f"C{r}"] = answer
    wb.save(tmp_path / "filled.xlsx")
    got = read_values(
        recalculate(tmp_path / "filled.xlsx", tmp_path / "lo.xlsx"),
        ws.title,
        ["F5", "F7", "C10", "C13"],
    )
    # points (s − 1)/4 × 100: 100, 75, –, 25, 50; composite over the answered items, equal weights
    assert got["F5"] == 100.0 and got["F7"] == ""
    assert got["C10"] == pytest.approx((100 + 75 + 25 + 50) / 4)
    assert got["C13"] == "销售业绩" or got["C13"] == "技术支持" or got["C13"] == "客户反馈"


# -- on a workbook saved by real Excel --------------------------------------------------------
def _inline_strings(sheet_xml: bytes, shared: list[str]) -> bytes:
    """A worksheet made by openpyxl, moved into another workbook: shared strings inlined,
    style ids and conditional formats dropped (they point into the other file's styles)."""

    def inline(m: re.Match[bytes]) -> bytes:
        text = escape(shared[int(m.group(2))], quote=False).encode()
        return b'<c r="' + m.group(1) + b'" t="inlineStr"><is><t>' + text + b"</t></is></c>"

    xml = re.sub(rb'<c r="([A-Z]+\d+)"(?: s="\d+")? t="s"><v>(\d+)</v></c>', inline, sheet_xml)
    xml = re.sub(rb' s="\d+"', b"", xml)
    return re.sub(rb"<conditionalFormatting.*?</conditionalFormatting>", b"", xml, flags=re.S)


def _shared_strings(path: Path) -> list[str]:
    from defusedxml import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    data = parts(path).get("xl/sharedStrings.xml")
    if data is None:  # openpyxl wrote every text inline
        return []
    root = ElementTree.fromstring(data)
    return ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in root.iter(f"{ns}si")]


@pytest.mark.parametrize(
    "fixture", ["button07.xlsm", "45544.xlsx", "simple-monthly-budget.xlsx", "56644.xlsx"]
)
def test_new_period_inside_a_workbook_saved_by_excel(fixture, tmp_path):
    """Excel-made parts (VBA, buttons, charts, comments, x14 validation, calcChain) survive.

    The crm_xl period sheets and names are put into a copy of a workbook saved by Excel;
    new-period then runs on it, and every Excel-made part must come out byte-identical.
    """
    source = new_workbook(tmp_path / "src.xlsx", "2026-Q4", lang="en")
    shared = _shared_strings(source)
    src = Package.open(source)
    book = tmp_path / f"excel{Path(fixture).suffix}"
    shutil.copy(excel_made(fixture), book)
    pkg = Package.open(book)
    for title in ("Self-assessment 2026-Q4", "Ratings 2026-Q4"):
        pkg.add_sheet(title, _inline_strings(src.part(src.sheet(title).part), shared))
    for name, (text, local) in src.defined_names().items():
        if name.startswith("crm_2026Q4_") or name == "crm_lang":
            pkg.set_defined_name(name, text, local)
    pkg.save(book)
    before = parts(book)

    add_period(book, "2027-Q1")

    after = parts(book)
    untouched = [n for n in before if n not in PACKAGE_INDEX]
    assert [n for n in untouched if after.get(n) != before[n]] == []
    wb = openpyxl.load_workbook(book, keep_vba=book.suffix == ".xlsm")
    assert "Ratings 2027-Q1" in wb.sheetnames
    assert wb.defined_names["crm_2027Q1_tier"].attr_text == "'Ratings 2027-Q1'!$M$4:$M$203"
    out = recalculate(book, tmp_path / "lo.xlsx")  # LibreOffice opens it
    assert read_values(out, "Self-assessment 2027-Q1", ["A1"]) == {
        "A1": "Customer management self-assessment 2027-Q1"
    }


# -- the New period macro: the same steps through xlwings ------------------------------------
def _cells_of(ws) -> dict[str, object]:
    from openpyxl.worksheet.formula import ArrayFormula

    out = {}
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if isinstance(v, ArrayFormula):
                v = ("array", v.ref, v.text)
            elif isinstance(v, float):  # openpyxl (the double's save) prints 16 digits, not 17
                v = float(f"{v:.15g}")
            if v not in (None, ""):  # "": a blank result stored beside its formula
                out[c.coordinate] = v
    return out


@pytest.mark.parametrize("clicked", [False, True], ids=["formulas", "after-a-click"])
def test_new_period_macro_and_command_give_the_same_workbook(tmp_path, clicked):
    from crm_xl.workbook import macros
    from tests.helpers import xlwings_double

    headless, in_excel = tmp_path / "headless.xlsx", tmp_path / "excel.xlsx"
    shutil.copy(ROOT / "workbooks" / "crm_sample_en.xlsx", in_excel)
    if clicked:  # after Recalculate ratings the result columns hold values, not formulas
        book = xlwings_double.Book(in_excel)
        macros.recalculate_ratings(book)
        book.save(in_excel)
    shutil.copy(in_excel, headless)

    add_period(headless, "2027-Q1")
    book = xlwings_double.Book(in_excel)
    macros.new_period(book)  # no period given: the one after the latest
    assert book.app.alerts == [
        "2027-Q1: added the sheets Self-assessment 2027-Q1, Ratings 2027-Q1 "
        "(customer list and model carried over from 2026-Q4)."
    ]
    book.save(in_excel)

    a, b = openpyxl.load_workbook(headless), openpyxl.load_workbook(in_excel)
    assert a.sheetnames == b.sheetnames
    assert a.sheetnames[2:5] == [
        "Self-assessment 2026-Q4",
        "Ratings 2026-Q4",
        "Self-assessment 2027-Q1",
    ]
    for title in ("Self-assessment 2027-Q1", "Ratings 2027-Q1", "Dashboard"):
        assert _cells_of(a[title]) == _cells_of(b[title]), title
    names = lambda wb: {n: d.attr_text for n, d in wb.defined_names.items()}  # noqa: E731
    assert names(a) == names(b)

    # and what both did, checked against the previous period by hand
    old, new = b["Ratings 2026-Q4"], b["Ratings 2027-Q1"]
    assert new["A1"].value == "Customer ratings 2027-Q1"
    assert b["Self-assessment 2027-Q1"]["A1"].value == "Customer management self-assessment 2027-Q1"
    assert [new.cell(r, 1).value for r in range(4, 64)] == [
        old.cell(r, 1).value for r in range(4, 64)
    ]
    assert all(new.cell(r, c).value is None for r in range(4, 64) for c in range(5, 12))  # E:K
    score = new["L4"].value
    if clicked:  # the old period's numbers are not carried over as the new one's
        assert isinstance(old["L4"].value, float)
        assert all(new.cell(r, c).value is None for r in range(4, 64) for c in range(12, 23))
    else:
        assert score.startswith("=CRM_MULTISCORE(")
    assert b["Dashboard"]["B2"].value == "2027-Q1"
    assert b["Dashboard"]["B5"].value == "=COUNTIF(crm_2027Q1_tier,A5)"
    assert b["Dashboard"]["A19"].value == "2027-Q1"
    assert names(b)["crm_2027Q1_score"] == "'Ratings 2027-Q1'!$L$4:$L$203"
    assert names(b)["crm_periods"] == '"2026Q4,2027Q1"'


def test_new_period_macro_reports_instead_of_raising(tmp_path):
    from crm_xl.workbook import macros
    from tests.helpers import xlwings_double

    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.save(path)
    book = xlwings_double.Book(path)
    macros.new_period(book)
    assert book.app.alerts == [
        "not a crm_xl workbook (it has no crm_lang name): create one with crm-xl new"
    ]


def test_the_trend_keeps_every_period_beyond_its_first_rows(tmp_path):
    # a monthly team: 14 periods, more than the 12 rows the trend table starts with; the
    # table and its chart grow, nothing is dropped
    import re

    from crm_xl.workbook.layout import Period
    from crm_xl.xlsx import Package

    book = new_workbook(tmp_path / "m.xlsx", "2026-01", lang="en")
    period = Period.parse("2026-01")
    for _ in range(13):
        period = period.next()
        add_period(book, str(period))
    pkg = Package.open(book)
    names = {k.lower(): v for k, (v, _) in pkg.defined_names().items()}
    assert names["crm_trend"] == "'Dashboard'!$A$18:$D$31"  # 14 rows from row 18
    charts = b"".join(pkg.part(n) for n in pkg.part_names() if n.startswith("xl/charts/"))
    refs = set(re.findall(rb"<f>'Dashboard'!\$[A-D]\$18:\$[A-D]\$(\d+)</f>", charts))
    assert refs == {b"31"}
    trend = pkg.values("Dashboard")
    assert [trend[f"A{r}"][1] for r in (18, 29, 30, 31)] == [
        "2026-01",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    # the rows it grew into show their numbers as the first twelve do
    import openpyxl

    ws = openpyxl.load_workbook(book)["Dashboard"]
    assert [ws[f"{c}31"].number_format for c in "BCD"] == ["0.0", "0.0", "0.0%"]
