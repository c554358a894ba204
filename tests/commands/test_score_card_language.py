"""``crm-xl score --lang zh`` with a bad scorecard: every line in Chinese (issue 14), the key
paths, file names and what the user wrote kept as they are; ``--lang en`` unchanged.

The Chinese lines are written out by hand (what a Chinese user should read); the English
ones are the scorecard reader's own wording, checked in tests/core/test_scorecard.py.
"""

from __future__ import annotations

import re

import pytest

from crm_xl.cli import main

GOOD = """[[indicators]]
id = "annual_spend"
label_en = "Spend"
weight = 100
scale = "linear"
floor = 0
target = 2000
"""
TIERS = '\n[tiers]\nthresholds = {t}\nlabels = ["A", "B", "C"]\n'

CASES = {
    "TOML syntax": (
        "[[indicators]\nid = 1\n",
        ["不是有效的 TOML:数组表头的末尾应有“]]”(第 1 行第 13 列)"],
    ),
    "a key written twice": (
        GOOD + "weight = 50\n",
        ["不是有效的 TOML:不能覆盖已有的值(同一个键写了两次?)(第 8 行第 12 列)"],
    ),
    "a string never closed": (
        '[scorecard]\nname = "x\n',
        ["不是有效的 TOML:非法字符 '\\n'(第 2 行第 10 列)"],
    ),
    "cut short": ("x = [1,", ["不是有效的 TOML:无效的值(在文件末尾)"]),
    "deep TOML": ("a = " + "[" * 3000 + "]" * 3000, ["不是评分卡:其中的数组或表嵌套得太深"]),
    "weights summing to 60": (
        GOOD.replace("weight = 100", "weight = 60"),
        [
            "indicators: 权重合计为 60,不是 100%(100 或 1):请修改权重,或在 [scorecard] 下"
            '设置 weight_sum = "normalize"(命令行:--normalize-weights)'
        ],
    ),
    "weights summing to 0": (
        GOOD.replace("weight = 100", "weight = 0"),
        ["indicators: 权重全部为 0"],
    ),
    "a negative weight, said once": (
        GOOD.replace("weight = 100", "weight = -5"),
        ["indicators[1].weight: 不能为负数,实为 -5"],
    ),
    "an unknown key near a known one": (
        GOOD + "wieght = 1\n",
        ["indicators[1].wieght: 未知的键(是否指“weight”?)"],
    ),
    "an unknown table": (
        GOOD + "[extra]\nx = 1\n",
        ["extra: 未知的键;可用的键:dimensions, early_warning, indicators, rfm, scorecard, tiers"],
    ),
    "thresholds bottom-up": (
        GOOD + TIERS.format(t="[60, 80]"),
        [
            "tiers.thresholds: 阈值须从最高等级往下排列,实为 60, 80:请从高到低列出阈值,"
            "如 70, 50;等级名称也从最高等级起:A, B, C"
        ],
    ),
    "thresholds not an array": (
        GOOD + TIERS.format(t='"80"'),
        ["tiers.thresholds: 须为数字的数组,如 [80, 60]"],
    ),
    "required keys missing": (
        "[[indicators]]\nlabel_en = 'x'\n",
        [
            "indicators[1].id: 必须填写",
            "indicators[1].weight: 必须填写",
            "indicators[1].floor: 必须填写",
            "indicators[1].target: 必须填写",
        ],
    ),
    "a number out of range": (
        GOOD.replace("target = 2000", "target = 1e300"),
        ["indicators[1].target: 须在 -1e15 到 1e15 之间,实为 1e+300"],
    ),
    "floor equal to target": (
        GOOD.replace("target = 2000", "target = 0"),
        ["indicators[1]: 下限和目标值都是 0:两者须不同"],
    ),
    "an id used twice": (
        GOOD.replace("weight = 100", "weight = 50") * 2,
        ["indicators[2].id: “annual_spend”已被 indicators[1] 使用"],
    ),
    "no label": (
        GOOD.replace('label_en = "Spend"\n', ""),
        ["indicators[1]: 请给出名称:label_zh、label_en 或两者"],
    ),
    "no indicators": (
        "[scorecard]\nname = 'x'\n",
        ["indicators: 请至少给出一个指标(带 id 和 weight 的 [[indicators]])"],
    ),
    "not UTF-8": ("\udcff", ["不是 UTF-8 文本(第 0 字节:invalid start byte):请另存为 UTF-8"]),
}


def _score(tmp_path, card_text: str, lang: str, capsys) -> list[str]:
    table = tmp_path / "t.csv"
    table.write_text("customer_id,name,annual_spend\nC1,Acme,1000\n", encoding="utf-8")
    card = tmp_path / "card.toml"
    card.write_bytes(card_text.encode("utf-8", "surrogateescape"))
    out = tmp_path / "o.csv"
    code = main(["score", str(table), "-m", str(card), "-o", str(out), "--lang", lang])
    assert code == 1 and not out.exists()
    return capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("case", CASES)
def test_a_bad_scorecard_is_explained_in_chinese(tmp_path, capsys, case):
    text, expected = CASES[case]
    lines = _score(tmp_path, text, "zh", capsys)
    card = tmp_path / "card.toml"
    assert lines == [f"error: {card}: {line}" for line in expected]


@pytest.mark.parametrize("case", CASES)
def test_in_english_no_chinese_appears(tmp_path, capsys, case):
    lines = _score(tmp_path, CASES[case][0], "en", capsys)
    assert len(lines) == len(CASES[case][1])
    assert not any(re.search("[\u4e00-\u9fff]", line) for line in lines)


def test_a_folder_and_a_missing_file(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("customer_id,annual_spend\nC1,1\n", encoding="utf-8")
    (tmp_path / "d.toml").mkdir()
    for name, words in (("d.toml", "是文件夹,不是评分卡文件"), ("none.toml", "文件不存在")):
        card = tmp_path / name
        args = ["score", str(table), "-m", str(card), "-o", str(tmp_path / "o.csv")]
        assert main([*args, "--lang", "zh"]) == 1
        assert capsys.readouterr().err.strip() == f"error: {card}: {words}"
