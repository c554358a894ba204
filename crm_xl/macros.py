"""The actions a workbook's buttons run: ``crm_xl.macros``.

Companion modules written by ``crm-xl new --macros`` call ``crm_xl.macros.recalculate_ratings()``
and ``crm_xl.macros.new_period()``, so this path stays; the code lives in
:mod:`crm_xl.workbook.macros`.
"""

from crm_xl.workbook.macros import new_period, recalculate_ratings

__all__ = ["new_period", "recalculate_ratings"]
