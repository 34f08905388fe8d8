"""Participatory budgeting (voting/equal_shares.py): the Method of Equal
Shares with cost utilities and the add1 completion, as equalshares.net
computes it, and greedy beside it. Pure Python: no database."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting import equal_shares as es
from voting.equal_shares import ADD1, GREEDY, NO_COMPLETION, Ballot, BudgetError, Project


def projects(**costs):
    return [Project(pid, Fraction(cost)) for pid, cost in costs.items()]


def ballots(*approvals):
    return [Ballot(f"v{i}", frozenset(a)) for i, a in enumerate(approvals)]


# equalshares.net, "How to compute the results?": the example .pb file.
# Budget 100,000; projects 1 (5,000), 2 (10,000), 3 (85,000); four voters
# approving {1,2}, {1}, {3}, {1,2,3}.
EXAMPLE = projects(p1=5000, p2=10000, p3=85000)
EXAMPLE_BALLOTS = ballots({"p1", "p2"}, {"p1"}, {"p3"}, {"p1", "p2", "p3"})


def test_the_equalshares_net_example_without_completion():
    # Each voter starts with 25,000. Project 1: three supporters pay 5,000/3
    # each (effective vote count 3); project 2: two pay 5,000 (count 2);
    # project 3: its two supporters hold 50,000 < 85,000.
    outcome = es.count(EXAMPLE, EXAMPLE_BALLOTS, 100000, completion=NO_COMPLETION)
    assert outcome.funded == ["p1", "p2"]
    assert outcome.spent == 15000
    assert outcome.payments["p1"] == dict.fromkeys(["v0", "v1", "v3"], Fraction(5000, 3))
    assert outcome.payments["p2"] == dict.fromkeys(["v0", "v3"], Fraction(5000))
    why = outcome.unfunded["p3"]
    assert why.reason == es.SHARES_TOO_SMALL
    # v2 has its 25,000, v3 25,000 - 5,000/3 - 5,000.
    assert why.available == 25000 + Fraction(55000, 3)
    assert why.short_by == 85000 - why.available


def test_the_equalshares_net_example_with_add1():
    # Project 3 fits the 85,000 left, so the shares rise a yuan a step until
    # its supporters can pay for it: 2s - 20,000/3 >= 85,000, s >= 45,833.34,
    # that is 20,834 steps above 25,000. All three then cost exactly the budget.
    outcome = es.count(EXAMPLE, EXAMPLE_BALLOTS, 100000)
    assert outcome.funded == ["p1", "p2", "p3"]
    assert outcome.spent == 100000 and outcome.left == 0
    assert outcome.steps == 20834
    assert outcome.share_per_weight == 25000 + 20834
    for pid, paid in outcome.payments.items():
        assert sum(paid.values()) == dict((p.id, p.cost) for p in EXAMPLE)[pid]


def red_and_blue():
    """electowiki / equalshares.net's motivating example: 51 voters approve
    ten red projects, 49 ten blue ones, each costs 100, the budget is 1,000."""
    reds = [f"red{i}" for i in range(10)]
    blues = [f"blue{i}" for i in range(10)]
    ps = [Project(pid, Fraction(100)) for pid in reds + blues]
    bs = [Ballot(f"r{i}", frozenset(reds)) for i in range(51)] + [Ballot(f"b{i}", frozenset(blues)) for i in range(49)]
    return ps, bs


def test_a_51_percent_majority_does_not_take_the_whole_budget():
    ps, bs = red_and_blue()
    outcome = es.count(ps, bs, 1000)
    assert sorted(p[:-1] for p in outcome.funded) == ["blue"] * 5 + ["red"] * 5
    # Without the completion the blue voters' shares (10 each) pay for four:
    # 49 x 10 = 490 < 500, and 100 of the budget stays unspent.
    bare = es.count(ps, bs, 1000, completion=NO_COMPLETION)
    assert sorted(p[:-1] for p in bare.funded) == ["blue"] * 4 + ["red"] * 5
    # Greedy gives the majority everything.
    assert es.count(ps, bs, 1000, rule=GREEDY).funded == [f"red{i}" for i in range(10)]


def test_supporters_pay_equal_amounts_capped_by_what_they_have_left():
    # Four voters of 10 (budget 40). a (27): v0, v1, v2 pay 9 each, count 3;
    # b (10): v0 and v3 would pay 5, count 2. a first; then v0 has 1 left,
    # pays all of it for b, and v3 pays the other 9: the most any supporter
    # pays is 9, so b's effective vote count is 10 / 9.
    bs = ballots({"a", "b"}, {"a"}, {"a"}, {"b"})
    outcome = es.count(projects(a=27, b=10), bs, 40, completion=NO_COMPLETION)
    assert outcome.funded == ["a", "b"]
    assert outcome.payments["a"] == dict.fromkeys(["v0", "v1", "v2"], Fraction(9))
    assert outcome.payments["b"] == {"v0": Fraction(1), "v3": Fraction(9)}
    assert outcome.paid_by("v0") == {"a": 9, "b": 1}


def test_an_unfunded_project_says_how_short_its_supporters_were():
    ps = projects(a=8, b=12)
    bs = [Ballot("v0", frozenset("ab")), Ballot("v1", frozenset("b")), Ballot("v2", frozenset("b"))]
    outcome = es.count(ps, bs, 30, completion=NO_COMPLETION)
    # b: everyone pays 4 (count 3); a: v0 alone pays 8 (count 1). b first.
    assert outcome.funded[0] == "b"
    assert outcome.payments["b"] == dict.fromkeys(["v0", "v1", "v2"], Fraction(4))
    # Then a: v0 has 6 < 8: not funded, and the explanation says so.
    assert outcome.unfunded["a"].available == 6 and outcome.unfunded["a"].short_by == 2


def test_max_payment_caps_the_poor():
    # Shares 1, 5, 5 for a cost of 9: the first pays 1, the others 4 each.
    assert es._max_payment(Fraction(9), [(Fraction(1), 1), (Fraction(5), 2)]) == 4
    assert es._max_payment(Fraction(12), [(Fraction(1), 1), (Fraction(5), 2)]) is None


def test_a_project_nobody_approved_is_never_funded():
    outcome = es.count(projects(a=10, b=10), ballots({"a"}, set()), 100)
    assert outcome.funded == ["a"]
    assert outcome.unfunded["b"].reason == es.NOBODY_APPROVED
    assert es.count(projects(a=10, b=10), ballots({"a"}, set()), 100, rule=GREEDY).funded == ["a"]


def test_an_empty_ballot_counts_as_a_voter_with_a_share():
    # Two voters: the budget is split in two even though one approves nothing,
    # so a (cost 60) is out of reach of its one supporter's share of 50...
    bare = es.count(projects(a=60), ballots({"a"}, set()), 100, completion=NO_COMPLETION)
    assert bare.funded == [] and bare.unfunded["a"].available == 50
    # ...until add1 raises the shares: 60 fits the budget, so it is funded.
    assert es.count(projects(a=60), ballots({"a"}, set()), 100).funded == ["a"]


def test_shares_by_area():
    # The fund is the owners' by area: 120 m2 and 60 m2 start with 200 and 100.
    bs = [Ballot("big", frozenset("a"), Fraction(120)), Ballot("small", frozenset("b"), Fraction(60))]
    outcome = es.count(projects(a=200, b=150), bs, 300, completion=NO_COMPLETION)
    assert outcome.funded == ["a"]
    assert outcome.payments["a"] == {"big": 200}
    assert outcome.unfunded["b"].available == 100
    assert outcome.share_per_weight == Fraction(300, 180)


def test_add1_stops_before_a_step_that_would_overspend():
    # Budget 100, two voters of 50, each approving its own project of 60:
    # nothing is funded, and either project fits the 100 left. At shares of
    # 60 (step 10) both are funded at once, 120 > 100: the outcome is the
    # step before, which funds nothing. No greedy top-up afterwards.
    outcome = es.count(projects(a=60, b=60), ballots({"a"}, {"b"}), 100)
    assert outcome.funded == [] and outcome.spent == 0
    assert outcome.steps == 9 and outcome.share_per_weight == 59


def test_add1_stops_at_the_first_exhaustive_outcome():
    # Shares of 55: b (45) is funded; a (60) fits the 65 left. At 60 (step 5)
    # a is funded too: 105 <= 110, and nothing is left unfunded.
    outcome = es.count(projects(a=60, b=45), ballots({"a"}, {"b"}), 110)
    assert outcome.funded == ["b", "a"] and outcome.steps == 5


def test_greedy_skips_what_no_longer_fits_and_tries_the_next():
    ps = projects(a=70, b=50, c=30)
    outcome = es.count(ps, ballots({"a", "b", "c"}, {"a", "b"}, {"a"}), 100, rule=GREEDY)
    assert outcome.funded == ["a", "c"]
    assert outcome.unfunded["b"].reason == es.DOES_NOT_FIT and outcome.unfunded["b"].available == 30


def test_ties_go_to_the_cheaper_then_the_first_listed():
    # One supporter each with money to spare: each pays the whole cost, so
    # every effective vote count is 1. (More approvals come before cost; a
    # tie with different approvals needs money spent earlier: next test.)
    outcome = es.count(projects(a=10, b=10), ballots({"a"}, {"b"}), 40, completion=NO_COMPLETION)
    assert outcome.funded == ["a", "b"]
    outcome = es.count(projects(a=10, b=10), ballots({"b"}, {"a"}), 40, completion=NO_COMPLETION)
    assert outcome.funded == ["a", "b"]
    outcome = es.count(projects(a=10, b=5), ballots({"a"}, {"b"}), 40, completion=NO_COMPLETION)
    assert outcome.funded == ["b", "a"]
    assert outcome.tie_breaking == es.TIE_BREAKING


def test_ties_go_to_more_approvals_first():
    # Five voters of 10. c (30): v2, v3, v4 pay 10 each, count 3: first.
    # Then v2 has nothing left: b (10) is paid by v1 alone, count 1, as is
    # a (5, v0 alone): b has two approvals to a's one, so b comes first
    # although a is cheaper and listed first.
    bs = ballots({"a"}, {"b"}, {"b", "c"}, {"c"}, {"c"})
    outcome = es.count(projects(a=5, b=10, c=30), bs, 50, completion=NO_COMPLETION)
    assert outcome.funded == ["c", "b", "a"]
    assert outcome.payments["b"] == {"v1": 10, "v2": 0}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"budget": 1.5}, "not a float"),
        ({"budget": "12.345"}, "two decimals"),
        ({"budget": "twelve"}, "not an amount"),
        ({"budget": -1}, "negative"),
        ({"projects": projects(a=0)}, "more than nothing"),
        ({"projects": projects(a=1) * 2}, "same id"),
        ({"ballots": ballots({"z"})}, "unknown projects: z"),
        ({"ballots": ballots({"a"}) * 2}, "two ballots"),
        ({"rule": "borda"}, "unknown rule"),
        ({"completion": "add2"}, "unknown completion"),
    ],
)
def test_a_round_that_cannot_be_counted_says_why(bad, message):
    args = {"projects": projects(a=1), "ballots": ballots({"a"}), "budget": 10} | bad
    with pytest.raises(BudgetError, match=message):
        es.count(**args)


def test_amounts_take_fen():
    assert es.amount("12.34") == Fraction(1234, 100)
    outcome = es.count([Project("a", es.amount("33.33"))], ballots({"a"}, {"a"}, {"a"}), es.amount("100.00"))
    assert outcome.payments["a"] == dict.fromkeys(["v0", "v1", "v2"], Fraction(1111, 100))


# --- Properties -------------------------------------------------------------------


@st.composite
def rounds(draw, max_voters=10, max_projects=6):
    n_projects = draw(st.integers(1, max_projects))
    ps = [Project(f"p{i}", Fraction(draw(st.integers(1, 4000)), 100)) for i in range(n_projects)]
    ids = [p.id for p in ps]
    bs = [
        Ballot(f"v{i}", frozenset(draw(st.lists(st.sampled_from(ids), max_size=n_projects))))
        for i in range(draw(st.integers(1, max_voters)))
    ]
    budget = Fraction(draw(st.integers(0, 10000)), 100)
    return ps, bs, budget


@settings(max_examples=150, deadline=None)
@given(rounds(), st.sampled_from([ADD1, NO_COMPLETION]), st.sampled_from([es.EQUAL_SHARES, GREEDY]))
def test_the_outcome_never_costs_more_than_the_budget(round_, completion, rule):
    ps, bs, budget = round_
    outcome = es.count(ps, bs, budget, rule=rule, completion=completion)
    costs = {p.id: p.cost for p in ps}
    assert outcome.spent == sum(costs[p] for p in outcome.funded) <= budget
    assert len(set(outcome.funded)) == len(outcome.funded)
    assert set(outcome.funded) | set(outcome.unfunded) == set(costs)


@settings(max_examples=150, deadline=None)
@given(rounds(), st.sampled_from([ADD1, NO_COMPLETION]))
def test_payments_cover_each_cost_from_supporters_within_their_shares(round_, completion):
    ps, bs, budget = round_
    outcome = es.count(ps, bs, budget, completion=completion)
    costs = {p.id: p.cost for p in ps}
    approved = {b.voter: b.approved for b in bs}
    for pid in outcome.funded:
        paid = outcome.payments[pid]
        assert sum(paid.values()) == costs[pid]
        assert all(pid in approved[voter] and amount >= 0 for voter, amount in paid.items())
    for voter in approved:
        # Nobody pays more than its (virtual) share.
        assert sum(outcome.paid_by(voter).values()) <= outcome.share_per_weight


@settings(max_examples=150, deadline=None)
@given(rounds(), st.sampled_from([ADD1, NO_COMPLETION]), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_does_not_matter(round_, completion, random):
    ps, bs, budget = round_
    shuffled = list(bs)
    random.shuffle(shuffled)
    first, second = (
        es.count(ps, bs, budget, completion=completion),
        es.count(ps, shuffled, budget, completion=completion),
    )
    assert first.funded == second.funded
    assert first.payments == second.payments


@settings(max_examples=150, deadline=None)
@given(rounds(), st.integers(1, 6), st.sampled_from([ADD1, NO_COMPLETION]))
def test_a_group_whose_shares_cover_the_project_it_alone_approves_gets_it(round_, size, completion):
    # The proportionality guarantee: households whose equal shares together
    # cover a project's cost, approving only it, see it funded whatever the
    # others vote (nobody else can spend their money).
    ps, bs, budget = round_
    target = ps[0]
    group = [Ballot(f"g{i}", frozenset({target.id})) for i in range(size)]
    everyone = bs + group
    if size * budget / len(everyone) < target.cost:
        budget = Fraction(math.ceil(target.cost * len(everyone) / size * 100), 100)  # give them enough
    outcome = es.count(ps, everyone, budget, completion=completion)
    assert target.id in outcome.funded


# --- Cross-check: pabutools (GPL-3.0, a development dependency only) ---------------


@settings(max_examples=200, deadline=None)
@given(rounds(max_voters=12, max_projects=7), st.sampled_from([ADD1, NO_COMPLETION]))
def test_the_outcome_is_pabutools_own(round_, completion):
    pabutools = pytest.importorskip("pabutools")
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
    from pabutools.election import Project as PabuProject
    from pabutools.fractions import frac
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    assert pabutools  # imported for the skip above
    ps, bs, budget = round_
    theirs = {p.id: PabuProject(p.id, frac(p.cost.numerator, p.cost.denominator)) for p in ps}
    instance = Instance(theirs.values(), budget_limit=frac(budget.numerator, budget.denominator))
    profile = ApprovalProfile([ApprovalBallot([theirs[pid] for pid in sorted(b.approved)]) for b in bs])
    listed = {p.id: i for i, p in enumerate(ps)}
    # Our tie-breaking, in pabutools' terms: more approvals, the lower cost, listed first.
    ties = TieBreakingRule(lambda _i, prof, proj: (-prof.approval_score(proj), proj.cost, listed[proj.name]))
    expected = method_of_equal_shares(
        instance,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=ties,
        voter_budget_increment=1 if completion == ADD1 else None,
    )
    assert es.count(ps, bs, budget, completion=completion).funded == [p.name for p in expected]
