"""manage.py budget --projects P.csv --ballots B.csv --budget AMOUNT
                   [--rule equal-shares|greedy] [--completion add1|none]
                   [--shares equal|area --roster R] [--json]

Counts a participatory budgeting round from files (paper ballots typed into
a spreadsheet, say) with the code the app counts with (voting/equal_shares.py).

The projects file has columns id, name, cost (yuan, fen at most); the
ballots file voter, approved: the ids a voter approves, separated by ";"
(an empty cell is an empty ballot, which still counts as a voter with a
share). Files are .xlsx or CSV (UTF-8, UTF-8 BOM or GBK), as for rosters.
With --roster, voters are household labels (3幢2单元502) that must be in
the roster, once each; --shares area gives each household a share of the
budget in proportion to its exclusive area (the roster's 专有面积), for a
fund that belongs to the owners by area. Any bad row means no result:
every problem is reported with its file and line number.
"""

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voting import equal_shares as es
from voting.management.commands.tally import Failed, Problem, households_from_file, label_keys, read_file

PROJECT_COLUMNS = ("id", "name", "cost")
BALLOT_COLUMNS = ("voter", "approved")


class Command(BaseCommand):
    @property
    def help(self):
        return _("Count a participatory budgeting round (Method of Equal Shares, or greedy) from files.")

    def add_arguments(self, parser):
        parser.add_argument("--projects", required=True, help=_("projects file: id,name,cost"))
        parser.add_argument("--ballots", required=True, help=_("ballots file: voter,approved (ids separated by ;)"))
        parser.add_argument("--budget", required=True, help=_("the fund, in yuan"))
        parser.add_argument("--rule", default=es.EQUAL_SHARES, choices=es.RULES)
        parser.add_argument("--completion", default=es.ADD1, choices=es.COMPLETIONS)
        parser.add_argument("--shares", default="equal", choices=("equal", "area"))
        parser.add_argument("--roster", help=_("roster file: voters are its households' labels"))
        parser.add_argument("--json", action="store_true", help=_("print one JSON object"))

    def handle(self, *args, **options):
        try:
            projects, ballots, budget = self._read(options)
            outcome = es.count(projects, ballots, budget, rule=options["rule"], completion=options["completion"])
            greedy = es.count(projects, ballots, budget, rule=es.GREEDY) if options["rule"] != es.GREEDY else None
        except es.BudgetError as error:
            self._fail([Problem(str(error))], options["json"])
        except Failed as failed:
            self._fail(failed.problems, options["json"])
        if options["json"]:
            self.stdout.write(json.dumps(as_json(outcome, projects, greedy), ensure_ascii=False))
        else:
            for line in report_lines(outcome, projects, greedy):
                self.stdout.write(line)

    def _fail(self, problems, as_json):
        for problem in problems:
            self.stderr.write(str(problem))
        if as_json:
            self.stdout.write(json.dumps({"errors": [p.as_json_dict() for p in problems]}, ensure_ascii=False))
        count = len(problems)
        raise CommandError(
            ngettext("%(count)d problem found; no result.", "%(count)d problems found; no result.", count)
            % {"count": count}
        )

    def _read(self, options):
        if options["shares"] == "area" and not options["roster"]:
            raise Failed([Problem(_("--shares area needs --roster: the areas are the roster's."))])
        try:
            budget = es.amount(options["budget"])
        except es.BudgetError:
            raise Failed([Problem(_("The budget must be an amount in yuan, like 50000 or 49999.50."))]) from None
        problems = []
        projects, named = read_projects(read_file(options["projects"], "projects"), problems)
        households = households_from_file(options["roster"]) if options["roster"] else None
        ballots = read_ballots(read_file(options["ballots"], "ballots"), named, households, options["shares"], problems)
        if problems:
            raise Failed(problems)
        return projects, ballots, budget


def _columns(rows, wanted, which, problems):
    """Whether the file has every column in `wanted` (its header, line 1);
    a file of only a header has no rows to read anyway."""
    if not rows:
        return True
    headers = {h.strip().lower() for h in rows[0][1]}
    missing = [c for c in wanted if c not in headers]
    if missing:
        problems.append(
            Problem(_("The file needs the columns %(columns)s.") % {"columns": ", ".join(wanted)}, 1, which)
        )
    return not missing


def _cells(row):
    return {k.strip().lower(): v for k, v in row.items()}


def read_projects(rows, problems):
    """The valid projects, and the ids the file names (a ballot naming a
    project whose row is wrong is not wrong too)."""
    if not _columns(rows, PROJECT_COLUMNS, "projects", problems):
        return [], set()
    projects, seen = [], set()
    for line, row in rows:
        cells = _cells(row)
        pid, name, cost = cells["id"], cells["name"], cells["cost"].replace(",", "").replace("，", "")
        if not pid:
            problems.append(Problem(_("The project has no id."), line, "projects"))
            continue
        if pid in seen:
            problems.append(Problem(_("Project %(id)s appears twice.") % {"id": pid}, line, "projects"))
            continue
        seen.add(pid)
        try:
            amount = es.amount(cost)
        except es.BudgetError:
            amount = None
        if amount is None or amount <= 0:
            problems.append(
                Problem(_("The cost must be an amount in yuan above zero, like 38000.00."), line, "projects")
            )
            continue
        projects.append(es.Project(pid, amount, name))
    if not projects and not problems:
        problems.append(Problem(_("The projects file lists no project."), None, "projects"))
    return projects, seen


def read_ballots(rows, known, households, shares, problems):
    if not _columns(rows, BALLOT_COLUMNS, "ballots", problems):
        return []
    by_label = {}
    for household in households or ():
        for key in label_keys(household.label):
            by_label.setdefault(key, household)
    ballots, seen = [], {}
    for line, row in rows:
        cells = _cells(row)
        voter = cells["voter"]
        approved = [pid.strip() for pid in cells["approved"].replace("；", ";").split(";") if pid.strip()]
        unknown = [pid for pid in approved if pid not in known]
        if unknown:
            problems.append(Problem(_("Unknown projects: %(ids)s.") % {"ids": ", ".join(unknown)}, line, "ballots"))
        share = Fraction(1)
        if households is not None:
            household = next((by_label[k] for k in label_keys(voter) if k in by_label), None)
            if household is None:
                problems.append(Problem(_("%(voter)s is not in the roster.") % {"voter": voter}, line, "ballots"))
                continue
            if household.parking:
                problems.append(
                    Problem(_("%(voter)s is a parking space: it has no vote.") % {"voter": voter}, line, "ballots")
                )
                continue
            voter = household.label
            if shares == "area":
                if not household.area or household.area <= 0:
                    problems.append(
                        Problem(_("%(voter)s has no exclusive area in the roster.") % {"voter": voter}, line, "ballots")
                    )
                    continue
                share = Fraction(household.area)
        if not voter:
            problems.append(Problem(_("The ballot names no voter."), line, "ballots"))
            continue
        if voter in seen:
            problems.append(
                Problem(
                    _("%(voter)s already has a ballot on line %(line)d.") % {"voter": voter, "line": seen[voter]},
                    line,
                    "ballots",
                )
            )
            continue
        seen[voter] = line
        ballots.append(es.Ballot(voter, frozenset(approved), share))
    return ballots


# --- Output -----------------------------------------------------------------------


def yuan(value):
    """An exact amount as yuan to the fen (a share of a cost may be a third)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _exact(value):
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def as_json(outcome, projects, greedy):
    data = {
        "rule": outcome.rule,
        "completion": outcome.completion if outcome.rule == es.EQUAL_SHARES else None,
        "budget": yuan(outcome.budget),
        "funded": outcome.funded,
        "spent": yuan(outcome.spent),
        "left": yuan(outcome.left),
        "tie_breaking": outcome.tie_breaking,
        "projects": [],
    }
    if outcome.rule == es.EQUAL_SHARES:
        data["completion_steps"] = outcome.steps
        if outcome.share_per_weight is not None:
            data["share_per_weight"] = _exact(outcome.share_per_weight)
    for p in projects:
        entry = {"id": p.id, "name": p.name, "cost": yuan(p.cost), "approvals": outcome.approvals[p.id]}
        if p.id in outcome.payments:
            paid = outcome.payments[p.id]
            entry["paid"] = {voter: yuan(amount) for voter, amount in paid.items()}
            entry["paid_exact"] = {voter: _exact(amount) for voter, amount in paid.items()}
        if p.id in outcome.unfunded:
            why = outcome.unfunded[p.id]
            entry.update({"reason": why.reason, "available": yuan(why.available), "short_by": yuan(why.short_by)})
        entry["funded"] = p.id in outcome.funded
        data["projects"].append(entry)
    if greedy is not None:
        data["greedy"] = {"funded": greedy.funded, "spent": yuan(greedy.spent)}
    return data


def report_lines(outcome, projects, greedy):
    costs = {p.id: p for p in projects}
    title = _("Method of Equal Shares") if outcome.rule == es.EQUAL_SHARES else _("Greedy (most approvals first)")
    yield title
    yield _("Budget %(budget)s yuan; spent %(spent)s, left %(left)s.") % {
        "budget": yuan(outcome.budget),
        "spent": yuan(outcome.spent),
        "left": yuan(outcome.left),
    }
    if outcome.rule == es.EQUAL_SHARES and outcome.share_per_weight is not None:
        if outcome.steps:
            yield _(
                "Completion add1: each share raised %(steps)d times by one yuan, to %(share)s yuan per share unit."
            ) % {"steps": outcome.steps, "share": yuan(outcome.share_per_weight)}
        else:
            yield _("Each share: %(share)s yuan per share unit.") % {"share": yuan(outcome.share_per_weight)}
    yield _("Ties go to more approvals, then the lower cost, then the project listed first.")
    yield _("Funded, in the order chosen:")
    for pid in outcome.funded:
        p = costs[pid]
        line = _("  %(id)s %(name)s: %(cost)s yuan, %(approvals)d approvals") % {
            "id": pid,
            "name": p.name,
            "cost": yuan(p.cost),
            "approvals": outcome.approvals[pid],
        }
        if pid in outcome.payments:
            paid = outcome.payments[pid].values()
            line += _("; paid by %(payers)d supporters, at most %(most)s yuan each") % {
                "payers": sum(1 for amount in paid if amount > 0),
                "most": yuan(max(paid)),
            }
        yield line
    if not outcome.funded:
        yield _("  (none)")
    if outcome.unfunded:
        yield _("Not funded:")
    for p in projects:
        why = outcome.unfunded.get(p.id)
        if why is None:
            continue
        if why.reason == es.NOBODY_APPROVED:
            reason = _("nobody approved it")
        elif why.reason == es.DOES_NOT_FIT:
            reason = _("costs %(cost)s yuan, only %(left)s yuan of the budget was left") % {
                "cost": yuan(why.cost),
                "left": yuan(why.available),
            }
        else:
            reason = _("its %(n)d supporters had %(have)s yuan of their shares left, %(short)s yuan short") % {
                "n": why.supporters,
                "have": yuan(why.available),
                "short": yuan(why.short_by),
            }
        yield _("  %(id)s %(name)s: %(reason)s") % {"id": p.id, "name": p.name, "reason": reason}
    if greedy is not None:
        yield _("Greedy (most approvals first) would fund: %(ids)s (%(spent)s yuan).") % {
            "ids": ", ".join(greedy.funded) or _("none"),
            "spent": yuan(greedy.spent),
        }
