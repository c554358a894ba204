"""The targeted edit (only the result cells visited) against the full scan over every cell:
the same bytes, on every Excel-made workbook and on a big sheet of mixed cells."""

from __future__ import annotations

import pytest

from crm_xl.errors import EXCEL_ERRORS
from crm_xl.xlsx import ErrorValue, Package
from tests.xlsx.harness import (
    BOOK,
    FORMULA_BOOKS,
    MAIN_NS,
    PART,
    fixture,
    typed,
    untyped,
)


def _new_values(stored: dict, seed: int) -> dict:
    """New results for formula cells: a mix of the same value, other numbers, and a
    change of type (number to text, text to number, booleans, errors, empty text)."""
    import random

    rng = random.Random(seed)
    out = {}
    for ref, (kind, value) in stored.items():
        pick = rng.random()
        if pick < 0.2 and kind != "empty":
            out[ref] = untyped(kind, value)
        elif pick < 0.5:
            out[ref] = rng.choice([rng.uniform(-1e6, 1e6), float(rng.randint(-99, 99)), 2.5])
        elif pick < 0.65:
            out[ref] = rng.choice(["A", " spaced ", "a&b<c>", "中文", ""])
        elif pick < 0.8:
            out[ref] = rng.random() < 0.5
        else:
            out[ref] = ErrorValue(rng.choice(EXCEL_ERRORS))
    return out


@pytest.mark.parametrize("name", FORMULA_BOOKS)
@pytest.mark.parametrize("changed_only", [False, True])
def test_targeted_edit_writes_what_the_full_scan_writes(name, changed_only, monkeypatch):
    """Every formula cell of every Excel-made workbook given new values: the bytes written
    by the targeted edit are those of the full scan over every cell."""
    from crm_xl.xlsx import targeted_edit

    pkg = Package.open(fixture(name))
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet":
            continue
        stored = pkg.cached_values(sheet.name)
        if not stored:
            continue
        values = _new_values(stored, len(stored))
        if changed_only:  # as recalc calls it: only values that differ
            values = {k: v for k, v in values.items() if typed(v) != stored[k]}
        fast, slow = Package.open(fixture(name)), Package.open(fixture(name))
        n_fast = fast.set_cached_values(sheet.name, values, changed_only=changed_only)
        with monkeypatch.context() as m:
            m.setattr(targeted_edit, "edit_targeted", lambda *a, **k: None)
            n_slow = slow.set_cached_values(sheet.name, values)
        assert fast.part(sheet.part) == slow.part(sheet.part), sheet.name
        if not changed_only:
            assert n_fast == n_slow
        assert fast.cached_values(sheet.name, values) == {k: typed(v) for k, v in values.items()}


@pytest.mark.parametrize("piece", [None, 5000])
def test_targeted_edit_on_a_big_sheet_of_mixed_cells(piece, monkeypatch):
    """Thousands of rows where most result cells keep their type and some change it (the
    part split in pieces of ``piece`` bytes, or of the default)."""
    from crm_xl.xlsx import targeted_edit

    if piece is not None:
        monkeypatch.setattr(targeted_edit, "SWAP_PIECE", piece)

    rows = []
    for r in range(1, 3001):
        rows.append(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>'
            f'<c r="B{r}"><f>A{r}*2</f><v>{2 * r}</v></c>'
            f'<c r="C{r}" s="1" t="str"><f>"x"</f><v>x</v></c>'
            f'<c r="D{r}"><f t="shared" si="0"/><v>1</v></c></row>'
        )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    ).encode()
    values = {}
    for r in range(1, 3001):
        values[f"B{r}"] = 2.0 * r if r % 3 else r / 7  # a third change
        values[f"C{r}"] = "x" if r % 5 else ("y" if r % 2 else 1.5)  # text, and a type change
        values[f"D{r}"] = ErrorValue("#N/A") if r % 11 == 0 else 1.0
    fast, slow = Package.from_bytes(BOOK, "book.xlsx"), Package.from_bytes(BOOK, "book.xlsx")
    for pkg in (fast, slow):
        pkg.set_part(PART, xml)
    n = fast.set_cached_values("Data", values)
    with monkeypatch.context() as m:
        m.setattr(targeted_edit, "edit_targeted", lambda *a, **k: None)
        assert slow.set_cached_values("Data", values) == n
    assert fast.part(PART) == slow.part(PART)
    assert n == 1000 + 600 + 272  # worked out from the rules above


def test_openpyxl_empty_cached_values_get_their_values(monkeypatch):
    """openpyxl writes every formula cell with an empty ``<v />``: each gets its value, as the
    full scan writes it (numbers, text, booleans, errors, a number that is already there)."""
    from crm_xl.xlsx import targeted_edit

    rows = []
    for r in range(1, 2001):
        rows.append(
            f'<row r="{r}"><c r="A{r}" t="n"><v>{r}</v></c>'
            f'<c r="B{r}"><f>A{r}*2</f><v /></c>'
            f'<c r="C{r}"><f>A{r}&amp;"x"</f><v/></c>'
            f'<c r="D{r}"><f>A{r}+1</f><v>{r + 1}</v></c></row>'
        )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    ).encode()
    values = {}
    for r in range(1, 2001):
        values[f"B{r}"] = 2.0 * r
        values[f"C{r}"] = f"{r}x" if r % 4 else (r % 8 == 0 or ErrorValue("#VALUE!"))
        values[f"D{r}"] = r + 1.0  # already stored: unchanged
    fast, slow = Package.from_bytes(BOOK, "book.xlsx"), Package.from_bytes(BOOK, "book.xlsx")
    for pkg in (fast, slow):
        pkg.set_part(PART, xml)
    n = fast.set_cached_values("Data", values)
    with monkeypatch.context() as m:
        m.setattr(targeted_edit, "edit_targeted", lambda *a, **k: None)
        assert slow.set_cached_values("Data", values) == n
    assert fast.part(PART) == slow.part(PART)
    assert n == 4000  # every B and C cell had no value; D already held its own
    assert b'<c r="B7"><f>A7*2</f><v>14</v></c>' in fast.part(PART)


@pytest.mark.parametrize("piece", [None, 3000])
@pytest.mark.parametrize("leave_out", [None, "B1500", "C7"])
def test_every_result_cell_a_new_number_at_once(leave_out, piece, monkeypatch):
    """A recalculation's usual case (changed_only, a new number in every formula cell of
    the result columns) is swapped in at once: the bytes of the full scan, every cell
    counted; with one cell left out the cell-by-cell loop runs, to the same bytes. The
    part is split a piece at a time (``piece``: small, a hundred pieces here)."""
    from crm_xl.xlsx import targeted_edit

    if piece is not None:
        monkeypatch.setattr(targeted_edit, "SWAP_PIECE", piece)

    rows = []
    for r in range(1, 3001):
        rows.append(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>'
            f'<c r="B{r}" s="2"><f>A{r}*2</f><v>0</v></c>'
            f'<c r="C{r}" t="n"><f>A{r}/4</f><v /></c>'
            + (
                f'<c r="D{r}"><f t="shared" ref="D1:D3000" si="0">A1+1</f><v>1</v></c></row>'
                if r == 1
                else f'<c r="D{r}"><f t="shared" si="0"/><v>1</v></c></row>'
            )
        )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    ).encode()
    values = {}
    for r in range(1, 3001):
        values[f"B{r}"], values[f"C{r}"], values[f"D{r}"] = 2.0 * r, r / 4, r + 1.0
    values.pop(leave_out, None)
    fast, slow = Package.from_bytes(BOOK, "book.xlsx"), Package.from_bytes(BOOK, "book.xlsx")
    for pkg in (fast, slow):
        pkg.set_part(PART, xml)
    n = fast.set_cached_values("Data", values, changed_only=True)
    with monkeypatch.context() as m:
        m.setattr(targeted_edit, "edit_targeted", lambda *a, **k: None)
        assert slow.set_cached_values("Data", values) == n
    assert fast.part(PART) == slow.part(PART)
    assert n == 9000 - (leave_out is not None)
    assert b'<c r="C6" t="n"><f>A6/4</f><v>1.5</v></c>' in fast.part(PART)
    assert b'<c r="D3000"><f t="shared" si="0"/><v>3001</v></c>' in fast.part(PART)
