"""Companion module of crm_template_en.xlsm (the xlwings quickstart convention).

The workbook's "Recalculate ratings" button runs xlwings' RunPython with
"import crm_template_en; crm_template_en.main()": keep this file next to the workbook.
Written by crm-xl new --macros; crm_xl does the work.
"""

import crm_xl.macros


def main():
    crm_xl.macros.recalculate_ratings()


if __name__ == "__main__":
    # run from a terminal while the workbook is open in Excel: same as clicking the button
    import xlwings as xw

    xw.Book("crm_template_en.xlsm").set_mock_caller()
    main()
