"""Install crm_xl's LibreOffice extension into a fresh profile, then let Calc compute workbooks.

Run by the system Python (which has ``uno``, Debian's python3-uno), not the test
environment's: ``/usr/bin/python3 uno_calc.py JOB.json``. JOB is::

    {"profile": DIR, "extension": OXT, "books": [{"path": BOOK, "formulas": {...},
     "save_as": OUT.xlsx or null}], "out": RESULT.json}

1. LibreOffice starts with the profile ``DIR`` (``-env:UserInstallation``), adds the
   extension for this user through the ExtensionManager (what Tools ▸ Extension Manager ▸
   Add does; ``unopkg add`` refuses to as root) and quits.
2. LibreOffice starts again, as a user's next start: the extension's start-up job runs.
   Each book is opened (hidden), ``formulas`` typed in (``{"Sheet!A1": "=CRM_SCORE(...)"}``
   through ``setFormula``, or ``{"Sheet!A1:A3": "{=...}"}`` as an array formula), every
   formula recomputed (``calculateAll``: a hard recalculation) and, with ``save_as``,
   stored as .xlsx (``"load_libraries"``: Basic libraries loaded before the books open;
   a book's ``"document_basic"``: Basic code put into the document's own Standard library,
   the document opened with its macros allowed).
   Every cell whose formula names ``CRM_`` is reported: sheet, cell,
   formula, and its result (number, text or LibreOffice's error code).
3. With ``"convert": [{"path": BOOK, "outdir": DIR}]``: each book converted to CSV by a
   plain ``soffice --headless --convert-to csv`` with the same profile, as a script would
   (``"to": "xlsx"``: saved as .xlsx instead, Calc's "Calc MS Excel 2007 XML" filter).
4. With ``"remove_after": true``: the extension removed again, LibreOffice restarted and
   the books computed once more (``"after_removal"``).
5. What the function wizard shows: every ``CRM_*`` entry of
   ``com.sun.star.sheet.FunctionDescriptions`` (``"wizard"``: name, description, arguments
   with their help), LibreOffice's version (``"version"``), the Standard library's modules.

LibreOffice is ``$SOFFICE`` when set (another installation: ``/opt/lo-new/soffice``), else
``soffice`` on PATH.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

uno: Any = None  # imported when the script runs (the test suite's doctests import this module)
#: Where each LibreOffice started is noted (its process group), for the caller to end it if
#: this script is killed first (a timeout): the job's "pids" file.
PIDS: Path | None = None


def _props(**kw: Any) -> tuple:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def office_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment LibreOffice starts in: without a virtual environment's ``bin`` on PATH.

    LibreOffice's Python (the system's) takes the first ``python3`` on PATH for its own
    executable; a virtual environment's, made from another Python build, makes it mix two
    standard libraries and crash (std::bad_alloc when the extension's Python component is
    registered, LibreOffice 7.4.7 with a pyenv 3.11.7 venv).

    Example::

        >>> import sys
        >>> venv_bin = str(Path(sys.prefix) / "bin")
        >>> env = office_environment({"PATH": venv_bin + ":/usr/bin", "VIRTUAL_ENV": sys.prefix})
        >>> env["PATH"] if sys.prefix != sys.base_prefix else "/usr/bin"
        '/usr/bin'
    """
    env = {k: v for k, v in environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(
        p
        for p in environ.get("PATH", "").split(os.pathsep)
        if p and not (Path(p).parent / "pyvenv.cfg").is_file()
    )
    return env


def soffice() -> str:
    """The LibreOffice to run: ``$SOFFICE``, else ``soffice`` on PATH."""
    return os.environ.get("SOFFICE") or "soffice"


def _start(profile: Path) -> tuple[subprocess.Popen, Any]:
    pipe = f"crm_xl_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            soffice(),
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=office_environment(dict(os.environ)),
    )
    if PIDS is not None:
        with PIDS.open("a", encoding="utf-8") as f:
            f.write(f"{proc.pid}\n")
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            return proc, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _stop(proc: subprocess.Popen, ctx: Any) -> None:
    def terminate() -> None:
        with contextlib.suppress(Exception):  # the bridge goes down with the office
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            desktop.terminate()

    # terminate() can block (seen after a failed step): give up on it and kill
    asking = threading.Thread(target=terminate, daemon=True)
    asking.start()
    asking.join(timeout=30)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


def _command_environment() -> Any:
    """What the Extension Manager asks while adding: approve (there is no license)."""
    import unohelper  # type: ignore[import-not-found]
    from com.sun.star.task import XInteractionHandler  # type: ignore[import-not-found]
    from com.sun.star.ucb import (  # type: ignore[import-not-found]
        XCommandEnvironment,
        XProgressHandler,
    )

    approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")

    class Environment(unohelper.Base, XCommandEnvironment, XInteractionHandler, XProgressHandler):
        def getInteractionHandler(self):
            return self

        def getProgressHandler(self):
            return self

        def handle(self, request):
            try:
                for choice in request.getContinuations():
                    if choice.queryInterface(approve):
                        choice.select()
                        return
            except Exception as err:  # an exception here would crash the bridge
                print(f"handling {request!r}: {err!r}", file=sys.stderr)

        def push(self, status):
            pass

        def update(self, status):
            pass

        def pop(self):
            pass

    return Environment()


def install(profile: Path, extension: Path) -> str:
    proc, ctx = _start(profile)
    try:
        manager = ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
        package = manager.addExtension(
            extension.resolve().as_uri(), (), "user", None, _command_environment()
        )
        return package.getIdentifier().Value
    finally:
        _stop(proc, ctx)


def remove(profile: Path, identifier: str, extension: Path) -> None:
    proc, ctx = _start(profile)
    try:
        manager = ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
        manager.removeExtension(identifier, extension.name, "user", None, _command_environment())
    finally:
        _stop(proc, ctx)


def _result(cell: Any) -> Any:
    kind = cell.FormulaResultType2  # com.sun.star.sheet.FormulaResult
    if cell.getError():
        return {"error": cell.getError(), "text": cell.getString()}
    if kind == 1:  # VALUE
        return cell.getValue()
    return cell.getString()


def _cells(doc: Any) -> list[dict]:
    from com.sun.star.table.CellContentType import FORMULA  # type: ignore[import-not-found]

    found = []
    sheets = doc.Sheets
    for i in range(sheets.getCount()):
        sheet = sheets.getByIndex(i)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        used = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
        formulas = used.queryContentCells(16)  # com.sun.star.sheet.CellFlags.FORMULA
        for address in formulas.getRangeAddresses():
            for row in range(address.StartRow, address.EndRow + 1):
                for col in range(address.StartColumn, address.EndColumn + 1):
                    cell = sheet.getCellByPosition(col, row)
                    if cell.getType() != FORMULA:
                        continue
                    formula = cell.getFormula()
                    if "CRM_" not in formula.upper():
                        continue
                    found.append(
                        {
                            "sheet": sheet.getName(),
                            "cell": cell.AbsoluteName.rsplit(".", 1)[1].replace("$", ""),
                            "formula": formula,
                            "array": bool(cell.getArrayFormula()),
                            "value": _result(cell),
                        }
                    )
    return found


def _type_in(doc: Any, formulas: dict[str, str]) -> None:
    for where, formula in formulas.items():
        sheet_name, ref = where.split("!", 1)
        target = doc.Sheets.getByName(sheet_name).getCellRangeByName(ref)
        if formula.startswith("{="):
            target.setArrayFormula(formula[1:-1])
        else:
            target.setFormula(formula)


def _version() -> str:
    """LibreOffice's version as ``soffice --version`` prints it (``7.4.7.2``). Not asked
    through UNO: LibreOffice 25.2.3 (unpacked beside the system's 7.4.7) dropped the
    connection whenever a call passed PropertyValues from 7.4.7's Python bridge."""
    out = subprocess.run(
        [soffice(), "--version"],
        capture_output=True,
        text=True,
        env=office_environment(dict(os.environ)),
        timeout=60,
    ).stdout
    return out.split()[1] if out.startswith("LibreOffice ") else ""


def compute(profile: Path, books: list[dict], load_libraries: list[str]) -> dict:
    proc, ctx = _start(profile)
    try:
        libraries = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.script.ApplicationScriptLibraryContainer", ctx
        )
        for name in load_libraries:
            libraries.loadLibrary(name)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        results = []
        for book in books:
            url = Path(book["path"]).resolve().as_uri()
            code = book.get("document_basic")
            # a document's own macros run only when allowed (4: always, no warning)
            load = _props(Hidden=True, MacroExecutionMode=4) if code else _props(Hidden=True)
            doc = desktop.loadComponentFromURL(url, "_blank", 0, load)
            try:
                if code:
                    own = doc.BasicLibraries
                    if not own.hasByName("Standard"):
                        own.createLibrary("Standard")
                    own.getByName("Standard").insertByName("DocumentMacros", code)
                _type_in(doc, book.get("formulas") or {})
                doc.calculateAll()
                results.append({"path": book["path"], "cells": _cells(doc)})
                if book.get("save_as"):
                    doc.storeToURL(
                        Path(book["save_as"]).resolve().as_uri(),
                        _props(FilterName="Calc MS Excel 2007 XML"),
                    )
            finally:
                doc.close(True)
        descriptions = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.sheet.FunctionDescriptions", ctx
        )
        wizard = []
        for i in range(descriptions.getCount()):
            entry = {p.Name: p.Value for p in descriptions.getByIndex(i)}
            if "CRM" in (entry.get("Name") or "").upper():
                wizard.append(
                    {
                        "name": entry["Name"],
                        "description": entry.get("Description"),
                        "arguments": [
                            {"name": a.Name, "description": a.Description}
                            for a in entry.get("Arguments", ())
                        ],
                    }
                )
        standard = libraries.getByName("Standard")
        return {
            "books": results,
            "wizard_functions": [w["name"] for w in wizard],
            "wizard": wizard,
            "version": _version(),
            "standard_modules": list(standard.getElementNames()),
        }
    finally:
        _stop(proc, ctx)


def main(job_path: str) -> None:
    global uno, PIDS
    import uno as module  # type: ignore[import-not-found]

    uno = module
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    PIDS = Path(job["pids"]) if job.get("pids") else None
    profile = Path(job["profile"])
    identifier = install(profile, Path(job["extension"]))
    out = compute(profile, job["books"], job.get("load_libraries", []))
    out["installed"] = identifier
    if job.get("remove_after"):
        remove(profile, identifier, Path(job["extension"]))
        out["after_removal"] = compute(profile, job["books"], [])
    for book in job.get("convert", []):
        to = "xlsx:Calc MS Excel 2007 XML" if book.get("to") == "xlsx" else "csv"
        subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--convert-to",
                to,
                "--outdir",
                book["outdir"],
                book["path"],
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=office_environment(dict(os.environ)),
            timeout=120,
            check=True,
        )
    Path(job["out"]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
