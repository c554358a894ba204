"""The ``CRM_*`` worksheet functions: one registry, their implementations, and the bindings.

* :mod:`~crm_xl.excel.registry` — what each function is (entries in ``specs_*``, their parts
  in :mod:`~crm_xl.excel.spec`): name, description (en, zh),
  arguments in order (help, range or single value, optional and default), result, example;
* :mod:`~crm_xl.excel.functions` — the implementations, by topic, found by name;
  :mod:`~crm_xl.excel.arguments` and :mod:`~crm_xl.excel.cells` — how they read their
  arguments and what a cell shows;
* bindings made from the registry: :mod:`~crm_xl.excel.udfs` (xlwings, desktop Excel),
  :mod:`~crm_xl.excel.lite` (xlwings Lite: Excel on Windows, macOS and the web),
  :mod:`~crm_xl.excel.vba` (the VBA module, through xlwings), :mod:`~crm_xl.excel.engine`
  (the headless engine), :mod:`~crm_xl.excel.reference` (``docs/functions.md``),
  :mod:`~crm_xl.excel.libreoffice_extension` (LibreOffice Calc: Basic wrappers from
  :mod:`~crm_xl.excel.libreoffice_basic`, the Python component
  :mod:`~crm_xl.excel.libreoffice_bridge`, conversions in :mod:`~crm_xl.excel.libreoffice`).
"""
