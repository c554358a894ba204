"""Reading the workbook's Model sheet back into a validated scorecard — the one reader.

Users edit the Model in Excel (weights, directions, floors, targets, thresholds). The
Recalculate ratings button, ``crm-xl recalc`` and ``crm-xl new-period`` all read it here,
from the cells a :class:`~crm_xl.workbook.backend.Backend` gives, where
:mod:`crm_xl.workbook.layout` puts them. Reading goes through the same validation as a
scorecard file (:func:`crm_xl.core.scorecard.parse_scorecard`), so an edit is accepted or
refused with the same message whichever way it is read, and every problem is reported at
its cell: ``模型!F7: must be a number, got 'forty'`` rather than a key path.

Example::

    >>> import tempfile, pathlib
    >>> from crm_xl.workbook.build import new_workbook
    >>> book = new_workbook(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", "2026-Q4", lang="en")
    >>> [d.id for d in read_model(book).dimensions]
    ['value', 'relationship', 'service']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout
from crm_xl.workbook.backend import Backend, lower_names, read_named
from crm_xl.workbook.layout import MODEL_COLUMNS, MODEL_DIM_COLUMNS, column_letter, split_ref
from crm_xl.workbook.package_backend import PackageBackend
from crm_xl.xlsx.coordinates import cell_name, parse_range, range_name

_KEY = re.compile(r"^(?P<table>indicators|dimensions)\[(?P<n>\d+)\](?:\.(?P<key>\w+))?")

#: The Model's defined names: together they enclose every table of the sheet.
_MODEL_NAMES = (
    *(layout.indicator_name(key) for key in layout.MODEL_NAMED_COLUMNS),
    layout.DIM_ID_NAME,
    layout.DIM_WEIGHT_NAME,
    layout.TIER_THRESHOLDS_NAME,
    layout.TIER_LABELS_NAME,
    layout.RFM_SCHEME_NAME,
    layout.FORM_WEIGHT_NAME,
    layout.WARN_RULES_NAME,
)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def model_block(names: dict[str, str]) -> tuple[str, str]:
    """The Model sheet and the block of it to read: from A1 to the bottom-right corner of
    its tables, found by their defined names (``names`` with lower-case keys).

    Example::

        >>> model_block({"crm_ind_weight": "'Model'!$F$5:$F$11", "crm_form_weight": "'Model'!$B$27:$B$31"})
        ('Model', 'A1:J31')
    """
    if layout.MODEL_NAME not in names:
        raise CrmError(
            f"no Model sheet: the workbook has no {layout.MODEL_NAME} name "
            "(is it a crm_xl workbook? crm-xl new makes one)"
        )
    sheet, _ = split_ref(names[layout.MODEL_NAME])
    last_row, last_col = 1, len(MODEL_COLUMNS)
    for name in _MODEL_NAMES:
        if name in names:
            where, ref = split_ref(names[name])
            box = parse_range(ref)
            if where == sheet and box is not None:
                last_row, last_col = max(last_row, box[2]), max(last_col, box[3])
    return sheet, f"A1:{cell_name(last_row, last_col)}"


def _read_table(
    at: Callable[[int, int], Any],
    row: int,
    columns: Sequence[layout.ModelColumn],
    table: str,
    sheet: str,
    where: dict[str, str],
) -> list[dict[str, Any]]:
    """The rows of one of the Model's tables from ``row`` down to the first blank first
    cell, as scorecard items; each item's and each value's cell go into ``where``."""
    items = []
    while not _blank(at(row, 1)):
        n = len(items) + 1
        item = {}
        for j, col in enumerate(columns, 1):
            value = at(row, j)
            where[f"{table}[{n}].{col.key}"] = f"{sheet}!{cell_name(row, j)}"
            if not _blank(value):
                item[col.key] = value.strip() if isinstance(value, str) else value
        where[f"{table}[{n}]"] = f"{sheet}!A{row}:{cell_name(row, len(columns))}"
        items.append(item)
        row += 1
    return items


def _named_first_row(names: dict[str, str], name: str, sheet: str) -> int | None:
    """The first row of the defined name ``name`` when it is on ``sheet``."""
    if name not in names:
        return None
    where, ref = split_ref(names[name])
    box = parse_range(ref)
    return box[0] if where == sheet and box is not None else None


def _shifted(rows_at: layout.ModelRows, by: int) -> layout.ModelRows:
    """The rows below the dimension table moved down (or up) ``by`` rows."""
    from dataclasses import replace

    if not by:
        return rows_at
    below = ("tier_header", "thresholds", "labels", "rfm", "form_header")
    return replace(rows_at, **{k: getattr(rows_at, k) + by for k in below})


def read_model_rows(
    rows: list[list[Any]], sheet: str, names: dict[str, str] | None = None
) -> tuple[dict, dict[str, str]]:
    """The scorecard dict from the Model sheet's cells (``rows`` from A1), and key path →
    cell address.

    The tier table is read through its defined names (``names``, lower-case keys) where the
    workbook has them: those cells are what the ``=CRM_TIER`` formulas and the button use,
    so a cleared cell inside them is a blank threshold or label, and a value typed beside
    them is reported, not taken. Without the names the row is read up to its first blank
    column."""

    def at(r: int, c: int) -> Any:  # 1-based
        return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None

    where: dict[str, str] = {}
    names = names or {}
    # each table starts where its defined name starts (Excel and LibreOffice move names
    # when rows are inserted or deleted above them), else where the layout puts it; it
    # ends at its first blank row, so a row added just below it is read, not lost
    ind_first = _named_first_row(names, layout.indicator_name("id"), sheet)
    ind_first = ind_first or layout.model_rows(0).ind_first
    indicators = _read_table(at, ind_first, MODEL_COLUMNS, "indicators", sheet, where)
    ind_last = ind_first + len(indicators) - 1
    weights = column_letter(MODEL_COLUMNS, "weight")
    where["indicators"] = f"{sheet}!{weights}{ind_first}:{weights}{ind_last}"
    shift = ind_last - layout.model_rows(len(indicators)).ind_last
    dim_first = _named_first_row(names, layout.DIM_ID_NAME, sheet)
    if dim_first is None or dim_first <= ind_last:
        dim_first = layout.model_rows(len(indicators)).dim_first + shift
    dimensions = _read_table(at, dim_first, MODEL_DIM_COLUMNS, "dimensions", sheet, where)
    dim_last = dim_first + len(dimensions) - 1
    rows_at = layout.model_rows(len(indicators), len(dimensions))
    rows_at = _shifted(rows_at, dim_last - rows_at.dim_last)
    weights = column_letter(MODEL_DIM_COLUMNS, "weight")
    where["dimensions"] = f"{sheet}!{weights}{dim_first}:{weights}{dim_last}"
    for d in dimensions:
        where[f"indicators in dimension '{d.get('id')}'"] = where["indicators"]

    tiers, outside = _tier_table(at, rows_at, sheet, names, where)
    data = {
        "scorecard": {"weight_sum": "strict"},
        "indicators": indicators,
        "dimensions": dimensions,
        "tiers": {"by": "score", **tiers},
    }
    rule = names.get(layout.TIER_AT_NAME.lower())
    if rule is not None:  # the rule the Ratings' tier formulas were written with
        data["tiers"]["at_threshold"] = str(rule).strip('"= ')
    if outside:
        data["tiers"]["outside"] = outside
    return data, where


def _tier_table(
    at: Callable[[int, int], Any],
    rows_at: layout.ModelRows,
    sheet: str,
    names: dict[str, str],
    where: dict[str, str],
) -> tuple[dict[str, list[Any]], list[Problem]]:
    """The tier thresholds and labels, each with its cell in ``where``, and a problem for
    each value typed beside the named cells (which no tier formula would see)."""
    found: dict[str, list[Any]] = {}
    outside: list[Problem] = []
    for key, name, row in (
        ("thresholds", layout.TIER_THRESHOLDS_NAME, rows_at.thresholds),
        ("labels", layout.TIER_LABELS_NAME, rows_at.labels),
    ):
        box = None
        if name in names:
            named_sheet, ref = split_ref(names[name])
            box = parse_range(ref) if named_sheet == sheet else None
        if box is None:  # no name: the row up to its first blank cell
            c = layout.MODEL_VALUE_COL
            while not _blank(at(row, c)):
                c += 1
            box = (row, layout.MODEL_VALUE_COL, row, max(c - 1, layout.MODEL_VALUE_COL))
        r, c1, _, c2 = box
        values = [at(r, c) for c in range(c1, c2 + 1)]
        if box[:3] == (row, layout.MODEL_VALUE_COL, row) and all(map(_blank, values)):
            values = []
        found[key] = [None if _blank(v) else v for v in values]
        where[f"tiers.{key}"] = f"{sheet}!{range_name(box)}"
        for k in range(c2 - c1 + 1):
            where[f"tiers.{key}[{k + 1}]"] = f"{sheet}!{cell_name(r, c1 + k)}"
        beside = c2 + 1
        if name in names and not _blank(at(r, beside)):
            outside.append(
                Problem(
                    f"{sheet}!{cell_name(r, beside)}",
                    f"a tier {key[:-1]} beside the tier table: the tier formulas read "
                    f"{range_name(box)} ({name}) only; clear it, or widen {layout.TIER_THRESHOLDS_NAME} "
                    f"and {layout.TIER_LABELS_NAME} together (Formulas > Name Manager)",
                )
            )
    return found, outside


def _relocate(err: CrmError, where: dict[str, str]) -> CrmError:
    """The scorecard's problems at the Model's cells (key paths → cells, a file's hint →
    the sheet's)."""
    from crm_xl.core.scorecard import WEIGHT_SUM_HINT

    problems = []
    for p in err.problems:
        message = p.message.replace(WEIGHT_SUM_HINT, "make them add up to 100")
        key = p.where.split(": ", 1)[-1]
        place = where.get(key)
        if place is None:
            m = _KEY.match(key)
            place = where.get(m.group(0)) if m else None
        problems.append(Problem(place or key, message))
    return CrmError(problems)


def read_model_from(backend: Backend) -> Any:
    """The workbook's Model as a validated :class:`~crm_xl.core.scorecard.Scorecard`.

    Raises :class:`CrmError` with every problem at its cell (``Model!F6``).
    """
    from crm_xl.core.scorecard import parse_scorecard

    names = lower_names(backend)
    sheet, block = model_block(names)
    data, where = read_model_rows(backend.read(sheet, block), sheet, names)
    outside = data["tiers"].pop("outside", [])
    try:
        card = parse_scorecard(data, source="")
    except CrmError as err:
        raise CrmError([*_relocate(err, where).problems, *outside]) from None
    problems = [*outside, *ratings_follow_model(names, [i.id for i in card.indicators], where)]
    if problems:
        raise CrmError(problems)
    return card


def ratings_follow_model(
    names: dict[str, str], model_ids: Sequence[str], where: dict[str, str]
) -> list[Problem]:
    """Problems where a period's Ratings columns no longer match the Model's indicators.

    Each Ratings sheet's score columns were laid out for the Model's indicators in their
    order, and its formulas take indicator *k*'s scale, floor, target and weight from the
    Model's *k*-th row: a row deleted, moved or inserted in the Model would score a column
    with another indicator's settings. So that is refused, at the Model's row or the
    Ratings column concerned, with what to do instead (weight 0 leaves an indicator out of
    the score; a new indicator needs a new workbook with ``crm-xl new --model``).

    Example::

        >>> names = {"crm_2026q4_ratings": "'R'!$A$4:$Q$9", "crm_2026q4_score_a": "'R'!$P$4:$P$9",
        ...          "crm_2026q4_score_b": "'R'!$Q$4:$Q$9"}
        >>> ratings_follow_model(names, ["a", "b"], {})
        []
        >>> [p.message[:40] for p in ratings_follow_model(names, ["b", "a"], {"indicators[1]": "Model!A5:J5"})][:1]
        ['indicator b is the Model’s row 1, but R ']
    """
    problems: list[Problem] = []
    wanted = [i.casefold() for i in model_ids]
    for period in layout.periods_of(names):
        prefix = layout.name(period, layout.indicator_score_key("")).lower()
        columns = []
        for key, ref in names.items():
            if key.startswith(prefix):
                sheet, cells = split_ref(ref)
                box = parse_range(cells)
                if box is not None:
                    columns.append((box[1], key[len(prefix) :], sheet, box[0]))
        if not columns:
            continue
        columns.sort()
        laid_out = [c[1] for c in columns]
        if laid_out == wanted:
            continue
        sheet = columns[0][2]
        order = ", ".join(laid_out)
        # rows only deleted or added keep the others' order: then only those are reported
        kept_in_order = [i for i in wanted if i in laid_out] == [i for i in laid_out if i in wanted]
        for n, ident in enumerate(wanted, 1):
            place = where.get(f"indicators[{n}]", f"{layout.MODEL_NAME} row {n}")
            if ident not in laid_out:
                problems.append(
                    Problem(
                        place,
                        f"indicator {model_ids[n - 1]} has no score column in {sheet}, whose "
                        f"columns are laid out for the indicators {order}: a new indicator "
                        "needs a workbook laid out for it (crm-xl new --model your.toml); "
                        "delete this row to go on",
                    )
                )
            elif kept_in_order is False and laid_out.index(ident) != n - 1:
                problems.append(
                    Problem(
                        place,
                        f"indicator {model_ids[n - 1]} is the Model’s row {n}, but {sheet} "
                        f"scores it in its column {laid_out.index(ident) + 1} (the indicators "
                        f"in order: {order}): keep the Model’s rows in that order",
                    )
                )
        for col, ident, sheet, first in columns:
            if ident not in wanted:
                problems.append(
                    Problem(
                        f"{sheet}!{cell_name(max(first - 1, 1), col)}",
                        f"this column scores the indicator {ident}, which the Model no longer "
                        "has (its row was deleted?): put the row back; to leave the indicator "
                        "out of the score, give it weight 0",
                    )
                )
        break  # one period's problems say it all: every period reads the same Model
    return problems


def read_model(path: str | Path) -> Any:
    """The Model of the workbook file at ``path`` (:func:`read_model_from`); problems
    name the file, then the cell."""
    backend = PackageBackend(path)
    try:
        return read_model_from(backend)
    except CrmError as err:
        raise err.prefixed(str(path)) from None


def read_form_weights(backend: Backend) -> list[float]:
    """The self-assessment items' weights from the Model (``crm_form_weight``); the
    default weights in a workbook without that name."""
    names = lower_names(backend)
    if layout.FORM_WEIGHT_NAME not in names:
        return [item.weight for item in layout.FORM_ITEMS]
    weights = [w for row in read_named(backend, names, layout.FORM_WEIGHT_NAME) for w in row]
    if not all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights):
        sheet, ref = split_ref(names[layout.FORM_WEIGHT_NAME])
        raise CrmError(f"the form's item weights must be numbers, got {weights}", f"{sheet}!{ref}")
    return [float(w) for w in weights]


def read_warning_rules(backend: Backend, default: Any = None) -> Any:
    """The early-warning rules of the Model's rules table (``crm_warn_rules``: each rule's
    value, then its key), as :class:`~crm_xl.core.alert_rules.WarningRules`; ``default``
    (or the built-in defaults) in a workbook without the table. A blank value keeps the
    rule's default. Raises :class:`CrmError` with every problem at its cell.
    """
    from crm_xl.core.alert_rules import DEFAULT_RULES, parse_rules

    names = lower_names(backend)
    if layout.WARN_RULES_NAME not in names:
        return default if default is not None else DEFAULT_RULES
    sheet, ref = split_ref(names[layout.WARN_RULES_NAME])
    box = parse_range(ref)
    rows = backend.read(sheet, ref)
    data, where = {}, {}
    for i, row in enumerate(rows):
        value, key = ([*row, None, None])[:2]
        if _blank(key):
            continue
        key = str(key).strip()
        where[key] = f"{sheet}!{cell_name(box[0] + i, box[1])}"
        if not _blank(value):
            data[key] = value
    return parse_rules(data, where)
