"""manage.py tally (--roster FILE | --compound NAME) --ballots FILE --rule RULE [--scope 3幢2单元] [--json]
                  [--follow-majority] [--silence-rule --served FILE [--majority-floor]]

Counts a vote (paper ballots typed into a spreadsheet, say) under one of the
rules of voting.tally, against a roster file or an imported compound.

The ballots file is read like a roster (.xlsx or CSV in UTF-8, UTF-8 BOM or
GBK) with columns 楼栋, 单元, 室号, 表决 (or building, unit, room, choice);
a household without a row did not take part. Any bad row means no result:
every problem is reported with its line number, and the command fails.

随多数 (follow the majority) ballots are counted only with --follow-majority,
which says the compound's rules offer that box; without it they are errors.
--silence-rule counts the owners who did not vote with the majority as well,
but only those served a ballot: --served names them, a UTF-8 text file with
one household a line as the ballots write it (1幢1单元101, 1幢商铺1).
--majority-floor adds Zhejiang's floor to that count. The strict count is
always printed, the others after it.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compounds import roster_import
from compounds.electorate import DEVELOPER_HEAD, round_area
from compounds.models import Compound, Household
from compounds.roster_import import RosterError, normalize_word, read_table, validate
from voting import labels, tally
from voting.tally import ABSTAIN, AGAINST, FOLLOW, FOR, RULES, PlacedUnit, Scope, Silence

# Ballot columns: the roster's own spellings for the place, plus the choice.
COLUMNS = {
    "building": roster_import.COLUMNS["building"],
    "unit": roster_import.COLUMNS["unit"],
    "room": roster_import.COLUMNS["room"],
    "choice": ("表决", "表决意见", "意见", "投票", "choice", "vote"),
}
REQUIRED = ("building", "room", "choice")  # shops have no unit, as in the roster
HEADER_ALIASES = {normalize_word(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
CHOICES = {
    **dict.fromkeys(("同意", "赞成", "for", "yes"), FOR),
    **dict.fromkeys(("反对", "against", "no"), AGAINST),
    **dict.fromkeys(("弃权", "abstain", "abstention"), ABSTAIN),
    **dict.fromkeys(("随多数", "跟随多数", "follow", "followthemajority"), FOLLOW),
}

# 3幢 / 3栋 / 3号楼 / 第3幢 are one building; 2单元 / 2 one building unit.
NUMBERED_BUILDING = re.compile(r"第?0*(\d+)(?:幢|栋|号楼|号|楼)?")
NUMBERED_UNIT = re.compile(r"第?0*(\d+)(?:单元)?")
NUMBERED_SCOPE = re.compile(r"第?0*(\d+)(?:(?:幢|栋|号楼|号|楼)(.*))?")
# A household's label: 3幢2单元502, 3栋2单元502室, 1幢商铺1.
NUMBERED_LABEL = re.compile(r"第?0*(\d+)(?:幢|栋|号楼|号|楼)(?:第?0*(\d+)单元)?(.+)")


@dataclass(frozen=True)
class Entry:
    """A roster household, from a file or from the database (parking included,
    so a ballot for a parking space gets its own message)."""

    building: str
    unit: str
    room: str
    parking: bool
    area: Decimal
    owner_key: str
    developer_unsold: bool

    @property
    def label(self):
        return f"{self.building}{self.unit}{self.room}"

    def as_unit(self):
        return PlacedUnit(
            key=self.label,
            area=self.area,
            owner_key=self.owner_key,
            developer_unsold=self.developer_unsold,
            building=self.building,
            building_unit=self.unit,
        )


@dataclass(frozen=True)
class Problem:
    """One reason there is no result; line is None for a problem with the arguments."""

    message: str
    line: int | None = None
    file: str = "ballots"
    lines: tuple[int, ...] = ()

    def __str__(self):
        if self.line is None:
            return self.message
        if self.file == "roster":
            return _("roster, line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        if self.file == "served":
            return _("served list, line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        if self.file == "projects":
            return _("projects, line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}

    def as_json_dict(self):
        data = {"line": self.line, "message": self.message}
        if self.line is not None:
            data["file"] = self.file
        if self.lines:
            data["lines"] = list(self.lines)
        return data


class Failed(Exception):
    def __init__(self, problems):
        self.problems = list(problems)


class Command(BaseCommand):
    # argparse needs real strings, not lazy ones: translate when asked.
    @property
    def help(self):
        return _("Count a vote from a ballots file under a decision rule.")

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--roster", help=_("roster file (.xlsx or CSV), as for import_roster"))
        source.add_argument("--compound", help=_("name of an imported compound: its active households"))
        parser.add_argument("--ballots", required=True, help=_("ballots file (.xlsx or CSV): 楼栋,单元,室号,表决"))
        parser.add_argument("--rule", required=True, choices=list(RULES), help=_("decision rule"))
        parser.add_argument("--scope", help=_("one building (3幢) or one building unit (3幢2单元)"))
        parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
        parser.add_argument(
            "--follow-majority",
            action="store_true",
            help=_(
                "count 随多数 (follow the majority) ballots, where the compound's rules offer that box: "
                "with the majority in a second count; without this option such a ballot is an error"
            ),
        )
        parser.add_argument(
            "--silence-rule",
            action="store_true",
            help=_(
                "where the procedural rules adopt it: also count the owners who did not vote but were "
                "served a ballot with the majority (needs --served)"
            ),
        )
        parser.add_argument(
            "--served",
            help=_("UTF-8 text file, one household a line (1幢1单元101): those whose ballot was served"),
        )
        parser.add_argument(
            "--majority-floor",
            action="store_true",
            help=_(
                "with --silence-rule: the enlarged for must exceed half of all owners and of all the area "
                "(Zhejiang 2009 Art. 10)"
            ),
        )

    def handle(self, *args, **options):
        as_json = options["json"]
        try:
            result = self._count(options)
        except Failed as failed:
            self._report(failed.problems, as_json)
            count = len(failed.problems)
            raise CommandError(
                ngettext("%(count)d problem found; no result.", "%(count)d problems found; no result.", count)
                % {"count": count}
            ) from None
        if as_json:
            self.stdout.write(json.dumps(result.as_json_dict(), ensure_ascii=False))
        else:
            for line in report_lines(result):
                self.stdout.write(line)

    def _count(self, options):
        rule = RULES[options["rule"]]
        check_silence_options(options)
        households = (
            households_from_file(options["roster"])
            if options["roster"] is not None
            else households_from_compound(options["compound"])
        )
        if not households:
            raise Failed([Problem(_("The roster has no voting households."))])
        scope = None
        if options["scope"] is not None:
            scope = resolve_scope(options["scope"], households)
        if rule.id == tally.ELEVATOR:
            scope = elevator_scope(scope, households)
        electorate = [h for h in households if not h.parking and (scope is None or _in_scope(h, scope))]
        if not electorate:
            if scope is None:
                raise Failed([Problem(_("The roster has no voting households."))])
            raise Failed([Problem(_("There are no voting households in scope %(scope)s.") % {"scope": scope.label})])

        rows = read_file(options["ballots"], "ballots")
        ballots, lines, problems = read_ballots(rows, households, scope)
        if not options["follow_majority"]:
            problems += follow_problems(ballots, lines)
        units = [h.as_unit() for h in electorate]
        if rule.counts_heads:
            problems += disagreement_problems(units, ballots, lines)
        silence = None
        if options["silence_rule"]:
            served, served_problems = read_served(options["served"], households)
            problems += served_problems
            silence = Silence(served=served, floor=options["majority_floor"])
        if problems:
            raise Failed(sorted(problems, key=lambda p: (p.file != "ballots", p.line or 0)))
        try:
            return tally.count(
                rule, units, ballots, scope=scope, follow_majority=options["follow_majority"], silence=silence
            )
        except tally.TallyError as exc:  # the checks above should make this unreachable
            raise Failed([Problem(str(exc))]) from None

    def _report(self, problems, as_json):
        for problem in problems:
            self.stderr.write(str(problem))
        if as_json:
            payload = {"errors": [problem.as_json_dict() for problem in problems]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))


# The electorate ---------------------------------------------------------------


def read_bytes(name):
    """The file's bytes, or Failed saying why it cannot be read."""
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise Failed(
            [Problem(_("Cannot read %(file)s: %(reason)s") % {"file": name, "reason": exc.strerror or exc})]
        ) from None


def read_file(name, which):
    """The file's rows, as roster_import.read_table gives them."""
    data = read_bytes(name)
    try:
        return read_table(data, Path(name).name)
    except RosterError as exc:
        raise Failed([Problem(e.message, e.line, which) for e in exc.errors]) from None


def households_from_file(name):
    rows, errors = validate(read_file(name, "roster"))
    if errors:
        raise Failed([Problem(e.message, e.line, "roster") for e in errors])
    return [
        Entry(
            building=row.building,
            unit=row.unit,
            room=row.room,
            parking=row.kind == Household.Kind.PARKING,
            area=row.area,
            owner_key=row.owner_key,
            developer_unsold=row.developer_unsold,
        )
        for row in rows
    ]


def households_from_compound(name):
    compound = Compound.objects.filter(name=(name or "").strip()).first()
    if compound is None:
        raise Failed([Problem(_("There is no compound named “%(name)s”.") % {"name": name})])
    rows = compound.households.filter(is_active=True).select_related("unit__building")
    return [
        Entry(
            building=h.unit.building.name,
            unit=h.unit.name,
            room=h.room,
            parking=not h.votes,
            area=h.area,
            owner_key=h.owner_key,
            developer_unsold=h.developer_unsold,
        )
        for h in rows
    ]


# Names: 3幢 written as 3栋 or ３幢 in a ballots file or a --scope is the same building.


def _norm(text):
    return re.sub(r"[\s\-_/·]+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _building_key(name):
    match = NUMBERED_BUILDING.fullmatch(_norm(name))
    return f"{int(match[1])}幢" if match else _norm(name)


def _unit_key(name):
    match = NUMBERED_UNIT.fullmatch(_norm(name))
    return f"{int(match[1])}单元" if match else _norm(name)


def place_key(building, unit, room):
    """A household's place compared loosely: ３栋, 3号楼 and 3幢 are one building,
    2 and 2单元 one unit, 101室 and 101 one room."""
    return _building_key(building), _unit_key(unit), _norm(room).removesuffix("室")


def resolve_scope(text, households):
    """The Scope a --scope text names, against the roster's buildings and units."""
    wanted = _norm(text)
    # "3幢2单元", "3栋 2单元", "3号楼2": a numbered building, then maybe a unit.
    match = NUMBERED_SCOPE.fullmatch(wanted)
    building_part = f"{int(match[1])}幢" if match else None
    unit_part = _unit_key(match[2]) if match and match[2] else None
    found = set()
    for building, unit in {(h.building, h.unit) for h in households}:
        same_building = building_part == _building_key(building)
        if wanted == _norm(building) or (same_building and unit_part is None):
            found.add(Scope(building))
        elif unit and (wanted == _norm(building + unit) or (same_building and unit_part == _unit_key(unit))):
            found.add(Scope(building, unit))
    if len(found) == 1:
        return found.pop()
    if found:
        message = _(
            "The scope “%(scope)s” is ambiguous: name a building (like %(building)s) or a building unit (like %(unit)s)."
        )
    else:
        message = _(
            "Unknown scope “%(scope)s”: name a building (like %(building)s) or a building unit (like %(unit)s)."
        )
    # Examples from this roster, so the worker sees how its names are written.
    example = next((h for h in households if h.unit and not h.parking), households[0])
    raise Failed(
        [Problem(message % {"scope": text, "building": example.building, "unit": example.building + example.unit})]
    )


def elevator_scope(scope, households):
    """The elevator rule counts one building unit: a building with only one is fine."""
    if scope is not None and scope.unit is None:
        units = {h.unit for h in households if h.building == scope.building and not h.parking}
        if len(units) == 1:
            return Scope(scope.building, units.pop())
    if scope is None or scope.unit is None:
        raise Failed([Problem(_("The elevator rule counts one building unit: give --scope like 3幢2单元."))])
    return scope


def _in_scope(household, scope):
    return household.building == scope.building and (scope.unit is None or household.unit == scope.unit)


# Ballots ----------------------------------------------------------------------


def read_ballots(rows, households, scope):
    """({household label: choice}, {label: line}, problems) from the file's rows."""
    if not rows:
        return {}, {}, []  # a header and no rows: nobody took part
    columns, problems = map_columns(rows[0][1].keys())
    if problems:
        return {}, {}, problems
    exact = {(h.building, h.unit, h.room): h for h in households}
    loose = {}
    for h in households:
        loose.setdefault(place_key(h.building, h.unit, h.room), []).append(h)

    ballots, first_line = {}, {}
    for line, raw in rows:
        cells = {
            column: unicodedata.normalize("NFKC", raw.get(header, "")).strip() for column, header in columns.items()
        }
        building, unit, room, choice_text = (cells.get(c, "") for c in ("building", "unit", "room", "choice"))

        def problem(message, line=line):
            problems.append(Problem(message, line))

        choice = CHOICES.get(normalize_word(choice_text))
        if not choice_text:
            problem(_("The choice (表决) is missing: use 同意 (for), 反对 (against) or 弃权 (abstain)."))
        elif choice is None:
            problem(
                _("Unknown choice “%(choice)s”: use 同意 (for), 反对 (against) or 弃权 (abstain).")
                % {"choice": choice_text[:30]}
            )
        if not building or not room:
            problem(_("The building (楼栋) and the room number (室号) are needed."))
            continue
        household = exact.get((building, unit, room))
        if household is None:
            matches = loose.get(place_key(building, unit, room), [])
            household = matches[0] if len(matches) == 1 else None
        label = household.label if household else f"{building}{unit}{room}"
        if household is None:
            problem(_("Household %(household)s is not on the roster.") % {"household": label})
            continue
        if household.parking:
            problem(_("%(household)s is a parking space; parking spaces do not vote.") % {"household": label})
            continue
        if scope is not None and not _in_scope(household, scope):
            problem(
                _("household %(household)s is outside scope %(scope)s") % {"household": label, "scope": scope.label}
            )
            continue
        earlier = first_line.setdefault(label, line)
        if earlier != line:
            problem(
                _("Duplicate ballot: %(household)s already voted on line %(earlier)d.")
                % {"household": label, "earlier": earlier}
            )
            continue
        if choice is not None:
            ballots[label] = choice
    return ballots, first_line, problems


def map_columns(headers):
    """{column: header as written}, and problems with the header (line 1)."""
    columns, problems = {}, []
    for header in headers:
        column = HEADER_ALIASES.get(normalize_word(header))
        if column is None:
            continue  # extra columns (序号, 业主姓名, 备注...) are ignored
        if column in columns:
            problems.append(
                Problem(
                    _("Columns “%(first)s” and “%(second)s” mean the same.")
                    % {"first": columns[column], "second": header},
                    1,
                )
            )
            continue
        columns[column] = header
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        titles = {"building": "楼栋 (building)", "room": "室号 (room)", "choice": "表决 (choice)"}
        problems.append(
            Problem(
                _("Missing required column(s): %(columns)s.") % {"columns": ", ".join(titles[c] for c in missing)}, 1
            )
        )
    return columns, problems


def disagreement_problems(units, ballots, lines):
    """One owner, one vote (SPC Art. 9): their ballots must agree."""
    problems = []
    for disagreement in tally.find_disagreements(units, ballots):
        cast = sorted((lines[key], key, choice) for key, choice in disagreement.ballots)
        listed = ", ".join(
            _("line %(line)d %(household)s %(choice)s")
            % {"line": line, "household": key, "choice": labels.choice_label(choice)}
            for line, key, choice in cast
        )
        if disagreement.head == DEVELOPER_HEAD:
            message = _(
                "The developer's unsold units are one owner with one vote, but their ballots differ: %(ballots)s."
            )
        else:
            message = _("These units have one owner, who has one vote, but their ballots differ: %(ballots)s.")
        problems.append(Problem(message % {"ballots": listed}, cast[0][0], lines=tuple(line for line, *_rest in cast)))
    return problems


def follow_problems(ballots, lines):
    """随多数 ballots where the command was not told the rules offer that box."""
    return [
        Problem(
            _(
                "随多数 (follow the majority) counts only where the compound's rules offer it: "
                "if they do, add --follow-majority."
            ),
            lines[key],
        )
        for key, choice in ballots.items()
        if choice == FOLLOW
    ]


# The silence rule ----------------------------------------------------------------


def check_silence_options(options):
    """--served and --majority-floor only with --silence-rule, which needs --served."""
    problems = []
    if options["silence_rule"] and not options["served"]:
        problems.append(Problem(_("--silence-rule needs --served FILE: the households whose ballot was served.")))
    if not options["silence_rule"]:
        if options["served"]:
            problems.append(Problem(_("--served is read only with --silence-rule.")))
        if options["majority_floor"]:
            problems.append(Problem(_("--majority-floor applies only with --silence-rule.")))
    if problems:
        raise Failed(problems)


def label_keys(text):
    """The ways a household's label is compared: as written (NFKC, no spaces),
    and with 3栋 / 3号楼 / 第3幢 as 3幢 and 502室 as 502."""
    written = _norm(text)
    keys = {written}
    match = NUMBERED_LABEL.fullmatch(written)
    if match:
        unit = f"{int(match[2])}单元" if match[2] else ""
        keys.add(f"{int(match[1])}幢{unit}{match[3].removesuffix('室')}")
    return keys


def read_served(name, households):
    """(frozenset of household labels, problems) from the served list: one
    label a line; blank lines are skipped. Every unknown label is a problem."""
    if not name:
        return frozenset(), []
    data = read_bytes(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Failed([Problem(_("%(file)s is not UTF-8 text.") % {"file": name})]) from None
    index = {}
    for h in households:
        for key in label_keys(h.label) | {"".join(place_key(h.building, h.unit, h.room))}:
            index.setdefault(key, set()).add(h)
    served, problems = set(), []
    for line, raw in enumerate(text.splitlines(), start=1):
        written = unicodedata.normalize("NFKC", raw).strip()
        if not written:
            continue
        found = set().union(*(index.get(key, set()) for key in label_keys(written)))
        if len(found) != 1:
            message = (
                _("Household %(household)s is not on the roster.")
                if not found
                else _("“%(household)s” could be several households: write it as the roster does.")
            )
            problems.append(Problem(message % {"household": written[:40]}, line, "served"))
            continue
        (household,) = found
        if household.parking:
            message = _("%(household)s is a parking space; parking spaces do not vote.")
            problems.append(Problem(message % {"household": household.label}, line, "served"))
            continue
        served.add(household.label)
    return frozenset(served), problems


# The report -------------------------------------------------------------------


def report_lines(result):
    """The strict count, then (where they apply) the follow-majority and the
    silence counts, each in full, then their outcomes side by side."""
    rule = RULES[result.rule]
    lines = [
        _("Rule: %(rule)s (%(id)s)") % {"rule": labels.rule_label(rule.id), "id": rule.id},
        _("Scope: %(scope)s") % {"scope": result.scope or _("all voting households")},
        _("Electorate: %(who)s") % {"who": _who(result.electorate)},
        _("Ballots: %(count)d") % {"count": result.ballots},
        *_count_lines(result),
    ]
    if result.outcome == tally.NO_VALID_DECISION:
        lines.append(_("Result: NOT PASSED (no valid decision)"))
    else:
        lines.append(_("Result: PASSED") if result.passed else _("Result: NOT PASSED"))
    others = [(title, short, other) for title, short, other in _other_counts(result) if other is not None]
    for title, _short, other in others:
        lines += ["", title]
        if other.split_leads:
            lines.append(_("No option leads on both area and owners among the ballots returned: nobody was added."))
        else:
            lines.append(
                _("Added to %(choice)s: %(who)s")
                % {"choice": labels.choice_label(other.majority), "who": _who(other.allocated)}
            )
        lines += _count_lines(other)
        lines.append(_("Outcome: %(outcome)s") % {"outcome": labels.outcome_word(other.outcome)})
    if others:
        lines += ["", _("Outcomes side by side:")]
        lines.append(f"  {_('strict count')}: {labels.outcome_word(result.outcome)}")
        lines += [f"  {short}: {labels.outcome_word(other.outcome)}" for _title, short, other in others]
    return lines


def _other_counts(result):
    """(title, short title, result) of the counts beside the strict one."""
    return [
        (
            _("With 随多数 (follow the majority) ballots counted for the majority"),
            _("with 随多数 counted for the majority"),
            result.follow_majority,
        ),
        (
            _("With the silence rule (owners served a ballot who did not vote counted for the majority)"),
            _("with the silence rule"),
            result.silence,
        ),
    ]


def _count_lines(result):
    """Who took part and chose what, the conditions, and the quorum."""
    lines = [_("Taking part: %(who)s") % {"who": _who(result.participating)}]
    for choice, summary in result.votes.items():
        lines.append(
            _("%(choice)s: %(who)s") % {"choice": str(labels.choice_label(choice)).capitalize(), "who": _who(summary)}
        )
    lines.append(_("Conditions:"))
    lines.extend(f"  {describe(condition)}" for condition in (*result.conditions, *result.floor))
    lines.append(_("Quorum met: %(answer)s") % {"answer": _("yes") if result.quorum_met else _("no")})
    return lines


def _who(summary):
    return _("%(households)d households, %(heads)d owners, %(area)s m²") % {
        "households": summary.households,
        "heads": summary.heads,
        "area": _area(summary.area),
    }


def describe(condition):
    """participation by area: 21,000.00 / 30,000.00 m² = 70.00% ≥ 2/3 ✓"""
    if condition.measure == tally.AREA:
        numbers = f"{_area(condition.numerator)} / {_area(condition.denominator)} m²"
    else:
        numbers = f"{condition.numerator} / {condition.denominator}"
    ratio = condition.ratio
    if ratio is None:
        share = ""
    else:
        # Display only: the decision compares exact fractions.
        exact = (ratio * 10000).denominator == 1
        with localcontext() as context:
            context.prec = 30
            percent = (Decimal(ratio.numerator) * 100 / Decimal(ratio.denominator)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        share = f" {'=' if exact else '≈'} {percent}%"
    comparison = "≥" if condition.inclusive else ">"
    mark = "✓" if condition.met else "✗"
    return f"{labels.condition_label(condition.name)}: {numbers}{share} {comparison} {condition.threshold} {mark}"


def _area(area):
    return f"{round_area(area):,}"
