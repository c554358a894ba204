"""Customer tables in and out: CSV and Excel files, treated as untrusted input.

Reading keeps every cell as the user typed it and converts only the columns a scorecard
needs, so a problem is reported at its place: ``customers.csv: line 8, column
'annual_spend': 'abc' is not a number`` or ``customers.xlsx: Sheet1!E8: …``.

Numbers are read the way spreadsheet users write them: ``100,000``, ``¥100,000``, ``12%``
(read as 12, i.e. percent points, the unit crm_xl's rates use) and full-width digits. A
workbook cell typed as ``97.7%`` (stored 0.977 with a percent format) is read as 97.7 too,
from .xlsx, .xlsm, .xls and .ods alike (:mod:`crm_xl.files.percent_cells`), so a sheet
gives the same scores whichever way it was saved.

Writing is atomic (a temporary file, then a rename) and never turns text into a formula: in
``.xlsx`` output text stays text; in ``.csv`` output a text cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (OWASP's advice against
CSV injection), because spreadsheet programs execute such cells when the file is opened;
the header row is guarded the same way, and a value holding a line break of any kind
(``\r`` too) is quoted, so it cannot start a row of its own.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem, counted
from crm_xl.files.archive import check_archive, check_ods_content, check_sheet_extents
from crm_xl.files.atomic import atomic_path
from crm_xl.files.biff import OLE_MAGIC, PASSWORD_PROTECTED, check_xls
from crm_xl.files.input_file import check_regular_file, read_input_bytes
from crm_xl.files.percent_cells import percent_cells
from crm_xl.files.shown import (
    format_decimals,
    round_as_shown,
    shown_text,
    text_width,
    whole_numbers,
)
from crm_xl.files.text_encoding import decode_table_text

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
MAX_CSV_BYTES = 500 * 2**20
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """A table read from a file: raw cells as typed, and how to name a cell in messages."""

    frame: Any  # pandas DataFrame, object dtype, None for empty cells
    source: str
    sheet: str | None = None
    # where the header was found (1-based row or line) when rows above it were a title
    # or notes, and what those rows said; None when the header is the first row
    header_row: int | None = None
    title: str = ""

    def header_note(self, lang: str = "en") -> str | None:
        """A sentence saying where the header was found, or None when it is the first row.
        It does not name the file: the caller says which file it is about.

        Example::

            >>> Table(None, "c.csv", None, 3, "客户名单 2026").header_note()
            "the header is row 3; the row(s) above it were read as a title: '客户名单 2026'"
        """
        if self.header_row is None:
            return None
        if lang == "zh":
            return f"表头在第 {self.header_row} 行;其上的行视为标题:“{self.title}”"
        return (
            f"the header is row {self.header_row}; "
            f"the row(s) above it were read as a title: '{self.title}'"
        )

    def locate(self, row: int, column: str) -> str:
        """Where data row ``row`` (0-based position in ``frame``) of ``column`` is: the file,
        then :meth:`place` (``customers.csv: line 8, column 'annual_spend'``)."""
        return f"{self.source}: {self.place(row, column)}"

    def place(self, row: int, column: str) -> str:
        """Where data row ``row`` of ``column`` is within the file: ``line 8, column 'x'``
        (CSV) or ``Sheet1!E8`` (a workbook).

        Blank rows are dropped when reading, so ``frame``'s index keeps each row's offset
        below the header; that is what makes the line or cell number right.
        """
        offset = int(self.frame.index[row]) + 2  # the index counts from the row below line 1
        if self.sheet is None:
            return f"line {offset}, column '{column}'"
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(list(self.frame.columns).index(column) + 1)
        return f"{self.sheet}!{letter}{offset}"

    def require(self, columns: list[str], needed_by: dict[str, str]) -> None:
        """Raise :class:`CrmError` naming every missing column and what needs it."""
        import difflib

        present = [str(c) for c in self.frame.columns]
        known = set(present)
        problems = []
        for col in columns:
            if col not in known:
                # difflib over a million headers (a hostile one-line CSV) takes minutes
                near = present if len(present) <= MAX_HINTED else []
                hint = difflib.get_close_matches(col, near, n=1)
                hint_text = f" (did you mean '{hint[0]}'?)" if hint else ""
                problems.append(
                    Problem(
                        self.source,
                        f"no column '{col}', needed by {needed_by.get(col, 'the scorecard')}{hint_text}; "
                        f"the table's columns are: {_listed(present)}",
                    )
                )
        if problems:
            raise CrmError(problems)


#: Headers looked through for a "did you mean" hint, and listed in a message.
MAX_HINTED = 1000
MAX_NAMED = 30


def _listed(names: list[str]) -> str:
    """``a, b, c``; a long list cut after :data:`MAX_NAMED` names, saying how many more."""
    if len(names) <= MAX_NAMED:
        return ", ".join(names)
    return ", ".join(names[:MAX_NAMED]) + f" ... and {len(names) - MAX_NAMED:,} more"


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV or Excel table: first row = headers, every cell kept as typed.

    CSV files may be UTF-8 (with or without BOM) or GB18030/GBK, as Excel saves them on
    Chinese Windows; ``;`` and tab separators are recognised. For workbooks, ``sheet``
    picks the sheet (default: the first).

    Example::

        >>> from crm_xl.files.resources import sample_path
        >>> t = read_table(sample_path("customers.csv"))
        >>> t.frame.loc[0, "customer_id"], len(t.frame) >= 50
        ('C0001', True)
    """
    path = Path(path)
    check_regular_file(path, str(path))
    suffix = path.suffix.lower()
    kind = workbook_kind(path)
    if kind is not None:  # by content, as Excel opens a misnamed file (after a warning)
        return _read_excel(path, sheet, kind)
    if suffix in EXCEL_SUFFIXES:
        raise CrmError(_not_a_workbook(path), str(path))
    if suffix in (".csv", ".txt", ".tsv"):
        if sheet is not None:
            raise CrmError("--sheet is only for Excel files", str(path))
        return _read_csv(path)
    raise CrmError(
        f"unknown table type '{suffix}': use .csv or an Excel file ({', '.join(EXCEL_SUFFIXES)})",
        str(path),
    )


def workbook_kind(path: Path) -> str | None:
    """What the bytes of ``path`` say it is, whatever its name: ``.xlsx`` or ``.xlsm`` (an
    OOXML package), ``.xlsb``, ``.ods``, ``.xls`` (any OLE file: an .xls, or an encrypted
    .xlsx, which Excel wraps so), or None (not a workbook: text, or something else).

    Example::

        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "export.xls"
        >>> _ = path.write_text("id,name\\nC1,Acme\\n")
        >>> workbook_kind(path) is None
        True
    """
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as stream:
            head = stream.read(8)
    except OSError:
        return None  # the reader says why, in its words
    if head.startswith(OLE_MAGIC):
        return ".xls"
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = {n.lower() for n in archive.namelist()}
    except (zipfile.BadZipFile, OSError):
        return suffix if suffix in EXCEL_SUFFIXES else ".xlsx"  # damaged: its reader says so
    if "content.xml" in names or "mimetype" in names:
        return ".ods"
    if "xl/workbook.bin" in names:
        return ".xlsb"
    return suffix if suffix in (".xlsx", ".xlsm") else ".xlsx"


def _not_a_workbook(path: Path) -> str:
    with open(path, "rb") as stream:
        head = stream.read(2048)
    if not head:
        return "the file is empty"
    if any(tag in head.lower() for tag in (b"<html", b"<table", b"<!doctype html")):
        return (
            "is a web page (HTML) with an Excel file's name, as some web exports write: open "
            "it in Excel and save it as .xlsx, or export the table as CSV"
        )
    return (
        "is not an Excel workbook: its bytes are neither a zip package (.xlsx, .xlsm, .ods) "
        "nor an OLE file (.xls); if it is a text export, name it .csv"
    )


def _read_csv(path: Path) -> Table:
    import csv
    import io

    import pandas as pd

    raw = read_input_bytes(path, MAX_CSV_BYTES, str(path))
    text, _ = decode_table_text(raw, str(path))
    head = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    sep = max((",", ";", "\t"), key=lambda c: max(line.count(c) for line in head))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records = _csv_records(reader, path)
    if not records:
        raise CrmError("the file is empty", str(path))
    at = header_index([fields for _, fields in records[:HEADER_SEARCH_ROWS]])
    (header_line, header), body = records[at], records[at + 1 :]
    title = _title(fields for _, fields in records[:at])
    _check_headers([h.strip() for h in header], f"{path}: line {header_line}")
    rows, index, problems = [], [], []
    width = len(header)
    for line, fields in body:
        if len(fields) > width:
            if any(f.strip() for f in fields[width:]):
                problems.append(
                    Problem(
                        f"{path}: line {line}",
                        f"{len(fields)} fields, but the header has {counted(width, 'column')}: a value "
                        f"holds an unquoted '{sep}' or a column has no header",
                    )
                )
                continue
            fields = fields[:width]
        if not any(fields):
            continue  # a blank row
        rows.append([f if f != "" else None for f in fields] + [None] * (width - len(fields)))
        index.append(line - 2)
    if problems:
        raise CrmError(_first(problems))
    frame = pd.DataFrame(rows, columns=[h.strip() for h in header], index=index, dtype=object)
    return Table(frame, str(path), None, header_line if at else None, title)


#: At most this many problems of one kind are listed, then how many more there are.
MAX_LISTED = 20


def _first(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_LISTED:
        return problems
    more = len(problems) - MAX_LISTED
    return [*problems[:MAX_LISTED], Problem("", f"... and {more:,} more like these")]


def _csv_records(reader: Any, path: Path) -> list[tuple[int, list[str]]]:
    """Every record of ``reader`` with the line it starts on (a quoted value may span lines);
    CrmError naming the line a record that cannot be read starts on."""
    import csv

    records = []
    start = 1
    try:
        for fields in reader:
            records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as err:
        reason = str(err)
        if "field larger than field limit" in reason:
            reason = (
                f"a value is longer than {csv.field_size_limit():,} characters: a quote that "
                "is never closed, or not a table of customers"
            )
        raise CrmError(f"line {start}: not a readable CSV table: {reason}", str(path)) from None
    return records


def _drop_blank_rows(frame: Any) -> Any:
    """Drop rows with no value at all; the index keeps each row's place in the file."""
    return frame[frame.notna().any(axis=1)]


def _read_excel(path: Path, sheet: str | None, kind: str) -> Table:
    import pandas as pd
    from python_calamine import CalamineWorkbook, PasswordError

    check_archive(path)
    if kind in (".xlsx", ".xlsm"):
        check_sheet_extents(path)
    elif kind == ".ods":
        check_ods_content(path)
    elif kind == ".xls":
        check_xls(path)
    try:
        if path.suffix.lower() == kind:
            book = CalamineWorkbook.from_path(str(path))
        else:  # calamine picks the reader by the name; from a stream, by the content
            with open(path, "rb") as stream:
                book = CalamineWorkbook.from_filelike(stream)
    except PasswordError:
        raise CrmError(PASSWORD_PROTECTED, str(path)) from None
    except BaseException as err:  # calamine raises its own error types for broken files
        _reraise_unless_calamine(err)
        raise CrmError(f"not a readable workbook: {_calamine_reason(err)}", str(path)) from None
    names = book.sheet_names
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise CrmError(f"no sheet '{sheet}'; the sheets are: {', '.join(names)}", str(path))
    try:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except BaseException as err:  # calamine's errors on a damaged sheet (XmlError, ZipError, …)
        _reraise_unless_calamine(err)
        raise CrmError(
            f"sheet '{sheet}' cannot be read ({_calamine_reason(err)}): the file is damaged or "
            "written by a tool Excel does not read; open and save it in Excel, or export it as CSV",
            str(path),
        ) from None
    if not rows:
        raise CrmError(f"sheet '{sheet}' is empty", str(path))
    _percent_points(rows, percent_cells(path, sheet, kind))
    at = header_index(rows[:HEADER_SEARCH_ROWS])
    header = [str(h).strip() if h not in (None, "") else "" for h in rows[at]]
    while header and header[-1] == "":
        header.pop()
    body = [list(r[: len(header)]) + [None] * (len(header) - len(r)) for r in rows[at + 1 :]]
    # the index is each row's place below line 1, as for CSV, so locate() names its cell
    index = range(at, at + len(body))
    frame = pd.DataFrame(body, columns=header, index=index, dtype=object)
    frame = _drop_blank_rows(frame.where(frame != "", None))
    _check_headers(header, f"{path}: {sheet}!{at + 1}:{at + 1}")
    return Table(frame, str(path), sheet, at + 1 if at else None, _title(rows[:at]))


def _reraise_unless_calamine(err: BaseException) -> None:
    """Re-raise ``err`` unless it is calamine's: its errors, or a panic of its Rust code on a
    malformed file (pyo3's PanicException derives from BaseException, not Exception, so a
    plain ``except Exception`` let it end the run with a traceback)."""
    if not isinstance(err, Exception) and type(err).__name__ != "PanicException":
        raise err


def _calamine_reason(err: BaseException) -> str:
    """calamine's message in words a user can pass on (its I/O wrapper dropped)."""
    text = str(err).removeprefix("I/O error: ").strip()
    if "compression method not supported" in text:
        method = text.rsplit(":", 1)[-1].strip()
        return f"a part is compressed with method {method}, which Excel never writes"
    return text[:200] or type(err).__name__


def _percent_points(rows: list[list[Any]], cells: set[tuple[int, int]]) -> None:
    """A cell typed as ``97.7%`` (stored 0.977) becomes 97.7, as the CSV of the same sheet
    says: crm_xl's rates are percent points. Exact in decimal: 0.977 → 97.7, not
    97.69999999999999."""
    from decimal import Decimal

    for r, c in cells:
        if r < len(rows) and c < len(rows[r]):
            v = rows[r][c]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                rows[r][c] = float(Decimal(repr(v)) * 100)


#: The header is looked for in this many rows at the top (a title and notes above it).
HEADER_SEARCH_ROWS = 20


def header_index(rows: list[list[Any]]) -> int:
    """Which of the top ``rows`` is the header (0-based). Rows of at most two cells above it
    are a title or notes (``客户名单 2026``, ``单位:元``) or blank; the header is the first
    row after them with text in three cells or more, at least twice as many as any row
    above and most of the columns the rows use, none of them a number. The first row when no row is such a header below a title,
    so the usual messages about headers name it.

    Example::

        >>> header_index([["客户名单 2026", None, None], [None], ["ID", "名称", "金额"], ["C1", "甲", 5]])
        2
        >>> header_index([["ID", "amount"], ["C1", 5]])
        0
    """

    def filled(row: list[Any]) -> list[Any]:
        return [v for v in row if v is not None and str(v).strip() != ""]

    widest = max((len(filled(r)) for r in rows), default=0)
    above = 0  # the most cells of a row above
    for i, row in enumerate(rows):
        cells = filled(row)
        if len(cells) <= 2:
            above = max(above, len(cells))
            continue  # a title, a note or a blank row
        header_like = len(cells) >= max(2 * above, -(-widest * 6 // 10)) and all(
            isinstance(v, str) and not _looks_numeric(v) for v in cells
        )
        return i if header_like else 0
    return 0


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").strip().rstrip("%"))
    except ValueError:
        return False
    return True


def _title(rows: Any) -> str:
    """The text of the rows above the header, for the message that says they were skipped."""
    words = [str(v).strip() for row in rows for v in row if v is not None and str(v).strip()]
    text = " / ".join(words)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_headers(header: list[str], where: str) -> None:
    problems = []
    if any(h == "" for h in header):
        problems.append(
            Problem(where, "a column has no header: every column of the first row needs a name")
        )
    # counted once each: header.count() per column took hours on a line of 10^6 columns
    counts = Counter(header)
    dupes = sorted(h for h, n in counts.items() if n > 1 and h)
    if dupes:
        problems.append(Problem(where, f"duplicate column header(s): {_listed(dupes)}"))
    if problems:
        raise CrmError(problems)


def _guard_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_table(
    frame: Any,
    path: str | Path,
    *,
    sheet: str = "scores",
    number_formats: Mapping[str, str] | None = None,
) -> Path:
    """Write ``frame`` to ``.csv`` (UTF-8 with BOM, so Excel shows Chinese) or ``.xlsx``.

    ``number_formats`` gives columns an Excel number format such as ``"0.00"``: in
    ``.xlsx`` the cells keep every digit and show that many decimals; in ``.csv`` the
    numbers are written as the format shows them, rounded half away from zero (79.625 →
    ``79.63``, 70 → ``70.00``, as Excel shows them: :func:`~crm_xl.files.shown.round_as_shown`).
    Whole numbers read as floats (an ID typed ``10001`` in a workbook, which calamine reads
    as 10001.0) are written as whole numbers.
    In ``.xlsx`` each column is as wide as its text (Chinese characters count double),
    at most :data:`MAX_COLUMN_WIDTH`.

    Atomic: the file appears complete or not at all; an existing file is replaced only
    after the new one is fully written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CrmError(f"cannot write '{suffix}': use .csv or .xlsx", str(path))
    if not path.parent.exists():
        raise CrmError(f"folder {path.parent} does not exist", str(path))
    import pandas as pd

    formats = {c: f for c, f in (number_formats or {}).items() if c in frame.columns}
    frame = whole_numbers(frame, formats)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            guarded = frame.copy()
            for col in guarded.columns:
                if guarded[col].dtype == object or str(guarded[col].dtype).startswith(
                    ("str", "string")
                ):
                    # built as objects: map() would turn [10001, None] back into floats
                    texts = [_guard_text(v) for v in guarded[col].tolist()]
                    guarded[col] = pd.Series(texts, index=guarded.index, dtype=object)
            for col, fmt in formats.items():  # after the guard: "-3.50" is a number
                guarded[col] = round_as_shown(guarded[col], format_decimals(fmt))
            guarded.columns = [_guard_text(str(c)) for c in guarded.columns]
            # CRLF, as Excel writes CSV: the csv module then quotes every value holding a
            # \r or \n, so a lone \r inside a value cannot start a new row in Excel
            guarded.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            _write_xlsx(frame, str(tmp), sheet, formats)
    return path


#: The widest column of an ``.xlsx`` output, in Excel's width units (characters of "0").
MAX_COLUMN_WIDTH = 50
MIN_COLUMN_WIDTH = 8


def _looks_like_number(value: Any) -> bool:
    return isinstance(value, str) and _looks_numeric(value) and value.strip() != ""


def _write_xlsx(frame: Any, tmp: str, sheet: str, formats: Mapping[str, str]) -> None:
    import pandas as pd
    from xlsxwriter.utility import xl_col_to_name

    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
    with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))
        cell_formats = {f: writer.book.add_format({"num_format": f}) for f in set(formats.values())}
        as_text = []  # ranges of numbers kept as text
        for j, col in enumerate(frame.columns):
            fmt = formats.get(col)
            decimals = None if fmt is None else format_decimals(fmt)
            texts = [shown_text(v, decimals) for v in frame[col].head(1000)]
            width = max([text_width(str(col)) + 2] + [text_width(t) for t in texts]) + 1
            width = min(max(width, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH)
            ws.set_column(j, j, width, cell_formats.get(fmt))
            if len(frame) and any(_looks_like_number(v) for v in frame[col].head(1000)):
                letter = xl_col_to_name(j)
                as_text.append(f"{letter}2:{letter}{len(frame) + 1}")
        if as_text:
            # numbers as text, as the table gave them (an ID 00123 keeps its zeros): Excel
            # shows no "number stored as text" triangle on them
            ws.ignore_errors({"number_stored_as_text": " ".join(as_text)})
