"""Counting a vote: the decision rules, exactly, in plain Python.

No ORM and no floats. Areas are summed as Decimal (exact for two-place
areas); every ratio is compared as a Fraction, cross-multiplied, so
"2/3 of 101.31 m²" is exactly 67.54 m² and not 67.53999999999999.

    result = count("civil-code-ordinary", units, {"3幢2单元502": "for", ...})
    result.passed, result.conditions, result.as_json_dict()

Who counts and how much (owner heads, exclusive area) is compounds.electorate
(SPC interpretation 法释〔2009〕7号 Art. 8 and 9); this module only decides
who took part, who approved, and whether that is enough under a rule.

How a ballot is counted
- A ballot maps a unit (household) key to a choice: "for", "against",
  "abstain". A unit without a ballot did not take part.
- Abstaining is taking part: it counts toward participation (the quorum),
  never toward approval.
- Rules counted by owner (the Civil Code rules and the elevator rule): an
  owner casts one vote however many units they hold, so all ballots of one
  owner head must carry the same choice, or OwnerBallotsDisagree is raised.
  That one vote covers all the owner's units in the electorate: a taking-part
  owner takes part with their whole area (Art. 8 sums an owner's areas), even
  when a ballot was recorded for only one of their units.
- Rules counted by household (council simple majority, residents' meeting):
  each household's ballot is its own vote; owner heads and area are reported
  for information only.

Owners who do not vote (DOMAIN.md; MOHURD 业主大会和业主委员会指导规则 Art. 26(2))
- "随多数" (follow the majority, FOLLOW) is a ballot only where the compound's
  rules offer it: count(..., follow_majority=True). The strict tally counts it
  as taking part (toward the quorum) and in neither for, against nor abstain;
  the follow_majority tally (Result.follow_majority) adds those owners to the
  majority.
- The silence rule, only where the procedural rules adopt it (Art. 26(2)
  leaves it to them): count(..., silence=Silence(served=...)). The silence
  tally (Result.silence) starts from the follow_majority one (or the strict
  one) and adds every owner who cast no ballot and was served a ballot to the
  majority, as taking part. Zhejiang 2009 Art. 10(2)'s floor, if asked for
  (Silence(floor=True)): the enlarged for must exceed half of all owners and
  of all the area.
- The majority is the option leading on BOTH area and heads (households, for
  rules counted by household) among the returned ballots. If no option leads
  on both, nothing is allocated and the result says so (split_leads). The
  strict tally is always there beside the others.

Outcomes are three (DOMAIN.md): 通过 (passed), 未通过 (failed) and
未产生有效决定 (no valid decision: the participation threshold was not met).

Thresholds follow Civil Code Art. 1259: "以上" (at least) includes the number
itself (inclusive); "过半数" (more than half) does not (strict).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from compounds.electorate import Summary, Unit, format_area, head_of, summarize


def _(text):
    """Marks a label for translation without importing Django, so this module
    stays pure Python: makemessages collects `_("...")`, and the pages and the
    command translate the English text where they show it (voting/labels.py)."""
    return text


FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
YES_NO = (FOR, AGAINST, ABSTAIN)
# "随多数": a ballot box some compounds' rules add (never one of YES_NO: a
# poll offers it only where those rules allow it).
FOLLOW = "follow"
CHOICE_LABELS = {FOR: _("for"), AGAINST: _("against"), ABSTAIN: _("abstain"), FOLLOW: _("follow the majority")}

# The three outcomes: 通过, 未通过, 未产生有效决定 (too few took part).
PASSED, FAILED, NO_VALID_DECISION = "passed", "failed", "no_valid_decision"
OUTCOMES = (PASSED, FAILED, NO_VALID_DECISION)
OUTCOME_LABELS = {PASSED: _("passed"), FAILED: _("failed"), NO_VALID_DECISION: _("no valid decision")}

ONE_HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)

# What a condition measures.
AREA, HEADS, HOUSEHOLDS = "area", "heads", "households"
# When it is tested: FLOOR only in a silence tally that asked for the floor.
QUORUM, APPROVAL, FLOOR = "quorum", "approval", "floor"

# Each condition a rule may test: (stage, what it measures, how a certificate names it).
CONDITIONS = {
    "participation_area": (QUORUM, AREA, _("participation by area")),
    "participation_heads": (QUORUM, HEADS, _("participation by owners")),
    "participation_households": (QUORUM, HOUSEHOLDS, _("participation by households")),
    "approval_area": (APPROVAL, AREA, _("approval by area")),
    "approval_heads": (APPROVAL, HEADS, _("approval by owners")),
    "approval_households": (APPROVAL, HOUSEHOLDS, _("approval by households")),
    "for_over_against": (APPROVAL, HOUSEHOLDS, _("for over against (votes cast)")),
    "floor_area": (FLOOR, AREA, _("for, of all the area (floor)")),
    "floor_heads": (FLOOR, HEADS, _("for, of all owners (floor)")),
    "floor_households": (FLOOR, HOUSEHOLDS, _("for, of all households (floor)")),
}

# Rule ids, as Poll.rule stores them: named here only (voting.models builds
# its choices, with their labels, from these).
SIMPLE_MAJORITY = "simple-majority"
CIVIL_CODE_ORDINARY = "civil-code-ordinary"
CIVIL_CODE_SPECIAL = "civil-code-special"
RESIDENTS_MEETING = "residents-meeting"
ELEVATOR = "elevator"
# A choice among options, counted by voting.options rather than by a Rule here.
PLURALITY = "plurality"


# Errors ----------------------------------------------------------------------


class TallyError(ValueError):
    """Ballots or an electorate that cannot be counted as given."""


class UnknownRuleError(TallyError):
    pass


class UnknownUnitError(TallyError):
    """Ballots for units that are not in the electorate."""

    def __init__(self, keys):
        self.keys = tuple(keys)
        super().__init__(f"ballots for units outside the electorate: {', '.join(self.keys)}")


class UnknownChoiceError(TallyError):
    """Choices the rule does not know (a yes/no rule takes for/against/abstain)."""

    def __init__(self, choices: Mapping[str, str]):
        self.choices = dict(choices)
        listed = ", ".join(f"{key}={choice!r}" for key, choice in self.choices.items())
        super().__init__(f"unknown choices: {listed}")


class FollowMajorityNotAllowed(TallyError):
    """随多数 ballots in a vote whose rules do not offer that choice.

    Counting them anyway would apply a rule the compound never adopted (it is
    theirs to adopt: MOHURD 指导规则 Art. 26(2))."""

    def __init__(self, keys):
        self.keys = tuple(keys)
        super().__init__(f"follow-the-majority ballots where the rules do not offer it: {', '.join(self.keys)}")


@dataclass(frozen=True)
class Disagreement:
    """One owner head whose units' ballots differ: ((unit key, choice), ...)."""

    head: str
    ballots: tuple[tuple[str, str], ...]


class OwnerBallotsDisagree(TallyError):
    """An owner (or the developer) cast different choices for their units.

    They have one vote (SPC Art. 9), so the caller must resolve which one it is.
    """

    def __init__(self, disagreements: Iterable[Disagreement]):
        self.disagreements = tuple(disagreements)
        listed = "; ".join(", ".join(f"{key}={choice}" for key, choice in d.ballots) for d in self.disagreements)
        super().__init__(f"one owner's units carry different choices: {listed}")


class ScopeError(TallyError):
    """The electorate does not lie where the scope (or the rule) says."""


# Where units are -------------------------------------------------------------


@dataclass(frozen=True)
class PlacedUnit(Unit):
    """A Unit that says where it is (building 楼栋, building unit 单元).

    electorate.Unit does not carry its place; the elevator rule needs it to
    refuse an electorate that spans several building units, and a Scope
    needs it to refuse units outside the scope.
    """

    building: str = ""
    building_unit: str = ""


@dataclass(frozen=True)
class Scope:
    """The part of a compound a vote is about: a building, or one building unit.

    unit=None is the whole building; unit="" is a building's unnamed unit
    (shops), as in the roster.
    """

    building: str
    unit: str | None = None

    @property
    def label(self) -> str:
        return f"{self.building}{self.unit or ''}"

    @property
    def is_building_unit(self) -> bool:
        return self.unit is not None

    def contains(self, unit: Unit) -> bool:
        if not isinstance(unit, PlacedUnit) or unit.building != self.building:
            return False
        return self.unit is None or unit.building_unit == self.unit


# Conditions ------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One test of a rule, with the numbers a certificate shows:
    "participation by area: 21,000.00 / 30,000.00 m² = 70.00% ≥ 2/3 ✓"."""

    name: str
    stage: str  # QUORUM or APPROVAL
    measure: str  # AREA, HEADS or HOUSEHOLDS
    numerator: int | Decimal
    denominator: int | Decimal
    threshold: Fraction
    inclusive: bool  # True: ratio >= threshold (以上); False: ratio > threshold (过半数)
    met: bool

    @property
    def label(self):
        return CONDITIONS[self.name][2]

    @property
    def ratio(self) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.numerator) / Fraction(self.denominator)

    def as_json_dict(self) -> dict:
        def number(value):
            return format_area(value) if self.measure == AREA else value

        return {
            "name": self.name,
            "stage": self.stage,
            "measure": self.measure,
            "numerator": number(self.numerator),
            "denominator": number(self.denominator),
            "threshold": str(self.threshold),
            "inclusive": self.inclusive,
            "met": self.met,
        }


def at_least(threshold: Fraction, name: str, part, whole) -> Condition:
    """part / whole >= threshold: "以上", which includes the number itself (Civil Code Art. 1259)."""
    return _condition(name, part, whole, threshold, inclusive=True)


def more_than(threshold: Fraction, name: str, part, whole) -> Condition:
    """part / whole > threshold: "过半数" (more than half) does not include it."""
    return _condition(name, part, whole, threshold, inclusive=False)


def _condition(name, part, whole, threshold, *, inclusive):
    stage, measure, _label = CONDITIONS[name]
    if not whole:
        # Nothing to measure against (nobody in the electorate, nobody took
        # part, no vote cast): nothing is decided.
        met = False
    else:
        # part / whole against threshold, cross-multiplied: exact.
        left, right = Fraction(part), threshold * Fraction(whole)
        met = left >= right if inclusive else left > right
    return Condition(name, stage, measure, part, whole, threshold, inclusive, met)


# Rules -----------------------------------------------------------------------


class Rule:
    """A decision rule: which conditions a vote must meet.

    counts_heads: True counts owners (SPC Art. 9) and area (Art. 8), one vote
    per owner; False counts one vote per household.
    """

    id = ""
    label = ""
    counts_heads = True
    quorum: Fraction | None = None
    approval: Fraction = ONE_HALF
    choices = YES_NO

    def conditions(self, electorate: Summary, participating: Summary, votes: Mapping[str, Summary]):
        raise NotImplementedError

    def check_electorate(self, units: tuple[Unit, ...], scope: "Scope | None") -> None:
        """Raise ScopeError if the rule cannot apply to this electorate."""

    def __repr__(self):
        return f"<Rule {self.id}>"


class _Article278(Rule):
    """Owners' joint decisions, PRC Civil Code Art. 278 para. 2.

    Participation: owners holding at least 2/3 of the exclusive area AND at
    least 2/3 of the owners take part ("三分之二以上", inclusive, Art. 1259).
    Approval is measured against the participating area and owners.
    """

    counts_heads = True
    quorum = TWO_THIRDS

    def participation(self, electorate, participating):
        return [
            at_least(TWO_THIRDS, "participation_area", participating.area, electorate.area),
            at_least(TWO_THIRDS, "participation_heads", participating.heads, electorate.heads),
        ]


class CivilCodeOrdinary(_Article278):
    """Civil Code Art. 278 para. 2, every matter but items (6)-(8): procedural
    rules, the management convention, electing the owners' committee, hiring
    or firing the property company, using the maintenance fund, other major
    matters.

    Approval: more than half ("过半数", strict) of the participating area AND
    more than half of the participating owners.
    """

    id = CIVIL_CODE_ORDINARY
    label = _("Civil Code Art. 278, ordinary matter")
    approval = ONE_HALF

    def conditions(self, electorate, participating, votes):
        return self.participation(electorate, participating) + [
            more_than(ONE_HALF, "approval_area", votes[FOR].area, participating.area),
            more_than(ONE_HALF, "approval_heads", votes[FOR].heads, participating.heads),
        ]


class CivilCodeSpecial(_Article278):
    """Civil Code Art. 278 para. 1 items (6)-(8), para. 2: raising the
    maintenance fund; rebuilding or reconstructing buildings and their
    facilities; changing the use of common parts or using them for business.

    Approval: at least 3/4 ("四分之三以上", inclusive) of the participating
    area AND at least 3/4 of the participating owners.
    """

    id = CIVIL_CODE_SPECIAL
    label = _("Civil Code Art. 278, special matter")
    approval = THREE_QUARTERS

    def conditions(self, electorate, participating, votes):
        return self.participation(electorate, participating) + [
            at_least(THREE_QUARTERS, "approval_area", votes[FOR].area, participating.area),
            at_least(THREE_QUARTERS, "approval_heads", votes[FOR].heads, participating.heads),
        ]


class Elevator(CivilCodeSpecial):
    """Elevator retrofit in Hangzhou (杭州市人民政府令第324号, from 2021-04-01):
    decided per building unit (单元) by that unit's owners only, with the
    Art. 278 special-matter thresholds: at least 2/3 of the unit's area and
    owners take part, at least 3/4 of participating area and owners approve.

    The electorate must be one building unit's households, as PlacedUnits, so
    this can be checked; a Scope, if given, must name that building unit.
    (An owner whose own space is occupied must consent separately: that is
    not a vote and is not counted here.)
    """

    id = ELEVATOR
    label = _("Hangzhou elevator retrofit (one building unit)")

    def check_electorate(self, units, scope):
        if scope is not None and not scope.is_building_unit:
            raise ScopeError(f"the elevator rule counts one building unit, not the whole of {scope.label}")
        unplaced = [unit.key for unit in units if not isinstance(unit, PlacedUnit)]
        if unplaced:
            raise ScopeError(f"the elevator rule needs each unit's building unit (PlacedUnit): {', '.join(unplaced)}")
        places = sorted({(unit.building, unit.building_unit) for unit in units})
        if len(places) > 1:
            listed = ", ".join(f"{building}{name}" for building, name in places)
            raise ScopeError(f"the elevator rule counts one building unit; this electorate spans {listed}")


class ResidentsMeeting(Rule):
    """Residents' meeting (居民会议), Urban Residents' Committees Law
    (城市居民委员会组织法) Art. 10: held when more than half of the households
    send a representative; a decision needs more than half of those present.
    Both "过半数": strict. Counted per household.
    """

    id = RESIDENTS_MEETING
    label = _("Residents' meeting (Urban Residents' Committees Law)")
    counts_heads = False
    quorum = ONE_HALF
    approval = ONE_HALF

    def conditions(self, electorate, participating, votes):
        return [
            more_than(ONE_HALF, "participation_households", participating.households, electorate.households),
            more_than(ONE_HALF, "approval_households", votes[FOR].households, participating.households),
        ]


class SimpleMajority(Rule):
    """Council and deliberation votes (议事会): a simple majority of the votes
    cast, one vote per household. Passes when for > against; abstentions are
    not counted; a tie fails. A council's own choice, not a statute: it
    recommends, and binding owners' decisions go to an Art. 278 vote.

    No quorum, unless one is given: SimpleMajority(quorum=Fraction(1, 2))
    requires at least that share of the households to take part (inclusive).
    """

    id = SIMPLE_MAJORITY
    label = _("Simple majority of votes cast (council)")
    counts_heads = False
    approval = ONE_HALF

    def __init__(self, quorum: Fraction | None = None):
        if quorum is not None and not isinstance(quorum, Fraction):
            raise TypeError("quorum must be a Fraction")
        self.quorum = quorum

    def conditions(self, electorate, participating, votes):
        conditions = []
        if self.quorum is not None:
            households = participating.households, electorate.households
            conditions.append(at_least(self.quorum, "participation_households", *households))
        in_favour, against = votes[FOR].households, votes[AGAINST].households
        # for > against is the same as for > 1/2 of (for + against).
        conditions.append(more_than(ONE_HALF, "for_over_against", in_favour, in_favour + against))
        return conditions


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.id: rule
        for rule in (SimpleMajority(), CivilCodeOrdinary(), CivilCodeSpecial(), ResidentsMeeting(), Elevator())
    }
)


# Counting --------------------------------------------------------------------


@dataclass(frozen=True)
class Silence:
    """The silence rule, where the compound's procedural rules adopt it (MOHURD
    指导规则 Art. 26(2)): owners who cast no ballot count with the majority.

    served: keys of the units whose ballot was actually served; only their
    owners are counted (a court upholds the rule only for ballots served:
    (2022)沪02民初16号). Keys outside the electorate are ignored, so one list
    for the whole compound serves a building's vote too.
    floor: Zhejiang 2009 Art. 10(2): the enlarged for must also exceed half of
    all owners and half of all the area.
    """

    served: frozenset[str] = frozenset()
    floor: bool = False

    def __post_init__(self):
        object.__setattr__(self, "served", frozenset(self.served))


@dataclass(frozen=True)
class Result:
    rule: str
    scope: str | None
    quorum_threshold: Fraction | None
    approval_threshold: Fraction
    ballots: int  # ballots as recorded; households below may be more (one owner's vote covers all their units)
    electorate: Summary
    participating: Summary
    votes: Mapping[str, Summary]  # choice -> who chose it (FOLLOW too, where the rules offer it)
    conditions: tuple[Condition, ...]
    quorum_met: bool
    passed: bool
    # The strict tally carries the others, when they apply: 随多数 ballots
    # counted with the majority, then silent served owners too.
    follow_majority: "Result | None" = None
    silence: "Result | None" = None
    # On those two only: the majority (FOR, AGAINST, or None when no option
    # leads on both area and heads), who was added to it, and the floor.
    majority: str | None = None
    split_leads: bool = False
    allocated: Summary | None = None
    floor: tuple[Condition, ...] = ()

    @property
    def in_favour(self) -> Summary:
        return self.votes[FOR]

    @property
    def against(self) -> Summary:
        return self.votes[AGAINST]

    @property
    def abstaining(self) -> Summary:
        return self.votes[ABSTAIN]

    @property
    def outcome(self) -> str:
        return outcome_of(self.quorum_met, self.passed)

    def as_json_dict(self) -> dict:
        data = {
            "rule": self.rule,
            "scope": self.scope,
            "electorate": _summary_json(self.electorate),
            "participating": _summary_json(self.participating),
        }
        for choice, summary in self.votes.items():
            data[choice] = _summary_json(summary)
        data.update(
            {
                "quorum_met": self.quorum_met,
                "passed": self.passed,
                "ballots": self.ballots,
                "thresholds": {
                    "quorum": None if self.quorum_threshold is None else str(self.quorum_threshold),
                    "approval": str(self.approval_threshold),
                },
                "conditions": [c.as_json_dict() for c in self.conditions],
                "outcome": self.outcome,
            }
        )
        if self.allocated is not None:
            data["majority"] = self.majority
            data["split_leads"] = self.split_leads
            data["allocated"] = _summary_json(self.allocated)
        if self.floor:
            data["floor"] = [c.as_json_dict() for c in self.floor]
        if self.follow_majority is not None:
            data["follow_majority"] = self.follow_majority.as_json_dict()
        if self.silence is not None:
            data["silence"] = self.silence.as_json_dict()
        return data


def outcome_of(quorum_met: bool, passed: bool) -> str:
    """通过, 未通过, or 未产生有效决定 when too few took part. A rule without a
    quorum (a council's simple majority) always has its quorum met, so it
    never ends without a valid decision."""
    if not quorum_met:
        return NO_VALID_DECISION
    return PASSED if passed else FAILED


def count(
    rule: str | Rule,
    units: Iterable[Unit],
    ballots: Mapping[str, str],
    scope: Scope | None = None,
    *,
    follow_majority: bool = False,
    silence: Silence | None = None,
) -> Result:
    """Count ballots {unit key: choice} over the electorate `units` under a rule.

    scope: where the electorate lies, for the record; when given, every unit
    must be a PlacedUnit inside it. follow_majority: the compound's rules offer
    随多数 (FOLLOW) ballots; without it they are refused. silence: the silence
    rule applies (Silence). Raises a TallyError subclass for ballots that
    cannot be counted as given.

    The result is the strict tally; result.follow_majority (when a 随多数
    ballot was cast) and result.silence (when silence is given) the others.
    """
    rule = get_rule(rule)
    units = tuple(units)
    _check(rule, units, ballots, scope, follow_majority)
    if rule.counts_heads:
        disagreements = find_disagreements(units, ballots)
        if disagreements:
            raise OwnerBallotsDisagree(disagreements)
        cast = _cover(units, ballots)
    else:
        cast = dict(ballots)

    choices = (*rule.choices, FOLLOW) if follow_majority else rule.choices
    scope_label = scope.label if scope else None

    def tally(cast, **extra):
        return _tally(rule, units, cast, choices, scope_label, len(ballots), **extra)

    strict = tally(cast)
    if not (FOLLOW in ballots.values() or silence is not None):
        return strict

    majority = _majority(rule, strict.votes)
    lead = {"majority": majority, "split_leads": majority is None}
    follow = None
    if FOLLOW in ballots.values():
        followers = [unit for unit in units if cast.get(unit.key) == FOLLOW] if majority else []
        cast = _allocate(cast, followers, majority)
        follow = tally(cast, allocated=summarize(followers), **lead)
    silent = None
    if silence is not None:
        # From the follow-majority count when there is one: cast is its.
        added = _silent_served(rule, units, cast, silence.served) if majority else []
        silent = tally(_allocate(cast, added, majority), allocated=summarize(added), floor=silence.floor, **lead)
    return replace(strict, follow_majority=follow, silence=silent)


def _tally(rule, units, cast, choices, scope_label, ballots, *, floor=False, **extra):
    """One tally of `cast` ({unit key: choice}, each owner's vote on all their units)."""
    electorate = summarize(units)
    participating = summarize(unit for unit in units if unit.key in cast)
    votes = MappingProxyType(
        {choice: summarize(unit for unit in units if cast.get(unit.key) == choice) for choice in choices}
    )
    conditions = tuple(rule.conditions(electorate, participating, votes))
    quorum_met = all(c.met for c in conditions if c.stage == QUORUM)
    floor_conditions = _floor(rule, electorate, votes) if floor else ()
    passed = quorum_met and all(c.met for c in conditions + floor_conditions if c.stage != QUORUM)
    return Result(
        rule=rule.id,
        scope=scope_label,
        quorum_threshold=rule.quorum,
        approval_threshold=rule.approval,
        ballots=ballots,
        electorate=electorate,
        participating=participating,
        votes=votes,
        conditions=conditions,
        quorum_met=quorum_met,
        passed=passed,
        floor=floor_conditions,
        **extra,
    )


def decide(rule: str | Rule, electorate: Summary, participating: Summary, votes: Mapping[str, Summary]) -> Result:
    """A result from totals another system counted (a city's online ballot,
    its official result imported): the same conditions and outcome as
    `count`, from the electorate's, the participants' and each choice's
    households, heads and area. Raises TallyError for totals that cannot be
    (more taking part than may, more votes than took part)."""
    rule = get_rule(rule)
    votes = MappingProxyType({choice: votes.get(choice, Summary(0, 0, Decimal(0))) for choice in rule.choices})
    for name in ("households", "heads", "area"):
        if getattr(participating, name) > getattr(electorate, name):
            raise TallyError(f"more {name} took part than the electorate holds")
        if sum(getattr(summary, name) for summary in votes.values()) > getattr(participating, name):
            raise TallyError(f"the choices add up to more {name} than took part")
    conditions = tuple(rule.conditions(electorate, participating, votes))
    quorum_met = all(c.met for c in conditions if c.stage == QUORUM)
    return Result(
        rule=rule.id,
        scope=None,
        quorum_threshold=rule.quorum,
        approval_threshold=rule.approval,
        ballots=participating.households,
        electorate=electorate,
        participating=participating,
        votes=votes,
        conditions=conditions,
        quorum_met=quorum_met,
        passed=quorum_met and all(c.met for c in conditions if c.stage == APPROVAL),
    )


def _majority(rule, votes):
    """FOR or AGAINST, whichever leads on both area and heads among the
    returned ballots (households, for a rule counted by household); None when
    neither does (different leaders, or a tie on either).

    Only for and against can be the majority. Art. 26(2) counts a silent
    owner "计入已表决的多数票", with the prevailing view on the motion; an
    abstention takes no view. Counting silent owners as abstaining would make
    them participants whose weight only raises the bar of approval (approval
    is measured against participation), which is no one's majority view.
    """
    measure = "heads" if rule.counts_heads else "households"
    in_favour, against = votes[FOR], votes[AGAINST]
    for leader, other in ((in_favour, against), (against, in_favour)):
        if getattr(leader, measure) > getattr(other, measure) and leader.area > other.area:
            return FOR if leader is in_favour else AGAINST
    return None


def _allocate(cast, units, choice):
    """cast with `units` counted as `choice`."""
    return {**cast, **dict.fromkeys((unit.key for unit in units), choice)}


def _silent_served(rule, units, cast, served):
    """The units of each owner (household, for a rule counted by household)
    who cast no ballot and was served one: all of the owner's units in the
    electorate, if any one of them was served. An owner whose one ballot
    covers their other units is not silent on those (SPC Art. 9: one vote)."""
    voters: dict[str, list[Unit]] = {}
    for unit in units:
        voters.setdefault(head_of(unit) if rule.counts_heads else unit.key, []).append(unit)
    silent = []
    for own in voters.values():
        if not any(unit.key in cast for unit in own) and any(unit.key in served for unit in own):
            silent.extend(own)
    return silent


def _floor(rule, electorate, votes):
    """Zhejiang 2009 Art. 10(2): the for of an enlarged majority must exceed
    half (过半数, strict) of all owners and of all the area of the electorate.
    A rule counted by household counts its households instead of owners."""
    in_favour = votes[FOR]
    if rule.counts_heads:
        voters = more_than(ONE_HALF, "floor_heads", in_favour.heads, electorate.heads)
    else:
        voters = more_than(ONE_HALF, "floor_households", in_favour.households, electorate.households)
    return (more_than(ONE_HALF, "floor_area", in_favour.area, electorate.area), voters)


def get_rule(rule: str | Rule) -> Rule:
    if isinstance(rule, Rule):
        return rule
    try:
        return RULES[rule]
    except KeyError:
        raise UnknownRuleError(f"unknown rule {rule!r}; known: {', '.join(RULES)}") from None


def find_disagreements(units: Iterable[Unit], ballots: Mapping[str, str]) -> list[Disagreement]:
    """Owner heads (SPC Art. 9) whose units' ballots carry different choices.

    In the units' order, so a report reads like the roster."""
    by_head: dict[str, list[tuple[str, str]]] = {}
    for unit in units:
        if unit.key in ballots:
            by_head.setdefault(head_of(unit), []).append((unit.key, ballots[unit.key]))
    return [
        Disagreement(head, tuple(cast)) for head, cast in by_head.items() if len({choice for _key, choice in cast}) > 1
    ]


def _cover(units, ballots):
    """{unit key: choice} with each owner's one vote on all their units."""
    choice_of_head = {head_of(unit): ballots[unit.key] for unit in units if unit.key in ballots}
    return {unit.key: choice_of_head[head_of(unit)] for unit in units if head_of(unit) in choice_of_head}


def _check(rule, units, ballots, scope, follow_majority=False):
    keys = [unit.key for unit in units]
    if len(set(keys)) != len(keys):
        raise ValueError("unit keys must be unique within an electorate")
    known = set(keys)
    unknown = [key for key in ballots if key not in known]
    if unknown:
        raise UnknownUnitError(sorted(unknown))
    bad = {key: choice for key, choice in ballots.items() if choice not in rule.choices and choice != FOLLOW}
    if bad:
        raise UnknownChoiceError(dict(sorted(bad.items())))
    following = sorted(key for key, choice in ballots.items() if choice == FOLLOW)
    if following and not follow_majority:
        raise FollowMajorityNotAllowed(following)
    if scope is not None:
        outside = [unit.key for unit in units if not scope.contains(unit)]
        if outside:
            raise ScopeError(f"units outside scope {scope.label}: {', '.join(outside)}")
    rule.check_electorate(units, scope)


# Display ---------------------------------------------------------------------


def _summary_json(summary: Summary) -> dict:
    return {"households": summary.households, "heads": summary.heads, "area": format_area(summary.area)}
