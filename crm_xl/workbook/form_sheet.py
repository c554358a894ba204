"""The Self-assessment sheet (自评 <period>): a period's customer-management form.

Five items scored 1–5 with remarks, each item's weight from the Model and its points
(0–100), the composite (``=CRM_SCORE``), how many items are scored, the average and the
weakest item, then an improvement plan and signatures — where
:mod:`crm_xl.workbook.layout` puts them. The same writer makes the standalone copy sent to
a department (``crm-xl new-period --departments``), which needs no crm_xl to fill in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crm_xl.workbook import layout
from crm_xl.workbook.layout import (
    FORM_COL_ITEM,
    FORM_COL_POINTS,
    FORM_COL_REMARKS,
    FORM_COL_SCORE,
    FORM_COL_WEIGHT,
    Period,
)
from crm_xl.workbook.styles import absolute_ref, add_name, header_cell, pick, print_ready, set_text


def add_self_assessment(
    wb: Any,
    period: Period,
    lang: str,
    st: dict[str, Any],
    index: int | None = None,
    answers: dict[str, tuple[float | None, str]] | None = None,
    standalone_weights: Sequence[float] | None = None,
    department: str | None = None,
) -> Any:
    """Add the period's self-assessment form: blank, or with ``answers`` (item key →
    (score 1–5, remarks)); returns the openpyxl worksheet.

    With ``standalone_weights`` the form is for sending out (a department's copy): the
    weights are values and the points and composite plain Excel formulas, so it works in
    any spreadsheet without crm_xl; no defined names are added.
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    standalone = standalone_weights is not None
    ws = wb.create_sheet(layout.self_assessment_sheet(period, lang), index)
    ws[layout.TITLE_CELL] = layout.form_title(period, lang)
    ws[layout.TITLE_CELL].font = st["title"]
    ws.merge_cells(f"A1:{FORM_COL_POINTS}1")  # the heading, across the form's columns
    info = (
        pick(lang, "部门:", "Department:"),
        pick(lang, "填表人:", "Filled in by:"),
        pick(lang, "日期:", "Date:"),
    )
    row = layout.FORM_INFO_ROW
    for caption, fill_in, text in zip(
        layout.FORM_INFO_CAPTIONS, layout.FORM_INFO_INPUTS, info, strict=True
    ):
        ws[f"{caption}{row}"] = text
        ws[f"{caption}{row}"].font = st["bold"]
        ws[f"{fill_in}{row}"].fill = st["input_fill"]
        ws[f"{fill_in}{row}"].border = st["border"]

    headers = (
        pick(lang, "评估项", "Item"),
        pick(lang, "评估标准", "Criteria"),
        pick(lang, "评分(1-5分)", "Score (1-5)"),
        pick(lang, "备注", "Remarks"),
        pick(lang, "权重%", "Weight %"),
        pick(lang, "得分(0-100)", "Points (0-100)"),
    )
    hr, first = layout.FORM_HEADER_ROW, layout.FORM_FIRST_ITEM_ROW
    for j, text in enumerate(headers, 1):
        header_cell(ws.cell(hr, j), text, st)
    last = first + len(layout.FORM_ITEMS) - 1
    for i, item in enumerate(layout.FORM_ITEMS):
        r = first + i
        ws[f"{FORM_COL_ITEM}{r}"] = pick(lang, item.zh, item.en)
        ws[f"{FORM_COL_ITEM}{r}"].font = st["bold"]
        criteria = ws[f"{layout.FORM_COL_CRITERIA}{r}"]
        criteria.value = pick(lang, item.criteria_zh, item.criteria_en)
        criteria.alignment = st["wrap"]
        score, remarks = ws[f"{FORM_COL_SCORE}{r}"], ws[f"{FORM_COL_REMARKS}{r}"]
        score.fill = remarks.fill = st["input_fill"]
        score.value, remark = (answers or {}).get(item.key, (None, ""))
        set_text(remarks, remark or None)
        remarks.alignment = st["wrap"]
        weight = ws[f"{FORM_COL_WEIGHT}{r}"]
        weight.value = (
            standalone_weights[i] if standalone else f"=INDEX({layout.FORM_WEIGHT_NAME},{i + 1})"
        )
        weight.fill = st["computed_fill"]
        points = ws[f"{FORM_COL_POINTS}{r}"]
        s = f"{FORM_COL_SCORE}{r}"
        # one formula per item (not an array over the items: LibreOffice drops an array's
        # flag when it saves a sheet it edited, and Excel refuses to change part of one)
        points.value = (
            f'=IF({s}="","",({s}-1)/4*100)'
            if standalone
            else f"=CRM_FORM_SCORE({s},1,5,{layout.LANG_NAME})"
        )
        points.fill = st["computed_fill"]
        points.number_format = "0.0"
        for j in range(1, len(headers) + 1):
            ws.cell(r, j).border = st["border"]
        ws.row_dimensions[r].height = 36
    block = lambda col: f"{col}{first}:{col}{last}"  # noqa: E731
    scores, points, weights = block(FORM_COL_SCORE), block(FORM_COL_POINTS), block(FORM_COL_WEIGHT)
    if department:
        set_text(ws[f"{layout.FORM_INFO_INPUTS[0]}{layout.FORM_INFO_ROW}"], department)

    dv = DataValidation(type="list", formula1='"1,2,3,4,5"', allow_blank=True)
    dv.error = pick(lang, "请选择 1 到 5 分", "Choose a score from 1 to 5")
    dv.errorTitle = pick(lang, "评分", "Score")
    dv.prompt = pick(lang, "1 = 很差,5 = 优秀", "1 = poor, 5 = excellent")
    dv.showErrorMessage = dv.showInputMessage = True
    dv.add(scores)
    ws.add_data_validation(dv)

    rows_at = layout.form_rows()
    sr = rows_at["summary"]
    items = block(FORM_COL_ITEM)
    summary = (
        (
            pick(lang, "综合得分(0-100)", "Composite (0-100)"),
            (
                f'=IF(COUNT({scores})=0,"",SUMPRODUCT({points},{weights})'
                f'/SUMPRODUCT(--({scores}<>""),{weights}))'
            )
            if standalone
            else f"=CRM_SCORE({points},{weights},FALSE,{layout.LANG_NAME})",
            "0.0",
        ),
        (
            pick(lang, "已评项目数", "Items scored"),
            f'=COUNT({scores})&"/{len(layout.FORM_ITEMS)}"',
            "@",
        ),
        (
            pick(lang, "平均分(1-5)", "Average (1-5)"),
            f'=IF(COUNT({scores})=0,"",AVERAGE({scores}))',
            "0.00",
        ),
        (
            pick(lang, "最弱项", "Weakest item"),
            f'=IF(COUNT({scores})=0,"",INDEX({items},MATCH(MIN({scores}),{scores},0)))',
            "@",
        ),
    )
    assert len(summary) == layout.FORM_SUMMARY_ROWS
    for r, (label, formula, fmt) in enumerate(summary, sr):
        ws.cell(r, 1, label).font = st["bold"]
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        cell = ws[f"{layout.FORM_SUMMARY_COL}{r}"]
        cell.value = formula
        cell.fill, cell.number_format, cell.font = st["computed_fill"], fmt, st["bold"]
    composite_cell = f"{layout.FORM_SUMMARY_COL}{sr}"

    pr = rows_at["plan_title"]
    ws.cell(pr, 1, pick(lang, "改进计划", "Improvement plan")).font = st["title"]
    plan_headers = (
        pick(lang, "问题", "Problem"),
        pick(lang, "改进措施", "Measure"),
        pick(lang, "负责人", "Owner"),
        pick(lang, "完成期限", "Deadline"),
    )
    for col, text in zip(layout.FORM_PLAN_COLUMNS, plan_headers, strict=True):
        header_cell(ws[f"{col}{pr + 1}"], text, st)
    for r in range(rows_at["plan_first"], rows_at["plan_last"] + 1):
        for col in layout.FORM_PLAN_COLUMNS:
            ws[f"{col}{r}"].fill, ws[f"{col}{r}"].border = st["input_fill"], st["border"]
        ws[f"{layout.FORM_PLAN_COLUMNS[-1]}{r}"].number_format = "yyyy-mm-dd"  # the deadline
    sign = rows_at["signatures"]
    for col, text in zip(
        layout.FORM_INFO_CAPTIONS,
        (
            pick(lang, "填表人签字:", "Signed:"),
            pick(lang, "审核人签字:", "Reviewed:"),
            pick(lang, "日期:", "Date:"),
        ),
        strict=True,
    ):
        ws[f"{col}{sign}"] = text
        ws[f"{col}{sign}"].font = st["bold"]

    for letter, width in zip("ABCDEF", (16, 46, 12, 30, 10, 13), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{first}"
    print_ready(ws, f"{hr}:{hr}")

    if standalone:
        return ws
    for what, ref in (
        (layout.SA_SCORES, absolute_ref(ws.title, *scores.split(":"))),
        (layout.SA_POINTS, absolute_ref(ws.title, *points.split(":"))),
        (layout.SA_ITEMS, absolute_ref(ws.title, *items.split(":"))),
        (layout.SA_COMPOSITE, absolute_ref(ws.title, composite_cell)),
    ):
        add_name(wb, layout.name(period, what), ref)
    return ws
