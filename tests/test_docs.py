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


def _layout_rows() -> dict[str, list[str]]:
    """The README's layout table: package folder → the module names its row lists."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `crm_xl/(\w+)/` \| (.*) \|$", readme, re.M)
    return {folder: re.findall(r"`(\w+)(?:/)?`", text) for folder, text in rows}


def test_readme_layout_names_every_subpackage_and_only_modules_that_exist():
    rows = _layout_rows()
    subpackages = {p.parent.name for p in (ROOT / "crm_xl").glob("*/__init__.py")}
    subpackages -= {"data"}  # sample files, not code
    assert set(rows) == subpackages
    for folder, names in rows.items():
        here = {p.stem for p in (ROOT / "crm_xl" / folder).glob("*.py")}
        here |= {p.parent.name for p in (ROOT / "crm_xl" / folder).glob("*/__init__.py")}
        missing = [n for n in names if n not in here]
        assert not missing, f"README names crm_xl/{folder}/{missing}, which do not exist"


def test_architecture_page_names_every_layer_of_the_contract():
    import re

    contract = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    layers = re.findall(r'^\s+"crm_xl\.(\w+)",$', contract.split("[tool.importlinter]")[1], re.M)
    assert layers[0] == "cli" and layers[-1] == "errors"
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.findall(r"^ (\w+) ", page.split("```")[1], re.M)
    assert drawn == layers, "docs/architecture.md draws the layers of pyproject.toml's contract"
