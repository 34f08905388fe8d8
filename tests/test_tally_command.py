"""manage.py tally: the sample roster, ballots files in every encoding, every error.

Expected numbers are computed here from the sample's rows with Decimal sums,
not by voting.tally. The sample (tests/data/roster-sample.csv): 252 rows, 244
voting households (8 parking spaces left out), 240 owner heads (周建国 owns 3
units; the developer's 3 unsold units count once), 17,237.04 m².
"""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from compounds.actions import import_roster

SAMPLE = Path(__file__).parent / "data" / "roster-sample.csv"
HEADER = ["楼栋", "单元", "室号", "表决"]
CHINESE = {"for": "同意", "against": "反对", "abstain": "弃权"}


def _rows():
    with SAMPLE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


ROWS = _rows()
VOTERS = [r for r in ROWS if r["类型"] != "车位"]


def label(row):
    return row["楼栋"] + row["单元"] + row["室号"]


def head(row):
    """SPC Art. 9, written out independently: the developer once; else names + ID tail."""
    if row["备注"] == "未售":
        return "developer"
    return ("、".join(sorted(row["业主姓名"].split("、"))), row["证件号后六位"])


def summary(rows):
    return {
        "households": len(rows),
        "heads": len({head(r) for r in rows}),
        "area": str(sum((Decimal(r["专有面积"]) for r in rows), Decimal("0"))),
    }


BY_LABEL = {label(r): r for r in ROWS}


def rows_of(labels):
    return [BY_LABEL[text] for text in labels]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def ballot_rows(choices):
    """[(building, unit, room, 同意/反对/弃权)] for {household label: choice}."""
    return [(*place(BY_LABEL[text]), CHINESE[choice]) for text, choice in choices.items()]


def place(row):
    return row["楼栋"], row["单元"], row["室号"]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("tally", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(*args):
    out, err = run(*args, "--json")
    assert err == ""
    return json.loads(out)  # exactly one JSON object


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("tally", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sample_args(ballots, rule="civil-code-ordinary", *extra):
    return ("--roster", str(SAMPLE), "--ballots", str(ballots), "--rule", rule, *extra)


# A passing ordinary vote: everyone but 10幢 takes part; 9幢 against, 8幢 abstains.
PASSING = {
    label(r): "against" if r["楼栋"] == "9幢" else "abstain" if r["楼栋"] == "8幢" else "for"
    for r in VOTERS
    if r["楼栋"] != "10幢"
}


def expected_passing():
    def chose(choice):
        return summary(rows_of(text for text, c in PASSING.items() if c == choice))

    return {
        "rule": "civil-code-ordinary",
        "electorate": summary(VOTERS),
        "participating": summary(rows_of(PASSING)),
        "for": chose("for"),
        "against": chose("against"),
        "abstain": chose("abstain"),
        "quorum_met": True,
        "passed": True,
    }


def assert_matches(result, expected):
    assert {key: result[key] for key in expected} == expected


def test_sample_totals_are_what_the_brief_says():
    assert len(ROWS) == 252
    assert summary(VOTERS) == {"households": 244, "heads": 240, "area": "17237.04"}


def test_art278_ordinary_vote_passes_json(tmp_path):
    ballots = write_csv(tmp_path / "ballots.csv", ballot_rows(PASSING))
    result = run_json(*sample_args(ballots))
    expected = expected_passing()
    assert expected["participating"]["households"] == 220 and expected["participating"]["heads"] == 218
    assert_matches(result, expected)
    assert result["ballots"] == 220
    assert [c["met"] for c in result["conditions"]] == [True, True, True, True]


def test_art278_ordinary_vote_human_report(tmp_path):
    ballots = write_csv(tmp_path / "ballots.csv", ballot_rows(PASSING))
    out, err = run(*sample_args(ballots))
    assert err == ""
    assert "Electorate: 244 households, 240 owners, 17,237.04 m²" in out
    part = Decimal(expected_passing()["participating"]["area"])
    share = (part * 100 / Decimal("17237.04")).quantize(Decimal("0.01"))
    assert f"participation by area: {part:,} / 17,237.04 m² ≈ {share}% ≥ 2/3 ✓" in out
    assert "participation by owners: 218 / 240 ≈ 90.83% ≥ 2/3 ✓" in out
    assert "approval by owners: 170 / 218 ≈ 77.98% > 1/2 ✓" in out
    assert "Quorum met: yes" in out
    assert out.rstrip().endswith("Result: PASSED")


def test_art278_quorum_missed_fails(tmp_path):
    # Five whole buildings without multi-unit owners: 120 of 240 heads, short of 2/3.
    chosen = [r for r in VOTERS if r["楼栋"] in ("2幢", "3幢", "5幢", "6幢", "8幢")]
    ballots = write_csv(tmp_path / "ballots.csv", ballot_rows(dict.fromkeys(map(label, chosen), "for")))
    result = run_json(*sample_args(ballots))
    assert_matches(result, {"participating": summary(chosen), "for": summary(chosen)})
    assert result["participating"]["heads"] == 120
    assert result["quorum_met"] is False and result["passed"] is False
    out, _err = run(*sample_args(ballots))
    assert "participation by owners: 120 / 240 = 50.00% ≥ 2/3 ✗" in out
    assert "Quorum met: no" in out and "Result: NOT PASSED" in out


def test_one_owner_one_vote_covers_all_their_units(tmp_path):
    """SPC Art. 8/9: 周建国 votes once, on 1幢1单元302; his 4幢 and 7幢 units take part with him."""
    zhou = rows_of(["1幢1单元302", "4幢1单元302", "7幢1单元401"])
    others = [r for r in VOTERS if r["楼栋"] == "2幢"]
    ballots = write_csv(
        tmp_path / "b.csv", ballot_rows({"1幢1单元302": "for"} | dict.fromkeys(map(label, others), "against"))
    )
    result = run_json(*sample_args(ballots))
    assert result["for"] == summary(zhou) and result["for"]["heads"] == 1
    assert result["participating"] == summary(zhou + others)
    assert result["ballots"] == 25


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_in_gbk_and_utf8_bom_counts_the_same(tmp_path, encoding):
    ballots = write_csv(tmp_path / "ballots.csv", ballot_rows(PASSING), encoding=encoding)
    assert_matches(run_json(*sample_args(ballots)), expected_passing())


def test_xlsx_ballots_count_the_same(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for building, unit, room, choice in ballot_rows(PASSING):
        sheet.append([building, unit, int(room) if room.isdigit() else room, choice])  # Excel numbers
    workbook.save(tmp_path / "ballots.xlsx")
    assert_matches(run_json(*sample_args(tmp_path / "ballots.xlsx")), expected_passing())


def test_english_headers_and_lenient_choices(tmp_path):
    spellings = {
        "for": [" FOR ", "赞成", "For", "同意"],
        "against": ["Against", " 反对"],
        "abstain": ["ABSTAIN", "弃权 "],
    }
    rows = [
        (*place(BY_LABEL[text]), spellings[choice][i % len(spellings[choice])])
        for i, (text, choice) in enumerate(PASSING.items())
    ]
    ballots = write_csv(tmp_path / "ballots.csv", rows, header=["Building", "unit", "ROOM", "choice"])
    assert_matches(run_json(*sample_args(ballots)), expected_passing())


def test_scope_one_building(tmp_path):
    building = [r for r in VOTERS if r["楼栋"] == "3幢"]
    choices = {
        label(r): "against" if r["单元"] == "2单元" and r["室号"] in ("101", "102", "201") else "for" for r in building
    }
    ballots = write_csv(tmp_path / "b.csv", ballot_rows(choices))
    result = run_json(*sample_args(ballots, "civil-code-ordinary", "--scope", "3幢"))
    assert result["scope"] == "3幢"
    assert result["electorate"] == summary(building) and result["electorate"]["households"] == 24
    assert result["against"] == summary(rows_of(text for text, c in choices.items() if c == "against"))
    assert result["passed"] is True
    # The same scope written differently.
    assert run_json(*sample_args(ballots, "civil-code-ordinary", "--scope", " 3栋 ")) == result


def stairwell_3_2():
    return [r for r in VOTERS if r["楼栋"] == "3幢" and r["单元"] == "2单元"]


@pytest.mark.parametrize("n_against", [1, 3])
def test_hangzhou_elevator_one_building_unit(tmp_path, n_against):
    """Order No. 324: 3幢2单元's 12 households only; Art. 278 special thresholds."""
    rows = stairwell_3_2()
    voters = rows[:10]  # two stay away: 10/12 take part
    choices = {label(r): "against" if i < n_against else "abstain" if i == 9 else "for" for i, r in enumerate(voters)}
    ballots = write_csv(tmp_path / "b.csv", ballot_rows(choices))
    result = run_json(*sample_args(ballots, "elevator", "--scope", "3幢2单元"))
    in_favour = rows_of(text for text, c in choices.items() if c == "for")
    assert result["electorate"] == summary(rows) and result["electorate"]["households"] == 12
    assert result["participating"] == summary(voters) and result["for"] == summary(in_favour)
    part_area, for_area = Decimal(summary(voters)["area"]), Decimal(summary(in_favour)["area"])
    # >= 3/4 of participating area and owners, written as integers.
    expected = 4 * for_area >= 3 * part_area and 4 * len(in_favour) >= 3 * len(voters)
    assert result["quorum_met"] is True
    assert result["passed"] is expected
    assert expected is (n_against == 1)  # 8 of 10 pass; 6 of 10 do not


@pytest.mark.parametrize("scope", [None, "3幢"])
def test_elevator_needs_a_building_unit_scope(tmp_path, scope):
    ballots = write_csv(tmp_path / "b.csv", ballot_rows(dict.fromkeys(map(label, stairwell_3_2()), "for")))
    extra = ("--scope", scope) if scope else ()
    out, err = run_failing(*sample_args(ballots, "elevator", *extra))
    assert "The elevator rule counts one building unit" in err
    assert out == ""


def test_ballot_outside_scope_is_an_error(tmp_path):
    rows = [("3幢", "1单元", "101", "同意"), ("5幢", "1单元", "101", "同意"), ("3幢", "2单元", "101", "反对")]
    ballots = write_csv(tmp_path / "b.csv", rows)
    out, err = run_failing(*sample_args(ballots, "civil-code-ordinary", "--scope", "3幢", "--json"))
    assert "line 3: household 5幢1单元101 is outside scope 3幢" in err.splitlines()
    assert json.loads(out) == {
        "errors": [{"line": 3, "message": "household 5幢1单元101 is outside scope 3幢", "file": "ballots"}]
    }


def test_unknown_scope_is_an_error(tmp_path):
    ballots = write_csv(tmp_path / "b.csv", [("3幢", "1单元", "101", "同意")])
    _out, err = run_failing(*sample_args(ballots, "civil-code-ordinary", "--scope", "11幢"))
    assert "Unknown scope “11幢”" in err


def test_every_ballot_error_is_reported_with_its_line_and_no_result(tmp_path):
    rows = [
        ("3幢", "1单元", "101", "同意"),  # 2: fine
        ("3幢", "9单元", "101", "同意"),  # 3: no such household
        ("地下车库", "", "车位001", "同意"),  # 4: a parking space
        ("3幢", "1单元", "102", "同意"),  # 5: fine
        ("3幢", "1单元", "102", "反对"),  # 6: a second ballot for line 5's household
        ("3幢", "1单元", "201", "也许"),  # 7: no such choice
        ("3幢", "1单元", "202", ""),  # 8: no choice
    ]
    ballots = write_csv(tmp_path / "b.csv", rows)
    out, err = run_failing(*sample_args(ballots))
    assert out == ""  # no result printed
    lines = err.splitlines()
    assert "line 3: Household 3幢9单元101 is not on the roster." in lines
    assert "line 4: 地下车库车位001 is a parking space; parking spaces do not vote." in lines
    assert "line 6: Duplicate ballot: 3幢1单元102 already voted on line 5." in lines
    assert "line 7: Unknown choice “也许”: use 同意 (for), 反对 (against) or 弃权 (abstain)." in lines
    assert "line 8: The choice (表决) is missing: use 同意 (for), 反对 (against) or 弃权 (abstain)." in lines

    out, _err = run_failing(*sample_args(ballots, "civil-code-ordinary", "--json"))
    errors = json.loads(out)["errors"]
    assert [e["line"] for e in errors] == [3, 4, 6, 7, 8]


def test_missing_columns_are_an_error(tmp_path):
    ballots = write_csv(tmp_path / "b.csv", [("3幢", "101")], header=["楼栋", "室号"])
    out, err = run_failing(*sample_args(ballots, "civil-code-ordinary", "--json"))
    assert "line 1: Missing required column(s): 表决 (choice)." in err
    assert json.loads(out)["errors"][0]["line"] == 1


def test_one_owners_units_voting_differently_is_an_error_naming_the_lines(tmp_path):
    rows = [
        ("1幢", "1单元", "302", "同意"),  # 2 周建国
        ("2幢", "1单元", "101", "同意"),  # 3
        ("4幢", "1单元", "302", "反对"),  # 4 周建国
        ("7幢", "1单元", "401", "同意"),  # 5 周建国
    ]
    ballots = write_csv(tmp_path / "b.csv", rows)
    out, err = run_failing(*sample_args(ballots, "civil-code-special", "--json"))
    assert (
        "line 2: These units have one owner, who has one vote, but their ballots differ: "
        "line 2 1幢1单元302 for, line 4 4幢1单元302 against, line 5 7幢1单元401 for."
    ) in err.splitlines()
    (error,) = json.loads(out)["errors"]
    assert error["line"] == 2 and error["lines"] == [2, 4, 5]
    # A council vote is one vote per household: no error there.
    assert run_json(*sample_args(ballots, "simple-majority"))["for"]["households"] == 3


def test_developer_unsold_units_voting_differently_is_an_error(tmp_path):
    rows = [("10幢", "2单元", "201", "同意"), ("10幢", "2单元", "402", "弃权"), ("10幢", "2单元", "602", "同意")]
    ballots = write_csv(tmp_path / "b.csv", rows)
    _out, err = run_failing(*sample_args(ballots))
    assert "line 2: The developer's unsold units are one owner with one vote, but their ballots differ" in err


def test_roster_errors_are_reported_and_nothing_counted(tmp_path):
    roster = write_csv(
        tmp_path / "roster.csv",
        [("1幢", "1单元", "101", "住宅", "abc"), ("1幢", "1单元", "102", "别墅", "80")],
        header=["楼栋", "单元", "室号", "类型", "专有面积"],
    )
    ballots = write_csv(tmp_path / "b.csv", [("1幢", "1单元", "101", "同意")])
    out, err = run_failing("--roster", str(roster), "--ballots", str(ballots), "--rule", "simple-majority")
    assert "roster, line 2: The area “abc” is not a number." in err
    assert "roster, line 3: Unknown kind “别墅”" in err
    assert out == ""


def test_unreadable_ballots_file(tmp_path):
    out, err = run_failing(*sample_args(tmp_path / "missing.csv"))
    assert "Cannot read" in err


def test_header_only_means_nobody_took_part(tmp_path):
    ballots = write_csv(tmp_path / "b.csv", [])
    result = run_json(*sample_args(ballots))
    assert result["participating"] == {"households": 0, "heads": 0, "area": "0.00"}
    assert result["quorum_met"] is False and result["passed"] is False


@pytest.mark.django_db
def test_compound_from_the_database(tmp_path):
    import_roster("青梧苑", SAMPLE.read_bytes(), SAMPLE.name)
    ballots = write_csv(tmp_path / "ballots.csv", ballot_rows(PASSING))
    result = run_json("--compound", "青梧苑", "--ballots", str(ballots), "--rule", "civil-code-ordinary")
    assert_matches(result, expected_passing())
    # Parking spaces are on the roster but never vote.
    parking = write_csv(tmp_path / "p.csv", [("地下车库", "", "车位003", "同意")])
    _out, err = run_failing("--compound", "青梧苑", "--ballots", str(parking), "--rule", "simple-majority")
    assert "line 2: 地下车库车位003 is a parking space" in err


@pytest.mark.django_db
def test_unknown_compound(tmp_path):
    ballots = write_csv(tmp_path / "ballots.csv", [])
    _out, err = run_failing("--compound", "没有这个小区", "--ballots", str(ballots), "--rule", "simple-majority")
    assert "There is no compound named “没有这个小区”." in err


def test_runs_in_the_default_language(tmp_path):
    """The UI is Simplified Chinese by default; the command must run in it."""
    ballots = write_csv(tmp_path / "ballots.csv", ballot_rows(PASSING))
    with translation.override("zh-hans"):
        out, _err = run(*sample_args(ballots))
    assert "✓" in out and "17,237.04" in out
