"""Docs generated from code must match it."""

from pathlib import Path

from crm_xl.excel.functions import FUNCTIONS, reference_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_function_reference_is_up_to_date():
    page = (ROOT / "docs" / "functions.md").read_text(encoding="utf-8")
    assert page == reference_markdown(), (
        "regenerate: python -m crm_xl.excel.functions > docs/functions.md"
    )


def test_every_function_has_both_languages_and_an_example():
    for name, info in FUNCTIONS.items():
        assert info.en and info.zh and info.example.startswith("=" + name + "("), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in info.zh), f"{name}: the Chinese one-liner"


def test_readme_names_the_udf_module_and_links_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        "crm_xl.udfs" in readme
        and "docs/functions.md" in readme
        and "docs/excel-setup.md" in readme
    )
