"""The evaluation report (评估报告) of a crm_xl workbook: read, computed, rendered.

``book`` reads the workbook's inputs, ``compute`` rates every period as the formulas do,
``figures`` and ``early_warnings`` make the report's numbers and warnings, ``context`` the
data the templates receive (docs/report.md), ``charts`` and ``render`` the page, ``make``
writes the file. Entry point: :func:`crm_xl.report.make.make_report`.
"""
