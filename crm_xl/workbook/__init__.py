"""The self-assessment and rating workbook: its layout, the sheet writers, the Model reader,
the backends (OOXML package, xlwings, xlwings Lite), periods, the macros (and xlwings Lite's
scripts, ``lite_scripts``) and recalculating a book.
"""
