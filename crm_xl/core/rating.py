"""Rating a customer table with a scorecard: normalise, score, explain, tier, segment.

This is the one pipeline behind ``crm-xl score``, ``crm-xl demo`` and (later) the workbook's
Recalculate button. It reads only the columns the scorecard names and reports every bad
cell at its place before computing anything.

Example::

    >>> from crm_xl.files.resources import sample_path
    >>> from crm_xl.core.scorecard import load_scorecard
    >>> from crm_xl.files.tables import read_table
    >>> rating = rate(read_table(sample_path("customers.csv")), load_scorecard(sample_path("scorecard.toml")))
    >>> list(rating.frame.columns[:6])
    ['customer_id', 'name', 'region', 'score', 'indicators_used', 'tier']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crm_xl.core import normalize
from crm_xl.core.rating_text import coverage, no_data_note
from crm_xl.core.result import INVALID, NO_DATA, Undefined
from crm_xl.core.scorecard import Scorecard
from crm_xl.core.scoring import Score, multidimensional_score, weighted_score
from crm_xl.core.tiers import assign_tiers
from crm_xl.core.user_numbers import CellTable, numeric_column
from crm_xl.errors import CrmError, Problem

MAX_PROBLEMS_SHOWN = 50


@dataclass
class Rating:
    """The outcome of :func:`rate`.

    Attributes:
        frame: one row per customer: id columns, ``score``, ``indicators_used``
            ("N of M", in Chinese "N/M"), ``tier``, RFM columns, ``note`` (why a score is missing), then per
            indicator its 0–100 score (``score_<id>``) and its contribution in points
            (``points_<id>``).
        score: the :class:`~crm_xl.core.scoring.Score` behind the ``score`` column.
        warnings: sentences about the run as a whole.
    """

    frame: Any
    score: Score
    scorecard: Scorecard
    warnings: list[str] = field(default_factory=list)

    def tier_counts(self) -> dict[str, int]:
        """Customers per tier, best tier first (empty without a tier rule)."""
        rule = self.scorecard.tiers
        if rule is None:
            return {}
        counts = self.frame["tier"].value_counts()
        return {label: int(counts.get(label, 0)) for label in rule.labels}  # top tier first


def _text(values: Any, index: Any) -> Any:
    """A text column that keeps None for "no value" (pandas would infer NaN)."""
    import pandas as pd

    return pd.Series(
        [None if v is None or v is pd.NA else str(v) for v in values], index=index, dtype=object
    )


def _note(reason: Undefined | None, total: int, lang: str) -> str | None:
    """Why a customer has no score, in ``lang`` (the reasons a rating can give: no indicator
    value at all)."""
    if reason is None:
        return None
    if lang == "zh" and reason.code == NO_DATA and str(reason) == no_data_note(total):
        return no_data_note(total, lang)
    return str(reason)


def _problems_error(problems: list[Problem]) -> CrmError:
    if len(problems) > MAX_PROBLEMS_SHOWN:
        rest = len(problems) - MAX_PROBLEMS_SHOWN
        problems = [*problems[:MAX_PROBLEMS_SHOWN], Problem("", f"... and {rest} more problem(s)")]
    return CrmError(problems)


def rate(table: CellTable, card: Scorecard, *, lang: str = "en") -> Rating:
    """Score every customer of ``table`` with ``card``; RFM segment names and "6 of 7"
    (``indicators_used``; "6/7" in Chinese) in ``lang``.

    Raises :class:`CrmError` listing every missing column and every cell that is not a
    usable number (text in a number column, a form answer outside its scale), each with its
    place in the file. Blank cells are not errors: the indicator is left out of that
    customer's score and the rest re-weighted.
    """
    import pandas as pd

    needed_by = {}
    for n, ind in enumerate(card.indicators, 1):
        needed_by.setdefault(ind.column, f"indicators[{n}] ({ind.id})")
    table.require(card.columns, needed_by)

    problems: list[Problem] = []
    raw: dict[str, np.ndarray] = {}
    for col in dict.fromkeys(
        [i.column for i in card.indicators]
        + ([card.tiers.by] if card.tiers and card.tiers.by != "score" else [])
        + ([card.rfm.recency, card.rfm.frequency, card.rfm.monetary] if card.rfm else [])
    ):
        raw[col], bad = numeric_column(table, col)
        problems += bad

    normalised: list[np.ndarray] = []
    warnings = list(card.warnings)
    for ind in card.indicators:
        result = normalize.by_scale(
            raw[ind.column],
            ind.scale,
            direction=ind.direction,
            floor=ind.floor,
            target=ind.target,
            answers=ind.answers,
        )
        for i in np.flatnonzero(~np.equal(result.reasons, None)):
            why = result.reasons[i]
            if why.code == INVALID:
                problems.append(Problem(table.locate(int(i), ind.column), why.message))
        if (
            ind.scale == "minmax"
            and not result.defined.any()
            and (~np.isnan(raw[ind.column])).any()
        ):
            warnings.append(f"{ind.id}: every customer has the same value; left out of the scores")
        normalised.append(result.values)
    if problems:
        raise _problems_error(problems)

    matrix = np.column_stack(normalised) if normalised else np.empty((len(table.frame), 0))
    ids = [i.id for i in card.indicators]
    if card.dimensions:
        score = multidimensional_score(
            matrix,
            [i.weight for i in card.indicators],
            [i.dimension for i in card.indicators],
            {d.id: d.weight for d in card.dimensions},
            weight_sum=card.weight_sum,
            labels=ids,
        )
    else:
        score = weighted_score(
            matrix, [i.weight for i in card.indicators], weight_sum=card.weight_sum, labels=ids
        )
    # the card's weights were checked, and any rescaling said, when it was read
    # (card.warnings): the score's own warnings would say the same again

    out = pd.DataFrame(index=table.frame.index)
    for col in card.id_columns:
        out[col] = table.frame[col]
    out["score"] = score.values
    used = np.atleast_1d(score.used)
    out["indicators_used"] = np.array(
        [coverage(int(u), score.total, lang) for u in used], dtype=object
    )
    if card.tiers:
        rule = card.tiers
        basis = score.values if rule.by == "score" else raw[rule.by]
        tiers = assign_tiers(basis, rule.thresholds, rule.labels, at_threshold=rule.at_threshold)
        out["tier"] = _text(tiers.labels, out.index)
    if card.rfm:
        from crm_xl.core.rfm import rfm_segments

        seg = rfm_segments(
            raw[card.rfm.recency],
            raw[card.rfm.frequency],
            raw[card.rfm.monetary],
            scheme=card.rfm.scheme,
            lang=lang,
        )
        out["rfm"] = _text(seg["rfm"].to_numpy(), out.index)
        out["rfm_segment"] = _text(seg["segment"].to_numpy(), out.index)
    out["note"] = _text([_note(r, score.total, lang) for r in score.reasons], out.index)
    contributions = score.contributions
    for j, ind in enumerate(card.indicators):
        out[f"score_{ind.id}"] = matrix[:, j]
        out[f"points_{ind.id}"] = contributions[:, j]
    return Rating(out.reset_index(drop=True), score, card, warnings)
