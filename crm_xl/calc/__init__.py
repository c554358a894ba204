"""The headless formula engine: Excel's values and errors, formula parsing, Excel's
functions by category, the cell model, reading a package into it, planning and evaluation.
"""
