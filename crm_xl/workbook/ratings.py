"""Recalculate ratings: the workbook's latest period, computed with the core, two backends.

One recalculation, two ways to run it. The "Recalculate ratings" button runs it inside
Excel through xlwings (:class:`XlwingsBackend`, ``xw.Book.caller()``); ``crm-xl recalc``
runs it without Excel (:class:`PackageBackend`, the OOXML package). Both read the
workbook's inputs through the same small interface — blocks of cells by defined name —
compute with the core (:func:`crm_xl.core.rating.rate`, :func:`crm_xl.core.normalize.form_scale`),
and write each result column as one block. Only the backend differs, so the numbers are
the same.

What is read: the Model (``crm_ind_*``, ``crm_dim_*``, ``crm_tier_*``, ``crm_form_weight``,
``crm_rfm_scheme``, ``crm_lang``) and the latest period's Ratings inputs and self-assessment
answers. What is written: the Ratings result columns (score, tier, RFM segment, indicators
used, each indicator's 0–100 score) and the form's points and composite. Input cells are
never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from crm_xl.errors import CrmError
from crm_xl.workbook import layout
from crm_xl.workbook.layout import Period, split_ref


class Backend(Protocol):
    """The small interface a recalculation needs of a workbook."""

    def names(self) -> dict[str, str]:
        """Workbook-level defined names → their text (``'Sheet'!$A$1:$B$2`` or a constant)."""

    def read(self, sheet: str, ref: str) -> list[list[Any]]:
        """A block of cell values, a list of rows (empty cells as None)."""

    def write(self, sheet: str, ref: str, rows: list[list[Any]]) -> None:
        """Write a block of values (one call per block)."""

    def computed_elsewhere(self, sheet: str, ref: str) -> bool:
        """True when the block needs nothing from this recalculation: every cell holds a
        formula that something else computes (``crm-xl recalc``'s evaluator)."""


@dataclass
class RatingsResult:
    period: Period
    blocks: dict[str, list[list[Any]]] = field(default_factory=dict)  # "sheet!ref" → rows written
    warnings: list[str] = field(default_factory=list)


def latest_period(names: dict[str, str]) -> Period:
    periods = layout.periods_of(names)
    if not periods:
        raise CrmError(
            "no period in this workbook (no crm_<period>_ratings name): is it a crm_xl workbook?"
        )
    return periods[-1]


def read_card(backend: Backend, names: dict[str, str]) -> Any:
    """The Model as a validated scorecard; problems name their cells."""
    from crm_xl.core.scorecard import parse_scorecard
    from crm_xl.workbook.model_reader import read_model_rows

    sheet, _ = split_ref(names["crm_ind_weight"])
    # the whole Model sheet's used block, the way the sheet reader expects it
    rows = backend.read(sheet, "A1:J60")
    data, where = read_model_rows(rows, sheet)
    try:
        return parse_scorecard(data, source="")
    except CrmError as err:
        from crm_xl.workbook.model_reader import _relocate

        raise _relocate(err, where) from None


def recalculate_ratings(backend: Backend) -> RatingsResult:
    """Recompute the latest period's ratings and self-assessment; write results in blocks.

    The results are computed by calling the very ``CRM_*`` functions, with the very
    arguments, that the template's formulas use (:mod:`crm_xl.excel.functions`), so a workbook
    recalculated by this macro and one whose formulas were evaluated show the same cells.
    The Model is validated first; a broken edit raises :class:`CrmError` naming its cell.
    """
    from crm_xl.excel import functions as f

    names = {k.lower(): v for k, v in backend.names().items()}
    lang = names.get(layout.LANG_NAME, '"zh"').strip('"')
    period = latest_period(names)
    card = read_card(backend, names)  # validates the Model first
    result = RatingsResult(period)
    n = lambda what: layout.name(period, what).lower()  # noqa: E731

    def block(name: str) -> list[list[Any]]:
        sheet, ref = split_ref(names[name])
        return backend.read(sheet, ref)

    def put(name: str, rows: Any) -> None:
        assert name in outputs, f"{name} is written but not among the outputs declared"
        sheet, ref = split_ref(names[name])
        rows = rows if isinstance(rows, list) else [[rows]]
        backend.write(sheet, ref, rows)
        result.blocks[f"{sheet}!{ref}"] = rows

    model = {
        key: [r[0] for r in block(f"crm_ind_{key}")]
        for key in ("id", "scale", "floor", "target", "direction")
    }
    by_id = {ind.id: ind for ind in card.indicators}
    # every block put() writes below (put checks it is here)
    outputs = [n(f"score_{i}") for i in model["id"]]
    outputs += [n(x) for x in ("score", "tier", "rfm_segment", "indicators_used")]
    if n("sa_scores") in names:
        outputs += [n("sa_points"), n("sa_composite")]
    if all(backend.computed_elsewhere(*split_ref(names[o])) for o in outputs):
        return result  # every result cell holds its formula, computed by the evaluator
    weights, dims = block("crm_ind_weight"), block("crm_ind_dimension")
    dim_ids, dim_weights = block("crm_dim_id"), block("crm_dim_weight")
    indicator_scores = []
    for i, ind_id in enumerate(model["id"]):
        values = block(n(by_id[ind_id].column))
        scores = f.CRM_SCALE(
            values, model["scale"][i], model["floor"][i], model["target"][i], model["direction"][i]
        )
        put(n(f"score_{ind_id}"), scores)
        indicator_scores.append(scores if isinstance(scores, list) else [[scores]] * len(values))
    rows = [[col[r][0] for col in indicator_scores] for r in range(len(indicator_scores[0]))]
    score = f.CRM_MULTISCORE(rows, weights, dims, dim_ids, dim_weights)
    put(n("score"), score)
    put(n("tier"), f.CRM_TIER(score, block("crm_tier_thresholds"), block("crm_tier_labels")))
    scheme = block("crm_rfm_scheme")[0][0]
    days, orders, spend = (
        block(n("days_since_purchase")),
        block(n("orders")),
        block(n("annual_spend")),
    )
    put(n("rfm_segment"), f.CRM_RFM(days, orders, spend, scheme, lang))
    put(n("indicators_used"), f.CRM_INDICATORS_USED(rows, weights))

    if n("sa_scores") in names:
        points = f.CRM_FORM_SCORE(block(n("sa_scores")))
        put(n("sa_points"), points)
        put(n("sa_composite"), f.CRM_SCORE(points, block("crm_form_weight")))
    return result


# -- the backends ----------------------------------------------------------------------------
def workbook_names(pkg: Any) -> dict[str, str]:
    """A package's workbook-level defined names → their text (sheet-local ones left out)."""
    return {name: text for name, (text, local) in pkg.defined_names().items() if local is None}


def xlwings_workbook_names(book: Any) -> dict[str, str]:
    """The same through xlwings: ``book.names`` lists sheet-local names as ``'Sheet'!name``
    (Excel makes some when a sheet is copied); they are left out, as in the package."""
    out = {}
    for name in book.names:
        if "!" in name.name:
            continue
        refers = name.refers_to  # e.g. ='评级 2026-Q4'!$L$4:$L$203
        out[name.name] = refers[1:] if refers.startswith("=") else refers
    return out


class PackageBackend:
    """Without Excel: reads with python-calamine, writes through the OOXML package.

    A result cell that holds a formula gets the value as its cached value (the formula
    stays); one without a formula gets the value itself.
    """

    def __init__(
        self, path: Any, *, pkg: Any = None, formula_cells: str = "cache", check: bool = False
    ) -> None:
        """``formula_cells="skip"`` leaves formula cells to the evaluator (``crm-xl recalc``);
        ``check=True`` writes nothing and records the cells that would change."""
        from pathlib import Path

        from python_calamine import CalamineWorkbook

        from crm_xl.xlsx import Package

        self.path = Path(path)
        self.pkg = pkg if pkg is not None else Package.open(self.path)
        self._book = CalamineWorkbook.from_path(str(self.path))
        self._rows: dict[str, list[list[Any]]] = {}
        self._formulas: dict[str, set[str]] = {}
        self.formula_cells = formula_cells
        self.check = check
        self.changed = 0
        self.changes: list[tuple[str, str, Any, Any]] = []  # (sheet, cell, stored, computed)

    def names(self) -> dict[str, str]:
        return workbook_names(self.pkg)

    def read(self, sheet: str, ref: str) -> list[list[Any]]:
        from openpyxl.utils.cell import range_boundaries

        if sheet not in self._rows:
            self._rows[sheet] = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        rows = self._rows[sheet]
        c1, r1, c2, r2 = range_boundaries(ref)
        out = []
        for r in range(r1 - 1, r2):
            row = rows[r] if r < len(rows) else []
            out.append(
                [(row[c] if c < len(row) and row[c] != "" else None) for c in range(c1 - 1, c2)]
            )
        return out

    def write(self, sheet: str, ref: str, rows: list[list[Any]]) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.cell import range_boundaries

        c1, r1, _, _ = range_boundaries(ref)
        values = {
            f"{get_column_letter(c1 + j)}{r1 + i}": v
            for i, row in enumerate(rows)
            for j, v in enumerate(row)
        }
        formulas = self._formula_cells(sheet)
        cached = {cell: _typed_cache(v) for cell, v in values.items() if cell in formulas}
        current = self.read(sheet, ref)
        plain = {}
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                cell = f"{get_column_letter(c1 + j)}{r1 + i}"
                old = current[i][j]
                if cell not in formulas and not _same(old, v):
                    plain[cell] = v
                    self.changes.append((sheet, cell, old, v))
        if self.check:
            return
        if cached and self.formula_cells == "cache":
            self.changed += self.pkg.set_cached_values(sheet, cached)
        if plain:
            self.pkg.set_cells(sheet, {c: (None if v == "" else v) for c, v in plain.items()})
            self.changed += len(plain)

    def computed_elsewhere(self, sheet: str, ref: str) -> bool:
        """With ``formula_cells="skip"``: every cell of ``ref`` holds a formula (or is part
        of an array formula), which the evaluator computes."""
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.cell import range_boundaries

        if self.formula_cells != "skip":
            return False
        c1, r1, c2, r2 = range_boundaries(ref)
        found = self._formula_cells(sheet)
        return all(
            f"{get_column_letter(c)}{r}" in found
            for c in range(c1, c2 + 1)
            for r in range(r1, r2 + 1)
        )

    def _formula_cells(self, sheet: str) -> set[str]:
        """The sheet's formula cells, array ranges included, found once (writing values does
        not change them)."""
        found = self._formulas.get(sheet)
        if found is None:
            found = self._formulas[sheet] = self.pkg.formula_cells(sheet)
        return found

    def save(self, path: Any = None) -> None:
        self.pkg.save(path or self.path)


def _same(stored: Any, computed: Any) -> bool:
    """A stored cell already shows the computed value (numbers to 15 significant digits:
    writers print floats with 15 to 17 digits)."""
    from crm_xl.workbook.recalc import same, typed

    return same(
        typed(None if stored == "" else stored), typed(None if computed == "" else computed)
    )


def _typed_cache(value: Any) -> Any:
    from crm_xl.xlsx import ErrorValue

    return value if not (isinstance(value, str) and value in ("#N/A",)) else ErrorValue(value)


class XlwingsBackend:
    """Inside Excel: xlwings' public Book/Sheet/Range API, one read and one write per block."""

    def __init__(self, book: Any) -> None:
        self.book = book

    def names(self) -> dict[str, str]:
        return xlwings_workbook_names(self.book)

    def read(self, sheet: str, ref: str) -> list[list[Any]]:
        return self.book.sheets[sheet].range(ref).options(ndim=2, empty=None).value

    def computed_elsewhere(self, sheet: str, ref: str) -> bool:
        return False  # in Excel the button writes every result block as values

    def write(self, sheet: str, ref: str, rows: list[list[Any]]) -> None:
        rng = self.book.sheets[sheet].range(ref)
        if rng.has_array:  # a legacy array formula: Excel refuses to change part of it
            rng.clear_contents()
        rng.value = rows
