"""Edit a workbook in LibreOffice Calc as a user would, through its UNO API, and save it.

Run by the system Python (which has ``uno``, Debian's python3-uno), not the test
environment's: ``/usr/bin/python3 uno_edit.py BOOK OPS.json PROFILE_DIR``. OPS is a list of
steps done in order on the open document, then the document is stored back as .xlsx:

* ``{"op": "sort", "sheet": S, "range": "A4:V63", "by": 4, "descending": true}``: sort the
  rows of the range by one of its columns (0-based within the range), as Data ▸ Sort does;
* ``{"op": "delete_rows", "sheet": S, "row": 5, "count": 1}`` (1-based row numbers);
* ``{"op": "insert_rows", "sheet": S, "row": 6, "count": 1}``;
* ``{"op": "set", "sheet": S, "cells": {"A6": "C9999", "E6": 300000}}``: type values;
* ``{"op": "filter", "sheet": S, "range": "A3:V203", "field": 2, "equals": "East"}``: an
  AutoFilter showing only the rows whose column ``field`` (0-based) equals the text.

LibreOffice is started for this run only (its own profile, a private pipe) and closed.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

# ``uno`` exists only in the system Python: imported when the script runs, so that the test
# suite's doctest collection can import this module anywhere
uno: Any = None


def _load_uno() -> None:
    global uno
    import uno as module  # type: ignore[import-not-found]

    uno = module


def _props(**kw):
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _connect(pipe: str, proc: subprocess.Popen, timeout: float = 60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _range(sheet, ref: str):
    return sheet.getCellRangeByName(ref)


def _apply(doc, step: dict) -> None:
    sheet = doc.Sheets.getByName(step["sheet"])
    op = step["op"]
    if op == "sort":
        rng = _range(sheet, step["range"])
        field = uno.createUnoStruct("com.sun.star.table.TableSortField")
        field.Field = step["by"]
        field.IsAscending = not step.get("descending", False)
        field.FieldType = uno.Enum("com.sun.star.table.TableSortFieldType", "AUTOMATIC")
        desc = _props(SortFields=uno.Any("[]com.sun.star.table.TableSortField", (field,)))
        uno.invoke(rng, "sort", (desc,))
    elif op in ("delete_rows", "insert_rows"):
        rows = sheet.getRows()
        start, count = step["row"] - 1, step.get("count", 1)
        if op == "delete_rows":
            rows.removeByIndex(start, count)
        else:
            rows.insertByIndex(start, count)
    elif op == "set":
        for ref, value in step["cells"].items():
            cell = sheet.getCellRangeByName(ref)
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
    elif op == "filter":
        from com.sun.star.table import CellRangeAddress  # type: ignore[import-not-found]

        rng = _range(sheet, step["range"])
        addr = rng.getRangeAddress()
        ranges = doc.DatabaseRanges
        name = "crm_test_filter"
        if ranges.hasByName(name):
            ranges.removeByName(name)
        ranges.addNewByName(
            name,
            CellRangeAddress(
                addr.Sheet, addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow
            ),
        )
        db = ranges.getByName(name)
        db.AutoFilter = True
        fd = db.getFilterDescriptor()
        f = uno.createUnoStruct("com.sun.star.sheet.TableFilterField")
        f.Field = step["field"]
        f.IsNumeric = False
        f.StringValue = step["equals"]
        f.Operator = uno.Enum("com.sun.star.sheet.FilterOperator", "EQUAL")
        fd.setFilterFields((f,))
        fd.ContainsHeader = True
        db.refresh()
    else:
        raise ValueError(f"unknown step {op!r}")


def main(book: str, ops_path: str, profile: str) -> None:
    """Do the steps of ``ops_path`` on ``book`` in a LibreOffice of its own (``profile``)."""
    _load_uno()
    steps = json.loads(Path(ops_path).read_text(encoding="utf-8"))
    pipe = f"crm_xl_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        ctx = _connect(pipe, proc)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = Path(book).resolve().as_uri()
        doc = desktop.loadComponentFromURL(url, "_blank", 0, _props(Hidden=True))
        for step in steps:
            _apply(doc, step)
        doc.storeToURL(url, _props(FilterName="Calc MS Excel 2007 XML"))
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge goes down with the office
            desktop.terminate()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)


if __name__ == "__main__":
    main(*sys.argv[1:4])
