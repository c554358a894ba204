"""Archive limits: a workbook is a zip file, and an untrusted one may be a zip bomb.

:func:`check_archive` refuses, before anything is unpacked, a workbook whose parts would
unpack to more than :func:`unzipped_limit` allows or a big part compressed suspiciously well.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from crm_xl.errors import CrmError

#: A workbook whose parts unpack to more than this is refused: crm_xl holds the parts and
#: the cell model in memory, some ten times the unpacked size at most, so this keeps a run
#: within 1 GB. A table of 100,000 customers unpacks to about 32 MiB.
MAX_UNZIPPED_BYTES = 100 * 2**20
#: ... unless the file itself is big: a genuine workbook of many periods (20,000 customers
#: add some 43 MB of XML a period) may unpack to this many times its size (Excel's and
#: crm_xl's files compress 5-20:1 overall), up to :data:`MAX_UNZIPPED_HARD`.
GENUINE_RATIO = 25
MAX_UNZIPPED_HARD = 2**30


def unzipped_limit(file_size: int) -> int:
    """How far a workbook of ``file_size`` bytes may unpack: 100 MiB, or 25 times its size
    for a big file, at most 1 GiB (a zip bomb is small and unpacks to far more).

    Example::

        >>> unzipped_limit(1_000_000) // 2**20, unzipped_limit(20 * 2**20) // 2**20
        (100, 500)
    """
    return min(MAX_UNZIPPED_HARD, max(MAX_UNZIPPED_BYTES, GENUINE_RATIO * file_size))


#: ... and so is a part of more than :data:`RATIO_MIN_BYTES` compressed more than this
#: (zip-bomb shape; worksheets compress 5-20:1)
MAX_ZIP_RATIO = 100
RATIO_MIN_BYTES = 2**20


def check_archive(path: Path) -> None:
    """Refuse a workbook whose zip parts would unpack to something huge (zip bomb), or
    are compressed in a way Excel does not read."""
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    # bzip2, LZMA, …: Excel and the readers of the file would fail on it
                    raise CrmError(
                        f"part {info.filename} is compressed with method {info.compress_type}, "
                        "which Excel cannot open (it reads only stored and deflated parts): "
                        "the file was made by another tool; open and save it there as .xlsx",
                        str(path),
                    )
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
                    raise CrmError(
                        f"part {info.filename} is compressed {ratio:.0f}:1; refusing a possible zip bomb",
                        str(path),
                    )
            limit = unzipped_limit(path.stat().st_size)
            if total > limit:
                raise CrmError(
                    f"unpacks to {total / 2**20:,.0f} MiB, more than the {limit // 2**20} MiB limit",
                    str(path),
                )
    except zipfile.BadZipFile as err:
        raise CrmError(f"not a readable workbook: {err}", str(path)) from None


#: The most cells (rows × columns, counted from A1) of a sheet crm_xl hands to calamine,
#: which allocates the whole rectangle at once: 5,000,000 cells are some 400 MB in all
#: (calamine's cells, the rows as Python lists, the table), within the 1 GB bound.
MAX_GRID_CELLS = 5_000_000
_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_CHUNK = 1 << 20


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The unpacked bytes of ``info``, read as a stream and stopped as soon as they pass
    ``budget`` or the zip-bomb ratio (a size header may lie: what is counted is what comes
    out); CrmError naming the part then. :func:`check_archive` checks the headers first.

    Example::

        >>> import io
        >>> buffer = io.BytesIO()
        >>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        ...     z.writestr("a.xml", "<a/>")
        >>> with zipfile.ZipFile(buffer) as z:
        ...     read_member(z, z.getinfo("a.xml"), 100)
        b'<a/>'
    """
    limit = min(budget, max(RATIO_MIN_BYTES, info.compress_size * MAX_ZIP_RATIO))
    pieces = []
    size = 0
    with archive.open(info) as stream:
        while piece := stream.read(min(_CHUNK, limit + 1 - size)):
            size += len(piece)
            pieces.append(piece)
            if size > limit:
                raise CrmError(
                    f"part {info.filename} unpacks to more than its header says or "
                    f"{limit / 2**20:,.0f} MiB; refusing a possible zip bomb "
                    f"(crm_xl reads at most {budget / 2**20:,.0f} MiB more of this file, "
                    f"each part at most {MAX_ZIP_RATIO}:1 compressed)"
                )
    return b"".join(pieces)


def check_sheet_extents(path: Path, source: str = "") -> None:
    """Refuse an .xlsx/.xlsm whose worksheets reach further than a table crm_xl reads: one
    cell at XFD1048576 makes a 2 KB file a grid of 17 billion cells, which calamine would
    try to allocate (and abort the process). Reads each worksheet part as a stream, so
    within the archive limits of :func:`check_archive` (call that first).

    Example::

        >>> import tempfile, zipfile
        >>> book = Path(tempfile.mkdtemp()) / "far.xlsx"
        >>> with zipfile.ZipFile(book, "w") as z:
        ...     z.writestr("xl/worksheets/sheet1.xml", '<c r="A1"/><c r="XFD1048576"/>')
        >>> try:
        ...     check_sheet_extents(book)
        ... except CrmError as err:
        ...     print(err.problems[0].message[:60])
        part xl/worksheets/sheet1.xml has a cell at XFD1048576: the
    """
    where = source or str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_extent(archive, info, where)
    except zipfile.BadZipFile as err:
        if "CRC" in str(err):
            part = str(err).rsplit(" ", 1)[-1].strip("'")
            raise CrmError(
                f"part {part} is damaged: its checksum does not match (the file was cut "
                "short or altered); open it in Excel, which offers to repair it, and save it again",
                where,
            ) from None
        raise CrmError(f"not a readable workbook: {err}", where) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise CrmError(f"not a readable workbook: {err}", where) from None


def _check_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> None:
    max_row = max_col = 0
    far = ""
    tail = b""
    limit = min(MAX_UNZIPPED_HARD, max(RATIO_MIN_BYTES, info.compress_size * MAX_ZIP_RATIO))
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise CrmError(
                    f"part {info.filename} unpacks to more than its header says or "
                    f"{limit / 2**20:,.0f} MiB; refusing a possible zip bomb",
                    where,
                )
            data = tail + chunk
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # calamine's words are cryptic
                raise CrmError(f"part {info.filename} {_DTD_REFUSED}", where)
            last = 0
            for m in _CELL_REF.finditer(data):
                letters, digits = m.group(1), m.group(2)
                col = 0
                for ch in letters:
                    col = col * 26 + ch - 64
                row = int(digits)
                if row > max_row or col > max_col:
                    max_row, max_col = max(row, max_row), max(col, max_col)
                    far = (letters + digits).decode()
                last = m.end()
            tail = data[last:][-_CHUNK:]  # a tag cut by the chunk's end
    if max_row * max_col > MAX_GRID_CELLS:
        raise CrmError(
            f"part {info.filename} has a cell at {far}: the sheet spans {max_row:,} rows × "
            f"{max_col:,} columns from A1, more than the {MAX_GRID_CELLS:,} cells crm_xl "
            "reads as a table; delete the rows and columns outside the table (Ctrl+End "
            "in Excel shows where the sheet ends) and save it again",
            where,
        )


_DTD_REFUSED = (
    "is not usable XML: it declares a DTD (<!DOCTYPE ...>), which crm_xl refuses "
    "(a spreadsheet never needs one)"
)
#: The tags of an OpenDocument table that say where its cells are, with any prefix (a
#: hostile file may bind the table namespace to another one); longest names first.
_ODS_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(covered-table-cell|table-cell|table-row|table)(?=[\s/>])"
    rb"([^>]*?)(/?)>"
)
_ODS_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"']\s*([0-9]{1,12})")
_ODS_NAME = re.compile(rb"\bname\s*=\s*\"([^\"]{0,100})")


def check_ods_content(path: Path, source: str = "") -> None:
    """Refuse an .ods whose ``content.xml`` declares a DTD (a billion-laughs file) or whose
    tables reach further than a table crm_xl reads: ``number-rows-repeated="1048576"`` on a
    row holding a value makes a 2 KB file a million rows, which calamine builds in full
    (20 s and 700 MB for one column, an abort for a few more). Empty repeated rows and cells
    (what LibreOffice writes after the last cell) do not count. Reads the part as a stream
    within the archive limits of :func:`check_archive` (call that first); a missing part
    or a file that is not a zip is left to the reader's own message.

    Example::

        >>> import tempfile, zipfile
        >>> book = Path(tempfile.mkdtemp()) / "far.ods"
        >>> row = '<table:table-row table:number-rows-repeated="1048576">'
        >>> cell = '<table:table-cell office:value-type="float" table:number-columns-repeated="8"/>'
        >>> with zipfile.ZipFile(book, "w") as z:
        ...     z.writestr("content.xml", f'<table:table table:name="S">{row}{cell}</table:table-row></table:table>')
        >>> try:
        ...     check_ods_content(book)
        ... except CrmError as err:
        ...     print(err.problems[0].message[:65])
        part content.xml: sheet 'S' spans 1,048,576 rows × 8 columns from
    """
    where = source or str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo("content.xml")
            except KeyError:
                raise CrmError(
                    "part content.xml, which holds an OpenDocument spreadsheet's cells, is "
                    "missing: the file is damaged or not a spreadsheet; open it in LibreOffice "
                    "and save it again",
                    where,
                ) from None
            _scan_ods(archive, info, where)
    except zipfile.BadZipFile as err:
        raise CrmError(_bad_zip(err), where) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise CrmError(f"not a readable workbook: {err}", where) from None


def _bad_zip(err: zipfile.BadZipFile) -> str:
    if "CRC" in str(err):  # a part cut short, or one whose size header lies
        part = str(err).rsplit(" ", 1)[-1].strip("'")
        return (
            f"part {part} is damaged: its checksum does not match (the file was cut short "
            "or altered); open it in the program that made it, which may repair it, and save "
            "it again"
        )
    return f"not a readable workbook: {err}"


def _scan_ods(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> None:
    limit = min(MAX_UNZIPPED_HARD, max(RATIO_MIN_BYTES, info.compress_size * MAX_ZIP_RATIO))
    size = 0
    tail = b""
    # one state per open table (a cell may hold a table of its own)
    tables: list[dict] = []
    row = {"repeat": 1, "col": 0, "width": 0}
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise CrmError(
                    f"part {info.filename} unpacks to more than its header says or "
                    f"{limit / 2**20:,.0f} MiB; refusing a possible zip bomb",
                    where,
                )
            data = tail + chunk
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise CrmError(f"part {info.filename} {_DTD_REFUSED}", where)
            last = 0
            for m in _ODS_TAG.finditer(data):
                closing, tag, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
                last = m.end()
                repeat = _ods_repeat(attrs)
                if tag == b"table":
                    if not closing:
                        name = _ODS_NAME.search(attrs)
                        sheet = name.group(1).decode("utf-8", "replace") if name else "?"
                        tables.append({"name": sheet, "rows": 0, "height": 0, "width": 0})
                    if closing or empty:
                        _check_ods_table(tables.pop() if tables else None, info.filename, where)
                elif not tables:
                    continue
                elif tag == b"table-row":
                    if not closing:
                        row = {"repeat": repeat, "col": 0, "width": 0}
                    if closing or empty:
                        table = tables[-1]
                        if row["width"]:
                            table["height"] = table["rows"] + row["repeat"]
                            table["width"] = max(table["width"], row["width"])
                        table["rows"] += row["repeat"]
                elif not closing:  # a cell: a value, or content (not self-closing), counts
                    if not empty or b"value-type" in attrs:
                        row["width"] = row["col"] + repeat
                    row["col"] += repeat
            tail = data[last:][-_CHUNK:]  # a tag cut by the chunk's end


def _ods_repeat(attrs: bytes) -> int:
    m = _ODS_REPEAT.search(attrs)
    return max(1, int(m.group(1))) if m else 1


def _check_ods_table(table: dict | None, part: str, where: str) -> None:
    if table is None or table["height"] * table["width"] <= MAX_GRID_CELLS:
        return
    rows, cols = table["height"], table["width"]
    raise CrmError(
        f"part {part}: sheet '{table['name']}' spans {rows:,} rows × {cols:,} "
        f"column{'s' * (cols != 1)} from A1 (cells repeated by number-rows-repeated or "
        f"number-columns-repeated), more than the {MAX_GRID_CELLS:,} cells crm_xl reads as a "
        "table; delete the rows and columns outside the table and save it again",
        where,
    )
