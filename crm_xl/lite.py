"""Everything crm_xl offers xlwings Lite, for one line in Lite's ``main.py``::

    from crm_xl.lite import *

xlwings Lite registers the custom functions and scripts it finds in ``main.py``'s namespace
(``custom_functions_meta`` and ``custom_scripts_meta`` list the module's members, imported
ones too), so this import gives every ``CRM_*`` function (:mod:`crm_xl.excel.lite`) and the
**Recalculate ratings** and **New period** scripts (:mod:`crm_xl.workbook.lite_scripts`) and
**Make report** (:mod:`crm_xl.report.lite`); ``crm-xl`` goes in Lite's ``requirements.txt``. See ``docs/setup-xlwings-lite.md``.
"""

from crm_xl.excel import lite as functions
from crm_xl.excel.lite import *  # noqa: F403
from crm_xl.report.lite import make_report
from crm_xl.workbook.lite_scripts import new_period, recalculate_ratings, sheet_button

__all__ = [*functions.__all__, "make_report", "new_period", "recalculate_ratings", "sheet_button"]
