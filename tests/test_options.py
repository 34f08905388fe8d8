"""Choosing among micro-projects (voting/options.py): one choice or approval."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compounds.electorate import Unit
from voting.options import OptionsError, count_options

UNITS = [Unit(str(i), Decimal("80.00"), owner_key=f"o{i}") for i in range(10)]
# SPC interpretation Art. 9: one owner of units 8 and 9 counts once.
UNITS[9] = Unit("9", Decimal("60.50"), owner_key="o8")


def test_one_choice_ranks_by_households_and_reports_heads_and_area():
    result = count_options(
        UNITS,
        {"0": ["bikes"], "1": ["bikes"], "2": ["garden"], "8": ["garden"], "9": ["garden"]},
        ["bikes", "garden", "chargers"],
        approval=False,
    )
    ranks = {o.option: (o.rank, o.support.households, o.support.heads, o.support.area) for o in result.options}
    assert ranks == {
        "garden": (1, 3, 2, Decimal("220.50")),
        "bikes": (2, 2, 2, Decimal("160.00")),
        "chargers": (3, 0, 0, Decimal("0")),
    }
    assert result.winners == ("garden",)
    assert result.participating.households == 5 and result.participating.heads == 4


def test_approval_counts_every_option_a_household_approves():
    result = count_options(UNITS, {"0": ["bikes", "garden"], "1": ["garden"]}, ["bikes", "garden"], approval=True)
    assert [(o.option, o.support.households) for o in result.options] == [("garden", 2), ("bikes", 1)]


def test_an_exact_tie_shares_the_first_rank():
    result = count_options(UNITS, {"0": ["a"], "1": ["b"]}, ["a", "b"], approval=False)
    assert result.winners == () and result.tied == ("a", "b") and {o.rank for o in result.options} == {1}


def test_equal_households_are_a_tie_even_when_heads_and_area_differ():
    """Issue 10: three options with 2 households each are a tie (并列), not
    ranked by area unless the poll chose that tie-break before it opened."""
    ballots = {"0": ["a"], "1": ["a"], "2": ["b"], "3": ["b"], "8": ["c"], "9": ["c"]}
    result = count_options(UNITS, ballots, ["a", "b", "c"], approval=False)
    assert result.winners == () and result.tied == ("a", "b", "c") and result.places_tied == 1
    assert result.as_json_dict()["tied"] == ["a", "b", "c"]


def test_the_heads_then_area_tie_break_uses_the_figures_it_prints():
    """With the tie-break chosen: owner heads first (c has one owner of two
    units: SPC Art. 9), then exclusive area; c ranks last."""
    ballots = {"0": ["a"], "1": ["a"], "2": ["b"], "3": ["b"], "8": ["c"], "9": ["c"]}
    result = count_options(UNITS, ballots, ["a", "b", "c"], approval=False, tie_break="heads-area")
    # a and b are equal on households, heads (2) and area (160.00): still tied.
    assert result.tied == ("a", "b") and result.winners == ()
    assert [(o.option, o.rank) for o in result.options] == [("a", 1), ("b", 1), ("c", 3)]
    assert result.broken_ties == (("a", "b", "c"),)


def test_several_seats_a_tie_only_when_it_straddles_the_last_place():
    ballots = {"0": ["a", "b", "c"], "1": ["a", "b"], "2": ["a", "c"], "3": ["d"]}
    # a 3, b 2, c 2, d 1
    two = count_options(UNITS, ballots, list("abcd"), approval=True, seats=2)
    assert two.winners == ("a",) and two.tied == ("b", "c") and two.places_tied == 1
    three = count_options(UNITS, ballots, list("abcd"), approval=True, seats=3)
    assert three.winners == ("a", "b", "c") and three.tied == ()
    one = count_options(UNITS, ballots, list("abcd"), approval=True, seats=1)
    assert one.winners == ("a",) and one.tied == ()


def test_an_option_nobody_supported_never_wins():
    result = count_options(UNITS, {"0": ["a"]}, ["a", "b", "c"], approval=True, seats=3)
    assert result.winners == ("a",) and result.tied == ()


@pytest.mark.parametrize(
    "ballots,approval",
    [
        ({"0": ["a", "b"]}, False),  # two choices in a one-choice poll
        ({"0": ["zzz"]}, True),  # unknown option
        ({"0": []}, True),  # empty ballot
        ({"0": ["a", "a"]}, True),  # the same option twice
        ({"99": ["a"]}, False),  # outside the electorate
    ],
)
def test_malformed_ballots_are_refused(ballots, approval):
    with pytest.raises(OptionsError):
        count_options(UNITS, ballots, ["a", "b"], approval=approval)


@given(st.dictionaries(st.sampled_from([u.key for u in UNITS]), st.sets(st.sampled_from("abc"), min_size=1)))
def test_results_do_not_depend_on_ballot_order(ballots):
    ballots = {k: sorted(v) for k, v in ballots.items()}
    forward = count_options(UNITS, ballots, list("abc"), approval=True)
    backward = count_options(UNITS, dict(reversed(list(ballots.items()))), list("abc"), approval=True)
    assert forward == backward
