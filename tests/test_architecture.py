"""The package's shape, checked: module sizes, private names, references outside the repository.

The layers themselves are checked by import-linter (``lint-imports``, the contract in
pyproject.toml, run by .ci/run); ruff's SLF001 and PLC2701 catch private members reached
through another object. These tests check what neither tool does.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crm_xl"
MAX_LINES = 800  # "modules of a few hundred lines": a longer one is split along its concepts
SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concept"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_private_name_is_imported_from_another_module():
    found = []
    for path in [*SOURCES, *sorted((ROOT / "tests").rglob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crm_xl"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name}")
    assert not found, "private names imported across modules:\n" + "\n".join(found)


OUTSIDE = re.compile(
    r"(?i:seeds?[ _-]?0\d\d)(?!_SPEND_TIERS)|\bDOMAIN\.md|\bFACTS\.md|shared/seeds"
)


def test_the_project_does_not_cite_documents_outside_the_repository():
    texts = [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".md", ".toml", ".j2", ".csv"}
        and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
        and p.name != "test_architecture.py"
    ]
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
        for p in texts
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "write what the code relies on into docs/ instead:\n" + "\n".join(found)


def test_no_import_cycles_between_modules():
    """Layers say which way imports go between layers; within one, modules import each
    other one way too (no cycle, not even through an import inside a function)."""
    grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (the test extra)")
    graph = grimp.build_graph("crm_xl")
    modules = sorted(m for m in graph.modules if m.startswith("crm_xl."))
    edges = {m: graph.find_modules_directly_imported_by(m) for m in modules}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for nxt in sorted(edges.get(module, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt in edges and nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in modules:
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_every_package_of_crm_xl_is_installed():
    """pyproject.toml lists the packages a wheel holds: one left out is missing after
    `pip install crm-xl` (while tests, importing the checkout, pass), as crm_xl.excel.functions
    was — every CRM_* function — until LibreOffice's own Python, importing the installed copy,
    said so."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    root = Path(__file__).resolve().parents[1]
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(root).parts) for p in (root / "crm_xl").rglob("__init__.py")
    }
    assert found - listed == set()


def test_the_installed_package_works_outside_the_checkout(tmp_path):
    """What `pip install` put in the environment, imported from another folder (no checkout on
    sys.path): the functions compute and the report finds its templates."""
    import subprocess
    import sys

    code = (
        "import crm_xl, pathlib; from crm_xl.udfs import CRM_SCORE; "
        "from crm_xl.files.resources import templates_folder; "
        "print(CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]]), "
        "(templates_folder() / 'report.html.j2').is_file())"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.stdout.split() == ["65.5", "True"], done.stderr
