"""Test set-up shared by every folder: the Excel-made fixtures' marker, small table builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import excel_made


def pytest_sessionstart(session: pytest.Session) -> None:
    # a fresh clone without ../shared skips the tests that need it; CI must run them all
    if os.environ.get("CI") and not excel_made.available():
        pytest.exit(excel_made.REASON + "; CI must run every test", returncode=1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "excel_made: reads workbooks saved by real Excel from ../shared (skipped when they are "
        "absent, failing under CI)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("excel_made"):
        excel_made.require_excel_made()


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in tmp_path and return its path."""

    def _write(text: str, name: str = "table.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
