"""Data problems in Chinese: the core words its reasons in English (one wording, tested),
and the Chinese workbook's users read them through :func:`problem_text`.

A reason may carry the cell's error code and the place it came from, one level deep
(``#VALUE! indicator 4: answer 7 is outside the 1-5 scale``, ``Satisfaction: 'n/a' is
text, not a number``): the code stays, the place and the reason are translated. A reason
with no Chinese wording here is shown as it is (English), never dropped.

Example::

    >>> problem_text("#VALUE! indicator 4: answer 7 is outside the 1-5 scale", "zh")
    '#VALUE! 指标 4:评分 7 超出 1-5 分的范围'
    >>> problem_text("'n/a' is text, not a number", "en")
    "'n/a' is text, not a number"
"""

from __future__ import annotations

import re

_REASONS_ZH = (
    (re.compile(r"^'(.*)' is text, not a number$", re.S), "“{0}”是文本,不是数字"),
    (re.compile(r"^'(.*)' is a number stored as text$", re.S), "“{0}”是以文本形式存储的数字"),
    (re.compile(r"^(TRUE|FALSE) is a logical value, not a number$"), "{0} 是逻辑值,不是数字"),
    (re.compile(r"^(.*) is a date, not a number$", re.S), "{0} 是日期,不是数字"),
    (re.compile(r"^(.*) is not a number$", re.S), "{0} 不是数字"),
    (re.compile(r"^the input shows the error (.*)$", re.S), "单元格显示错误 {0}"),
    (re.compile(r"^answer (.*) is outside the (.*) scale$"), "评分 {0} 超出 {1} 分的范围"),
    (re.compile(r"^(.*) is blank$"), "{0}为空"),
    (re.compile(r"^floor or target is blank$"), "下限或目标值为空"),
    (re.compile(r"^floor and target are equal$"), "下限与目标值相等"),
    (re.compile(r"^no values to scale$"), "没有可换算的数值"),
    (
        re.compile(r"^every value is (.*): min-max scaling separates nobody$"),
        "所有数值都是 {0}:最小-最大换算无法区分客户",
    ),
    (re.compile(r"^scale must be one of (.*), got (.*)$"), "换算方式须为 {0} 之一,实为 {1}"),
    (
        re.compile(
            r"^weights sum to (.*), not 100 % \(100 or 1\): normalised to 100 % by dividing by (.*)$"
        ),
        "权重合计为 {0},不是 100%(100 或 1):已除以 {1} 换算为 100%",
    ),
    (
        re.compile(r"^every customer has the same value; left out of the scores$"),
        "所有客户数值相同,不计入综合得分",
    ),
    (
        re.compile(r"^no indicator values \((\d+) of (\d+) indicators given\)$"),
        "没有任何指标值({1} 个指标中给出 {0} 个)",
    ),
    (
        re.compile(r"^only (\d+) of (\d+) indicators given \(at least (\d+) required\)$"),
        "只给出 {1} 个指标中的 {0} 个(至少需要 {2} 个)",
    ),
)

_PLACES_ZH = (
    (re.compile(r"^indicator (\d+)$"), "指标 {0}"),
    (re.compile(r"^indicators in dimension '(.*)'$"), "维度“{0}”中的指标"),
    (re.compile(r"^dimension (.*)$"), "维度 {0}"),
    (re.compile(r"^dimensions$"), "各维度"),
    (re.compile(r"^indicators$"), "各指标"),
    (re.compile(r"^value$"), "数值"),
    (re.compile(r"^answer$"), "评分"),
)

_CODE = re.compile(r"^(#[A-Z0-9/]+[!?]|#N/A)\s+(.*)$", re.S)


def _reason(text: str) -> str:
    for pattern, words in _REASONS_ZH:
        m = pattern.match(text)
        if m:
            return words.format(*m.groups())
    return text


def _place(text: str) -> str:
    for pattern, words in _PLACES_ZH:
        m = pattern.match(text)
        if m:
            return words.format(*m.groups())
    return text  # a label: already in the workbook's language


def problem_text(message: str, lang: str) -> str:
    """``message`` (a data problem's reason) in ``lang``: Chinese for ``"zh"``, else as is.

    Example::

        >>> problem_text("answer 7 is outside the 1-5 scale", "zh")
        '评分 7 超出 1-5 分的范围'
        >>> problem_text("#VALUE! 客户满意度: 'n/a' is text, not a number", "zh")
        '#VALUE! 客户满意度:“n/a”是文本,不是数字'
        >>> problem_text("#NUM! something new", "zh")
        '#NUM! something new'
        >>> problem_text("indicators in dimension 'value': weights sum to 105, not 100 % (100 or 1): normalised to 100 % by dividing by 105", "zh")
        '维度“value”中的指标:权重合计为 105,不是 100%(100 或 1):已除以 105 换算为 100%'
    """
    if lang != "zh":
        return message
    code = ""
    m = _CODE.match(message)
    if m:
        code, message = m.group(1) + " ", m.group(2)
    translated = _reason(message)
    if translated == message and ": " in message:
        place, _, reason = message.partition(": ")
        translated = f"{_place(place)}:{_reason(reason)}"
        if translated == f"{place}:{reason}":
            translated = message
    return code + translated
