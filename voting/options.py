"""Counting a choice among options (micro-projects): pure Python, exact.

A "choice" poll takes one option per household; an "approval" poll any
number of options per household (approval voting). Each option is counted
by households, and for information by owner heads and exclusive area
(SPC interpretation 法释〔2009〕7号 Art. 8-9, via compounds.electorate).

Options are ranked by households. The poll chooses `seats` options (one by
default). Options with equal support share a rank; if such a group straddles
the last place chosen, its options are tied (并列) for the places left, and
the result says so: no option wins by a rule nobody chose. A tie-break rule,
if the poll set one before it opened, orders equal options by owner heads,
then by exclusive area (TIE_BREAK_HEADS_AREA); options equal on those too
stay tied. An option nobody supported never wins.

This decides no binding owners' matter: spending common funds on a project
still needs the Art. 278 vote on that project (voting.tally).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compounds.electorate import Summary, Unit, format_area, summarize

TIE_BREAK_NONE = "none"
TIE_BREAK_HEADS_AREA = "heads-area"
TIE_BREAKS = (TIE_BREAK_NONE, TIE_BREAK_HEADS_AREA)


class OptionsError(ValueError):
    pass


@dataclass(frozen=True)
class OptionCount:
    option: str
    support: Summary
    rank: int


@dataclass(frozen=True)
class OptionsResult:
    approval: bool
    electorate: Summary
    participating: Summary
    options: tuple[OptionCount, ...]  # in rank order
    seats: int = 1
    tie_break: str = TIE_BREAK_NONE
    winners: tuple[str, ...] = ()  # chosen outright
    tied: tuple[str, ...] = ()  # tied for the places left (empty: no tie)
    broken_ties: tuple[tuple[str, ...], ...] = ()  # equal households, set apart by the tie-break

    @property
    def places_tied(self) -> int:
        """How many places the tied options share."""
        return self.seats - len(self.winners) if self.tied else 0

    def as_json_dict(self) -> dict:
        def summary(s):
            return {"households": s.households, "heads": s.heads, "area": format_area(s.area)}

        return {
            "kind": "approval" if self.approval else "choice",
            "electorate": summary(self.electorate),
            "participating": summary(self.participating),
            "options": [{"option": o.option, "rank": o.rank, **summary(o.support)} for o in self.options],
            "seats": self.seats,
            "tie_break": self.tie_break,
            "winners": list(self.winners),
            "tied": list(self.tied),
            "places_tied": self.places_tied,
            "broken_ties": [list(group) for group in self.broken_ties],
        }


def count_options(
    units: Iterable[Unit],
    ballots: Mapping[str, Sequence[str]],
    options: Sequence[str],
    approval: bool,
    seats: int = 1,
    tie_break: str = TIE_BREAK_NONE,
) -> OptionsResult:
    """Count ballots {unit key: [option, ...]} over the electorate `units`;
    choose `seats` options, equal ones ordered by `tie_break`."""
    units = {unit.key: unit for unit in units}
    known = set(options)
    if seats < 1:
        raise OptionsError(f"a poll chooses at least one option, not {seats}")
    if tie_break not in TIE_BREAKS:
        raise OptionsError(f"unknown tie-break rule: {tie_break}")
    for key, chosen in ballots.items():
        if key not in units:
            raise OptionsError(f"ballot for a unit outside the electorate: {key}")
        if not chosen or not set(chosen) <= known:
            raise OptionsError(f"ballot of {key} names no known option: {chosen}")
        if not approval and len(chosen) != 1:
            raise OptionsError(f"ballot of {key} chooses {len(chosen)} options in a one-choice poll")
        if len(set(chosen)) != len(chosen):
            raise OptionsError(f"ballot of {key} names an option twice")
    counts = [
        (option, summarize(units[key] for key, chosen in ballots.items() if option in chosen)) for option in options
    ]

    def measure(support):
        if tie_break == TIE_BREAK_HEADS_AREA:
            return (support.households, support.heads, support.area)
        return (support.households, 0, Decimal(0))

    # Equal measures keep the order the options were listed in (display only:
    # they share a rank).
    order = sorted(counts, key=lambda c: (tuple(-m for m in measure(c[1])), options.index(c[0])))
    ranked, rank, previous = [], 0, None
    for position, (option, support) in enumerate(order, start=1):
        if measure(support) != previous:
            rank, previous = position, measure(support)
        ranked.append(OptionCount(option, support, rank))

    winners, tied = [], []
    for group in _groups(ranked):
        places = seats - len(winners)
        if places <= 0 or not group[0].support.households:
            break
        if len(group) <= places:
            winners += [o.option for o in group]
        else:
            tied = [o.option for o in group]
            break
    broken = []
    if tie_break != TIE_BREAK_NONE:
        by_households = {}
        for o in ranked:
            by_households.setdefault(o.support.households, []).append(o)
        broken = [
            tuple(o.option for o in same)
            for households, same in by_households.items()
            if households and len({o.rank for o in same}) > 1
        ]
    return OptionsResult(
        approval=approval,
        electorate=summarize(units.values()),
        participating=summarize(units[key] for key in ballots),
        options=tuple(ranked),
        seats=seats,
        tie_break=tie_break,
        winners=tuple(winners),
        tied=tuple(tied),
        broken_ties=tuple(broken),
    )


def _groups(ranked):
    """The ranked options in groups of equal rank."""
    groups = []
    for option in ranked:
        if groups and groups[-1][0].rank == option.rank:
            groups[-1].append(option)
        else:
            groups.append([option])
    return groups
