"""The Dashboard sheet (仪表板): native charts over the current period and the trend.

Customers per tier (a pie over ``COUNTIF`` of the Ratings' tier column), the
self-assessment radar, and the trend table — one row per period, which ``crm-xl
new-period`` extends (:func:`trend_row`) — with its line chart. The current period's cell
and the trend table have defined names, by which ``new-period`` finds them.
"""

from __future__ import annotations

from typing import Any

from crm_xl.workbook import layout
from crm_xl.workbook.layout import Period
from crm_xl.workbook.styles import absolute_ref, add_name, header_cell, pick, print_ready, set_text


def write_dashboard(wb: Any, period: Period, lang: str, st: dict[str, Any], card: Any) -> None:
    """Add the Dashboard for the workbook's first period ``period`` and scorecard ``card``."""
    from openpyxl.chart import LineChart, PieChart, RadarChart, Reference
    from openpyxl.chart.label import DataLabelList

    ws = wb.create_sheet(layout.sheet_title("dashboard", lang))
    ws[layout.TITLE_CELL] = pick(lang, "仪表板", "Dashboard")
    ws[layout.TITLE_CELL].font = st["title"]
    period_cell = layout.DASHBOARD_PERIOD_CELL
    ws["A2"] = pick(lang, "当前期间", "Current period")
    set_text(ws[period_cell], str(period))
    ws["A2"].font = ws[period_cell].font = st["bold"]

    # customers per tier in the current period
    header_cell(ws["A4"], pick(lang, "等级", "Tier"), st)
    header_cell(ws["B4"], pick(lang, "客户数", "Customers"), st)
    header_cell(ws["C4"], pick(lang, "占比", "Share"), st)
    n_tiers = len(card.tiers.labels)
    t_first, t_last = 5, 4 + n_tiers
    tier_name = layout.name(period, "tier")  # the Ratings column
    for k in range(n_tiers):
        r = t_first + k
        ws.cell(r, 1, f"=INDEX({layout.TIER_LABELS_NAME},{k + 1})")
        ws.cell(r, 2, f"=COUNTIF({tier_name},A{r})")
        ws.cell(
            r, 3, f"=IF(SUM($B${t_first}:$B${t_last})=0,0,B{r}/SUM($B${t_first}:$B${t_last}))"
        ).number_format = "0.0%"
    pie = PieChart()
    pie.title = pick(lang, "各等级客户占比", "Customers per tier")
    pie.add_data(Reference(ws, min_col=2, min_row=4, max_row=t_last), titles_from_data=True)
    pie.set_categories(Reference(ws, min_col=1, min_row=t_first, max_row=t_last))
    # each slice says its tier and share, nothing else: a reader that is not told leaves out
    # nothing (LibreOffice then writes "A; 客户数; 3; 5%" on every slice, overlapping)
    pie.dataLabels = DataLabelList(
        showPercent=True,
        showCatName=True,
        showVal=False,
        showSerName=False,
        showLegendKey=False,
        showLeaderLines=True,
        dLblPos="bestFit",
    )
    pie.height, pie.width = 7.5, 10
    ws.add_chart(pie, "E4")

    # self-assessment radar of the current period
    s_first = t_last + 3
    header_cell(ws.cell(s_first - 1, 1), pick(lang, "自评项目", "Form item"), st)
    header_cell(ws.cell(s_first - 1, 2), pick(lang, "评分(1-5)", "Score (1-5)"), st)
    items = layout.name(period, layout.SA_ITEMS)
    answers = layout.name(period, layout.SA_SCORES)
    for k in range(len(layout.FORM_ITEMS)):
        ws.cell(s_first + k, 1, f"=INDEX({items},{k + 1})")
        # a blank answer is no point on the radar (#N/A is what charts leave out), not a 0
        ws.cell(s_first + k, 2, f'=IF(INDEX({answers},{k + 1})="",NA(),INDEX({answers},{k + 1}))')
    s_last = s_first + len(layout.FORM_ITEMS) - 1
    radar = RadarChart()
    radar.type = "marker"
    radar.title = pick(lang, "自评雷达图(当前期间)", "Self-assessment (current period)")
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
        pick(lang, "期间", "Period"),
        pick(lang, "自评综合得分", "Self-assessment"),
        pick(lang, "客户平均得分", "Average customer score"),
        pick(lang, "A 级占比", "Share of top tier"),
    )
    for j, text in enumerate(heads, 1):
        header_cell(ws.cell(tr, j), text, st)
    _write_trend_row(ws, tr + 1, period)
    # formats for the rows the table grows into (a monthly team's ten years), values none
    for r in range(tr + 1, tr + 1 + layout.TREND_FORMATTED_ROWS):
        ws.cell(r, 2).number_format = ws.cell(r, 3).number_format = "0.0"
        ws.cell(r, 4).number_format = "0.0%"
    trend_last = tr + layout.TREND_CAPACITY
    line = LineChart()
    line.title = pick(lang, "各期综合得分", "Composite by period")
    line.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=tr, max_row=trend_last), titles_from_data=True
    )
    line.set_categories(Reference(ws, min_col=1, min_row=tr + 1, max_row=trend_last))
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 100
    line.display_blanks = "gap"
    for series in line.series:  # a marker on each period: one period is a point, not nothing
        series.marker.symbol = "circle"
        series.marker.size = 7
    line.height, line.width = 7.5, 16
    ws.add_chart(line, "E36")

    add_name(wb, layout.CURRENT_PERIOD_NAME, absolute_ref(ws.title, period_cell))
    add_name(wb, layout.TREND_NAME, absolute_ref(ws.title, f"A{tr + 1}", f"D{trend_last}"))
    # wide enough for the longest form item ("Training and development") and the trend's
    # headers, which wrap onto two lines
    for letter_, width in zip("ABCD", (25, 15, 16, 14), strict=True):
        ws.column_dimensions[letter_].width = width
    ws.row_dimensions[tr].height = 32
    print_ready(ws, None, landscape=True)
    ws.page_setup.fitToHeight = 1  # the tables and their charts on one page


def trend_row(period: Period) -> dict[str, str]:
    """One period's row of the Dashboard's trend table: column letter → value or formula.

    Used by the generator and by ``new-period``, which appends the next row.

    Example::

        >>> trend_row(Period.parse("2027-Q1"))["B"]
        '=crm_2027Q1_sa_composite'
    """
    n = lambda what: layout.name(period, what)  # noqa: E731
    top_tier = f"INDEX({layout.TIER_LABELS_NAME},1)"
    # one definition of the top tier's share, as the tier table above computes it: among
    # the customers who have a tier (a label of the Model), not among every row
    tiered = f"SUMPRODUCT(COUNTIF({n('tier')},{layout.TIER_LABELS_NAME}))"
    return {
        "A": str(period),
        "B": f"={n(layout.SA_COMPOSITE)}",
        "C": f'=IFERROR(AVERAGE({n("score")}),"")',
        "D": f'=IFERROR(COUNTIF({n("tier")},{top_tier})/{tiered},"")',
    }


def _write_trend_row(ws: Any, row: int, period: Period) -> None:
    """Write :func:`trend_row` into row ``row`` of the Dashboard (openpyxl)."""
    for col, value in trend_row(period).items():
        cell = ws[f"{col}{row}"]
        if value.startswith("="):
            cell.value = value
        else:
            set_text(cell, value)
