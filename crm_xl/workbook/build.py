"""A new self-assessment and rating workbook (``crm-xl new``), assembled with openpyxl.

The workbook has, in order, one sheet per writer:

* **Guide** (说明, :mod:`~crm_xl.workbook.guide_sheet`): what each sheet is for, how to fill
  it in, how to recalculate;
* **Model** (模型, :mod:`~crm_xl.workbook.model_sheet`): the scorecard — indicators, labels,
  weights, directions, floors and targets, dimensions, tier thresholds, the form's item
  weights — editable in Excel;
* **Self-assessment <period>** (自评, :mod:`~crm_xl.workbook.form_sheet`): the form, 1–5
  drop-downs, remarks, weights from the Model, the composite by ``=CRM_SCORE`` and the
  weakest item, an improvement plan and signatures;
* **Ratings <period>** (评级, :mod:`~crm_xl.workbook.ratings_sheet`): one row per customer,
  with the composite, tier, RFM segment and indicator scores as ``=CRM_*`` formulas, one per
  customer row, so rows sort, filter, insert and delete with their results;
* **Dashboard** (仪表板, :mod:`~crm_xl.workbook.dashboard_sheet`): native charts —
  customers per tier, the self-assessment radar, the trend by period;
* **xlwings.conf** (:mod:`~crm_xl.workbook.config_sheet`): ``UDF Modules = crm_xl.udfs``.

Every sheet is print-ready (A4, fit to width, repeated header rows, frozen panes). All
places are also workbook-level defined names (``crm_2026Q4_score``, ``crm_ind_weight``…) so
macros and the headless recalculation find them whatever the language or length; where
everything is: :mod:`crm_xl.workbook.layout`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout
from crm_xl.workbook.config_sheet import write_config
from crm_xl.workbook.customers import Customer, read_customers
from crm_xl.workbook.dashboard_sheet import write_dashboard
from crm_xl.workbook.form_sheet import add_self_assessment
from crm_xl.workbook.guide_sheet import write_guide
from crm_xl.workbook.layout import Period
from crm_xl.workbook.model_sheet import write_model
from crm_xl.workbook.ratings_sheet import add_ratings
from crm_xl.workbook.styles import add_name, cell_styles, pick

# read_customers is here too because callers build a workbook from a customer list
__all__ = [
    "build_workbook",
    "check_model_fits",
    "check_new_file",
    "default_scorecard",
    "new_workbook",
    "read_customers",
    "store_results",
]


#: ``calcPr/@calcId`` as Excel 365 (and 2019/2021) write it.
CALC_ENGINE_ID = 191029


def default_scorecard() -> Any:
    """The scorecard a new workbook's Model starts from (the sample ``scorecard.toml``)."""
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.files.resources import sample_path

    return load_scorecard(sample_path("scorecard.toml"))


def check_model_fits(card: Any) -> None:
    """The Ratings sheet has fixed input columns: the model's indicators must read them,
    and the workbook's formulas need dimensions and tiers by the composite score.

    Example::

        >>> check_model_fits(default_scorecard())  # the sample fits
    """
    known = {c.key for c in layout.RATINGS_INPUTS}
    problems = [
        Problem(
            f"indicators[{n}].column",
            f"'{ind.column}' is not a Ratings column ({', '.join(sorted(known))})",
        )
        for n, ind in enumerate(card.indicators, 1)
        if ind.column not in known
    ]
    if not card.dimensions:
        problems.append(
            Problem("dimensions", "the workbook's model needs dimensions (multi-dimensional model)")
        )
    if card.tiers is None or card.tiers.by != "score":
        problems.append(
            Problem("tiers", 'the workbook tiers customers by their composite score: by = "score"')
        )
    if problems:
        raise CrmError(problems)


def build_workbook(
    period: str | Period,
    *,
    lang: str = "zh",
    customers: Sequence[Customer] = (),
    answers: dict[str, tuple[float | None, str]] | None = None,
    timestamp: dt.datetime | None = None,
    card: Any = None,
) -> Any:
    """Build the workbook in memory (an openpyxl Workbook); see :func:`new_workbook`.
    ``card``: the scorecard its Model holds (default: :func:`default_scorecard`)."""
    from openpyxl import Workbook

    if lang not in layout.LANGS:
        raise CrmError(f"language must be zh or en, got '{lang}'", "--lang")
    period = period if isinstance(period, Period) else Period.parse(period)
    card = default_scorecard() if card is None else card
    check_model_fits(card)
    st = cell_styles()
    wb = Workbook()
    write_guide(wb, lang, st)
    write_model(wb, card, lang, st)
    add_self_assessment(wb, period, lang, st, answers=answers)
    add_ratings(wb, period, lang, st, card, customers)
    write_dashboard(wb, period, lang, st, card)
    write_config(wb)
    add_name(wb, layout.LANG_NAME, f'"{lang}"')
    add_name(wb, layout.PERIODS_NAME, f'"{period.key}"')
    when = timestamp or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "crm_xl"
    wb.properties.title = pick(lang, "客户管理自评与评级", "Customer self-assessment and ratings")
    wb.properties.created = wb.properties.modified = when
    # every formula's result is stored (store_results): nothing asks a reader to recompute
    # on opening, which turns every CRM_* cell into #NAME? where the add-in is missing; and
    # the calculation engine Excel 365 writes, as Excel recomputes in full a file last
    # calculated by an earlier one
    wb.calculation.fullCalcOnLoad = False
    wb.calculation.calcId = CALC_ENGINE_ID
    return wb


def check_new_file(path: Path, force: bool) -> None:
    """A file about to be created: its folder exists, and it does not (unless ``force``; even
    then not while Excel has it open)."""
    from crm_xl.files.lock import check_not_open_for_replacing

    if path.exists() and not force:
        raise CrmError("already exists: choose another name, or --force to replace it", str(path))
    check_not_open_for_replacing(path)
    if not path.parent.exists():
        raise CrmError(f"folder {path.parent} does not exist", str(path))


def new_workbook(
    path: str | Path,
    period: str | Period,
    *,
    lang: str = "zh",
    customers: Sequence[Customer] = (),
    answers: dict[str, tuple[float | None, str]] | None = None,
    force: bool = False,
    timestamp: dt.datetime | None = None,
    card: Any = None,
    results: bool = True,
) -> Path:
    """Write a new self-assessment and rating workbook to ``path`` (``.xlsx``), its Model
    the scorecard ``card`` (default: the built-in sample's), every formula's result stored
    (:func:`store_results`); with ``results=False`` none is, and the file asks Excel to
    compute them on opening.

    Refuses to overwrite an existing file unless ``force``. Written atomically.

    Example::

        >>> import tempfile, pathlib
        >>> out = new_workbook(pathlib.Path(tempfile.mkdtemp()) / "crm.xlsx", "2026-Q4", lang="en")
        >>> out.name
        'crm.xlsx'
    """
    from crm_xl.files.atomic import atomic_path

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise CrmError(
            "the workbook must end in .xlsx (use --macros for a macro-enabled .xlsm)", str(path)
        )
    check_new_file(path, force)
    wb = build_workbook(
        period, lang=lang, customers=customers, answers=answers, timestamp=timestamp, card=card
    )
    wb.calculation.fullCalcOnLoad = not results
    with atomic_path(path) as tmp:
        wb.save(tmp)
    if results:
        store_results(path)
    return path


def store_results(path: str | Path) -> None:
    """Compute a new workbook's formulas and store their results in the file (no Excel),
    so it shows its numbers in any reader, LibreOffice, pandas and Excel's protected view
    alike. A template that does not recalculate cleanly is a bug: it raises."""
    from crm_xl.workbook.recalc import recalc_book

    result = recalc_book(path, force=True)
    if result.problems or result.error:
        problems = "; ".join(map(str, result.problems)) or result.error
        raise CrmError(f"the new workbook does not recalculate: {problems}", str(path))
