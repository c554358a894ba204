"""Companion module of crm_template_zh.xlsm (the xlwings quickstart convention).

The workbook's "重新计算评级" button runs xlwings' RunPython with
"import crm_template_zh; crm_template_zh.main()": keep this file next to the workbook.
new_period() adds the next period's blank sheets to the open workbook, report() writes
the evaluation report beside the workbook (save it first); bind them to buttons of your
own with RunPython "import crm_template_zh; crm_template_zh.new_period()" or "...; crm_template_zh.report()".
Written by crm-xl new --macros; crm_xl does the work.
"""

import crm_xl.macros


def main():
    crm_xl.macros.recalculate_ratings()


def new_period():
    crm_xl.macros.new_period()


def report():
    crm_xl.macros.make_report()


if __name__ == "__main__":
    # from a terminal while the workbook is open in Excel: same as clicking the button
    # (python crm_template_zh.py), the New period action (python crm_template_zh.py new-period) or
    # Make report (python crm_template_zh.py report)
    import sys

    import xlwings as xw

    xw.Book("crm_template_zh.xlsm").set_mock_caller()
    {"new-period": new_period, "report": report}.get(" ".join(sys.argv[1:]), main)()
