"""What people read of a rating, in Chinese and English: the headers of the computed columns,
"N of M" indicators used, and the summary lines of ``crm-xl score``.

The one place these texts live; ``crm-xl score`` and ``crm-xl demo`` (and :func:`rate` for
"7 of 7" / "7/7") take them from here. The columns' keys (``score``, ``tier``,
``points_<id>`` …) stay what programs read; a table for people gets :func:`column_headers`,
in which only the computed columns are renamed: the user's own input columns keep theirs.

Example::

    >>> coverage(6, 7, "en"), coverage(6, 7, "zh")
    ('6 of 7', '6/7')
    >>> customers(1), customers(60, "zh")
    ('1 customer', '60 位客户')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crm_xl.errors import counted

#: The computed columns' headers: key → (Chinese, English). English keeps the key itself.
COLUMNS = {
    "score": ("综合得分", "score"),
    "indicators_used": ("指标数", "indicators_used"),
    "tier": ("等级", "tier"),
    "rfm": ("RFM", "rfm"),
    "rfm_segment": ("RFM 分群", "rfm_segment"),
    "note": ("备注", "note"),
}

#: Per indicator: its 0-100 score and its points in the composite, headed by its label in
#: Chinese; in English the column keys ``score_<id>`` and ``points_<id>``.
INDICATOR_COLUMNS = {"score_": "{label} 得分", "points_": "{label} 分值"}

#: Decimals of the scores and points in a table for people (CSV: rounded; .xlsx: the number
#: format, the value kept to full precision).
DECIMALS = 2
NUMBER_FORMAT = "0." + "0" * DECIMALS

#: The sheet of an ``.xlsx`` output.
SHEET = ("评分结果", "scores")

SUMMARY = {
    "scored": ("已为 {n}评分(来自 {source}):{scored}有综合得分", "scored {n} from {source}: {scored} with a score"),
    "unscored": (",{unscored}没有(见“备注”列)", ", {unscored} without (see the 'note' column)"),
    "tiers": ("等级:", "tiers: "),
    "tier_sep": (",", ", "),
    "written": ("已写入 {output}", "written to {output}"),
}  # fmt: skip


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def coverage(used: int, total: int, lang: str = "en") -> str:
    """How many of the model's indicators a score used: ``"6 of 7"``, in Chinese ``"6/7"``.

    Example::

        >>> coverage(0, 3)
        '0 of 3'
    """
    return f"{used}/{total}" if lang == "zh" else f"{used} of {total}"


def no_data_note(total: int, lang: str = "en") -> str:
    """The ``note`` of a customer with no indicator value at all.

    Example::

        >>> no_data_note(7), no_data_note(7, "zh")
        ('no indicator values (0 of 7 indicators given)', '没有任何指标数值(0/7)')
    """
    if lang == "zh":
        return f"没有任何指标数值({coverage(0, total, lang)})"
    return f"no indicator values ({coverage(0, total, lang)} indicators given)"


def sheet_name(lang: str = "en") -> str:
    """The sheet of an ``.xlsx`` output: ``scores``, in Chinese ``评分结果``."""
    return _pick(SHEET, lang)


def customers(n: int, lang: str = "en") -> str:
    """``n`` customers counted in words: ``"1 customer"``, ``"2 customers"``, ``"2 位客户"``."""
    return f"{n} 位客户" if lang == "zh" else counted(n, "customer")


def column_headers(columns: Iterable[str], indicators: Any, lang: str = "en") -> dict[str, str]:
    """The header of each computed column of a rating's frame in ``lang``; the input columns
    (the scorecard's ``id_columns``) keep theirs. ``indicators``: the scorecard's, with
    ``id`` and ``label(lang)``. Two indicators with the same label are told apart by id.

    Example::

        >>> from crm_xl.core.scorecard import parse_scorecard
        >>> card = parse_scorecard({"scorecard": {"id_columns": ["客户"]}, "indicators": [
        ...     {"id": "spend", "label_zh": "年消费金额", "weight": 100, "scale": "score"}]})
        >>> cols = ["客户", "score", "tier", "score_spend", "points_spend"]
        >>> list(column_headers(cols, card.indicators, "zh").values())
        ['客户', '综合得分', '等级', '年消费金额 得分', '年消费金额 分值']
        >>> column_headers(cols, card.indicators)["points_spend"]
        'points_spend'
    """
    columns = list(columns)
    out = {c: c for c in columns}
    if lang != "zh":
        return out
    for key, pair in COLUMNS.items():
        if key in out:
            out[key] = pair[0]
    indicators = list(indicators)
    labels = [i.label("zh") for i in indicators]
    for ind, label in zip(indicators, labels, strict=True):
        if labels.count(label) > 1:
            label = f"{label} ({ind.id})"
        for prefix, template in INDICATOR_COLUMNS.items():
            if prefix + ind.id in out:
                out[prefix + ind.id] = template.format(label=label)
    taken = [h for c, h in out.items() if h == c]  # a user's column named 综合得分 wins
    for c, h in out.items():
        if h != c and h in taken:
            out[c] = c
    return out


def number_formats(columns: Iterable[str], indicators: Any) -> dict[str, str]:
    """The number format of each score and points column (by key): :data:`NUMBER_FORMAT`.

    Example::

        >>> from types import SimpleNamespace as Ind
        >>> number_formats(["id", "score", "score_a", "points_a"], [Ind(id="a")])
        {'score': '0.00', 'score_a': '0.00', 'points_a': '0.00'}
    """
    keys = {"score"} | {prefix + i.id for i in indicators for prefix in INDICATOR_COLUMNS}
    return {c: NUMBER_FORMAT for c in columns if c in keys}


def summary(
    n: int,
    scored: int,
    source: str,
    tier_counts: Mapping[str, int],
    output: str,
    lang: str = "en",
) -> list[str]:
    """The lines ``crm-xl score`` prints when it is done.

    Example::

        >>> summary(1, 1, "a.csv", {"A": 1, "B": 0}, "o.csv")
        ['scored 1 customer from a.csv: 1 with a score', 'tiers: A 1, B 0', 'written to o.csv']
        >>> summary(3, 2, "a.csv", {}, "o.csv", "zh")[0]
        '已为 3 位客户评分(来自 a.csv):2 位有综合得分,1 位没有(见“备注”列)'
    """
    zh = lang == "zh"
    line = _pick(SUMMARY["scored"], lang).format(
        n=customers(n, lang), source=source, scored=f"{scored} 位" if zh else scored
    )
    if scored < n:
        unscored = f"{n - scored} 位" if zh else n - scored
        line += _pick(SUMMARY["unscored"], lang).format(unscored=unscored)
    lines = [line]
    if tier_counts:
        sep = _pick(SUMMARY["tier_sep"], lang)
        lines.append(
            _pick(SUMMARY["tiers"], lang) + sep.join(f"{k} {v}" for k, v in tier_counts.items())
        )
    lines.append(_pick(SUMMARY["written"], lang).format(output=output))
    return lines
