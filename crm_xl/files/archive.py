"""Archive limits: a workbook is a zip file, and an untrusted one may be a zip bomb.

:func:`check_archive` refuses, before anything is unpacked, a workbook whose parts would
unpack to more than :data:`MAX_UNZIPPED_BYTES` or a big part compressed suspiciously well.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from crm_xl.errors import CrmError

MAX_UNZIPPED_BYTES = 1 * 2**30  # a workbook whose parts unpack to more than 1 GiB is refused
MAX_ZIP_RATIO = 200  # ... and so is a part compressed more than 200:1 (zip-bomb shape)


def check_archive(path: Path) -> None:
    """Refuse a workbook whose zip parts would unpack to something huge (zip bomb)."""
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 10 * 2**20 and ratio > MAX_ZIP_RATIO:
                    raise CrmError(
                        f"part {info.filename} is compressed {ratio:.0f}:1; refusing a possible zip bomb",
                        str(path),
                    )
            if total > MAX_UNZIPPED_BYTES:
                raise CrmError(
                    f"unpacks to {total / 2**20:,.0f} MiB, more than the {MAX_UNZIPPED_BYTES // 2**20} MiB limit",
                    str(path),
                )
    except zipfile.BadZipFile as err:
        raise CrmError(f"not a readable workbook: {err}", str(path)) from None
