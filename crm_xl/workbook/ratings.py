"""Recalculate ratings: the workbook's latest period, computed with the core, any backend.

One recalculation, two ways to run it. The "Recalculate ratings" button runs it inside
Excel (:class:`~crm_xl.workbook.xlwings_backend.XlwingsBackend`, ``xw.Book.caller()``);
``crm-xl recalc`` runs it without Excel
(:class:`~crm_xl.workbook.package_backend.PackageBackend`, the OOXML package). Both read
the workbook's inputs through the same interface (:class:`~crm_xl.workbook.backend.Backend`:
blocks of cells by defined name), compute with the very ``CRM_*`` functions the formulas
call, and write each result column as one block. Only the backend differs, so the
numbers are the same.

What is read: the Model (validated first, :func:`crm_xl.workbook.model_reader.read_model_from`;
then ``crm_ind_*``, ``crm_dim_*``, ``crm_tier_*``, ``crm_form_weight``, ``crm_rfm_scheme``
as the formulas read them), ``crm_lang``, and the latest period's Ratings inputs and
self-assessment answers. What is written: the Ratings result columns (score, tier, RFM
segment, indicators used, each indicator's 0–100 score) and the form's points and
composite. Input cells are never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.workbook import layout
from crm_xl.workbook.backend import Backend, lower_names, read_named
from crm_xl.workbook.layout import Period, indicator_name, indicator_score_key, split_ref
from crm_xl.workbook.model_reader import read_model_from


@dataclass
class RatingsResult:
    """What a ratings recalculation wrote: each block (``"sheet!ref"`` → rows)."""

    period: Period
    blocks: dict[str, list[list[Any]]] = field(default_factory=dict)


def latest_period(names: dict[str, str]) -> Period:
    """The workbook's latest period, from its defined names."""
    periods = layout.periods_of(names)
    if not periods:
        raise CrmError(
            "no period in this workbook (no crm_<period>_ratings name): is it a crm_xl workbook?"
        )
    return periods[-1]


def recalculate_ratings(backend: Backend, card: Any = None) -> RatingsResult:
    """Recompute the latest period's ratings and self-assessment; write results in blocks.

    The results are computed by calling the very ``CRM_*`` functions, with the very
    arguments, that the template's formulas use (:mod:`crm_xl.excel.functions`), so a workbook
    recalculated by this macro and one whose formulas were evaluated show the same cells.
    The Model is validated first (``card``: already read by the caller); a broken edit
    raises :class:`CrmError` naming its cell.
    """
    from crm_xl.excel import functions as f

    names = lower_names(backend)
    # the formulas pass crm_lang to every call: so does the button, for the same texts
    lang = names.get(layout.LANG_NAME, '"zh"').strip('"= ')
    period = latest_period(names)
    card = card if card is not None else read_model_from(backend)  # validates the Model first
    result = RatingsResult(period)
    n = lambda what: layout.name(period, what).lower()  # noqa: E731

    def block(name: str) -> list[list[Any]]:
        return read_named(backend, names, name)

    def put(name: str, rows: Any) -> None:
        assert name in outputs, f"{name} is written but not among the outputs declared"
        sheet, ref = split_ref(names[name])
        rows = rows if isinstance(rows, list) else [[rows]]
        backend.write(sheet, ref, rows)
        result.blocks[f"{sheet}!{ref}"] = rows

    model = {
        key: [r[0] for r in block(indicator_name(key))]
        for key in ("id", "scale", "floor", "target", "direction")
    }
    by_id = {ind.id: ind for ind in card.indicators}
    # every block put() writes below (put checks it is here)
    outputs = [n(indicator_score_key(i)) for i in model["id"]]
    outputs += [n(x) for x in ("score", "tier", "rfm_segment", "indicators_used")]
    has_form = n(layout.SA_SCORES) in names
    if has_form:
        outputs += [n(layout.SA_POINTS), n(layout.SA_COMPOSITE)]
    if all(backend.computed_elsewhere(*split_ref(names[o])) for o in outputs):
        return result  # every result cell holds its formula, computed by the evaluator
    weights, dims = block(indicator_name("weight")), block(indicator_name("dimension"))
    dim_ids, dim_weights = block(layout.DIM_ID_NAME), block(layout.DIM_WEIGHT_NAME)
    indicator_scores = []
    for i, ind_id in enumerate(model["id"]):
        values = block(n(by_id[ind_id].column))
        scores = f.CRM_SCALE(
            values,
            model["scale"][i],
            model["floor"][i],
            model["target"][i],
            model["direction"][i],
            lang=lang,
        )
        put(n(indicator_score_key(ind_id)), scores)
        indicator_scores.append(scores if isinstance(scores, list) else [[scores]] * len(values))
    rows = [[col[r][0] for col in indicator_scores] for r in range(len(indicator_scores[0]))]
    score = f.CRM_MULTISCORE(rows, weights, dims, dim_ids, dim_weights, lang)
    put(n("score"), score)
    tiers = f.CRM_TIER(
        score,
        block(layout.TIER_THRESHOLDS_NAME),
        block(layout.TIER_LABELS_NAME),
        card.tiers.at_threshold,
        lang,
    )
    put(n("tier"), tiers)
    scheme = block(layout.RFM_SCHEME_NAME)[0][0]
    days, orders, spend = (
        block(n("days_since_purchase")),
        block(n("orders")),
        block(n("annual_spend")),
    )
    put(n("rfm_segment"), f.CRM_RFM(days, orders, spend, scheme, lang))
    put(n("indicators_used"), f.CRM_INDICATORS_USED(rows, weights, lang))

    if has_form:
        points = f.CRM_FORM_SCORE(block(n(layout.SA_SCORES)), 1, 5, lang)
        put(n(layout.SA_POINTS), points)
        composite = f.CRM_SCORE(points, block(layout.FORM_WEIGHT_NAME), False, lang)
        put(n(layout.SA_COMPOSITE), composite)
    return result


def fill_result_formulas(backend: Backend, card: Any) -> list[str]:
    """Write the ``CRM_*`` formulas into the result cells of customer rows that have none.

    A row inserted in Excel or LibreOffice among the customers (the block's defined names
    stretch over it) has its inputs but no result formulas; the result columns are crm_xl's,
    so each empty result cell of a row with an input gets its row's formulas
    (:func:`crm_xl.workbook.ratings_sheet.result_formulas`) and is then computed like the
    others. A result cell that holds anything (a formula, or a value the button wrote) is
    left as it is. Returns the cells filled, as ``sheet!cell``.
    """
    from crm_xl.workbook.ratings_sheet import result_formulas
    from crm_xl.xlsx import Formula
    from crm_xl.xlsx.coordinates import parse_range

    names = lower_names(backend)
    columns = layout.ratings_columns(list(card.indicators))
    inputs = [c.key for c in layout.RATINGS_INPUTS]
    results = [c.key for c in columns if c.kind != "input"]
    filled: list[str] = []
    for period in layout.periods_of(names):
        block = names.get(layout.name(period, layout.RATINGS_TABLE).lower())
        if block is None:
            continue
        sheet, ref = split_ref(block)
        box = parse_range(ref)
        if box is None:
            continue
        first, _, last, _ = box
        if any(layout.name(period, k).lower() not in names for k in (*inputs, *results)):
            continue  # not the layout this Model writes: leave the sheet alone
        grid = backend.read(sheet, ref)
        letters = {c.key: col for c, col in zip(columns, _letters(len(columns)), strict=True)}
        at = {k: j for j, k in enumerate(c.key for c in columns)}
        cells = [f"{letters[k]}{r}" for r in range(first, last + 1) for k in results]
        held = backend.formula_cells(sheet, cells)
        # a column of values (the button replaced its formulas) is the button's to fill:
        # its blank cells are results, not rows missing their formulas
        live = {k for k in results if any(c.rstrip("0123456789") == letters[k] for c in held)}
        todo: dict[str, Any] = {}
        for i, row in enumerate(grid):
            r = first + i
            if all(row[at[k]] in (None, "") for k in inputs):
                continue
            formulas = result_formulas(card.indicators, r, first, last, card.tiers.at_threshold)
            for k in results:
                cell = f"{letters[k]}{r}"
                if k in live and cell not in held and row[at[k]] in (None, ""):
                    todo[cell] = Formula(formulas[k])
        if todo:
            backend.set_cells(sheet, todo)
            filled += [f"{sheet}!{c}" for c in todo]
    return filled


def print_rows(backend: Backend) -> dict[str, int]:
    """Each period's Ratings sheet → the last row it should print
    (:func:`crm_xl.workbook.layout.ratings_print_last_row`: its last customer's row, so
    customers added in Excel or LibreOffice are printed and the empty rows prepared below
    them are not)."""
    from crm_xl.xlsx.coordinates import parse_range

    names = lower_names(backend)
    out: dict[str, int] = {}
    for period in layout.periods_of(names):
        ids = [names.get(layout.name(period, k).lower()) for k in layout.IDENTITY_KEYS]
        found = [split_ref(ref) for ref in ids if ref is not None]
        if not found:
            continue
        last = None
        for sheet, ref in found:
            box = parse_range(ref)
            if box is None:
                continue
            for i, row in enumerate(backend.read(sheet, ref)):
                if row and row[0] not in (None, ""):
                    last = max(last or 0, box[0] + i)
        out[found[0][0]] = layout.ratings_print_last_row(last)
    return out


def _letters(n: int) -> list[str]:
    from crm_xl.xlsx.coordinates import col_letters

    return [col_letters(j) for j in range(1, n + 1)]
