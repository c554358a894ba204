"""Tests of the CRM_* implementations, one module per topic module of crm_xl.excel.functions."""


def is_error(cell, code):
    """Whether a cell shows the Excel error ``code`` with a reason."""
    return isinstance(cell, str) and cell.startswith(code + " ")
