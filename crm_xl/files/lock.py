"""Excel's lock file: a workbook open in Excel has a ``~$`` file beside it.

Writing to a workbook Excel has open would be lost when Excel saves its copy, so commands
that change a workbook in place refuse it unless told ``--force``.
"""

from __future__ import annotations

from pathlib import Path

from crm_xl.errors import CrmError


def is_open_in_excel(book: Path) -> bool:
    """Whether Excel's lock file for ``book`` is beside it (Excel names it ``~$`` + the name,
    or ``~$`` in place of the name's first two letters).

    Example::

        >>> is_open_in_excel(Path("/no/such/folder/book.xlsx"))
        False
    """
    short = "~$" + book.name[2:] if len(book.name) > 2 else "~$" + book.name
    return book.with_name(short).exists() or book.with_name("~$" + book.name).exists()


def check_not_open(book: Path, force: bool = False) -> None:
    """Refuse a workbook Excel has open (its ``~$`` lock file is there), unless ``force``."""
    if not force and is_open_in_excel(book):
        raise CrmError(
            "Excel has this workbook open (its ~$ lock file is there): close it first, or use --force",
            str(book),
        )


def check_not_open_for_replacing(path: Path) -> None:
    """Refuse to replace a file Excel has open with an output (``-o``, ``new --force``):
    Excel would save its copy over ours, or ours would vanish under the user's eyes.
    ``--force`` does not override this: it means "replace my file", not "replace the file I
    am working in"."""
    if path.exists() and is_open_in_excel(path):
        raise CrmError(
            "Excel has this file open (its ~$ lock file is there): close it in Excel first, or "
            "write to another name (if Excel is not running, delete the ~$ file beside it)",
            str(path),
        )
