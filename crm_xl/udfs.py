"""The module named in xlwings' **UDF Modules** setting: ``crm_xl.udfs``.

Workbooks name this path in their ``xlwings.conf`` sheet, so it stays; the declarations
live in :mod:`crm_xl.excel.udfs`.
"""

from crm_xl.excel.udfs import *  # noqa: F403
from crm_xl.excel.udfs import __all__  # noqa: F401
