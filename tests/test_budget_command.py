"""manage.py budget: a participatory budgeting round counted from files, with
the app's own counting code (voting/equal_shares.py); every bad row reported
with its file and line, and no result."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SAMPLE = Path(__file__).parent / "data" / "roster-sample.csv"

pytestmark = pytest.mark.usefixtures("english")


def write(tmp_path, name, rows):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return str(path)


@pytest.fixture
def example(tmp_path):
    """equalshares.net's example file (How to compute the results?)."""
    projects = write(
        tmp_path,
        "projects.csv",
        [["id", "name", "cost"], ["1", "Project 1", "5000"], ["2", "Project 2", "10000"], ["3", "Project 3", "85000"]],
    )
    ballots = write(
        tmp_path, "ballots.csv", [["voter", "approved"], ["v1", "1;2"], ["v2", "1"], ["v3", "3"], ["v4", "1;2;3"]]
    )
    return projects, ballots


def run_json(*args):
    out = io.StringIO()
    call_command("budget", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_the_example_with_and_without_completion(example):
    projects, ballots = example
    bare = run_json("--projects", projects, "--ballots", ballots, "--budget", "100000", "--completion", "none")
    assert bare["rule"] == "equal-shares"
    assert bare["funded"] == ["1", "2"] and bare["spent"] == "15000.00"
    p1 = next(p for p in bare["projects"] if p["id"] == "1")
    assert p1["paid_exact"] == {"v1": "5000/3", "v2": "5000/3", "v4": "5000/3"}
    assert p1["paid"]["v1"] == "1666.67"
    p3 = next(p for p in bare["projects"] if p["id"] == "3")
    assert p3["reason"] == "shares-too-small" and p3["available"] == "43333.33" and p3["short_by"] == "41666.67"
    assert bare["greedy"] == {"funded": ["1", "2", "3"], "spent": "100000.00"}
    full = run_json("--projects", projects, "--ballots", ballots, "--budget", "100000")
    assert full["funded"] == ["1", "2", "3"] and full["spent"] == "100000.00"
    assert full["completion_steps"] == 20834
    greedy = run_json("--projects", projects, "--ballots", ballots, "--budget", "100000", "--rule", "greedy")
    assert greedy["rule"] == "greedy" and greedy["funded"] == ["1", "2", "3"] and "greedy" not in greedy


def test_the_report_explains_the_result(example, capsys):
    projects, ballots = example
    call_command("budget", "--projects", projects, "--ballots", ballots, "--budget", "100000", "--completion", "none")
    out = capsys.readouterr().out
    assert "15000.00" in out and "85000.00" in out
    assert "41666.67" in out  # how short project 3's supporters were


def test_votes_by_household_with_area_shares(tmp_path):
    with SAMPLE.open(encoding="utf-8", newline="") as file:
        rows = [r for r in csv.DictReader(file) if r["类型"] == "住宅"][:3]
    labels = [r["楼栋"] + r["单元"] + r["室号"] for r in rows]
    areas = [Decimal(r["专有面积"]) for r in rows]
    projects = write(tmp_path, "p.csv", [["id", "name", "cost"], ["MP01", "充电桩", "100.00"]])
    # The first household alone approves MP01: its area share must cover 100.
    budget = "1000.00"
    ballots = write(tmp_path, "b.csv", [["voter", "approved"], [labels[0], "MP01"], [labels[1], ""], [labels[2], ""]])
    result = run_json(
        "--projects", projects, "--ballots", ballots, "--budget", budget, "--shares", "area", "--roster", str(SAMPLE)
    )
    share = Decimal(budget) * areas[0] / sum(areas)
    assert (share >= 100) == (result["funded"] == ["MP01"])
    assert result["funded"] == ["MP01"]  # 60.13 of 248.14 m2: 242.32 yuan
    assert result["projects"][0]["paid"] == {labels[0]: "100.00"}


@pytest.mark.parametrize(
    "projects, ballots, extra, messages",
    [
        (
            [["id", "name", "cost"], ["1", "a", "12.345"], ["1", "b", "5"], ["", "c", "5"], ["2", "d", "-3"]],
            [["voter", "approved"], ["v1", "1"]],
            [],
            [
                "projects, line 2: The cost must be an amount",
                "projects, line 3: Project 1 appears twice",
                "projects, line 4: The project has no id",
                "projects, line 5: The cost must be",
            ],
        ),
        (
            [["id", "name", "cost"], ["1", "a", "10"]],
            [["voter", "approved"], ["v1", "1;9"], ["v1", "1"], ["", "1"]],
            [],
            ["line 2: Unknown projects: 9", "line 3: v1 already has a ballot on line 2", "line 4: The ballot names no"],
        ),
        (
            [["id", "name", "cost"], ["1", "a", "10"]],
            [["voter", "approved"], ["9幢9单元999", "1"]],
            ["--roster", str(SAMPLE)],
            ["line 2: 9幢9单元999 is not in the roster"],
        ),
        ([["id", "cost"], ["1", "10"]], [["voter", "approved"], ["v1", "1"]], [], ["projects, line 1: The file needs"]),
        (
            [["id", "name", "cost"], ["1", "a", "10"]],
            [["voter", "approved"], ["v1", "1"]],
            ["--shares", "area"],
            ["--roster"],
        ),
    ],
)
def test_bad_rows_give_no_result_and_every_problem(tmp_path, projects, ballots, extra, messages, capsys):
    p = write(tmp_path, "p.csv", projects)
    b = write(tmp_path, "b.csv", ballots)
    with pytest.raises(CommandError, match="no result"):
        call_command("budget", "--projects", p, "--ballots", b, "--budget", "100", *extra)
    err = capsys.readouterr().err
    for message in messages:
        assert message in err


def test_a_budget_that_is_not_an_amount_is_refused(example, capsys):
    projects, ballots = example
    with pytest.raises(CommandError):
        call_command("budget", "--projects", projects, "--ballots", ballots, "--budget", "十万")
    assert "amount in yuan" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(example, capsys):
    projects, _ballots = example
    with pytest.raises(CommandError):
        call_command("budget", "--projects", projects, "--ballots", "/nonexistent.csv", "--budget", "10")
    assert "Cannot read /nonexistent.csv" in capsys.readouterr().err
