"""A rate typed as 97.7 % means 97.7 from every file format (issue: .xlsx gave 0.977 while
the same sheet saved as CSV gave 97.7). The .ods, .xls and .csv files are the same sheet
saved by LibreOffice, so each format's own way of storing a percentage is what is read."""

import openpyxl
import pytest

from crm_xl.core.user_numbers import numeric_column
from crm_xl.files.percent_cells import is_percent_format
from crm_xl.files.tables import read_table
from tests.helpers.libreoffice import recalculate


def _book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["customer_id", "renewal_rate", "annual_spend", "share"])
    rows = [("C1", 0.977, 120000, 0.5), ("C2", 0.05, 80000, 0.125), ("C3", None, 1000, 1)]
    for cid, rate, spend, share in rows:
        ws.append([cid, rate, spend, share])
    for r in range(2, 5):
        ws[f"B{r}"].number_format = "0.0%"  # typed as 97.7 %, 5.0 %
        ws[f"C{r}"].number_format = "#,##0"
        ws[f"D{r}"].number_format = "0.000"  # a fraction shown as a fraction stays one
    wb.save(path)
    return path


def _values(path):
    """The columns as score and new --customers read them (numbers the users' way)."""
    t = read_table(path)
    columns = []
    for name in ("renewal_rate", "annual_spend", "share"):
        numbers, problems = numeric_column(t, name)
        assert problems == []
        columns.append([None if v != v else float(v) for v in numbers])
    return [list(r) for r in zip(*columns, strict=True)]


EXPECTED = [[97.7, 120000, 0.5], [5.0, 80000, 0.125], [None, 1000, 1]]


def test_percent_cells_of_an_xlsx_are_percent_points(tmp_path):
    got = _values(_book(tmp_path / "rates.xlsx"))
    assert got == EXPECTED
    assert got[0][0] == 97.7  # exactly, not 97.69999999999999


@pytest.mark.parametrize("fmt", ["ods", "xls", "csv"])
def test_the_same_sheet_saved_by_libreoffice_reads_the_same(tmp_path, fmt):
    source = _book(tmp_path / "rates.xlsx")
    saved = recalculate(source, tmp_path / f"rates.{fmt}", fmt)
    got = _values(saved)
    assert got == EXPECTED  # CSV: LibreOffice writes "97.7%", "120,000"


def test_what_counts_as_a_percent_format():
    assert is_percent_format("0%") and is_percent_format("0.00%;[Red]-0.00%")
    assert not is_percent_format('0.0" %"') and not is_percent_format("0.0\\%")
    assert not is_percent_format("[$%-409]0.0") and not is_percent_format("General")
