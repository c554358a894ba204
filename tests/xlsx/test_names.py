"""Defined names: added, replaced and sorted in as Excel keeps them; bad names refused."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree as SafeET

from crm_xl.errors import CrmError
from crm_xl.xlsx import Package
from tests.xlsx.harness import (
    MAIN,
    fixture,
    load_openpyxl,
)


def test_defined_names_add_replace_create(tmp_path):
    pkg = Package.open(fixture("types01.xlsx"))
    assert pkg.defined_names() == {}
    pkg.set_defined_name("Rate", "=Sheet1!$A$1")
    pkg.set_defined_name("rate", "0.25")  # case-insensitive: replaces
    pkg.set_defined_name("Local", "Sheet1!$A$2", local_sheet_id=0)
    pkg.set_defined_name("Aardvark", '"a<b&c"')
    assert pkg.defined_names() == {
        "Aardvark": ('"a<b&c"', None),
        "Local": ("Sheet1!$A$2", 0),
        "Rate": ("0.25", None),
    }
    root = SafeET.fromstring(pkg.part("xl/workbook.xml"))
    order = [child.tag.replace(MAIN, "") for child in root]
    assert order.index("sheets") < order.index("definedNames") < order.index("calcPr")
    pkg.save(tmp_path / "names.xlsx")
    assert pkg.parts_changed() == ["xl/workbook.xml"]
    book = load_openpyxl(tmp_path / "names.xlsx")
    assert book.defined_names["Rate"].attr_text == "0.25"
    assert book["Sheet1"].defined_names["Local"].attr_text == "Sheet1!$A$2"

    # An Excel-made list: replacing keeps hidden= and the entry's place; a new one is sorted in.
    pkg = Package.open(fixture("defined_name01.xlsx"))
    original = pkg.part("xl/workbook.xml")
    pkg.set_defined_name("_XLNM._FILTERDATABASE", "Sheet1!$F$1:$G$9", local_sheet_id=0)
    assert b'hidden="1">Sheet1!$F$1:$G$9<' in pkg.part("xl/workbook.xml")
    pkg.set_defined_name("Bas", "1")
    names = [d.name for d in pkg.defined_name_list()]
    assert names.index("Bar") < names.index("Bas") < names.index("Baz")
    assert len(pkg.part("xl/workbook.xml")) > len(original)
    # "Bar" exists in three sheet scopes: defined_names() shows the first, the list all three
    assert pkg.defined_names()["Bar"] == ("'Sheet 3'!$A$1", 2)
    assert [d.local_sheet_id for d in pkg.defined_name_list() if d.name == "Bar"] == [2, 0, 1]


@pytest.mark.parametrize("name", ["A1", "xfd100", "R1C1", "r", "C", "1abc", "has space", "a-b", ""])
def test_bad_defined_names_are_refused(name):
    pkg = Package.open(fixture("types01.xlsx"))
    with pytest.raises(CrmError):
        pkg.set_defined_name(name, "1")


def test_defined_name_scope_must_be_a_sheet():
    pkg = Package.open(fixture("types01.xlsx"))
    with pytest.raises(CrmError, match="not a sheet position"):
        pkg.set_defined_name("X", "1", local_sheet_id=1)
