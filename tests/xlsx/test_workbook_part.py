"""The workbook part's settings: full calculation on load, the calcChain, the date system."""

from __future__ import annotations

from defusedxml import ElementTree as SafeET

from crm_xl.xlsx import Package
from tests.xlsx.harness import (
    MAIN,
    check_consistent,
    fixture,
    members,
)


def test_full_calc_on_load_and_calc_chain(tmp_path):
    pkg = Package.open(fixture("formula_results01.xlsx"))
    pkg.request_full_calc_on_load()
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in pkg.part("xl/workbook.xml")
    assert pkg.drop_calc_chain() is True
    assert pkg.drop_calc_chain() is False
    assert sorted(pkg.parts_changed()) == [
        "[Content_Types].xml",
        "xl/_rels/workbook.xml.rels",
        "xl/calcChain.xml",
        "xl/workbook.xml",
    ]
    pkg.save(tmp_path / "calc.xlsx")
    check_consistent(tmp_path / "calc.xlsx")
    assert "xl/calcChain.xml" not in members(tmp_path / "calc.xlsx")

    # A workbook without <calcPr> gets one in the right place.
    pkg = Package.open(fixture("types01.xlsx"))
    xml = pkg.part("xl/workbook.xml")
    start = xml.index(b"<calcPr")
    pkg.set_part("xl/workbook.xml", xml[:start] + xml[xml.index(b"/>", start) + 2 :])
    pkg.request_full_calc_on_load()
    root = SafeET.fromstring(pkg.part("xl/workbook.xml"))
    assert [c.tag.replace(MAIN, "") for c in root][-1] == "calcPr"
