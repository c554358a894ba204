"""What a worksheet cell holds, in and out of crm_xl's Excel functions.

Both ways of running a ``CRM_*`` function — desktop Excel through xlwings and the headless
recalculation — hand the implementation cell values and show what it returns, so both go
through this module and show the same thing.

In: a cell is a number, text, a boolean, a date (a ``datetime``), an error (as its text,
``"#N/A"``) or empty (``None``; a formula returning ``""`` counts as empty too). A range is
a list of rows. The rules (see :mod:`crm_xl.core.inputs`): empty is *missing*, never 0; text,
booleans, dates and errors where a number belongs are *invalid* and named in the result.

Out: a number; ``""`` where every input was empty (a blank row of a table stays blank); or,
where there is no value, **error text**: the Excel error that fits, then the reason, e.g.
``#DIV/0! no customers at the start of the period (start = 0): churn rate has no value``.
xlwings cannot return true Excel error values from a Python function (it writes NaN and
None as empty cells), so crm_xl returns this text in both Excel and headless mode: it reads
like an error, says why, and ``ISNUMBER()`` is FALSE for it.

The reason is in the language the formula asks for (every function's optional last
argument ``lang``; crm_xl's workbooks pass ``crm_lang``): the implementations word it in
English and :func:`in_language` — called once, where a function's result becomes cell
values (:func:`crm_xl.excel.arguments.worksheet_function`) — gives it in Chinese through
:func:`crm_xl.core.problem_words.problem_text`. So Excel, xlwings Lite, LibreOffice and
``crm-xl recalc`` show the same text.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crm_xl.core.problem_words import problem_text
from crm_xl.core.result import DIV0, INCONSISTENT, INVALID, MISSING, NO_DATA, Result, Undefined
from crm_xl.errors import EXCEL_ERRORS

# The errors crm_xl shows, by their ERROR.TYPE number (EXCEL_ERRORS is in that order).
_DIV0, _VALUE, _NUM, _NA = (EXCEL_ERRORS[number - 1] for number in (2, 3, 6, 7))

#: Why a result has no value (:mod:`crm_xl.core.result`) → the Excel error a cell shows.
ERROR_FOR_CODE = {
    DIV0: _DIV0,
    NO_DATA: _NA,
    MISSING: _NA,
    INVALID: _VALUE,
    INCONSISTENT: _NUM,
}

#: The longest reason shown in a cell (after the error code); Excel shows long text poorly.
MAX_TEXT = 160


def error_text(reason: Undefined | str, code: str = INVALID) -> str:
    """The text a cell shows for ``reason``: Excel's error, a space, the reason.

    Example::

        >>> error_text(Undefined("div0", "start = 0"))
        '#DIV/0! start = 0'
        >>> error_text("weights sum to 90")
        '#VALUE! weights sum to 90'
    """
    if isinstance(reason, Undefined):
        code, message = reason.code, reason.message
    else:
        message = str(reason)
    # no cut here: in_language cuts a long text, after translating it
    return f"{ERROR_FOR_CODE.get(code, _VALUE)} {message}"


#: The languages of error texts (the ``lang`` argument), and the default.
LANGS = ("en", "zh")


def language(lang: Any) -> str:
    """The ``lang`` argument as ``"en"`` or ``"zh"``: omitted is English; case and spaces
    do not matter; any other value is refused (ValueError), never silently English.

    Example::

        >>> language(None), language(" ZH "), language("en")
        ('en', 'zh', 'en')
    """
    if is_empty(lang):
        return "en"
    text = str(lang).strip().lower() if isinstance(lang, str) else lang
    if text not in LANGS:
        raise ValueError(f'lang must be "en" or "zh", got {lang!r}')
    return text


def _is_error_text(value: Any) -> bool:
    return value.__class__ is str and value[:1] == "#" and " " in value


def in_language(value: Any, lang: str) -> Any:
    """A function's result (a value or a list of rows) with every error text's reason in
    ``lang``, cut to :data:`MAX_TEXT`; anything else unchanged. Text already in Chinese
    stays as it is, so a reason carried over from another cell is not translated twice.
    Cut after translating: a reason cut short would have no Chinese wording.

    Example::

        >>> in_language([["#VALUE! answer 7 is outside the 1-5 scale"], [50.0]], "zh")
        [['#VALUE! 评分 7 超出 1-5 分的范围'], [50.0]]
        >>> in_language("#VALUE! answer 7 is outside the 1-5 scale", "en")
        '#VALUE! answer 7 is outside the 1-5 scale'
    """
    if isinstance(value, list):
        return [in_language(v, lang) for v in value]
    if not _is_error_text(value):
        return value
    code, _, reason = (problem_text(value, lang) if lang != "en" else value).partition(" ")
    if len(reason) > MAX_TEXT:
        reason = reason[: MAX_TEXT - 3] + "..."
    return f"{code} {reason}"


def is_empty(value: Any) -> bool:
    """An empty cell: ``None``, ``""`` or NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    return isinstance(value, float) and value != value


def grid(value: Any) -> list[list[Any]]:
    """A cell or range as a list of rows: ``5`` → ``[[5]]``, ``[1, 2]`` → ``[[1, 2]]``.

    A 1-D list is one row (that is how xlwings passes a row with ``ndim=1``); numpy arrays
    and nested lists are taken as they are.

    Example::

        >>> grid(5), grid([1, 2]), grid([[1], [2]])
        ([[5]], [[1, 2]], [[1], [2]])
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if not value:
        return [[]]
    if not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(row) for row in value]


def flat(value: Any) -> list[Any]:
    """Every cell of a cell or range, row by row."""
    return [c for row in grid(value) for c in row]


def all_empty(*values: Any) -> np.ndarray:
    """Per cell of the broadcast shape: True where every argument's cell is empty."""
    masks = [np.vectorize(is_empty, otypes=[bool])(np.array(grid(v), dtype=object)) for v in values]
    return np.logical_and.reduce(np.broadcast_arrays(*masks))


def show(result: Result, blank: np.ndarray | None = None) -> Any:
    """A :class:`Result` as cell values: a single value, or a list of rows like the input.

    ``blank`` marks cells whose inputs were all empty: they show ``""``.
    """
    values = np.asarray(result.values, dtype=float)
    shape = values.shape
    flat_values = values.reshape(-1)
    out = flat_values.astype(object)  # Python floats; the cells without a value follow
    no_value = np.isnan(flat_values)
    flat_blank = (
        None if blank is None else np.broadcast_to(np.asarray(blank, dtype=bool), shape).reshape(-1)
    )
    if flat_blank is not None:
        no_value &= ~flat_blank
        out[flat_blank] = ""
    if no_value.any():
        flat_reasons = result.reasons.reshape(-1)
        for i in np.flatnonzero(no_value):
            why = flat_reasons[i]
            out[i] = error_text(why) if why is not None else error_text("no value", NO_DATA)
    if values.ndim == 0 or values.size == 1:
        return out[0]
    return out.reshape(shape if values.ndim == 2 else (-1, 1)).tolist()


def column(values: list[Any]) -> Any:
    """A list of per-row results as cells: one value for one row, else a spilled column."""
    if len(values) == 1:
        return values[0]
    return [[v] for v in values]
