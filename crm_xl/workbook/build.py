"""The self-assessment and rating workbook, generated with openpyxl from :mod:`crm_xl.workbook.layout`.

``crm-xl new BOOK --period 2026-Q4`` writes a workbook with:

* **Guide** (说明): what each sheet is for, how to fill it in, how to recalculate;
* **Model** (模型): the scorecard — indicators, labels, weights, directions, floors and
  targets, dimensions, tier thresholds, the form's item weights — editable in Excel;
* **Self-assessment <period>** (自评): seed 002's form, 1–5 drop-downs, remarks, weights
  from the Model, the composite by ``=CRM_SCORE`` and the weakest item, an improvement plan
  and signatures;
* **Ratings <period>** (评级): seed 004's table, one row per customer, with the composite,
  tier, RFM segment and indicator scores as ``=CRM_*`` array formulas over the whole
  block (one call per column, not one per cell); tier colours by conditional formatting;
* **Dashboard** (仪表板): native charts — customers per tier, the self-assessment radar,
  the trend by period;
* **xlwings.conf**: ``UDF Modules = crm_xl.udfs`` so xlwings finds the functions.

Every sheet is print-ready (A4, fit to width, repeated header rows, frozen panes). All
places are also workbook-level defined names (``crm_2026Q4_score``, ``crm_ind_weight``…) so
macros and the headless recalculation find them whatever the language or length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout
from crm_xl.workbook.layout import Period

FILL_INPUT = "FFF9E5"  # light yellow: the user types here
FILL_COMPUTED = "EEF2F7"  # light blue-grey: formulas, do not type here
FILL_HEADER = "1F4E79"
FILL_GROUP = "D6E4F0"
TIER_FILLS = ("C6EFCE", "FFEB9C", "FFC7CE", "D9D9D9", "BDD7EE")  # A green, B amber, C red, …


@dataclass(frozen=True)
class Customer:
    """One row of the Ratings sheet's input columns (values as the user gave them)."""

    values: dict[str, Any]


# -- small helpers ----------------------------------------------------------------------------
def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _quote(sheet: str) -> str:
    """A sheet name as formulas write it: always quoted, quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def _abs(sheet: str, first: str, last: str | None = None) -> str:
    from openpyxl.utils.cell import absolute_coordinate

    ref = absolute_coordinate(first) + (":" + absolute_coordinate(last) if last else "")
    return f"{_quote(sheet)}!{ref}"


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="B7B7B7")
    return {
        "title": Font(size=14, bold=True, color=FILL_HEADER),
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor=FILL_HEADER),
        "group_fill": PatternFill("solid", fgColor=FILL_GROUP),
        "input_fill": PatternFill("solid", fgColor=FILL_INPUT),
        "computed_fill": PatternFill("solid", fgColor=FILL_COMPUTED),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "bold": Font(bold=True),
        "note": Font(italic=True, color="595959"),
    }


def _print_ready(ws: Any, title_rows: str | None, landscape: bool = False) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def _header_cell(cell: Any, text: str, st: dict) -> None:
    cell.value = text
    cell.font = st["header_font"]
    cell.fill = st["header_fill"]
    cell.alignment = st["center"]
    cell.border = st["border"]


def _set_text(cell: Any, value: Any) -> None:
    """Write a user's value; text always stays text (a name starting with '=' is no formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


# -- the model -------------------------------------------------------------------------------
def _default_scorecard():
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.files.resources import sample_path

    return load_scorecard(sample_path("scorecard.toml"))


def _check_model_fits(card: Any) -> None:
    """The Ratings sheet has fixed input columns: the model's indicators must read them."""
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


def _write_model(wb: Any, card: Any, lang: str, st: dict) -> None:
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(layout.sheet_title("model", lang))
    ws["A1"] = _t(
        lang,
        "评分模型(可修改:权重、方向、底线、目标、等级阈值)",
        "Scoring model (edit weights, directions, floors, targets, tier thresholds)",
    )
    ws["A1"].font = st["title"]
    ws["A2"] = _t(
        lang,
        "同一维度内的指标权重合计 100%,各维度权重合计 100%。修改后重新计算即可生效;出错时会指出具体单元格。",
        "Weights within a dimension sum to 100 %, and so do the dimensions' weights. Recalculate after editing; a mistake is reported with its cell.",
    )
    ws["A2"].font = st["note"]

    hr = layout.MODEL_IND_HEADER_ROW
    for j, col in enumerate(layout.MODEL_COLUMNS, 1):
        _header_cell(ws.cell(hr, j), _t(lang, col.zh, col.en), st)
        ws.column_dimensions[ws.cell(hr, j).column_letter].width = col.width
    first = hr + 1
    for i, ind in enumerate(card.indicators):
        row = first + i
        values = {
            "id": ind.id, "label_zh": ind.label_zh, "label_en": ind.label_en, "column": ind.column,
            "dimension": ind.dimension, "weight": ind.weight, "scale": ind.scale,
            "direction": ind.direction, "floor": ind.floor, "target": ind.target,
        }  # fmt: skip
        for j, col in enumerate(layout.MODEL_COLUMNS, 1):
            cell = ws.cell(row, j)
            _set_text(cell, values[col.key])
            cell.border = st["border"]
            if col.key in ("weight", "scale", "direction", "floor", "target", "dimension"):
                cell.fill = st["input_fill"]
    last = first + len(card.indicators) - 1

    def col_letter(key: str, columns=layout.MODEL_COLUMNS) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter([c.key for c in columns].index(key) + 1)

    sheet = ws.title
    for key in ("id", "weight", "dimension", "scale", "direction", "floor", "target"):
        letter = col_letter(key)
        wb.defined_names[f"crm_ind_{key}"] = DefinedName(
            f"crm_ind_{key}", attr_text=_abs(sheet, f"{letter}{first}", f"{letter}{last}")
        )

    dv_scale = DataValidation(type="list", formula1='"linear,form,minmax,score"', allow_blank=True)
    dv_dir = DataValidation(type="list", formula1='"higher,lower"', allow_blank=True)
    dv_weight = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    dv_weight.error = _t(lang, "权重为 0 到 100 之间的数字", "A weight is a number from 0 to 100")
    dv_weight.showErrorMessage = True
    for dv, key in ((dv_scale, "scale"), (dv_dir, "direction"), (dv_weight, "weight")):
        letter = col_letter(key)
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)

    # dimensions
    dr = last + 1 + layout.MODEL_DIM_GAP
    for j, col in enumerate(layout.MODEL_DIM_COLUMNS, 1):
        _header_cell(ws.cell(dr, j), _t(lang, col.zh, col.en), st)
    for i, dim in enumerate(card.dimensions):
        for j, value in enumerate((dim.id, dim.label_zh, dim.label_en, dim.weight), 1):
            cell = ws.cell(dr + 1 + i, j)
            _set_text(cell, value)
            cell.border = st["border"]
            if j == 4:
                cell.fill = st["input_fill"]
    d_first, d_last = dr + 1, dr + len(card.dimensions)
    wb.defined_names["crm_dim_id"] = DefinedName(
        "crm_dim_id", attr_text=_abs(sheet, f"A{d_first}", f"A{d_last}")
    )
    wb.defined_names["crm_dim_weight"] = DefinedName(
        "crm_dim_weight", attr_text=_abs(sheet, f"D{d_first}", f"D{d_last}")
    )

    # tiers: thresholds from the top tier down, one more label
    tr = d_last + 1 + layout.MODEL_DIM_GAP
    tiers = card.tiers
    _header_cell(
        ws.cell(tr, 1),
        _t(
            lang,
            "等级阈值(超过阈值才进入该等级)",
            "Tier thresholds (a tier is reached by exceeding its threshold)",
        ),
        st,
    )
    ws.merge_cells(start_row=tr, start_column=1, end_row=tr, end_column=4)
    ws.cell(tr + 1, 1, _t(lang, "阈值", "Threshold")).font = st["bold"]
    ws.cell(tr + 2, 1, _t(lang, "等级", "Tier")).font = st["bold"]
    thresholds = sorted(tiers.thresholds, reverse=True)
    labels = (
        list(tiers.labels)
        if tiers.thresholds[0] >= tiers.thresholds[-1]
        else list(tiers.labels)[::-1]
    )
    for j, value in enumerate(thresholds, 2):
        ws.cell(tr + 1, j, value).fill = st["input_fill"]
    for j, value in enumerate(labels, 2):
        _set_text(ws.cell(tr + 2, j), value)
        ws.cell(tr + 2, j).fill = st["input_fill"]
    from openpyxl.utils import get_column_letter

    wb.defined_names["crm_tier_thresholds"] = DefinedName(
        "crm_tier_thresholds",
        attr_text=_abs(sheet, f"B{tr + 1}", f"{get_column_letter(1 + len(thresholds))}{tr + 1}"),
    )
    wb.defined_names["crm_tier_labels"] = DefinedName(
        "crm_tier_labels",
        attr_text=_abs(sheet, f"B{tr + 2}", f"{get_column_letter(1 + len(labels))}{tr + 2}"),
    )

    # RFM scheme and the self-assessment items' weights
    rr = tr + 4
    ws.cell(rr, 1, _t(lang, "RFM 分群方案", "RFM scheme")).font = st["bold"]
    _set_text(ws.cell(rr, 2), card.rfm.scheme if card.rfm else "cn8")
    ws.cell(rr, 2).fill = st["input_fill"]
    wb.defined_names["crm_rfm_scheme"] = DefinedName(
        "crm_rfm_scheme", attr_text=_abs(sheet, f"B{rr}")
    )
    dv_rfm = DataValidation(type="list", formula1='"cn8,rf-grid"', allow_blank=False)
    dv_rfm.add(f"B{rr}")
    ws.add_data_validation(dv_rfm)

    fr = rr + 2
    _header_cell(ws.cell(fr, 1), _t(lang, "自评项目", "Form item"), st)
    _header_cell(ws.cell(fr, 2), _t(lang, "权重%", "Weight %"), st)
    for i, item in enumerate(layout.FORM_ITEMS):
        ws.cell(fr + 1 + i, 1, _t(lang, item.zh, item.en)).border = st["border"]
        cell = ws.cell(fr + 1 + i, 2, item.weight)
        cell.fill, cell.border = st["input_fill"], st["border"]
    f_first, f_last = fr + 1, fr + len(layout.FORM_ITEMS)
    wb.defined_names["crm_form_weight"] = DefinedName(
        "crm_form_weight", attr_text=_abs(sheet, f"B{f_first}", f"B{f_last}")
    )
    ws.freeze_panes = ws.cell(hr + 1, 2)
    _print_ready(ws, f"{hr}:{hr}", landscape=True)


# -- the period sheets -------------------------------------------------------------------------
def add_self_assessment(
    wb: Any,
    period: Period,
    lang: str,
    st: dict,
    index: int | None = None,
    answers: dict[str, tuple[float | None, str]] | None = None,
    standalone_weights: Sequence[float] | None = None,
    department: str | None = None,
) -> Any:
    """Add the period's self-assessment form (seed 002): blank, or with ``answers``
    (item key → (score 1–5, remarks)).

    With ``standalone_weights`` the form is for sending out (a department's copy): the
    weights are values and the points and composite plain Excel formulas, so it works in
    any spreadsheet without crm_xl; no defined names are added.
    """
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.formula import ArrayFormula

    standalone = standalone_weights is not None
    ws = wb.create_sheet(layout.self_assessment_sheet(period, lang), index)
    ws["A1"] = layout.form_title(period, lang)
    ws["A1"].font = st["title"]
    ws.merge_cells("A1:F1")
    info = (
        _t(lang, "部门:", "Department:"),
        _t(lang, "填表人:", "Filled in by:"),
        _t(lang, "日期:", "Date:"),
    )
    for j, text in zip((1, 3, 5), info, strict=True):
        ws.cell(layout.FORM_INFO_ROW, j, text).font = st["bold"]
        ws.cell(layout.FORM_INFO_ROW, j + 1).fill = st["input_fill"]
        ws.cell(layout.FORM_INFO_ROW, j + 1).border = st["border"]

    headers = (
        _t(lang, "评估项", "Item"),
        _t(lang, "评估标准", "Criteria"),
        _t(lang, "评分(1-5分)", "Score (1-5)"),
        _t(lang, "备注", "Remarks"),
        _t(lang, "权重%", "Weight %"),
        _t(lang, "得分(0-100)", "Points (0-100)"),
    )
    hr, first = layout.FORM_HEADER_ROW, layout.FORM_FIRST_ITEM_ROW
    for j, text in enumerate(headers, 1):
        _header_cell(ws.cell(hr, j), text, st)
    last = first + len(layout.FORM_ITEMS) - 1
    for i, item in enumerate(layout.FORM_ITEMS):
        r = first + i
        ws.cell(r, 1, _t(lang, item.zh, item.en)).font = st["bold"]
        ws.cell(r, 2, _t(lang, item.criteria_zh, item.criteria_en)).alignment = st["wrap"]
        for j in (3, 4):
            ws.cell(r, j).fill = st["input_fill"]
        score, remark = (answers or {}).get(item.key, (None, ""))
        ws.cell(r, 3).value = score
        _set_text(ws.cell(r, 4), remark or None)
        ws.cell(r, 4).alignment = st["wrap"]
        weight = standalone_weights[i] if standalone else f"=INDEX(crm_form_weight,{i + 1})"
        ws.cell(r, 5, weight).fill = st["computed_fill"]
        if standalone:
            ws.cell(r, 6, f'=IF(C{r}="","",(C{r}-1)/4*100)')
        ws.cell(r, 6).fill = st["computed_fill"]
        ws.cell(r, 6).number_format = "0.0"
        for j in range(1, 7):
            ws.cell(r, j).border = st["border"]
        ws.row_dimensions[r].height = 36
    if not standalone:
        ws.cell(first, 6).value = ArrayFormula(
            f"F{first}:F{last}", f"=CRM_FORM_SCORE(C{first}:C{last})"
        )
    if department:
        _set_text(ws.cell(layout.FORM_INFO_ROW, 2), department)

    dv = DataValidation(type="list", formula1='"1,2,3,4,5"', allow_blank=True)
    dv.error = _t(lang, "请选择 1 到 5 分", "Choose a score from 1 to 5")
    dv.errorTitle = _t(lang, "评分", "Score")
    dv.prompt = _t(lang, "1 = 很差,5 = 优秀", "1 = poor, 5 = excellent")
    dv.showErrorMessage = dv.showInputMessage = True
    dv.add(f"C{first}:C{last}")
    ws.add_data_validation(dv)

    rows_at = layout.form_rows()
    sr = rows_at["summary"]
    scores = f"C{first}:C{last}"
    rows = (
        (
            _t(lang, "综合得分(0-100)", "Composite (0-100)"),
            (
                f'=IF(COUNT({scores})=0,"",SUMPRODUCT(F{first}:F{last},E{first}:E{last})'
                f'/SUMPRODUCT(--(C{first}:C{last}<>""),E{first}:E{last}))'
            )
            if standalone
            else f"=CRM_SCORE(F{first}:F{last},E{first}:E{last})",
            "0.0",
        ),
        (
            _t(lang, "已评项目数", "Items scored"),
            f'=COUNT({scores})&"/{len(layout.FORM_ITEMS)}"',
            "@",
        ),
        (
            _t(lang, "平均分(1-5)", "Average (1-5)"),
            f'=IF(COUNT({scores})=0,"",AVERAGE({scores}))',
            "0.00",
        ),
        (
            _t(lang, "最弱项", "Weakest item"),
            f'=IF(COUNT({scores})=0,"",INDEX(A{first}:A{last},MATCH(MIN({scores}),{scores},0)))',
            "@",
        ),
    )
    for i, (label, formula, fmt) in enumerate(rows):
        r = sr + i
        ws.cell(r, 1, label).font = st["bold"]
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        cell = ws.cell(r, 3, formula)
        cell.fill, cell.number_format, cell.font = st["computed_fill"], fmt, st["bold"]
    composite_cell = f"C{sr}"

    assert len(rows) == layout.FORM_SUMMARY_ROWS
    pr = rows_at["plan_title"]
    ws.cell(pr, 1, _t(lang, "改进计划", "Improvement plan")).font = st["title"]
    plan_headers = (
        _t(lang, "问题", "Problem"),
        _t(lang, "改进措施", "Measure"),
        _t(lang, "负责人", "Owner"),
        _t(lang, "完成期限", "Deadline"),
    )
    for j, text in enumerate(plan_headers, 1):
        _header_cell(ws.cell(pr + 1, j), text, st)
    for r in range(rows_at["plan_first"], rows_at["plan_last"] + 1):
        for j in range(1, 5):
            ws.cell(r, j).fill, ws.cell(r, j).border = st["input_fill"], st["border"]
        ws.cell(r, 4).number_format = "yyyy-mm-dd"
    sign = rows_at["signatures"]
    for j, text in zip(
        (1, 3, 5),
        (
            _t(lang, "填表人签字:", "Signed:"),
            _t(lang, "审核人签字:", "Reviewed:"),
            _t(lang, "日期:", "Date:"),
        ),
        strict=True,
    ):
        ws.cell(sign, j, text).font = st["bold"]

    for letter, width in zip("ABCDEF", (16, 46, 12, 30, 10, 13), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{first}"
    _print_ready(ws, f"{hr}:{hr}")

    if standalone:
        return ws
    from openpyxl.workbook.defined_name import DefinedName

    for what, ref in (
        ("sa_scores", _abs(ws.title, f"C{first}", f"C{last}")),
        ("sa_points", _abs(ws.title, f"F{first}", f"F{last}")),
        ("sa_items", _abs(ws.title, f"A{first}", f"A{last}")),
        ("sa_composite", _abs(ws.title, composite_cell)),
    ):
        n = layout.name(period, what)
        wb.defined_names[n] = DefinedName(n, attr_text=ref)
    return ws


def add_ratings(
    wb: Any,
    period: Period,
    lang: str,
    st: dict,
    card: Any,
    customers: Sequence[Customer] = (),
    index: int | None = None,
) -> Any:
    """Add the period's Ratings sheet (seed 004) with the customers and the CRM_* columns."""
    from openpyxl.formatting.rule import DataBarRule, FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.formula import ArrayFormula

    ws = wb.create_sheet(layout.ratings_sheet(period, lang), index)
    ws["A1"] = layout.ratings_title(period, lang)
    ws["A1"].font = st["title"]
    ws["F1"] = _t(
        lang,
        "黄色单元格填写客户数据;蓝灰色列由 CRM_* 公式计算,请勿手工填写。空白 = 缺失,不按 0 计。",
        "Type customer data in the yellow cells; blue-grey columns are CRM_* formulas. Blank means missing, not 0.",
    )
    ws["F1"].font = st["note"]

    indicators = list(card.indicators)
    columns = (
        list(layout.RATINGS_INPUTS)
        + list(layout.RATINGS_RESULTS)
        + [
            layout.RatingsColumn(
                f"score_{i.id}", i.label_zh, i.label_en, "scores", "indicator", "0.0", 10
            )
            for i in indicators
        ]
    )
    letter = {c.key: get_column_letter(j) for j, c in enumerate(columns, 1)}
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
        _header_cell(ws.cell(layout.RATINGS_HEADER_ROW, j), _t(lang, c.zh, c.en), st)
        ws.column_dimensions[get_column_letter(j)].width = c.width
    for g, start, end in runs:
        cell = ws.cell(
            layout.RATINGS_GROUP_ROW,
            start,
            _t(lang, layout.GROUPS[g]["zh"], layout.GROUPS[g]["en"]),
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
                _set_text(ws.cell(first + i, column_of[c.key]), value)
    for j, c in enumerate(columns, 1):
        top = ws.cell(first, j)
        top.fill = st["input_fill"] if c.kind == "input" else st["computed_fill"]
        top.number_format = c.number_format
        # the rest of the column copies the top cell's style record, as openpyxl's own
        # copy_worksheet does: setting fill and format cell by cell costs a minute for
        # 20,000 customers
        for r in range(first + 1, last + 1):
            ws.cell(r, j)._style = copy(top._style)
    # the CRM_* columns: one array formula over the whole block per column
    block = lambda key: f"{letter[key]}{first}:{letter[key]}{last}"  # noqa: E731
    for n, ind in enumerate(indicators, 1):
        out = f"score_{ind.id}"
        formula = (
            f"=CRM_SCALE({block(ind.column)},INDEX(crm_ind_scale,{n}),INDEX(crm_ind_floor,{n}),"
            f"INDEX(crm_ind_target,{n}),INDEX(crm_ind_direction,{n}))"
        )
        ws[f"{letter[out]}{first}"] = ArrayFormula(block(out), formula)
    scores = (
        f"{letter['score_' + indicators[0].id]}{first}:{letter['score_' + indicators[-1].id]}{last}"
    )
    ws[f"{letter['score']}{first}"] = ArrayFormula(
        block("score"),
        f"=CRM_MULTISCORE({scores},crm_ind_weight,crm_ind_dimension,crm_dim_id,crm_dim_weight)",
    )
    ws[f"{letter['tier']}{first}"] = ArrayFormula(
        block("tier"), f"=CRM_TIER({block('score')},crm_tier_thresholds,crm_tier_labels)"
    )
    ws[f"{letter['rfm_segment']}{first}"] = ArrayFormula(
        block("rfm_segment"),
        f'=CRM_RFM({block("days_since_purchase")},{block("orders")},{block("annual_spend")},crm_rfm_scheme,"{lang}")',
    )
    ws[f"{letter['indicators_used']}{first}"] = ArrayFormula(
        block("indicators_used"), f"=CRM_INDICATORS_USED({scores},crm_ind_weight)"
    )

    # validation of the inputs
    dv_sat = DataValidation(
        type="decimal", operator="between", formula1="1", formula2="5", allow_blank=True
    )
    dv_sat.error = _t(lang, "满意度为 1 到 5 分", "Satisfaction is a score from 1 to 5")
    dv_sat.showErrorMessage = True
    dv_sat.add(block("satisfaction"))
    ws.add_data_validation(dv_sat)
    dv_num = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    dv_num.error = _t(lang, "请输入不小于 0 的数字", "Enter a number of 0 or more")
    dv_num.showErrorMessage = True
    for key in (
        "annual_spend",
        "orders",
        "days_since_purchase",
        "interactions",
        "campaigns",
        "complaint_hours",
    ):
        dv_num.add(block(key))
    ws.add_data_validation(dv_num)

    # tier colours follow the Model's labels; a data bar shows the score
    tier_col = letter["tier"]
    for k in range(len(card.tiers.labels)):
        ws.conditional_formatting.add(
            block("tier"),
            FormulaRule(
                formula=[f"${tier_col}{first}=INDEX(crm_tier_labels,{k + 1})"],
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
    _print_ready(ws, f"{layout.RATINGS_GROUP_ROW}:{layout.RATINGS_HEADER_ROW}", landscape=True)
    ws.auto_filter.ref = f"A{layout.RATINGS_HEADER_ROW}:{get_column_letter(len(columns))}{last}"

    data_ref = _abs(ws.title, f"A{first}", f"{get_column_letter(len(columns))}{last}")
    names = {"ratings": data_ref}
    for c in columns:
        names[c.key] = _abs(ws.title, f"{letter[c.key]}{first}", f"{letter[c.key]}{last}")
    for what, ref in names.items():
        n = layout.name(period, what)
        wb.defined_names[n] = DefinedName(n, attr_text=ref)
    return ws


# -- guide, dashboard, config ---------------------------------------------------------------------
GUIDE = {
    "zh": [
        ("客户管理自评与评级工作簿", "title"),
        ("本工作簿由 crm_xl 生成。黄色单元格由您填写,蓝灰色单元格是公式,请勿覆盖。", "note"),
        ("各工作表", "head"),
        ("说明:本页。", ""),
        ("模型:评分模型——指标、权重、方向、底线/目标、维度、等级阈值、自评项目权重。可修改,出错时重新计算会指出具体单元格。", ""),
        ("自评 <期间>:客户管理现状自评表(客户互动、销售业绩、技术支持、客户反馈、培训与发展),每项 1–5 分,填写备注,自动计算综合得分与最弱项,并填写改进计划与签字。", ""),
        ("评级 <期间>:客户评级表,每行一个客户(基本信息、购买行为、互动、满意度、市场活动),自动计算综合得分、等级(A/B/C)与 RFM 分群。", ""),
        ("仪表板:各等级客户占比、自评雷达图、各期趋势。", ""),
        ("xlwings.conf:xlwings 设置(UDF Modules = crm_xl.udfs)。", ""),
        ("如何填写", "head"),
        ("1. 在“评级”表黄色列录入客户数据;空白表示缺失(不按 0 计),该指标不计入并重新分配权重。", ""),
        ("2. 在“自评”表为每项选择 1–5 分并填写备注;各部门可使用 crm-xl new-period --departments 生成的单独表格。", ""),
        ("3. 需要时在“模型”表调整权重(同一维度内合计 100%,各维度合计 100%)。", ""),
        ("如何重新计算", "head"),
        ("Excel(Windows):安装 crm_xl 与 xlwings 加载项,在 xlwings 选项卡点击 Import Functions 后,CRM_* 公式即自动计算;宏版本可点击“重新计算评级”按钮。", ""),
        ("没有 Excel 或在 CI 中:运行 crm-xl recalc 工作簿.xlsx,结果与 Excel 相同,其余内容不变。", ""),
        ("新的评估期间:运行 crm-xl new-period 工作簿.xlsx --period 2027-Q1,客户名单与模型会带入新期间,以往期间保持不变。", ""),
        ("打印", "head"),
        ("各表已设置为 A4、按页宽缩放、重复标题行,可直接打印并签字。", ""),
    ],
    "en": [
        ("Customer self-assessment and rating workbook", "title"),
        ("Made by crm_xl. Type in the yellow cells; blue-grey cells are formulas, do not overwrite them.", "note"),
        ("The sheets", "head"),
        ("Guide: this page.", ""),
        ("Model: the scoring model - indicators, weights, directions, floors/targets, dimensions, tier thresholds, the form's item weights. Editable; a mistake is reported with its cell when you recalculate.", ""),
        ("Self-assessment <period>: the customer-management self-assessment form (interaction, sales, support, feedback, training), 1-5 per item with remarks; the composite and the weakest item are computed; then the improvement plan and signatures.", ""),
        ("Ratings <period>: the customer rating table, one row per customer (basic information, purchase behaviour, interactions, satisfaction, campaigns); composite score, tier (A/B/C) and RFM segment are computed.", ""),
        ("Dashboard: customers per tier, the self-assessment radar, the trend by period.", ""),
        ("xlwings.conf: xlwings settings (UDF Modules = crm_xl.udfs).", ""),
        ("How to fill it in", "head"),
        ("1. Enter customers in the yellow columns of Ratings. A blank is missing, not 0: that indicator is left out and the rest re-weighted.", ""),
        ("2. Score each item of the Self-assessment 1-5 with remarks; departments can use the separate forms from crm-xl new-period --departments.", ""),
        ("3. Adjust the weights on Model if needed (100 % within each dimension, 100 % across dimensions).", ""),
        ("How to recalculate", "head"),
        ("Excel (Windows): install crm_xl and the xlwings add-in, click Import Functions on the xlwings tab; the CRM_* formulas then compute. The macro version has a Recalculate ratings button.", ""),
        ("Without Excel or in CI: run crm-xl recalc book.xlsx - the same numbers as Excel, nothing else in the file changed.", ""),
        ("A new period: run crm-xl new-period book.xlsx --period 2027-Q1; customers and model are carried over, earlier periods stay as they are.", ""),
        ("Printing", "head"),
        ("Every sheet is set to A4, fit to width, with repeated header rows: print and sign.", ""),
    ],
}  # fmt: skip


def _write_guide(wb: Any, lang: str, st: dict) -> None:
    ws = wb.active
    ws.title = layout.sheet_title("guide", lang)
    for i, (text, kind) in enumerate(GUIDE[lang], 1):
        cell = ws.cell(i, 1, text)
        cell.alignment = st["wrap"]
        if kind == "title":
            cell.font = st["title"]
        elif kind == "head":
            cell.font = st["bold"]
            cell.fill = st["group_fill"]
        elif kind == "note":
            cell.font = st["note"]
    ws.column_dimensions["A"].width = 110
    _print_ready(ws, None)


def _write_dashboard(wb: Any, period: Period, lang: str, st: dict, card: Any) -> None:
    from openpyxl.chart import BarChart, LineChart, PieChart, RadarChart, Reference
    from openpyxl.chart.label import DataLabelList

    ws = wb.create_sheet(layout.sheet_title("dashboard", lang))
    ws["A1"] = _t(lang, "仪表板", "Dashboard")
    ws["A1"].font = st["title"]
    ws["A2"] = _t(lang, "当前期间", "Current period")
    _set_text(ws["B2"], str(period))
    ws["A2"].font = ws["B2"].font = st["bold"]

    # customers per tier in the current period
    _header_cell(ws["A4"], _t(lang, "等级", "Tier"), st)
    _header_cell(ws["B4"], _t(lang, "客户数", "Customers"), st)
    _header_cell(ws["C4"], _t(lang, "占比", "Share"), st)
    n_tiers = len(card.tiers.labels)
    t_first, t_last = 5, 4 + n_tiers
    tier_name = layout.name(period, "tier")
    for k in range(n_tiers):
        r = t_first + k
        ws.cell(r, 1, f"=INDEX(crm_tier_labels,{k + 1})")
        ws.cell(r, 2, f"=COUNTIF({tier_name},A{r})")
        ws.cell(
            r, 3, f"=IF(SUM($B${t_first}:$B${t_last})=0,0,B{r}/SUM($B${t_first}:$B${t_last}))"
        ).number_format = "0.0%"
    pie = PieChart()
    pie.title = _t(lang, "各等级客户占比", "Customers per tier")
    pie.add_data(Reference(ws, min_col=2, min_row=4, max_row=t_last), titles_from_data=True)
    pie.set_categories(Reference(ws, min_col=1, min_row=t_first, max_row=t_last))
    pie.dataLabels = DataLabelList()
    pie.dataLabels.showPercent = True
    pie.height, pie.width = 7.5, 10
    ws.add_chart(pie, "E4")

    # self-assessment radar of the current period
    s_first = t_last + 3
    _header_cell(ws.cell(s_first - 1, 1), _t(lang, "自评项目", "Form item"), st)
    _header_cell(ws.cell(s_first - 1, 2), _t(lang, "评分(1-5)", "Score (1-5)"), st)
    items = layout.name(period, "sa_items")
    answers = layout.name(period, "sa_scores")
    for k in range(len(layout.FORM_ITEMS)):
        ws.cell(s_first + k, 1, f"=INDEX({items},{k + 1})")
        ws.cell(s_first + k, 2, f'=IF(INDEX({answers},{k + 1})="",0,INDEX({answers},{k + 1}))')
    s_last = s_first + len(layout.FORM_ITEMS) - 1
    radar = RadarChart()
    radar.type = "marker"
    radar.title = _t(lang, "自评雷达图(当前期间)", "Self-assessment (current period)")
    radar.add_data(
        Reference(ws, min_col=2, min_row=s_first - 1, max_row=s_last), titles_from_data=True
    )
    radar.set_categories(Reference(ws, min_col=1, min_row=s_first, max_row=s_last))
    radar.y_axis.scaling.min, radar.y_axis.scaling.max = 0, 5
    radar.height, radar.width = 7.5, 10
    ws.add_chart(radar, "E20")

    # trend by period: one row per period (new-period fills the next row)
    tr = s_last + 3
    heads = (
        _t(lang, "期间", "Period"),
        _t(lang, "自评综合得分", "Self-assessment"),
        _t(lang, "客户平均得分", "Average customer score"),
        _t(lang, "A 级占比", "Share of top tier"),
    )
    for j, text in enumerate(heads, 1):
        _header_cell(ws.cell(tr, j), text, st)
    write_trend_row(ws, tr + 1, period)
    for r in range(tr + 1, tr + 1 + layout.TREND_CAPACITY):
        ws.cell(r, 2).number_format = ws.cell(r, 3).number_format = "0.0"
        ws.cell(r, 4).number_format = "0.0%"
    trend_last = tr + layout.TREND_CAPACITY
    line = LineChart()
    line.title = _t(lang, "各期综合得分", "Composite by period")
    line.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=tr, max_row=trend_last), titles_from_data=True
    )
    line.set_categories(Reference(ws, min_col=1, min_row=tr + 1, max_row=trend_last))
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 100
    line.display_blanks = "gap"
    line.height, line.width = 7.5, 16
    ws.add_chart(line, "E36")
    _ = BarChart  # (bar charts are the alternative users ask for; line shows the trend best)

    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["crm_current_period"] = DefinedName(
        "crm_current_period", attr_text=_abs(ws.title, "B2")
    )
    wb.defined_names["crm_trend"] = DefinedName(
        "crm_trend", attr_text=_abs(ws.title, f"A{tr + 1}", f"D{trend_last}")
    )
    for letter_, width in zip("ABCD", (16, 14, 16, 14), strict=True):
        ws.column_dimensions[letter_].width = width
    _print_ready(ws, None, landscape=True)


def trend_row(period: Period) -> dict[str, str]:
    """One period's row of the Dashboard's trend table: column letter → value or formula.

    Used by the generator and by ``new-period``, which appends the next row.
    """
    n = lambda what: layout.name(period, what)  # noqa: E731
    customers = f'SUMPRODUCT(--(({n("customer_id")}&{n("name")})<>""))'
    return {
        "A": str(period),
        "B": f"={n('sa_composite')}",
        "C": f'=IFERROR(AVERAGE({n("score")}),"")',
        "D": f'=IFERROR(COUNTIF({n("tier")},INDEX(crm_tier_labels,1))/{customers},"")',
    }


def write_trend_row(ws: Any, row: int, period: Period) -> None:
    """Write :func:`trend_row` into row ``row`` of the Dashboard (openpyxl)."""
    for col, value in trend_row(period).items():
        cell = ws[f"{col}{row}"]
        if value.startswith("="):
            cell.value = value
        else:
            _set_text(cell, value)


def _write_config(wb: Any) -> None:
    ws = wb.create_sheet(layout.CONFIG_SHEET)
    # xlwings reads key/value pairs from A1 down; only keys with a value are written, so
    # xlwings' own defaults (ribbon / user config file) apply to the interpreter paths.
    for r, (key, value) in enumerate(
        (("UDF Modules", "crm_xl.udfs"), ("Show Console", "False")), 1
    ):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40


# -- customers in --------------------------------------------------------------------------------
def read_customers(path: str | Path, sheet: str | None = None) -> list[Customer]:
    """Customers from a CSV or Excel table, matched to the Ratings columns by key or label.

    Headers may be the column keys (``annual_spend``) or their Chinese or English labels
    (``年消费金额``, ``Annual spend``). Number columns must hold numbers (every bad cell is
    reported with its place); text columns are kept as text whatever they start with.
    """
    from crm_xl.core.user_numbers import numeric_column
    from crm_xl.files.tables import read_table

    table = read_table(path, sheet=sheet)
    by_header: dict[str, str] = {}
    for c in layout.RATINGS_INPUTS:
        for h in (c.key, c.zh, c.en):
            by_header[h.strip().lower()] = c.key
    mapping = {
        h: by_header[str(h).strip().lower()]
        for h in table.frame.columns
        if str(h).strip().lower() in by_header
    }
    if not {"customer_id", "name"} & set(mapping.values()):
        raise CrmError(
            "the table needs a customer_id (客户编号) or name (客户名称) column; "
            f"its columns are: {', '.join(map(str, table.frame.columns))}",
            str(path),
        )
    numeric = {c.key for c in layout.RATINGS_INPUTS if c.number_format not in ("@",)}
    columns: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    for header, key in mapping.items():
        if key in numeric:
            values, bad = numeric_column(table, header)
            problems += bad
            columns[key] = [
                None if v != v else (int(v) if float(v).is_integer() else float(v)) for v in values
            ]
        else:
            columns[key] = [None if v is None else str(v) for v in table.frame[header]]
    if problems:
        raise CrmError(problems)
    n = len(table.frame)
    return [Customer({k: columns[k][i] for k in columns}) for i in range(n)]


# -- the whole workbook ---------------------------------------------------------------------------
def build_workbook(
    period: str | Period,
    *,
    lang: str = "zh",
    customers: Sequence[Customer] = (),
    answers: dict[str, tuple[float | None, str]] | None = None,
    timestamp: dt.datetime | None = None,
) -> Any:
    """Build the workbook in memory (an openpyxl Workbook); see :func:`new_workbook`."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    if lang not in layout.LANGS:
        raise CrmError(f"language must be zh or en, got '{lang}'", "--lang")
    period = period if isinstance(period, Period) else Period.parse(period)
    card = _default_scorecard()
    _check_model_fits(card)
    st = _styles()
    wb = Workbook()
    _write_guide(wb, lang, st)
    _write_model(wb, card, lang, st)
    add_self_assessment(wb, period, lang, st, answers=answers)
    add_ratings(wb, period, lang, st, card, customers)
    _write_dashboard(wb, period, lang, st, card)
    _write_config(wb)
    wb.defined_names[layout.LANG_NAME] = DefinedName(layout.LANG_NAME, attr_text=f'"{lang}"')
    wb.defined_names["crm_periods"] = DefinedName("crm_periods", attr_text=f'"{period.key}"')
    when = timestamp or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "crm_xl"
    wb.properties.title = _t(lang, "客户管理自评与评级", "Customer self-assessment and ratings")
    wb.properties.created = wb.properties.modified = when
    wb.calculation.fullCalcOnLoad = True  # Excel computes the formulas when the file opens
    return wb


def check_new_file(path: Path, force: bool) -> None:
    """A file about to be created: its folder exists, and it does not (unless ``force``)."""
    if path.exists() and not force:
        raise CrmError("already exists: choose another name, or --force to replace it", str(path))
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
) -> Path:
    """Write a new self-assessment and rating workbook to ``path`` (``.xlsx``).

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
        period, lang=lang, customers=customers, answers=answers, timestamp=timestamp
    )
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


# -- the copies shipped in workbooks/ ---------------------------------------------------------------
SHIPPED_PERIOD = "2026-Q4"
SHIPPED_TIMESTAMP = dt.datetime(2026, 10, 1, 9, 0, 0)  # fixed, so regenerating changes nothing

#: A realistic filled-in form for the sample workbook (seed 002's items).
SAMPLE_ANSWERS = {
    "zh": {
        "interaction": (4, "平均响应 4 小时;季度满意度调查 86 分"),
        "sales": (3, "销售额增长 6%,获客成本上升"),
        "support": (2, "投诉平均处理 46 小时,超出目标"),
        "feedback": (4, "已建立月度回访机制"),
        "training": (3, "上半年完成 2 次客户管理培训"),
    },
    "en": {
        "interaction": (4, "Average response 4 hours; quarterly satisfaction survey 86"),
        "sales": (3, "Sales up 6 %, acquisition cost rising"),
        "support": (2, "Complaints take 46 hours on average, above target"),
        "feedback": (4, "Monthly follow-up calls in place"),
        "training": (3, "Two customer-management trainings this half-year"),
    },
}


def shipped_workbooks() -> dict[str, dict[str, Any]]:
    """The ready-made copies in ``workbooks/``: file name → arguments of :func:`new_workbook`."""
    from crm_xl.files.resources import sample_path

    customers = read_customers(sample_path("customers.csv"))
    out: dict[str, dict[str, Any]] = {}
    for lang in layout.LANGS:
        out[f"crm_template_{lang}.xlsx"] = {"lang": lang}
        out[f"crm_sample_{lang}.xlsx"] = {
            "lang": lang,
            "customers": customers,
            "answers": SAMPLE_ANSWERS[lang],
        }
    return out


def write_shipped(folder: str | Path) -> list[Path]:
    """(Re)write the ready-made workbooks into ``folder``; returns their paths.

    Each ``.xlsx`` also gets its macro-enabled ``.xlsm`` twin with the companion ``.py``.
    Their formula results are stored (:func:`crm_xl.workbook.recalc.recalc_book`), so they show
    their numbers in any reader and ``crm-xl recalc --check workbooks/`` passes.
    """
    from crm_xl.workbook.macro_workbook import new_macro_workbook

    folder = Path(folder)
    written = []
    for name, kwargs in shipped_workbooks().items():
        target = folder / name
        written.append(
            new_workbook(target, SHIPPED_PERIOD, force=True, timestamp=SHIPPED_TIMESTAMP, **kwargs)
        )
        written += new_macro_workbook(
            target.with_suffix(".xlsm"),
            SHIPPED_PERIOD,
            force=True,
            timestamp=SHIPPED_TIMESTAMP,
            **kwargs,
        )
    for path in written:
        if path.suffix in (".xlsx", ".xlsm"):
            store_results(path)
    return written


def store_results(path: str | Path) -> None:
    """Compute a new workbook's formulas and store their results in the file (no Excel),
    so it shows its numbers in any reader, LibreOffice, pandas and Excel's protected view
    alike. A template that does not recalculate cleanly is a bug: it raises."""
    from crm_xl.workbook.recalc import recalc_book

    result = recalc_book(path, force=True)
    if result.problems or result.error:
        problems = "; ".join(map(str, result.problems)) or result.error
        raise CrmError(f"the new workbook does not recalculate: {problems}", str(path))


def main(argv: list[str] | None = None) -> None:
    """``python -m crm_xl.workbook [FOLDER]``: regenerate the ready-made workbooks."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m crm_xl.workbook",
        description="Regenerate the ready-made workbooks shipped in workbooks/.",
    )
    parser.add_argument("folder", nargs="?", default="workbooks")
    for written in write_shipped(parser.parse_args(argv).folder):
        print(written)
