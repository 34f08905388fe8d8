"""The counting rules (voting.tally), each test naming the law it checks.

Civil Code Art. 278 para. 2 (quorum 2/3 of area and owners; approval > 1/2,
or >= 3/4 for items (6)-(8)), Art. 1259 ("以上" is inclusive); SPC
interpretation 法释〔2009〕7号 Art. 8 (area) and Art. 9 (heads); Urban
Residents' Committees Law Art. 10; Hangzhou order No. 324 (elevators);
council simple majority.
"""

from dataclasses import fields, is_dataclass
from decimal import Decimal
from fractions import Fraction
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compounds.electorate import Summary, Unit, head_of
from voting.tally import (
    ABSTAIN,
    AGAINST,
    FOR,
    RULES,
    OwnerBallotsDisagree,
    PlacedUnit,
    Scope,
    ScopeError,
    SimpleMajority,
    UnknownChoiceError,
    UnknownRuleError,
    UnknownUnitError,
    count,
    find_disagreements,
)

D = Decimal


def unit(key, area="100.00", owner=None, developer=False, building="1幢", building_unit="1单元"):
    """A placed unit; its owner defaults to itself (one unit, one owner)."""
    return PlacedUnit(
        key=key,
        area=D(area),
        owner_key=key if owner is None else owner,
        developer_unsold=developer,
        building=building,
        building_unit=building_unit,
    )


def owners(*areas):
    """One single-unit owner per area: keys o1, o2, ..."""
    return [unit(f"o{i}", area) for i, area in enumerate(areas, start=1)]


# The DOMAIN.md worked example ----------------------------------------------------------------------------------------

BIG_UNITS = 11  # one owner holds 11 units of 100.00 m²


def worked_example(big, groups):
    """DOMAIN.md's compound: 300 units, 30,000.00 m², 290 owner heads.

    big: the choice of the owner of 11 units (100.00 m² each), None if they do
    not take part. groups: (how many, area, choice or None) of single-unit
    owners, 289 of them with 28,900.00 m² in all. Returns (units, ballots).
    """
    units = [unit(f"big-{i}", "100.00", owner="big") for i in range(BIG_UNITS)]
    ballots = {u.key: big for u in units} if big else {}
    for group, (how_many, area, choice) in enumerate(groups):
        for i in range(how_many):
            u = unit(f"g{group}-{i}", area)
            units.append(u)
            if choice:
                ballots[u.key] = choice
    # The example's totals, so each case below is really the example.
    assert len(units) == 300
    assert sum((u.area for u in units), D(0)) == D("30000.00")
    assert len({u.owner_key for u in units}) == 290
    return units, ballots


# fmt: off
# (rule, big owner's choice, single owners, quorum met, passed, taking part (heads, m²), for (heads, m²))
WORKED_EXAMPLE = {
    "art278_ordinary_101_heads_11100_m2_for_passes": (
        "civil-code-ordinary", FOR,
        [(100, "100.00", FOR), (99, "100.00", AGAINST), (90, "100.00", None)],
        True, True, (200, "21000.00"), (101, "11100.00")),
    "art278_ordinary_exactly_100_heads_is_not_more_than_half_fails": (
        "civil-code-ordinary", FOR,
        [(99, "100.00", FOR), (100, "100.00", AGAINST), (90, "100.00", None)],
        True, False, (200, "21000.00"), (100, "11000.00")),
    "art278_ordinary_exactly_10500_m2_is_not_more_than_half_fails": (
        "civil-code-ordinary", AGAINST,
        [(105, "100.00", FOR), (94, "100.00", AGAINST), (90, "100.00", None)],
        True, False, (200, "21000.00"), (105, "10500.00")),
    "art278_ordinary_10500_01_m2_passes": (
        "civil-code-ordinary", AGAINST,
        [(104, "100.00", FOR), (1, "100.01", FOR), (93, "100.00", AGAINST), (1, "99.99", AGAINST),
         (90, "100.00", None)],
        True, True, (200, "21000.00"), (105, "10500.01")),
    "art278_special_exactly_150_heads_and_15750_m2_pass_art1259_inclusive": (
        "civil-code-special", FOR,
        [(144, "100.00", FOR), (5, "50.00", FOR), (45, "100.00", AGAINST), (5, "150.00", AGAINST),
         (90, "100.00", None)],
        True, True, (200, "21000.00"), (150, "15750.00")),
    "art278_special_149_heads_fails": (
        "civil-code-special", FOR,
        [(148, "100.00", FOR), (51, "100.00", AGAINST), (90, "100.00", None)],
        True, False, (200, "21000.00"), (149, "15900.00")),
    "art278_special_15749_99_m2_fails": (
        "civil-code-special", FOR,
        [(144, "100.00", FOR), (4, "50.00", FOR), (1, "49.99", FOR), (45, "100.00", AGAINST),
         (4, "150.00", AGAINST), (1, "150.01", AGAINST), (90, "100.00", None)],
        True, False, (200, "21000.00"), (150, "15749.99")),
    "art278_quorum_exactly_194_heads_and_20000_m2_art1259_inclusive": (
        "civil-code-ordinary", None,
        [(188, "100.00", FOR), (6, "200.00", FOR), (83, "100.00", None), (12, "50.00", None)],
        True, True, (194, "20000.00"), (194, "20000.00")),
    "art278_quorum_193_heads_misses": (
        "civil-code-ordinary", None,
        [(187, "100.00", FOR), (5, "200.00", FOR), (1, "300.00", FOR), (80, "100.00", None),
         (16, "56.25", None)],
        False, False, (193, "20000.00"), (193, "20000.00")),
    "art278_quorum_19999_99_m2_misses": (
        "civil-code-ordinary", None,
        [(188, "100.00", FOR), (5, "200.00", FOR), (1, "199.99", FOR), (83, "100.00", None),
         (11, "50.00", None), (1, "50.01", None)],
        False, False, (194, "19999.99"), (194, "19999.99")),
}
# fmt: on


@pytest.mark.parametrize(
    "rule, big, groups, quorum_met, passed, taking_part, in_favour",
    WORKED_EXAMPLE.values(),
    ids=WORKED_EXAMPLE.keys(),
)
def test_domain_worked_example(rule, big, groups, quorum_met, passed, taking_part, in_favour):
    units, ballots = worked_example(big, groups)
    result = count(rule, units, ballots)
    assert result.electorate == Summary(households=300, heads=290, area=D("30000.00"))
    assert (result.participating.heads, result.participating.area) == (taking_part[0], D(taking_part[1]))
    assert (result.in_favour.heads, result.in_favour.area) == (in_favour[0], D(in_favour[1]))
    assert result.quorum_met is quorum_met
    assert result.passed is passed


def test_domain_worked_example_thresholds_in_numbers():
    """Art. 278: quorum needs >= 194 of 290 heads (2/3 is 193.33) and >= 20,000 of 30,000 m²."""
    units, ballots = worked_example(FOR, [(199, "100.00", FOR), (90, "100.00", None)])
    result = count("civil-code-special", units, ballots)
    by_name = {c.name: c for c in result.conditions}
    assert by_name["participation_heads"].threshold * 290 == Fraction(580, 3)  # 193 1/3: 194 needed
    assert by_name["participation_area"].threshold * 30000 == 20000
    assert by_name["approval_area"].threshold * 21000 == 15750
    assert by_name["approval_heads"].threshold * 200 == 150
    assert [c.met for c in result.conditions] == [True, True, True, True]


# Participation: Art. 278 "2/3 以上", inclusive per Art. 1259 -------------------------------------------------------

# fmt: off
# (areas of single-unit owners, how many of the first ones take part, quorum met)
PARTICIPATION = {
    "exactly_2_3_of_heads_and_area": (["50.00"] * 6, 4, True),
    "heads_met_area_short_by_0_01": (["50.00", "50.00", "50.00", "49.99", "50.01", "50.00"], 4, False),
    "area_met_heads_short_by_one": (["100.00", "50.00", "50.00", "33.33", "33.33", "33.34"], 3, False),
    "area_met_heads_met_above": (["50.00"] * 6, 5, True),
    "nobody_takes_part": (["50.00"] * 6, 0, False),
    # 2/3 of 100.00 m² is 66.666...: not a finite decimal nor a binary float.
    "66_67_of_100_m2_is_at_least_2_3": (["33.34", "33.33", "33.33"], 2, True),
    "66_66_of_100_m2_is_below_2_3": (["33.33", "33.33", "33.34"], 2, False),
}
# fmt: on


@pytest.mark.parametrize("rule", ["civil-code-ordinary", "civil-code-special"])
@pytest.mark.parametrize("areas, taking_part, quorum_met", PARTICIPATION.values(), ids=PARTICIPATION.keys())
def test_art278_participation_two_thirds_inclusive_art1259(rule, areas, taking_part, quorum_met):
    units = owners(*areas)
    ballots = {u.key: FOR for u in units[:taking_part]}
    result = count(rule, units, ballots)
    assert result.quorum_met is quorum_met
    assert result.passed is quorum_met  # everyone taking part is for


def test_art278_exact_two_thirds_where_binary_floats_get_it_wrong():
    """30.00 + 37.54 of 101.31 m² is exactly 2/3: floats say it is less."""
    areas = ["30.00", "37.54", "33.77"]
    a, b, c = (float(x) for x in areas)
    assert not (a + b >= (a + b + c) * 2 / 3) and not ((a + b) / (a + b + c) >= 2 / 3)  # the trap
    result = count("civil-code-ordinary", owners(*areas), {"o1": FOR, "o2": AGAINST})
    participation_area = result.conditions[0]
    assert participation_area.ratio == Fraction(2, 3)
    assert participation_area.met and result.quorum_met


def test_art278_abstention_counts_toward_participation_not_approval():
    units = owners(*["10.00"] * 6)
    result = count("civil-code-ordinary", units, {"o1": FOR, "o2": FOR, "o3": ABSTAIN, "o4": ABSTAIN})
    assert result.quorum_met  # 4 of 6 take part
    assert result.abstaining.heads == 2
    assert not result.passed  # 2 for of 4 taking part is not more than half


# Simple majority (council) ---------------------------------------------------------------------------------------

# fmt: off
# (for, against, abstain, households in the electorate, passed)
SIMPLE_MAJORITY = {
    "more_for_than_against_passes": (3, 2, 4, 10, True),
    "tie_fails": (2, 2, 0, 10, False),
    "tie_fails_whatever_the_abstentions": (2, 2, 5, 10, False),
    "abstentions_ignored_one_for_passes": (1, 0, 8, 10, True),
    "all_abstain_fails": (0, 0, 10, 10, False),
    "nobody_votes_fails": (0, 0, 0, 10, False),
    "no_quorum_by_default_one_voter_decides": (1, 0, 0, 100, True),
}
# fmt: on


@pytest.mark.parametrize(
    "n_for, n_against, n_abstain, size, passed", SIMPLE_MAJORITY.values(), ids=SIMPLE_MAJORITY.keys()
)
def test_council_simple_majority_of_votes_cast(n_for, n_against, n_abstain, size, passed):
    units = owners(*["80.00"] * size)
    choices = [FOR] * n_for + [AGAINST] * n_against + [ABSTAIN] * n_abstain
    ballots = {u.key: choice for u, choice in zip(units, choices, strict=False)}
    result = count("simple-majority", units, ballots)
    assert result.passed is passed
    assert result.quorum_met  # no quorum unless given
    assert result.in_favour.households == n_for


@pytest.mark.parametrize("taking_part, quorum_met", [(4, False), (5, True), (6, True)])
def test_council_simple_majority_with_a_quorum_inclusive(taking_part, quorum_met):
    units = owners(*["80.00"] * 10)
    ballots = {u.key: FOR for u in units[:taking_part]}
    result = count(SimpleMajority(quorum=Fraction(1, 2)), units, ballots)
    assert result.quorum_met is quorum_met and result.passed is quorum_met


def test_council_simple_majority_is_one_vote_per_household():
    """Counted per household: one owner's two flats are two votes, and may differ."""
    units = [unit("101", owner="zhou"), unit("102", owner="zhou"), unit("201", owner="li")]
    result = count("simple-majority", units, {"101": FOR, "102": AGAINST, "201": FOR})
    assert (result.in_favour.households, result.against.households) == (2, 1)
    assert result.passed


# Residents' meeting: Urban Residents' Committees Law Art. 10 -----------------------------------------------------

# fmt: off
# (for, against, abstain of 10 households, quorum met, passed)
RESIDENTS = {
    "exactly_half_attend_fails": (5, 0, 0, False, False),
    "half_plus_one_attend_and_approve_passes": (6, 0, 0, True, True),
    "approval_exactly_half_of_present_fails": (3, 3, 0, True, False),
    "abstainers_are_present_so_half_fails": (3, 1, 2, True, False),
    "more_than_half_of_present_passes": (4, 0, 2, True, True),
}
# fmt: on


@pytest.mark.parametrize("n_for, n_against, n_abstain, quorum_met, passed", RESIDENTS.values(), ids=RESIDENTS.keys())
def test_residents_meeting_more_than_half_attend_more_than_half_of_present_approve(
    n_for, n_against, n_abstain, quorum_met, passed
):
    units = owners(*["70.00"] * 10)
    choices = [FOR] * n_for + [AGAINST] * n_against + [ABSTAIN] * n_abstain
    result = count("residents-meeting", units, dict(zip((u.key for u in units), choices, strict=False)))
    assert (result.quorum_met, result.passed) == (quorum_met, passed)


# Heads and area: SPC interpretation Art. 8 and 9 -----------------------------------------------------------------


def test_spc_art9_owner_of_several_units_counts_once_art8_areas_add_up():
    units = [
        unit("1-302", "93.71", owner="zhou"),
        unit("4-302", "42.59", owner="zhou"),
        unit("7-401", "42.71", owner="zhou"),
        *owners("80.00", "90.00"),
    ]
    # Their one vote, recorded on one unit, covers all three.
    result = count("civil-code-ordinary", units, {"1-302": FOR, "o1": AGAINST})
    assert result.electorate == Summary(households=5, heads=3, area=D("349.01"))
    assert result.in_favour == Summary(households=3, heads=1, area=D("179.01"))
    assert result.participating == Summary(households=4, heads=2, area=D("259.01"))
    assert result.ballots == 2


def test_spc_art9_developer_unsold_units_count_once_together():
    units = [unit(f"10-2-{room}", "60.00", owner="", developer=True) for room in (201, 402, 602)]
    units += owners("60.00", "60.00", "60.00")
    result = count("civil-code-ordinary", units, {"10-2-201": FOR, "10-2-402": FOR, "o1": FOR, "o2": AGAINST})
    assert result.electorate.heads == 4
    assert result.in_favour == Summary(households=4, heads=2, area=D("240.00"))
    assert result.participating.heads == 3
    assert result.passed


def test_spc_art9_co_owners_of_one_unit_are_one_head():
    # One unit with two names on the deed has one owner key (compounds.identity): one unit, one head.
    units = [unit("1-102", "92.94", owner="孙建静、钟轩"), *owners("50.00")]
    result = count("civil-code-ordinary", units, {"1-102": FOR, "o1": FOR})
    assert result.electorate.heads == 2 and result.in_favour.heads == 2


@pytest.mark.parametrize("rule", ["civil-code-ordinary", "civil-code-special", "elevator"])
def test_spc_art9_one_owner_one_vote_disagreeing_units_are_an_error(rule):
    units = [unit("302", owner="zhou"), unit("401", owner="zhou"), unit("501", owner="zhou"), *owners("80.00")]
    with pytest.raises(OwnerBallotsDisagree) as raised:
        count(rule, units, {"302": FOR, "401": AGAINST, "501": FOR, "o1": FOR})
    (disagreement,) = raised.value.disagreements
    assert disagreement.ballots == (("302", FOR), ("401", AGAINST), ("501", FOR))


def test_spc_art9_developer_ballots_must_agree():
    units = [unit("a", developer=True, owner=""), unit("b", developer=True, owner="x")]
    assert [d.ballots for d in find_disagreements(units, {"a": FOR, "b": ABSTAIN})] == [(("a", FOR), ("b", ABSTAIN))]
    with pytest.raises(OwnerBallotsDisagree):
        count("civil-code-ordinary", units, {"a": FOR, "b": ABSTAIN})


def test_art278_ordinary_strictly_more_than_half_of_participating_owners():
    units = [unit("1-302", "93.71", owner="zhou"), unit("4-302", "42.59", owner="zhou"), *owners("80.00")]
    result = count("civil-code-ordinary", units, {"1-302": FOR, "o1": AGAINST})
    assert result.quorum_met
    assert [c.met for c in result.conditions if c.stage == "approval"] == [True, False]  # area yes, heads 1/2 no
    assert not result.passed


def test_unknown_unit_choice_and_rule_are_errors():
    units = owners("50.00")
    with pytest.raises(UnknownUnitError):
        count("simple-majority", units, {"nobody": FOR})
    with pytest.raises(UnknownChoiceError):
        count("simple-majority", units, {"o1": "yes"})
    with pytest.raises(UnknownRuleError):
        count("majority-of-the-loudest", units, {})


# Elevator: Hangzhou order No. 324, one building unit --------------------------------------------------------------


def stairwell(building_unit, areas):
    """Households of 3幢 <building_unit>, one owner each."""
    return [
        unit(f"3幢{building_unit}{room}", area, building="3幢", building_unit=building_unit)
        for room, area in zip((101, 102, 201, 202, 301, 302), areas, strict=False)
    ]


def test_hangzhou_elevator_counts_within_one_building_unit_with_special_thresholds():
    units = stairwell("2单元", ["80.00"] * 6)
    ballots = {u.key: FOR for u in units[:3]} | {units[3].key: AGAINST}
    result = count("elevator", units, ballots, scope=Scope("3幢", "2单元"))
    assert result.electorate == Summary(households=6, heads=6, area=D("480.00"))
    assert result.in_favour.heads == 3 and result.participating.heads == 4
    assert result.quorum_met and result.passed  # 4/6 >= 2/3; 3/4 >= 3/4
    assert result.scope == "3幢2单元"
    special = count("civil-code-special", units, ballots)
    assert (special.conditions, special.passed) == (result.conditions, result.passed)


def test_hangzhou_elevator_refuses_an_electorate_of_several_building_units():
    units = stairwell("1单元", ["80.00"] * 3) + stairwell("2单元", ["80.00"] * 3)
    with pytest.raises(ScopeError, match="spans 3幢1单元, 3幢2单元"):
        count("elevator", units, {})
    with pytest.raises(ScopeError):  # a scope cannot paper over it
        count("elevator", units, {}, scope=Scope("3幢", "2单元"))


def test_hangzhou_elevator_refuses_a_building_scope_or_unplaced_units():
    units = stairwell("2单元", ["80.00"] * 3)
    with pytest.raises(ScopeError):
        count("elevator", units, {}, scope=Scope("3幢"))
    with pytest.raises(ScopeError):
        count("elevator", [Unit(key=u.key, area=u.area) for u in units], {})


def test_scope_refuses_units_outside_it():
    units = stairwell("2单元", ["80.00"] * 3) + [unit("5幢1单元101", building="5幢")]
    with pytest.raises(ScopeError, match="5幢1单元101"):
        count("civil-code-ordinary", units, {}, scope=Scope("3幢"))


# Exactness -------------------------------------------------------------------------------------------------------


def floats_in(value, path="result"):
    """Every path inside a result that holds a float."""
    if isinstance(value, float):
        return [path]
    if is_dataclass(value):
        return [p for f in fields(value) for p in floats_in(getattr(value, f.name), f"{path}.{f.name}")]
    if isinstance(value, dict) or hasattr(value, "items"):
        return [p for k, v in value.items() for p in floats_in(v, f"{path}[{k!r}]")]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in floats_in(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("rule", RULES)
def test_results_are_decimal_and_fraction_never_float(rule):
    units = stairwell("2单元", ["60.13", "92.94", "95.07", "50.08"])
    result = count(rule, units, {units[0].key: FOR, units[1].key: AGAINST, units[2].key: FOR})
    assert floats_in(result) == [] and floats_in(result.as_json_dict()) == []
    assert isinstance(result.participating.area, Decimal) and isinstance(result.in_favour.area, Decimal)
    assert isinstance(result.approval_threshold, Fraction)
    for c in result.conditions:
        assert isinstance(c.threshold, Fraction) and isinstance(c.ratio, Fraction)
        assert isinstance(c.numerator, Decimal if c.measure == "area" else int)


def test_json_dict_shape_areas_as_two_place_strings():
    units = owners("33.335", "66.665")  # display rounds half up; counting does not round
    data = count("civil-code-ordinary", units, {"o1": FOR}).as_json_dict()
    assert data["electorate"] == {"households": 2, "heads": 2, "area": "100.00"}
    assert data["for"] == {"households": 1, "heads": 1, "area": "33.34"}
    assert data["against"]["area"] == "0.00"
    assert data["quorum_met"] is False and data["passed"] is False
    assert data["thresholds"] == {"quorum": "2/3", "approval": "1/2"}
    assert data["conditions"][0] == {
        "name": "participation_area",
        "stage": "quorum",
        "measure": "area",
        "numerator": "33.34",
        "denominator": "100.00",
        "threshold": "2/3",
        "inclusive": True,
        "met": False,
    }


# Properties --------------------------------------------------------------------------------------------------------

OWNER_POOL = ["a", "b", "c", "d", "e", ""]  # "": owner unknown, the unit is its own head


@st.composite
def votes(draw):
    """(units, ballots): up to 12 units of one building unit, owners shared at
    random, a few developer units; each owner head votes one choice (or not)
    on some of their units, as one owner must."""
    size = draw(st.integers(1, 12))
    units = []
    for i in range(size):
        cents = draw(st.integers(1, 30000))
        units.append(
            unit(
                f"u{i}",
                D(cents).scaleb(-2),
                owner=draw(st.sampled_from(OWNER_POOL)),
                developer=draw(st.integers(0, 5)) == 0,
            )
        )
    ballots = {}
    for head_units in by_head(units).values():
        choice = draw(st.sampled_from([None, FOR, AGAINST, ABSTAIN]))
        if choice:
            marked = draw(st.lists(st.booleans(), min_size=len(head_units), max_size=len(head_units)))
            for u, on in zip(head_units, marked, strict=True):
                if on:
                    ballots[u.key] = choice
            ballots.setdefault(head_units[0].key, choice)
    return units, ballots


def by_head(units):
    heads = {}
    for u in units:
        heads.setdefault(head_of(u), []).append(u)
    return heads


def switch_to_for(units, ballots, head_units):
    """One more head for: their ballots say for, or they cast one for."""
    new = dict(ballots)
    cast = [u.key for u in head_units if u.key in new]
    for key in cast or [head_units[0].key]:
        new[key] = FOR
    return new


@settings(max_examples=150, deadline=None)
@given(votes(), st.data())
def test_property_one_more_for_never_turns_a_pass_into_a_fail(case, data):
    units, ballots = case
    for rule in RULES:
        before = count(rule, units, ballots)
        not_for = [hu for hu in by_head(units).values() if any(ballots.get(u.key) != FOR for u in hu)]
        if not not_for:
            continue
        head_units = data.draw(st.sampled_from(not_for))
        after = count(rule, units, switch_to_for(units, ballots, head_units))
        assert not (before.passed and not after.passed), rule
        assert not (before.quorum_met and not after.quorum_met), rule


@settings(max_examples=150, deadline=None)
@given(votes(), st.randoms(use_true_random=False))
def test_property_results_do_not_depend_on_order(case, random: Random):
    units, ballots = case
    shuffled_units = list(units)
    random.shuffle(shuffled_units)
    items = list(ballots.items())
    random.shuffle(items)
    for rule in RULES:
        assert count(rule, shuffled_units, dict(items)) == count(rule, units, ballots)


@settings(max_examples=150, deadline=None)
@given(votes())
def test_property_participants_within_electorate_and_no_float(case):
    units, ballots = case
    for rule in RULES:
        result = count(rule, units, ballots)
        e, p = result.electorate, result.participating
        assert p.heads <= e.heads and p.households <= e.households and p.area <= e.area
        assert sum(s.households for s in result.votes.values()) == p.households
        assert floats_in(result) == []
