"""What every sheet of the generated workbook shares: colours, cell styles, print set-up,
and writing cells, references and defined names with openpyxl.

Yellow cells are the user's to type in, blue-grey ones hold formulas; the same colours on
every sheet, so a user learns them once.

Example::

    >>> absolute_ref("评级 2026-Q4", "L4", "L203"), pick("en", "模型", "Model")
    ("'评级 2026-Q4'!$L$4:$L$203", 'Model')
"""

from __future__ import annotations

from copy import copy
from typing import Any

from crm_xl.xlsx.coordinates import absolute, quote_sheet

FILL_INPUT = "FFF9E5"  # light yellow: the user types here
FILL_COMPUTED = "EEF2F7"  # light blue-grey: formulas, do not type here
FILL_HEADER = "1F4E79"
FILL_GROUP = "D6E4F0"
TIER_FILLS = ("C6EFCE", "FFEB9C", "FFC7CE", "D9D9D9", "BDD7EE")  # A green, B amber, C red, …


def pick(lang: str, zh: str, en: str) -> str:
    """The Chinese or the English text, for a workbook in ``lang``."""
    return zh if lang == "zh" else en


def cell_styles() -> dict[str, Any]:
    """The openpyxl fonts, fills, borders and alignments the sheet writers use, by role."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="B7B7B7")
    return {
        "title": Font(size=14, bold=True, color=FILL_HEADER),
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor=FILL_HEADER),
        "group_fill": PatternFill("solid", fgColor=FILL_GROUP),
        "input_fill": PatternFill("solid", fgColor=FILL_INPUT),
        "computed_fill": PatternFill("solid", fgColor=FILL_COMPUTED),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "bold": Font(bold=True),
        "note": Font(italic=True, color="595959"),
    }


def print_ready(ws: Any, title_rows: str | None, landscape: bool = False) -> None:
    """A4, fit to the page's width, centred; ``title_rows`` (``"3:3"``) repeat on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def header_cell(cell: Any, text: str, st: dict[str, Any]) -> None:
    """A table's header cell: white bold text on dark blue, centred, bordered."""
    cell.value = text
    cell.font = st["header_font"]
    cell.fill = st["header_fill"]
    cell.alignment = st["center"]
    cell.border = st["border"]


def set_text(cell: Any, value: Any) -> None:
    """Write a user's value; text always stays text (a name starting with '=' is no formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def copy_style(source: Any, target: Any) -> None:
    """Give openpyxl cell ``target`` the style of ``source`` (font, fill, border, format…)
    in one step: the style record is copied, as openpyxl's own ``copy_worksheet`` does
    (openpyxl has no public way to)."""
    target._style = copy(source._style)  # noqa: SLF001, RUF100 (openpyxl's, not ours)


def absolute_ref(sheet: str, first: str, last: str | None = None) -> str:
    """A reference as defined names hold it: ``'Sheet'!$A$1`` or ``'Sheet'!$A$1:$B$2``."""
    return f"{quote_sheet(sheet)}!{absolute(f'{first}:{last}' if last else first)}"


def add_name(wb: Any, name: str, text: str) -> None:
    """A workbook-level defined name (openpyxl): ``text`` is a reference or a constant."""
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names[name] = DefinedName(name, attr_text=text)
