"""Importing a user's customer list: what went where, what was left out, said every time."""

from __future__ import annotations

import openpyxl
import pytest

from crm_xl.cli import main
from crm_xl.errors import CrmError
from crm_xl.workbook.customers import import_customers, parse_mapping

# a team's own export: two columns by their Chinese labels, four under names of their own
OWN_HEADERS = (
    "客户编号,客户名称,片区,来源,年消费金额,末次购买间隔,打分,备注\n"
    "K1,华东一号,华东,直销,120000,30,4,老客户\n"
    "K2,华北二号,华北,经销,45000,200,2,\n"
)


def test_columns_it_cannot_place_are_listed_not_dropped(write_csv):
    imp = import_customers(write_csv(OWN_HEADERS))
    assert imp.columns == {
        "客户编号": "customer_id",
        "客户名称": "name",
        "年消费金额": "annual_spend",
    }
    assert imp.unused == ["片区", "来源", "末次购买间隔", "打分", "备注"]
    # what the built-in model scores or the RFM segment takes, left blank (region and
    # channel are carried, not scored: no loss)
    assert imp.blank_fields == [
        "orders",
        "days_since_purchase",
        "interactions",
        "satisfaction",
        "complaint_hours",
        "campaigns",
    ]
    warnings = [line.text for line in imp.report() if line.warning]
    assert warnings[0] == (
        "columns not used: 片区, 来源, 末次购买间隔, 打分, 备注 (map one with --map '片区=FIELD')"
    )


def test_an_explicit_mapping_places_them(write_csv):
    mapping = parse_mapping(
        [
            "片区=region",
            "来源=channel",
            "末次购买间隔=days_since_purchase",
            "打分=Satisfaction (1-5)",
        ]
    )
    imp = import_customers(write_csv(OWN_HEADERS), mapping=mapping)
    assert imp.unused == ["备注"]
    first, second = (c.values for c in imp.customers)
    assert (
        first["region"],
        first["channel"],
        first["days_since_purchase"],
        first["satisfaction"],
    ) == (
        "华东",
        "直销",
        30,
        4,
    )
    assert second["satisfaction"] == 2 and second["annual_spend"] == 45000


def test_a_mapping_file(write_csv, tmp_path):
    pairs = write_csv("source,field\n片区,region\n打分,满意度(1-5)\n", name="map.csv")
    assert parse_mapping([str(pairs)]) == {"片区": "region", "打分": "satisfaction"}


def test_a_mapping_to_no_field_is_refused():
    with pytest.raises(CrmError) as err:
        parse_mapping(["片区=zone_x", "nonsense"])
    messages = [str(p) for p in err.value.problems]
    assert messages[0].startswith(
        "--map 片区=zone_x: no field 'zone_x'; the fields are: customer_id, name,"
    )
    assert messages[1] == "--map nonsense: write SOURCE=FIELD, or give a mapping file"


def test_duplicate_customer_ids_are_flagged_with_their_lines(write_csv):
    csv = write_csv("customer_id,name\nK1,a\nK2,b\nK1,c\n")
    imp = import_customers(csv)
    # places within the file: crm-xl new prints "warning: FILE: " before the line, once
    assert imp.duplicates == {
        "K1": ["line 2, column 'customer_id'", "line 4, column 'customer_id'"]
    }
    assert [line.text for line in imp.report() if line.text.startswith("customer ID")] == [
        "customer ID K1 appears more than once: line 2, column 'customer_id'; "
        "line 4, column 'customer_id'"
    ]


def test_a_table_without_customer_id_or_name_is_refused(write_csv):
    with pytest.raises(CrmError) as err:
        import_customers(write_csv("联系人,金额\nA,1\n"))
    assert "needs a customer_id (客户编号) or name (客户名称) column" in str(err.value)
    assert "--map 'HEADER=customer_id'" in str(err.value)


def test_two_columns_for_one_field_are_refused(write_csv):
    with pytest.raises(CrmError) as err:
        import_customers(write_csv("name,客户名称\nA,B\n"))
    assert "columns 'name', '客户名称' all go to the field name" in str(err.value)


def test_new_says_what_the_import_did(write_csv, tmp_path, capsys):
    csv = write_csv(OWN_HEADERS)
    book = tmp_path / "book.xlsx"
    args = ["new", str(book), "--period", "2026-Q4", "--lang", "en", "--customers", str(csv)]
    assert main([*args, "--map", "片区=region", "--map", "打分=satisfaction"]) == 0
    out, err = capsys.readouterr()
    assert f"{csv}: columns used: 客户编号 → customer_id, 客户名称 → name, 片区 → region, " in out
    assert f"warning: {csv}: columns not used: 来源, 末次购买间隔, 备注" in err
    ws = openpyxl.load_workbook(book)["Ratings 2026-Q4"]
    headers = [c.value for c in ws[3]]
    row = {h: c.value for h, c in zip(headers, ws[4], strict=False)}
    assert (row["Region"], row["Satisfaction (1-5)"], row["Annual spend"]) == ("华东", 4, 120000)


def test_map_without_customers_is_refused(tmp_path, capsys):
    assert main(["new", str(tmp_path / "b.xlsx"), "--period", "2026-Q4", "--map", "a=region"]) == 1
    assert "--map maps the columns of a --customers table" in capsys.readouterr().err


def test_the_usual_headers_of_users_own_tables_are_matched_and_said(tmp_path):
    """A CRM export's own headers, units in brackets: each goes to its field, and the
    import says so column by column; a column with no field stays a warning."""
    from crm_xl.workbook.customers import import_customers

    table = tmp_path / "export.csv"
    table.write_text(
        "客户ID,公司名称,所属区域,销售渠道,全年消费(元),订单数,最近购买天数,满意度,续约率\n"
        "K1,甲公司,华东,直销,120000,12,30,4,95%\n",
        encoding="utf-8",
    )
    done = import_customers(table)
    assert done.columns == {
        "客户ID": "customer_id",
        "公司名称": "name",
        "所属区域": "region",
        "销售渠道": "channel",
        "全年消费(元)": "annual_spend",
        "订单数": "orders",
        "最近购买天数": "days_since_purchase",
        "满意度": "satisfaction",
    }
    assert done.unused == ["续约率"]
    values = done.customers[0].values
    assert (values["customer_id"], values["annual_spend"], values["satisfaction"]) == (
        "K1",
        120000,
        4,
    )


def test_a_mapping_source_that_is_no_column_is_refused_in_the_book_language(write_csv, tmp_path):
    csv = write_csv(OWN_HEADERS)
    with pytest.raises(CrmError) as err:
        import_customers(csv, mapping={"区域": "region"})
    assert "--map 区域=region: the table has no column '区域'; its columns are: 客户编号," in str(
        err.value
    )
    with pytest.raises(CrmError) as err:
        import_customers(csv, mapping={"区域": "region"}, lang="zh")
    assert "--map 区域=region:表格中没有“区域”列" in str(err.value)
    with pytest.raises(CrmError) as err:
        import_customers(write_csv("联系人,金额\nA,1\n"), lang="zh")
    assert "表格需要客户编号(customer_id)或客户名称(name)列" in str(err.value)


def test_a_mapping_source_matches_its_header_with_or_without_the_unit(write_csv):
    csv = write_csv("客户编号,采购额(元)\nK1,5000\n")
    imp = import_customers(csv, mapping={"采购额": "annual_spend"})
    assert imp.customers[0].values["annual_spend"] == 5000


def test_numeric_customer_ids_stay_as_typed(tmp_path):
    # an Excel column of IDs typed as numbers is read as floats (10001.0): the workbook
    # shows 10001, as the user typed it; a text ID with leading zeros stays as it is
    path = tmp_path / "ids.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["客户编号", "客户名称"])
    wb.active.append([10001, "甲"])
    wb.active.append(["00123", "乙"])
    wb.save(path)
    imp = import_customers(path)
    assert [c.values["customer_id"] for c in imp.customers] == ["10001", "00123"]


def test_the_models_own_labels_name_its_fields_and_only_its_fields_are_reported_blank(write_csv):
    from crm_xl.core.scorecard import parse_scorecard

    card = parse_scorecard(
        {
            "dimensions": [{"id": "v", "label_en": "V", "weight": 100}],
            "indicators": [
                {"id": "spend", "column": "annual_spend", "label_zh": "签约金额", "dimension": "v",
                 "weight": 50, "floor": 0, "target": 10},
                {"id": "sat", "column": "satisfaction", "label_en": "Sat", "dimension": "v", "weight": 50, "scale": "form"},
            ],
            "tiers": {"by": "score", "thresholds": [50], "labels": ["A", "B"]},
        }
    )  # fmt: skip
    csv = write_csv("客户编号,签约金额(万元),满意度\nK1,8,4\n")
    imp = import_customers(csv, card=card)
    assert imp.columns == {
        "客户编号": "customer_id",
        "签约金额(万元)": "annual_spend",
        "满意度": "satisfaction",
    }
    # interactions, complaint hours and campaigns are no part of this model: not reported;
    # the name is (an identity field), and the RFM segment's recency and frequency
    assert imp.blank_fields == ["name", "orders", "days_since_purchase"]
