"""Participatory budgeting: the Method of Equal Shares, and greedy beside it.

Pure Python and exact (Fraction, never float): no Django.

A fund of `budget` yuan, projects with a cost each, and approval ballots
(a household approves any number of projects; an empty ballot counts). The
voters are the households that cast a ballot. Each starts with an equal
share of the fund, exactly budget / n, or, where the fund belongs to the
owners by area, budget x its area / the voters' total area (`Ballot.share`
is the household's weight: 1, or its area).

The Method of Equal Shares (Peters, Pierczynski and Skowron, "Proportional
participatory budgeting with additive utilities", NeurIPS 2021; as
equalshares.net computes it, with cost utilities) funds projects one at a
time. A project's supporters pay for it from their shares in equal amounts,
each capped by what they have left: if the most any supporter pays is
`alpha`, its effective vote count is cost / alpha (with money to spare
everyone pays cost / supporters and the count is the number of supporters;
the poorer the supporters, the lower the count). Each round funds the
project with the highest effective vote count among those its supporters
can still afford, and takes the payments from their shares; it stops when
no project is affordable. A project nobody approved is never funded.

Completion "add1" (equalshares.net): shares of budget / n leave money
unspent, so the run is repeated with each voter's (virtual) share one yuan
higher at each step (area shares: n yuan more in all, split by area), and
the outcome is the first that is exhaustive (no project left unfunded fits
what is left of the real budget) or, if a step's outcome would cost more
than the real budget, the one just before it. No greedy top-up afterwards.

Ties between projects with the same effective vote count go to the one
with more approvals, then the cheaper, then the one listed first
(TIE_BREAKING, said on the result).

Greedy ("most approvals first": a project that no longer fits is skipped
and the next tried) is counted beside it for comparison.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

EQUAL_SHARES, GREEDY = "equal-shares", "greedy"
RULES = (EQUAL_SHARES, GREEDY)
ADD1, NO_COMPLETION = "add1", "none"
COMPLETIONS = (ADD1, NO_COMPLETION)

TIE_BREAKING = "more approvals, then the lower cost, then the project listed first"

# Why a project was not funded.
NOBODY_APPROVED = "nobody-approved"  # no ballot approves it
SHARES_TOO_SMALL = "shares-too-small"  # its supporters' shares left could not cover it
DOES_NOT_FIT = "does-not-fit"  # greedy: more than what was left of the budget


class BudgetError(ValueError):
    """A round that cannot be counted as given (said in the message)."""


@dataclass(frozen=True)
class Project:
    id: str
    cost: Fraction
    name: str = ""


@dataclass(frozen=True)
class Ballot:
    voter: str
    approved: frozenset
    share: Fraction = Fraction(1)  # the voter's weight: 1, or its exclusive area


@dataclass(frozen=True)
class Unfunded:
    reason: str
    supporters: int
    # What its supporters had left when the count ended (equal shares), or
    # what was left of the budget when its turn came (greedy).
    available: Fraction
    cost: Fraction

    @property
    def short_by(self):
        return max(Fraction(0), self.cost - self.available)


@dataclass
class Outcome:
    rule: str
    budget: Fraction
    funded: list  # project ids, in the order chosen
    spent: Fraction
    approvals: dict  # project id -> ballots approving it
    unfunded: dict  # project id -> Unfunded
    # Equal shares: project id -> {voter: what its share paid}; the payments
    # sum to the project's cost.
    payments: dict = field(default_factory=dict)
    completion: str = NO_COMPLETION
    # Equal shares: the share a voter of weight 1 started the deciding run
    # with (budget / total weight, plus the completion's steps), and the steps.
    share_per_weight: Fraction | None = None
    steps: int = 0
    tie_breaking: str = TIE_BREAKING

    @property
    def left(self):
        return self.budget - self.spent

    def paid_by(self, voter):
        """{project id: what `voter`'s share paid for it}, in the order funded."""
        return {p: self.payments[p][voter] for p in self.funded if voter in self.payments.get(p, {})}


def amount(value):
    """Yuan as an exact Fraction: an int, a Decimal or a decimal string
    (fen at most); never a float (0.1 is not a tenth in binary)."""
    if isinstance(value, float):
        raise BudgetError("amounts are exact: give a Decimal or a string, not a float")
    try:
        exact = Fraction(Decimal(str(value)) if isinstance(value, str) else value)
    except (ArithmeticError, ValueError, TypeError):
        raise BudgetError(f"not an amount: {value!r}") from None
    if exact * 100 != int(exact * 100):
        raise BudgetError(f"{value} has more than two decimals (fen)")
    return exact


def count(projects, ballots, budget, rule=EQUAL_SHARES, completion=ADD1):
    """The round's Outcome under `rule` (EQUAL_SHARES or GREEDY)."""
    projects, ballots, budget = _checked(projects, ballots, budget)
    if rule == GREEDY:
        return greedy(projects, ballots, budget)
    if rule != EQUAL_SHARES:
        raise BudgetError(f"unknown rule {rule!r}: {', '.join(RULES)}")
    return equal_shares(projects, ballots, budget, completion)


def _checked(projects, ballots, budget):
    projects = list(projects)
    ballots = list(ballots)
    budget = amount(budget)
    if budget < 0:
        raise BudgetError("the budget cannot be negative")
    ids = [p.id for p in projects]
    if len(set(ids)) != len(ids):
        raise BudgetError("two projects have the same id")
    for p in projects:
        if p.cost <= 0:
            raise BudgetError(f"project {p.id} must cost more than nothing")
    voters = [b.voter for b in ballots]
    if len(set(voters)) != len(voters):
        raise BudgetError("a voter has two ballots")
    known = set(ids)
    for b in ballots:
        if not b.approved <= known:
            raise BudgetError(f"{b.voter} approves unknown projects: {', '.join(sorted(b.approved - known))}")
        if b.share <= 0:
            raise BudgetError(f"{b.voter}'s share must be more than nothing")
    return projects, ballots, budget


def _approvals(projects, ballots):
    approvals = {p.id: 0 for p in projects}
    for b in ballots:
        for pid in b.approved:
            approvals[pid] += 1
    return approvals


# --- Greedy -------------------------------------------------------------------


def greedy(projects: Sequence[Project], ballots: Iterable[Ballot], budget: Fraction) -> Outcome:
    """Most approvals first (then the cheaper, then listed first); a project
    that no longer fits is skipped and the next tried. Nobody-approved
    projects are never funded."""
    approvals = _approvals(projects, ballots)
    order = sorted(range(len(projects)), key=lambda i: (-approvals[projects[i].id], projects[i].cost, i))
    funded, unfunded, spent = [], {}, Fraction(0)
    for i in order:
        p = projects[i]
        if approvals[p.id] == 0:
            unfunded[p.id] = Unfunded(NOBODY_APPROVED, 0, Fraction(0), p.cost)
        elif spent + p.cost <= budget:
            funded.append(p.id)
            spent += p.cost
        else:
            unfunded[p.id] = Unfunded(DOES_NOT_FIT, approvals[p.id], budget - spent, p.cost)
    return Outcome(GREEDY, budget, funded, spent, approvals, unfunded)


# --- Equal shares -------------------------------------------------------------


@dataclass
class _Group:
    """Voters with the same ballot and weight: they have the same share and
    pay the same amounts all along, so they are counted together."""

    approved: frozenset
    weight: Fraction
    voters: list


def _groups(ballots):
    by_key = defaultdict(list)
    for b in ballots:
        by_key[(b.approved, b.share)].append(b.voter)
    return [_Group(approved, weight, voters) for (approved, weight), voters in by_key.items()]


def equal_shares(projects, ballots, budget, completion=ADD1):
    """The Method of Equal Shares with `completion` (ADD1 or NO_COMPLETION)."""
    if completion not in COMPLETIONS:
        raise BudgetError(f"unknown completion {completion!r}: {', '.join(COMPLETIONS)}")
    approvals = _approvals(projects, ballots)
    groups = _groups(ballots)
    weight = sum((b.share for b in ballots), Fraction(0))
    if not groups or budget == 0:
        unfunded = {
            p.id: Unfunded(SHARES_TOO_SMALL if approvals[p.id] else NOBODY_APPROVED, approvals[p.id], 0, p.cost)
            for p in projects
        }
        share = budget / weight if weight else None
        return Outcome(
            EQUAL_SHARES, budget, [], Fraction(0), approvals, unfunded, completion=completion, share_per_weight=share
        )
    start = budget / weight
    # Who supports what does not change from one run of the completion to the next.
    supporters = {p.id: [k for k, g in enumerate(groups) if p.id in g.approved] for p in projects}
    outcome = _run(projects, groups, supporters, approvals, budget, start)
    if completion == ADD1:
        # One yuan more a voter per step: n yuan in all, split by weight.
        step = Fraction(len(ballots)) / weight
        steps = 0
        while not _exhaustive(outcome, projects, approvals):
            steps += 1
            following = _run(projects, groups, supporters, approvals, budget, start + steps * step)
            if following.spent > budget:
                break
            following.steps = steps
            outcome = following
    outcome.completion = completion
    # Who paid what, voter by voter (the runs kept it by group).
    outcome.payments = {
        pid: {voter: each for k, each in paid.items() for voter in groups[k].voters}
        for pid, paid in outcome.payments.items()
    }
    return outcome


def _exhaustive(outcome, projects, approvals):
    """No approved project left unfunded fits what is left of the budget."""
    funded = set(outcome.funded)
    return all(p.cost > outcome.left for p in projects if p.id not in funded and approvals[p.id])


def _run(projects, groups, supporters, approvals, budget, share_per_weight):
    """One run of the method with each group's voters starting at
    share_per_weight x their weight. `supporters`: project id -> the indexes
    of the groups that approve it."""
    left = [share_per_weight * g.weight for g in groups]
    candidates = [i for i, p in enumerate(projects) if supporters[p.id]]
    funded, payments, spent = [], {}, Fraction(0)
    while True:
        best = None
        for i in list(candidates):
            p = projects[i]
            alpha = _max_payment(p.cost, [(left[k], len(groups[k].voters)) for k in supporters[p.id]])
            if alpha is None:
                # Shares only shrink: it will never be affordable in this run.
                candidates.remove(i)
                continue
            key = (-(p.cost / alpha), -approvals[p.id], p.cost, i)
            if best is None or key < best[0]:
                best = (key, i, alpha)
        if best is None:
            break
        _key, i, alpha = best
        p = projects[i]
        candidates.remove(i)
        paid = {}
        for k in supporters[p.id]:
            paid[k] = min(left[k], alpha)
            left[k] -= paid[k]
        funded.append(p.id)
        payments[p.id] = paid  # by group: the completion runs this many times
        spent += p.cost
    unfunded = {}
    done = set(funded)
    for p in projects:
        if p.id in done:
            continue
        if not supporters[p.id]:
            unfunded[p.id] = Unfunded(NOBODY_APPROVED, 0, Fraction(0), p.cost)
        else:
            available = sum(left[k] * len(groups[k].voters) for k in supporters[p.id])
            unfunded[p.id] = Unfunded(SHARES_TOO_SMALL, approvals[p.id], available, p.cost)
    return Outcome(
        EQUAL_SHARES,
        budget,
        funded,
        spent,
        approvals,
        unfunded,
        payments=payments,
        share_per_weight=share_per_weight,
    )


def _max_payment(cost, supporters):
    """The least `alpha` such that supporters paying min(what they have left,
    alpha) each cover `cost`, or None if all they have is not enough.
    `supporters`: [(left, how many voters)]."""
    if sum(have * n for have, n in supporters) < cost:
        return None
    owed, payers = cost, sum(n for _have, n in supporters)
    for have, n in sorted(supporters):
        if have * payers >= owed:
            return owed / payers
        # These pay all they have; the others share the rest.
        owed -= have * n
        payers -= n
    return None  # not reached: the total covers the cost
