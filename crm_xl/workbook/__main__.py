"""``python -m crm_xl.workbook [FOLDER]`` regenerates the ready-made workbooks."""

from crm_xl.workbook.shipped import main

main()
