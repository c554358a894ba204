"""The actions a workbook's buttons run: ``crm_xl.macros``.

Companion modules written by ``crm-xl new --macros`` call ``crm_xl.macros.recalculate_ratings()``,
``crm_xl.macros.new_period()`` and ``crm_xl.macros.make_report()``, so this path stays; the
code lives in :mod:`crm_xl.workbook.macros` and (the report, a layer above the workbook)
:mod:`crm_xl.report.button`.
"""

from crm_xl.report.button import make_report_in_excel as make_report
from crm_xl.workbook.macros import new_period, recalculate_ratings

__all__ = ["make_report", "new_period", "recalculate_ratings"]
