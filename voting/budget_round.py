"""A participatory budgeting round counted over its electorate, explained.

Pure Python (no Django): the households that cast a ballot are the voters
(an empty ballot counts), each with an equal share of the fund, or a share
in proportion to its exclusive area where the fund belongs to the owners by
area. voting.equal_shares decides; this module says who could vote, who
did, and what each project's supporters paid or lacked, in the words the
certificate, the projector and the phones show (amounts in yuan to the fen,
rounded half up for display only: the count itself is exact).

Greedy "most approvals first" is counted beside it for comparison.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property

from compounds.electorate import Summary, Unit, format_area, summarize
from voting import equal_shares
from voting.equal_shares import Ballot, Project

EQUAL, AREA = "equal", "area"
SHARE_BASES = (EQUAL, AREA)
# Stored for an empty ballot ("none of these projects"): it counts, and it
# names no option.
NO_PROJECT = "none"
# The tie-break of voting.equal_shares, as an id the templates put in words.
TIE_BREAKING = "approvals-cost-listed"


class RoundError(ValueError):
    pass


def yuan(amount) -> str:
    """An exact amount as yuan to the fen, half up: "12833.33"."""
    amount = Fraction(amount)
    cents = Decimal(amount.numerator * 100) / Decimal(amount.denominator)
    return f"{(cents.quantize(Decimal(1), ROUND_HALF_UP) / 100):.2f}"


def exact(amount) -> str:
    """An amount exactly: "12833.33" when fen say it all, else the fraction "77000/6"."""
    amount = Fraction(amount)
    if (amount * 100).denominator == 1:
        return yuan(amount)
    return f"{amount.numerator}/{amount.denominator}"


def approved_ids(choice: str) -> frozenset:
    """The option ids a stored approval choice names ("3,7"; NO_PROJECT: none)."""
    if choice == NO_PROJECT:
        return frozenset()
    return frozenset(part for part in choice.split(",") if part)


@dataclass
class RoundResult:
    electorate: Summary
    participating: Summary
    budget: Fraction
    share_basis: str
    projects: tuple  # equal_shares.Project, as listed
    ballots: tuple  # equal_shares.Ballot, one per voter
    fund: str = ""
    without_area: int = 0  # area shares: ballots of households with no area on the roster

    @cached_property
    def outcome(self):
        return equal_shares.count(self.projects, self.ballots, self.budget)

    @cached_property
    def greedy(self):
        return equal_shares.count(self.projects, self.ballots, self.budget, rule=equal_shares.GREEDY)

    @cached_property
    def total_weight(self):
        return sum((b.share for b in self.ballots), Fraction(0))

    @cached_property
    def _weights(self):
        return {b.voter: b.share for b in self.ballots}

    def share_of(self, voter) -> Fraction | None:
        """What `voter`'s share of the real fund is (None: not a voter here)."""
        weight = self._weights.get(voter)
        return None if weight is None else self.budget * weight / self.total_weight

    def paid_by(self, voter) -> dict:
        """{project id: what `voter`'s share paid}, in the order funded."""
        return self.outcome.paid_by(voter)

    def as_json_dict(self) -> dict:
        outcome, greedy = self.outcome, self.greedy
        weight = self.total_weight
        # A voter of weight 1 starts with this much of the real fund: per
        # household, or per m² of area.
        share = self.budget / weight if weight else None
        order = {pid: n for n, pid in enumerate(outcome.funded, start=1)}
        listed = {p.id: n for n, p in enumerate(self.projects)}
        projects = sorted(
            self.projects,
            key=lambda p: (
                order.get(p.id, len(order) + 1),
                -outcome.approvals[p.id],
                listed[p.id],
            ),
        )
        return {
            "kind": "budget",
            "electorate": _summary(self.electorate),
            "participating": _summary(self.participating),
            "fund": self.fund,
            "budget": yuan(self.budget),
            "share_basis": self.share_basis,
            "voters": len(self.ballots),
            "voters_area": format_area(Decimal(weight.numerator) / Decimal(weight.denominator))
            if self.share_basis == AREA and weight
            else None,
            "without_area": self.without_area,
            "share": yuan(share) if share is not None else None,
            "share_exact": exact(share) if share is not None else None,
            "rule": equal_shares.EQUAL_SHARES,
            "completion": outcome.completion,
            "steps": outcome.steps,
            # The deciding run's share (raised by the completion's steps).
            "virtual_share": yuan(outcome.share_per_weight) if outcome.share_per_weight is not None else None,
            "tie_breaking": TIE_BREAKING,
            "funded": list(outcome.funded),
            "winners": list(outcome.funded),
            "spent": yuan(outcome.spent),
            "left": yuan(outcome.left),
            "projects": [self._project(p, order) for p in projects],
            "greedy": {
                "funded": list(greedy.funded),
                "spent": yuan(greedy.spent),
                "left": yuan(greedy.left),
                "skipped": {
                    pid: {"reason": u.reason, "left": yuan(u.available)}
                    for pid, u in greedy.unfunded.items()
                    if u.reason == equal_shares.DOES_NOT_FIT
                },
            },
        }

    def _project(self, project, order):
        outcome = self.outcome
        row = {
            "option": project.id,
            "cost": yuan(project.cost),
            "approvals": outcome.approvals[project.id],
            "funded": project.id in order,
            "order": order.get(project.id),
            "greedy_funded": project.id in self.greedy.funded,
        }
        if project.id in order:
            # Supporters pay equal amounts, capped by what they had left:
            # the payments as amount -> how many households paid it, the
            # largest first.
            paid = Counter(outcome.payments[project.id].values())
            row["paid"] = [{"amount": yuan(a), "households": n} for a, n in sorted(paid.items(), reverse=True)]
        else:
            unfunded = outcome.unfunded[project.id]
            row["reason"] = unfunded.reason
            row["available"] = yuan(unfunded.available)
            row["short_by"] = yuan(unfunded.short_by)
        return row


def _summary(s):
    return {"households": s.households, "heads": s.heads, "area": format_area(s.area)}


def count_round(
    units: Iterable[Unit],
    ballots: Mapping[str, str],
    projects: Sequence[Project],
    budget,
    share_basis: str = EQUAL,
    fund: str = "",
) -> RoundResult:
    """Count stored ballots {unit key: choice} over the electorate `units`
    for `projects` (each id an option's, its cost exact). With AREA shares, a household
    without area on the roster holds no share: its ballot is reported
    (`without_area`), not counted."""
    if share_basis not in SHARE_BASES:
        raise RoundError(f"unknown share basis: {share_basis}")
    units = {unit.key: unit for unit in units}
    known = {p.id for p in projects}
    counted, without_area = [], 0
    for key, choice in ballots.items():
        if key not in units:
            raise RoundError(f"ballot for a unit outside the electorate: {key}")
        approved = approved_ids(choice)
        if not approved <= known:
            raise RoundError(f"ballot of {key} names unknown options: {sorted(approved - known)}")
        if share_basis == AREA:
            if units[key].area <= 0:
                without_area += 1
                continue
            counted.append(Ballot(key, approved, Fraction(units[key].area)))
        else:
            counted.append(Ballot(key, approved))
    return RoundResult(
        electorate=summarize(units.values()),
        participating=summarize(units[key] for key in ballots),
        budget=equal_shares.amount(budget),
        share_basis=share_basis,
        projects=tuple(projects),
        ballots=tuple(counted),
        fund=fund,
        without_area=without_area,
    )
