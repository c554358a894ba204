"""xlwings' own Office.js code path, run outside Excel: what xlwings Lite runs for ``main.py``.

xlwings Lite imports the user's ``main.py`` with xlwings' Office.js decorators in place and
calls xlwings' functions on it: ``custom_functions_meta(main)`` for the metadata Excel
registers, ``custom_functions_call(data, main)`` for each formula Excel computes (``data`` is
the Office.js payload: the function's name and its arguments as Excel hands them over),
``custom_scripts_meta(main)`` and ``custom_scripts_call(main, name, …)`` with an
``xw.Book(json=…)`` made from the book payload for a script. This host does the same in a
process of its own (the decorators are chosen when xlwings is imported:
``XLWINGS_ON_SERVER=true`` selects the Office.js ones, as in Lite), with ``main.py`` being
the one line the set-up page gives, ``from crm_xl.lite import *``.

xlwings' Office.js code is under the PolyForm Noncommercial license unless a key says
otherwise; ``XLWINGS_LICENSE_KEY=noncommercial`` is that licence (these are tests of an
open-source project). xlwings Lite itself is free for any use.

It reads one JSON request per line on stdin and answers one JSON line on stdout:
``{"op": "meta"}``, ``{"op": "call", "data": {...}}``, ``{"op": "scripts"}``,
``{"op": "script", "name": ..., "book": {...}, "args": [...]}`` (answer: the actions the
script queued; ``args`` those after the book, as Lite's forms give them),
``{"op": "exec", "code": ...}`` (one more line of ``main.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import types

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

# Pyodide's ``pyodide.ffi.JsNull`` (Pyodide >= 0.28: JS null), which xlwings checks every cell
# against; outside Pyodide its failing import costs a file-system search per cell (minutes
# for a whole column), so the host has the one name, as Lite's Pyodide has it. Nothing
# else of Pyodide is here: xlwings' Pyodide-only paths test ``sys.platform == "emscripten"``.
ffi = types.ModuleType("pyodide.ffi")
ffi.JsNull = type("JsNull", (), {})
sys.modules.setdefault("pyodide", types.ModuleType("pyodide"))
sys.modules.setdefault("pyodide.ffi", ffi)

import xlwings as xw  # noqa: E402
from xlwings import server  # noqa: E402

MAIN_PY = "from crm_xl.lite import *\n"  # Lite's main.py, as docs/setup-xlwings-lite.md says


def load_main() -> types.ModuleType:
    main = types.ModuleType("main")
    exec(compile(MAIN_PY, "main.py", "exec"), main.__dict__)
    return main


def jsnull(value: object) -> object:
    """``{"jsnull": true}`` (JSON has no JsNull) as Pyodide's ``JsNull``, in any argument."""
    if isinstance(value, dict) and value == {"jsnull": True}:
        return ffi.JsNull()
    if isinstance(value, list):
        return [jsnull(v) for v in value]
    return value


def answer(main: types.ModuleType, request: dict) -> object:
    op = request["op"]
    if op == "meta":
        return server.custom_functions_meta(main)
    if op == "call":
        data = dict(request["data"], args=jsnull(request["data"]["args"]))
        return asyncio.run(server.custom_functions_call(data, main))
    if op == "scripts":
        return server.custom_scripts_meta(main)
    if op == "script":
        book = xw.Book(json=request["book"])
        done = asyncio.run(
            server.custom_scripts_call(
                main, request["name"], typehint_to_value={xw.Book: book}, args=request.get("args")
            )
        )
        return done.json()
    if op == "exec":  # a further line of the user's main.py, e.g. a sheet button
        exec(compile(request["code"], "main.py", "exec"), main.__dict__)
        return None
    if op == "decorators":
        return [f"{xw.func.__module__}.{xw.func.__name__}", f"{xw.script.__module__}"]
    raise ValueError(f"unknown op {op!r}")


def serve() -> None:
    main = load_main()
    for line in sys.stdin:
        try:
            out = {"ok": answer(main, json.loads(line))}
        except Exception as err:  # the test sees the failure, the host keeps serving
            out = {"error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
