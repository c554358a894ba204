"""Where the workbooks saved by real Excel are, and what a test does when they are absent.

They live outside the repository, in ``../shared/fixtures/excel-made/`` next to the clone,
and are read in place. A user's fresh clone has no ``../shared``: the tests that need them
skip with a one-line reason. Under ``CI`` they must run: there the session stops at once
when they are absent (``tests/conftest.py``).

Use :func:`excel_made` for one file in a test's body and :func:`excel_made_params` to
parametrize a test over every fixture.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXCEL_MADE = ROOT.parent / "shared" / "fixtures" / "excel-made"
REASON = f"the workbooks saved by Excel are not here ({EXCEL_MADE}: ../shared next to the clone)"


def available() -> bool:
    """The fixtures' folder is there and holds workbooks."""
    return EXCEL_MADE.is_dir() and any(EXCEL_MADE.glob("*.xls[xm]"))


def require_excel_made() -> None:
    """Skip the calling test when the fixtures are absent (fail under ``CI``)."""
    if not available():
        if os.environ.get("CI"):
            pytest.fail(REASON + "; CI must run these tests")
        pytest.skip(REASON)


def excel_made(name: str) -> Path:
    """The path of one Excel-made fixture; skips the test when the fixtures are absent."""
    require_excel_made()
    path = EXCEL_MADE / name
    if not path.is_file():
        pytest.fail(f"Excel-made fixture {name} is missing from {EXCEL_MADE}")
    return path


def excel_made_files(pattern: str = "*.xls[xm]") -> list[Path]:
    """Every fixture matching ``pattern``, sorted; empty when the fixtures are absent."""
    return sorted(EXCEL_MADE.glob(pattern)) if EXCEL_MADE.is_dir() else []


def excel_made_params(pattern: str = "*.xls[xm]", names: bool = False) -> list:
    """``pytest.mark.parametrize`` values: one per fixture (its path, or its name with
    ``names``), each with the file's name as its id; one skipped value when absent."""
    files = excel_made_files(pattern)
    if not files:
        return [
            pytest.param(None, id="no-excel-made-fixtures", marks=pytest.mark.skip(reason=REASON))
        ]
    return [pytest.param(p.name if names else p, id=p.name) for p in files]
