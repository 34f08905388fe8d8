"""Counting a choice among options (micro-projects): pure Python, exact.

A "choice" poll takes one option per household; an "approval" poll any
number of options per household (approval voting). Each option is counted
by households, and for information by owner heads and exclusive area
(SPC interpretation 法释〔2009〕7号 Art. 8-9, via voting.electorate). Options
are ranked by households, then heads, then area; options equal on all three
share a rank (a tie the meeting must settle, e.g. by a run-off).

This decides no binding owners' matter: spending common funds on a project
still needs the Art. 278 vote on that project (voting.tally).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from voting.electorate import Summary, Unit, summarize


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

    @property
    def winners(self) -> tuple[str, ...]:
        """The options ranked first (more than one: a tie)."""
        return tuple(o.option for o in self.options if o.rank == 1 and o.support.households)

    def as_json_dict(self) -> dict:
        def summary(s):
            return {"households": s.households, "heads": s.heads, "area": f"{s.area:.2f}"}

        return {
            "kind": "approval" if self.approval else "choice",
            "electorate": summary(self.electorate),
            "participating": summary(self.participating),
            "options": [{"option": o.option, "rank": o.rank, **summary(o.support)} for o in self.options],
            "winners": list(self.winners),
        }


def count_options(
    units: Iterable[Unit], ballots: Mapping[str, Sequence[str]], options: Sequence[str], approval: bool
) -> OptionsResult:
    """Count ballots {unit key: [option, ...]} over the electorate `units`."""
    units = {unit.key: unit for unit in units}
    known = set(options)
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
    order = sorted(counts, key=lambda c: (-c[1].households, -c[1].heads, -c[1].area, options.index(c[0])))
    ranked, rank, previous = [], 0, None
    for position, (option, support) in enumerate(order, start=1):
        measure = (support.households, support.heads, support.area)
        if measure != previous:
            rank, previous = position, measure
        ranked.append(OptionCount(option, support, rank))
    return OptionsResult(
        approval=approval,
        electorate=summarize(units.values()),
        participating=summarize(units[key] for key in ballots),
        options=tuple(ranked),
    )
