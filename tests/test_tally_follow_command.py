"""manage.py tally with 随多数 ballots, the silence rule and its floor, on the sample roster.

Expected numbers are computed here from the sample's rows (Decimal sums,
Fraction comparisons), not by voting.tally. 2幢 has 24 single-unit owners and
1,593.49 m²: Art. 278 participation needs 16 owners and 1,062.33 m²
(2/3, inclusive); Zhejiang 2009 Art. 10(2)'s floor more than 12 owners and
796.745 m² for (过半数, strict). MOHURD 指导规则 Art. 26(2): the silence rule
only where the compound's rules adopt it; only served owners count.
"""

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from tests.test_tally_command import BY_LABEL, VOTERS, label, place, run, run_failing, sample_args, summary, write_csv

WORDS = {"for": "同意", "against": "反对", "abstain": "弃权", "follow": "随多数"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rows(building, unit=None, rooms=None):
    return [
        r
        for r in VOTERS
        if r["楼栋"] == building and (unit is None or r["单元"] == unit) and (rooms is None or r["室号"] in rooms)
    ]


def ballots_file(path, choices):
    """A ballots CSV for {choice: rows}."""
    lines = [(*place(r), WORDS[choice]) for choice, chosen in choices.items() for r in chosen]
    return write_csv(path, lines)


def served_file(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def area(chosen):
    return sum((Decimal(r["专有面积"]) for r in chosen), Decimal("0"))


def art278_ordinary(electorate, taking_part, in_favour):
    """(quorum met, passed) written out: >= 2/3 of heads and area take part; > 1/2 of them for (single owners)."""
    quorum = all(
        Fraction(part) >= Fraction(2, 3) * Fraction(whole)
        for part, whole in ((len(taking_part), len(electorate)), (area(taking_part), area(electorate)))
    )
    approval = all(
        Fraction(part) > Fraction(1, 2) * Fraction(whole)
        for part, whole in ((len(in_favour), len(taking_part)), (area(in_favour), area(taking_part)))
    )
    return quorum, quorum and approval


def run_json(*args):
    out, err = run(*args, "--json")
    assert err == ""
    return json.loads(out)


B2 = rows("2幢")
UNIT1, UNIT2 = rows("2幢", "1单元"), rows("2幢", "2单元")


# 随多数 ------------------------------------------------------------------------------------------------------------


def test_follow_ballots_in_a_file_with_follow_majority(tmp_path):
    """随多数 takes part in the strict count (not for, not against) and joins the majority in the other."""
    in_favour, against, follow = UNIT1[:10], UNIT1[10:], UNIT2[:3]
    lines = [(*place(r), "同意") for r in in_favour] + [(*place(r), "反对") for r in against]
    # Every spelling of the box is the same choice.
    lines += [(*place(r), word) for r, word in zip(follow, ("随多数", "跟随多数", " Follow "), strict=True)]
    path = write_csv(tmp_path / "b.csv", lines)
    result = run_json(*sample_args(path, "civil-code-ordinary", "--scope", "2幢", "--follow-majority"))
    taking_part = in_favour + against + follow
    assert result["participating"] == summary(taking_part)
    assert result["for"] == summary(in_favour) and result["against"] == summary(against)
    assert result["follow"] == summary(follow)
    quorum, passed = art278_ordinary(B2, taking_part, in_favour)
    assert (result["quorum_met"], result["passed"]) == (quorum, passed)

    other = result["follow_majority"]
    assert other["majority"] == "for" and other["split_leads"] is False
    assert other["allocated"] == summary(follow)
    assert other["for"] == summary(in_favour + follow) and other["participating"] == result["participating"]
    quorum, passed = art278_ordinary(B2, taking_part, in_favour + follow)
    assert (other["quorum_met"], other["passed"]) == (quorum, passed)
    assert other["outcome"] == ("passed" if passed else "failed" if quorum else "no_valid_decision")
    assert "silence" not in result


def test_follow_ballot_without_follow_majority_is_an_error_on_its_line(tmp_path):
    path = ballots_file(tmp_path / "b.csv", {"for": UNIT1[:2], "follow": UNIT1[2:4]})
    out, err = run_failing(*sample_args(path, "civil-code-ordinary", "--scope", "2幢", "--json"))
    message = "随多数 (follow the majority) counts only where the compound's rules offer it: if they do, add --follow-majority."
    assert f"line 4: {message}" in err.splitlines() and f"line 5: {message}" in err.splitlines()
    assert [e["line"] for e in json.loads(out)["errors"]] == [4, 5]


# The silence rule ------------------------------------------------------------------------------------------------


def silence_case(tmp_path):
    """10 for, 2 against, 1 abstains: 13 of 24 owners take part, no valid decision. Four owners of
    2单元 were served and did not vote; a voter and a household of 3幢 (outside the vote) are listed too."""
    in_favour, against, abstain = UNIT1[:10], UNIT1[10:], UNIT2[:1]
    silent = UNIT2[1:5]
    ballots = ballots_file(tmp_path / "b.csv", {"for": in_favour, "against": against, "abstain": abstain})
    written = ["2栋2单元102室", " 2幢 2单元201 ", "", "第2幢2单元202", "2幢2单元301", label(UNIT1[0]), "3幢1单元101"]
    assert [label(r) for r in silent] == ["2幢2单元102", "2幢2单元201", "2幢2单元202", "2幢2单元301"]
    return ballots, served_file(tmp_path / "served.txt", written), (in_favour, against, abstain, silent)


def test_silence_rule_counts_served_silent_owners_with_the_majority(tmp_path):
    ballots, served, (in_favour, against, abstain, silent) = silence_case(tmp_path)
    args = sample_args(ballots, "civil-code-ordinary", "--scope", "2幢", "--silence-rule", "--served", str(served))
    result = run_json(*args)
    assert result["outcome"] == "no_valid_decision" and result["participating"]["heads"] == 13
    silence = result["silence"]
    assert silence["majority"] == "for" and silence["allocated"] == summary(silent)
    taking_part = in_favour + against + abstain + silent
    assert silence["participating"] == summary(taking_part)
    assert silence["for"] == summary(in_favour + silent) and silence["against"] == summary(against)
    assert art278_ordinary(B2, taking_part, in_favour + silent) == (True, True)
    assert silence["outcome"] == "passed" and "floor" not in silence
    assert "follow_majority" not in result  # no 随多数 ballot

    out, err = run(*args)
    assert err == ""
    lines = out.splitlines()
    assert "Result: NOT PASSED (no valid decision)" in lines
    assert "With the silence rule (owners served a ballot who did not vote counted for the majority)" in lines
    assert f"Added to for: 4 households, 4 owners, {area(silent):,} m²" in lines
    assert lines[-3:] == [
        "Outcomes side by side:",
        "  strict count: no valid decision",
        "  with the silence rule: passed",
    ]


def test_majority_floor_fails_an_enlarged_majority_of_exactly_half_the_owners(tmp_path):
    """Zhejiang 2009 Art. 10(2): 12 of 24 owners for is not more than half; 708.90 of 1,593.49 m² neither."""
    in_favour, against, abstain, silent = UNIT1[:8], UNIT1[8:10], UNIT1[10:] + UNIT2[:2], UNIT2[2:6]
    ballots = ballots_file(tmp_path / "b.csv", {"for": in_favour, "against": against, "abstain": abstain})
    served = served_file(tmp_path / "served.txt", [label(r) for r in silent])
    args = sample_args(ballots, "civil-code-ordinary", "--scope", "2幢", "--silence-rule", "--served", str(served))
    taking_part = in_favour + against + abstain + silent
    assert art278_ordinary(B2, taking_part, in_favour + silent) == (True, True)
    assert len(in_favour + silent) == 12 and area(in_favour + silent) == Decimal("708.90")

    assert run_json(*args)["silence"]["outcome"] == "passed"  # without the floor
    result = run_json(*args, "--majority-floor")
    assert result["outcome"] == "no_valid_decision"
    silence = result["silence"]
    assert [(c["name"], c["numerator"], c["denominator"], c["met"]) for c in silence["floor"]] == [
        ("floor_area", "708.90", "1593.49", False),
        ("floor_heads", 12, 24, False),
    ]
    assert silence["passed"] is False and silence["outcome"] == "failed"
    out, _err = run(*args, "--majority-floor")
    assert "  with the silence rule: failed" in out.splitlines()


def test_one_served_unit_brings_an_owners_whole_holding_and_the_developers_units(tmp_path):
    """SPC Art. 8-9: 周建国 (3 units) and the developer's 3 unsold units are one head each, served on one unit."""
    zhou = [BY_LABEL[x] for x in ("1幢1单元302", "4幢1单元302", "7幢1单元401")]
    developer = [BY_LABEL[x] for x in ("10幢2单元201", "10幢2单元402", "10幢2单元602")]
    ballots = ballots_file(tmp_path / "b.csv", {"for": rows("2幢"), "against": rows("3幢", "1单元")})
    served = served_file(tmp_path / "served.txt", ["4幢1单元302", "10幢2单元402"])
    result = run_json(*sample_args(ballots, "civil-code-ordinary", "--silence-rule", "--served", str(served)))
    allocated = result["silence"]["allocated"]
    assert allocated == summary(zhou + developer) and allocated["heads"] == 2 and allocated["households"] == 6


def test_a_voters_other_units_are_not_silent(tmp_path):
    """SPC Art. 9: 周建国 voted on 1幢1单元302; his served 4幢 unit is covered by that vote, not silent."""
    ballots = ballots_file(tmp_path / "b.csv", {"for": rows("2幢") + [BY_LABEL["1幢1单元302"]]})
    served = served_file(tmp_path / "served.txt", ["4幢1单元302"])
    result = run_json(*sample_args(ballots, "civil-code-ordinary", "--silence-rule", "--served", str(served)))
    assert result["silence"]["allocated"] == {"households": 0, "heads": 0, "area": "0.00"}


def test_bad_served_lines_are_reported_with_their_lines_and_no_result(tmp_path):
    ballots = ballots_file(tmp_path / "b.csv", {"for": UNIT1[:3]})
    served = served_file(tmp_path / "served.txt", ["2幢1单元101", "2幢9单元101", "地下车库车位001", "", "花园"])
    args = sample_args(ballots, "civil-code-ordinary", "--silence-rule", "--served", str(served))
    out, err = run_failing(*args)
    assert out == ""
    lines = err.splitlines()
    assert "served list, line 2: Household 2幢9单元101 is not on the roster." in lines
    assert "served list, line 3: 地下车库车位001 is a parking space; parking spaces do not vote." in lines
    assert "served list, line 5: Household 花园 is not on the roster." in lines
    out, _err = run_failing(*args, "--json")
    errors = json.loads(out)["errors"]
    assert [(e["file"], e["line"]) for e in errors] == [("served", 2), ("served", 3), ("served", 5)]


def test_served_list_not_utf8_is_an_error(tmp_path):
    ballots = ballots_file(tmp_path / "b.csv", {"for": UNIT1[:3]})
    served = tmp_path / "served.txt"
    served.write_bytes("2幢1单元101\n".encode("gbk"))
    _out, err = run_failing(*sample_args(ballots, "civil-code-ordinary", "--silence-rule", "--served", str(served)))
    assert "served.txt is not UTF-8 text." in err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--silence-rule"], "--silence-rule needs --served FILE: the households whose ballot was served."),
        (["--served", "served.txt"], "--served is read only with --silence-rule."),
        (["--majority-floor"], "--majority-floor applies only with --silence-rule."),
    ],
)
def test_silence_options_go_together(tmp_path, extra, message):
    ballots = ballots_file(tmp_path / "b.csv", {"for": UNIT1[:3]})
    served_file(tmp_path / "served.txt", [label(UNIT1[0])])
    extra = [str(tmp_path / e) if e == "served.txt" else e for e in extra]
    out, err = run_failing(*sample_args(ballots, "civil-code-ordinary", *extra), "--json")
    assert message in err.splitlines()
    assert json.loads(out)["errors"] == [{"line": None, "message": message}]


def test_json_of_every_count_has_the_strict_keys(tmp_path):
    in_favour, against, follow, silent = UNIT1[:8], UNIT1[8:10], UNIT1[10:], UNIT2[:3]
    ballots = ballots_file(tmp_path / "b.csv", {"for": in_favour, "against": against, "follow": follow})
    served = served_file(tmp_path / "served.txt", [label(r) for r in silent])
    result = run_json(
        *sample_args(ballots, "civil-code-ordinary", "--scope", "2幢", "--follow-majority"),
        *("--silence-rule", "--served", str(served), "--majority-floor"),
    )
    strict = set(result) - {"follow_majority", "silence"}
    assert {"rule", "electorate", "participating", "for", "against", "abstain", "follow", "outcome"} <= strict
    assert set(result["follow_majority"]) == strict | {"majority", "split_leads", "allocated"}
    assert set(result["silence"]) == strict | {"majority", "split_leads", "allocated", "floor"}
    assert result["silence"]["for"] == summary(in_favour + follow + silent)
    assert result["silence"]["allocated"] == summary(silent)  # the 随多数 owners are follow_majority's
