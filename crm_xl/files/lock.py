"""Excel's lock file: a workbook open in Excel has a ``~$`` file beside it.

Writing to a workbook Excel has open would be lost when Excel saves its copy, so commands
that change a workbook in place refuse it unless told ``--force``.
"""

from __future__ import annotations

from pathlib import Path

from crm_xl.errors import CrmError


def check_not_open(book: Path, force: bool = False) -> None:
    """Refuse a workbook Excel has open (its ``~$`` lock file is there), unless ``force``."""
    lock = book.with_name("~$" + book.name[2:] if len(book.name) > 2 else "~$" + book.name)
    lock_full = book.with_name("~$" + book.name)
    if not force and (lock.exists() or lock_full.exists()):
        raise CrmError(
            "Excel has this workbook open (its ~$ lock file is there): close it first, or use --force",
            str(book),
        )
