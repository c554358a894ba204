"""Error texts in the workbook's language (issue 10): every CRM_* function's optional last
argument ``lang`` gives its reasons in Chinese, one level deep, and English without it.

Every bad call of :mod:`tests.excel.bad_calls` is run; a reason the functions give that has
no Chinese wording in :mod:`crm_xl.core.problem_words` leaves English words in the zh text
and fails here. The exact texts below are written by hand.
"""

import re

import pytest

from crm_xl.errors import EXCEL_ERRORS
from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import SPECS
from tests.excel.bad_calls import BAD_CALLS

# ASCII words a Chinese text may keep: what users type into formulas (argument names, the
# values an argument accepts, TRUE/FALSE, the KPIs' names), and the formula of CLV_MARGIN
KEPT = {a.name for spec in SPECS.values() for a in spec.arguments} | {
    *["TRUE", "FALSE", "NPS", "CSAT", "CES", "CAC", "RFM", "AHP", "Saaty", "TODAY", "weight_sum"],
    *[
        "linear",
        "form",
        "minmax",
        "score",
        "higher",
        "lower",
        "upper",
        "top2box",
        "mean",
        "rf-grid",
        "cn8",
        "en",
        "zh",
    ],
    *["weights", "cr", "ci", "lambda_max", "consistent"],
    *["m", "r", "i", "e", "A", "B", "C"],  # m·r/(1 + i − r), 1e15, the thresholds' example labels
}
CODE = re.compile("|".join(re.escape(c) for c in EXCEL_ERRORS))


def error_texts(value):
    if isinstance(value, list):
        for v in value:
            yield from error_texts(v)
    elif isinstance(value, str) and CODE.match(value):
        yield value


def leftover_words(text: str) -> set[str]:
    """The English words of a Chinese error text, besides its code, quoted inputs and KEPT."""
    text = CODE.sub(" ", text)
    text = re.sub(r"“[^”]*”|'[^']*'|\"[^\"]*\"", " ", text)  # what the user typed
    words = re.findall(r"[A-Za-z][A-Za-z0-9_\-]*", text)
    return {w for w in words if w not in KEPT and not re.fullmatch(r"e[+\-]?\d+", w)}


def call(name, args, **lang):
    return IMPLEMENTATIONS[name](*args, **lang)


@pytest.mark.parametrize(("name", "args"), BAD_CALLS, ids=[n for n, _ in BAD_CALLS])
def test_every_reason_has_chinese_words_one_level_deep(name, args):
    english = list(error_texts(call(name, args)))
    chinese = list(error_texts(call(name, args, lang="zh")))
    assert english, "a bad call gives error text"
    assert list(error_texts(call(name, args, lang="en"))) == english  # omitted = English
    assert len(chinese) == len(english)
    for en, zh in zip(english, chinese, strict=True):
        assert zh.split(" ")[0] == en.split(" ")[0], "the code stays"
        assert zh != en, f"no Chinese words for: {en}"
        assert not leftover_words(zh), f"{zh!r} (from {en!r})"
        # one level deep: no code inside the reason but an input cell's own (显示错误 #N/A)
        inner = CODE.findall(zh.partition(" ")[2].replace("显示错误 #", "显示错误 "))
        assert not inner, zh


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("CRM_FORM_SCORE", ([[7]],), "#VALUE! 评分 7 超出 1-5 分的范围"),
        ("CRM_SCALE", ([["n/a"]], "linear", 0, 300000), "#VALUE! 数值:“n/a”是文本,不是数字"),
        # a score of an upstream cell's error: its reason once, with the indicator
        (
            "CRM_SCORE",
            ([[85, "#VALUE! 数值:“n/a”是文本,不是数字"]], [[50, 50]]),
            "#VALUE! 指标 2:“n/a”是文本,不是数字",
        ),
        (
            "CRM_SCORE",
            ([[85, "#VALUE! 评分 7 超出 1-5 分的范围"]], [[50, 50]]),
            "#VALUE! 指标 2:评分 7 超出 1-5 分的范围",
        ),
        # a tier of a score that is an error: the score's reason, not wrapped again
        (
            "CRM_TIER",
            ("#VALUE! 指标 4:评分 7 超出 1-5 分的范围", [[70, 50]], [["A", "B", "C"]]),
            "#VALUE! 指标 4:评分 7 超出 1-5 分的范围",
        ),
        ("CRM_CHURN", (5, 0), "#DIV/0! 期初客户数为 0:流失率无法计算"),
        (
            "CRM_SCORE",
            ([[85, 75]], [[40, 50]]),
            "#VALUE! 权重合计为 90,不是 100%(100 或 1):"
            "请修改权重,或把 normalize 参数设为 TRUE 按比例换算",
        ),
        (
            "CRM_RFM_ROW",
            (10, 5, "lots", [[10], [200]], [[5], [1]], [["lots"], [50]], "cn8"),
            "#N/A 未参与 RFM 排名:消费金额:“lots”是文本,不是数字",
        ),
        (
            "CRM_TIER",
            (60, [[50, 70]], [["A", "B", "C"]]),
            "#VALUE! 阈值:阈值须从最高等级往下排列,实为 50, 70:请从高到低列出阈值,如 70, 50;"
            "等级名称也从最高等级起:A, B, C",
        ),
    ],
)
def test_chinese_texts_worked_out_by_hand(name, args, expected):
    spec = SPECS[name]
    at = [a.name for a in spec.arguments].index("lang")
    given = list(args) + [None] * (at - len(args)) + ["zh"]  # lang positionally, as a formula
    assert call(name, given) == expected


def test_lang_is_checked_and_forgiving_about_case():
    assert (
        IMPLEMENTATIONS["CRM_FORM_SCORE"]([[7]], 1, 5, " ZH ") == "#VALUE! 评分 7 超出 1-5 分的范围"
    )
    assert IMPLEMENTATIONS["CRM_FORM_SCORE"]([[3]], 1, 5, "fr") == (
        '#VALUE! lang must be "en" or "zh", got \'fr\''
    )
    # values are not touched: only error texts
    assert IMPLEMENTATIONS["CRM_FORM_SCORE"]([[3], [7]], 1, 5, "zh") == [
        [50.0],
        ["#VALUE! 评分 7 超出 1-5 分的范围"],
    ]
    assert IMPLEMENTATIONS["CRM_TIER"](80, [[70]], [["#甲", "乙"]], None, "zh") == "#甲"


def test_a_long_chinese_reason_is_cut_after_translating():
    long_label = "很长的指标名称" * 30  # a user's label (a place kept as it is)
    text = IMPLEMENTATIONS["CRM_FORM_SCORE"](
        [[f"#VALUE! {long_label}: answer 7 is outside the 1-5 scale"]], 1, 5, "zh"
    )
    assert text.startswith("#VALUE! 很长的指标名称") and text.endswith("...")
    assert len(text) == len("#VALUE! ") + 160
