"""A period's results computed from its inputs, as the workbook's ``CRM_*`` formulas do.

The same core functions the formulas call (through :mod:`crm_xl.excel.functions`) and
``crm-xl recalc`` evaluates — :func:`crm_xl.core.normalize.by_scale` per indicator,
:func:`crm_xl.core.scoring.multidimensional_score`, :func:`crm_xl.core.tiers.assign_tiers`,
:func:`crm_xl.core.rfm.rfm_segments`, the form's (s − 1) / 4 × 100 and
:func:`crm_xl.core.scoring.weighted_score` — here on whole columns at once, with the Model
as the validated scorecard. A test compares every result with what ``crm-xl recalc``
stores in the file.

A bad input cell is that customer's problem, never a crash and never a number: a customer
with a bad cell gets no score, tier or segment (as the workbook shows an error there), and
the problem, with its cell and reason, goes to the report's data problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crm_xl.core.inputs import as_numbers
from crm_xl.core.result import INVALID
from crm_xl.errors import CrmError, Problem
from crm_xl.report.book import NUMBER_COLUMNS, TEXT_COLUMNS, Book, PeriodInputs


@dataclass
class RatedPeriod:
    """A period's customers and form, computed.

    ``frame`` has one row per customer: the text columns, every number input (NaN where
    blank or bad), ``score``, ``tier``, ``rfm_segment`` (None where there is none),
    ``score_<id>`` (0–100) and ``points_<id>`` (the points the indicator adds to the score)
    for each indicator, ``rated`` (the customer has figures this period) and ``row``.
    """

    inputs: PeriodInputs
    frame: Any
    items: list[dict[str, Any]]  # per form item: key, label, answer, points, weight, share, remarks
    composite: float | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def period(self) -> Any:
        """The period."""
        return self.inputs.period


def _messages(result: Any, where: Any) -> list[Problem]:
    reasons = np.atleast_1d(result.reasons)
    return [
        Problem(where(int(i)), reasons[i].message)
        for i in np.flatnonzero(~np.equal(reasons, None))
        if reasons[i].code == INVALID
    ]


def rate_period(book: Book, inputs: PeriodInputs) -> RatedPeriod:
    """Compute one period's customers and form (see the module notes).

    Example::

        >>> import tempfile, pathlib
        >>> from crm_xl.workbook.build import new_workbook
        >>> from crm_xl.report.book import read_book
        >>> book = read_book(new_workbook(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", "2026-Q4"))
        >>> rated = rate_period(book, book.periods[0])
        >>> len(rated.frame), rated.composite
        (0, None)
    """
    import pandas as pd

    from crm_xl.core import normalize
    from crm_xl.core.rfm import rfm_segments
    from crm_xl.core.scoring import multidimensional_score
    from crm_xl.core.tiers import assign_tiers

    card, n = book.card, inputs.customers
    problems: list[Problem] = []
    frame = pd.DataFrame({"row": np.asarray(inputs.rows, dtype=np.int64)})
    for key in TEXT_COLUMNS:
        values = inputs.cells.get(key, [None] * n)
        frame[key] = pd.Series(
            [
                ""
                if v is None
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in values
            ],
            dtype=object,
        )
    bad = np.zeros(n, dtype=bool)
    for key in NUMBER_COLUMNS:
        values, reasons, _ = as_numbers(np.asarray(inputs.cells[key] or [], dtype=object), key)
        frame[key] = values if n else np.empty(0)
        if reasons is not None:
            where = lambda i, key=key: inputs.where(key, i)  # noqa: E731
            for i in np.flatnonzero(~np.equal(reasons, None)):
                problems.append(Problem(where(int(i)), reasons[i].message.split(": ", 1)[-1]))
                bad[i] = True

    scores = []
    for ind in card.indicators:
        raw = np.asarray(inputs.cells[ind.column] or [], dtype=object)
        result = normalize.by_scale(
            raw,
            ind.scale,
            direction=ind.direction,
            floor=ind.floor,
            target=ind.target,
            answers=ind.answers,
        )
        for p in _messages(result, lambda i, c=ind.column: inputs.where(c, i)):
            p = Problem(p.where, p.message.split(": ", 1)[-1])
            if p not in problems:
                problems.append(p)
        reasons = np.atleast_1d(result.reasons)
        bad |= np.array([r is not None and r.code == INVALID for r in reasons], dtype=bool)
        scores.append(np.atleast_1d(result.values) if n else np.empty(0))
    matrix = np.column_stack(scores) if n else np.empty((0, len(card.indicators)))
    rated = ~np.isnan(matrix).all(axis=1) | bad
    score = multidimensional_score(
        matrix,
        [i.weight for i in card.indicators],
        [i.dimension for i in card.indicators],
        {d.id: d.weight for d in card.dimensions},
        weight_sum=card.weight_sum,
        labels=[i.id for i in card.indicators],
    )
    values = np.atleast_1d(score.values).astype(float) if n else np.empty(0)
    values = np.where(bad, np.nan, values)
    frame["score"] = values
    frame["rated"] = rated
    frame["bad"] = bad
    rule = card.tiers
    tiers = assign_tiers(values, rule.thresholds, rule.labels, at_threshold=rule.at_threshold)
    labels = [t if isinstance(t, str) else None for t in np.atleast_1d(tiers.labels)] if n else []
    frame["tier"] = pd.Series(labels, dtype=object)
    seg = rfm_segments(
        np.asarray(inputs.cells["days_since_purchase"] or [], dtype=object),
        np.asarray(inputs.cells["orders"] or [], dtype=object),
        np.asarray(inputs.cells["annual_spend"] or [], dtype=object),
        scheme=book.scheme,
        lang=book.lang,
    )
    names = [v if isinstance(v, str) else None for v in seg["segment"].tolist()] if n else []
    frame["rfm_segment"] = pd.Series(names, dtype=object)
    contributions = np.atleast_2d(score.contributions) if n else matrix
    for j, ind in enumerate(card.indicators):
        frame[f"score_{ind.id}"] = matrix[:, j]
        frame[f"points_{ind.id}"] = np.where(bad, np.nan, contributions[:, j]) if n else []
    items, composite, form_problems = rate_form(inputs, book.lang)
    return RatedPeriod(inputs, frame, items, composite, problems + form_problems)


def rate_form(
    inputs: PeriodInputs, lang: str = "zh"
) -> tuple[list[dict[str, Any]], float | None, list[Problem]]:
    """The form's items (labels in ``lang``) with their 0–100 points and their share of the
    composite, the composite (None when no item is answered or an answer is not 1–5) and
    the problems."""
    from crm_xl.core.normalize import form_scale
    from crm_xl.core.scoring import weighted_score
    from crm_xl.workbook.layout import FORM_ITEMS

    if not inputs.items:
        return [], None, []
    answers = np.asarray([item.answer for item in inputs.items], dtype=object)
    result = form_scale(answers)
    points = np.atleast_1d(result.values)
    problems = _messages(result, lambda i: inputs.items[i].cell)
    problems = [Problem(p.where, p.message.split(": ", 1)[-1]) for p in problems]
    weights = [item.weight for item in inputs.items]
    composite, shares = None, np.full(len(points), np.nan)
    if not problems and not np.isnan(points).all():
        try:  # as =CRM_SCORE(points, weights): the weights must sum to 100 %
            score = weighted_score(points, weights)
        except CrmError as err:
            problems += [Problem(inputs.form_sheet or "", p.message) for p in err.problems]
        else:
            composite = float(score.value)
            shares = np.atleast_1d(score.contributions)
    numbers, _, _ = as_numbers(answers, "answer")
    items = [
        {
            "key": item.key,
            "label": next(
                (f.zh if lang == "zh" else f.en) for f in FORM_ITEMS if f.key == item.key
            ),
            "answer": None if np.isnan(numbers[i]) else float(numbers[i]),
            "points": None if np.isnan(points[i]) else float(points[i]),
            "weight": float(item.weight),
            "share": None if np.isnan(shares[i]) else float(shares[i]),
            "remarks": item.remarks,
            "cell": item.cell,
        }
        for i, item in enumerate(inputs.items)
    ]
    return items, composite, problems
