"""The Basic module that makes ``=CRM_SCORE(…)`` work in LibreOffice Calc, made from the registry.

LibreOffice Calc calls a Basic function named like the one in a formula, for ``.xlsx``
files too, and saves the formula back under that name (``CRM_SCORE(…)``, what Excel and
crm_xl read). Measured on LibreOffice 7.4.7: a cell can call such a function only when it
lives in the application's **Standard** library — a function in an extension's own Basic
library is found once the library is loaded, but its call fails (``#VALUE!``; most likely
Calc runs the macro of any other library as if it were the document's). So the extension (:mod:`crm_xl.excel.libreoffice_extension`)
ships this module's text and puts it into the user's Standard library as the module
``CrmXl`` each time LibreOffice starts.

One wrapper per registry entry, with the registry's arguments in order (all ``Optional``
in Basic, see :func:`wrapper`; parameter names get a ``p_`` prefix, as ``end`` and ``new``
are Basic keywords). A wrapper does no arithmetic: it collects the arguments given (an
omitted optional one is left out, so crm_xl's default applies) and hands them to ``CrmXlCall``,
which calls the extension's Python component (:mod:`crm_xl.excel.libreoffice_bridge`,
service ``org.crmxl.Functions``) and turns a range result into the 2-D array Calc fills an
array formula with. The function's help is in comments above each wrapper.

Example::

    >>> text = basic_module()
    >>> "REM  CRM_SCORE(values, weights, [normalize], [lang]): Weighted composite score" in text
    True
    >>> text.count("End Function") == len(SPECS) + 1  # the wrappers and CrmXlCall
    True
"""

from __future__ import annotations

from crm_xl.excel.registry import SPECS, FunctionSpec

#: The module's name in the Standard library.
MODULE = "CrmXl"
#: The parameter after the registry's: given, it means too many arguments.
MORE = "more_arguments"
#: The UNO service of the Python component the wrappers call.
SERVICE = "org.crmxl.Functions"

_HEADER = f"""REM  Written by the crm_xl LibreOffice extension (crm-xl libreoffice-extension).
REM  It is put back into the Standard library each time LibreOffice starts with the
REM  extension installed: edits here are lost. After removing the extension, delete this
REM  module (Tools > Macros > Edit Macros > My Macros > Standard > {MODULE}).
REM  Each function hands its arguments to crm_xl's Python code unchanged; see
REM  docs/setup-libreoffice.md and docs/functions.md of crm_xl.
Option Explicit

Private crmXlBridge As Object  ' the Python component, made once per LibreOffice session

"""

_CALL = f"""
REM  Calls crm_xl's implementation through the extension's Python component; a range
REM  result (rows of cells) becomes a 1-based 2-D array, which fills an array formula.
Function CrmXlCall(name As String, args)
    Dim result, cells(), r As Long, c As Long
    On Error GoTo failed
    If IsNull(crmXlBridge) Then crmXlBridge = CreateUnoService("{SERVICE}")
    If IsNull(crmXlBridge) Then
        CrmXlCall = "#NAME? the crm_xl extension is not installed ({SERVICE} is missing)"
        Exit Function
    End If
    result = crmXlBridge.Call(name, args)
    If IsArray(result) Then
        ReDim cells(1 To UBound(result) + 1, 1 To UBound(result(0)) + 1)
        For r = 0 To UBound(result)
            For c = 0 To UBound(result(0))
                cells(r + 1, c + 1) = result(r)(c)
            Next c
        Next r
        CrmXlCall = cells
    Else
        CrmXlCall = result
    End If
    Exit Function
failed:
    CrmXlCall = "#VALUE! crm_xl could not be called: " & Error$
End Function
"""


def _comment(text: str) -> str:
    return "".join(f"REM  {line}\n" for line in text.splitlines() if line.strip())


def wrapper(spec: FunctionSpec) -> str:
    """The Basic function for ``spec``: its help as comments, then the call.

    Every parameter is ``Optional`` in Basic, required ones too, and one more follows
    (``more_arguments``): a Basic function called from a cell without a required argument
    leaves the cell blank, and extra arguments are dropped without a word. So the wrapper
    counts what was given and crm_xl says what is wrong (``#VALUE! CRM_CHURN needs 2
    arguments…``); the comment above it shows the registry's signature, optional arguments
    in brackets.

    Example::

        >>> print(wrapper(SPECS["CRM_CHURN"]).split("Function ", 1)[1])
        CRM_CHURN(Optional p_lost, Optional p_start, Optional p_lang, Optional more_arguments)
            Dim args(3), given As Integer
            If Not IsMissing(p_lost) Then args(0) = p_lost: given = 1
            If Not IsMissing(p_start) Then args(1) = p_start: given = 2
            If Not IsMissing(p_lang) Then args(2) = p_lang: given = 3
            If Not IsMissing(more_arguments) Then given = 4
            ReDim Preserve args(given - 1)
            CRM_CHURN = CrmXlCall("CRM_CHURN", args)
        End Function
        <BLANKLINE>
    """
    names = [f"p_{a.name}" for a in spec.arguments]
    params = ", ".join(f"Optional {n}" for n in [*names, MORE])
    lines = [_comment(f"{spec.signature()}: {spec.description.en}")]
    if spec.description.zh:
        lines.append(_comment(spec.description.zh))
    for a in spec.arguments:
        lines.append(_comment(f"  {a.name}: {a.help.zh or a.help.en}"))
        if a.help.zh:
            lines.append(_comment(f"  {a.name}: {a.help.en}"))
    lines.append(f"Function {spec.name}({params})\n")
    lines.append(f"    Dim args({len(names)}), given As Integer\n")
    # Calc gives arguments from the left: the last one given says how many there are
    for i, n in enumerate(names):
        lines.append(f"    If Not IsMissing({n}) Then args({i}) = {n}: given = {i + 1}\n")
    lines.append(f"    If Not IsMissing({MORE}) Then given = {len(names) + 1}\n")
    lines.append("    ReDim Preserve args(given - 1)\n")
    lines.append(f'    {spec.name} = CrmXlCall("{spec.name}", args)\n')
    lines.append("End Function\n")
    return "".join(lines)


def basic_module() -> str:
    """The text of the ``CrmXl`` Basic module: every ``CRM_*`` wrapper and ``CrmXlCall``."""
    return _HEADER + "\n".join(wrapper(spec) for spec in SPECS.values()) + _CALL
