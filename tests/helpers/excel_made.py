"""Where the workbooks saved by real Excel are, and what a test does when they are absent.

They live outside the repository, in ``../shared/fixtures/excel-made/`` next to the clone,
and are read in place. A user's fresh clone has no ``../shared``: tests that need it skip
with a one-line reason. Under ``CI`` they must run, so there the absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
EXCEL_MADE = SHARED / "fixtures" / "excel-made"
REASON = f"Excel-made fixtures not found at {EXCEL_MADE} (they sit next to the clone, in ../shared)"


def excel_made(name: str) -> Path:
    """Path of one Excel-made fixture; skips the test (fails under CI) when it is absent."""
    path = EXCEL_MADE / name
    if not path.is_file():
        require_excel_made()
        pytest.fail(f"Excel-made fixture {name} is missing from {EXCEL_MADE}")
    return path


def require_excel_made() -> None:
    """Skip the calling test when the fixtures are absent; under ``CI`` fail instead."""
    if EXCEL_MADE.is_dir() and any(EXCEL_MADE.iterdir()):
        return
    if os.environ.get("CI"):
        pytest.fail(REASON + "; CI must run these tests")
    pytest.skip(REASON)


def excel_made_files(*suffixes: str) -> list[Path]:
    """Every fixture with one of ``suffixes`` (for parametrize); empty when absent."""
    if not EXCEL_MADE.is_dir():
        return []
    return sorted(p for p in EXCEL_MADE.iterdir() if p.suffix.lower() in suffixes)
