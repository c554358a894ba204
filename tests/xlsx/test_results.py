"""Formula results as Excel stores them: text escaped with its spaces kept, numbers as their
shortest text, values and references Excel cannot hold refused."""

from __future__ import annotations

import math
import re

import pytest

from crm_xl.errors import CrmError
from crm_xl.xlsx import Package
from tests.xlsx.harness import (
    BOOK,
    PART,
    assert_only_cells_changed,
    assert_readers_see,
    cells_of,
    members,
    typed,
)

TEXTS = {
    "B2": "<&>\"'",
    "B3": "中文 ✓ 😀",
    "B4": " leading",
    "C2": "trailing ",
    "C3": "two\nlines",
    "C4": "tab\tinside",
    "D2": "]]> and &amp; literally",
    "D3": "_x0041_ stays literal",
    "D4": "ctrl\x01char and CR\r",
}


def test_text_results_are_escaped_and_keep_spaces():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    assert pkg.set_cached_values("Data", TEXTS) == len(TEXTS)
    after = pkg.to_bytes()
    xml = members(after)[PART]
    cells = cells_of(xml)
    assert b'<v xml:space="preserve"> leading</v>' in cells["B4"]
    assert b'<v xml:space="preserve">trailing </v>' in cells["C2"]
    assert b"<v>&lt;&amp;&gt;\"'</v>" in cells["B2"]
    assert b"<v>_x005F_x0041_ stays literal</v>" in cells["D3"]
    assert b"<v>ctrl_x0001_char and CR_x000D_</v>" in cells["D4"]
    assert_only_cells_changed(BOOK, after, PART, TEXTS)
    assert Package.from_bytes(after).cached_values("Data", TEXTS) == {
        k: ("str", v) for k, v in TEXTS.items()
    }
    plain = {k: v for k, v in TEXTS.items() if k not in ("D3", "D4")}
    assert_readers_see(after, "Data", PART, plain)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (71.2, b"71.2"),
        (2.0, b"2"),
        (-0.0, b"0"),
        (1e15, b"1000000000000000"),
        (1e16, b"1e+16"),
        (0.1 + 0.2, b"0.30000000000000004"),
        (1 / 3, b"0.3333333333333333"),
        (5e-324, b"5e-324"),
        (12, b"12"),
        (2**53 + 1, b"9007199254740992"),
        (True, b"1"),
        (False, b"0"),
    ],
)
def test_numbers_are_stored_as_their_shortest_text(value, stored):
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    pkg.set_cached_values("Data", {"B2": value})
    assert re.search(rb'<c r="B2"[^>]*><f>A2\*2</f><v>(.*?)</v>', pkg.part(PART)).group(1) == stored
    kind, got = pkg.cached_values("Data", ["B2"])["B2"]
    assert (kind, got) == typed(value if value != 2**53 + 1 else float(value))


def test_numpy_values():
    np = pytest.importorskip("numpy")
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    values = {"B2": np.float64(1.5), "B3": np.int64(7), "D2": np.bool_(True), "C2": np.str_("A")}
    assert pkg.set_cached_values("Data", values) == 4
    assert pkg.cached_values("Data", values) == {
        "B2": ("n", 1.5),
        "B3": ("n", 7.0),
        "D2": ("b", True),
        "C2": ("str", "A"),
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "cannot be stored"),
        (math.inf, "cannot be stored"),
        (-math.inf, "cannot be stored"),
        (None, "None is not a formula result"),
        (b"bytes", "a bytes is not a formula result"),
        (object(), "is not a formula result"),
        ("x" * 32768, "at most 32,767"),
        ("\ud800", "unpaired surrogate"),
        (10**400, "too large"),
    ],
)
def test_values_excel_cannot_hold_are_refused(value, message):
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    with pytest.raises(CrmError, match=message) as err:
        pkg.set_cached_values("Data", {"B2": 1, "C3": value})
    assert err.value.problems[0].where == "Data!C3"
    assert pkg.parts_changed() == []


@pytest.mark.parametrize("ref", ["A0", "1A", "XFE1", "A1048577", "", "B2:B3", 12])
def test_bad_references_are_refused(ref):
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    with pytest.raises(CrmError, match="is not a cell reference"):
        pkg.set_cached_values("Data", {ref: 1})
    with pytest.raises(CrmError, match="is not a cell reference"):
        pkg.cached_values("Data", [ref])


def test_a_cell_given_twice_is_refused():
    pkg = Package.from_bytes(BOOK, "book.xlsx")
    with pytest.raises(CrmError, match=r"Data!\$B\$2: is given twice"):
        pkg.set_cached_values("Data", {"B2": 1, "$B$2": 2})
    assert pkg.parts_changed() == []
