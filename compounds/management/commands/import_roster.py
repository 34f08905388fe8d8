"""manage.py import_roster "<compound name>" FILE [--dry-run] [--json]

Imports a compound's roster (.xlsx or CSV), all or nothing. On a bad file
every row error goes to stderr as "line N: reason" and nothing is saved.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compounds.actions import import_roster
from compounds.electorate import format_area
from compounds.models import Compound
from compounds.roster_import import RosterError


class Command(BaseCommand):
    # argparse needs real strings, not lazy ones: translate when asked.
    @property
    def help(self):
        return _("Import a compound's roster from an .xlsx or CSV file (all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("compound", help=_("compound name; created if new"))
        parser.add_argument("file", help=_("roster file, .xlsx or CSV"))
        parser.add_argument("--dry-run", action="store_true", help=_("check and report, save nothing"))
        parser.add_argument("--json", action="store_true", help=_("print one JSON object"))

    def handle(self, *args, **options):
        file, dry_run, as_json = options["file"], options["dry_run"], options["json"]
        name = options["compound"].strip()
        if not name:
            raise CommandError(_("The compound name is empty."))
        max_length = Compound._meta.get_field("name").max_length
        if len(name) > max_length:
            raise CommandError(_("The compound name is longer than %(max)d characters.") % {"max": max_length})
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror or exc}
            ) from None

        try:
            report = import_roster(name, data, path.name, dry_run=dry_run)
        except RosterError as exc:
            self._report_errors(exc.errors, as_json)
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    len(exc.errors),
                )
                % {"count": len(exc.errors)}
            ) from None

        if as_json:
            self.stdout.write(_json_dumps(_report_dict(report)))
        else:
            self._print_report(report)

    def _report_errors(self, errors, as_json):
        for error in errors:
            self.stderr.write(str(error))
        if as_json:
            payload = {"errors": [{"line": error.line, "message": error.message} for error in errors]}
            self.stdout.write(_json_dumps(payload))

    def _print_report(self, report):
        summary = report.summary
        kinds = ", ".join(f"{label} {count}" for label, count in summary.kinds())
        lines = [
            _("Compound: %(name)s") % {"name": report.compound_name},
            _("Households in the file: %(count)d (%(kinds)s)") % {"count": summary.households, "kinds": kinds},
            _("Voting households (parking excluded): %(count)d") % {"count": summary.voting_households},
            _("Owner heads: %(count)d") % {"count": summary.owner_heads},
            _("Voting area: %(area)s m²") % {"area": format_area(summary.voting_area)},
            _("Created %(created)d, updated %(updated)d, unchanged %(unchanged)d, retired %(retired)d.")
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "retired": report.retired,
            },
        ]
        if report.dry_run:
            lines.append(_("Dry run: nothing saved."))
        for line in lines:
            self.stdout.write(line)


def _report_dict(report):
    summary = report.summary
    return {
        "compound": report.compound_name,
        "households": summary.households,
        "by_kind": summary.by_kind,
        "voting_households": summary.voting_households,
        "owner_heads": summary.owner_heads,
        # A string: JSON numbers are floats to most readers.
        "voting_area": format_area(summary.voting_area),
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "retired": report.retired,
        "dry_run": report.dry_run,
    }


def _json_dumps(payload):
    return json.dumps(payload, ensure_ascii=False)
