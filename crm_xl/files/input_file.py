"""Reading an untrusted input file whole, within a size limit.

A path given as input may be a folder, a named pipe (reading it waits for a writer that
never comes), a device such as ``/dev/zero`` (reading it never ends) or a file larger than
crm_xl reads. :func:`read_input_bytes` refuses each with a message naming the file, before
anything is read, and reads at most ``limit`` bytes even when the file grows meanwhile.

Example::

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_bytes(b"id\\nC1\\n")
    >>> read_input_bytes(path, 100)
    b'id\\nC1\\n'
    >>> try:
    ...     read_input_bytes(path.parent, 100)
    ... except CrmError as err:
    ...     print(err.problems[0].message)
    is a folder, not a file
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from crm_xl.errors import CrmError


def check_regular_file(path: Path, source: str = "") -> int:
    """The size of ``path``, a regular file (a symbolic link to one is fine); CrmError naming
    ``source`` (default: the path) when it is missing, a folder, a pipe or a device."""
    where = source or str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise CrmError("no such file", where) from None
    except OSError as err:
        raise CrmError(f"cannot be read: {err.strerror}", where) from None
    if stat.S_ISDIR(info.st_mode):
        raise CrmError("is a folder, not a file", where)
    if not stat.S_ISREG(info.st_mode):
        raise CrmError(
            "is not a regular file (a pipe or a device?): give crm_xl a file saved on disk", where
        )
    return info.st_size


def read_input_bytes(path: Path, limit: int, source: str = "") -> bytes:
    """The bytes of the regular file ``path``: CrmError naming ``source`` when it is not one
    (:func:`check_regular_file`), cannot be read, or holds more than ``limit`` bytes."""
    where = source or str(path)
    size = check_regular_file(path, where)
    if size > limit:
        raise CrmError(_too_big(size, limit), where)
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as err:
        raise CrmError(f"cannot be read: {err.strerror}", where) from None
    if len(data) > limit:  # it grew after the check
        raise CrmError(_too_big(len(data), limit), where)
    return data


def _too_big(size: int, limit: int) -> str:
    if limit >= 2**20:
        return f"{size / 2**20:,.0f} MiB is larger than the {limit // 2**20:,} MiB limit"
    return f"{size:,} bytes is larger than the {limit:,}-byte limit"
