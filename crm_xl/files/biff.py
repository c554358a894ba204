"""Checks on an Excel 97-2003 workbook (.xls: BIFF records in an OLE compound file) before
calamine reads it, and on any OLE file given as a workbook.

calamine trusts what an .xls declares: a DIMENSIONS record whose first row lies after its
last, or one declaring a million rows by 16,384 columns, makes it ask for hundreds of GB
and abort the process (no message, nothing to catch), and a file cut short inside a
sector makes it panic. :func:`check_xls` reads the compound file with xlrd's reader
(pure Python: it raises on a sector chain that runs past the end) and walks the records of
the Workbook stream, refusing such files with a message naming the sheet. An OLE file
that holds an ``EncryptedPackage`` stream is a password-protected .xlsx (Excel encrypts
the whole package and wraps it so), and an .xls with a FILEPASS record is encrypted too:
both are refused with what to do.

Example::

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.xls"
    >>> _ = path.write_bytes(OLE_MAGIC + b"\\0" * 504)
    >>> try:
    ...     check_xls(path)
    ... except CrmError as err:
    ...     print(err.problems[0].message[:38])
    the file is damaged or cut short (its
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from crm_xl.errors import CrmError
from crm_xl.files.archive import MAX_GRID_CELLS
from crm_xl.files.input_file import read_input_bytes

#: The first bytes of every OLE compound file (.xls, an encrypted .xlsx, .doc, .msg …).
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
#: An .xls larger than this is refused before it is read (BIFF8 sheets are at most
#: 65,536 rows by 256 columns; Excel's biggest genuine .xls files are some tens of MB).
MAX_XLS_BYTES = 200 * 2**20

PASSWORD_PROTECTED = (
    "is password-protected (encrypted), and crm_xl cannot read an encrypted workbook: open "
    "it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
    "Password, clear it) and save it again, or save the table as .xlsx or CSV without one"
)

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x002F, 0x0200


def is_encrypted_package(head: bytes) -> bool:
    """True when the OLE file starting with ``head`` (its first sectors, where the
    directory usually is) holds an ``EncryptedPackage`` stream: an encrypted .xlsx.

    Example::

        >>> is_encrypted_package(OLE_MAGIC + "EncryptedPackage".encode("utf-16-le"))
        True
    """
    return head.startswith(OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in head


def check_xls(path: Path, source: str = "") -> None:
    """Refuse an OLE file crm_xl cannot read as a workbook, before calamine reads it: an
    encrypted workbook, a file cut short or damaged, one without a Workbook stream, a sheet
    whose DIMENSIONS record is impossible or spans more than :data:`MAX_GRID_CELLS`."""
    from xlrd.compdoc import CompDoc

    where = source or str(path)
    data = read_input_bytes(path, MAX_XLS_BYTES, where)
    if is_encrypted_package(data):
        raise CrmError(PASSWORD_PROTECTED, where)
    try:
        # xlrd writes its warnings to the log file it is given, not to stderr
        doc = CompDoc(data, logfile=io.StringIO())
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except Exception as err:  # xlrd's CompDocError, and index errors on a cut-short file
        del err  # xlrd's words ("array index out of range") tell a user nothing
        raise CrmError(
            "the file is damaged or cut short (its compound-file structure cannot be read); "
            "open it in Excel, which offers to repair it, and save it again as .xlsx",
            where,
        ) from None
    if stream is None:
        raise CrmError(
            "holds no workbook (an OLE file without a Workbook stream: a Word or Outlook file "
            "named .xls, or a damaged one); open it in Excel and save it as .xlsx",
            where,
        )
    _check_records(bytes(stream), where)


def _check_records(stream: bytes, where: str) -> None:
    names: dict[int, str] = {}
    sheet = ""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _sheet_name(body)
        elif kind == _BOF:
            sheet = names.get(pos, "")
        elif kind == _FILEPASS:
            raise CrmError(PASSWORD_PROTECTED, where)
        elif kind == _DIMENSIONS and sheet:
            _check_dimensions(body, sheet, where)
        pos += 4 + length


def _sheet_name(body: bytes) -> str:
    count, flags = body[6], body[7] if len(body) > 7 else 0
    if flags & 1:
        return body[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return body[8 : 8 + count].decode("latin-1")


def _check_dimensions(body: bytes, sheet: str, where: str) -> None:
    if len(body) >= 14:  # BIFF8: rows as 32-bit numbers
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:  # BIFF5 and older
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", body)
    else:
        return
    if first_row > end_row or first_col > end_col:
        raise CrmError(
            f"sheet '{sheet}' declares rows {first_row + 1:,} to {end_row:,} and columns "
            f"{first_col + 1:,} to {end_col:,} (its DIMENSIONS record), which is impossible: "
            "the file is damaged; open it in Excel and save it again as .xlsx",
            where,
        )
    if end_row * end_col > MAX_GRID_CELLS:
        raise CrmError(
            f"sheet '{sheet}' declares {end_row:,} rows × {end_col:,} columns from A1, more "
            f"than the {MAX_GRID_CELLS:,} cells crm_xl reads as a table; delete the rows and "
            "columns outside the table (Ctrl+End in Excel shows where the sheet ends) and save "
            "it again",
            where,
        )
