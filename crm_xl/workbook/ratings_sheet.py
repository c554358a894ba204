"""The Ratings sheet (评级 <period>): one row per customer, the ``CRM_*`` results beside them.

The input columns (the customer list, purchases, interactions, satisfaction, campaigns)
are the user's; the composite, tier, RFM segment, indicators used and each indicator's
0–100 score are ``=CRM_*`` formulas, one per row (:func:`result_formulas`), with their
arguments taken from the Model's defined names. Tier colours follow the Model's
labels by conditional formatting. Columns, rows and names: :mod:`crm_xl.workbook.layout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crm_xl.workbook import layout
from crm_xl.workbook.customers import Customer
from crm_xl.workbook.layout import Period, indicator_name, indicator_score_key
from crm_xl.workbook.styles import (
    TIER_FILLS,
    absolute_ref,
    add_name,
    copy_style,
    header_cell,
    pick,
    print_ready,
    set_text,
)
from crm_xl.xlsx.coordinates import col_letters


def add_ratings(
    wb: Any,
    period: Period,
    lang: str,
    st: dict[str, Any],
    card: Any,
    customers: Sequence[Customer] = (),
    index: int | None = None,
) -> Any:
    """Add the period's Ratings sheet with the customers and the CRM_* columns; returns
    the openpyxl worksheet."""
    from openpyxl.formatting.rule import DataBarRule, FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(layout.ratings_sheet(period, lang), index)
    ws[layout.TITLE_CELL] = layout.ratings_title(period, lang)
    ws[layout.TITLE_CELL].font = st["title"]
    note = layout.RATINGS_NOTE_CELL
    ws[note] = pick(
        lang,
        "黄色单元格填写客户数据;蓝灰色列由 CRM_* 公式计算,请勿手工填写。空白 = 缺失,不按 0 计。",
        "Type customer data in the yellow cells; blue-grey columns are CRM_* formulas. Blank means missing, not 0.",
    )
    ws[note].font = st["note"]

    indicators = list(card.indicators)
    columns = layout.ratings_columns(indicators)
    letter = {c.key: col_letters(j) for j, c in enumerate(columns, 1)}
    first = layout.RATINGS_FIRST_ROW
    n_rows = layout.ratings_rows(len(customers))
    last = first + n_rows - 1

    # header groups and headers
    runs: list[tuple[str, int, int]] = []  # (group, first column, last column), contiguous
    for j, c in enumerate(columns, 1):
        if runs and runs[-1][0] == c.group:
            runs[-1] = (c.group, runs[-1][1], j)
        else:
            runs.append((c.group, j, j))
        header_cell(ws.cell(layout.RATINGS_HEADER_ROW, j), pick(lang, c.zh, c.en), st)
        ws.column_dimensions[col_letters(j)].width = c.width
    for g, start, end in runs:
        cell = ws.cell(
            layout.RATINGS_GROUP_ROW,
            start,
            pick(lang, layout.GROUPS[g]["zh"], layout.GROUPS[g]["en"]),
        )
        cell.fill, cell.font, cell.alignment = st["group_fill"], st["bold"], st["center"]
        if end > start:
            ws.merge_cells(
                start_row=layout.RATINGS_GROUP_ROW,
                start_column=start,
                end_row=layout.RATINGS_GROUP_ROW,
                end_column=end,
            )
    ws.row_dimensions[layout.RATINGS_HEADER_ROW].height = 32

    # customer rows
    column_of = {c.key: j for j, c in enumerate(columns, 1)}
    for i, customer in enumerate(customers):
        for c in layout.RATINGS_INPUTS:
            value = customer.values.get(c.key)
            if value is not None:
                set_text(ws.cell(first + i, column_of[c.key]), value)
    for j, c in enumerate(columns, 1):
        top = ws.cell(first, j)
        top.fill = st["input_fill"] if c.kind == "input" else st["computed_fill"]
        top.number_format = c.number_format
        # the rest of the column copies the top cell's style: setting fill and format cell
        # by cell costs a minute for 20,000 customers
        for r in range(first + 1, last + 1):
            copy_style(top, ws.cell(r, j))
    # the CRM_* columns: one formula per row, so that sorting, filtering, inserting and
    # deleting rows move each result with its customer (the engine still computes a column
    # of them in one call; in Excel the button writes the whole block at once)
    block = lambda key: f"{letter[key]}{first}:{letter[key]}{last}"  # noqa: E731
    rule = card.tiers.at_threshold
    for r in range(first, last + 1):
        for key, formula in result_formulas(indicators, r, first, last, rule).items():
            ws[f"{letter[key]}{r}"] = formula
    # validation of the inputs
    dv_sat = DataValidation(
        type="decimal", operator="between", formula1="1", formula2="5", allow_blank=True
    )
    dv_sat.error = pick(lang, "满意度为 1 到 5 分", "Satisfaction is a score from 1 to 5")
    dv_sat.showErrorMessage = True
    dv_num = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    dv_num.error = pick(lang, "请输入不小于 0 的数字", "Enter a number of 0 or more")
    dv_num.showErrorMessage = True
    rules = {"1-5": dv_sat, ">=0": dv_num}
    for c in layout.RATINGS_INPUTS:
        if c.allowed:
            rules[c.allowed].add(block(c.key))
    for dv in rules.values():
        ws.add_data_validation(dv)

    # tier colours follow the Model's labels; a data bar shows the score
    tier_col = letter["tier"]
    for k in range(len(card.tiers.labels)):
        ws.conditional_formatting.add(
            block("tier"),
            FormulaRule(
                formula=[f"${tier_col}{first}=INDEX({layout.TIER_LABELS_NAME},{k + 1})"],
                fill=PatternFill(
                    "solid",
                    fgColor=TIER_FILLS[k % len(TIER_FILLS)],
                    bgColor=TIER_FILLS[k % len(TIER_FILLS)],
                ),
                stopIfTrue=True,
            ),
        )
    ws.conditional_formatting.add(
        block("score"),
        DataBarRule(start_type="num", start_value=0, end_type="num", end_value=100, color="5B9BD5"),
    )

    ws.freeze_panes = ws.cell(first, 3)
    print_ready(ws, f"{layout.RATINGS_GROUP_ROW}:{layout.RATINGS_HEADER_ROW}", landscape=True)
    last_col = col_letters(len(columns))
    ws.auto_filter.ref = f"A{layout.RATINGS_HEADER_ROW}:{last_col}{last}"
    printed = layout.ratings_print_last_row(first + len(customers) - 1 if customers else None)
    ws.print_area = f"A1:{last_col}{printed}"

    names = {layout.RATINGS_TABLE: absolute_ref(ws.title, f"A{first}", f"{last_col}{last}")}
    for c in columns:
        names[c.key] = absolute_ref(ws.title, f"{letter[c.key]}{first}", f"{letter[c.key]}{last}")
    for what, ref in names.items():
        add_name(wb, layout.name(period, what), ref)
    return ws


def result_formulas(
    indicators: Sequence[Any], row: int, first: int, last: int, at_threshold: str = "lower"
) -> dict[str, str]:
    """The ``CRM_*`` formulas of customer row ``row`` of the rows ``first``–``last``, by
    column key (:mod:`crm_xl.workbook.layout`).

    Each result reads its own row, the Model's defined names and, where a customer is
    ranked among all (minmax scales, RFM), the whole input column; so a row can be sorted,
    moved or copied and its results follow it. Each call ends with the workbook's language
    (``crm_lang``), so its error texts are in the workbook's language wherever it is computed.

    Example::

        >>> from crm_xl.workbook.build import default_scorecard
        >>> f = result_formulas(default_scorecard().indicators, 4, 4, 203)
        >>> f["tier"]
        '=CRM_TIER(L4,crm_tier_thresholds,crm_tier_labels,"lower",crm_lang)'
        >>> result_formulas(default_scorecard().indicators, 4, 4, 203, "upper")["tier"]
        '=CRM_TIER(L4,crm_tier_thresholds,crm_tier_labels,"upper",crm_lang)'
        >>> f["rfm_segment"]
        '=CRM_RFM_ROW(G4,F4,E4,$G$4:$G$203,$F$4:$F$203,$E$4:$E$203,crm_rfm_scheme,crm_lang)'
    """
    columns = layout.ratings_columns(list(indicators))
    letter = {c.key: col_letters(j) for j, c in enumerate(columns, 1)}
    at = lambda key: f"{letter[key]}{row}"  # noqa: E731
    # a whole input column, for what ranks or scales a customer among all (minmax, RFM);
    # absolute, so that sorting leaves it and inserting or deleting rows stretches it
    whole = lambda key: f"${letter[key]}${first}:${letter[key]}${last}"  # noqa: E731
    ind = lambda key, n: f"INDEX({indicator_name(key)},{n})"  # noqa: E731
    lang = layout.LANG_NAME
    out: dict[str, str] = {}
    for n, indicator in enumerate(indicators, 1):
        out[indicator_score_key(indicator.id)] = (
            f"=CRM_SCALE({at(indicator.column)},{ind('scale', n)},{ind('floor', n)},"
            f"{ind('target', n)},{ind('direction', n)},{whole(indicator.column)},{lang})"
        )
    scores = (
        f"{at(indicator_score_key(indicators[0].id))}:{at(indicator_score_key(indicators[-1].id))}"
    )
    weights, dims = indicator_name("weight"), indicator_name("dimension")
    out["score"] = (
        f"=CRM_MULTISCORE({scores},{weights},{dims},{layout.DIM_ID_NAME},"
        f"{layout.DIM_WEIGHT_NAME},{lang})"
    )
    # at_threshold is always given (the model's rule, "lower" or "upper") because lang comes
    # after it: an argument left out in the middle is 0 in LibreOffice, not omitted
    if at_threshold not in ("lower", "upper"):
        raise ValueError(f"at_threshold must be 'lower' or 'upper', not {at_threshold!r}")
    out["tier"] = (
        f"=CRM_TIER({at('score')},{layout.TIER_THRESHOLDS_NAME},{layout.TIER_LABELS_NAME},"
        f'"{at_threshold}",{lang})'
    )
    rfm_keys = layout.RFM_INPUT_KEYS
    rfm = ",".join([*(at(k) for k in rfm_keys), *(whole(k) for k in rfm_keys)])
    out["rfm_segment"] = f"=CRM_RFM_ROW({rfm},{layout.RFM_SCHEME_NAME},{lang})"
    out["indicators_used"] = f"=CRM_INDICATORS_USED({scores},{weights},{lang})"
    return out
