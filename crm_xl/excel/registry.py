"""The registry of crm_xl's worksheet functions: everything there is to say about each.

One :class:`FunctionSpec` per ``CRM_*`` function, in the order of the reference page: its
name, what it does (English and Chinese), its arguments in order — each with its help text,
whether it takes a range, whether it is optional and its default — what it returns and an
example. The registry is data only: it names no implementation, so every binding is made
from it the same way, without touching the implementations
(:mod:`crm_xl.excel.functions`, found by name):

* the xlwings declarations for desktop Excel (:mod:`crm_xl.excel.udfs`) and through them
  the VBA module (:mod:`crm_xl.excel.vba`);
* the functions as the headless engine calls them (:mod:`crm_xl.excel.engine`);
* the reference page ``docs/functions.md`` (:mod:`crm_xl.excel.reference`).

Every function's last argument is the optional ``lang`` (``"en"``, the default, or
``"zh"``): the language of its error texts (:data:`~crm_xl.excel.spec.LANG`; the RFM
functions' ``lang`` names their segments too). crm_xl's workbooks pass their ``crm_lang``
name, so a cell shows the same text in every binding, and formulas written before it
existed keep working, in English.

A range argument (``is_range``) is passed as a list of rows, even for a single cell, with
Excel errors as their text (``"#N/A"``): xlwings' ``ndim=2, err_to_str=True``. Any other
argument is a single cell's plain value.

Texts users read in Excel's function wizard (the description and the English argument help)
are ASCII and at most 255 characters: they go into a VBA module read in the system code page,
and ``Application.MacroOptions`` takes no more. Every description, argument and result has
its Chinese text too (``Text.zh``), for the bindings that show it (the reference page, the
xlwings Lite module's help in Chinese) and for users who read Chinese.

The entries are data in three modules by topic (:mod:`~crm_xl.excel.specs_scores`,
:mod:`~crm_xl.excel.specs_kpis`, :mod:`~crm_xl.excel.specs_segments`), their parts are
defined in :mod:`crm_xl.excel.spec`; :data:`SPECS` is the one place to read them from.

Example::

    >>> spec = SPECS["CRM_SCORE"]
    >>> [(a.name, a.is_range, a.optional) for a in spec.arguments]
    [('values', True, False), ('weights', True, False), ('normalize', False, True), ('lang', False, True)]
    >>> spec.signature()
    'CRM_SCORE(values, weights, [normalize], [lang])'
"""

from __future__ import annotations

from crm_xl.excel.spec import Argument, FunctionSpec, Result, Text
from crm_xl.excel.specs_kpis import KPIS
from crm_xl.excel.specs_scores import SCORES
from crm_xl.excel.specs_segments import SEGMENTS

__all__ = ["CATEGORY", "SPECS", "Argument", "FunctionSpec", "Result", "Text"]

#: The category Excel's function wizard lists the functions under.
CATEGORY = "CRM"

#: name → specification, in the order of the reference page.
#: Every entry ends with the optional ``lang`` (:data:`~crm_xl.excel.spec.LANG`), given
#: here once rather than in each entry.
SPECS: dict[str, FunctionSpec] = {
    spec.name: spec.with_lang() for spec in (*SCORES, *KPIS, *SEGMENTS)
}
