"""Roster import (compounds.roster_import) and owner identity (compounds.identity)."""

import csv
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from compounds.actions import import_roster
from compounds.identity import owner_key
from compounds.models import Building, BuildingUnit, Compound, Household
from compounds.roster_import import (
    RosterError,
    compound_summary,
    file_summary,
    parse_roster,
    read_table,
    validate,
)

SAMPLE_PATH = Path(__file__).parent / "data" / "roster-sample.csv"
SAMPLE = SAMPLE_PATH.read_bytes()
HEADER = "楼栋,单元,室号,类型,专有面积,面积来源,业主姓名,证件号后六位,联系电话,备注"
NAME = "青梧苑"


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English whatever the .po files say.
    with translation.override("en"):
        yield


def sample_records():
    return list(csv.DictReader(io.StringIO(SAMPLE.decode("utf-8"))))


def expected_voting_area():
    return sum((Decimal(r["专有面积"]) for r in sample_records() if r["类型"] != "车位"), Decimal("0"))


def csv_bytes(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def parse(data, filename="roster.csv"):
    return validate(read_table(data, filename))


def errors_of(data, filename="roster.csv"):
    with pytest.raises(RosterError) as raised:
        import_roster(NAME, data, filename)
    return [(error.line, error.message) for error in raised.value.errors]


def snapshot():
    """Every roster row in the database, to compare before and after."""
    return (
        sorted(Compound.objects.values_list()),
        sorted(Building.objects.values_list()),
        sorted(BuildingUnit.objects.values_list()),
        sorted(Household.objects.values_list()),
    )


def without_line(data, text):
    lines = data.decode("utf-8").splitlines()
    assert any(text in line for line in lines)
    return ("\n".join(line for line in lines if text not in line) + "\n").encode("utf-8")


# Identity ------------------------------------------------------------------


def test_owner_key_ignores_co_owner_order_and_separators():
    key = owner_key("孙建静、钟轩", "252353")
    assert key == owner_key("钟轩,孙建静", "252353") == owner_key(" 钟轩 / 孙建静 ", " 252353 ")
    assert len(key) == 64


def test_owner_key_needs_names_and_tail_to_match():
    key = owner_key("钱怡平", "755684")
    assert key != owner_key("钱怡平", "806603")  # namesakes
    assert key != owner_key("钱怡军", "755684")  # tail collision
    assert owner_key("钱怡平", "") == owner_key("", "755684") == owner_key("", "") == ""
    assert owner_key("x", "12345x") == owner_key("x", "12345X")


def test_owner_key_is_keyed_not_a_plain_hash():
    key = owner_key("周建国", "330105")
    assert key != hashlib.sha256("周建国|330105".encode()).hexdigest()
    with override_settings(OWNER_ID_KEY="another-key"):
        assert owner_key("周建国", "330105") != key


# The sample ----------------------------------------------------------------


@pytest.mark.django_db
def test_sample_counts():
    report = import_roster(NAME, SAMPLE, "roster-sample.csv")
    summary = report.summary
    assert summary.households == 252
    assert summary.by_kind == {"residence": 240, "shop": 4, "parking": 8}
    assert summary.voting_households == 244
    # 244 minus 2 for 周建国's extra units, minus 2 for the developer's.
    assert summary.owner_heads == 240
    assert summary.voting_area == expected_voting_area()
    assert (report.created, report.updated, report.unchanged, report.retired) == (252, 0, 0, 0)
    compound = Compound.objects.get(name=NAME)
    assert report.compound == compound
    assert compound.households.count() == 252
    assert compound_summary(compound) == summary


@pytest.mark.django_db
def test_sample_owners_and_developer():
    import_roster(NAME, SAMPLE, "roster-sample.csv")
    zhou = Household.objects.filter(owner_names="周建国")
    assert zhou.count() == 3 and len({h.owner_key for h in zhou}) == 1
    qian = Household.objects.filter(owner_names="钱怡平")
    assert qian.count() == 2 and len({h.owner_key for h in qian}) == 2
    developer = Household.objects.filter(developer_unsold=True)
    assert sorted(h.label for h in developer) == ["10幢2单元201", "10幢2单元402", "10幢2单元602"]
    co_owned = Household.objects.get(unit__building__name="1幢", unit__name="1单元", room="102")
    assert co_owned.owner_names == "孙建静、钟轩"
    shop = Household.objects.get(room="商铺1")
    assert (shop.kind, shop.unit.name, shop.unit.building.name) == ("shop", "", "1幢")
    assert Household.objects.get(room="车位004").kind == "parking"
    assert Household.objects.filter(area_source="surveyed").count() == 19


@pytest.mark.django_db
def test_raw_id_tails_are_stored_nowhere():
    import_roster(NAME, SAMPLE, "roster-sample.csv")
    tails = {(r["楼栋"], r["单元"], r["室号"]): r["证件号后六位"] for r in sample_records()}
    for household in Household.objects.select_related("unit__building"):
        tail = tails[(household.unit.building.name, household.unit.name, household.room)]
        values = Household.objects.filter(pk=household.pk).values().get()
        stored = " ".join(str(v) for name, v in values.items() if name != "owner_key")
        assert tail not in stored
        assert household.owner_key == owner_key(household.owner_names, tail)


# Encodings and formats -----------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    data = SAMPLE.decode("utf-8").encode(encoding)
    rows, errors = parse(data)
    assert errors == []
    assert file_summary(rows) == file_summary(parse(SAMPLE)[0])
    assert rows[1].owner_names == "孙建静、钟轩"


def test_crlf_and_tab_separated():
    text = SAMPLE.decode("utf-8")
    rows, errors = parse(text.replace("\n", "\r\n").encode("utf-8"))
    assert errors == [] and len(rows) == 252
    rows, errors = parse(text.replace(",", "\t").encode("utf-8"), "roster.txt")
    assert errors == [] and len(rows) == 252


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numeric_cells():
    data = xlsx_bytes(
        [
            HEADER.split(","),
            ["1幢", "1单元", 101, "住宅", 60.13, "登记", "黎静", 861168, "189****0950", None],
            [None] * 10,  # an empty row: skipped, still counted as a line
            ["1幢", "1单元", 201, "住宅", 95.07, None, "姚涛", 48845, None, None],  # Excel dropped the leading 0
            ["1幢", "1单元", 202, "住宅", 0.1 + 0.2, "实测", "蔡强", "609851", None, None],
            ["1幢", None, "商铺1", "商铺", 88, "合同", "丁凤海", 973510, None, None],
        ]
    )
    rows, errors = parse(data, "名册.xlsx")
    assert errors == []
    assert [row.line for row in rows] == [2, 4, 5, 6]
    assert [row.room for row in rows] == ["101", "201", "202", "商铺1"]
    assert [row.area for row in rows] == [Decimal("60.13"), Decimal("95.07"), Decimal("0.30"), Decimal("88.00")]
    assert rows[1].owner_key == owner_key("姚涛", "048845")
    assert [row.area_source for row in rows] == ["registered", "registered", "surveyed", "contract"]


def test_xlsx_error_lines_count_empty_rows():
    data = xlsx_bytes(
        [HEADER.split(","), ["1幢", "1单元", 101, "住宅", 60], [], [], ["1幢", "1单元", 102, "住宅", "x"]]
    )
    assert [line for line, _message in errors_of(data, "roster.xlsx")] == [5]


def test_xlsx_detected_by_content_not_name():
    data = xlsx_bytes([HEADER.split(","), ["1幢", "1单元", 101, "住宅", 60]])
    rows, errors = parse(data, "roster.csv")
    assert errors == [] and rows[0].room == "101"


def test_sample_as_xlsx_gives_the_same_summary():
    records = list(csv.reader(io.StringIO(SAMPLE.decode("utf-8"))))
    rows, errors = parse(xlsx_bytes(records), "roster.xlsx")
    assert errors == []
    assert file_summary(rows) == file_summary(parse(SAMPLE)[0])


def test_english_headers_and_values():
    data = csv_bytes(
        "B1,U1,101,residence,80.5,registered,Li Lei,123456,,",
        "B1,U1,102,Residence,70,Surveyed,Li Lei,123456,,",
        "B1,,S1,shop,120,contract,Han Mei,654321,,",
        "Garage,,P1,parking,12.5,,Li Lei,123456,,",
        "B1,U1,201,residence,90,,Developer Co,DEV001,,Unsold",
        header=" Building ,unit,ROOM,kind,Area,Area Source,owner,ID_tail,phone,note",
    )
    rows, errors = parse(data)
    assert errors == []
    assert [row.kind for row in rows] == ["residence", "residence", "shop", "parking", "residence"]
    assert [row.area_source for row in rows] == ["registered", "surveyed", "contract", "registered", "registered"]
    assert rows[4].developer_unsold and not rows[0].developer_unsold
    summary = file_summary(rows)
    assert (summary.voting_households, summary.owner_heads, summary.voting_area) == (4, 3, Decimal("360.50"))


def test_lenient_headers_and_values():
    data = csv_bytes(
        "１幢,1单元,101,住宅,80.5㎡,,张三,123456,,,是",
        '1幢,1单元,102,住宅," 1,060.50 平方米",不动产登记,李四,123456,,,否',
        header="*楼栋,单元,房号,房屋类型,专有部分面积（㎡）,面积来源,业主,身份证后六位,序号,备注,开发商未售",
    )
    rows, errors = parse(data)
    assert errors == []
    assert [row.building for row in rows] == ["1幢", "1幢"]
    assert [row.area for row in rows] == [Decimal("80.50"), Decimal("1060.50")]
    assert [row.developer_unsold for row in rows] == [True, False]


# Errors --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_row_error_is_reported_with_its_line():
    data = csv_bytes(
        "1幢,1单元,101,住宅,60.00,登记,甲,111111,,",  # 2: fine
        ",1单元,102,住宅,60.00,登记,乙,222222,,",  # 3: no building
        "1幢,1单元,,住宅,60.00,登记,丙,333333,,",  # 4: no room
        "1幢,1单元,101,住宅,61.00,登记,丁,444444,,",  # 5: duplicate of line 2
        "1幢,1单元,201,住宅,,登记,戊,555555,,",  # 6: no area
        "1幢,1单元,202,住宅,六十,登记,己,666666,,",  # 7: not a number
        "1幢,1单元,301,住宅,0,登记,庚,777777,,",  # 8: zero
        "1幢,1单元,302,住宅,-5,登记,辛,888888,,",  # 9: negative
        "1幢,1单元,401,别墅,60.00,登记,壬,999999,,",  # 10: unknown kind
        "1幢,1单元,402,住宅,60.00,估算,癸,000000,,",  # 11: unknown area source
        "1幢,1单元,501,住宅,60.00,登记,子,1234567,,",  # 12: not a 6-character tail
        "1幢,1单元,502,,NaN,登记,丑,,,",  # 13: no kind, and NaN is not a number
    )
    errors = errors_of(data)
    assert [line for line, _message in errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13]
    messages = dict(errors[:-2])
    assert "building" in messages[3]
    assert "room" in messages[4]
    assert "1幢1单元101" in messages[5] and "line 2" in messages[5]
    assert "missing" in messages[6]
    assert "“六十”" in messages[7] and "not a number" in messages[7]
    assert "greater than zero" in messages[8] and "greater than zero" in messages[9]
    assert "“别墅”" in messages[10]
    assert "“估算”" in messages[11]
    assert "ID" in messages[12] and "1234567" not in messages[12]  # never echo ID digits
    last = [message for line, message in errors if line == 13]
    assert "kind" in last[0] and "“NaN”" in last[1]
    assert Compound.objects.count() == 0


def test_missing_header_columns_are_reported_on_line_1():
    rows, errors = parse(csv_bytes("1幢,101", header="楼栋,室号"))
    assert rows == []
    assert [error.line for error in errors] == [1]
    assert "类型" in errors[0].message and "专有面积" in errors[0].message
    assert "楼栋" not in errors[0].message


def test_gross_area_is_not_accepted_as_exclusive_area():
    _rows, errors = parse(csv_bytes("1幢,101,住宅,88", header="楼栋,室号,类型,建筑面积"))
    assert errors[0].line == 1 and "专有面积" in errors[0].message


def test_two_columns_for_one_field():
    _rows, errors = parse(csv_bytes("1幢,101,住宅,88,90", header="楼栋,室号,类型,专有面积,area"))
    assert errors[0].line == 1 and "both" in errors[0].message


@pytest.mark.parametrize(
    "data, filename, expected",
    [
        (b"", "roster.csv", "empty"),
        (b"   \n\n", "roster.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "roster.xls", ".xlsx"),
        (csv_bytes(), "roster.xls", ".xlsx"),  # a CSV or HTML export named .xls
        (b"PK\x03\x04not really a zip", "roster.xlsx", "cannot be read"),
        (b"plain text", "roster.xlsx", "not an Excel workbook"),
        (bytes(range(256)) * 20, "junk.bin", "neither"),
        (HEADER.encode("utf-8") + b"\n", "roster.csv", "no households"),
    ],
)
def test_unreadable_files_are_a_clear_error(data, filename, expected):
    with pytest.raises(RosterError) as raised:
        parse_roster(data, filename)
    assert expected in str(raised.value)


# Writing -------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_row_imports_nothing():
    import_roster(NAME, SAMPLE, "roster.csv")
    before = snapshot()
    changed = SAMPLE.decode("utf-8").replace("1幢,1单元,101,住宅,60.13", "1幢,1单元,101,住宅,99.99")
    bad = changed.replace("1幢,1单元,202,住宅,50.08", "1幢,1单元,202,住宅,abc").encode("utf-8")
    assert [line for line, _m in errors_of(bad)] == [5]
    assert snapshot() == before
    with pytest.raises(RosterError):
        import_roster("新小区", bad, "roster.csv")
    assert not Compound.objects.filter(name="新小区").exists()


@pytest.mark.django_db
def test_reimport_is_a_no_op():
    import_roster(NAME, SAMPLE, "roster.csv")
    before = snapshot()
    report = import_roster(NAME, SAMPLE, "roster.csv")
    assert (report.created, report.updated, report.unchanged, report.retired) == (0, 0, 252, 0)
    assert snapshot() == before


@pytest.mark.django_db
def test_corrected_file_updates_in_place_and_retires_missing_households():
    import_roster(NAME, SAMPLE, "roster.csv")
    first = Household.objects.get(unit__building__name="1幢", unit__name="1单元", room="101")
    gone = Household.objects.get(unit__building__name="1幢", unit__name="1单元", room="102")
    corrected = without_line(SAMPLE, "1幢,1单元,102,").decode("utf-8")
    corrected = corrected.replace("1幢,1单元,101,住宅,60.13,登记", "1幢,1单元,101,住宅,61.20,实测").encode("utf-8")

    report = import_roster(NAME, corrected, "roster.csv")
    assert (report.created, report.updated, report.unchanged, report.retired) == (0, 1, 250, 1)
    first.refresh_from_db()
    assert (first.area, first.area_source) == (Decimal("61.20"), "surveyed")
    gone.refresh_from_db()
    assert gone.is_active is False  # kept, not deleted
    summary = compound_summary(Compound.objects.get(name=NAME))
    assert summary.households == 251 and summary.voting_households == 243
    assert summary.voting_area == expected_voting_area() - Decimal("92.94") + Decimal("1.07")

    # The household comes back with the original file: reactivated, same row.
    report = import_roster(NAME, SAMPLE, "roster.csv")
    assert (report.created, report.updated, report.unchanged, report.retired) == (0, 2, 250, 0)
    gone.refresh_from_db()
    assert gone.is_active is True


@pytest.mark.django_db
def test_dry_run_saves_nothing():
    report = import_roster(NAME, SAMPLE, "roster.csv", dry_run=True)
    assert report.dry_run and report.created == 252 and report.compound is None
    assert Compound.objects.count() == 0 and Household.objects.count() == 0

    import_roster(NAME, SAMPLE, "roster.csv")
    before = snapshot()
    report = import_roster(NAME, without_line(SAMPLE, "车位008"), "roster.csv", dry_run=True)
    assert (report.created, report.updated, report.unchanged, report.retired) == (0, 0, 251, 1)
    assert snapshot() == before


@pytest.mark.django_db
def test_compounds_are_kept_apart():
    import_roster(NAME, SAMPLE, "roster.csv")
    report = import_roster("另一个小区", csv_bytes("1幢,1单元,101,住宅,60.00,登记,甲,111111,,"), "roster.csv")
    assert (report.created, report.retired) == (1, 0)
    assert Compound.objects.get(name=NAME).households.filter(is_active=True).count() == 252


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(st.binary(max_size=1500), st.binary(max_size=1500).map(lambda b: b"PK\x03\x04" + b)),
    st.sampled_from(["roster.csv", "roster.xlsx", "roster.xls", "roster"]),
)
def test_any_bytes_give_rows_or_a_roster_error(data, filename):
    try:
        parse_roster(data, filename)
    except RosterError as error:
        assert error.errors and all(e.line >= 1 and e.message for e in error.errors)
