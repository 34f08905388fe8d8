"""随多数 (follow the majority), the silence rule and the three outcomes
(voting.tally), each test naming the rule it checks.

MOHURD 业主大会和业主委员会指导规则 (建房〔2009〕274号) Art. 26(2): whether the
votes of owners who did not vote count with the majority is for the compound's
own rules; Zhejiang 2009 Art. 10(2): the floor (more than half of all owners
and of all the area); (2022)沪02民初16号: only ballots actually served; SPC
法释〔2009〕7号 Art. 8 (area) and Art. 9 (heads); Civil Code Art. 278 and
Art. 1259; Urban Residents' Committees Law Art. 10; DOMAIN.md, "Owners who do
not vote" (the majority leads on both area and heads; split leads allocate
nothing; three outcomes: 通过, 未通过, 未产生有效决定).
"""

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compounds.electorate import Summary, head_of, summarize
from voting import labels
from voting.tally import (
    ABSTAIN,
    AGAINST,
    FAILED,
    FOLLOW,
    FOR,
    NO_VALID_DECISION,
    PASSED,
    RULES,
    FollowMajorityNotAllowed,
    OwnerBallotsDisagree,
    PlacedUnit,
    Silence,
    SimpleMajority,
    UnknownChoiceError,
    count,
)

D = Decimal
NOBODY = Summary(households=0, heads=0, area=D("0"))


def unit(key, area="100.00", owner=None, developer=False):
    """A unit of 3幢2单元; its owner defaults to itself (one unit, one owner)."""
    return PlacedUnit(
        key=key,
        area=D(area),
        owner_key=key if owner is None else owner,
        developer_unsold=developer,
        building="3幢",
        building_unit="2单元",
    )


def owners(*areas):
    """One single-unit owner per area: keys o1, o2, ..."""
    return [unit(f"o{i}", area) for i, area in enumerate(areas, start=1)]


def ballots_of(*choices):
    """{o1: choices[0], ...}, None meaning no ballot."""
    return {f"o{i}": choice for i, choice in enumerate(choices, start=1) if choice}


def who(households, heads, area):
    return Summary(households=households, heads=heads, area=D(area))


# 随多数 in the strict tally: taking part, never approving ----------------------------------------------------------

# fmt: off
# Six single-unit owners of 100.00 m²: o1, o2 for, o3 against, o4 随多数.
# (rule, strict outcome, follow-majority outcome)
STRICT_FOLLOW = {
    # Art. 278: 4 of 6 take part (2/3, inclusive); 2 of 4 for is not more than half.
    "art278_ordinary": ("civil-code-ordinary", FAILED, PASSED),
    # Art. 278 special: 2 of 4 is short of 3/4; with 随多数 for, 3 of 4 is 3/4 (inclusive).
    "art278_special": ("civil-code-special", FAILED, PASSED),
    # Residents' meeting Art. 10: 4 of 6 attend; 2 of 4 is not more than half of those present.
    "residents_meeting": ("residents-meeting", FAILED, PASSED),
    # Council: for 2 > against 1 either way; 随多数 takes part but casts no for.
    "council_simple_majority": ("simple-majority", PASSED, PASSED),
}
# fmt: on


@pytest.mark.parametrize("rule, strict_outcome, follow_outcome", STRICT_FOLLOW.values(), ids=STRICT_FOLLOW.keys())
def test_follow_ballot_takes_part_but_approves_only_in_the_follow_majority_count(rule, strict_outcome, follow_outcome):
    """DOMAIN.md: the strict tally counts 随多数 toward participation, in neither for, against nor abstain."""
    units = owners(*["100.00"] * 6)
    result = count(rule, units, ballots_of(FOR, FOR, AGAINST, FOLLOW), follow_majority=True)
    assert result.participating == who(4, 4, "400.00")
    assert (result.in_favour, result.against, result.abstaining) == (
        who(2, 2, "200.00"),
        who(1, 1, "100.00"),
        NOBODY,
    )
    assert result.votes[FOLLOW] == who(1, 1, "100.00")
    assert result.outcome == strict_outcome

    follow = result.follow_majority
    assert follow.majority == FOR and follow.split_leads is False
    assert follow.allocated == who(1, 1, "100.00")
    assert follow.in_favour == who(3, 3, "300.00") and follow.votes[FOLLOW] == NOBODY
    assert follow.participating == result.participating  # nobody new takes part
    assert follow.outcome == follow_outcome


def test_follow_ballots_count_toward_the_art278_quorum():
    """Art. 278 (2/3 of area and owners take part): two 随多数 owners make the quorum that two voters alone miss."""
    units = owners(*["100.00"] * 6)
    result = count("civil-code-ordinary", units, ballots_of(FOR, FOR, FOLLOW, FOLLOW), follow_majority=True)
    assert result.quorum_met and result.outcome == FAILED  # 2 of 4 for: not more than half
    assert result.follow_majority.outcome == PASSED  # 4 of 4
    without = count("civil-code-ordinary", units, ballots_of(FOR, FOR))
    assert without.outcome == NO_VALID_DECISION


def test_no_follow_ballot_means_no_follow_majority_count():
    units = owners("100.00", "100.00", "100.00")
    result = count("civil-code-ordinary", units, ballots_of(FOR, FOR, AGAINST), follow_majority=True)
    assert result.follow_majority is None and result.silence is None
    data = result.as_json_dict()
    assert data["follow"] == {"households": 0, "heads": 0, "area": "0.00"}  # the box was offered
    assert "follow_majority" not in data and "majority" not in data


def test_follow_ballot_refused_where_the_rules_do_not_offer_it():
    """MOHURD Art. 26(2): the compound's rules decide; a 随多数 ballot they do not offer is not counted."""
    units = owners("100.00", "100.00", "100.00")
    with pytest.raises(FollowMajorityNotAllowed) as raised:
        count("civil-code-ordinary", units, ballots_of(FOR, FOLLOW, FOLLOW))
    assert raised.value.keys == ("o2", "o3")
    with pytest.raises(UnknownChoiceError):
        count("civil-code-ordinary", units, ballots_of(FOR, "maybe"), follow_majority=True)


def test_follow_ballot_is_an_owners_one_vote_spc_art9():
    """SPC Art. 9: an owner of several units votes once; 随多数 on one unit covers all, and may not differ."""
    units = [unit("z1", owner="zhou"), unit("z2", owner="zhou"), *owners("100.00", "100.00")]
    result = count("civil-code-ordinary", units, {"z1": FOLLOW, "o1": FOR}, follow_majority=True)
    assert result.votes[FOLLOW] == who(2, 1, "200.00")
    assert result.follow_majority.allocated == who(2, 1, "200.00")
    with pytest.raises(OwnerBallotsDisagree):
        count("civil-code-ordinary", units, {"z1": FOLLOW, "z2": FOR}, follow_majority=True)


# The majority: leading on both area and heads, or nobody is allocated --------------------------------------------

# fmt: off
# (areas of single-unit owners, their choices, expected majority)
MAJORITY = {
    "for_leads_heads_and_area": (["100.00", "100.00", "150.00", "100.00"], [FOR, FOR, AGAINST, FOLLOW], FOR),
    "against_leads_heads_and_area": (["100.00", "100.00", "100.00", "100.00"], [FOR, AGAINST, AGAINST, FOLLOW],
                                     AGAINST),
    "for_leads_heads_against_leads_area": (["50.00", "50.00", "150.00", "100.00"], [FOR, FOR, AGAINST, FOLLOW], None),
    "tie_on_heads": (["120.00", "80.00", "100.00"], [FOR, AGAINST, FOLLOW], None),
    "tie_on_area": (["100.00", "100.00", "200.00", "100.00"], [FOR, FOR, AGAINST, FOLLOW], None),
    # Abstention is no side of the motion: it is never the majority, however many abstain.
    "abstentions_are_not_a_majority": (["100.00"] * 5, [ABSTAIN, ABSTAIN, ABSTAIN, FOR, FOLLOW], FOR),
    "nobody_for_or_against": (["100.00"] * 3, [ABSTAIN, FOLLOW, None], None),
}
# fmt: on


@pytest.mark.parametrize("areas, choices, majority", MAJORITY.values(), ids=MAJORITY.keys())
def test_majority_leads_on_both_area_and_heads_else_nothing_is_allocated(areas, choices, majority):
    """DOMAIN.md (Owners who do not vote): the majority leads on BOTH area and heads; if not, allocate nothing, flag it."""
    result = count("civil-code-ordinary", owners(*areas), ballots_of(*choices), follow_majority=True)
    follow = result.follow_majority
    assert follow.majority == majority
    assert follow.split_leads is (majority is None)
    assert follow.as_json_dict()["split_leads"] is (majority is None)
    if majority is None:
        assert follow.allocated == NOBODY
        # Nothing allocated: the follow-majority count is the strict one.
        assert (follow.participating, follow.votes, follow.conditions, follow.outcome) == (
            result.participating,
            result.votes,
            result.conditions,
            result.outcome,
        )
    else:
        assert follow.votes[majority].heads == result.votes[majority].heads + follow.allocated.heads


def test_majority_of_a_household_rule_counts_households_for_heads():
    """Council vote, one vote per household: zhou's two flats lead on households (2:1) and area; per owner it is 1:1."""
    units = [unit("z1", "60.00", owner="zhou"), unit("z2", "60.00", owner="zhou"), unit("li"), unit("w")]
    ballots = {"z1": FOR, "z2": FOR, "li": AGAINST, "w": FOLLOW}
    assert count("simple-majority", units, ballots, follow_majority=True).follow_majority.majority == FOR
    by_owner = {"z1": FOR, "li": AGAINST, "w": FOLLOW}
    assert count("civil-code-ordinary", units, by_owner, follow_majority=True).follow_majority.split_leads


# The silence rule ----------------------------------------------------------------------------------------------------

TEN = ["100.00"] * 10


def test_silence_adds_served_silent_owners_to_the_majority_and_can_make_a_decision():
    """MOHURD Art. 26(2), adopted: 6 of 10 take part (no valid decision, Art. 278 needs 2/3); the three
    served silent owners join the majority as participants, o10 was never served and stays out."""
    ballots = ballots_of(FOR, FOR, FOR, FOR, AGAINST, ABSTAIN)
    result = count("civil-code-ordinary", owners(*TEN), ballots, silence=Silence(served={"o7", "o8", "o9"}))
    assert result.outcome == NO_VALID_DECISION and not result.quorum_met
    silence = result.silence
    assert silence.majority == FOR and silence.allocated == who(3, 3, "300.00")
    assert silence.participating == who(9, 9, "900.00")
    assert silence.in_favour == who(7, 7, "700.00") and silence.against == result.against
    assert silence.outcome == PASSED
    assert result.follow_majority is None  # no 随多数 ballot


@pytest.mark.parametrize("served", [set(), {"o1", "o5"}, {"x-not-in-this-vote"}])
def test_silence_never_allocates_unserved_owners(served):
    """(2022)沪02民初16号: only owners actually served a ballot; voters and keys outside the electorate add nobody."""
    ballots = ballots_of(FOR, FOR, FOR, FOR, AGAINST, ABSTAIN)
    result = count("civil-code-ordinary", owners(*TEN), ballots, silence=Silence(served=served))
    assert result.silence.allocated == NOBODY
    assert result.silence.participating == result.participating
    assert result.silence.outcome == NO_VALID_DECISION


def test_silence_with_split_leads_adds_nobody_not_even_as_participants():
    """DOMAIN.md: if the leads differ, allocate nothing (so silence cannot make the quorum either)."""
    areas = ["50.00", "50.00", "150.00", *["100.00"] * 7]  # for leads on heads, against on area
    result = count(
        "civil-code-ordinary",
        owners(*areas),
        ballots_of(FOR, FOR, AGAINST),
        silence=Silence(served={f"o{i}" for i in range(1, 11)}),
    )
    silence = result.silence
    assert silence.split_leads and silence.majority is None and silence.allocated == NOBODY
    assert silence.participating == result.participating == who(3, 3, "250.00")
    assert silence.outcome == NO_VALID_DECISION


def test_silence_adds_to_against_when_against_is_the_majority():
    ballots = ballots_of(AGAINST, AGAINST, AGAINST, FOR, ABSTAIN)
    result = count("civil-code-ordinary", owners(*TEN), ballots, silence=Silence(served={"o6", "o7"}))
    assert result.silence.majority == AGAINST
    assert result.silence.against == who(5, 5, "500.00") and result.silence.in_favour == result.in_favour
    assert result.silence.quorum_met and result.silence.outcome == FAILED


def test_silence_starts_from_the_follow_majority_count():
    """随多数 owners go to the majority first; silent served owners then join them."""
    ballots = ballots_of(FOR, FOR, FOR, AGAINST, FOLLOW)
    result = count(
        "civil-code-ordinary", owners(*TEN), ballots, follow_majority=True, silence=Silence(served={"o6", "o7"})
    )
    assert result.follow_majority.in_favour.heads == 4
    assert result.silence.in_favour.heads == 6 and result.silence.allocated.heads == 2
    assert result.silence.votes[FOLLOW] == NOBODY
    assert result.silence.participating.heads == 7 and result.silence.outcome == PASSED


# fmt: off
# Zhejiang 2009 Art. 10(2): the silence count's for must exceed half of ALL owners and of ALL the area.
# (areas, choices, served, outcome without the floor, with it)
FLOOR = {
    # 4 for of 7 taking part passes Art. 278; 4 of 10 owners is not more than half.
    "heads_under_half_fails": (
        TEN, [FOR, FOR, AGAINST, None, None, ABSTAIN, ABSTAIN], {"o4", "o5"}, PASSED, FAILED),
    # 5 of 10 owners and 500 of 1,000 m² for: exactly half is not more than half (过半数, strict).
    "exactly_half_fails": (
        TEN, [FOR, FOR, FOR, AGAINST, None, None, ABSTAIN], {"o5", "o6"}, PASSED, FAILED),
    # 6 of 10 owners for, but exactly 500.00 of 1,000.00 m².
    "area_exactly_half_fails": (
        ["80.00"] * 5 + ["100.00"] + ["125.00"] * 4, [FOR, FOR, FOR, None, None, None, AGAINST, ABSTAIN],
        {"o4", "o5", "o6"}, PASSED, FAILED),
    # One more served owner: 7 owners, 625.00 m² for.
    "above_half_passes": (
        ["80.00"] * 5 + ["100.00"] + ["125.00"] * 4, [FOR, FOR, FOR, None, None, None, AGAINST, ABSTAIN],
        {"o4", "o5", "o6", "o9"}, PASSED, PASSED),
}
# fmt: on


@pytest.mark.parametrize("areas, choices, served, without_floor, with_floor", FLOOR.values(), ids=FLOOR.keys())
def test_zhejiang_floor_fails_an_enlarged_majority_not_over_half_of_all(
    areas, choices, served, without_floor, with_floor
):
    units, ballots = owners(*areas), ballots_of(*choices)
    plain = count("civil-code-ordinary", units, ballots, silence=Silence(served=served))
    floored = count("civil-code-ordinary", units, ballots, silence=Silence(served=served, floor=True))
    assert plain.silence.outcome == without_floor and plain.silence.floor == ()
    assert floored.silence.outcome == with_floor
    assert {c.name for c in floored.silence.floor} == {"floor_area", "floor_heads"}
    assert all(c.threshold == Fraction(1, 2) and not c.inclusive for c in floored.silence.floor)
    # The floor is the silence count's only: the strict count is the same either way.
    assert floored.outcome == plain.outcome and "floor" not in floored.as_json_dict()
    assert [c["name"] for c in floored.as_json_dict()["silence"]["floor"]] == ["floor_area", "floor_heads"]


def test_floor_of_a_household_rule_counts_households():
    units = owners(*["100.00"] * 4)
    result = count("residents-meeting", units, ballots_of(FOR, FOR), silence=Silence(served={"o3"}, floor=True))
    assert [c.name for c in result.silence.floor] == ["floor_area", "floor_households"]
    assert result.silence.in_favour.households == 3 and result.silence.outcome == PASSED


def test_silence_one_served_unit_brings_an_owners_whole_holding_spc_art8_art9():
    """SPC Art. 8-9: a silent owner of three units is one head with all their area, served on any one unit."""
    units = [unit("z1", "90.00", owner="zhou"), unit("z2", "40.00", owner="zhou"), unit("z3", "45.00", owner="zhou")]
    units += owners("100.00", "100.00", "100.00")
    result = count("civil-code-ordinary", units, ballots_of(FOR, FOR, AGAINST), silence=Silence(served={"z3"}))
    assert result.silence.allocated == who(3, 1, "175.00")
    assert result.silence.in_favour == who(5, 3, "375.00")


def test_silence_a_voters_other_units_are_not_silent_spc_art9():
    """SPC Art. 9: zhou voted on z1; that one vote covers z2, which is not silent though served."""
    units = [
        unit("z1", "60.00", owner="zhou"),
        unit("z2", "60.00", owner="zhou"),
        *owners("100.00", "100.00", "100.00"),
    ]
    ballots = {"z1": AGAINST, "o1": FOR, "o2": FOR}
    result = count("civil-code-ordinary", units, ballots, silence=Silence(served={"z2", "o3"}))
    assert result.silence.allocated == who(1, 1, "100.00")  # o3 only
    assert result.silence.against == result.against == who(2, 1, "120.00")


def test_silence_in_a_household_rule_each_household_is_its_own_voter():
    """Residents' meeting (per household): zhou's second flat, without a ballot and served, is a silent household."""
    units = [unit("z1", owner="zhou"), unit("z2", owner="zhou"), *owners("100.00", "100.00")]
    result = count("residents-meeting", units, {"z1": FOR, "o1": FOR}, silence=Silence(served={"z2"}))
    assert result.silence.allocated == who(1, 1, "100.00")


def test_silence_developer_unsold_units_are_one_head_spc_art9():
    """SPC Art. 9: all the developer's unsold units count as one owner; one served unit brings them all."""
    units = [unit(f"d{i}", "60.00", owner="", developer=True) for i in (1, 2, 3)]
    units += owners("100.00", "100.00", "100.00")
    result = count("civil-code-ordinary", units, ballots_of(FOR, FOR), silence=Silence(served={"d2"}))
    assert result.silence.allocated == who(3, 1, "180.00")
    assert result.silence.participating.heads == 3  # o1, o2 and the developer


# Three outcomes for each rule ----------------------------------------------------------------------------------------

# fmt: off
# (rule, choices of ten single-unit owners of 100.00 m², outcome)
OUTCOMES = {
    "art278_ordinary_passed": ("civil-code-ordinary", [FOR] * 4 + [AGAINST] * 3, PASSED),
    "art278_ordinary_failed": ("civil-code-ordinary", [FOR] * 3 + [AGAINST] * 3 + [ABSTAIN], FAILED),
    "art278_ordinary_too_few_no_valid_decision": ("civil-code-ordinary", [FOR] * 6, NO_VALID_DECISION),
    "art278_special_passed": ("civil-code-special", [FOR] * 6 + [AGAINST], PASSED),
    "art278_special_failed": ("civil-code-special", [FOR] * 5 + [AGAINST] * 2, FAILED),
    "art278_special_too_few_no_valid_decision": ("civil-code-special", [FOR] * 6, NO_VALID_DECISION),
    "residents_meeting_passed": ("residents-meeting", [FOR] * 6, PASSED),
    "residents_meeting_failed": ("residents-meeting", [FOR] * 3 + [AGAINST] * 3, FAILED),
    "residents_meeting_half_attend_no_valid_decision": ("residents-meeting", [FOR] * 5, NO_VALID_DECISION),
    "council_passed": ("simple-majority", [FOR], PASSED),
    "council_tie_failed": ("simple-majority", [FOR, AGAINST], FAILED),
    # No quorum: nobody voting is a failed vote, never "no valid decision".
    "council_nobody_votes_failed": ("simple-majority", [], FAILED),
    "council_with_quorum_passed": (SimpleMajority(quorum=Fraction(1, 2)), [FOR] * 3 + [AGAINST] * 2, PASSED),
    "council_with_quorum_failed": (SimpleMajority(quorum=Fraction(1, 2)), [FOR] * 2 + [AGAINST] * 3, FAILED),
    "council_with_quorum_no_valid_decision": (SimpleMajority(quorum=Fraction(1, 2)), [FOR] * 4, NO_VALID_DECISION),
    "elevator_passed": ("elevator", [FOR] * 6 + [AGAINST], PASSED),
    "elevator_failed": ("elevator", [FOR] * 5 + [AGAINST] * 2, FAILED),
    "elevator_no_valid_decision": ("elevator", [FOR] * 6, NO_VALID_DECISION),
}
# fmt: on


@pytest.mark.parametrize("rule, choices, outcome", OUTCOMES.values(), ids=OUTCOMES.keys())
def test_three_outcomes_passed_failed_no_valid_decision(rule, choices, outcome):
    """DOMAIN.md: 通过, 未通过, and 未产生有效决定 when the participation threshold is not met."""
    result = count(rule, owners(*TEN), ballots_of(*choices))
    assert result.outcome == outcome
    assert (result.quorum_met, result.passed) == {
        PASSED: (True, True),
        FAILED: (True, False),
        NO_VALID_DECISION: (False, False),
    }[outcome]
    data = result.as_json_dict()
    assert data["outcome"] == outcome
    # A certificate stored before the third outcome: derived from quorum_met and passed.
    old = {key: value for key, value in data.items() if key != "outcome"}
    assert labels.outcome_of(old) == labels.outcome_of(data) == outcome


def test_outcome_of_a_choice_among_options_is_none():
    assert labels.outcome_of({"options": [], "winners": []}) is None and labels.outcome_of(None) is None


# JSON ----------------------------------------------------------------------------------------------------------------

STRICT_KEYS = [
    "rule",
    "scope",
    "electorate",
    "participating",
    "for",
    "against",
    "abstain",
    "quorum_met",
    "passed",
    "ballots",
    "thresholds",
    "conditions",
]


def test_json_keeps_the_old_keys_and_adds_outcome_follow_and_the_other_counts():
    units = owners(*TEN)
    plain = count("civil-code-ordinary", units, ballots_of(FOR)).as_json_dict()
    assert list(plain) == [*STRICT_KEYS, "outcome"]

    ballots = ballots_of(FOR, FOR, FOR, AGAINST, FOLLOW)
    result = count("civil-code-ordinary", units, ballots, follow_majority=True, silence=Silence(served={"o6"}))
    data = result.as_json_dict()
    assert data["follow"] == {"households": 1, "heads": 1, "area": "100.00"}
    strict_keys = set(data) - {"follow_majority", "silence"}
    for other in ("follow_majority", "silence"):
        assert set(data[other]) == strict_keys | {"majority", "split_leads", "allocated"}
        assert data[other]["majority"] == "for" and data[other]["split_leads"] is False
    assert data["follow_majority"]["allocated"] == {"households": 1, "heads": 1, "area": "100.00"}
    assert data["silence"]["allocated"] == {"households": 1, "heads": 1, "area": "100.00"}
    assert data["silence"]["for"]["heads"] == 5


# Properties ----------------------------------------------------------------------------------------------------------

OWNER_POOL = ["a", "b", "c", "d", "e", ""]  # "": owner unknown, the unit is its own head


@st.composite
def silent_votes(draw):
    """(units, ballots, served): up to 12 units, owners shared at random, a few
    developer units; each owner head votes one choice (随多数 included) or
    not, on some of their units; any units served."""
    size = draw(st.integers(1, 12))
    units = [
        unit(
            f"u{i}",
            D(draw(st.integers(1, 30000))).scaleb(-2),
            owner=draw(st.sampled_from(OWNER_POOL)),
            developer=draw(st.integers(0, 5)) == 0,
        )
        for i in range(size)
    ]
    ballots = {}
    for head_units in by_head(units).values():
        choice = draw(st.sampled_from([None, FOR, AGAINST, ABSTAIN, FOLLOW]))
        if choice:
            for u, on in zip(head_units, draw(st.lists(st.booleans(), min_size=len(head_units))), strict=False):
                if on:
                    ballots[u.key] = choice
            ballots.setdefault(head_units[0].key, choice)
    served = draw(st.frozensets(st.sampled_from([u.key for u in units])))
    return units, ballots, served


def by_head(units):
    heads = {}
    for u in units:
        heads.setdefault(head_of(u), []).append(u)
    return heads


def expected_allocated(rule, units, ballots, served, majority):
    """Written out independently: each voter (owner head, or household) with
    no ballot and a served unit, with all their units; nobody without a majority."""
    if majority is None:
        return NOBODY
    voters = by_head(units) if rule.counts_heads else {u.key: [u] for u in units}
    silent = [
        u
        for own in voters.values()
        if not any(u.key in ballots for u in own) and any(u.key in served for u in own)
        for u in own
    ]
    return summarize(silent)


@settings(max_examples=100, deadline=None)
@given(silent_votes(), st.booleans())
def test_property_strict_count_unchanged_by_the_silence_option(case, floor):
    units, ballots, served = case
    for rule in RULES:
        with_silence = count(rule, units, ballots, follow_majority=True, silence=Silence(served=served, floor=floor))
        assert replace(with_silence, silence=None) == count(rule, units, ballots, follow_majority=True)


@settings(max_examples=100, deadline=None)
@given(silent_votes())
def test_property_follow_and_silence_never_lower_for_or_against(case):
    units, ballots, served = case
    for rule in RULES:
        result = count(rule, units, ballots, follow_majority=True, silence=Silence(served=served))
        for other in (result.follow_majority, result.silence):
            if other is None:
                continue
            for choice in (FOR, AGAINST):
                before, after = result.votes[choice], other.votes[choice]
                assert after.households >= before.households and after.heads >= before.heads, rule
                assert after.area >= before.area, rule
                if choice != other.majority:
                    assert after == before, rule  # only the majority gains
            assert other.participating.households >= result.participating.households


@settings(max_examples=100, deadline=None)
@given(silent_votes())
def test_property_unserved_silent_units_never_take_part_in_the_silence_count(case):
    units, ballots, served = case
    for rule in RULES.values():
        result = count(rule, units, ballots, follow_majority=True, silence=Silence(served=served))
        silence = result.silence
        base = result.follow_majority or result
        expected = expected_allocated(rule, units, ballots, served, silence.majority)
        assert silence.allocated == expected, rule.id
        assert silence.participating.households == base.participating.households + expected.households
        assert silence.participating.area == base.participating.area + expected.area
        # With nothing served, silence adds nobody.
        unserved = count(rule, units, ballots, follow_majority=True, silence=Silence()).silence
        assert unserved.participating == base.participating and unserved.allocated == NOBODY
