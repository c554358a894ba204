"""Hostile files made on the fly, and a way to run crm-xl on them in a bounded process.

Each maker writes a small workbook with openpyxl and then edits its parts by hand, so a
test shows in a few lines what is wrong with the file. :func:`run_capped` runs ``crm-xl``
in a child process with an address-space limit (``resource.setrlimit``) and a time
limit, and returns its exit code, the first line of its error output and its peak memory.
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl


def sha256(path: Path) -> str:
    """The file's SHA-256, to prove it unchanged."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plain_book(path: Path) -> Path:
    """One sheet 'Data': A1 = 85, B1 = 40, C1 = =CRM_SCORE(A1, B1) with a stale cached 0."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"], ws["B1"], ws["C1"] = 85, 100, "=CRM_SCORE(A1,B1)"
    wb.save(path)
    return path


def read_parts(path: Path) -> dict[str, bytes]:
    """The archive's members, by name, in order."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    """Write ``parts`` as a deflated zip archive at ``path``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def edited(path: Path, part: str, old: bytes, new: bytes) -> Path:
    """``path`` with ``old`` replaced by ``new`` in ``part`` (which must hold it)."""
    parts = read_parts(path)
    assert old in parts[part], (part, old)
    parts[part] = parts[part].replace(old, new)
    return write_parts(path, parts)


@dataclass
class Outcome:
    """How a capped ``crm-xl`` run ended."""

    code: int
    first_line: str
    peak_mib: float
    stdout: str
    stderr: str


_CHILD = """
import resource, sys
limit = int(sys.argv[1]) * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from crm_xl.cli import main
code = main(sys.argv[2:])
sys.stdout.flush()
# VmHWM, not ru_maxrss: the latter keeps the high-water mark of the forked copy of the
# parent from before exec (a test that made a big file would be charged for it)
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM:")][0].split()[1]
sys.stderr.write("\\n@peak %s\\n" % hwm)
sys.exit(code)
"""


def run_capped(args: list[str], *, memory_mib: int = 1024, timeout: float = 120) -> Outcome:
    """Run ``crm-xl ARGS`` in a child process limited to ``memory_mib`` of address space
    (what the README promises for a file under 10 MB) and ``timeout`` seconds."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(memory_mib), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    err = done.stderr
    peak = 0.0
    if "\n@peak " in err:
        err, _, tail = err.rpartition("\n@peak ")
        peak = int(tail.split()[0]) / 1024
    else:  # killed before it could report: the OS's figure for the children
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [line for line in err.splitlines() if line.strip()]
    return Outcome(done.returncode, lines[0] if lines else "", peak, done.stdout, err)


def _vm_size_mib() -> int:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmSize:"))
    return int(line.split()[1]) // 1024


def call_capped(function, *args, memory_mib: int = 1024, timeout: int = 60):
    """``function(*args)`` in a forked child allowed ``memory_mib`` of address space beyond
    what this process already maps, and ``timeout`` seconds: cheap enough for a property
    test (no interpreter start), and a crash (an abort in native code, the memory cap)
    fails the test instead of killing it. Returns ``("ok", value)``, ``("CrmError",
    [problem texts])``, ``("raised", "Type: message")`` or ``("died", "signal N")``."""
    import os
    import pickle
    import signal

    from crm_xl.errors import CrmError

    limit = (_vm_size_mib() + memory_mib) * 2**20
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
            signal.alarm(timeout)
            try:
                result = ("ok", function(*args))
            except CrmError as err:
                result = ("CrmError", [str(p) for p in err.problems])
            except BaseException as err:  # what the test is looking for
                result = ("raised", f"{type(err).__name__}: {err}"[:500])
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(result, out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        data = stream.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data:
        return ("died", f"signal {os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0}")
    return pickle.loads(data)
