"""The xlwings Lite host (:mod:`tests.helpers.lite_host`) from a test, and the payloads
Office.js sends: a formula's arguments and a workbook's values, as Excel hands them over.

What Office.js hands over (Microsoft's custom-functions and Excel JavaScript API reference,
and xlwings' Office.js code, which reads exactly these forms):

* a custom function's argument declared ``matrix`` is always a list of rows, a single cell
  too (``[[5]]``); an empty cell is ``null`` (Excel on the web and current desktop builds)
  and a formula's ``""`` stays ``""``; whole numbers are JS numbers, which Pyodide hands
  to Python as ``int``; an error cell is ``{"type": "Error", "basicValue": "#N/A", ...}``
  (``allowErrorForDataTypeAny``); a date cell is its serial number; an omitted optional
  argument is ``null``;
* a script's book payload holds each sheet's values from A1 to the end of the used range,
  ``""`` for an empty cell, errors as their text, dates as serials; defined names with
  their sheet, address and formula.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from crm_xl.xlsx.coordinates import parse_cell, parse_range

ROOT = Path(__file__).resolve().parents[2]
ERROR_TYPES = {
    "#DIV/0!": "Div0",
    "#N/A": "NotAvailable",
    "#NAME?": "Name",
    "#NULL!": "Null",
    "#NUM!": "Num",
    "#REF!": "Ref",
    "#VALUE!": "Value",
}
MAX_ROWS = 1_048_576


class LiteHost:
    """One host process (``python``: this one's by default): ``request(op=..., ...)``
    returns its answer or raises."""

    def __init__(self, python: str | Path = sys.executable, **env: str) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XLWINGS"))}
        self.proc = subprocess.Popen(
            [str(python), "-m", "tests.helpers.lite_host"],
            cwd=ROOT,
            env={**base, "PYTHONPATH": str(ROOT), **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def request(self, **request: Any) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.readline())
        if "error" in out:
            raise RuntimeError(out["error"])
        return out["ok"]

    def call(self, name: str, *args: Any) -> list[list[Any]]:
        """``=name(args)`` computed through ``custom_functions_call``: the cells it shows."""
        data = {
            "func_name": name,
            "args": list(args),
            "version": "office.js",
            "client": "Office.js",
            "runtime": "1.4",
            "culture_info_name": "en-US",
            "date_format": "M/d/yyyy",
            "caller_address": "Sheet1!Z1",
        }
        return self.request(op="call", data=data)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def officejs_cell(value: Any, *, in_book: bool = False) -> Any:
    """A cell's value as Office.js hands it over (``in_book``: a book payload's values)."""
    if value is None:
        return "" if in_book else None
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        value = serial(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a JS number: Pyodide hands a whole one to Python as int
    if isinstance(value, str) and value in ERROR_TYPES and not in_book:
        return {"type": "Error", "basicValue": value, "errorType": ERROR_TYPES[value]}
    return value


def serial(value: dt.date | dt.datetime) -> float:
    """Excel's serial of a date (the 1900 system, from 1 March 1900)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def officejs_range(cells: dict[str, Any], ref: str) -> list[list[Any]]:
    """A range argument (``B1:E2``, ``B:B`` a whole column) as Office.js hands it over."""
    if ":" in ref and all(part.isalpha() for part in ref.replace("$", "").split(":")):
        first, last = (parse_cell(f"{c}1")[1] for c in ref.replace("$", "").split(":"))
        box = (1, first, MAX_ROWS, last)
    else:
        box = parse_range(ref.replace("$", "")) or (*parse_cell(ref), *parse_cell(ref))
    r0, c0, r1, c1 = box
    at = {parse_cell(k): v for k, v in cells.items()}
    return [[officejs_cell(at.get((r, c))) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]


def book_payload(path: Path, blank: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The book payload xlwings Lite sends with a script, made from a saved workbook: every
    sheet's values (the stored results of formulas, as Excel's grid shows them) from A1 to
    the end of its used range, and the defined names. ``blank``: sheet → ranges to send empty
    (results not computed yet)."""
    import openpyxl
    import xlwings as xw

    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [
            [officejs_cell(c.value, in_book=True) for c in row]
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)
        ]
        for ref in (blank or {}).get(ws.title, []):
            r0, c0, r1, c1 = parse_range(ref)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if r <= len(values) and c <= len(values[r - 1]):
                        values[r - 1][c - 1] = ""
        sheets.append(
            {
                "name": ws.title,
                "values": values,
                "pictures": [],
                "shapes": [],
                "charts": [],
                "tables": [],
                "notes": [],
                "pivot_tables": [],
                "visibility": "Visible",
                "show_gridlines": True,
            }
        )
    titles = [ws.title for ws in wb.worksheets]
    names = []
    for name, dn in wb.defined_names.items():
        text = dn.attr_text
        sheet, _, address = text.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
        on_sheet = sheet in titles
        names.append(
            {
                "name": name,
                "refers_to": "=" + text,
                "sheet_index": titles.index(sheet) if on_sheet else None,
                "address": address.replace("$", "") if on_sheet else None,
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
            }
        )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def apply_actions(book: dict[str, Any], actions: list[dict[str, Any]]) -> list[str]:
    """Apply a script's ``setValues``, ``addSheet`` and ``sheetClear`` actions to the
    payload's values (what xlwings Lite's client does in Excel); returns the other actions'
    names (alerts, formats and the like)."""
    others = []
    for action in actions:
        if action["func"] == "addSheet":  # args: the new sheet's position, its name
            position, name = action["args"][:2]
            book["sheets"].insert(position, {**book["sheets"][0], "name": name, "values": []})
            continue
        if action["func"] == "sheetClear":
            book["sheets"][action["sheet_position"]]["values"] = []
            continue
        if action["func"] != "setValues":
            others.append(action["func"])
            continue
        values = book["sheets"][action["sheet_position"]]["values"]
        r0, c0 = action["start_row"], action["start_column"]  # 0-based
        for i, row in enumerate(action["values"]):
            while len(values) <= r0 + i:
                values.append([""] * (len(values[0]) if values else 0))
            for j, v in enumerate(row):
                line = values[r0 + i]
                line.extend([""] * (c0 + j + 1 - len(line)))
                line[c0 + j] = v
    return others
