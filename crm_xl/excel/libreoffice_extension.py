"""crm_xl's LibreOffice extension (``.oxt``): ``=CRM_SCORE(…)`` live in LibreOffice Calc.

``crm-xl libreoffice-extension -o crm_xl.oxt`` writes it; the user installs it once (Tools ▸
Extension Manager ▸ Add, or ``unopkg add crm_xl.oxt``) and restarts LibreOffice. Inside:

* ``CrmXl.bas`` — one Basic wrapper per ``CRM_*`` function
  (:mod:`crm_xl.excel.libreoffice_basic`), which a start-up job puts into the user's
  Standard library, the one library whose functions cells can call;
* ``crm_xl_bridge.py`` — the Python component (:mod:`crm_xl.excel.libreoffice_bridge`):
  the service the wrappers call, which runs crm_xl's implementations, and that job;
* ``crm_xl.rdb`` — the UNO type library of the add-in (:mod:`crm_xl.excel.libreoffice_types`):
  interface ``org.crmxl.XFunctions``, one method per ``CRM_*`` function, which the
  component's ``org.crmxl.AddIn`` implements on LibreOffice 25.2 and later, for the
  function wizard's help (see :mod:`crm_xl.excel.libreoffice_bridge`);
* ``crm_xl.json`` — where LibreOffice's Python finds crm_xl: by default the
  site-packages of the Python that built the extension, and that Python's version; and
  the functions' help for the wizard (:func:`function_help`, from the registry);
* ``Jobs.xcu`` (the job on ``OnStartApp``), ``description.xml``, ``META-INF/manifest.xml``.

Nothing in it computes: the wrappers convert arguments, the implementations are crm_xl's,
so Calc shows what ``crm-xl recalc`` stores.

Example::

    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> _ = write_extension(buffer, python_paths=["/opt/crm"])
    >>> sorted(zipfile.ZipFile(buffer).namelist())  # doctest: +NORMALIZE_WHITESPACE
    ['CrmXl.bas', 'Jobs.xcu', 'META-INF/manifest.xml', 'crm_xl.json', 'crm_xl.rdb',
     'crm_xl_bridge.py', 'description-en.txt', 'description-zh.txt', 'description.xml']
"""

from __future__ import annotations

import json
import sys
import sysconfig
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO

from crm_xl.excel import libreoffice_bridge
from crm_xl.excel.libreoffice_basic import basic_module
from crm_xl.excel.libreoffice_types import identifier, interface_rdb
from crm_xl.excel.registry import SPECS
from crm_xl.xlsx.escapes import escape_attr

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-typelibrary;type=RDB" manifest:full-path="crm_xl.rdb"/>
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-component;type=Python" manifest:full-path="crm_xl_bridge.py"/>
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" manifest:full-path="Jobs.xcu"/>
</manifest:manifest>
"""

_DESCRIPTION = """<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
             xmlns:xlink="http://www.w3.org/1999/xlink">
 <identifier value="{identifier}"/>
 <version value="{version}"/>
 <display-name>
  <name lang="en">crm_xl: CRM_* worksheet functions</name>
  <name lang="zh">crm_xl:CRM_* 工作表函数</name>
 </display-name>
 <extension-description>
  <src lang="en" xlink:href="description-en.txt"/>
  <src lang="zh" xlink:href="description-zh.txt"/>
 </extension-description>
 <dependencies>
  <OpenOffice.org-minimal-version xmlns:d="http://openoffice.org/extensions/description/2006" d:name="LibreOffice 7.4" value="4.1"/>
 </dependencies>
</description>
"""

_JOBS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:component-data xmlns:oor="http://openoffice.org/2001/registry"
                    xmlns:xs="http://www.w3.org/2001/XMLSchema"
                    oor:name="Jobs" oor:package="org.openoffice.Office">
 <node oor:name="Jobs">
  <node oor:name="CrmXlInstaller" oor:op="replace">
   <prop oor:name="Service"><value>org.crmxl.Installer</value></prop>
  </node>
 </node>
 <node oor:name="Events">
  <node oor:name="OnStartApp" oor:op="fuse">
   <node oor:name="JobList">
    <node oor:name="CrmXlInstaller" oor:op="replace"/>
   </node>
  </node>
 </node>
</oor:component-data>
"""


_ABOUT = {
    "en": "The CRM_* functions of crm_xl (CRM_SCORE, CRM_TIER, CRM_RFM, ...) computed by "
    "LibreOffice Calc with crm_xl's own Python code; formulas stay CRM_SCORE(...) in .xlsx "
    "files. Restart LibreOffice after installing. See crm_xl's docs/setup-libreoffice.md.",
    "zh": "在 LibreOffice Calc 中直接计算 crm_xl 的 CRM_* 函数(CRM_SCORE、CRM_TIER、CRM_RFM 等),"
    "由 crm_xl 自身的 Python 代码计算;.xlsx 中的公式仍为 CRM_SCORE(...)。安装后请重启 "
    "LibreOffice。详见 crm_xl 的 docs/setup-libreoffice.md。",
}


def default_python_paths() -> list[str]:
    """Where this Python finds crm_xl and its dependencies: its site-packages, and the folder
    holding the ``crm_xl`` package (a checkout, for an editable install).

    Example::

        >>> import crm_xl
        >>> str(Path(crm_xl.__file__).resolve().parent.parent) in default_python_paths()
        True
    """
    import crm_xl

    paths = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    paths.append(str(Path(crm_xl.__file__).resolve().parent.parent))
    return list(dict.fromkeys(paths))


def function_help() -> list[dict[str, object]]:
    """What the add-in shows in the function wizard, from the registry: per function its
    description and each argument's name and help, English and Chinese.

    Example::

        >>> score = function_help()[0]
        >>> score["name"], score["arguments"][2]["name"], score["arguments"][2]["optional"]
        ('CRM_SCORE', 'normalize', True)
    """
    return [
        {
            "name": spec.name,
            "description": {"en": spec.description.en, "zh": spec.description.zh},
            "arguments": [
                {"name": a.name, "optional": a.optional, "help": {"en": a.help.en, "zh": a.help.zh}}
                for a in spec.arguments
            ],
        }
        for spec in SPECS.values()
    ]


def add_in_methods() -> list[tuple[str, list[str]]]:
    """The methods of ``org.crmxl.XFunctions``: each registry function with its parameters
    (named for IDL; the wizard shows the registry's names, which the add-in gives itself).

    Example::

        >>> dict(add_in_methods())["CRM_MULTISCORE"][-1]
        'lang'
    """
    return [(s.name, [identifier(a.name) for a in s.arguments]) for s in SPECS.values()]


def types_library() -> bytes:
    """``crm_xl.rdb``: interface ``org.crmxl.XFunctions``, a method per registry function."""
    return interface_rdb(libreoffice_bridge.INTERFACE, add_in_methods())


def _crm_xl_version() -> str:
    try:
        return version("crm-xl")
    except PackageNotFoundError:
        return "0"


def write_extension(
    target: str | Path | IO[bytes],
    python_paths: list[str] | None = None,
    python_version: str | None = None,
) -> dict[str, object]:
    """Write the extension to ``target`` (a path or a binary file); return its ``crm_xl.json``.

    ``python_paths`` are the folders LibreOffice's Python adds to find crm_xl (default:
    :func:`default_python_paths`); ``python_version`` the version they were installed for
    (default: this Python's, ``"3.11"``).
    """
    config: dict[str, object] = {
        "python": python_version or f"{sys.version_info[0]}.{sys.version_info[1]}",
        "paths": default_python_paths() if python_paths is None else list(python_paths),
        "crm_xl": _crm_xl_version(),
        "functions": function_help(),
    }
    bridge = Path(libreoffice_bridge.__file__).read_text(encoding="utf-8")
    description = _DESCRIPTION.format(
        identifier=escape_attr(libreoffice_bridge.EXTENSION_ID),
        version=escape_attr(str(config["crm_xl"])),
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as oxt:
        oxt.writestr("META-INF/manifest.xml", _MANIFEST)
        oxt.writestr("description.xml", description)
        oxt.writestr("Jobs.xcu", _JOBS)
        for lang, text in _ABOUT.items():
            oxt.writestr(f"description-{lang}.txt", text)
        oxt.writestr(libreoffice_bridge.TYPES_FILE, types_library())
        oxt.writestr("crm_xl_bridge.py", bridge)
        oxt.writestr(libreoffice_bridge.BASIC_FILE, basic_module())
        oxt.writestr(libreoffice_bridge.CONFIG, json.dumps(config, indent=1, ensure_ascii=False))
    return config
