"""Excel's conversions between value types (crm_xl.calc.conversions)."""

from __future__ import annotations

from crm_xl.calc.conversions import number_text


def test_number_text_follows_excel():
    assert number_text(1e-5) == "0.00001"
    assert number_text(1.2345678901234567e20) == "1.23456789012346E+20"
    assert number_text(1e-19) == "1E-19"
    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(-123456789012345.0) == "-123456789012345"
