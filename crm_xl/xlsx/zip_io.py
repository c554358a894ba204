"""The package's zip archive: read with the limits of an untrusted file, written back with
every member's settings, saved atomically.

Reading refuses zip bombs (:func:`crm_xl.files.archive.check_archive`) and files that are
not a zip archive or not a package, naming the file. Writing keeps each member's order,
date, compression method and attributes; a part of 4 MB or more is deflated on every
core (:class:`ParallelDeflate`).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from crm_xl.errors import CrmError
from crm_xl.files.archive import check_archive, read_member, unzipped_limit
from crm_xl.files.atomic import atomic_path

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx


def read_archive(
    path: Path, source: str
) -> tuple[dict[str, bytes], dict[str, zipfile.ZipInfo], bytes]:
    """The members of the package at ``path`` (name → bytes, name → ZipInfo, in archive
    order, directories left out) and the archive's comment; CrmError naming ``source``
    for a file that is missing, not a zip archive, a zip bomb or not a package."""
    if not path.exists():
        raise CrmError("no such file", source)
    if not path.is_file():
        raise CrmError("is not a file", source)
    with path.open("rb") as stream:
        head = stream.read(8)
    if head == OLE_SIGNATURE:
        raise CrmError(
            "is an old binary .xls workbook or a password-protected (encrypted) workbook; "
            "crm_xl needs an unprotected .xlsx or .xlsm file",
            source,
        )
    if not zipfile.is_zipfile(path):
        raise CrmError("is not an Excel workbook (.xlsx/.xlsm): it is not a zip archive", source)
    try:
        check_archive(path)
    except CrmError as err:  # name the file as the caller knows it
        raise CrmError("; ".join(p.message for p in err.problems), source) from None
    try:
        with zipfile.ZipFile(path) as archive:
            parts, infos = _members(archive, source)
            return parts, infos, archive.comment
    except zipfile.BadZipFile as err:
        raise CrmError(f"not a readable workbook: {err}", source) from None


def _members(
    archive: zipfile.ZipFile, source: str
) -> tuple[dict[str, bytes], dict[str, zipfile.ZipInfo]]:
    parts: dict[str, bytes] = {}
    infos: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    # what is left of the limit, counted as the parts unpack
    budget = unzipped_limit(sum(i.compress_size for i in archive.infolist()))
    for info in archive.infolist():
        if info.is_dir():
            continue
        key = info.filename.lower()
        if key in seen:
            raise CrmError(f"the archive holds part {info.filename} twice", source)
        seen.add(key)
        try:
            parts[info.filename] = read_member(archive, info, budget)
        except CrmError as err:
            raise CrmError(err.problems[0].message, source) from None
        except zipfile.BadZipFile as err:
            raise CrmError(f"part {info.filename} {_damage(err)}", source) from None
        except (zlib.error, EOFError, NotImplementedError) as err:
            raise CrmError(f"part {info.filename} cannot be read: {err}", source) from None
        except RuntimeError as err:  # encrypted member
            raise CrmError(f"part {info.filename} cannot be read: {err}", source) from None
        infos[info.filename] = info
        budget -= len(parts[info.filename])
    if "[Content_Types].xml" not in parts or "_rels/.rels" not in parts:
        raise CrmError(
            "is not an Excel workbook (.xlsx/.xlsm): the zip archive has no "
            "[Content_Types].xml or _rels/.rels (an Office Open XML package has both)",
            source,
        )
    return parts, infos


def _damage(err: Exception) -> str:
    if "CRC" in str(err):
        return (
            "is damaged: its checksum does not match (the file was cut short or altered); "
            "open it in Excel, which offers to repair it, and save it again"
        )
    return f"cannot be read: {err}"


def write_archive(
    stream: IO[bytes],
    parts: Mapping[str, bytes],
    infos: Mapping[str, zipfile.ZipInfo],
    comment: bytes,
) -> None:
    """Write ``parts`` as a zip archive to ``stream``: a part that was read keeps its zip
    settings (``infos``), a new one is deflated with the date of the first member."""
    default_date = next(iter(infos.values())).date_time if infos else (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        for name, data in parts.items():
            old = infos.get(name)
            info = zipfile.ZipInfo(name, old.date_time if old else default_date)
            if old is not None:
                info.compress_type = old.compress_type
                info.external_attr = old.external_attr
                info.create_system = old.create_system
                info.comment = old.comment
                info.extra = _strip_zip64(old.extra)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = len(data)
            with archive.open(info, "w") as member:
                if ParallelDeflate.suits(info, member):
                    # zipfile has no public hook for its compressor; suits() checked it is there
                    member._compressor = ParallelDeflate()  # noqa: SLF001 (a big sheet: every core)
                member.write(data)
            # zipfile turns an external_attr of 0 (what Excel writes) into 0o600 << 16;
            # the attribute is only in the central directory, written on close.
            info.external_attr = old.external_attr if old is not None else 0


def save_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write a file with ``write(stream)`` atomically (:func:`crm_xl.files.atomic.atomic_path`:
    a temporary file in the same folder, fsync, rename): if anything fails the file at
    ``path`` is left as it was and no temporary file remains; an existing file's
    permissions are kept."""
    with atomic_path(path) as tmp, open(tmp, "wb") as stream:
        write(stream)


class ParallelDeflate:
    """A compressor for :class:`zipfile.ZipFile` members that deflates a big part on every
    core (at zlib level 5, see ``LEVEL``): the part is cut into 1 MiB pieces, each
    compressed in a thread (zlib releases the GIL) with the 32 KiB before it as its
    dictionary and ending on a byte boundary (``Z_SYNC_FLUSH``), so the pieces joined are
    one ordinary deflate stream, as small as a serial one (the method pigz uses). The zip
    member computes the CRC and sizes as usual; this object only stands in for the
    ``zlib.compressobj`` it would make.
    """

    MIN_SIZE = 4 << 20  # smaller parts are deflated as zipfile does, in one thread
    PIECE = 1 << 20
    WINDOW = 32 << 10
    # zlib's level 5, not its default 6: on worksheet XML it gives files within about 1 %
    # of level 6's size (the same size on a 100,000-row table) in 60 % of the time
    LEVEL = 5

    def __init__(self, level: int = LEVEL):
        self.level = level

    @classmethod
    def suits(cls, info: zipfile.ZipInfo, member: Any) -> bool:
        """Worth it, and possible: a big deflated part, several cores, and a zipfile whose
        member takes its compressor from ``_compressor`` (CPython 3.10 to 3.14 do)."""
        return (
            info.file_size >= cls.MIN_SIZE
            and info.compress_type == zipfile.ZIP_DEFLATED
            and (os.cpu_count() or 1) > 1
            and getattr(member, "_compressor", None) is not None
        )

    def _piece(self, data: Any, at: int) -> bytes:
        window = bytes(data[max(0, at - self.WINDOW) : at])
        if window:
            c = zlib.compressobj(self.level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, window)
        else:
            c = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        return c.compress(data[at : at + self.PIECE]) + c.flush(zlib.Z_SYNC_FLUSH)

    def compress(self, data: Any) -> bytes:
        """The deflated ``data``, all but the final block (see :meth:`flush`)."""
        from concurrent.futures import ThreadPoolExecutor

        view = memoryview(data)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            pieces = pool.map(lambda at: self._piece(view, at), range(0, len(view), self.PIECE))
            return b"".join(pieces)

    def flush(self) -> bytes:
        """The final, empty block that ends the stream."""
        return zlib.compressobj(self.level, zlib.DEFLATED, -15).flush()  # the final block


def _strip_zip64(extra: bytes) -> bytes:
    """A zip extra field without its zip64 record (zipfile writes its own when needed)."""
    out = b""
    i = 0
    while i + 4 <= len(extra):
        kind = int.from_bytes(extra[i : i + 2], "little")
        size = int.from_bytes(extra[i + 2 : i + 4], "little")
        if kind != 0x0001:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return out
