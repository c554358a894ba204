"""Edit a user's .xlsx/.xlsm package in place, keeping every part crm_xl does not change.

openpyxl's load + save loses cached formula values, calcChain, shapes, x14 extensions,
form controls, printer settings and more. crm_xl therefore edits the OOXML package
itself: :class:`Package` holds the archive in memory as an ordered
mapping *part name → bytes*; a part nobody changes is written back byte for byte, with its
zip settings (member order, compression, date, attributes); a part that changes is edited
by *XML surgery* — only the bytes of the elements concerned are replaced, so namespace
prefixes, ``mc:Ignorable`` declarations, extension lists and everything else stay as they
were.

The input is untrusted: zip bombs are refused with the limits of
:func:`crm_xl.files.archive.check_archive`, every XML part is first checked by expat with
defusedxml's guards (no DTDs, no entities, no external references) — or, for a big
worksheet that ``crm-xl recalc`` reads anyway, proved so by its reader
(:mod:`crm_xl.calc.row_shapes`, :meth:`Package.mark_proved`) — and a file that is not a
spreadsheet package is refused naming the file.

Example::

    >>> pkg = _example()                       # a small workbook made with openpyxl
    >>> [s.name for s in pkg.sheets()]
    ['Data']
    >>> pkg.clone_sheet("Data", "Scores").part
    'xl/worksheets/sheet2.xml'
    >>> pkg.set_cells("Scores", {"B1": "=not a formula", "C1": Formula("A1*2", cached=2)})
    >>> sorted(pkg.parts_changed())
    ['[Content_Types].xml', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/worksheets/sheet2.xml']

How the XML is edited
---------------------
A part is first checked with expat under defusedxml's guards (this refuses DTDs and
entities and proves the part well-formed, :mod:`crm_xl.xlsx.xml_checks`); its elements are
then located by a small scanner that records where each start and end tag is, and the edit
replaces just those byte ranges (:mod:`crm_xl.xlsx.xml_scan`). Every edited part is parsed
again before it is stored (:class:`crm_xl.xlsx.parts.Parts`), so a bug here cannot produce
a broken file (formula results written by :meth:`Package.set_cached_values` without a full
scan: what was put in is parsed). Parts must be UTF-8 (Excel always writes UTF-8).

Where each concern lives
------------------------
:class:`Package` is the façade: its methods hand the work to modules of functions over the
parts (:mod:`crm_xl.xlsx.parts`) — :mod:`~crm_xl.xlsx.relationships`,
:mod:`~crm_xl.xlsx.sheets` (with :mod:`~crm_xl.xlsx.app_titles` and
:mod:`~crm_xl.xlsx.clone`), :mod:`~crm_xl.xlsx.names`, :mod:`~crm_xl.xlsx.workbook_part`
(calculation settings, the date system), :mod:`~crm_xl.xlsx.cell_writes`,
:mod:`~crm_xl.xlsx.cached_values` (with :mod:`~crm_xl.xlsx.sheet_scan`,
:mod:`~crm_xl.xlsx.results`, :mod:`~crm_xl.xlsx.cell_editor` and
:mod:`~crm_xl.xlsx.targeted_edit`) and :mod:`~crm_xl.xlsx.zip_io`. Cell values are read
the one way :mod:`crm_xl.xlsx.values` decodes them.

What is not kept exactly
------------------------
- Parts are re-compressed: decompressed bytes, member order, dates, compression method
  and attributes are kept, the compressed bytes are not (a part of 4 MB or more is
  deflated on every core at zlib level 5). Zip directory entries (Excel writes none) are
  dropped.
- A cloned sheet leaves out drawings, comments, controls, tables and printer settings
  (see :meth:`Package.clone_sheet`), and its sheet-scoped defined names.
- docProps/app.xml is updated only when its title lists add up; otherwise it is left as
  it was (Excel rewrites it on its next save).
- Cells written over a shared string leave sharedStrings.xml's ``count`` as it was (an
  informational total that Excel tolerates and corrects).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from crm_xl.errors import CrmError
from crm_xl.xlsx.cached_values import (
    formula_cells,
    read_cached_values,
    read_stored_values,
    sheet_array_areas,
    write_cached_values,
)
from crm_xl.xlsx.cell_writes import set_cells
from crm_xl.xlsx.clone import clone_sheet
from crm_xl.xlsx.names import DefinedName, defined_name_list, defined_names, set_defined_name
from crm_xl.xlsx.namespaces import MAIN_NS, STRICT_MAIN_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import relationships, resolve
from crm_xl.xlsx.sheets import (
    SheetInfo,
    add_sheet,
    check_sheet_name,
    find_sheet,
    find_worksheet,
    list_sheets,
)
from crm_xl.xlsx.values import Formula  # noqa: F401  (the examples use it)
from crm_xl.xlsx.values_only import drop_vba, values_only
from crm_xl.xlsx.workbook_part import drop_calc_chain, request_full_calc_on_load
from crm_xl.xlsx.zip_io import read_archive, save_atomically, write_archive

__all__ = ["Package"]

WORKBOOK_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}


class Package:
    """An .xlsx/.xlsm package in memory: parts by name, in archive order, plus zip settings.

    Open with :meth:`open` (or :meth:`from_bytes`), edit, then :meth:`save`. Every part
    that no method changed is written back with the same bytes.

    Example::

        >>> pkg = _example()
        >>> pkg.part("xl/workbook.xml")[:9]
        b'<workbook'
        >>> pkg.parts_changed()
        []
    """

    def __init__(self, parts: dict[str, bytes], infos: dict[str, zipfile.ZipInfo], source: str):
        self.source = source
        self._parts = Parts(parts, source)
        self._infos = infos
        self.archive_comment = b""  # the zip archive's own comment, written back on save
        self._workbook = self._find_workbook()
        root = self._parts.tree(self._workbook, 0)
        if root.ns == STRICT_MAIN_NS:
            raise CrmError(
                "is saved as 'Strict Open XML Spreadsheet', which crm_xl cannot edit; "
                "save it as 'Excel Workbook (*.xlsx)' or 'Excel Macro-Enabled Workbook (*.xlsm)'",
                source,
            )
        if not root.is_(MAIN_NS, "workbook"):
            raise CrmError(f"{self._workbook} is not a SpreadsheetML workbook part", source)

    def _find_workbook(self) -> str:
        self._parts.check("_rels/.rels")
        self._parts.check("[Content_Types].xml")
        main = [
            r
            for r in relationships(self._parts, "")
            if r.type.endswith("/officeDocument") and not r.external
        ]
        if not main:
            raise CrmError(
                "is not an Excel workbook: _rels/.rels names no main document", self.source
            )
        part = self._parts.actual_name(resolve("", main[0].target))
        content_type = self._parts.content_type(part) if part else None
        if content_type == "application/vnd.ms-excel.sheet.binary.macroEnabled.main":
            raise CrmError(
                "is a binary workbook (.xlsb), which crm_xl cannot edit; save it as .xlsx or .xlsm",
                self.source,
            )
        if part is None or content_type not in WORKBOOK_CONTENT_TYPES:
            raise CrmError(
                f"is not an Excel workbook: its main document is {content_type or 'missing'}"
                " (a Word or PowerPoint file, perhaps, renamed)",
                self.source,
            )
        return part

    # -- reading ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Package:
        """Read a workbook into memory (refusing zip bombs and files that are not workbooks).

        Example::

            >>> import tempfile, pathlib
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "book.xlsx"
            >>> _example().save(path)
            >>> Package.open(path).sheets()[0].part
            'xl/worksheets/sheet1.xml'
        """
        parts, infos, comment = read_archive(Path(path), str(path))
        pkg = cls(parts, infos, str(path))
        pkg.archive_comment = comment
        return pkg

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<memory>") -> Package:
        """Like :meth:`open`, for a workbook already in memory; ``source`` names it in errors.

        Example::

            >>> pkg = Package.from_bytes(_example().to_bytes(), "book.xlsx")
            >>> pkg.source
            'book.xlsx'
        """
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "workbook.xlsx"
            path.write_bytes(data)
            parts, infos, comment = read_archive(path, source)
        pkg = cls(parts, infos, source)
        pkg.archive_comment = comment
        return pkg

    @property
    def workbook_part(self) -> str:
        """The name of the workbook part (the package's main document).

        Example::

            >>> _example().workbook_part
            'xl/workbook.xml'
        """
        return self._workbook

    def check_part(self, name: str) -> None:
        """Raise :class:`CrmError` unless part ``name`` is UTF-8, well-formed XML without
        DTDs or entities; the package remembers a part it checked (or that was proved,
        :meth:`mark_proved`), so editing it later does not check it again.

        Example::

            >>> _example().check_part("xl/workbook.xml")
        """
        self._parts.check(name)

    def mark_proved(self, name: str, data: bytes) -> None:
        """Take ``data``, the part ``name`` as it is now, as checked: a reader that scans it
        anyway proved it as :meth:`check_part` would (:mod:`crm_xl.calc.row_shapes`)."""
        self._parts.proved(name, data)

    # -- parts --------------------------------------------------------------------------

    def part_names(self) -> list[str]:
        """Every part's name, in archive order.

        Example::

            >>> _example().part_names()[-1]
            '[Content_Types].xml'
        """
        return list(self._parts)

    def part(self, name: str) -> bytes:
        """A part's (decompressed) bytes; KeyError if there is no such part.

        Example::

            >>> b"<sheetData>" in _example().part("xl/worksheets/sheet1.xml")
            True
        """
        actual = self._parts.actual_name(name.lstrip("/"))
        if actual is None:
            raise KeyError(name)
        return self._parts[actual]

    def has_part(self, name: str) -> bool:
        """True when the package has this part (part names are case-insensitive).

        Example::

            >>> _example().has_part("/XL/workbook.xml")
            True
        """
        return self._parts.actual_name(name.lstrip("/")) is not None

    def set_part(self, name: str, data: bytes, content_type: str | None = None) -> None:
        """Replace a part's bytes, or add a new part at the end of the archive.

        For a new part give ``content_type`` unless a ``<Default>`` for its extension
        covers it (an ``<Override>`` is then added to ``[Content_Types].xml``). Adding the
        relationship that makes the part reachable is the caller's business.

        Example::

            >>> pkg = _example()
            >>> pkg.set_part("customXml/note.xml", b"<note/>")
            >>> pkg.parts_changed()
            ['customXml/note.xml']
        """
        if not isinstance(data, bytes):
            raise TypeError("part data must be bytes")
        name = name.lstrip("/")
        actual = self._parts.actual_name(name)
        if actual is not None:
            self._parts[actual] = data
            return
        self._parts[name] = data
        if content_type is not None and self._parts.content_type(name) != content_type:
            self._parts.add_override(name, content_type)

    def remove_part(self, name: str) -> None:
        """Remove a part and its ``<Override>``; relationships to it are the caller's business.

        Example::

            >>> pkg = _example()
            >>> pkg.remove_part("docProps/core.xml")
            >>> pkg.has_part("docProps/core.xml")
            False
        """
        self._parts.remove(name)

    def parts_changed(self) -> list[str]:
        """Names of the parts added, changed or removed since the package was read.

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "0.25")
            >>> pkg.parts_changed()
            ['xl/workbook.xml']
        """
        return self._parts.changed()

    def content_type(self, name: str) -> str | None:
        """The content type ``[Content_Types].xml`` gives a part (Override, else Default).

        Example::

            >>> _example().content_type("xl/worksheets/sheet1.xml")
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml'
        """
        return self._parts.content_type(name)

    # -- sheets -------------------------------------------------------------------------

    def sheets(self) -> list[SheetInfo]:
        """The workbook's sheets in tab order, resolved through ``workbook.xml.rels``.

        Example::

            >>> s = _example().sheets()[0]
            >>> s.name, s.sheet_id, s.rel_id, s.part, s.state, s.kind
            ('Data', 1, 'rId1', 'xl/worksheets/sheet1.xml', 'visible', 'worksheet')
        """
        return list_sheets(self._parts, self._workbook)

    def sheet(self, name: str) -> SheetInfo:
        """One sheet by name (Excel compares sheet names case-insensitively).

        Example::

            >>> _example().sheet("DATA").name
            'Data'
        """
        return find_sheet(self._parts, self._workbook, name)

    def check_sheet_name(self, name: str) -> None:
        """Raise :class:`CrmError` unless ``name`` is a sheet name Excel accepts here
        (see :func:`check_sheet_name`).

        Example::

            >>> _example().check_sheet_name("Q1/Q2")
            Traceback (most recent call last):
            ...
            crm_xl.errors.CrmError: sheet name 'Q1/Q2': must not contain any of : \\ / ? * [ ]
        """
        check_sheet_name(name, [info.name for info in self.sheets()])

    def add_sheet(
        self,
        name: str,
        xml: bytes,
        *,
        after: str | None = None,
        rels: bytes | None = None,
    ) -> SheetInfo:
        """Add a worksheet part (``xml``, a whole ``<worksheet>``) as a new sheet ``name``.

        The part gets the next free ``xl/worksheets/sheetN.xml`` name, a new sheetId and
        rId, an ``<Override>`` in ``[Content_Types].xml``, and its title in
        ``docProps/app.xml``. ``rels`` becomes its ``.rels`` part (the targets must exist).
        The sheet goes after sheet ``after``, or last; defined names scoped to later
        sheets (``localSheetId``) and the active tab are renumbered to follow.

        Example::

            >>> pkg = _example()
            >>> xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            ...        b'<sheetData/></worksheet>')
            >>> pkg.add_sheet("Notes", xml, after="Data").part
            'xl/worksheets/sheet2.xml'
        """
        return add_sheet(self._parts, self._workbook, name, xml, after=after, rels=rels)

    def clone_sheet(
        self,
        source_name: str,
        new_name: str,
        *,
        after: str | None = None,
        transform: Callable[[bytes], bytes] | None = None,
    ) -> SheetInfo:
        """Copy worksheet ``source_name`` as a new sheet ``new_name`` (placed after ``after``,
        else last). ``transform(xml) -> xml`` may edit the copy's XML before it is stored.

        Cells, formulas, styles, column widths, merged cells, conditional formats and data
        validations (x14 ones too), hyperlinks and sheet settings are copied. Not copied:
        drawings (charts, pictures, shapes, text boxes), comments and their VML, form and
        ActiveX controls, tables, pivot tables, slicers, background pictures, header/footer
        images and printer settings. Those live in parts that belong to one sheet: a table
        needs a workbook-unique name and id, a comment's VML shape ids must be unique, a
        chart's series point at the source sheet by name, a control is linked to its cells
        and macro. Copying them right means renaming and renumbering across several parts;
        copying them wrong makes Excel "repair" the file. So the copy drops those
        relationships and the elements that point at them (``<drawing>``,
        ``<legacyDrawing>``, ``<legacyDrawingHF>``, ``<picture>``, ``<tableParts>``,
        ``<controls>``, ``<oleObjects>``, extensions such as slicer lists), keeps external
        hyperlinks, clears ``tabSelected`` (else Excel opens the two sheets grouped) and
        drops the ``codeName`` (it names the sheet's VBA module; two sheets must not share
        one, and Excel gives a sheet without one a new name). Defined names scoped to the
        source sheet (print area, filter range) are not copied.

        Example::

            >>> pkg = _example()
            >>> pkg.clone_sheet("Data", "Copy", transform=lambda x: x.replace(b"Name", b"Client")).name
            'Copy'
        """
        return clone_sheet(self._parts, self._workbook, source_name, new_name, after, transform)

    # -- defined names ------------------------------------------------------------------

    def defined_name_list(self) -> list[DefinedName]:
        """Every ``<definedName>``, in file order (a name may appear once per scope).

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "Data!$B$2")
            >>> pkg.defined_name_list()
            [DefinedName(name='Rate', text='Data!$B$2', local_sheet_id=None, hidden=False)]
        """
        return defined_name_list(self._parts, self._workbook)

    def defined_names(self) -> dict[str, tuple[str, int | None]]:
        """Defined names: name → (formula text, localSheetId or None).

        A name defined in several scopes (``_xlnm.Print_Area`` on two sheets, say) appears
        once, with its workbook-level definition if it has one, else its first; use
        :meth:`defined_name_list` to see every scope.

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "Data!$B$2")
            >>> pkg.defined_names()
            {'Rate': ('Data!$B$2', None)}
        """
        return defined_names(self._parts, self._workbook)

    def set_defined_name(self, name: str, text: str, local_sheet_id: int | None = None) -> None:
        """Add a defined name, or replace the text of the one with the same name and scope.

        Names compare case-insensitively, as in Excel; a replaced name keeps its spelling
        and other attributes (``hidden``, ``comment``). ``text`` is the formula without
        ``=`` (``Data!$B$2``, ``0.25``, ``SUM(Data!$A:$A)``); ``local_sheet_id`` is the
        0-based sheet position for a sheet-scoped name. ``<definedNames>`` is created
        where Excel expects it (after ``<sheets>``) when the workbook has none.

        Example::

            >>> pkg = _example()
            >>> pkg.set_defined_name("Rate", "0.2")
            >>> pkg.set_defined_name("RATE", "0.25")
            >>> pkg.defined_names()
            {'Rate': ('0.25', None)}
        """
        set_defined_name(self._parts, self._workbook, name, text, local_sheet_id)

    # -- calculation --------------------------------------------------------------------

    def request_full_calc_on_load(self) -> None:
        """Set ``<calcPr fullCalcOnLoad="1">`` so Excel recomputes every formula on opening
        (formula cells written without a cached value get one); ``<calcPr>`` is created if
        the workbook has none.

        Example::

            >>> pkg = _example()
            >>> pkg.request_full_calc_on_load()
            >>> b'fullCalcOnLoad="1"' in pkg.part("xl/workbook.xml")
            True
        """
        request_full_calc_on_load(self._parts, self._workbook)

    def drop_calc_chain(self) -> bool:
        """Remove ``xl/calcChain.xml`` with its relationship and content-type entry.

        Excel "repairs" a file whose calcChain lists a cell that no longer holds a formula;
        without a calcChain it simply rebuilds one. :meth:`set_cells` calls this itself
        when it removes a formula. Returns whether there was a calcChain.

        Example::

            >>> _example().drop_calc_chain()
            False
        """
        return drop_calc_chain(self._parts, self._workbook)

    # -- cells --------------------------------------------------------------------------

    def set_cells(self, sheet_name: str, values: Mapping[str, Any]) -> None:
        """Set cells of a worksheet: ``{"B4": 12.5, "C4": "text", "D4": Formula("B4*2", 25)}``.

        Values: numbers (``<v>``), text (an inline string: sharedStrings.xml is not
        touched, and text starting with ``=``, ``+``, ``-`` or ``@`` stays text), booleans,
        :class:`ErrorValue`, :class:`Formula` (``<f>`` with an optional cached ``<v>``),
        and None (the value goes, the cell's style ``s=`` stays). A cell keeps its style;
        rows and cells are created in order where missing, and ``<dimension>`` grows to
        cover them. The first cell of a shared formula and any cell of a multi-cell array
        formula are refused (changing them would break the formulas of other cells). When
        a formula is removed, calcChain is dropped (see :meth:`drop_calc_chain`).

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C1": "=1+1", "C2": 3, "C3": Formula("C2*2", cached=6)})
            >>> b'<c r="C1" t="inlineStr"><is><t>=1+1</t></is></c>' in pkg.part("xl/worksheets/sheet1.xml")
            True
        """
        set_cells(self._parts, self._workbook, sheet_name, values)

    def formulas_to_values(self, sheet_name: str) -> tuple[int, list[str]]:
        """Replace every formula of a worksheet by its stored value (a copy to send outside:
        ``crm-xl export``); returns how many went and the cells that had no stored value
        (left empty). Styles and everything else stay; calcChain goes when a formula did
        (:mod:`crm_xl.xlsx.values_only`).

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2", cached=170), "C3": Formula("B3*2")})
            >>> pkg.formulas_to_values("Data")
            (2, ['C3'])
            >>> pkg.formula_cells("Data"), pkg.values("Data", ["C2"])
            (set(), {'C2': ('n', 170.0)})
        """
        info = find_worksheet(self._parts, self._workbook, sheet_name)
        root = self._parts.tree(info.part)
        edits, replaced, missing = values_only(root)
        self._parts.store(info.part, root, edits)
        if replaced:
            self.drop_calc_chain()
        return replaced, missing

    def drop_vba(self) -> bool:
        """Remove the VBA project and make the workbook a plain .xlsx one (its content
        type); whether there was a VBA project.

        Example::

            >>> _example().drop_vba()
            False
        """
        return drop_vba(self._parts, self._workbook)

    # -- cached formula values ----------------------------------------------------------

    def set_cached_values(
        self, sheet_name: str, values: Mapping[str, Any], *, changed_only: bool = False
    ) -> int:
        """Write formula results as the cached values of formula cells; returns how many changed.

        ``values`` maps cells to results: ``{"L4": 71.2, "M4": "A", "N4": True,
        "O4": ErrorValue("#N/A"), "P4": ""}``. Only formula cells are accepted: cells with
        an ``<f>`` (normal, shared master or dependent, array anchor) and the other cells of
        an array formula's or a dynamic array's range (Excel stores ``<f t="array"
        ref=..>`` on the first cell only; the others hold just a ``<v>``). Any other cell
        is refused (:class:`CrmError` naming ``sheet!cell``) and nothing is changed.

        Only the ``<v>`` of each cell and its ``t=`` change: numbers have no ``t`` (the
        shortest repr that reads back the same float, integers without ``.0``; NaN and
        infinities are refused), text is ``t="str"`` (not a shared or inline string, as
        Excel stores a formula's text result; ``xml:space="preserve"`` when it starts or
        ends with white space, as Excel writes it), booleans ``t="b"`` with 1/0, errors
        ``t="e"``, and ``""`` is ``t="str"`` with ``<v></v>``. ``<f>``, ``s=``, ``cm=``,
        ``vm=``, ``ph=``, extensions and every other byte of the part stay as they were, so
        calcChain stays valid. A cell that already holds the same value with the same type
        is left byte for byte: an up-to-date sheet is not rewritten at all. A cell of an
        array range that the file lacks altogether (openpyxl writes only the first cell) is
        created, in its row, with ``<dimension>`` grown to cover it.

        ``changed_only=True`` says the caller compared each value with what the cell stores
        (``crm-xl recalc`` does) and found them different: the per-cell comparison is
        skipped. The result cells are found in one pass of the regular expression engine
        (no Python step for the other cells) and the edits applied in one join; what was
        put in is parsed to prove it well-formed. Sheets written otherwise than Excel
        writes them (comments, cells without ``r``, ...) take one pass over every cell.

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2"), "C3": Formula("B3*2")})
            >>> pkg.set_cached_values("Data", {"C2": 170, "C3": "n/a"})
            2
            >>> pkg.set_cached_values("Data", {"C2": 170.0})
            0
            >>> b'<c r="C3" t="str"><f>B3*2</f><v>n/a</v></c>' in pkg.part("xl/worksheets/sheet1.xml")
            True
            >>> pkg.set_cached_values("Data", {"B2": 1})
            Traceback (most recent call last):
            ...
            crm_xl.errors.CrmError: Data!B2: not a formula cell: recalc never overwrites input cells
        """
        return write_cached_values(self._parts, self._workbook, sheet_name, values, changed_only)

    def formula_cells(self, sheet_name: str) -> set[str]:
        """Every formula cell of the sheet (``"L4"``): cells with an ``<f>`` and every cell
        of an array formula's or dynamic array's range (present in the file or not).

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2")})
            >>> sorted(pkg.formula_cells("Data"))
            ['C2']
        """
        return formula_cells(self._parts, self._workbook, sheet_name)

    def array_areas(self, sheet_name: str) -> list[tuple[int, int, int, int]]:
        """The ranges (row1, col1, row2, col2) of the sheet's array formulas, dynamic arrays
        and data tables: their cells are formula cells even where the file holds just a
        ``<v>`` or nothing.

        Example::

            >>> _example().array_areas("Data")
            []
        """
        return sheet_array_areas(self._parts, self._workbook, sheet_name)

    def cached_values(
        self, sheet_name: str, cells: Iterable[str] | None = None
    ) -> dict[str, tuple[str, Any]]:
        """The cached (stored) result of each formula cell: ``{"L4": ("n", 71.2), ...}``.

        The type is ``"n"`` (value a float; an ISO 8601 date, ``t="d"``, is its serial
        number), ``"str"`` (text; also a shared or inline string some writers store),
        ``"b"`` (bool), ``"e"`` (the error text, ``"#N/A"``) or ``"empty"`` (no cached
        value, or none Excel would read: value None), as
        :func:`crm_xl.xlsx.values.decode_value` reads them. Formula cells are those
        :meth:`set_cached_values` accepts, including the other cells of array and
        dynamic-array ranges. With ``cells`` only those are looked up, keyed as given;
        cells that hold no formula are left out, and a cell of an array range that the
        file lacks is ``("empty", None)``. Without ``cells`` every formula cell present in
        the file is listed, keyed like ``"L4"``. One pass over the part.

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2", cached=170), "C3": Formula('""')})
            >>> pkg.cached_values("Data")
            {'C2': ('n', 170.0), 'C3': ('empty', None)}
            >>> pkg.cached_values("Data", ["$C$2", "B2"])
            {'$C$2': ('n', 170.0)}
        """
        return read_cached_values(self._parts, self._workbook, sheet_name, cells)

    def values(
        self, sheet_name: str, cells: Iterable[str] | None = None
    ) -> dict[str, tuple[str, Any]]:
        """What each cell of the sheet stores, as :meth:`cached_values` gives it for formula
        cells (their cached result) and likewise for every other cell: ``{"B2": ("n", 85.0),
        "A2": ("str", "Acme"), ...}``. Cells the file does not hold are left out (empty).
        With ``cells`` only those are looked up, keyed as given. One pass over the part.

        Example::

            >>> pkg = _example()
            >>> pkg.set_cells("Data", {"C2": Formula("B2*2", cached=170)})
            >>> sorted(pkg.values("Data").items())[:3]
            [('A1', ('str', 'Name')), ('A2', ('str', 'Ann')), ('A3', ('str', 'Bo'))]
            >>> pkg.values("Data", ["C2", "Z9", "B2"])
            {'B2': ('n', 85.0), 'C2': ('n', 170.0)}
        """
        return read_stored_values(self._parts, self._workbook, sheet_name, cells)

    # -- saving -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The package as a zip archive (what :meth:`save` writes).

        Example::

            >>> _example().to_bytes()[:2]
            b'PK'
        """
        import io

        buffer = io.BytesIO()
        self._write(buffer)
        return buffer.getvalue()

    def _write(self, stream: IO[bytes]) -> None:
        write_archive(stream, self._parts, self._infos, self.archive_comment)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the workbook atomically: a temporary file in the same folder, fsync, rename.

        If anything fails the file at ``path`` is left as it was and no temporary file
        remains. ``path`` may be the file the package was opened from. An existing file's
        permissions are kept.

        Example::

            >>> import tempfile, pathlib
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.xlsx"
            >>> _example().save(path)
            >>> path.read_bytes()[:2]
            b'PK'
        """
        save_atomically(Path(path), self._write)


def _example() -> Package:
    """A small workbook for the examples: sheet 'Data' with A1:B3 filled (made with openpyxl)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in (("Name", "Score"), ("Ann", 85), ("Bo", 70)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return Package.from_bytes(buffer.getvalue(), "example.xlsx")
