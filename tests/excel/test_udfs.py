"""xlwings' own UDF machinery, run here: metadata from the real decorators, real VBA wrappers.

xlwings.udfs imports three Windows-only modules (pythoncom, pywintypes, win32com.client);
crm_xl.excel.vba puts small stand-ins for exactly those in sys.modules while it imports them.
Everything else — xlfunc/xlarg/xlret, generate_vba_wrapper — is xlwings' own code.
"""

import inspect
import re
import subprocess
import sys

import pytest

from crm_xl.cli import main
from crm_xl.excel.functions import IMPLEMENTATIONS
from crm_xl.excel.registry import SPECS
from crm_xl.excel.vba import load_udf_module, udf_vba

NAMES = sorted(SPECS)


@pytest.fixture(scope="module")
def udfs():
    _, module = load_udf_module()
    return module


def test_every_function_is_declared_to_xlwings(udfs):
    declared = sorted(n for n in dir(udfs) if hasattr(getattr(udfs, n), "__xlfunc__"))
    assert declared == NAMES
    assert all(n.startswith("CRM_") for n in declared)


@pytest.mark.parametrize("name", NAMES)
def test_xlfunc_metadata(udfs, name):
    info = getattr(udfs, name).__xlfunc__
    spec, impl = SPECS[name], IMPLEMENTATIONS[name]
    assert info["name"] == name
    assert info["category"] == "CRM"
    assert info["sub"] is False
    # argument names and order: the contract with users' workbooks
    assert [a["name"] for a in info["args"]] == list(inspect.signature(impl).parameters)
    # wizard texts from the registry, within Excel's 255-character MacroOptions limit
    assert info["ret"]["doc"] == spec.description.en and 0 < len(spec.description.en) <= 255
    for arg in info["args"]:
        assert arg["doc"] == spec.argument(arg["name"]).help.en
        assert len(arg["doc"]) <= 255 and not arg["doc"].startswith("Positional argument")
        assert arg["doc"].isascii(), (
            "wizard help goes into a .bas file read in the system code page"
        )
    assert spec.description.en.isascii()
    # optional arguments are optional in Excel too
    params = inspect.signature(impl).parameters
    for arg in info["args"]:
        assert ("optional" in arg) == (params[arg["name"]].default is not inspect.Parameter.empty)


@pytest.mark.parametrize("name", NAMES)
def test_range_arguments_arrive_as_lists_of_rows_with_errors_as_text(udfs, name):
    info = getattr(udfs, name).__xlfunc__
    ranges = [a for a in info["args"] if a["options"].get("ndim") == 2]
    assert ranges, "at least the first argument takes a range"
    assert info["args"][0]["options"] == {"ndim": 2, "err_to_str": True}


@pytest.mark.parametrize("name", NAMES)
def test_generate_vba_wrapper_writes_a_function_for_each(name):
    text = udf_vba()
    params = list(inspect.signature(IMPLEMENTATIONS[name]).parameters)
    spec = IMPLEMENTATIONS[name]
    optional = {
        p
        for p, v in inspect.signature(spec).parameters.items()
        if v.default is not inspect.Parameter.empty
    }
    sig = ", ".join(("Optional " if p in optional else "") + p for p in params)
    assert f"Function {name}({sig})\r\n" in text
    assert (
        f'XLPy.CallUDF("crm_xl.udfs", "{name}", Array({", ".join(params)}), ThisWorkbook, Application.Caller)'
        in text
    )
    assert f'Application.MacroOptions Macro:="{name}"' in text


def test_vba_module_header_and_addin_variant():
    text = udf_vba()
    assert text.startswith('Attribute VB_Name = "xlwings_udfs"\r\n')
    assert text.isascii() and "\n" not in text.replace("\r\n", "")
    assert max(len(line) for line in text.split("\r\n")) < 1023  # VBA's line limit
    assert "ActiveWorkbook" in udf_vba("crm_xl.xlam") and "ActiveWorkbook" not in text


def test_vba_command_writes_the_module(tmp_path, capsys):
    assert main(["vba", "-o", str(tmp_path / "crm_udfs.bas")]) == 0
    text = (tmp_path / "crm_udfs.bas").read_bytes().decode("ascii")
    assert len(re.findall(r"^Function CRM_\w+\(", text, flags=re.M)) == len(NAMES)
    assert "CrmXlRegisterFunctions" in capsys.readouterr().out


def test_decorated_functions_compute_through_the_shared_implementation(udfs):
    assert udfs.CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]]) == 65.5
    assert udfs.CRM_NPS([[10, 9, 9, 8, 7], [7, 6, 5, 3, 10]]) == 10.0


def test_declared_functions_are_called_like_the_implementation(udfs):
    # by keyword too, and an omitted optional argument takes its default
    assert udfs.CRM_SCORE(values=[[85, 75, 10, 70]], weights=[[4, 3, 2, 1]], normalize=True) == 65.5
    assert udfs.CRM_TIER(100000, [[100000, 50000]], [["A", "B", "C"]]) == "B"
    with pytest.raises(TypeError):
        udfs.CRM_NPS([[10]], "en", "extra")  # responses and lang, then one too many


def test_udf_module_imports_on_its_own_and_leaves_xlwings_alone():
    code = (
        "import crm_xl.udfs as u, xlwings as xw, sys;"
        "print(u.CRM_SCORE([[85, 75, 10, 70]], [[40, 30, 20, 10]]), 'pythoncom' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["65.5", "False"]


def test_loading_for_vba_does_not_leave_stand_ins_behind():
    load_udf_module()
    import xlwings

    assert "pythoncom" not in sys.modules or hasattr(sys.modules["pythoncom"], "__file__")
    assert xlwings.func.__module__ != "xlwings.udfs" or sys.platform == "win32"
