"""The Chinese wordings of what is wrong with a scorecard file (its TOML syntax, keys,
weights, tiers): part of :func:`crm_xl.core.problem_words.problem_text`, which tries these
rules before its own. Key names (``weight``, ``[[indicators]]``), values the user wrote and
file names stay as they are; Python's TOML reader's reasons are translated too.

Example::

    >>> from crm_xl.core.problem_words import problem_text
    >>> problem_text("unknown key (did you mean 'weight'?)", "zh")
    '未知的键(是否指“weight”?)'
    >>> problem_text("not valid TOML: Invalid value (at line 3, column 9)", "zh")
    '不是有效的 TOML:无效的值(第 3 行第 9 列)'
"""

from __future__ import annotations

import re
from collections.abc import Callable

Words = str | Callable[[tuple[str, ...]], str]

#: tomllib's reasons (Python 3.11-3.14), before "(at line L, column C)"
_TOML_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), w)
    for p, w in (
        (r"^Invalid statement$", "无效的语句"),
        (r"^Expected newline or end of document after a statement$", "一条语句之后应换行"),
        (r"^Expected '=' after a key in a key/value pair$", "键之后应有“=”"),
        (r"^Expected ']' at the end of a table declaration$", "表头的末尾应有“]”"),
        (r"^Expected ']]' at the end of an array declaration$", "数组表头的末尾应有“]]”"),
        (r"^Expected (.*)$", "应为 {0}"),
        (r"^Found invalid character (.*)$", "发现无效字符 {0}"),
        (r"^Illegal character (.*)$", "非法字符 {0}"),
        (r"^Cannot overwrite a value$", "不能覆盖已有的值(同一个键写了两次?)"),
        (r"^Cannot declare (.*) twice$", "不能两次声明 {0}"),
        (r"^Cannot mutate immutable namespace (.*)$", "不能修改不可变的命名空间 {0}"),
        (r"^Cannot redefine namespace (.*)$", "不能重新定义命名空间 {0}"),
        (r"^There is no nest behind this key$", "此键之后没有可嵌套的表"),
        (r"^An object other than list found behind this key$", "此键之后不是数组"),
        (r"^Invalid initial character for a key part$", "键的首字符无效"),
        (r"^Unclosed array$", "数组没有闭合"),
        (r"^Unclosed inline table$", "内联表没有闭合"),
        (r"^Duplicate inline table key (.*)$", "内联表中的键 {0} 重复"),
        (r"^Unescaped '\\' in a string$", "字符串中有未转义的“\\”"),
        (r"^Invalid hex value$", "无效的十六进制值"),
        (r"^Escaped character is not a Unicode scalar value$", "转义的字符不是 Unicode 标量值"),
        (r"^Unterminated string$", "字符串没有结束(缺少引号)"),
        (r"^Invalid date or datetime$", "无效的日期或日期时间"),
        (r"^Invalid value$", "无效的值"),
    )
)


def _toml(reason: str, line: str | None, column: str | None) -> str:
    words = reason
    for pattern, zh in _TOML_ZH:
        m = pattern.match(reason)
        if m:
            words = zh.format(*m.groups())
            break
    if line is None:
        return f"不是有效的 TOML:{words}(在文件末尾)"
    return f"不是有效的 TOML:{words}(第 {line} 行第 {column} 列)"


def _known(g: tuple[str, ...]) -> str:
    if g[0]:
        return f"未知的键(是否指“{g[0]}”?)"
    return f"未知的键;可用的键:{g[1]}"


#: (pattern, words) of the scorecard file's problems, tried in order
SCORECARD_REASONS_ZH: tuple[tuple[re.Pattern[str], Words], ...] = tuple(
    (re.compile(pattern, re.S), words)
    for pattern, words in (
        # -- the file ---------------------------------------------------------------------
        (
            r"^not valid TOML: (.*?)(?: \(at line (\d+), column (\d+)\)| \(at end of document\))$",
            lambda g: _toml(*g),
        ),
        (
            r"^not a scorecard: its arrays or tables are nested too deeply$",
            "不是评分卡:其中的数组或表嵌套得太深",
        ),
        (r"^is a folder, not a scorecard file$", "是文件夹,不是评分卡文件"),
        (
            r"^is not a regular file \(a pipe or a device\?\)$",
            "不是普通文件(是管道或设备?)",
        ),
        (r"^([\d,]+) bytes is too large for a scorecard file$", "{0} 字节,评分卡文件太大"),
        (r"^no such file$", "文件不存在"),
        (r"^cannot be read: (.*)$", "无法读取:{0}"),
        (
            r"^not UTF-8 text \((.*) at byte (\d+)\): save it as UTF-8$",
            "不是 UTF-8 文本(第 {1} 字节:{0}):请另存为 UTF-8",
        ),
        # -- keys and values --------------------------------------------------------------
        (r"^unknown key(?: \(did you mean '(.*)'\?\)|; known keys: (.*))$", _known),
        (r"^is required$", "必须填写"),
        (r"^must be a table, got (.*)$", "须为表,实为 {0}"),
        (r"^must be a table of rule = value$", "须为“规则 = 数值”的表"),
        (r"^must be non-empty text, got (.*)$", "须为非空文本,实为 {0}"),
        (r"^must be a number, got (.*)$", "须为数字,实为 {0}"),
        (r"^must be a whole number, got (.*)$", "须为整数,实为 {0}"),
        (r"^must be between -1e15 and 1e15, got (.*)$", "须在 -1e15 到 1e15 之间,实为 {0}"),
        (r"^must be from (.*) to (.*), got (.*)$", "须在 {0} 到 {1} 之间,实为 {2}"),
        (r"^must not be negative, got (.*)$", "不能为负数,实为 {0}"),
        (r"^'(.*)' is already used by (.*)$", "“{0}”已被 {1} 使用"),
        (r"^give a label: label_zh, label_en or both$", "请给出名称:label_zh、label_en 或两者"),
        (
            r"^must be an array of tables \(\[\[dimensions\]\]\)$",
            "须为表的数组([[dimensions]])",
        ),
        (
            r"^only used with scale = \"linear\" \(this scale is (.*)\)$",
            '只用于 scale = "linear"(此处换算方式为 {0})',
        ),
        (r"^only used with scale = \"form\"$", '只用于 scale = "form"'),
        (
            r"^floor and target are both (.*): they must differ$",
            "下限和目标值都是 {0}:两者须不同",
        ),
        (
            r"^must be \[lowest, highest\], e\.g\. \[1, 5\]$",
            "须为 [最低分, 最高分],如 [1, 5]",
        ),
        (
            r"^no dimension '(.*)'(?: \(did you mean '(.*)'\?\))?$",
            lambda g: f"没有维度“{g[0]}”" + (f"(是否指“{g[1]}”?)" if g[1] else ""),
        ),
        (r"^no \[\[dimensions\]\] are declared$", "没有声明 [[dimensions]]"),
        (r"^dimension '(.*)' has no indicators$", "维度“{0}”没有指标"),
        (r"^must be an array of column names$", "须为列名的数组"),
        (
            r"^give at least one indicator \(\[\[indicators\]\] with id and weight\)$",
            "请至少给出一个指标(带 id 和 weight 的 [[indicators]])",
        ),
        (r"^must be an array of numbers, e\.g\. \[80, 60\]$", "须为数字的数组,如 [80, 60]"),
        (
            r"^must be an array of labels, e\.g\. \[\"A\", \"B\", \"C\"\]$",
            '须为等级名称的数组,如 ["A", "B", "C"]',
        ),
        # -- weights (the hint of a scorecard file) ---------------------------------------
        (
            r"^weights sum to (.*), not 100 % \(100 or 1\): fix them, or set weight_sum = \"normalize\" under \[scorecard\] \(CLI: --normalize-weights\)$",
            '权重合计为 {0},不是 100%(100 或 1):请修改权重,或在 [scorecard] 下设置 weight_sum = "normalize"(命令行:--normalize-weights)',
        ),
    )
)
