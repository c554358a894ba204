"""The **Make report** action as an xlwings Lite script: the report made from the book in
Excel, written into it.

``crm-xl report`` and the desktop button read the **saved file**, which xlwings Lite cannot
reach (it runs in the browser; its Python sees only the values Excel sends). This script
reads the same inputs through Lite's Book instead — the defined names and the Model through
:class:`~crm_xl.workbook.xlwings_backend.XlwingsBackend`, the sheets' cells through
:class:`BookSheets` — into :func:`crm_xl.report.book.read_book_from`, so the report's own
reading, computation (:func:`crm_xl.report.context.context_of`) and figures are the ones
``crm-xl report`` runs; only where the cells come from differs. What it writes:

* a sheet **报告 <period>** / **Report <period>** (:mod:`crm_xl.report.sheet`) with every
  figure as a number, in the workbook's language, after the last sheet; made again by the
  next run (a sheet of that name that is not a report is the user's: the script stops);
* the HTML page of ``crm-xl report`` (charts included) in Lite's *Files* → *Import/Export*
  folder, ``/data`` (:data:`FOLDER`), where the task pane offers it for download.

A date cell reaches Lite as its serial number (Office.js sends no number format), so a
number in a plan's deadline cell is read as a date there. A message box says what was
written, or every problem with its cell (then nothing is written).

Example::

    >>> make_report.__name__, FOLDER.as_posix()
    ('make_report', '/data')
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings import script  # in xlwings Lite: the Office.js decorator

#: xlwings Lite's Import/Export folder: files written here are offered for download.
FOLDER = Path("/data")
WROTE = {
    "zh": "评估报告已写入工作表「{sheet}」。",
    "en": "The evaluation report is on the sheet '{sheet}'.",
}
DOWNLOAD = {
    "zh": "HTML 报告:xlwings Lite 菜单 → Files → Import/Export → {file}(下载)。",
    "en": "The HTML report: xlwings Lite's menu → Files → Import/Export → {file} (download).",
}
NO_HTML = {
    "zh": "HTML 报告未生成:缺少 Python 包 {module}(在 requirements.txt 中添加它)。",
    "en": "No HTML report: the Python package {module} is missing (add it to requirements.txt).",
}
NOT_OURS = {
    "zh": "工作表「{sheet}」已存在且不是 crm_xl 的报告:请先重命名它,报告不会覆盖它。",
    "en": "A sheet '{sheet}' exists and is not a crm_xl report: rename it first; "
    "the report does not overwrite it.",
}


def _cell(value: Any) -> Any:
    """A cell as Lite's Book gives it → as the file's reader gives it (whole numbers come
    as ``int``; the file gives ``float``)."""
    return float(value) if value.__class__ is int else value


class BookSheets:
    """The sheets of Lite's Book as rows of values from A1 (``""`` for an empty cell), the
    :class:`crm_xl.report.book.Sheets` the report reads; dates come as serials."""

    serial_dates = True

    def __init__(self, book: Any) -> None:
        self.book = book
        self.rows: dict[str, list[list[Any]]] = {}

    def names(self) -> list[str]:
        """Every sheet's title."""
        return [s.name for s in self.book.sheets]

    def at(self, sheet: str) -> list[list[Any]]:
        if sheet not in self.rows:
            ws = self.book.sheets[sheet]
            last = ws.used_range.last_cell
            grid = ws.range((1, 1), (last.row, last.column)).options(ndim=2, empty="").value
            self.rows[sheet] = [[_cell(v) for v in row] for row in grid]
        return self.rows[sheet]

    def cell(self, sheet: str, row: int, col: int) -> Any:
        rows = self.at(sheet)
        if row - 1 < len(rows) and col - 1 < len(rows[row - 1]):
            value = rows[row - 1][col - 1]
            return None if value == "" else value
        return None


def book_lang(book: Any) -> str:
    """The workbook's language from its ``crm_lang`` name (``zh`` unless ``en``)."""
    from crm_xl.workbook.xlwings_backend import xlwings_workbook_names

    names = {k.lower(): v for k, v in xlwings_workbook_names(book).items()}
    return "en" if names.get("crm_lang", "").strip('"') == "en" else "zh"


def report_context(book: Any, as_of: dt.date | None = None, charts: bool = False) -> dict:
    """The report's data (:func:`crm_xl.report.context.context_of`) of Lite's Book."""
    from crm_xl.report.book import read_book_from
    from crm_xl.report.context import context_of
    from crm_xl.workbook.xlwings_backend import XlwingsBackend

    read = read_book_from(XlwingsBackend(book), BookSheets(book), Path(book.name))
    return context_of(read, as_of=as_of, charts=charts)


def _text(value: Any) -> Any:
    """A cell to write: text behind an apostrophe, so Excel keeps it as typed (a customer
    named ``=HYPERLINK(…)`` stays text, ``2027-03`` no date)."""
    return "'" + value if isinstance(value, str) and value else value


def write_sheet(book: Any, ctx: dict[str, Any]) -> str | None:
    """Write the report sheet of ``ctx`` into ``book``; returns its name, or None (and says
    why in a message box) when a sheet of that name is not a report."""
    from crm_xl.report.sheet import is_report_sheet, layout, sheet_name

    name = sheet_name(ctx)
    sheets = BookSheets(book)
    if name in sheets.names():
        if not is_report_sheet(sheets.at(name), ctx):
            book.app.alert(NOT_OURS[ctx["lang"]].format(sheet=name), title="crm_xl")
            return None
        ws = book.sheets[name]
        ws.clear()
    else:
        ws = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    out = layout(ctx)
    width = out.width
    rows = [[_text(v) for v in row] + [None] * (width - len(row)) for row in out.rows]
    ws.range((1, 1), (len(rows), width)).value = rows
    for ref, fmt in out.formats.items():
        ws.range(ref).number_format = fmt
    for r in out.bold:
        ws.range((r, 1), (r, width)).font.bold = True
    ws.range("A:A").column_width = 40
    ws.range((1, 2), (1, width)).column_width = 14
    ws.activate()
    return name


def write_html(ctx: dict[str, Any], folder: Path) -> Path:
    """The HTML page ``crm-xl report`` writes, into ``folder`` (with the charts)."""
    from crm_xl.report.charts import trend_charts
    from crm_xl.report.make import default_output
    from crm_xl.report.render import render

    page = render({**ctx, "charts": trend_charts(ctx)}, "html")
    out = folder / default_output(ctx["workbook"], ctx["period"]).name
    out.write_text(page, encoding="utf-8")
    return out


def run_make_report(
    book: Any, as_of: dt.date | None = None, folder: Path | None = None
) -> str | None:
    """Make the report of ``book`` (Lite's Book) as of ``as_of`` (default today): the sheet,
    and the HTML page in ``folder`` (default :data:`FOLDER`, when it exists); a message box
    says what was written. Returns the sheet's name, or None when nothing was written."""
    from crm_xl.errors import CrmError

    folder = FOLDER if folder is None else folder
    try:
        ctx = report_context(book, as_of)
    except CrmError as err:
        book.app.alert("\n".join(str(p) for p in err.problems), title="crm_xl")
        return None
    name = write_sheet(book, ctx)
    if name is None:
        return None
    said = [WROTE[ctx["lang"]].format(sheet=name)]
    if folder.is_dir():
        try:  # the sheet needs neither jinja2 nor matplotlib; the page needs both
            said.append(DOWNLOAD[ctx["lang"]].format(file=write_html(ctx, folder).name))
        except ImportError as err:
            said.append(NO_HTML[ctx["lang"]].format(module=err.name or err))
    book.app.alert("\n".join(said), title="crm_xl")
    return name


@script(name="Make report")
def make_report(book: xw.Book) -> None:
    """Make report: the evaluation report of the latest period, on a sheet of its own."""
    run_make_report(book)


__all__ = ["make_report"]
