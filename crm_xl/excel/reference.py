"""The reference page of the worksheet functions, ``docs/functions.md``, made from the registry.

Regenerate it with ``python -m crm_xl.excel.reference > docs/functions.md``; a test fails
when the page in the repository is out of date.
"""

from __future__ import annotations

from crm_xl.excel.registry import SPECS


def reference_markdown() -> str:
    """The function reference page (``docs/functions.md``), generated from the registry.

    Each argument's help is shown in English and Chinese, and so is the result.

    Example::

        >>> page = reference_markdown()
        >>> "## CRM_SCORE(values, weights, [normalize], [lang])" in page
        True
        >>> "| `among` | Optional: the whole column" in page, "**结果:** 一个数值。" in page
        (True, True)
    """
    lines = [
        "# Worksheet functions reference",
        "",
        "Generated from `crm_xl/excel/registry.py` (`python -m crm_xl.excel.reference > docs/functions.md`);",
        "a test fails when this page is out of date. Optional arguments are in brackets.",
        "What a cell shows when there is no value: see the end of this page.",
        "",
    ]
    for spec in SPECS.values():
        lines += [f"## {spec.signature()}", "", spec.description.en, "", spec.description.zh, ""]
        lines += ["| argument | meaning | 说明 |", "|---|---|---|"]
        lines += [f"| `{a.name}` | {a.help.en} | {a.help.zh} |" for a in spec.arguments]
        lines += [
            "",
            f"**Result:** {spec.result.help.en}.  ",
            f"**结果:** {spec.result.help.zh}。  ",
            f"**Example:** `{spec.example}`",
            "",
        ]
    lines += [
        "## When there is no value",
        "",
        "A cell shows error text: the Excel error that fits, then the reason.",
        "",
        "| shown | when |",
        "|---|---|",
        "| `#DIV/0! …` | a denominator is zero (churn with no customers at the start, CAC with no new customers) |",
        "| `#N/A …` | nothing to compute from (no survey responses; one input of a row blank) |",
        "| `#VALUE! …` | an input is not a usable number (text, TRUE/FALSE, a date, an error cell, an answer outside its scale), or the arguments do not fit together |",
        "| `#NUM! …` | inputs contradict each other (more customers lost than at the start) |",
        '| empty (`""`) | every input of that row or cell is empty: a blank table row stays blank |',
        "",
        "xlwings cannot return Excel's own error values from Python, so this is text in Excel and",
        "in `crm-xl recalc` alike; `=ISNUMBER(cell)` is FALSE for it.",
        "",
        "The reason is in the language of the last argument, `lang`: English when it is omitted,",
        'Chinese with `"zh"` (`#VALUE! 指标 2:“n/a”是文本,不是数字`). crm_xl\'s workbooks pass their',
        "`crm_lang` name, so the text is the workbook's language in every binding; formulas written",
        "before `lang` existed keep working and show English. 错误说明的语言由最后一个参数 `lang`",
        '决定:省略为英文,`"zh"` 为中文;crm_xl 生成的工作簿传入 `crm_lang`。',
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(reference_markdown(), end="")
