"""The :class:`~crm_xl.workbook.backend.Backend` over a workbook file, without Excel.

The file is edited as an OOXML package (:class:`crm_xl.xlsx.Package`), so everything the
operation does not change stays byte for byte as it was. A result written to a cell that
holds a formula becomes that formula's cached value (the formula stays); one written to a
cell without a formula becomes the cell's value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from crm_xl.workbook.cell_values import same, typed
from crm_xl.xlsx.coordinates import cell_name, parse_range, range_cells
from crm_xl.xlsx.namespaces import MAIN_NS


def workbook_names(pkg: Any) -> dict[str, str]:
    """A package's workbook-level defined names → their text (sheet-local ones left out)."""
    return {name: text for name, (text, local) in pkg.defined_names().items() if local is None}


def strip_code_name(xml: bytes) -> bytes:
    """A worksheet's XML without its VBA code name: a copied sheet must not reuse the
    source's (Excel gives it its own).

    Example::

        >>> strip_code_name(b'<sheetPr filterMode="0" codeName="Sheet3"/>')
        b'<sheetPr filterMode="0"/>'
    """
    return re.sub(rb'(<sheetPr\b[^>]*?)\s+codeName="[^"]*"', rb"\1", xml, count=1)


class PackageBackend:
    """A workbook file as a :class:`~crm_xl.workbook.backend.Backend`; :meth:`save` writes it.

    ``pkg`` is the file's package when the caller has it open already.
    ``formula_cells="skip"`` leaves formula cells to the evaluator (``crm-xl recalc``);
    ``check=True`` writes nothing and records the cells that would change (:attr:`changes`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        pkg: Any = None,
        formula_cells: str = "cache",
        check: bool = False,
    ) -> None:
        from crm_xl.xlsx import Package

        self.path = Path(path)
        self.pkg = pkg if pkg is not None else Package.open(self.path)
        self.formula_cells_mode = formula_cells
        self.check = check
        self.changes: list[tuple[str, str, Any, Any]] = []  # (sheet, cell, stored, computed)
        self._values: dict[str, dict[str, Any]] = {}  # per sheet, read once, until a write
        self._formulas: dict[str, set[str]] = {}

    # -- reading ---------------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        return workbook_names(self.pkg)

    def sheet_names(self) -> list[str]:
        return [info.name for info in self.pkg.sheets()]

    def read(self, sheet: str, ref: str) -> list[list[Any]]:
        values = self._sheet_values(sheet)
        r1, c1, r2, c2 = _box(ref)
        return [[values.get(cell_name(r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    def _sheet_values(self, sheet: str) -> dict[str, Any]:
        """Every cell's stored value (formula cells: their cached result), read from the
        open package once per sheet and again after a write to it. An error cell reads as
        empty, as a value the computation cannot use."""
        values = self._values.get(sheet)
        if values is None:
            values = self._values[sheet] = {
                cell: value
                for cell, (kind, value) in self.pkg.values(sheet).items()
                if kind not in ("empty", "e")
            }
        return values

    def formulas(self, sheet: str) -> dict[str, str]:
        """See :meth:`~crm_xl.workbook.backend.Backend.formulas`; read from the sheet's part with defusedxml (the
        package has no public list of formula texts yet)."""
        from defusedxml import ElementTree

        ns = "{" + MAIN_NS + "}"
        root = ElementTree.fromstring(self.pkg.part(self.pkg.sheet(sheet).part))
        out = {}
        for c in root.iter(f"{ns}c"):
            f = c.find(f"{ns}f")
            if f is not None and f.text and f.get("t") not in ("shared", "array"):
                out[c.get("r")] = "=" + f.text
        return out

    def formula_cells(self, sheet: str, cells: Collection[str]) -> set[str]:
        return self._formula_cells(sheet) & set(cells) if cells else set()

    def _formula_cells(self, sheet: str) -> set[str]:
        """The sheet's formula cells, array ranges included, found once (writing values does
        not change them; :meth:`set_cells` forgets them)."""
        found = self._formulas.get(sheet)
        if found is None:
            found = self._formulas[sheet] = self.pkg.formula_cells(sheet)
        return found

    def computed_elsewhere(self, sheet: str, ref: str) -> bool:
        """With ``formula_cells="skip"``: every cell of ``ref`` holds a formula (or is part
        of an array formula), which the evaluator computes."""
        if self.formula_cells_mode != "skip":
            return False
        found = self._formula_cells(sheet)
        return all(cell in found for cell in range_cells(ref))

    # -- writing ---------------------------------------------------------------------------
    def write(self, sheet: str, ref: str, rows: list[list[Any]]) -> None:
        r1, c1, _, _ = _box(ref)
        formulas = self._formula_cells(sheet)
        current = self.read(sheet, ref)
        cached, plain = {}, {}
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                cell = cell_name(r1 + i, c1 + j)
                if cell in formulas:
                    cached[cell] = _typed_cache(v)
                elif not _same(current[i][j], v):
                    plain[cell] = v
                    self.changes.append((sheet, cell, current[i][j], v))
        if self.check:
            return
        if cached and self.formula_cells_mode == "cache":
            self.pkg.set_cached_values(sheet, cached)
            self._values.pop(sheet, None)
        if plain:
            self.set_cells(sheet, {c: (None if v == "" else v) for c, v in plain.items()})

    def set_cells(self, sheet: str, values: Mapping[str, Any]) -> None:
        self.pkg.set_cells(sheet, values)
        self._formulas.pop(sheet, None)  # a Formula written, or one cleared
        self._values.pop(sheet, None)

    def set_name(self, name: str, text: str) -> None:
        self.pkg.set_defined_name(name, text)

    def fit_print_area(self, sheet: str, last_row: int) -> bool:
        """Make the sheet's print area (``_xlnm.Print_Area``, if it has one: a user who
        removed it prints the whole sheet) end at ``last_row``, its columns as they are;
        True when it changed."""
        import re

        index = self.pkg.sheet(sheet).index
        for d in self.pkg.defined_name_list():
            if d.name.lower() == "_xlnm.print_area" and d.local_sheet_id == index:
                m = re.fullmatch(r"(.*!\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?)(\d+)", d.text)
                if m is None or int(m.group(2)) == last_row:
                    return False  # several areas, or already right
                self.pkg.set_defined_name(d.name, f"{m.group(1)}{last_row}", index)
                return True
        return False

    def copy_sheet(self, source: str, title: str, after: str) -> None:
        self.pkg.clone_sheet(source, title, after=after, transform=strip_code_name)

    def extend_charts(self, sheet: str, first: int, last: int, new_last: int) -> None:
        """Every chart part's references to rows ``first``–``last`` of ``sheet`` (any
        column, the sheet's name quoted or not) end at ``new_last``."""
        import re

        from crm_xl.xlsx.coordinates import quote_sheet
        from crm_xl.xlsx.escapes import escape_text

        names = {re.escape(escape_text(n)) for n in (sheet, quote_sheet(sheet), f"'{sheet}'")}
        ref = re.compile(
            rf"(>(?:{'|'.join(names)})!\$([A-Z]{{1,3}})\${first}:\$\2\$){last}<".encode()
        )
        for part in self.pkg.part_names():
            if part.startswith("xl/charts/") and part.endswith(".xml"):
                data = self.pkg.part(part)
                grown = ref.sub(rb"\g<1>" + str(new_last).encode() + b"<", data)
                if grown != data:
                    self.pkg.set_part(part, grown)

    def save(self, path: str | Path | None = None) -> None:
        """Write the package to ``path`` (default: the file it was read from)."""
        self.pkg.save(path or self.path)


def _box(ref: str) -> tuple[int, int, int, int]:
    box = parse_range(ref)
    if box is None:
        raise ValueError(f"not a cell range: {ref!r}")
    return box


def _same(stored: Any, computed: Any) -> bool:
    """A stored cell already shows the computed value (numbers to 15 significant digits:
    writers print floats with 15 to 17 digits)."""
    return same(
        typed(None if stored == "" else stored), typed(None if computed == "" else computed)
    )


def _typed_cache(value: Any) -> Any:
    from crm_xl.xlsx import ErrorValue

    return value if not (isinstance(value, str) and value in ("#N/A",)) else ErrorValue(value)
