"""The registry says everything about each CRM_* function, and agrees with the implementations."""

import inspect

import pytest

from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import SPECS, Argument, FunctionSpec, Result, Text

NAMES = list(SPECS)

# The arguments that xlwings passes as ranges (ndim=2, err_to_str=True): those the
# hand-written declarations marked **RANGE before the declarations were made from the registry.
RANGES = {
    "CRM_SCORE": {"values", "weights"},
    "CRM_MULTISCORE": {"values", "weights", "dimensions", "dimension_names", "dimension_weights"},
    "CRM_INDICATORS_USED": {"values", "weights"},
    "CRM_EXPLAIN": {"values", "weights"},
    "CRM_NORMALIZE": {"value", "floor", "target"},
    "CRM_SCALE": {"values", "among"},
    "CRM_FORM_SCORE": {"answers"},
    "CRM_MINMAX": {"values"},
    "CRM_CHURN": {"lost", "start"},
    "CRM_RETENTION": {"start", "end", "new"},
    "CRM_GROWTH": {"before", "after"},
    "CRM_CAC": {"cost", "new_customers"},
    "CRM_CLV": {"annual_revenue", "years", "cac"},
    "CRM_CLV_MARGIN": {"margin", "retention", "discount_rate"},
    "CRM_NPS": {"responses"},
    "CRM_CSAT": {"responses"},
    "CRM_CES": {"responses"},
    "CRM_TIER": {"value", "thresholds", "labels"},
    "CRM_RFM": {"recency", "frequency", "monetary"},
    "CRM_RFM_ROW": {
        "recency",
        "frequency",
        "monetary",
        "all_recency",
        "all_frequency",
        "all_monetary",
    },
    "CRM_RFM_CODE": {"recency", "frequency", "monetary"},
    "CRM_AHP": {"matrix"},
    "CRM_AHP_CR": {"matrix"},
    "CRM_ENTROPY_WEIGHTS": {"matrix", "directions"},
}


def test_every_function_is_registered_and_implemented_in_the_same_order():
    assert list(RANGES) == NAMES  # the reference page's order
    assert list(IMPLEMENTATIONS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_arguments_match_the_implementation(name):
    spec = SPECS[name]
    params = list(inspect.signature(IMPLEMENTATIONS[name]).parameters.values())
    assert [a.name for a in spec.arguments] == [p.name for p in params]
    for a, p in zip(spec.arguments, params, strict=True):
        assert a.optional == (p.default is not inspect.Parameter.empty), a.name
        assert a.default == (None if p.default is inspect.Parameter.empty else p.default)


@pytest.mark.parametrize("name", NAMES)
def test_range_arguments(name):
    assert {a.name for a in SPECS[name].arguments if a.is_range} == RANGES[name]


def test_defaults():
    # normalize defaults to FALSE (weights must sum to 100 %); every other optional is None
    optional = {(n, a.name): a.default for n, s in SPECS.items() for a in s.arguments if a.optional}
    assert optional.pop(("CRM_SCORE", "normalize")) is False
    assert optional.pop(("CRM_EXPLAIN", "normalize")) is False
    assert set(optional.values()) == {None}
    assert SPECS["CRM_SCALE"].required == 2 and SPECS["CRM_RFM"].required == 3


@pytest.mark.parametrize("name", NAMES)
def test_texts_fit_excel(name):
    spec = SPECS[name]
    # the wizard's texts go into a VBA module (system code page) and MacroOptions (255)
    for text in [spec.description.en, *(a.help.en for a in spec.arguments)]:
        assert text and text.isascii() and len(text) <= 255
    assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.description.zh)
    assert spec.example.startswith(f"={name}(") and spec.result.help.en


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("name", NAMES)
def test_every_argument_and_result_has_chinese_help(name):
    spec = SPECS[name]
    for a in spec.arguments:
        assert chinese(a.help.zh), f"{name}({a.name}): no Chinese help"
        # the names users type stay as they are: an argument's help names its options in ASCII
        for word in ('"higher"', '"lower"', '"cn8"', '"top2box"', '"upper"'):
            assert (word in a.help.en) == (word in a.help.zh), (name, a.name, word)
    assert chinese(spec.result.help.zh), f"{name}: the result has no Chinese help"


def test_the_chinese_help_uses_the_domain_terms():
    # the domain's terms (docs/domain.md): 权重 (weight), 指标 (indicator), 客户群 / 判断矩阵 for RFM and AHP
    assert "权重" in SPECS["CRM_SCORE"].argument("weights").help.zh
    assert "指标" in SPECS["CRM_SCORE"].argument("values").help.zh
    assert "不按 0 计" in SPECS["CRM_SCORE"].argument("values").help.zh  # blank is missing
    assert "判断矩阵" in SPECS["CRM_AHP"].argument("matrix").help.zh
    assert "客户群" in SPECS["CRM_RFM"].result.help.zh
    assert "期初客户数" in SPECS["CRM_CHURN"].argument("start").help.zh


def test_only_the_survey_kpis_and_the_consistency_ratio_never_spill():
    assert {n for n, s in SPECS.items() if not s.result.spills} == {
        "CRM_NPS",
        "CRM_CSAT",
        "CRM_CES",
        "CRM_AHP_CR",
    }


def test_a_function_that_does_not_spill_gives_one_value_for_a_block():
    block = [[5, 4], [3, 5]]  # 4 answers, 3 of them in the top two boxes
    assert IMPLEMENTATIONS["CRM_CSAT"](block) == 75.0
    assert IMPLEMENTATIONS["CRM_CES"](block) == 4.25  # (5 + 4 + 3 + 5) / 4
    # the same block through a spilling function: one value per cell
    assert IMPLEMENTATIONS["CRM_FORM_SCORE"](block) == [[100.0, 75.0], [50.0, 100.0]]


def test_a_spec_refuses_arguments_xlwings_cannot_declare():
    required = Argument("x", Text("x"))
    optional = Argument("y", Text("y"), optional=True)
    result = Result(Text("a number"), spills=False)
    with pytest.raises(ValueError, match="optional arguments must come after"):
        FunctionSpec("F", Text("f"), (optional, required), result, "=F(1)")
    with pytest.raises(ValueError, match="is not a parameter"):
        FunctionSpec("F", Text("f"), (Argument("x y", Text("x")),), result, "=F(1)")
    with pytest.raises(ValueError, match="is not a parameter"):
        FunctionSpec("F", Text("f"), (Argument("x", Text("x"), default=1),), result, "=F(1)")
    spec = FunctionSpec("F", Text("f"), (required, optional), result, "=F(1)")
    assert spec.signature() == "F(x, [y])" and spec.required == 1
    with pytest.raises(KeyError):
        spec.argument("z")
