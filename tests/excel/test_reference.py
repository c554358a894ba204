"""The function reference page is generated from the registry and up to date."""

from pathlib import Path

from crm_xl.excel.reference import reference_markdown
from crm_xl.excel.registry import SPECS

ROOT = Path(__file__).resolve().parents[2]


def test_function_reference_is_up_to_date():
    page = (ROOT / "docs" / "functions.md").read_text(encoding="utf-8")
    assert page == reference_markdown(), (
        "regenerate: python -m crm_xl.excel.reference > docs/functions.md"
    )


def test_every_function_has_both_languages_and_an_example():
    for name, spec in SPECS.items():
        en, zh = spec.description.en, spec.description.zh
        assert en and zh and spec.example.startswith("=" + name + "("), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), f"{name}: the Chinese one-liner"


def test_each_function_has_a_section_with_its_arguments():
    page = reference_markdown()
    assert page.count("\n## CRM_") == len(SPECS)
    assert "## CRM_TIER(value, thresholds, labels, [at_threshold], [lang])\n" in page
    assert '| `at_threshold` | Optional: "lower" (default' in page
