"""crm_xl's type library for the LibreOffice add-in, against the LibreOffice SDK's own tool.

``unoidl-write`` (Debian package libreoffice-dev; ``$UNOIDL_WRITE`` names it elsewhere)
compiles the same interface from IDL; the bytes must be the same, the comment after the
header (which names the writer) aside. Without the SDK this skips, also on CI: the SDK is
no part of crm_xl's environment (LibreOffice itself reads the library in
test_libreoffice_extension.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crm_xl.excel.libreoffice_extension import add_in_methods, types_library
from crm_xl.excel.libreoffice_types import idl_text, interface_rdb
from crm_xl.excel.registry import SPECS

SDK_TOOL = "/usr/lib/libreoffice/sdk/bin/unoidl-write"


def _unoidl_write() -> list[str]:
    tool = os.environ.get("UNOIDL_WRITE") or shutil.which("unoidl-write")
    if not tool and Path(SDK_TOOL).is_file():
        tool = SDK_TOOL
    if not tool:
        pytest.skip("unoidl-write (LibreOffice SDK, Debian libreoffice-dev) is not installed")
    program = Path(os.environ.get("LO_PROGRAM", "/usr/lib/libreoffice/program"))
    types = [program / "types.rdb", program / "types" / "offapi.rdb"]
    if not all(t.is_file() for t in types):
        pytest.skip(f"LibreOffice's types.rdb/offapi.rdb are not in {program}")
    return [tool, *map(str, types)]


def _compiled(tmp_path: Path, interface: str, methods: list) -> tuple[bytes, bytes]:
    tool = _unoidl_write()
    idl = tmp_path / "x.idl"
    idl.write_text(idl_text(interface, methods), encoding="ascii")
    out = tmp_path / "sdk.rdb"
    # the SDK's .bin programs need LibreOffice's libraries (the wrapper script sets this)
    env = {**os.environ, "LD_LIBRARY_PATH": str(Path(tool[1]).parent)}
    done = subprocess.run([*tool, str(idl), str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    sdk = out.read_bytes()
    comment = re.match(rb"UNOIDL\xff\0.{8}(\0\*\* [^\0]* \*\*\0)", sdk, re.S)
    assert comment, sdk[:80]
    return sdk, interface_rdb(interface, methods, comment.group(1))


def test_the_registrys_library_is_what_unoidl_write_makes(tmp_path):
    methods = add_in_methods()
    assert [m for m, _ in methods] == list(SPECS)  # every function, in the registry's order
    assert [len(p) for _, p in methods] == [len(s.arguments) for s in SPECS.values()]
    sdk, mine = _compiled(tmp_path, "org.crmxl.XFunctions", methods)
    assert mine == sdk
    # and that is the library the extension ships
    assert interface_rdb("org.crmxl.XFunctions", methods) == types_library()


def test_deeper_modules_and_shared_names_are_written_as_unoidl_write_does(tmp_path):
    # three module levels, parameter names reused across methods (written once, then
    # referenced), a method without parameters
    methods = [("B", ["x", "y"]), ("A", ["y"]), ("C", [])]
    sdk, mine = _compiled(tmp_path, "com.example.deep.XThing", methods)
    assert mine == sdk


def test_an_interface_needs_a_module():
    with pytest.raises(ValueError, match="needs a module"):
        interface_rdb("XLonely", [])
