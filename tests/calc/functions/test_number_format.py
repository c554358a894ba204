"""Excel's number formats as TEXT applies them (crm_xl.calc.functions.number_format)."""

from __future__ import annotations

from crm_xl.calc.functions.number_format import format_value


def test_text_formats():
    assert format_value(0.5, "#.##") == ".5"
    assert format_value(-1234.5, "#,##0.00;(#,##0.00)") == "(1,234.50)"
    assert format_value(1234567, "#,##0,") == "1,235"
    assert format_value(3, "000") == "003"
    assert format_value(45000.75, "h:mm AM/PM") == "6:00 PM"
    assert format_value(45000, "mmm d, yyyy") == "Mar 15, 2023"
    assert format_value(1.5, "[h]:mm") == "36:00"
    assert format_value("abc", "0.00") == "abc"
