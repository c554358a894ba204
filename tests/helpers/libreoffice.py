"""LibreOffice headless as an oracle for standard Excel formulas (a test helper).

Tests use it to check that a formula means what we think it means, and that the formulas
our workbooks contain compute the right numbers in a real spreadsheet application::

    from tests.helpers.libreoffice import evaluate, require_libreoffice

    def test_nps():
        require_libreoffice()
        got = evaluate({"A1": 9, "A2": 3, "B1": '=(COUNTIF(A1:A2,">=9")-COUNTIF(A1:A2,"<=6"))/COUNT(A1:A2)*100'})
        assert got["B1"] == 0.0

API
---
- ``soffice_path()`` / ``pdftoppm_path()``: the executables, or None. ``$SOFFICE`` overrides
  the search for soffice (e.g. macOS's ``/Applications/LibreOffice.app/Contents/MacOS/soffice``).
- ``require_libreoffice()`` / ``require_pdftoppm()``: call at the top of a test. Missing tool:
  ``pytest.skip`` locally, ``pytest.fail`` when ``$CI`` is set (CI must never skip silently).
  Every function below calls them itself, so a test that forgets still gets the same policy.
- ``recalculate(path_in, path_out, fmt="xlsx")``: open a workbook in LibreOffice with forced
  full recalculation and save it as ``fmt``; returns ``path_out``.
- ``read_values(path, sheet, cells)``: read cells back with python-calamine, normalised (below).
- ``evaluate(cells, sheet=..., extra_sheets=...)``: write cells with openpyxl, recalculate,
  return every given cell's value. ``evaluate_many(cases)``: one LibreOffice start for many
  cases, each on its own sheet. ``evaluate_workbook(sheets)``: the general form.
- ``pdf_export(path_in, outdir)`` and ``render_png(path_in, outdir)`` (pdftoppm, Debian
  package ``poppler-utils``) for visual checks.

How values come back
--------------------
numbers as float, text as str, booleans as bool, empty cells as None, error cells as the
Excel error text ("#DIV/0!", "#N/A", "#NAME?", ...), date-formatted cells as calamine gives
them (datetime.date / datetime.datetime). python-calamine 0.9 returns ``""`` for an error
cell (the same as for a formula giving ""), so the error text and the empty/non-empty
distinction are taken from the worksheet XML that LibreOffice wrote (``t="e"`` cells).

Why the private profile
-----------------------
By default LibreOffice keeps the cached values stored in a file and computes only formula
cells without one, so a stale or forged cached value would be "confirmed". Every call
here runs with a throw-away user profile (one per process, created on first use, deleted
at exit) whose ``registrymodifications.xcu`` sets ``Formula/Load/OOXMLRecalcMode`` and
``ODFRecalcMode`` to 0 ("always recalculate"). Separate processes (pytest-xdist workers)
get separate profiles; calls inside one process are serialised by a lock.

Oracle caveats (LibreOffice 7.4 is not Excel)
---------------------------------------------
- Excel 2010+ functions must be written as they are stored in files, with the ``_xlfn.``
  prefix: ``=_xlfn.STDEV.S(A1:A3)``. Without it the result is ``#NAME?`` (as in Excel
  when a file lacks the prefix). XLOOKUP, LET, FILTER etc. are not in LibreOffice 7.4.
- Unknown functions (our UDFs, e.g. ``=CRM_SCORE(1,2)``) give ``#NAME?``.
- A few error kinds differ from Excel: ``=SQRT(-1)`` gives ``#VALUE!`` (Excel ``#NUM!``),
  an empty intersection ``=SUM(A1 B1)`` gives ``#REF!`` (Excel ``#NULL!``).

Cost (LibreOffice 7.4, 2 CPUs)
------------------------------
About 0.9 s per start (1.0 s for the first call of a process, which creates the profile;
a fresh profile per call would cost about 0.08 s more). Cells are cheap and sheets are
not: 500 rows x 4 formulas on one sheet take about 1 s, while ``evaluate_many`` adds about
30 ms per case (sheet): 100 cases about 3 s, 300 cases about 9 s.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from python_calamine import CalamineWorkbook

DEFAULT_TIMEOUT = 120.0
"""Seconds one LibreOffice (or pdftoppm) run may take before it is killed."""

EXCEL_ERRORS = (  # what LibreOffice may show: Excel's errors and the dynamic-array ones
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
)

_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_lock = threading.Lock()
_profile: tuple[int, Path] | None = None  # (pid that made it, directory)


class LibreOfficeError(RuntimeError):
    """A LibreOffice (or pdftoppm) run failed; the message carries its output."""


# --- finding the tools and the skip/fail policy -------------------------------------------


def soffice_path() -> str | None:
    """The LibreOffice executable (``$SOFFICE``, else soffice/libreoffice on PATH), or None."""
    override = os.environ.get("SOFFICE")
    if override:
        return override if os.access(override, os.X_OK) else shutil.which(override)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdftoppm_path() -> str | None:
    """The pdftoppm executable (Debian package poppler-utils), or None."""
    return shutil.which("pdftoppm")


def on_ci() -> bool:
    """True when ``$CI`` is set to anything but empty, 0, false or no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(message: str) -> None:
    if on_ci():
        pytest.fail(f"{message} (CI is set: this test must not be skipped)", pytrace=False)
    pytest.skip(message)


def require_libreoffice() -> str:
    """Return soffice's path; skip the test when it is missing (fail instead on CI)."""
    path = soffice_path()
    if path is None:
        _missing(
            "LibreOffice (soffice) not found: install the Debian package "
            "libreoffice-calc-nogui, or set $SOFFICE"
        )
    assert path is not None
    return path


def require_pdftoppm() -> str:
    """Return pdftoppm's path; skip the test when it is missing (fail instead on CI)."""
    path = pdftoppm_path()
    if path is None:
        _missing("pdftoppm not found: install the Debian package poppler-utils")
    assert path is not None
    return path


# --- the private profile and one LibreOffice run --------------------------------------------


def _new_profile() -> Path:
    root = Path(tempfile.mkdtemp(prefix="crm-xl-lo-profile-"))
    (root / "user").mkdir()
    (root / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return root


def session_profile() -> Path:
    """This process's profile (a forked child makes its own: profiles are not shareable)."""
    global _profile
    if _profile is None or _profile[0] != os.getpid() or not _profile[1].is_dir():
        _profile = (os.getpid(), _new_profile())
        atexit.register(shutil.rmtree, _profile[1], True)
    return _profile[1]


def _discard_profile() -> None:
    """Forget the profile after a killed run (it may hold a half-written state)."""
    global _profile
    if _profile is not None and _profile[0] == os.getpid():
        shutil.rmtree(_profile[1], ignore_errors=True)
    _profile = None


def run(
    cmd: list[str], timeout: float, what: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run cmd in its own process group; kill the whole group on timeout and afterwards.

    ``env`` adds variables to this process's environment for the command."""
    proc = subprocess.Popen(
        cmd,
        env=None if env is None else {**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        raise LibreOfficeError(
            f"{what} timed out after {timeout} s and was killed\n"
            f"command: {cmd}\nstdout:\n{out}\nstderr:\n{err}"
        ) from None
    finally:
        # soffice forks soffice.bin; make sure nothing of this run outlives it.
        _kill_group(proc.pid)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def recalculate(
    path_in: str | os.PathLike[str],
    path_out: str | os.PathLike[str],
    fmt: str = "xlsx",
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Open ``path_in`` in LibreOffice headless, recompute every formula, save as ``path_out``.

    ``fmt`` is soffice's ``--convert-to`` argument (``xlsx``, ``ods``, ``pdf``, or
    ``ext:Filter Name:options``). The input is copied into a private directory first, so
    lock files never appear next to it and ``path_out`` may equal ``path_in``. Raises
    LibreOfficeError with LibreOffice's output when no file comes out (soffice exits 0
    even then) or the run times out.
    """
    soffice = require_libreoffice()
    src, dst = Path(path_in), Path(path_out)
    if not src.is_file():
        raise FileNotFoundError(src)
    ext = fmt.split(":", 1)[0]
    with _lock:
        profile = session_profile()
        work = Path(tempfile.mkdtemp(prefix="job-", dir=profile))
        try:
            (work / "in").mkdir()
            copy = work / "in" / src.name
            shutil.copyfile(src, copy)
            cmd = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--nologo",
                "--nodefault",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                fmt,
                "--outdir",
                str(work / "out"),
                str(copy),
            ]
            try:
                done = run(cmd, timeout, "LibreOffice")
            except LibreOfficeError:
                _discard_profile()
                raise
            produced = work / "out" / f"{copy.stem}.{ext}"
            if not produced.is_file():
                raise LibreOfficeError(
                    f"LibreOffice did not convert {src} to {ext} (exit code {done.returncode})\n"
                    f"command: {cmd}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
                )
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(produced, dst)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return dst


# --- reading values back --------------------------------------------------------------------


def _parse_address(address: str) -> tuple[int, int]:
    """'B3' -> (2, 1): zero-based row and column."""
    column, row = coordinate_from_string(address.replace("$", ""))
    return row - 1, column_index_from_string(column) - 1


def _sheet_xml_types(path: Path, sheet: str) -> dict[tuple[int, int], tuple[str, str | None]]:
    """{(row, col): (t attribute, error text or None)} for every cell holding a value."""
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rel_id = None
        for node in book.iter(f"{{{_MAIN_NS}}}sheet"):
            if node.get("name") == sheet:
                rel_id = node.get(f"{{{_REL_NS}}}id")
        if rel_id is None:
            raise KeyError(f"no sheet named {sheet!r} in {path}")
        target = next(
            rel.get("Target", "")
            for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
            if rel.get("Id") == rel_id
        )
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        cells: dict[tuple[int, int], tuple[str, str | None]] = {}
        with archive.open(part) as stream:
            for _, node in ElementTree.iterparse(stream):
                if node.tag != f"{{{_MAIN_NS}}}c":
                    continue
                kind = node.get("t", "n")
                value = node.find(f"{{{_MAIN_NS}}}v")
                has_value = value is not None or node.find(f"{{{_MAIN_NS}}}is") is not None
                if has_value or node.find(f"{{{_MAIN_NS}}}f") is not None:
                    text = value.text if value is not None else None
                    cells[_parse_address(node.get("r", ""))] = (
                        kind,
                        (text or "").strip().upper() if kind == "e" else None,
                    )
                node.clear()
    return cells


def read_values(
    path: str | os.PathLike[str], sheet: str, cells: Sequence[str]
) -> dict[str, object]:
    """Read ``cells`` of ``sheet`` from an .xlsx/.xlsm with python-calamine, normalised.

    Numbers -> float, text -> str, booleans -> bool, empty -> None, errors -> "#DIV/0!" etc.
    Reads cached values only: use it on a file that ``recalculate`` wrote.
    """
    path = Path(path)
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        grid = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    types = _sheet_xml_types(path, sheet)
    result: dict[str, object] = {}
    for address in cells:
        row, col = _parse_address(address)
        kind, error = types.get((row, col), (None, None))
        if kind is None:
            result[address] = None
        elif kind == "e":
            result[address] = error
        else:
            value = grid[row][col] if row < len(grid) and col < len(grid[row]) else None
            if isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            result[address] = value
    return result


# --- evaluating cells -----------------------------------------------------------------------

_CELL_TYPES = (bool, int, float, str, dt.date, dt.datetime, dt.time, type(None))


def _write_workbook(sheets: Mapping[str, Mapping[str, object]], path: Path) -> None:
    if not sheets:
        raise ValueError("no sheets to evaluate")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, cells in sheets.items():
        worksheet = workbook.create_sheet(name)
        for address, value in cells.items():
            if not isinstance(value, _CELL_TYPES):
                raise TypeError(f"{name}!{address}: unsupported value {value!r}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{name}!{address}: {value!r} cannot be stored in a workbook")
            _parse_address(address)  # rejects a bad address with a clear error
            if value is not None:
                worksheet[address] = value
    workbook.save(path)


def evaluate_workbook(
    sheets: Mapping[str, Mapping[str, object]], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, dict[str, object]]:
    """Evaluate several sheets in one LibreOffice run: {sheet: {cell: value}} both ways.

    Each value is a number, text, bool, None (an empty cell) or a formula string starting
    with "=" (openpyxl's rule; text that must start with "=" cannot be given). Sheets may
    refer to each other (``=Data!B2``). The first sheet is the first in the workbook.
    """
    require_libreoffice()
    with tempfile.TemporaryDirectory(prefix="crm-xl-lo-eval-") as tmp:
        source = Path(tmp) / "cases.xlsx"
        _write_workbook(sheets, source)
        result = recalculate(source, Path(tmp) / "result.xlsx", timeout=timeout)
        return {name: read_values(result, name, list(cells)) for name, cells in sheets.items()}


def evaluate(
    cells: Mapping[str, object],
    sheet: str = "Sheet1",
    extra_sheets: Mapping[str, Mapping[str, object]] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, object]:
    """Evaluate ``cells`` (``{"A1": 85, "B1": "=A1*2"}``) and return every cell's value.

    ``extra_sheets`` supply data the formulas refer to (``=Weights!B1``); their values are
    not returned. One LibreOffice start (about 0.9 s): batch with ``evaluate_many``.
    """
    extra = dict(extra_sheets or {})
    if sheet in extra:
        raise ValueError(f"extra sheet {sheet!r} has the name of the main sheet")
    return evaluate_workbook({sheet: cells, **extra}, timeout=timeout)[sheet]


def evaluate_many(
    cases: Sequence[Mapping[str, object]],
    extra_sheets: Mapping[str, Mapping[str, object]] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[dict[str, object]]:
    """Evaluate many independent cases with one LibreOffice start; results in input order.

    Case i is put on sheet ``Case{i+1}``; ``extra_sheets`` are shared by all cases. Each
    sheet costs about 30 ms on top of the 0.9 s start, so a few hundred cases take seconds.
    """
    names = [f"Case{i + 1}" for i in range(len(cases))]
    extra = dict(extra_sheets or {})
    clash = set(names) & set(extra)
    if clash:
        raise ValueError(f"extra sheet names clash with case sheets: {sorted(clash)}")
    if not cases:
        return []
    values = evaluate_workbook({**dict(zip(names, cases, strict=True)), **extra}, timeout=timeout)
    return [values[name] for name in names]


# --- PDF and PNG ----------------------------------------------------------------------------


def pdf_export(
    path_in: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Export a workbook (recalculated) to ``outdir/<stem>.pdf`` and return that path."""
    src = Path(path_in)
    return recalculate(src, Path(outdir) / f"{src.stem}.pdf", fmt="pdf", timeout=timeout)


def render_png(
    path_in: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    dpi: int = 72,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Path]:
    """Render every printed page of a workbook (or a PDF) to PNG; return them in page order.

    Files are ``outdir/<stem>-<page>.png``. Needs pdftoppm (Debian package poppler-utils).
    """
    pdftoppm = require_pdftoppm()
    src, out = Path(path_in), Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    pdf = src if src.suffix.lower() == ".pdf" else pdf_export(src, out, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="crm-xl-png-") as tmp:
        cmd = [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(Path(tmp) / "page")]
        done = run(cmd, timeout, "pdftoppm")
        # pdftoppm pads page numbers to the page count's width: page-1.png or page-01.png.
        made = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        if done.returncode != 0 or not made:
            raise LibreOfficeError(
                f"pdftoppm made no page of {pdf} (exit code {done.returncode})\n"
                f"command: {cmd}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        pages = []
        for number, page in enumerate(made, start=1):
            target = out / f"{src.stem}-{number}.png"
            shutil.move(page, target)
            pages.append(target)
    return pages


# --- editing as a user would: LibreOffice driven through UNO ---------------------------------

UNO_PYTHON = os.environ.get("UNO_PYTHON", "/usr/bin/python3")  # the Python python3-uno serves


def require_uno() -> str:
    """The Python that can ``import uno`` (Debian's python3-uno); skip when there is none
    (fail instead on CI)."""
    require_libreoffice()
    ok = shutil.which(UNO_PYTHON) and (
        subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0
    )
    if not ok:
        _missing(f"{UNO_PYTHON} cannot import uno: install the Debian package python3-uno")
    return UNO_PYTHON


def edit_in_calc(book: Path, steps: list[dict], timeout: float = 180.0) -> None:
    """Open ``book`` in LibreOffice Calc, do ``steps`` through the UNO API (sort, delete and
    insert rows, type values, filter: :mod:`tests.helpers.uno_edit`) and save it as .xlsx."""
    import json

    python = require_uno()
    profile = _new_profile()
    ops = profile / "steps.json"
    ops.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    script = Path(__file__).with_name("uno_edit.py")
    try:
        done = run([python, str(script), str(book), str(ops), str(profile)], timeout, "editing")
        if done.returncode != 0:
            raise LibreOfficeError(f"editing {book} in Calc failed:\n{done.stderr}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def calc_with_extension(
    extension: Path,
    books: list[dict],
    timeout: float = 300.0,
    env: Mapping[str, str] | None = None,
    convert: list[dict] | None = None,
    load_libraries: list[str] | None = None,
    remove_after: bool = False,
) -> dict[str, object]:
    """Install ``extension`` into a fresh LibreOffice profile, restart, and let Calc compute
    ``books`` (:mod:`tests.helpers.uno_calc`: each ``{"path", "formulas", "save_as"}``).

    Returns what Calc computed: ``{"books": [{"path", "cells": [{"sheet", "cell",
    "formula", "array", "value"}]}], "wizard_functions", "standard_modules", "installed"}``.
    The profile is thrown away afterwards: nothing outside it is changed. ``env`` adds
    environment variables for LibreOffice (``CRM_XL_PYTHONPATH``); ``convert``
    (``[{"path", "outdir"}]``) books then converted to CSV by a plain ``soffice --convert-to``;
    ``load_libraries``: Basic libraries loaded before the books are opened; ``remove_after``:
    the extension removed again and the books computed once more (``"after_removal"``).
    """
    import json

    python = require_uno()
    # an empty profile: one holding only registrymodifications.xcu makes adding an extension
    # crash (std::bad_alloc, LibreOffice 7.4.7); calculateAll recomputes every formula anyway
    work = Path(tempfile.mkdtemp(prefix="crm-xl-lo-ext-"))
    profile = work / "profile"
    job = work / "job.json"
    out = work / "result.json"
    job.write_text(
        json.dumps(
            {
                "profile": str(profile),
                "extension": str(extension),
                "books": books,
                "out": str(out),
                "convert": convert or [],
                "load_libraries": load_libraries or [],
                "remove_after": remove_after,
                "pids": str(work / "soffice.pids"),
            }
        ),
        encoding="utf-8",
    )
    script = Path(__file__).with_name("uno_calc.py")
    try:
        done = run([python, str(script), str(job)], timeout, "Calc with the extension", env=env)
        if done.returncode != 0 or not out.is_file():
            raise LibreOfficeError(f"Calc with {extension} failed:\n{done.stderr}")
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        # each LibreOffice the script started has a session of its own: a killed script
        # (timeout) would leave it running
        pids = work / "soffice.pids"
        for pid in pids.read_text().split() if pids.is_file() else []:
            _kill_group(int(pid))
        shutil.rmtree(work, ignore_errors=True)
