"""Files that ship inside the package: sample data, report templates, workbook templates.

They are found through :mod:`importlib.resources`, so ``crm-xl`` works from any directory
after ``pip install .`` and from a checkout alike (the report templates are the package
``crm_xl/templates/``; the repository's top-level ``workbooks/`` folder is installed as
``crm_xl.workbooks``, data only: no code loads it).

Example::

    >>> sample_path("scorecard.toml").name
    'scorecard.toml'
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def sample_path(name: str) -> Path:
    """Path of a built-in sample file (``crm_xl/data``): ``customers.csv``, ``scorecard.toml``."""
    return Path(str(files("crm_xl.data") / name))


def templates_folder() -> Path:
    """The folder of the built-in report templates (``crm_xl.templates``).

    Example::

        >>> (templates_folder() / "report.html.j2").is_file()
        True
    """
    return Path(str(files("crm_xl.templates")))
