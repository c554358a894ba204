"""Hostile customer tables: CSV injection in what crm_xl writes, ragged and oddly encoded
CSVs, pipes and devices given as tables, and a fuzzed CSV reader."""

import csv
import io
import os

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_xl.errors import CrmError
from crm_xl.files.tables import HEADER_SEARCH_ROWS, header_index, read_table, write_table
from crm_xl.files.text_encoding import decode_table_text, looks_chinese
from tests.helpers.libreoffice import recalculate

# -- what crm_xl writes --------------------------------------------------------------------

INJECTIONS = ["Acme Ltd\r=1+1", '=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(1)", "\r=4+4"]


def test_csv_output_holds_no_formula_for_libreoffice(tmp_path):
    """LibreOffice evaluates formulas when it opens a CSV and starts a new row at a lone CR
    (checked by hand: an unguarded 'Acme\\r=3+3' becomes two rows, the second a formula).
    Every hostile value and header must come back as one text cell in its own row."""
    frame = pd.DataFrame({"=cmd|'/c calc'!A0": INJECTIONS, "score": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = write_table(frame, tmp_path / "scores.csv")
    converted = recalculate(out, tmp_path / "scores.xlsx")
    ws = openpyxl.load_workbook(converted).active
    rows = list(ws.iter_rows(values_only=False))
    assert len(rows) == 1 + len(INJECTIONS)
    assert all(c.data_type != "f" for r in rows for c in r)
    # soffice --convert-to imports CSV as Latin-1 unless told otherwise: the BOM shows
    assert rows[0][0].value.endswith("'=cmd|'/c calc'!A0")
    assert [r[1].value for r in rows[1:]] == [1, 2, 3, 4, 5, 6]


def test_lone_carriage_return_is_quoted(tmp_path):
    out = write_table(pd.DataFrame({"name": ["Acme Ltd\r=1+1"]}), tmp_path / "s.csv")
    text = out.read_bytes().decode("utf-8-sig")
    assert text == 'name\r\n"Acme Ltd\r=1+1"\r\n'


# -- what crm_xl reads ---------------------------------------------------------------------


def test_every_row_longer_than_the_header_is_refused(write_csv):
    path = write_csv("id,spend\nEast,C1,100\nWest,C2,200\n")
    with pytest.raises(CrmError) as err:
        read_table(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: line 2: 3 fields, but the header has 2 columns: a value holds an "
        "unquoted ',' or a column has no header",
        f"{path}: line 3: 3 fields, but the header has 2 columns: a value holds an "
        "unquoted ',' or a column has no header",
    ]


def test_some_rows_ragged(write_csv):
    path = write_csv("id,spend\nC1,100\nC2,1,000\nC3\n")
    with pytest.raises(CrmError) as err:
        read_table(path)
    assert [p.where for p in err.value.problems] == [f"{path}: line 3"]


def test_short_rows_and_empty_trailing_fields_are_blank_cells(write_csv):
    t = read_table(write_csv("id,spend,orders\nC1,100\nC2,200,3,,\n"))
    assert t.frame.to_numpy().tolist() == [["C1", "100", None], ["C2", "200", "3"]]


def test_many_ragged_rows_are_listed_up_to_a_limit(write_csv):
    path = write_csv("id\n" + "a,b\n" * 100)
    with pytest.raises(CrmError) as err:
        read_table(path)
    assert len(err.value.problems) == 21
    assert err.value.problems[-1].message == "... and 80 more like these"


def test_line_numbers_count_lines_inside_quoted_values(write_csv):
    from crm_xl.core.user_numbers import numeric_column

    t = read_table(write_csv('id,note,spend\nC1,"two\nlines",1\nC2,x,abc\n'))
    _, problems = numeric_column(t, "spend")
    assert [str(p) for p in problems] == [
        f"{t.source}: line 4, column 'spend': 'abc' is not a number"
    ]


@pytest.mark.parametrize(
    "text",
    ["Müller,Genève,Zürich", "Désirée,créée,Ærø", "Straße,Café,€ 100", "Ölgesellschaft AG"],
)
def test_cp1252_is_not_read_as_gb18030(write_csv, text):
    names = text.split(",")
    t = read_table(write_csv("name\n" + "\n".join(names) + "\n", encoding="cp1252"))
    assert t.frame["name"].tolist() == names
    assert decode_table_text(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(
    "text", ["华东机械有限公司", "朱镕基", "是", "王小明,李四", "上海 ABC 公司,￥100"]
)
def test_gbk_text_stays_chinese(text):
    assert decode_table_text(text.encode("gbk")) == (text, "gb18030")


def test_utf16_with_bom_as_excel_unicode_text():
    assert decode_table_text("id\t名\n".encode("utf-16")) == ("id\t名\n", "utf-16")


def test_shape_counts():
    assert looks_chinese(b"plain ascii") is False


def test_a_folder_a_pipe_and_a_device_are_refused(tmp_path):
    folder = tmp_path / "t.csv"
    folder.mkdir()
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    for path, message in [
        (folder, "is a folder, not a file"),
        (fifo, "is not a regular file (a pipe or a device?): give crm_xl a file saved on disk"),
    ]:
        with pytest.raises(CrmError) as err:
            read_table(path)
        assert err.value.problems[0].message == message
    with pytest.raises(CrmError, match="not a regular file"):
        read_table("/dev/zero")


# -- fuzzing -------------------------------------------------------------------------------

# ';' and tab are left out: a header line holding them unquoted is read as separated by them
cells = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters=";\t"),
    max_size=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=6))
def test_fuzzed_csv_is_read_right_or_refused_clearly(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "t.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    try:
        table = read_table(path)
    except CrmError as err:
        assert err.problems and all(p.message for p in err.problems)
        return
    # the header is the first row, or the first of three cells or more below rows of at
    # most two (a title): read_table says which
    at = header_index(rows[:HEADER_SEARCH_ROWS])
    filled = lambda r: [c for c in r if c.strip()]  # noqa: E731
    assert at == 0 or (len(filled(rows[at])) >= 3 and all(len(filled(r)) <= 2 for r in rows[:at]))
    assert (table.header_row is None) == (at == 0)
    header = [h.strip() for h in rows[at]]
    assert list(table.frame.columns) == header
    expected = [
        [c if c != "" else None for c in r[: len(header)]] + [None] * (len(header) - len(r))
        for r in rows[at + 1 :]
        if any(r[: len(header)]) and not any(c.strip() for c in r[len(header) :])
    ]
    assert table.frame.to_numpy().tolist() == expected


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_fuzzed_csv_bytes_never_crash(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "t.csv"
    path.write_bytes(data)
    try:
        read_table(path)
    except CrmError as err:
        assert err.problems


def _patched_xlsx(path, replacements):
    """A workbook made by openpyxl, its first sheet's XML edited by hand."""
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "spend"])
    ws.append(["C1", 11111.5])
    ws.append(["C2", 22222.5])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    for old, new in replacements.items():
        assert old in sheet
        sheet = sheet.replace(old, new)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return path


def test_overflowing_and_absurd_numbers_in_xlsx_are_refused_at_their_cell(tmp_path):
    from crm_xl.core.user_numbers import numeric_column

    path = _patched_xlsx(
        tmp_path / "t.xlsx",
        {b"<v>11111.5</v>": b"<v>1e999</v>", b"<v>22222.5</v>": b"<v>1e300</v>"},
    )
    _, problems = numeric_column(read_table(path), "spend")
    assert [str(p) for p in problems] == [
        f"{path}: Sheet!B2: inf is not a number (the cell holds an overflowing value such as 1e999)",
        f"{path}: Sheet!B3: 1e+300 is outside the range crm_xl scores (-1e15 to 1e15)",
    ]


def test_absurd_numbers_in_csv_are_refused(write_csv):
    from crm_xl.core.user_numbers import numeric_column

    t = read_table(write_csv("id,spend\nC1,1e300\nC2,-2e15\nC3,1e15\n"))
    values, problems = numeric_column(t, "spend")
    assert [p.where.rsplit(": ", 1)[1] for p in problems] == [
        "line 2, column 'spend'",
        "line 3, column 'spend'",
    ]
    assert values[2] == 1e15
