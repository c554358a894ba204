"""The Model sheet (模型): the scorecard laid out for editing in Excel.

Indicators (labels, Ratings column, dimension, weight, scale, direction, floor, target),
dimensions with their weights, tier thresholds from the top tier down with one more label,
the RFM scheme and the self-assessment items' weights — where :mod:`crm_xl.workbook.layout`
puts them, each table under a workbook-level defined name (``crm_ind_weight``…) that the
Ratings formulas, the macros and the headless recalculation use.
:mod:`crm_xl.workbook.model_reader` reads the sheet back.
"""

from __future__ import annotations

from typing import Any

from crm_xl.workbook import layout
from crm_xl.workbook.layout import MODEL_COLUMNS, MODEL_DIM_COLUMNS, column_letter
from crm_xl.workbook.styles import absolute_ref, add_name, header_cell, pick, print_ready, set_text
from crm_xl.xlsx.coordinates import col_letters


def write_model(wb: Any, card: Any, lang: str, st: dict[str, Any]) -> None:
    """Add the Model sheet for scorecard ``card`` (a validated, multi-dimensional one)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(layout.sheet_title("model", lang))
    ws[layout.TITLE_CELL] = pick(
        lang,
        "评分模型(可修改:权重、方向、底线、目标、等级阈值)",
        "Scoring model (edit weights, directions, floors, targets, tier thresholds)",
    )
    ws[layout.TITLE_CELL].font = st["title"]
    ws["A2"] = pick(
        lang,
        "同一维度内的指标权重合计 100%,各维度权重合计 100%。修改后重新计算即可生效;出错时会指出具体单元格。",
        "Weights within a dimension sum to 100 %, and so do the dimensions' weights. Recalculate after editing; a mistake is reported with its cell.",
    )
    ws["A2"].font = st["note"]
    at = layout.model_rows(len(card.indicators), len(card.dimensions))
    sheet = ws.title

    # indicators
    hr = layout.MODEL_IND_HEADER_ROW
    for j, col in enumerate(MODEL_COLUMNS, 1):
        header_cell(ws.cell(hr, j), pick(lang, col.zh, col.en), st)
        ws.column_dimensions[col_letters(j)].width = col.width
    for row, ind in enumerate(card.indicators, at.ind_first):
        values = {
            "id": ind.id, "label_zh": ind.label_zh, "label_en": ind.label_en, "column": ind.column,
            "dimension": ind.dimension, "weight": ind.weight, "scale": ind.scale,
            "direction": ind.direction, "floor": ind.floor, "target": ind.target,
        }  # fmt: skip
        for j, col in enumerate(MODEL_COLUMNS, 1):
            cell = ws.cell(row, j)
            set_text(cell, values[col.key])
            cell.border = st["border"]
            if col.editable:
                cell.fill = st["input_fill"]
    for key in layout.MODEL_NAMED_COLUMNS:
        letter = column_letter(MODEL_COLUMNS, key)
        add_name(
            wb,
            layout.indicator_name(key),
            absolute_ref(sheet, f"{letter}{at.ind_first}", f"{letter}{at.ind_last}"),
        )

    dv_scale = DataValidation(type="list", formula1='"linear,form,minmax,score"', allow_blank=True)
    dv_dir = DataValidation(type="list", formula1='"higher,lower"', allow_blank=True)
    dv_weight = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    dv_weight.error = pick(lang, "权重为 0 到 100 之间的数字", "A weight is a number from 0 to 100")
    dv_weight.showErrorMessage = True
    for dv, key in ((dv_scale, "scale"), (dv_dir, "direction"), (dv_weight, "weight")):
        letter = column_letter(MODEL_COLUMNS, key)
        dv.add(f"{letter}{at.ind_first}:{letter}{at.ind_last}")
        ws.add_data_validation(dv)

    # dimensions
    for j, col in enumerate(MODEL_DIM_COLUMNS, 1):
        header_cell(ws.cell(at.dim_header, j), pick(lang, col.zh, col.en), st)
    for row, dim in enumerate(card.dimensions, at.dim_first):
        values = {
            "id": dim.id,
            "label_zh": dim.label_zh,
            "label_en": dim.label_en,
            "weight": dim.weight,
        }
        for j, col in enumerate(MODEL_DIM_COLUMNS, 1):
            cell = ws.cell(row, j)
            set_text(cell, values[col.key])
            cell.border = st["border"]
            if col.editable:
                cell.fill = st["input_fill"]
    for name, key in ((layout.DIM_ID_NAME, "id"), (layout.DIM_WEIGHT_NAME, "weight")):
        letter = column_letter(MODEL_DIM_COLUMNS, key)
        add_name(wb, name, absolute_ref(sheet, f"{letter}{at.dim_first}", f"{letter}{at.dim_last}"))

    # tiers: the thresholds from the top tier down, one more label (the rule core checks)
    tiers = card.tiers
    header_cell(
        ws.cell(at.tier_header, 1),
        pick(
            lang,
            "等级阈值(超过阈值才进入该等级)",
            "Tier thresholds (a tier is reached by exceeding its threshold)",
        )
        if tiers.at_threshold == "lower"
        else pick(
            lang,
            "等级阈值(达到阈值即进入该等级)",
            "Tier thresholds (a tier is reached at its threshold)",
        ),
        st,
    )
    ws.merge_cells(start_row=at.tier_header, start_column=1, end_row=at.tier_header, end_column=4)
    ws.cell(at.thresholds, 1, pick(lang, "阈值", "Threshold")).font = st["bold"]
    ws.cell(at.labels, 1, pick(lang, "等级", "Tier")).font = st["bold"]
    first = layout.MODEL_VALUE_COL
    for j, value in enumerate(tiers.thresholds, first):
        ws.cell(at.thresholds, j, value).fill = st["input_fill"]
    for j, value in enumerate(tiers.labels, first):
        set_text(ws.cell(at.labels, j), value)
        ws.cell(at.labels, j).fill = st["input_fill"]
    for name, row, count in (
        (layout.TIER_THRESHOLDS_NAME, at.thresholds, len(tiers.thresholds)),
        (layout.TIER_LABELS_NAME, at.labels, len(tiers.labels)),
    ):
        start, end = col_letters(first), col_letters(first + count - 1)
        add_name(wb, name, absolute_ref(sheet, f"{start}{row}", f"{end}{row}"))

    add_name(wb, layout.TIER_AT_NAME, f'"{tiers.at_threshold}"')

    # RFM scheme and the self-assessment items' weights
    value = col_letters(layout.MODEL_VALUE_COL)
    rfm = f"{value}{at.rfm}"
    ws.cell(at.rfm, 1, pick(lang, "RFM 分群方案", "RFM scheme")).font = st["bold"]
    set_text(ws[rfm], card.rfm.scheme if card.rfm else "cn8")
    ws[rfm].fill = st["input_fill"]
    add_name(wb, layout.RFM_SCHEME_NAME, absolute_ref(sheet, rfm))
    dv_rfm = DataValidation(type="list", formula1='"cn8,rf-grid"', allow_blank=False)
    dv_rfm.add(rfm)
    ws.add_data_validation(dv_rfm)

    fr = at.form_header
    header_cell(ws.cell(fr, 1), pick(lang, "自评项目", "Form item"), st)
    header_cell(ws.cell(fr, layout.MODEL_VALUE_COL), pick(lang, "权重%", "Weight %"), st)
    for i, item in enumerate(layout.FORM_ITEMS):
        ws.cell(fr + 1 + i, 1, pick(lang, item.zh, item.en)).border = st["border"]
        cell = ws.cell(fr + 1 + i, layout.MODEL_VALUE_COL, item.weight)
        cell.fill, cell.border = st["input_fill"], st["border"]
    add_name(
        wb,
        layout.FORM_WEIGHT_NAME,
        absolute_ref(sheet, f"{value}{fr + 1}", f"{value}{fr + len(layout.FORM_ITEMS)}"),
    )
    _write_warning_rules(wb, ws, card, lang, st, fr + len(layout.FORM_ITEMS) + 2)
    ws.freeze_panes = ws.cell(hr + 1, 2)
    print_ready(ws, f"{hr}:{hr}", landscape=True)


def _write_warning_rules(
    wb: Any, ws: Any, card: Any, lang: str, st: dict[str, Any], top: int
) -> None:
    """The evaluation report's early-warning rules: a caption, the value (editable) and the
    rule's key, one row per rule (:mod:`crm_xl.core.alert_rules`), named ``crm_warn_rules``."""
    from dataclasses import asdict

    from crm_xl.core.alert_rules import RULE_SPECS

    header_cell(ws.cell(top, 1), pick(lang, "报告预警规则", "Report warning rules"), st)
    header_cell(ws.cell(top, layout.MODEL_VALUE_COL), pick(lang, "值", "Value"), st)
    header_cell(ws.cell(top, layout.MODEL_VALUE_COL + 1), pick(lang, "规则键", "Rule key"), st)
    values = asdict(card.early_warning)
    for i, spec in enumerate(RULE_SPECS, top + 1):
        ws.cell(i, 1, pick(lang, spec.zh, spec.en)).border = st["border"]
        cell = ws.cell(i, layout.MODEL_VALUE_COL, values[spec.key])
        cell.fill, cell.border = st["input_fill"], st["border"]
        key = ws.cell(i, layout.MODEL_VALUE_COL + 1, spec.key)
        key.font, key.border = st["note"], st["border"]
    value, key = col_letters(layout.MODEL_VALUE_COL), col_letters(layout.MODEL_VALUE_COL + 1)
    add_name(
        wb,
        layout.WARN_RULES_NAME,
        absolute_ref(ws.title, f"{value}{top + 1}", f"{key}{top + len(RULE_SPECS)}"),
    )
