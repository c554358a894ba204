"""Data problems in Chinese: the core words its reasons in English (one wording, tested),
and the Chinese workbook's users read them through :func:`problem_text`.

A reason may carry the cell's error code and the places it came from, each before a
``": "`` (``#VALUE! indicator 4: answer 7 is outside the 1-5 scale``, ``left out of the RFM
ranking: monetary: 'n/a' is text, not a number``): the code stays, each place and the
reason are translated; problems joined by ``"; "`` are translated one by one. What the user
typed (quoted), numbers, argument names and the values an argument accepts (``'lower'``,
``TRUE``) stay as they are. A reason with no Chinese wording here is shown as it is
(English), never dropped; text already in Chinese is left alone, so translating twice
changes nothing. Every reason a ``CRM_*`` function gives has its wording here (tested by
driving each function with bad input, ``tests/excel/test_error_language.py``).

Example::

    >>> problem_text("#VALUE! indicator 4: answer 7 is outside the 1-5 scale", "zh")
    '#VALUE! 指标 4:评分 7 超出 1-5 分的范围'
    >>> problem_text("'n/a' is text, not a number", "en")
    "'n/a' is text, not a number"
"""

from __future__ import annotations

import re
from collections.abc import Callable

from crm_xl.core.scorecard_words import SCORECARD_REASONS_ZH

# the words of places: arguments of the CRM_* functions and of the core, and parts of a table
_TERMS = {
    "value": "数值",
    "answer": "评分",
    "weight": "权重",
    "threshold": "阈值",
    "dimensions": "各维度",
    "indicators": "各指标",
    "dimension_weights": "维度权重",
    "directions": "方向",
    "scheme": "分群方案",
    "matrix": "判断矩阵",
    "tiers.thresholds": "阈值",
    "tiers.labels": "等级名称",
    "weights": "权重",
    "lost": "流失客户数",
    "start": "期初客户数",
    "end": "期末客户数",
    "new": "新增客户数",
    "before": "上期销售额",
    "after": "本期销售额",
    "cost": "获客成本",
    "new_customers": "新增客户数",
    "annual_revenue": "年收入",
    "years": "合作年数",
    "cac": "获客成本",
    "margin": "年利润",
    "retention": "留存率",
    "discount_rate": "折现率",
    "recency": "最近购买天数",
    "frequency": "购买次数",
    "monetary": "消费金额",
    "left out of the RFM ranking": "未参与 RFM 排名",
}

_Words = str | Callable[[tuple[str, ...]], str]


def _list(text: str) -> str:
    """``1×2 and 1×3`` → ``1×2、1×3``; ``2, 1, 1`` stays."""
    return text.replace(" and ", "、")


def _shown(text: str) -> str:
    """A survey answer as the core shows it: ``'great' (text)`` → ``“great”(文本)``."""
    for en, zh in (
        (" (text)", "(文本)"),
        (" (a logical value)", "(逻辑值)"),
        (" (not a number)", "(不是数字)"),
    ):
        if text.endswith(en):
            return _quoted(text[: -len(en)]) + zh
    return text


def _quoted(text: str) -> str:
    """``'n/a'`` → ``“n/a”`` (Chinese quotation marks); anything else as it is."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return f"“{text[1:-1]}”"
    return text


_REASONS_ZH: tuple[tuple[re.Pattern[str], _Words], ...] = SCORECARD_REASONS_ZH + tuple(
    (re.compile(pattern, re.S), words)
    for pattern, words in (
        # -- a cell's value ---------------------------------------------------------------
        (r"^'(.*)' is text, not a number$", "“{0}”是文本,不是数字"),
        (r"^'(.*)' is a number stored as text$", "“{0}”是以文本形式存储的数字"),
        (r"^(TRUE|FALSE) is a logical value, not a number$", "{0} 是逻辑值,不是数字"),
        (r"^(.*) is a date, not a number$", "{0} 是日期,不是数字"),
        (r"^(.*) is not a finite number$", "{0} 不是有限的数"),
        (
            r"^(.*) is not a number \(the cell holds an overflowing value such as 1e999\)$",
            "{0} 不是数字(单元格中是溢出的数值,如 1e999)",
        ),
        (r"^'(.*)' is not a number$", "“{0}”不是数字"),
        (r"^(.*) is a date/time, not a number$", "{0} 是日期或时间,不是数字"),
        (
            r"^(.*) is outside the range crm_xl scores \(-1e15 to 1e15\)$",
            "{0} 超出 crm_xl 可评分的范围(-1e15 到 1e15)",
        ),
        (r"^\.\.\. and (\d+) more problem\(s\)$", "……另有 {0} 个问题"),
        (
            r"^no column '(.*)', needed by indicators\[(\d+)\] \(([^()]*)\)(?: \(did you mean '(.*)'\?\))?; the table's columns are: (.*)$",
            lambda g: (
                f"没有“{g[0]}”列(第 {g[1]} 个指标 {g[2]} 需要此列)"
                + (f"(是否指“{g[3]}”?)" if g[3] else "")
                + f";表中的列为:{g[4]}"
            ),
        ),
        (r"^(.*) is not a number$", "{0} 不是数字"),
        (r"^(.*) is not finite$", "{0} 不是有限的数"),
        (r"^the input shows the error (.*)$", "单元格显示错误 {0}"),
        (r"^answer (.*) is outside the (.*) scale$", "评分 {0} 超出 {1} 分的范围"),
        (r"^value is blank: no tier$", "数值为空,没有等级"),
        (r"^weight is blank$", "权重为空"),
        (r"^threshold is blank$", "阈值为空"),
        (r"^label is blank$", "等级名称为空"),
        # -- scales -----------------------------------------------------------------------
        (r"^floor or target is blank$", "下限或目标值为空"),
        (r"^floor and target are equal$", "下限与目标值相等"),
        (r"^no values to scale$", "没有可换算的数值"),
        (
            r"^every value is (.*): min-max scaling separates nobody$",
            "所有数值都是 {0}:最小-最大换算无法区分客户",
        ),
        (r"^scale must be one of (.*), got (.*)$", "换算方式须为 {0} 之一,实为 {1}"),
        (r"^the linear scale needs a floor and a target$", "linear 换算需要下限和目标值"),
        (r"^form scale needs high > low, got (.*)$", "评分量表须满足 high > low,实为 {0}"),
        (
            r"^direction must be 'higher' or 'lower' \(越高越好 / 越低越好\), got (.*)$",
            "方向须为 'higher'(越高越好)或 'lower'(越低越好),实为 {0}",
        ),
        # -- arguments --------------------------------------------------------------------
        (r"^(\w+) must be TRUE or FALSE, got (.*)$", "{0} 须为 TRUE 或 FALSE,实为 {1}"),
        (r"^(\w+) must be a number, got (.*)$", "{0} 须为数字,实为 {1}"),
        (r"^lang must be \"en\" or \"zh\", got (.*)$", 'lang 须为 "en" 或 "zh",实为 {0}'),
        (
            r"^the ranges must be the same size \(or single cells\), got (.*)$",
            lambda g: f"各区域须大小相同(或为单个单元格),实为 {_list(g[0])}",
        ),
        (r"^must be one of (.*), got (.*)$", "须为 {0} 之一,实为 {1}"),
        (r"^output must be one of (.*), got (.*)$", "output 须为 {0} 之一,实为 {1}"),
        (
            r"^at_threshold must be 'lower' or 'upper', got (.*)$",
            "at_threshold 须为 'lower' 或 'upper',实为 {0}",
        ),
        # -- weights ----------------------------------------------------------------------
        (
            r"^weights sum to (.*), not 100 % \(100 or 1\): normalised to 100 % by dividing by (.*)$",
            "权重合计为 {0},不是 100%(100 或 1):已除以 {1} 换算为 100%",
        ),
        (
            r"^weights sum to (.*), not 100 % \(100 or 1\): fix them, or set the normalize argument to TRUE to rescale them$",
            "权重合计为 {0},不是 100%(100 或 1):请修改权重,或把 normalize 参数设为 TRUE 按比例换算",
        ),
        (
            r"^weights sum to (.*), not 100 % \(100 or 1\): fix the weights, or allow normalisation \(weight_sum='normalize'\)$",
            "权重合计为 {0},不是 100%(100 或 1):请修改权重,或允许按比例换算(weight_sum='normalize')",
        ),
        (r"^weights sum to (.*), not 100 % \(100 or 1\)$", "权重合计为 {0},不是 100%(100 或 1)"),
        (r"^weight (.*) is negative$", "权重 {0} 为负数"),
        (r"^weight (.*) is larger than 1e15$", "权重 {0} 大于 1e15"),
        (r"^weights are all zero$", "权重全部为 0"),
        (r"^no weights given$", "没有给出权重"),
        (
            r"^values have (\d+) column\(s\) per row but there are (\d+) weights: give one weight per indicator column$",
            "每行有 {0} 列数值,但有 {1} 个权重:请为每个指标列给一个权重",
        ),
        # -- scores -----------------------------------------------------------------------
        (
            r"^every customer has the same value; left out of the scores$",
            "所有客户数值相同,不计入综合得分",
        ),
        (
            r"^no indicator values \((\d+) of (\d+) indicators given\)$",
            "没有任何指标值({1} 个指标中给出 {0} 个)",
        ),
        (
            r"^only (\d+) of (\d+) indicators given \(at least (\d+) required\)$",
            "只给出 {1} 个指标中的 {0} 个(至少需要 {2} 个)",
        ),
        (
            r"^values must be one row or a block of rows × indicators$",
            "数值须为一行,或“行 × 指标”的区域",
        ),
        (r"^no weight for dimension\(s\) (.*)$", "维度 {0} 没有权重"),
        (r"^dimension\(s\) (.*) have no indicators$", "维度 {0} 没有指标"),
        (
            r"^(\d+) dimension names? but (\d+) dimension weights?$",
            "有 {0} 个维度名称,但有 {1} 个维度权重",
        ),
        (r"^(\d+) weights? but (\d+) dimension names?$", "有 {0} 个权重,但有 {1} 个维度名称"),
        # -- KPIs -------------------------------------------------------------------------
        (
            r"^no customers at the start of the period \(start = 0\): churn rate has no value$",
            "期初客户数为 0:流失率无法计算",
        ),
        (
            r"^no customers at the start of the period \(start = 0\): retention rate has no value$",
            "期初客户数为 0:留存率无法计算",
        ),
        (r"^lost and start must not be negative$", "流失客户数和期初客户数不能为负数"),
        (r"^more customers lost than there were at the start$", "流失客户数多于期初客户数"),
        (r"^start, end and new must not be negative$", "期初、期末和新增客户数不能为负数"),
        (
            r"^more new customers than customers at the end \(new > end\)$",
            "新增客户数多于期末客户数",
        ),
        (
            r"^more customers retained \(end - new\) than there were at the start$",
            "留存客户数(期末 − 新增)多于期初客户数",
        ),
        (
            r"^no sales in the earlier period \(before = 0\): sales growth has no value$",
            "上期销售额为 0:销售增长率无法计算",
        ),
        (r"^sales before must not be negative$", "上期销售额不能为负数"),
        (
            r"^no new customers in the period \(new customers = 0\): CAC has no value$",
            "本期新增客户数为 0:CAC 无法计算",
        ),
        (r"^cost and new customers must not be negative$", "获客成本和新增客户数不能为负数"),
        (r"^relationship years must not be negative$", "合作年数不能为负数"),
        (r"^CAC must not be negative$", "CAC 不能为负数"),
        (
            r"^discount rate must be greater than -1 \(a fraction: 10 % is 0\.1\)$",
            "折现率须大于 -1(用小数表示:10% 即 0.1)",
        ),
        (
            r"^1 \+ discount rate - retention (is 0|< 0): the formula m·r/\(1 \+ i - r\) needs 1 \+ discount rate - retention > 0$",
            lambda g: (
                f"1 + 折现率 − 留存率{' = 0' if g[0] == 'is 0' else ' < 0'}:"
                "公式 m·r/(1 + i − r) 要求 1 + 折现率 − 留存率 > 0"
            ),
        ),
        (
            r"^retention (.*) must be a fraction between 0 and 1: (.*) % is (.*)$",
            "留存率 {0} 须为 0 到 1 之间的小数:{1}% 即 {2}",
        ),
        (
            r"^retention (.*) must be a fraction between 0 and 1 \(80 % is 0\.8\)$",
            "留存率 {0} 须为 0 到 1 之间的小数(80% 即 0.8)",
        ),
        (
            r"^response (\d+) is (.*): (NPS|CSAT|CES) answers are whole numbers (.*)$",
            lambda g: f"第 {g[0]} 个回答为 {_shown(g[1])}:{g[2]} 的回答须为 {g[3]} 的整数",
        ),
        (r"^no responses: (NPS|CSAT|CES) has no value$", "没有回答:{0} 无法计算"),
        (r"^(CSAT|CES) scale must be one of \((.*)\), got (.*)$", "{0} 量表须为 {1} 之一,实为 {2}"),
        (
            r"^CSAT method must be 'top2box' or 'mean', got (.*)$",
            "CSAT 计算方法须为 'top2box' 或 'mean',实为 {0}",
        ),
        # -- tiers ------------------------------------------------------------------------
        (
            r"^thresholds go from the top tier down, got (.*): list the thresholds from the highest down, e\.g\. (.*); labels from the top tier: (.*)$",
            "阈值须从最高等级往下排列,实为 {0}:请从高到低列出阈值,如 {1};等级名称也从最高等级起:{2}",
        ),
        (
            r"^(\d+) threshold\(s\) make (\d+) tiers, but (\d+) label\(s\) are given$",
            "{0} 个阈值分出 {1} 个等级,但给出了 {2} 个等级名称",
        ),
        (r"^labels must be different from each other$", "等级名称不能重复"),
        (r"^give at least one threshold$", "请至少给出一个阈值"),
        # -- RFM --------------------------------------------------------------------------
        (
            r"^recency, frequency and monetary must be the same length, got (.*)$",
            "recency、frequency 和 monetary 的长度须相同,实为 {0}",
        ),
        (
            r"^(.*) is negative; RFM needs values of 0 or more$",
            "{0} 为负数;RFM 需要不小于 0 的数值",
        ),
        (r"^this customer is not among the columns ranked$", "该客户不在参与排名的各列中"),
        (
            r"^recency holds dates of last purchase: give the as-of date as the sixth argument, e\.g\. TODAY\(\)$",
            "recency 为最近购买日期:请在第六个参数给出截至日期,如 TODAY()",
        ),
        # -- AHP and entropy weights ------------------------------------------------------
        (
            r"^has (\d+) rows? and (\d+) columns?; a pairwise-comparison matrix must be square \(one row and one column per criterion\)$",
            "有 {0} 行 {1} 列;判断矩阵须为方阵(每个准则一行一列)",
        ),
        (
            r"^has (\d+) entr(?:y|ies); a (\d+) × \d+ matrix needs \d+ in every row$",
            "有 {0} 个值;{1} × {1} 的矩阵每行需要 {1} 个值",
        ),
        (r"^has (\d+) criterion; AHP needs at least 2$", "只有 {0} 个准则;AHP 至少需要 2 个"),
        (
            r"^has (\d+) criteria; Saaty's random index table covers at most (\d+): group the criteria into a hierarchy of smaller matrices$",
            "有 {0} 个准则;Saaty 随机一致性指标表最多只到 {1} 个:请把准则分层,拆成较小的矩阵",
        ),
        (
            r"^the matrix is empty: it needs one row and one column per criterion$",
            "判断矩阵为空:每个准则需要一行一列",
        ),
        (
            r"^(.*) \(write a judgement as 3, 0\.333 or 1/3\)$",
            lambda g: f"{_reason(g[0])}(判断值写作 3、0.333 或 1/3)",
        ),
        (r"^'(.*)' divides by zero$", "“{0}”的除数为 0"),
        (
            r"^(.*) must be positive \(Saaty's scale runs from 1/9 to 9\)$",
            "{0} 须为正数(Saaty 标度为 1/9 到 9)",
        ),
        (
            r"^(.*) is not the reciprocal of (row \d+, column \d+) \((.*)\): expected (.*)$",
            lambda g: f"{g[0]} 不是{_place(g[1])}({g[2]})的倒数:应为 {g[3]}",
        ),
        (
            r"^is blank: every cell needs a judgement( \(the diagonal is 1\))?(?: \(here (.*), the reciprocal of (row \d+, column \d+), which is (.*)\))?$",
            lambda g: (
                "为空:每个单元格都需要判断值"
                + ("(对角线为 1)" if g[0] else "")
                + (f"(此处应为 {g[1]},即{_place(g[2])}的 {g[3]} 的倒数)" if g[1] else "")
            ),
        ),
        (
            r"^is (.*); the diagonal must be 1 \(a criterion compared with itself\)$",
            "为 {0};对角线须为 1(准则与自身比较)",
        ),
        (
            r"^(\d+) complete row\(s\) \(rows without a blank cell\); the entropy method needs at least 2 rows to compare$",
            "只有 {0} 个完整的行(没有空白单元格的行);熵权法至少需要 2 行才能比较",
        ),
        (
            r"^every column has the same value in every row: the data separate nobody, so the entropy method cannot set weights$",
            "每一列在各行的值都相同:数据区分不出各行,熵权法无法确定权重",
        ),
        (r"^(\d+) directions? given for (\d+) columns?$", "给出了 {0} 个方向,但有 {1} 列"),
        # last: the more specific "... is blank" above come first
        (r"^(.*) is blank$", lambda g: f"{_TERMS.get(g[0], g[0])}为空"),
    )
)

_PLACES_ZH: tuple[tuple[re.Pattern[str], _Words], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"^indicator (\d+)$", "指标 {0}"),
        (r"^indicators in dimension '(.*)'$", "维度“{0}”中的指标"),
        (r"^weights in dimension (.*)$", "维度 {0} 中的权重"),
        (r"^dimension (.*)$", "维度 {0}"),
        (r"^weights\[(\d+)\]$", "第 {0} 个权重"),
        (r"^weights\[(.*)\]$", "权重[{0}]"),
        (r"^tiers\.thresholds\[(\d+)\]$", "第 {0} 个阈值"),
        (r"^tiers\.labels\[(\d+)\]$", "第 {0} 个等级名称"),
        (r"^row (\d+), column (\d+)(?: \((.*) vs (.*)\))?$", "第 {0} 行第 {1} 列"),
        (r"^row (\d+)$", "第 {0} 行"),
        (r"^line (\d+), column '(.*)'$", "第 {0} 行,列“{1}”"),  # of a CSV file
    )
)

_CODE = re.compile(r"^(#[A-Z0-9/]+[!?]|#N/A)\s+(.*)$", re.S)


def _words(rules: tuple[tuple[re.Pattern[str], _Words], ...], text: str) -> str | None:
    for pattern, words in rules:
        m = pattern.match(text)
        if m:
            groups = m.groups()
            return words(groups) if callable(words) else words.format(*groups)
    return None


def _reason(text: str) -> str:
    found = _words(_REASONS_ZH, text)
    return text if found is None else found


def _place(text: str) -> str:
    if text in _TERMS:
        return _TERMS[text]
    found = _words(_PLACES_ZH, text)
    return text if found is None else found  # a label: already in the workbook's language


def _translate(text: str) -> str:
    """A reason, perhaps after places (``place: place: reason``), perhaps several joined
    by ``"; "``, in Chinese where there are words for it."""
    found = _words(_REASONS_ZH, text)
    # a reason's pattern may swallow places ("weights[3]: weight" is blank): every reading
    # is a candidate
    candidates = [text] if found is None else [found]
    if ": " in text:  # a place, then the rest
        place, _, rest = text.partition(": ")
        zh_place, zh_rest = _place(place), _translate(rest)
        # "indicator 1: value: 'n/a' …" — a score carrying its input cell's reason in
        # Chinese, whose own "value:" the core could not see — says "value" once too often
        if zh_place != _TERMS["value"]:
            zh_rest = zh_rest.removeprefix(f"{_TERMS['value']}:")
        candidates.append(f"{zh_place}:{zh_rest}")
    if "; " in text:  # problems joined (or a reason's own "; ": whichever reads better)
        candidates.append(";".join(_translate(part) for part in text.split("; ")))
    # the reading with the fewest English letters left; the text as it is when none helps
    return min(candidates, key=lambda c: len(_LATIN.findall(c)))  # the first of equals


_LATIN = re.compile(r"[A-Za-z]")


def place_text(where: str, lang: str) -> str:
    """A problem's place (``where``) in ``lang``: each part before a ``": "`` that has words
    here is translated; file names, sheet names and cell addresses stay.

    Example::

        >>> place_text("customers.csv: line 8, column 'annual_spend'", "zh")
        'customers.csv: 第 8 行,列“annual_spend”'
        >>> place_text("客户.xlsx: 客户!F12", "zh")
        '客户.xlsx: 客户!F12'
    """
    if lang != "zh":
        return where
    parts = where.split(": ")
    return ": ".join(p if p in _TERMS else _place(p) for p in parts)


def problem_text(message: str, lang: str) -> str:
    """``message`` (a data problem's reason) in ``lang``: Chinese for ``"zh"``, else as is.

    Example::

        >>> problem_text("answer 7 is outside the 1-5 scale", "zh")
        '评分 7 超出 1-5 分的范围'
        >>> problem_text("#VALUE! 客户满意度: 'n/a' is text, not a number", "zh")
        '#VALUE! 客户满意度:“n/a”是文本,不是数字'
        >>> problem_text("#N/A left out of the RFM ranking: monetary: 'n/a' is text, not a number", "zh")
        '#N/A 未参与 RFM 排名:消费金额:“n/a”是文本,不是数字'
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
    return code + _translate(message)
