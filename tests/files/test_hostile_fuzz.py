"""The .xls and .ods readers fuzzed (issue 14): any damage to the file gives a clear CrmError
or a result, never another exception, a crash or more than 1 GiB; and values hypothesis
chooses come back as the file format's specification says they must.

Each example runs in a forked child (:func:`tests.helpers.hostile.call_capped`) allowed
1 GiB of address space beyond what the test process maps, and 60 seconds, so an abort in
calamine's native code or a runaway allocation fails the test instead of ending pytest.
"""

from __future__ import annotations

import math
import struct
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_xl.files.tables import read_table
from tests.files.test_hostile_formats import HEADER, content, ods, ods_rows, xls_bytes
from tests.helpers.hostile import call_capped

__all__ = ["xls_bytes"]  # the module-scoped fixture: an .xls saved by LibreOffice

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def cells(path) -> tuple[list[str], list[list]]:
    """What ``read_table`` makes of ``path``: its header and rows (picklable)."""
    table = read_table(path)
    return list(table.frame.columns), table.frame.to_numpy().tolist()


def assert_clear(outcome) -> None:
    kind, detail = outcome
    assert kind in ("ok", "CrmError"), detail
    if kind == "CrmError":
        assert detail and all(": " in p and "internal error" not in p for p in detail), detail


def damaged(data: bytes, where: int, what: bytes, cut: int | None) -> bytes:
    """``data`` with ``what`` written at ``where`` (modulo its length), then cut at ``cut``."""
    out = bytearray(data)
    at = where % len(out)
    out[at : at + len(what)] = what
    if cut is not None:
        del out[cut % len(out) :]
    return bytes(out)


DAMAGE = dict(
    where=st.integers(0, 100_000),
    what=st.one_of(
        st.binary(min_size=1, max_size=16),
        st.sampled_from([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\xfe\xff\xff\x7f"]),
    ),
    cut=st.one_of(st.none(), st.integers(1, 100_000)),
)


# -- .xls -----------------------------------------------------------------------------------


@FUZZ
@given(**DAMAGE)
def test_damaged_xls_is_read_or_refused_clearly(tmp_path_factory, xls_bytes, where, what, cut):
    path = tmp_path_factory.mktemp("xls") / "customers.xls"
    path.write_bytes(damaged(xls_bytes, where, what, cut))
    assert_clear(call_capped(cells, path))


def rk_value(rk: int) -> float:
    """An RkNumber as [MS-XLS] 2.5.217 defines it, worked out from the specification: bit 0
    says "divide by 100", bit 1 "a signed 30-bit integer"; otherwise the upper 30 bits
    are the upper bits of an IEEE double whose low 34 bits are 0."""
    if rk & 2:
        value = float(rk >> 2 if rk < 2**31 else (rk >> 2) - 2**30)
    else:
        value = struct.unpack("<d", struct.pack("<Q", (rk & 0xFFFFFFFC) << 32))[0]
    return value / 100 if rk & 1 else value


def test_rk_value_by_hand():
    assert rk_value(1000 << 2 | 2) == 1000.0
    assert rk_value(12345 << 2 | 3) == 123.45
    assert rk_value(((-7) & 0x3FFFFFFF) << 2 | 2) == -7.0
    assert rk_value(0x3FF00000) == 1.0  # 1.0 is 0x3FF0000000000000
    assert rk_value(0x3FF00001) == 0.01


@FUZZ
@given(rk=st.integers(0, 2**32 - 1))
def test_an_rk_number_reads_as_the_specification_says(tmp_path_factory, xls_bytes, rk):
    """LibreOffice writes the spends 1,000 and 2,000 as RK records (type 0x027E, 10 bytes:
    row, column, format, the RkNumber); the first one's number is replaced."""
    at = xls_bytes.index(b"\x7e\x02\x0a\x00")
    row, col = struct.unpack("<HH", xls_bytes[at + 4 : at + 8])
    assert (row, col) == (1, 2)  # C2, C1's spend
    data = xls_bytes[: at + 10] + struct.pack("<I", rk) + xls_bytes[at + 14 :]
    path = tmp_path_factory.mktemp("xls") / "customers.xls"
    path.write_bytes(data)
    kind, detail = call_capped(cells, path)
    assert kind == "ok", detail
    header, rows = detail
    assert header == HEADER
    want, got = rk_value(rk), rows[0][2]
    assert (math.isnan(want) and math.isnan(got)) or got == want, (hex(rk), got, want)
    assert rows[1] == ["C2", "Beta", 2000]


# -- .ods -----------------------------------------------------------------------------------


@FUZZ
@given(**DAMAGE)
def test_damaged_ods_content_is_read_or_refused_clearly(tmp_path_factory, where, what, cut):
    folder = tmp_path_factory.mktemp("ods")
    xml = damaged(content(ods_rows()), where, what, cut)
    path = ods(folder / "customers.ods", {"content.xml": xml})
    assert_clear(call_capped(cells, path))


@FUZZ
@given(where=st.integers(0, 100_000), what=DAMAGE["what"], cut=DAMAGE["cut"])
def test_damaged_ods_package_is_read_or_refused_clearly(tmp_path_factory, where, what, cut):
    folder = tmp_path_factory.mktemp("ods")
    sound = ods(folder / "sound.ods", {"content.xml": content(ods_rows())}).read_bytes()
    path = folder / "customers.ods"
    path.write_bytes(damaged(sound, where, what, cut))
    assert_clear(call_capped(cells, path))


names = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "S"], exclude_characters="\x7f"),
    min_size=1,
    max_size=12,
)
spends = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False)


@FUZZ
@given(st.lists(st.tuples(names, spends), min_size=1, max_size=5))
def test_ods_values_come_back_as_written(tmp_path_factory, rows):
    """Text in <text:p> and numbers in office:value (ODF 1.2 part 1, 19.385): what a
    hostile tool may write as long as it is well-formed."""
    body = "<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
        for h in HEADER
    )
    body += "</table:table-row>"
    for n, (name, spend) in enumerate(rows, 1):
        body += (
            f'<table:table-row><table:table-cell office:value-type="string"><text:p>C{n}'
            f'</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>'
            f"{escape(name)}</text:p></table:table-cell><table:table-cell office:value-type="
            f'"float" office:value="{spend!r}"><text:p>x</text:p></table:table-cell>'
            "</table:table-row>"
        )
    path = ods(tmp_path_factory.mktemp("ods") / "customers.ods", {"content.xml": content(body)})
    kind, detail = call_capped(cells, path)
    assert kind == "ok", detail
    assert detail == (HEADER, [[f"C{n}", name, spend] for n, (name, spend) in enumerate(rows, 1)])
