"""The Lite module imports where only numpy, pandas and xlwings are, as in Pyodide.

xlwings Lite installs packages with micropip, which takes pure-Python wheels and the
packages Pyodide builds (numpy, pandas); crm_xl's native optional dependencies
(python-calamine) and the ones the functions never need (openpyxl, xlrd, xlsxwriter,
defusedxml, rich, matplotlib, jinja2, weasyprint) must not be imported by the function
modules. A venv holding only numpy and pandas (and xlwings, which Lite provides) — linked
from this environment's installed copies — imports ``crm_xl.lite`` from the checkout and
computes CRM_SCORE, with xlwings' Office.js decorators as in Lite and without.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

from tests.helpers.lite import LiteHost, book_payload
from tests.workbook.test_lite_scripts import RESULTS

ROOT = Path(__file__).resolve().parents[1]
ONLY = ["numpy", "pandas", "python-dateutil", "tzdata", "xlwings"]  # pandas' own dependencies
NEVER = [
    "python_calamine",
    "openpyxl",
    "xlrd",
    "xlsxwriter",
    "defusedxml",
    "rich",
    "matplotlib",
    "jinja2",
    "weasyprint",
]

PROGRAM = """
import json, sys
from crm_xl.lite import *
import xlwings as xw
out = {
    "score": CRM_SCORE([[85, 75, None, 70]], [[40, 30, 20, 10]]),
    "decorated": hasattr(CRM_SCORE, "__xlfunc__"),
    "script": hasattr(recalculate_ratings, "__xlscript__"),
    "loaded": sorted(m for m in NEVER if m in sys.modules),
}
print(json.dumps(out))
""".replace("NEVER", repr(NEVER))


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """A venv whose site-packages hold only ONLY (links to the installed copies)."""
    home = tmp_path_factory.mktemp("pyodide-like")
    venv.create(home, with_pip=False)
    (site,) = home.glob("lib/python*/site-packages")
    for name in ONLY:
        dist = md.distribution(name)
        base = Path(dist.locate_file(""))
        for top in {f.parts[0] for f in dist.files or [] if not f.parts[0].startswith("..")}:
            if not (site / top).exists() and (base / top).exists():
                (site / top).symlink_to(base / top)
    return home / "bin" / "python"


def run(python: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XLWINGS"))}
    done = subprocess.run(
        [str(python), "-c", PROGRAM],
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_bare_venv_really_lacks_the_rest(bare_python):
    done = subprocess.run(
        [str(bare_python), "-c", "import python_calamine"], capture_output=True, check=False
    )
    assert done.returncode != 0
    paths = subprocess.run(
        [str(bare_python), "-c", "import sys; print(sys.path)"], capture_output=True, text=True
    ).stdout
    assert str(Path(md.distribution("openpyxl").locate_file(""))) not in paths


def test_crm_score_without_the_optional_dependencies(bare_python):
    out = run(bare_python)
    # (85·40 + 75·30 + 70·10) / 80: the blank indicator left out
    assert out == {"score": 79.375, "decorated": False, "script": False, "loaded": []}


def test_crm_score_with_lites_office_js_decorators(bare_python):
    out = run(bare_python, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    assert out == {"score": 79.375, "decorated": True, "script": True, "loaded": []}


def test_micropip_gets_no_native_extension_but_pyodides_own():
    # the dependencies micropip resolves in Pyodide (sys_platform == "emscripten"): pure-Python
    # wheels, or packages Pyodide builds itself (numpy, pandas, matplotlib, MarkupSafe)
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11 reads TOML itself")
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pyodide = {
        **default_environment(),
        "sys_platform": "emscripten",
        "platform_system": "Emscripten",
    }
    wanted = {
        r.name
        for r in map(Requirement, project["dependencies"])
        if r.marker is None or r.marker.evaluate(pyodide)
    }
    assert "python-calamine" not in wanted
    assert wanted == {
        "numpy",
        "pandas",
        "openpyxl",
        "xlwings",
        "jinja2",
        "xlsxwriter",
        "defusedxml",
        "xlrd",
        "rich",
        "matplotlib",
    }


def test_recalculate_ratings_runs_there_through_lites_book(bare_python):
    # the script's whole path (the Model reader, the ratings, xlwings' Office.js Book) needs
    # none of the optional dependencies either: every customer's score written, no alert
    host = LiteHost(bare_python)
    try:
        payload = book_payload(ROOT / "workbooks" / "crm_sample_en.xlsx", blank=RESULTS)
        actions = host.request(op="script", name="recalculate_ratings", book=payload)["actions"]
    finally:
        host.close()
    assert [a["func"] for a in actions if a["func"] != "setValues"] == []
    ratings = next(s for s in payload["sheets"] if s["name"] == "Ratings 2026-Q4")["values"]
    customers = sum(1 for row in ratings[3:203] if row[0] != "")  # column A: customer IDs
    scores = next(a for a in actions if a["start_row"] == 3 and a["start_column"] == 11)  # L4
    assert len(scores["values"]) == 200
    assert sum(isinstance(r[0], float) for r in scores["values"]) == customers > 0


def test_make_report_writes_its_sheet_there_without_jinja2_or_matplotlib(bare_python, tmp_path):
    # the report's reading and computation and the sheet need no optional dependency; the
    # HTML page (jinja2, matplotlib) is said to be missing instead of failing the script
    from tests.report.test_lite_report import GIVEN

    host = LiteHost(bare_python)
    try:
        host.request(op="exec", code=GIVEN)
        payload = book_payload(ROOT / "workbooks" / "crm_sample_en.xlsx")
        args = ["2026-12-15", str(tmp_path)]
        actions = host.request(op="script", name="make_report_given", book=payload, args=args)[
            "actions"
        ]
    finally:
        host.close()
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == ["Report 2026-Q4"]
    (alert,) = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alert.startswith("The evaluation report is on the sheet 'Report 2026-Q4'.")
    assert "No HTML report: the Python package markupsafe is missing" in alert  # jinja2's
    assert not list(tmp_path.iterdir())
    values = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert sum(isinstance(v, float) for v in values) > 50
