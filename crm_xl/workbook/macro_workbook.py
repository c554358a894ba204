"""The macro-enabled workbook (``crm-xl new --macros``): the Recalculate ratings button.

Built the xlwings quickstart way, from what the *installed* xlwings ships, at generation
time (nothing of xlwings is committed to this repository):

* the VBA project is ``quickstart_standalone.xlsm``'s ``vbaProject.bin`` (xlwings' VBA module
  embedded, so no add-in is needed for the button, plus ``Module1.SampleCall``, which runs
  ``import <workbook name>; <workbook name>.main()`` through ``RunPython``);
* a **companion module** ``<workbook name>.py`` is written next to the workbook; its
  ``main()`` calls :func:`crm_xl.macros.recalculate_ratings`, its ``new_period()``
  :func:`crm_xl.macros.new_period` and its ``report()`` :func:`crm_xl.macros.make_report`
  (xlwings' VBA project has one macro, so the New period and Make report actions are
  reached with ``RunPython`` from buttons of the user's own, or from a terminal);
* the form button (a legacy VML button bound to ``SampleCall``) is drawn by XlsxWriter's own
  ``insert_button`` and placed on the Ratings sheet by openpyxl, which carries VBA and VML
  parts through its ``vba_archive``.

So the workbook's name must be a Python module name of ASCII letters (``crm_2026.xlsm``, not
``my book.xlsm`` or ``客户评级.xlsm``): :func:`module_name`.
"""

from __future__ import annotations

import io
import keyword
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.workbook import layout
from crm_xl.workbook.build import build_workbook, check_new_file, store_results
from crm_xl.workbook.layout import Period
from crm_xl.xlsx.coordinates import col_letters

VBA_SOURCE = "quickstart_standalone.xlsm"  # inside the installed xlwings package
BUTTON_MACRO = "SampleCall"
BUTTON_CAPTION = {"zh": "重新计算评级", "en": "Recalculate ratings"}
VML_PART = "xl/drawings/vmlDrawing1.vml"

COMPANION = '''"""Companion module of {book} (the xlwings quickstart convention).

The workbook's "{caption}" button runs xlwings' RunPython with
"import {module}; {module}.main()": keep this file next to the workbook.
new_period() adds the next period's blank sheets to the open workbook, report() writes
the evaluation report beside the workbook (save it first); bind them to buttons of your
own with RunPython "import {module}; {module}.new_period()" or "...; {module}.report()".
Written by crm-xl new --macros; crm_xl does the work.
"""

import crm_xl.macros


def main():
    crm_xl.macros.recalculate_ratings()


def new_period():
    crm_xl.macros.new_period()


def report():
    crm_xl.macros.make_report()


if __name__ == "__main__":
    # from a terminal while the workbook is open in Excel: same as clicking the button
    # (python {module}.py), the New period action (python {module}.py new-period) or
    # Make report (python {module}.py report)
    import sys

    import xlwings as xw

    xw.Book("{book}").set_mock_caller()
    {{"new-period": new_period, "report": report}}.get(" ".join(sys.argv[1:]), main)()
'''


def xlwings_vba_source() -> Path:
    """The installed xlwings' quickstart workbook that carries its VBA project."""
    import xlwings

    path = Path(xlwings.__file__).parent / VBA_SOURCE
    if not path.exists():
        raise CrmError(
            f"the installed xlwings {xlwings.__version__} has no {VBA_SOURCE}", "xlwings"
        )
    return path


def button_vml(caption: str, column_widths: Sequence[float], row_height: float, cell: str) -> bytes:
    """The VML drawing of one form button bound to ``SampleCall``, drawn by XlsxWriter.

    The helper sheet gets the Ratings sheet's column widths and first-row height, so the
    button's anchor (in cells) lands where it does in XlsxWriter's own layout.
    """
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for j, width in enumerate(column_widths):
        ws.set_column(j, j, width)
    ws.set_row(0, row_height)
    ws.insert_button(cell, {"macro": BUTTON_MACRO, "caption": caption, "width": 150, "height": 30})
    wb.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        return z.read(VML_PART)


def _vba_archive(vml: bytes) -> zipfile.ZipFile:
    """xlwings' quickstart package plus the button drawing, as openpyxl's ``vba_archive``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(xlwings_vba_source()) as src, zipfile.ZipFile(buffer, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr(VML_PART, vml)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


#: Top-level modules the companion must not hide: the button's process imports them (a
#: companion ``pandas.py`` first on ``sys.path`` would be imported instead of pandas).
NEEDED_MODULES = ("crm_xl", "xlwings", "numpy", "pandas", "openpyxl", "python_calamine")


def module_name(path: Path, period: Any = None) -> str:
    """The companion module's name: the workbook's name, which the button imports.

    xlwings' button macro runs ``import <workbook name>`` in a Python it starts, so the name
    must be a Python identifier of ASCII letters, digits and ``_``: Python 3 itself accepts
    Chinese identifiers, but xlwings does not hand a non-ASCII workbook name over to Python
    intact (on macOS its ``RunPython`` garbles it: xlwings issue #2004), so ``客户评级.xlsm``
    is refused with a name that works (the sheets may still be in Chinese). A name that would hide
    a module the button needs (``pandas.xlsm``, ``crm_xl.xlsm``) or a standard-library one
    is refused too.

    Example::

        >>> module_name(Path("crm_2026.xlsm"))
        'crm_2026'
        >>> module_name(Path("客户评级.xlsm"), "2026-Q4")
        Traceback (most recent call last):
        ...
        crm_xl.errors.CrmError: 客户评级.xlsm: the button runs 'import 客户评级' through xlwings, which does not pass a name with other than ASCII letters to Python intact: name the workbook with ASCII letters, digits and _ (not starting with a digit), e.g. crm_2026_Q4.xlsm
    """
    import sys

    stem = path.stem
    example = f"crm_{period}".replace("-", "_") if period else "crm_2026"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", stem) or keyword.iskeyword(stem):
        ascii_only = stem.isascii() or not stem.isidentifier()
        why = (
            "so the name must be a Python module name"
            if ascii_only
            else "through xlwings, which does not pass a name with other than ASCII letters "
            "to Python intact"
        )
        raise CrmError(
            f"the button runs 'import {stem}' {why}: name the workbook with ASCII letters, "
            f"digits and _ (not starting with a digit), e.g. {example}.xlsm",
            str(path),
        )
    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    if stem in NEEDED_MODULES or stem in stdlib or stem in sys.builtin_module_names:
        raise CrmError(
            f"the companion {stem}.py would hide the module {stem} from the button, "
            f"which needs it: choose another name, e.g. {example}.xlsm",
            str(path),
        )
    return stem


def new_macro_workbook(
    path: str | Path,
    period: str | Period,
    *,
    lang: str = "zh",
    customers: Sequence[Any] = (),
    answers: dict | None = None,
    force: bool = False,
    timestamp: Any = None,
    card: Any = None,
    results: bool = True,
) -> tuple[Path, Path]:
    """Write ``BOOK.xlsm`` with the Recalculate ratings button and its ``BOOK.py`` companion.

    Returns both paths. Refuses to overwrite either unless ``force``.
    """
    from crm_xl.files.atomic import atomic_path

    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise CrmError("a macro-enabled workbook ends in .xlsm", str(path))
    module = module_name(path, period)
    companion = path.with_suffix(".py")
    for p in (path, companion):
        check_new_file(p, force)
    period = period if isinstance(period, Period) else Period.parse(period)
    wb = build_workbook(
        period, lang=lang, customers=customers, answers=answers, timestamp=timestamp, card=card
    )

    # the VBA project's document modules are ThisWorkbook, Sheet1, Sheet2: code names match
    wb.code_name = "ThisWorkbook"
    for i, ws in enumerate(wb.worksheets, 1):
        ws.sheet_properties.codeName = f"Sheet{i}"
    ratings = wb[layout.ratings_sheet(period, lang)]
    ratings.row_dimensions[1].height = 30
    widths = [
        ratings.column_dimensions[col_letters(j)].width or 8.43
        for j in range(1, ratings.max_column + 1)
    ]
    button_cell = f"{col_letters(len(layout.RATINGS_INPUTS) + 1)}1"  # above the results
    vml = button_vml(BUTTON_CAPTION[lang], widths, 30, button_cell)
    wb.vba_archive = _vba_archive(vml)
    wb.calculation.fullCalcOnLoad = not results
    ratings.legacy_drawing = VML_PART
    with atomic_path(path) as tmp:
        wb.save(tmp)
    text = COMPANION.format(book=path.name, module=module, caption=BUTTON_CAPTION[lang])
    with atomic_path(companion) as tmp:
        tmp.write_text(text, encoding="utf-8")
    if results:  # as new_workbook's
        store_results(path)
    return path, companion
