"""crm_xl's LibreOffice extension: =CRM_*() computed by LibreOffice Calc itself.

The extension is built by ``crm-xl libreoffice-extension`` and installed into a fresh
LibreOffice profile (tests/helpers/uno_calc.py); LibreOffice then starts again as a user's
next start would, opens the workbooks, types formulas through UNO, recomputes every
formula (``calculateAll``) and saves. What Calc shows in each ``CRM_*`` cell is compared
with what ``crm-xl recalc`` (crm_xl's own engine) stores in a copy, and with values worked
out by hand for the user's workbook.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from crm_xl.cli import main
from crm_xl.excel.libreoffice import call
from crm_xl.excel.libreoffice_basic import basic_module, wrapper
from crm_xl.excel.libreoffice_bridge import ADDIN_SINCE
from crm_xl.excel.registry import SPECS
from crm_xl.workbook.recalc import recalc_book
from tests.helpers.excel_made import available as excel_made_available
from tests.helpers.excel_made import excel_made
from tests.helpers.libreoffice import calc_with_extension, on_ci, require_uno

ROOT = Path(__file__).resolve().parents[2]
# the .xlsm holds the workbook's VBA (the buttons): its macros are not run, the CRM_* cells
# still bind to the Standard library's functions
SAMPLES = ("crm_sample_en.xlsx", "crm_sample_zh.xlsx", "crm_sample_en.xlsm")


# --- the generated wrappers and the conversions (no LibreOffice needed) --------------------


@pytest.mark.parametrize("name", sorted(SPECS))
def test_one_wrapper_per_function_with_the_registry_arguments(name):
    spec = SPECS[name]
    text = wrapper(spec)
    header = re.search(rf"^Function {name}\((.*)\)$", text, re.M)
    assert header, text
    params = [p.strip() for p in header.group(1).split(",")]
    # all Optional in Basic (crm_xl checks the count), one more to catch too many
    assert params == [*(f"Optional p_{a.name}" for a in spec.arguments), "Optional more_arguments"]
    assert f"REM  {spec.signature()}: " in text  # which ones are optional
    assert f'{name} = CrmXlCall("{name}", args)' in text
    # the help is there, in both languages where the registry has both
    assert spec.description.en in text
    assert not spec.description.zh or spec.description.zh in text


def test_the_module_defines_nothing_but_the_wrappers_and_the_call():
    defined = re.findall(r"^Function (\w+)\(", basic_module(), re.M)
    assert sorted(defined) == sorted([*SPECS, "CrmXlCall"])


def test_arguments_arrive_as_basic_hands_them_over():
    # a row with a blank: (85*40 + 75*30 + 70*10) / (40+30+10) = 6350/80 = 79.375
    assert call("CRM_SCORE", (((85, 75, None, 70),), ((40, 30, 20, 10),))) == 79.375
    # two rows -> a column: 65.5 = (85*40+75*30+10*20+70*10)/100; 50 (one indicator)
    assert call("CRM_SCORE", (((85, 75, 10, 70), (50, None, None, None)), ((40, 30, 20, 10),))) == (
        (65.5,),
        (50.0,),
    )
    # a single cell for a range argument is one row of one cell: 5 lost of 100 = 5 %
    assert call("CRM_CHURN", (5, 100)) == 5.0
    # Calc's TRUE is 1: normalize=1 rescales weights summing to 50 -> (80*30+60*20)/50 = 72
    assert call("CRM_SCORE", (((80, 60),), ((30, 20),), 1)) == 72.0
    assert call("CRM_SCORE", (((80, 60),), ((30, 20),))).startswith("#VALUE! ")


def test_a_wrong_call_is_error_text_never_an_exception():
    assert call("CRM_CHURN", (5,)) == (
        "#VALUE! CRM_CHURN needs 2 arguments, got 1: CRM_CHURN(lost, start, [lang])"
    )
    assert call("CRM_CHURN", (5, 100, "zh", None)) == (
        "#VALUE! CRM_CHURN takes at most 3 arguments: CRM_CHURN(lost, start, [lang])"
    )


# --- LibreOffice ----------------------------------------------------------------------------


def _lo_python_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _require_same_python() -> None:
    """The extension points LibreOffice's Python at this environment's packages: the
    same minor version is needed (compiled numpy and pandas)."""
    import sys

    lo = _lo_python_version(require_uno())
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if lo != mine:
        message = (
            f"LibreOffice's Python is {lo}, the test environment's {mine}: the extension "
            "points LibreOffice at this environment's packages, which need the same version"
        )
        if on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _user_book(path: Path) -> None:
    """A user's workbook typed in Excel: CRM_SCORE over a small table, a spilled column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Scores"
    ws.append(["Customer", "Sales", "Service", "Growth", "Loyalty", None, "Score"])
    ws.append(["C1", 85, 75, 10, 70])
    ws.append(["C2", 85, 75, None, 70])  # a blank indicator: re-weighted
    ws.append(["C3", None, None, None, None])  # all blank: the score is blank
    ws.append(["C4", 50, "n/a", 40, 30])  # text where a number belongs
    ws["I1"], ws["J1"], ws["K1"], ws["L1"] = 40, 30, 20, 10  # the weights
    for r in range(2, 6):
        ws[f"G{r}"] = f"=CRM_SCORE(B{r}:E{r},$I$1:$L$1)"
    ws["H2"] = '=CRM_TIER(G2,{70,50},{"A","B","C"})'
    ws["H3"] = '=CRM_TIER(G3,{70,50},{"A","B","C"})'
    ws["G7"] = ArrayFormula("G7:G8", "=CRM_SCORE(B2:E3,I1:L1,TRUE)")  # one call, two scores
    ws["G10"] = "=CRM_SCORE(B2:E2,I1:K1)"  # three weights for four indicators
    ws["G11"] = "=CRM_CHURN(5,100)"
    # an error among the inputs: Calc does not call a macro then (known difference)
    ws["B19"], ws["C19"], ws["D19"], ws["E19"] = 80, "=NA()", 60, 70
    ws["G19"] = "=CRM_SCORE(B19:E19,$I$1:$L$1)"
    ws["G23"] = "=CRM_SCORE(B2:E2)"  # too few arguments
    ws["G24"] = '=CRM_SCORE(B2:E2,I1:L1,FALSE,"en",1)'  # too many
    wb.save(path)


_SPILL_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="A1:K2"/><sheetData>'
    '<row r="1"><c r="A1"><v>85</v></c><c r="B1"><v>75</v></c><c r="C1"><v>10</v></c>'
    '<c r="D1"><v>70</v></c><c r="F1"><v>40</v></c><c r="G1"><v>30</v></c>'
    '<c r="H1"><v>20</v></c><c r="I1"><v>10</v></c>'
    '<c r="K1" cm="1"><f t="array" ref="K1:K2">CRM_SCORE(A1:D2,F1:I1)</f><v>0</v></c></row>'
    '<row r="2"><c r="A2"><v>85</v></c><c r="B2"><v>75</v></c><c r="D2"><v>70</v></c>'
    '<c r="K2"><v>0</v></c></row>'
    "</sheetData></worksheet>"
)


def _excel_spill_book(path: Path) -> None:
    """Excel's own dynamic-array workbook (a spilled formula: ``cm="1"``, ``t="array"``,
    xl/metadata.xml) with its sheet holding a spilled CRM_SCORE over two rows instead, its
    cached values deliberately stale (0)."""
    source = excel_made("dynamic_array01.xlsx")
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(path, "w") as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _SPILL_SHEET.encode()
            out.writestr(item, data)


_OWN_CHURN = 'Function CRM_CHURN(a, b)\n    CRM_CHURN = "the document\'s own"\nEnd Function\n'


@pytest.fixture(scope="module")
def calc(tmp_path_factory):
    """One LibreOffice session for every book: the extension installed, then Calc computes."""
    _require_same_python()
    tmp = tmp_path_factory.mktemp("lo-ext")
    oxt = tmp / "crm_xl.oxt"
    assert main(["libreoffice-extension", "-o", str(oxt)]) == 0
    books = []
    for name in SAMPLES:
        shutil.copy(ROOT / "workbooks" / name, tmp / name)
        books.append({"path": str(tmp / name)})
    _user_book(tmp / "user.xlsx")
    typed = {
        "Scores!G13": "=CRM_SCORE(B2:E2;I1:L1)",
        "Scores!G14": "=CRM_FORM_SCORE(3;1;5)",
        "Scores!G16:G17": "{=CRM_SCORE(B2:E3;I1:L1)}",
        "Scores!G21": "=CRM_SCORE(B2:E3;I1:L1)",  # two rows in one plain cell
    }
    books.append(
        {"path": str(tmp / "user.xlsx"), "formulas": typed, "save_as": str(tmp / "saved.xlsx")}
    )
    if excel_made_available():
        _excel_spill_book(tmp / "excel_spill.xlsx")
        books.append({"path": str(tmp / "excel_spill.xlsx")})
    shutil.copy(tmp / "user.xlsx", tmp / "converted.xlsx")
    shutil.copy(tmp / "user.xlsx", tmp / "own_macros.xlsx")
    books.append({"path": str(tmp / "own_macros.xlsx"), "document_basic": _OWN_CHURN})
    result = calc_with_extension(
        oxt, books, convert=[{"path": str(tmp / "converted.xlsx"), "outdir": str(tmp / "csv")}]
    )
    result["tmp"] = tmp
    return result


def _engine_values(book: Path, tmp: Path) -> dict[tuple[str, str], object]:
    """What crm-xl recalc stores in a copy of ``book``: (sheet, cell) -> value."""
    copy = tmp / f"engine-{book.name}"
    shutil.copy(book, copy)
    recalc_book(copy)
    wb = openpyxl.load_workbook(copy, data_only=True)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    }


def _same(calc_value, engine_value) -> bool:
    if isinstance(calc_value, float) and isinstance(engine_value, (int, float)):
        return math.isclose(calc_value, engine_value, rel_tol=1e-13, abs_tol=1e-13)
    if engine_value is None:  # a blank result: "" in Calc
        return calc_value == ""
    return calc_value == engine_value


def _book(calc: dict, name: str) -> dict:
    return next(b for b in calc["books"] if Path(b["path"]).name == name)


def _by_cell(book: dict) -> dict[tuple[str, str], dict]:
    return {(c["sheet"], c["cell"]): c for c in book["cells"]}


def test_the_start_up_job_put_the_wrappers_into_the_standard_library(calc):
    assert calc["installed"] == "org.crmxl.functions"
    assert "CrmXl" in calc["standard_modules"]


@pytest.mark.parametrize("index", range(len(SAMPLES)), ids=SAMPLES)
def test_calc_computes_every_crm_cell_of_the_samples_as_crm_xl_does(calc, index):
    book = _book(calc, SAMPLES[index])
    cells = book["cells"]
    assert len(cells) > 2000  # the Ratings sheet alone has 200 rows x 11 CRM_* formulas
    engine = _engine_values(Path(book["path"]), calc["tmp"])
    differ = [
        (c["sheet"], c["cell"], c["formula"], c["value"], engine[(c["sheet"], c["cell"])])
        for c in cells
        if not _same(c["value"], engine[(c["sheet"], c["cell"])])
    ]
    assert differ == []
    assert not any(isinstance(c["value"], dict) for c in cells)  # no #NAME?, no error


def test_calc_computes_the_users_workbook(calc):
    cells = _by_cell(_book(calc, "user.xlsx"))
    value = {key: c["value"] for key, c in cells.items()}
    # worked out by hand: (85*40+75*30+10*20+70*10)/100 = 65.5; without Growth 6350/80
    assert value[("Scores", "G2")] == 65.5
    assert value[("Scores", "G3")] == 79.375
    assert value[("Scores", "G4")] == ""  # every indicator blank: a blank score
    assert value[("Scores", "G5")].startswith("#VALUE! ")  # "n/a" is not a score
    assert "n/a" in value[("Scores", "G5")]
    assert value[("Scores", "H2")] == "B"  # 65.5: 50 <= x < 70
    assert value[("Scores", "H3")] == "A"  # 79.375 >= 70
    assert (value[("Scores", "G7")], value[("Scores", "G8")]) == (65.5, 79.375)
    assert cells[("Scores", "G7")]["array"] and cells[("Scores", "G8")]["array"]
    assert value[("Scores", "G10")].startswith("#VALUE! values have 4 column(s)")
    assert value[("Scores", "G11")] == 5.0  # 5 lost of 100
    # typed in Calc through UNO
    assert value[("Scores", "G13")] == 65.5
    assert value[("Scores", "G14")] == 50.0  # answer 3 on a 1-5 scale: (3-1)/(5-1)
    assert (value[("Scores", "G16")], value[("Scores", "G17")]) == (65.5, 79.375)
    assert value[("Scores", "G21")] == 65.5  # no spilling in 7.4: the first row's score only
    assert ("Scores", "G22") not in value
    # a wrong number of arguments: crm_xl's message, not a blank cell nor a silent drop
    assert value[("Scores", "G23")].startswith("#VALUE! CRM_SCORE needs 2 arguments, got 1")
    assert value[("Scores", "G24")].startswith("#VALUE! CRM_SCORE takes at most 4 arguments")
    # and the same as crm_xl's engine, cell by cell
    engine = _engine_values(Path(_book(calc, "user.xlsx")["path"]), calc["tmp"])
    # typed in Calc, or where LibreOffice differs (G19: the #N/A input; G23/G24: crm-xl
    # recalc computes no value for a wrong argument count, it lists a problem at the cell)
    typed_here = ("G13", "G14", "G16", "G17", "G19", "G21", "G23", "G24")
    originals = {k: v for k, v in value.items() if k[1] not in typed_here}
    assert {k: v for k, v in originals.items() if not _same(v, engine[k])} == {}


def test_an_error_among_the_inputs_is_calcs_own_error_not_crm_xls_reason(calc):
    # LibreOffice (7.4) hands a range holding an error cell to no macro: the cell shows
    # that error itself (#N/A), where crm_xl (Excel through xlwings, crm-xl recalc) shows
    # its error text naming the indicator
    got = _by_cell(_book(calc, "user.xlsx"))[("Scores", "G19")]["value"]
    assert isinstance(got, dict) and got["text"] == "#N/A"
    engine = _engine_values(Path(_book(calc, "user.xlsx")["path"]), calc["tmp"])
    assert isinstance(engine[("Scores", "G19")], str) and "indicator 2" in engine[("Scores", "G19")]


def test_a_formula_typed_in_calc_is_saved_under_its_own_name(calc):
    saved = calc["tmp"] / "saved.xlsx"
    with zipfile.ZipFile(saved) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    formulas = dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*>\s*<f[^>]*>([^<]*)</f>', sheet))
    assert formulas["G13"] == "CRM_SCORE(B2:E2,I1:L1)"
    assert formulas["G14"] == "CRM_FORM_SCORE(3,1,5)"
    assert formulas["G16"] == "CRM_SCORE(B2:E3,I1:L1)"
    assert formulas["G2"] == "CRM_SCORE(B2:E2,$I$1:$L$1)"  # the user's own, kept
    assert "ORG." not in sheet and "crm_score" not in sheet
    # crm_xl reads it back and computes the same
    engine = _engine_values(saved, calc["tmp"])
    assert engine[("Scores", "G13")] == 65.5
    assert engine[("Scores", "G14")] == 50.0


def test_a_formula_spilled_by_excel_fills_its_cells_in_calc(calc):
    excel_made("dynamic_array01.xlsx")  # skips (fails on CI) without the fixtures
    cells = _by_cell(_book(calc, "excel_spill.xlsx"))
    # 65.5 = (85*40+75*30+10*20+70*10)/100; 79.375 = 6350/80 (row 2 has no Growth)
    assert cells[("Sheet1", "K1")]["value"] == 65.5
    assert cells[("Sheet1", "K2")]["value"] == 79.375
    assert cells[("Sheet1", "K1")]["array"] and cells[("Sheet1", "K2")]["array"]


def test_a_documents_own_function_of_the_same_name_comes_first(calc):
    # why a workbook carrying xlwings' CRM_* VBA wrappers may not reach crm_xl in Calc:
    # a function of the document's own Basic is found before the Standard library's
    cells = _by_cell(_book(calc, "own_macros.xlsx"))
    assert cells[("Scores", "G11")]["value"] == "the document's own"  # CRM_CHURN(5,100)
    assert cells[("Scores", "G2")]["value"] == 65.5  # CRM_SCORE: still the extension's


def test_a_plain_headless_conversion_computes_too(calc):
    # soffice --headless --convert-to csv, as a script would run it, with the profile the
    # extension is installed in: the start-up job runs before the file is opened
    import csv

    with open(calc["tmp"] / "csv" / "converted.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[1][6] == "65.5" and rows[2][6] == "79.375"  # G2, G3
    assert rows[1][7] == "B" and rows[2][7] == "A"  # H2, H3
    assert rows[10][6] == "5"  # G11: CRM_CHURN(5,100)


def test_the_function_wizard_does_not_list_basic_functions(calc):
    # Calc's function list (FunctionDescriptions, what the wizard shows) holds built-in and
    # UNO add-in functions, never Basic ones; before 25.2 the extension's add-in is
    # inactive (see the next test), so the CRM_* help is not in the wizard there
    if _version(calc["version"]) >= ADDIN_SINCE:
        pytest.skip(f"LibreOffice {calc['version']}: the add-in lists them (next test)")
    assert calc["wizard_functions"] == []


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:2])


def test_the_function_wizard_shows_the_help_where_calc_keeps_the_names(tmp_path):
    """The add-in half of the extension, on whichever LibreOffice ``$SOFFICE`` names.

    On 25.2 and later (proved: 25.2.3) the wizard lists every CRM_* function with the
    registry's help; ``CRM_SCORE(`` in an .xlsx binds to the add-in by its
    CompatibilityName and is written back under it. Before (proved: 7.4.7) no CRM_* entry
    is listed — Calc would write a formula typed with the add-in as
    ``ORG.CRMXL.ADDIN.CRM_SCORE(``, so the add-in stays inactive and the Basic wrappers
    compute. Books are only converted here (``soffice --convert-to``), which works on both.
    """
    _require_same_python()
    oxt = tmp_path / "crm_xl.oxt"
    assert main(["libreoffice-extension", "-o", str(oxt)]) == 0
    _user_book(tmp_path / "user.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "user.xlsx")
    # the add-in's own (programmatic) name: only the add-in answers to it
    wb["Scores"]["G12"] = "=ORG.CRMXL.ADDIN.CRM_CHURN(5,100)"
    wb.save(tmp_path / "user.xlsx")
    convert = [
        {"path": str(tmp_path / "user.xlsx"), "outdir": str(tmp_path / "csv")},
        {"path": str(tmp_path / "user.xlsx"), "outdir": str(tmp_path / "xlsx"), "to": "xlsx"},
    ]
    got = calc_with_extension(oxt, [], convert=convert)
    import csv

    with open(tmp_path / "csv" / "user.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    # worked out by hand (see test_calc_computes_the_users_workbook)
    assert rows[1][6] == "65.5" and rows[2][6] == "79.375" and rows[1][7] == "B"
    assert rows[10][6] == "5"  # G11: CRM_CHURN(5,100)
    with zipfile.ZipFile(tmp_path / "xlsx" / "user.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    formulas = dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*>\s*<f[^>]*>([^<]*)</f>', sheet))
    assert formulas["G2"] == "CRM_SCORE(B2:E2,$I$1:$L$1)"  # saved under its own name
    assert formulas["G11"] == "CRM_CHURN(5,100)"
    if _version(got["version"]) < ADDIN_SINCE:
        assert got["wizard"] == []
        assert rows[11][6] == "#NAME?"  # no add-in answers on this version
        return
    wizard = {w["name"]: w for w in got["wizard"]}
    assert sorted(wizard) == sorted(SPECS)
    for name, spec in SPECS.items():  # LibreOffice's interface here is English (en-US)
        assert wizard[name]["description"] == spec.description.en
        assert [(a["name"], a["description"]) for a in wizard[name]["arguments"]] == [
            (a.name, a.help.en) for a in spec.arguments
        ]
    assert rows[11][6] == "5"  # the add-in computed
    assert formulas["G12"] == "CRM_CHURN(5,100)"  # and Calc wrote its CompatibilityName


def test_where_libreoffices_python_finds_crm_xl(tmp_path):
    """An extension pointing nowhere: every cell says why; CRM_XL_PYTHONPATH then fixes it."""
    _require_same_python()
    oxt = tmp_path / "nowhere.oxt"
    assert main(["libreoffice-extension", "-o", str(oxt), "--python-path", "/nonexistent"]) == 0
    book = tmp_path / "user.xlsx"
    _user_book(book)
    lost = calc_with_extension(oxt, [{"path": str(book)}])
    text = _by_cell(lost["books"][0])[("Scores", "G2")]["value"]
    # the cell names the Python LibreOffice runs: the system's python3 (python3-uno)
    lo = _lo_python_version(require_uno())
    assert text.startswith(f"#NAME? LibreOffice's Python {lo} cannot import crm_xl (")
    import sysconfig

    import crm_xl

    folders = [sysconfig.get_paths()["purelib"], str(Path(crm_xl.__file__).parents[1])]
    found = calc_with_extension(
        oxt, [{"path": str(book)}], env={"CRM_XL_PYTHONPATH": os.pathsep.join(folders)}
    )
    assert _by_cell(found["books"][0])[("Scores", "G2")]["value"] == 65.5


_PROBE_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="CrmProbe"
 library:readonly="true" library:passwordprotected="false">
 <library:element library:name="Probe"/>
</library:library>
"""
_PROBE_MODULE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Probe"
 script:language="StarBasic">Function CRM_PROBE(x)
    CRM_PROBE = 42
End Function
</script:module>
"""


def test_why_the_wrappers_go_into_standard_and_what_removing_leaves(tmp_path):
    """The route not taken, measured: a function in an extension's own Basic library is not
    found by a cell until the library is loaded (#NAME?), and once loaded its call fails
    (#VALUE!), even for a function that returns a constant. The same cells calling the
    Standard library's wrappers compute. If a LibreOffice version changes this, the
    extension could ship its own library instead (docs/setup-libreoffice.md)."""
    _require_same_python()
    oxt = tmp_path / "probe.oxt"
    main(["libreoffice-extension", "-o", str(oxt)])
    with zipfile.ZipFile(oxt) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    manifest = parts["META-INF/manifest.xml"].decode()
    parts["META-INF/manifest.xml"] = manifest.replace(
        "</manifest:manifest>",
        ' <manifest:file-entry manifest:media-type="application/vnd.sun.star.basic-library"'
        ' manifest:full-path="CrmProbe/"/>\n</manifest:manifest>',
    ).encode()
    parts["CrmProbe/script.xlb"] = _PROBE_LIBRARY.encode()
    parts["CrmProbe/Probe.xba"] = _PROBE_MODULE.encode()
    with zipfile.ZipFile(oxt, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=CRM_PROBE(1)"
    wb.active["A2"] = "=CRM_CHURN(5,100)"
    wb.save(tmp_path / "probe.xlsx")
    book = [{"path": str(tmp_path / "probe.xlsx")}]

    def cells(result):
        return {c["cell"]: c["value"] for c in result["books"][0]["cells"]}

    first = calc_with_extension(oxt, book, remove_after=True)
    not_loaded = cells(first)
    loaded = cells(calc_with_extension(oxt, book, load_libraries=["CrmProbe"]))
    assert not_loaded["A1"]["text"] == "#NAME?"
    assert loaded["A1"]["text"] == "#VALUE!"
    assert not_loaded["A2"] == loaded["A2"] == 5.0
    # after removing the extension the module stays in Standard and says what is missing
    gone = cells(first["after_removal"])
    assert gone["A2"].startswith("#NAME? the crm_xl extension is not installed")


def _as_user() -> list[str]:
    """The command prefix that runs a program as a normal user: none when this is one;
    as root (where unopkg refuses a per-user install) setpriv to the user nobody."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot run unopkg as a normal user")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def _readable_by_all(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in [path, *path.parents] if p.exists())


def test_a_user_installs_it_with_unopkg_and_converts(tmp_path):
    """The set-up page's steps 4-6 as a user: unopkg add, then a plain headless conversion."""
    _require_same_python()
    from crm_xl.excel.libreoffice_extension import default_python_paths
    from tests.helpers.libreoffice import soffice_path
    from tests.helpers.uno_calc import office_environment

    prefix = _as_user()
    if prefix and not all(_readable_by_all(Path(p)) for p in default_python_paths()):
        pytest.skip("this environment's packages are not readable by the user nobody")
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="crm-xl-unopkg-"))
    try:
        work.chmod(0o777)
        oxt, book, out = work / "crm_xl.oxt", work / "user.xlsx", work / "out"
        assert main(["libreoffice-extension", "-o", str(oxt)]) == 0
        _user_book(book)
        for path in (oxt, book):
            path.chmod(0o644)
        out.mkdir(mode=0o777)
        out.chmod(0o777)
        profile = f"-env:UserInstallation={(work / 'profile').as_uri()}"
        env = {**office_environment(dict(os.environ)), "HOME": str(work)}
        unopkg = str(Path(soffice_path()).resolve().with_name("unopkg"))
        run = functools.partial(subprocess.run, env=env, capture_output=True, timeout=180)
        added = run([*prefix, unopkg, "add", profile, str(oxt)])
        assert added.returncode == 0, added.stderr
        listed = run([*prefix, unopkg, "list", profile], text=True)
        assert "org.crmxl.functions" in listed.stdout
        assert "Description: The CRM_* functions of crm_xl" in listed.stdout
        convert = ["--headless", "--convert-to", "csv", "--outdir", str(out), str(book)]
        converted = run([*prefix, soffice_path(), profile, *convert])
        assert converted.returncode == 0, converted.stderr
        import csv

        with open(out / "user.csv", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert rows[1][6] == "65.5" and rows[2][6] == "79.375"  # by hand, as above
    finally:
        shutil.rmtree(work, ignore_errors=True)
