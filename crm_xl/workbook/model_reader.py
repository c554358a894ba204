"""Reading the workbook's Model sheet back into a validated scorecard.

Users edit the Model in Excel (weights, directions, floors, targets, thresholds). Reading it
goes through the same validation as a scorecard file, and every problem is reported at its
cell: ``模型!F7: must be a number, got 'forty'`` rather than a key path.

Example::

    >>> import tempfile, pathlib
    >>> from crm_xl.workbook.build import new_workbook
    >>> book = new_workbook(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", "2026-Q4", lang="en")
    >>> [d.id for d in read_model(book).dimensions]
    ['value', 'relationship', 'service']
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout

_KEY = re.compile(r"^(?P<table>indicators|dimensions)\[(?P<n>\d+)\](?:\.(?P<key>\w+))?")


def _cell(col: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def model_sheet_name(book: Any) -> str:
    """The Model sheet's title in this workbook (Chinese or English)."""
    for lang in layout.LANGS:
        title = layout.sheet_title("model", lang)
        if title in book.sheet_names:
            return title
    raise CrmError(
        f"no Model sheet ({' or '.join(layout.sheet_title('model', lang) for lang in layout.LANGS)}); "
        f"the sheets are: {', '.join(book.sheet_names)}"
    )


def read_model_rows(rows: list[list[Any]], sheet: str) -> tuple[dict, dict[str, str]]:
    """The scorecard dict from the Model sheet's cells, and key path → cell address."""

    def at(r: int, c: int) -> Any:  # 1-based
        return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None

    where: dict[str, str] = {}
    data: dict[str, Any] = {
        "scorecard": {"weight_sum": "strict"},
        "indicators": [],
        "dimensions": [],
    }
    r = layout.MODEL_IND_HEADER_ROW + 1
    first_ind = r
    while not _blank(at(r, 1)):
        n = r - first_ind + 1
        item = {}
        for j, col in enumerate(layout.MODEL_COLUMNS, 1):
            value = at(r, j)
            where[f"indicators[{n}].{col.key}"] = f"{sheet}!{_cell(j, r)}"
            if not _blank(value):
                item[col.key] = value.strip() if isinstance(value, str) else value
        where[f"indicators[{n}]"] = f"{sheet}!A{r}:{_cell(len(layout.MODEL_COLUMNS), r)}"
        data["indicators"].append(item)
        r += 1
    last_ind = r - 1
    where["indicators"] = f"{sheet}!F{first_ind}:F{last_ind}"
    r += layout.MODEL_DIM_GAP + 1  # the dimensions' header row, then their rows
    first_dim = r
    while not _blank(at(r, 1)):
        n = r - first_dim + 1
        item = {}
        for j, col in enumerate(layout.MODEL_DIM_COLUMNS, 1):
            value = at(r, j)
            where[f"dimensions[{n}].{col.key}"] = f"{sheet}!{_cell(j, r)}"
            if not _blank(value):
                item[col.key] = value.strip() if isinstance(value, str) else value
        where[f"dimensions[{n}]"] = f"{sheet}!A{r}:D{r}"
        data["dimensions"].append(item)
        r += 1
    where["dimensions"] = f"{sheet}!D{first_dim}:D{r - 1}"
    for d in data["dimensions"]:
        where[f"indicators in dimension '{d.get('id')}'"] = where["indicators"]
    tr = r + layout.MODEL_DIM_GAP  # tiers header row
    thresholds, labels, c = [], [], 2
    while not _blank(at(tr + 1, c)) or not _blank(at(tr + 2, c)):
        if not _blank(at(tr + 1, c)):
            thresholds.append(at(tr + 1, c))
        labels.append(at(tr + 2, c))
        c += 1
    data["tiers"] = {"by": "score", "thresholds": thresholds, "labels": labels}
    where["tiers.thresholds"] = f"{sheet}!B{tr + 1}:{_cell(max(c - 1, 2), tr + 1)}"
    where["tiers.labels"] = f"{sheet}!B{tr + 2}:{_cell(max(c - 1, 2), tr + 2)}"
    for k in range(len(thresholds)):
        where[f"tiers.thresholds[{k + 1}]"] = f"{sheet}!{_cell(k + 2, tr + 1)}"
    return data, where


_TOML_HINT = (
    'fix them, or set weight_sum = "normalize" under [scorecard] (CLI: --normalize-weights)'
)


def _relocate(err: CrmError, where: dict[str, str]) -> CrmError:
    problems = []
    for p in err.problems:
        message = p.message.replace(_TOML_HINT, "make them add up to 100")
        key = p.where.split(": ", 1)[-1]
        place = where.get(key)
        if place is None:
            m = _KEY.match(key)
            place = where.get(m.group(0)) if m else None
        problems.append(Problem(place or key, message))
    return CrmError(problems)


def read_model(path: str | Path) -> Any:
    """The workbook's Model sheet as a validated :class:`~crm_xl.core.scorecard.Scorecard`.

    Raises :class:`CrmError` with every problem at its cell.
    """
    from python_calamine import CalamineWorkbook

    from crm_xl.core.scorecard import parse_scorecard
    from crm_xl.files.archive import check_archive

    path = Path(path)
    check_archive(path)
    book = CalamineWorkbook.from_path(str(path))
    sheet = model_sheet_name(book)
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    data, where = read_model_rows(rows, sheet)
    thresholds = data["tiers"]["thresholds"]
    numbers = [t for t in thresholds if isinstance(t, (int, float)) and not isinstance(t, bool)]
    if len(numbers) == len(thresholds) and any(a <= b for a, b in itertools.pairwise(numbers)):
        # the sheet lists tiers from the top down; ascending thresholds would silently
        # reverse the labels' meaning, so they are refused here
        raise CrmError(
            "tier thresholds go from the top tier down and must decrease, e.g. 70, 50",
            where["tiers.thresholds"],
        ).prefixed(str(path))
    try:
        card = parse_scorecard(data, source="")
    except CrmError as err:
        raise _relocate(err, where).prefixed(str(path)) from None
    return card
