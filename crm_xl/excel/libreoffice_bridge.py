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
* ``org.crmxl.AddIn`` — a Calc add-in (``com.sun.star.sheet.AddIn``, interface
  ``org.crmxl.XFunctions`` of the extension's ``crm_xl.rdb``): every ``CRM_*`` function with
  its help in the function wizard (English, or Chinese when LibreOffice's interface is
  Chinese) and ``CRM_SCORE`` as its name in ``.xlsx`` files (``XCompatibilityNames``).
  Only on LibreOffice :data:`ADDIN_SINCE` or later: 7.4 neither reads nor writes that name
  in ``.xlsx`` (no ``ScCompiler::fillFromAddInCollectionExcelName``), and a formula typed
  there would bind to the add-in and be saved as ``ORG.CRMXL.ADDIN.CRM_SCORE(…)``; so on
  older versions the service makes an object that is no add-in, and the Basic wrappers
  (which the add-in's names take precedence over where it is active) do the work.

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
TYPES_FILE = "crm_xl.rdb"
ADDIN = "org.crmxl.AddIn"
INTERFACE = "org.crmxl.XFunctions"
#: The first LibreOffice version the add-in is active on: the oldest one proved to read
#: and write its CompatibilityName in .xlsx (25.2.3); 7.4.7 does neither.
ADDIN_SINCE = (25, 2)


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


def version_tuple(text: str) -> tuple[int, ...]:
    """LibreOffice's version (``ooSetupVersion``) as numbers, ``()`` when unreadable.

    Example::

        >>> version_tuple("25.2"), version_tuple("7.4.7.2") >= ADDIN_SINCE, version_tuple("")
        ((25, 2), False, ())
    """
    parts = []
    for part in text.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def office_version(ctx: Any) -> tuple[int, ...]:
    """The running LibreOffice's version, from its configuration."""
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx
    )
    node = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    node.Name, node.Value = "nodepath", "/org.openoffice.Setup/Product"
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess", (node,)
    )
    return version_tuple(str(access.getByName("ooSetupVersion")))


def help_text(text: dict[str, str], language: str) -> str:
    """The help in the interface's language: Chinese for ``zh``, else English.

    Example::

        >>> help_text({"en": "Score", "zh": "得分"}, "zh"), help_text({"en": "Score", "zh": ""}, "zh")
        ('得分', 'Score')
    """
    return (text.get("zh") if language == "zh" else None) or text.get("en", "")


def given_arguments(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """What the add-in was called with, trailing omitted arguments (``None``) left out.

    Calc passes an omitted ``any`` argument as void, like an empty cell: so an empty cell
    as the last argument counts as omitted, which crm_xl treats alike (blank is missing).

    Example::

        >>> given_arguments((((1.0,),), None, None)), given_arguments((None, 2.0))
        ((((1.0,),),), (None, 2.0))
    """
    args = tuple(args)
    while args and args[-1] is None:
        args = args[:-1]
    return args


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


_loaded: list[Any] = []  # crm_xl's call (or why it did not load), once per session


def run(ctx: Any, name: str, args: Any) -> Any:
    """crm_xl's ``call(name, args)``, loading crm_xl on first use; a failure is cell text."""
    if not _loaded:
        try:
            config = read_config(ctx)
        except Exception as err:
            return f"#NAME? the crm_xl extension cannot read {CONFIG}: {err}"
        _loaded.append(load_call(config, os.environ))
    if isinstance(_loaded[0], str):
        return _loaded[0]
    return _loaded[0](name, tuple(args))


if unohelper is not None:
    from com.sun.star.lang import XLocalizable, XServiceName  # type: ignore[import-not-found]
    from com.sun.star.sheet import XAddIn, XCompatibilityNames  # type: ignore[import-not-found]
    from org.crmxl import XFunctions  # type: ignore[import-not-found]  # crm_xl.rdb

    class AddIn(
        unohelper.Base, XFunctions, XAddIn, XCompatibilityNames, XServiceName, XLocalizable
    ):
        """``org.crmxl.AddIn`` where active: the wizard's help, the functions by name."""

        def __init__(self, ctx: Any, functions: list[dict[str, Any]]) -> None:
            self.ctx = ctx
            self.functions = {f["name"]: f for f in functions}
            self.locale = uno.createUnoStruct("com.sun.star.lang.Locale")

        def __getattr__(self, name: str) -> Any:
            # the methods of org.crmxl.XFunctions, one per registry function
            if name.startswith("CRM_") and name in self.__dict__.get("functions", {}):
                return lambda *args: self._result(name, args)
            raise AttributeError(name)

        def _result(self, name: str, args: tuple[Any, ...]) -> Any:
            value = run(self.ctx, name, given_arguments(args))
            if isinstance(value, tuple):  # rows: what Calc fills an array formula with
                return uno.Any("[][]any", value)
            return value

        def getServiceName(self) -> str:
            return ADDIN

        def setLocale(self, locale: Any) -> None:
            self.locale = locale

        def getLocale(self) -> Any:
            return self.locale

        def _function(self, name: str) -> dict[str, Any]:
            return self.functions.get(name, {"description": {}, "arguments": []})

        def _argument(self, name: str, index: int) -> dict[str, Any]:
            arguments = self._function(name)["arguments"]
            return arguments[index] if 0 <= index < len(arguments) else {"name": "", "help": {}}

        def getProgrammaticFuntionName(self, display: str) -> str:  # sic, XAddIn's spelling
            return display if display in self.functions else ""

        def getDisplayFunctionName(self, name: str) -> str:
            return name if name in self.functions else ""

        def getFunctionDescription(self, name: str) -> str:
            return help_text(self._function(name)["description"], self.locale.Language)

        def getDisplayArgumentName(self, name: str, index: int) -> str:
            return self._argument(name, index)["name"]

        def getArgumentDescription(self, name: str, index: int) -> str:
            return help_text(self._argument(name, index)["help"], self.locale.Language)

        def getProgrammaticCategoryName(self, name: str) -> str:
            return "Add-In"

        def getDisplayCategoryName(self, name: str) -> str:
            return "Add-In"

        def getCompatibilityNames(self, name: str) -> tuple:
            # the name in .xlsx files (what Excel and crm_xl read), for every language
            found = uno.createUnoStruct("com.sun.star.sheet.LocalizedName")
            found.Locale = uno.createUnoStruct("com.sun.star.lang.Locale", "en", "US", "")
            found.Name = name
            return (found,) if name in self.functions else ()

    class NoAddIn(unohelper.Base, XServiceName):
        """``org.crmxl.AddIn`` on LibreOffice before :data:`ADDIN_SINCE`: no XAddIn, so
        Calc lists no function of it and ``CRM_*`` stays with the Basic wrappers."""

        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def getServiceName(self) -> str:
            return ADDIN

    def make_addin(ctx: Any) -> Any:
        """The add-in where LibreOffice reads and writes its names in .xlsx, else NoAddIn."""
        try:
            if office_version(ctx) < ADDIN_SINCE:
                return NoAddIn(ctx)
            return AddIn(ctx, read_config(ctx).get("functions", []))
        except Exception:  # never break Calc's start: the Basic wrappers still work
            return NoAddIn(ctx)

    class Functions(unohelper.Base, XInvocation):
        """``org.crmxl.Functions``: Basic's ``bridge.Call(name, args)``."""

        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def _call(self, name: str, args: Any) -> Any:
            return run(self.ctx, name, args)

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
    g_ImplementationHelper.addImplementation(make_addin, ADDIN, (ADDIN, "com.sun.star.sheet.AddIn"))
