"""Docs generated from code must match it (the function reference: tests/excel/test_reference.py)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_names_the_udf_module_and_links_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        "crm_xl.udfs" in readme
        and "docs/functions.md" in readme
        and "docs/excel-setup.md" in readme
    )
