"""Test set-up shared by every folder: the Excel-made fixtures' marker, small table builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.excel_made import require_excel_made


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "excel_made: reads workbooks saved by real Excel from ../shared (skipped when they are "
        "absent, failing under CI)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("excel_made"):
        require_excel_made()


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in tmp_path and return its path."""

    def _write(text: str, name: str = "table.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
