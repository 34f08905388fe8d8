"""A participatory budget counted over its electorate, and explained
(voting/budget_round.py): who voted, each one's share, who paid what, and
why a project was not funded, with its numbers (issue 17, "Explained")."""

from decimal import Decimal
from fractions import Fraction

import pytest

from compounds.electorate import Unit
from voting import budget_round
from voting.budget_round import AREA, NO_PROJECT, count_round
from voting.equal_shares import Project


def units(*areas):
    return [Unit(f"h{n}", Decimal(area)) for n, area in enumerate(areas, start=1)]


ROOM = units(*["80"] * 8)  # eight households, six of them vote
PROJECTS = [
    Project("A", Fraction(30)),
    Project("B", Fraction(20)),
    Project("C", Fraction(15)),
    Project("D", Fraction(5)),
]
BALLOTS = {"h1": "A,C", "h2": "A", "h3": "A", "h4": "B", "h5": "B", "h6": "C"}


def test_each_voter_starts_with_an_equal_share_and_supporters_pay_equal_amounts():
    """Equal shares: 60 yuan over six voters is 10 each. A (3 supporters, 10
    each) goes first, then B (2 supporters, 10 each); C's supporters have
    only h6's 10 left for its 15: short by 5. Nobody approved D."""
    result = count_round(ROOM, BALLOTS, PROJECTS, Decimal("60")).as_json_dict()
    assert result["kind"] == "budget"
    assert (result["electorate"]["households"], result["participating"]["households"]) == (8, 6)
    assert (result["voters"], result["share"], result["share_exact"]) == (6, "10.00", "10.00")
    assert (result["funded"], result["spent"], result["left"], result["steps"]) == (["A", "B"], "50.00", "10.00", 0)
    rows = {row["option"]: row for row in result["projects"]}
    assert [row["option"] for row in result["projects"]] == ["A", "B", "C", "D"]  # funded first, in order
    assert rows["A"]["paid"] == [{"amount": "10.00", "households": 3}] and rows["A"]["order"] == 1
    assert rows["C"] == {
        "option": "C",
        "cost": "15.00",
        "approvals": 2,
        "funded": False,
        "order": None,
        "greedy_funded": True,
        "reason": "shares-too-small",
        "available": "10.00",
        "short_by": "5.00",
    }
    assert rows["D"]["reason"] == "nobody-approved" and rows["D"]["approvals"] == 0
    # Greedy beside it: most approvals first, A (3), then B and C (2 each: the cheaper first).
    assert result["greedy"]["funded"] == ["A", "C"] and result["greedy"]["skipped"] == {
        "B": {"reason": "does-not-fit", "left": "15.00"}
    }


def test_an_empty_ballot_counts_and_shrinks_every_share():
    """The voters are the households that cast a ballot, an empty one too:
    seven voters share 60, so A's three supporters hold 3 x 60/7 < 30."""
    result = count_round(ROOM, {**BALLOTS, "h7": NO_PROJECT}, PROJECTS, Decimal("60"))
    explained = result.as_json_dict()
    assert explained["voters"] == 7 and explained["share_exact"] == "60/7" and explained["share"] == "8.57"
    assert result.share_of("h7") == Fraction(60, 7) and result.paid_by("h7") == {}
    assert result.share_of("h8") is None  # did not vote


def test_with_area_shares_each_share_follows_exclusive_area_and_add1_completes():
    """Area shares: 100 yuan over 60 m² and 40 m² is 60 and 40. X (50, h1's
    alone) is funded; Y (50, h2's alone) needs h2's share raised: one yuan a
    voter per step is 2/100 yuan per m², 13 steps to 1.26 per m² (h2: 50.40)."""
    x_and_y = [Project("X", Fraction(50)), Project("Y", Fraction(50))]
    result = count_round(units("60", "40", "0"), {"h1": "X", "h2": "Y", "h3": "Y"}, x_and_y, Decimal("100"), AREA)
    explained = result.as_json_dict()
    assert explained["share_basis"] == "area" and explained["share"] == "1.00"  # per m²
    assert explained["voters_area"] == "100.00" and explained["voters"] == 2
    assert explained["without_area"] == 1  # h3 holds no area, so no share
    assert (explained["funded"], explained["steps"], explained["virtual_share"]) == (["X", "Y"], 13, "1.26")
    assert result.share_of("h1") == 60 and result.paid_by("h2") == {"Y": Fraction(50)}


def test_a_ballot_outside_the_electorate_or_naming_unknown_projects_is_refused():
    with pytest.raises(budget_round.RoundError, match="outside the electorate"):
        count_round(ROOM, {"h99": "A"}, PROJECTS, Decimal("60"))
    with pytest.raises(budget_round.RoundError, match="unknown options"):
        count_round(ROOM, {"h1": "A,Z"}, PROJECTS, Decimal("60"))
    with pytest.raises(budget_round.RoundError, match="share basis"):
        count_round(ROOM, {}, PROJECTS, Decimal("60"), "by-height")


def test_amounts_display_to_the_fen_half_up_and_exactly_otherwise():
    assert budget_round.yuan(Fraction(77000, 6)) == "12833.33"
    assert budget_round.yuan(Fraction(1, 200)) == "0.01"  # half a fen rounds up
    assert budget_round.exact(Fraction(77000, 6)) == "38500/3"
    assert budget_round.exact(Fraction(25, 2)) == "12.50"
    assert budget_round.approved_ids(NO_PROJECT) == frozenset()
    assert budget_round.approved_ids("3,7") == {"3", "7"}
