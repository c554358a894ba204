"""The **Make report** action of a macro-enabled workbook (the companion module's ``report()``).

It runs inside Excel through xlwings, next to Recalculate ratings and New period, and
writes the workbook's HTML report beside the workbook file with the same code as
``crm-xl report`` (:func:`crm_xl.report.make.make_report`), which reads the **saved** file:
with unsaved changes it asks to save first rather than report numbers the screen no longer
shows. A message box says where the report is, or every problem with its cell.

It lives in the report layer, above :mod:`crm_xl.workbook` (whose ``macros`` module holds
the other buttons' actions and cannot import the report), and is re-exported by
:mod:`crm_xl.macros` for companion modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SAVE_FIRST = {
    "zh": "请先保存工作簿(Ctrl+S):报告根据已保存的文件生成。",
    "en": "Save the workbook first (Ctrl+S): the report is made from the saved file.",
}
WROTE = {"zh": "评估报告已生成:{path}", "en": "The evaluation report is written: {path}"}


def _unsaved(book: Any) -> bool:
    """True when Excel says the open workbook has unsaved changes (Windows: ``Saved``)."""
    try:
        return not bool(book.api.Saved)
    except Exception:  # not Windows' COM object (macOS, a test double): cannot tell
        return False


def _lang(book: Any) -> str:
    for name in book.names:
        if name.name.lower() == "crm_lang":
            return "en" if "en" in str(name.refers_to) else "zh"
    return "zh"


def make_report_in_excel(book: Any = None, out: str | Path | None = None) -> Path | None:
    """Write the report of the workbook open in Excel beside it (``<book>_report.html``;
    ``out`` to choose another file) and say so in a message box; returns the path, or None
    when there is nothing to report yet. ``book`` is an ``xlwings.Book`` (default: the
    caller)."""
    from crm_xl.errors import CrmError
    from crm_xl.report.make import make_report

    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    lang = _lang(book)
    if _unsaved(book):
        book.app.alert(SAVE_FIRST[lang], title="crm_xl")
        return None
    try:
        path = make_report(Path(book.fullname), out)
    except CrmError as err:
        book.app.alert("\n".join(str(p) for p in err.problems), title="crm_xl")
        return None
    book.app.alert(WROTE[lang].format(path=path), title="crm_xl")
    return path
