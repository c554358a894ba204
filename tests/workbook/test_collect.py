"""crm-xl collect: the departments' filled-in forms back in the workbook, checked first."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.errors import CrmError
from crm_xl.workbook.build import new_workbook
from crm_xl.workbook.collect import collect_forms
from crm_xl.workbook.period import add_period
from crm_xl.xlsx import Package
from tests.helpers.libreoffice import read_values, recalculate

SHEET = "Department forms 2027-Q1"


@pytest.fixture
def sent(tmp_path):
    """A workbook with period 2027-Q1 and the blank forms it sent to Sales and Support."""
    book = new_workbook(tmp_path / "team.xlsx", "2026-Q4", lang="en")
    depts = tmp_path / "depts.csv"
    depts.write_text("department\nSales\nSupport\n", encoding="utf-8")
    forms = add_period(book, "2027-Q1", departments=depts).forms
    return book, {f.stem.rsplit("_", 1)[1]: f for f in forms}


def fill(form, answers, *, who="Ann", plan=(), edit=None):
    wb = openpyxl.load_workbook(form)
    ws = wb.active
    ws["D2"], ws["F2"] = who, dt.date(2027, 3, 31)
    for r, answer in zip(range(5, 10), answers, strict=True):
        ws[f"C{r}"] = answer
    for r, row in zip(range(18, 23), plan, strict=False):
        for col, value in zip("ABCD", row, strict=True):
            ws[f"{col}{r}"] = value
    for cell, value in (edit or {}).items():
        ws[cell] = value
    wb.save(form)
    return form


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_forms_come_back_as_rows_with_their_composites(sent, tmp_path):
    book, forms = sent
    sa_before = Package.open(book).part(Package.open(book).sheet("Self-assessment 2027-Q1").part)
    fill(
        forms["Sales"],
        [5, 4, None, 2, 3],
        plan=[("Slow replies", "A rota", "Bo", dt.date(2027, 6, 30))],
    )
    fill(forms["Support"], [3, 3, 3, 3, 3], who="Cy")
    done = collect_forms(book, "2027-Q1", [forms["Sales"], forms["Support"]])
    assert done.added == ["Sales", "Support"] and done.replaced == []
    # points (s − 1)/4 × 100 at equal weights over the answered items:
    # Sales (100 + 75 + 25 + 50) / 4 = 62.5; Support 50; the company the mean, 56.25
    assert done.company == pytest.approx(56.25)
    ws = openpyxl.load_workbook(book, data_only=True)[SHEET]
    assert [c.value for c in ws[5]][:9] == ["Sales", "Ann", "2027-03-31", 5, 4, None, 2, 3, 62.5]
    assert [c.value for c in ws[6]][:9] == ["Support", "Cy", "2027-03-31", 3, 3, 3, 3, 3, 50]
    # the company row: each item's mean answer over the departments that answered it
    assert [c.value for c in ws[7]][3:9] == [4, 3.5, 3, 2.5, 3, pytest.approx(56.25)]
    assert [c.value for c in ws[11]][:5] == ["Sales", "Slow replies", "A rota", "Bo", "2027-06-30"]
    # LibreOffice computes the same from the formulas the sheet holds
    out = recalculate(book, tmp_path / "lo.xlsx")
    got = read_values(out, SHEET, ["I5", "I6", "I7", "E7"])
    assert got["I5"] == pytest.approx(62.5) and got["I6"] == pytest.approx(50)
    assert got["I7"] == pytest.approx(56.25) and got["E7"] == pytest.approx(3.5)
    # the period's own form — the user's input cells — is untouched
    pkg = Package.open(book)
    assert pkg.part(pkg.sheet("Self-assessment 2027-Q1").part) == sa_before
    assert pkg.defined_names()["crm_2027Q1_departments"][0] == f"'{SHEET}'!$A$5:$I$6"


def test_a_newer_form_replaces_its_department_and_keeps_the_others(sent):
    book, forms = sent
    fill(forms["Sales"], [1, 1, 1, 1, 1], plan=[("p", "m", "o", None)])
    fill(forms["Support"], [5, 5, 5, 5, 5], plan=[("q", "n", "x", None)])
    collect_forms(book, "2027-Q1", [forms["Sales"], forms["Support"]])
    fill(forms["Sales"], [5, 5, 5, 5, 5], plan=[("p2", "m2", "o2", None)])
    done = collect_forms(book, "2027-Q1", [forms["Sales"]])
    assert done.replaced == ["Sales"] and done.company == 100
    ws = openpyxl.load_workbook(book, data_only=True)[SHEET]
    assert [ws[f"A{r}"].value for r in (5, 6, 7)] == [
        "Sales",
        "Support",
        "Company (mean of departments)",
    ]
    assert ws["I5"].value == 100 and ws["I6"].value == 100
    plans = {(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (11, 12)}
    assert plans == {("Sales", "p2"), ("Support", "q")}


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"C6": 7}, "Self-assessment 2027-Q1!C6: 7 is not an answer from 1 to 5"),
        ({"C6": "good"}, "Self-assessment 2027-Q1!C6: 'good' is not an answer from 1 to 5"),
        (
            {"A6": "Sales"},
            "Self-assessment 2027-Q1!A6: the form's layout was changed: this row is 'Sales performance', found 'Sales'",
        ),
        ({"B2": None}, "Self-assessment 2027-Q1!B2: no department named"),
    ],
)
def test_a_bad_form_is_refused_at_its_cell_and_nothing_changes(sent, edit, message):
    book, forms = sent
    fill(forms["Support"], [3, 3, 3, 3, 3])
    fill(forms["Sales"], [4, 4, 4, 4, 4], edit=edit)
    before = digest(book)
    with pytest.raises(CrmError) as err:
        collect_forms(book, "2027-Q1", [forms["Support"], forms["Sales"]])
    assert [str(p) for p in err.value.problems] == [f"{forms['Sales']}: {message}"]
    assert digest(book) == before


def test_a_form_of_another_period_is_refused(sent, tmp_path, capsys):
    book, forms = sent
    fill(forms["Sales"], [4, 4, 4, 4, 4])
    before = digest(book)
    assert main(["collect", str(book), "--period", "2026-Q4", str(forms["Sales"])]) == 1
    err = capsys.readouterr().err
    assert (
        f"error: {forms['Sales']}: not the form of 2026-Q4: it holds Self-assessment 2027-Q1" in err
    )
    assert main(["collect", str(book), "--period", "2028-Q1", str(forms["Sales"])]) == 1
    assert "the workbook has no period 2028-Q1" in capsys.readouterr().err
    assert digest(book) == before


def test_two_forms_of_one_department_are_refused(sent, tmp_path):
    book, forms = sent
    fill(forms["Sales"], [4, 4, 4, 4, 4])
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(forms["Sales"].read_bytes())
    with pytest.raises(CrmError) as err:
        collect_forms(book, "2027-Q1", [forms["Sales"], copy])
    assert str(err.value) == f"{copy}: a second form for Sales (the first: {forms['Sales']})"


def test_collect_command_says_what_it_did(sent, capsys):
    book, forms = sent
    fill(forms["Sales"], [5, 4, None, 2, 3])
    assert main(["collect", str(book), "--period", "2027-Q1", str(forms["Sales"])]) == 0
    out = capsys.readouterr().out
    assert f"{book}: added to '{SHEET}': Sales" in out
    assert "company composite for 2027-Q1 (mean of the departments): 62.5" in out
