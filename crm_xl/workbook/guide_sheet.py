"""The Guide sheet (说明): what each sheet is for, how to fill it in, how to recalculate.

The first sheet of the generated workbook; plain text, in the workbook's language.
"""

from __future__ import annotations

from typing import Any

from crm_xl.workbook import layout
from crm_xl.workbook.styles import print_ready

#: The Guide's lines, by language: (text, kind), kind one of "title", "head", "note" or "".
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


GUIDE_WIDTH = 75  # column A, in characters of the default font: A4 portrait at 100 %


def lines_needed(text: str, width: float = GUIDE_WIDTH) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` characters wide (a
    Chinese character is as wide as two Latin ones). Row heights are set from it: not every
    application fits a row to its wrapped text on opening (LibreOffice does not).

    Example::

        >>> lines_needed("x" * 80), lines_needed("汉" * 60), lines_needed("")
        (1, 2, 1)
    """
    import unicodedata

    chars = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    usable = width * 1.08  # measured: a 75-wide column holds about 81 Latin characters
    return max(1, -(-chars // int(usable)))


def write_guide(wb: Any, lang: str, st: dict[str, Any]) -> None:
    """Make the workbook's first (active) sheet the Guide."""
    ws = wb.active
    ws.title = layout.sheet_title("guide", lang)
    for i, (text, kind) in enumerate(GUIDE[lang], 1):
        cell = ws.cell(i, 1, text)
        cell.alignment = st["wrap"]
        lines = lines_needed(text)
        if lines > 1:
            ws.row_dimensions[i].height = 15 * lines + 3
        if kind == "title":
            cell.font = st["title"]
            ws.row_dimensions[i].height = 22  # the title's larger font
        elif kind == "head":
            cell.font = st["bold"]
            cell.fill = st["group_fill"]
        elif kind == "note":
            cell.font = st["note"]
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    print_ready(ws, None)
