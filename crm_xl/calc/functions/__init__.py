"""Excel's worksheet functions, one module per category of Excel's function reference, all
registered in the one registry of :mod:`crm_xl.calc.functions.registry`. Importing this
package registers them all; the evaluator takes :data:`BUILTINS` and :data:`VOLATILE` from
here.

- :mod:`~crm_xl.calc.functions.math`: math and trigonometry (SUM, SUMPRODUCT, ROUND, MOD...)
- :mod:`~crm_xl.calc.functions.integers`: GCD, LCM, ROMAN, ARABIC
- :mod:`~crm_xl.calc.functions.statistical`: AVERAGE, COUNT, MAX, STDEV, MEDIAN, RANK...
- :mod:`~crm_xl.calc.functions.aggregate`: SUBTOTAL and AGGREGATE (filtered and hidden rows)
- :mod:`~crm_xl.calc.functions.regression`: LINEST, LOGEST, TREND, GROWTH, FORECAST (the fit
  in :mod:`~crm_xl.calc.functions.least_squares`)
- :mod:`~crm_xl.calc.functions.criteria`: COUNTIF(S), SUMIF(S), AVERAGEIF(S), MAXIFS, MINIFS
- :mod:`~crm_xl.calc.functions.lookup`: lookup and reference (VLOOKUP, XLOOKUP, INDEX...)
- :mod:`~crm_xl.calc.functions.references`: INDIRECT, OFFSET, ANCHORARRAY, FORMULATEXT
- :mod:`~crm_xl.calc.functions.arrays`: dynamic arrays (SEQUENCE, FILTER, UNIQUE, SORT...)
- :mod:`~crm_xl.calc.functions.logical`: AND, OR, NOT... (IF and its kind are the evaluator's)
- :mod:`~crm_xl.calc.functions.information`: ISNUMBER, ISERROR, TYPE...
- :mod:`~crm_xl.calc.functions.text`: text (LEFT, SUBSTITUTE, TEXT...), with the number
  formats of :mod:`~crm_xl.calc.functions.number_format`
- :mod:`~crm_xl.calc.functions.dates`: date and time (DATE, YEAR, EDATE...)
- :mod:`~crm_xl.calc.functions.financial`: FV, PV, PMT, NPV, IRR, RATE...
- :mod:`~crm_xl.calc.functions.engineering`: CONVERT
- :mod:`~crm_xl.calc.functions.matrix`: MMULT, MDETERM, MINVERSE

Example::

    >>> "VLOOKUP" in BUILTINS and "TODAY" in VOLATILE, BUILTINS["STDEV.S"].fn is BUILTINS["STDEV"].fn
    (True, True)
"""

from __future__ import annotations

# Each category module registers its functions when it is imported.
from crm_xl.calc.functions import (  # noqa: F401
    aggregate,
    arrays,
    criteria,
    dates,
    engineering,
    financial,
    information,
    integers,
    logical,
    lookup,
    math,
    matrix,
    references,
    regression,
    statistical,
    text,
)
from crm_xl.calc.functions.registry import BUILTINS, REFUSED, VOLATILE, Builtin, builtin, call

__all__ = ["BUILTINS", "REFUSED", "VOLATILE", "Builtin", "builtin", "call"]
