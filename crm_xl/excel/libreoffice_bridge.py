"""The Python component of crm_xl's LibreOffice extension (copied into the ``.oxt`` as it is).

LibreOffice's own Python runs this file (on Debian/Ubuntu the system ``python3`` through
``python3-uno``; the LibreOffice installers for Windows and macOS bring their own Python).
It offers two UNO services:

* ``org.crmxl.Functions`` — what the Basic wrappers call (``CrmXlCall`` in the ``CrmXl``
  module): ``bridge.Call("CRM_SCORE", args)`` imports crm_xl on first use and returns
  :func:`crm_xl.excel.libreoffice.call`'s result. Basic calls it through ``XInvocation``,
  so no UNO type library is needed.
* ``org.crmxl.Installer`` — a job run when LibreOffice starts (``Jobs.xcu``, event
  ``OnStartApp``): it puts the wrappers (``CrmXl.bas`` of the extension) into the user's
  Standard Basic library as the module ``CrmXl``, the one library whose functions a cell
  can call.

Where crm_xl is found: LibreOffice's Python knows nothing of the virtual environment crm_xl
was installed in. The extension's ``crm_xl.json`` lists the folders to add (written by
``crm-xl libreoffice-extension`` from the Python that built it: its site-packages, where
crm_xl and numpy/pandas are), and the environment variable ``CRM_XL_PYTHONPATH`` (folders
separated by ``os.pathsep``) adds more, first. Those packages must be built for the same
Python version as LibreOffice's; a mismatch or a failed import is what every ``CRM_*``
cell then shows, as ``#NAME?`` text with the reason.

This module imports without LibreOffice (the UNO parts are then absent), so its path
logic is tested like any other module::

    >>> search_path({"paths": ["/a", "/b"]}, {"CRM_XL_PYTHONPATH": "/c"})
    ['/c', '/a', '/b']
"""

from __future__ import annotations

import json
import os
import site
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

try:  # present only inside LibreOffice's Python
    import uno  # type: ignore[import-not-found]
    import unohelper  # type: ignore[import-not-found]
    from com.sun.star.script import XInvocation  # type: ignore[import-not-found]
    from com.sun.star.task import XJob  # type: ignore[import-not-found]
except ImportError:
    uno = unohelper = None

EXTENSION_ID = "org.crmxl.functions"  # description.xml's identifier
CONFIG = "crm_xl.json"
BASIC_FILE = "CrmXl.bas"
MODULE = "CrmXl"


def search_path(config: dict[str, Any], environ: Mapping[str, str]) -> list[str]:
    """The folders to add to ``sys.path``: ``CRM_XL_PYTHONPATH``'s, then the extension's."""
    extra = [p for p in environ.get("CRM_XL_PYTHONPATH", "").split(os.pathsep) if p]
    return extra + [p for p in config.get("paths", []) if p not in extra]


def add_to_path(folders: list[str]) -> None:
    """Put ``folders`` first on ``sys.path``, their ``.pth`` files processed (editable installs)."""
    before = list(sys.path)
    for folder in folders:
        if Path(folder).is_dir():
            site.addsitedir(folder)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before


def load_call(config: dict[str, Any], environ: Mapping[str, str]) -> Any:
    """crm_xl's ``call`` function, or the error text every cell shows when it cannot load."""
    wanted = config.get("python", "")
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        add_to_path(search_path(config, environ))
        from crm_xl.excel.libreoffice import call  # importable only after add_to_path
    except Exception as err:  # every cell says why, none crashes Calc
        hint = (
            f"crm_xl.json names packages for Python {wanted}, LibreOffice runs {mine}; "
            if wanted and wanted != mine
            else ""
        )
        return (
            f"#NAME? LibreOffice's Python {mine} cannot import crm_xl ({type(err).__name__}: "
            f"{err}); {hint}set CRM_XL_PYTHONPATH or rebuild the extension "
            "(see crm_xl's docs/setup-libreoffice.md)"
        )
    return call


def extension_folder(ctx: Any) -> Path:
    """The folder LibreOffice unpacked the extension into."""
    provider = ctx.getValueByName("/singletons/com.sun.star.deployment.PackageInformationProvider")
    return Path(uno.fileUrlToSystemPath(provider.getPackageLocation(EXTENSION_ID)))


def read_config(ctx: Any) -> dict[str, Any]:
    """The extension's ``crm_xl.json`` (empty when missing)."""
    path = extension_folder(ctx) / CONFIG
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def install_module(ctx: Any) -> None:
    """Put the wrappers into the Standard Basic library as the module ``CrmXl``."""
    text = (extension_folder(ctx) / BASIC_FILE).read_text(encoding="utf-8")
    libraries = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.script.ApplicationScriptLibraryContainer", ctx
    )
    standard = libraries.getByName("Standard")
    if standard.hasByName(MODULE):
        if standard.getByName(MODULE) == text:
            return
        standard.removeByName(MODULE)
    standard.insertByName(MODULE, text)
    libraries.storeLibraries()


if unohelper is not None:

    class Functions(unohelper.Base, XInvocation):
        """``org.crmxl.Functions``: Basic's ``bridge.Call(name, args)``."""

        call: Any = None  # crm_xl's call, or the text saying why it did not load

        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def _call(self, name: str, args: Any) -> Any:
            if Functions.call is None:
                try:
                    config = read_config(self.ctx)
                except Exception as err:
                    return f"#NAME? the crm_xl extension cannot read {CONFIG}: {err}"
                Functions.call = load_call(config, os.environ)
            if isinstance(Functions.call, str):
                return Functions.call
            return Functions.call(name, tuple(args))

        def invoke(self, name: str, params: Any, *_out: Any) -> Any:
            if name.lower() != "call" or len(params) != 2:
                raise AttributeError(name)
            return self._call(params[0], params[1]), (), ()

        def hasMethod(self, name: str) -> bool:
            return name.lower() == "call"

        def hasProperty(self, name: str) -> bool:
            return False

        def getIntrospection(self) -> None:
            return None

        def getValue(self, name: str) -> Any:
            raise AttributeError(name)

        def setValue(self, name: str, value: Any) -> None:
            raise AttributeError(name)

    class Installer(unohelper.Base, XJob):
        """``org.crmxl.Installer``: the start-up job that installs the Basic wrappers."""

        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def execute(self, args: Any) -> Any:
            install_module(self.ctx)
            return None

    g_ImplementationHelper = unohelper.ImplementationHelper()
    g_ImplementationHelper.addImplementation(
        Functions, "org.crmxl.Functions", ("org.crmxl.Functions",)
    )
    g_ImplementationHelper.addImplementation(
        Installer, "org.crmxl.Installer", ("org.crmxl.Installer", "com.sun.star.task.Job")
    )
