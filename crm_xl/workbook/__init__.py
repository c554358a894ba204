"""The self-assessment and rating workbook: its layout, the sheet writers, the Model reader,
the backends (OOXML package and xlwings), periods, the macros and recalculating a book.
"""
