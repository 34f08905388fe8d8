"""manage.py verify_ledger [--compound ID|NAME] [--json]

Verifies each compound's audit chain (compounds/ledger.py): prints
"OK: N entries, head <seq> <hash>" per compound, or names the first broken
entry (seq, kind, source, what is wrong) and exits non-zero.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compounds import ledger
from compounds.models import Compound


class Command(BaseCommand):
    # argparse needs real strings, not lazy ones: translate when asked.
    @property
    def help(self):
        return _("Verify the audit chain of each compound and name the first broken entry.")

    def add_arguments(self, parser):
        parser.add_argument("--compound", help=_("only this compound, by id or name"))
        parser.add_argument("--json", action="store_true", help=_("print one JSON object"))

    def handle(self, *args, **options):
        compounds = self._compounds(options["compound"])
        verdicts = [ledger.verify(compound) for compound in compounds]
        if options["json"]:
            payload = {"ok": all(v.ok for v in verdicts), "compounds": [v.as_dict() for v in verdicts]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            for verdict in verdicts:
                self.stdout.write(_line(verdict))
        broken = [v for v in verdicts if not v.ok]
        if broken:
            raise CommandError(
                ngettext(
                    "The audit chain of %(count)d compound is broken.",
                    "The audit chains of %(count)d compounds are broken.",
                    len(broken),
                )
                % {"count": len(broken)}
            )

    def _compounds(self, wanted):
        if wanted is None:
            return list(Compound.objects.order_by("pk"))
        wanted = wanted.strip()
        found = Compound.objects.filter(name=wanted).first()
        if found is None and wanted.isascii() and wanted.isdigit():
            found = Compound.objects.filter(pk=int(wanted)).first()
        if found is None:
            raise CommandError(_("No compound with the id or name “%(compound)s”.") % {"compound": wanted})
        return [found]


def _line(verdict):
    name = verdict.compound.name
    if verdict.ok:
        return _("%(compound)s: OK: %(count)d entries, head %(seq)d %(hash)s") % {
            "compound": name,
            "count": verdict.entries,
            "seq": verdict.head["seq"],
            "hash": verdict.head["hash"],
        }
    problem = verdict.problem
    if problem.seq is None:
        return _("%(compound)s: BROKEN: row %(source)s: %(problem)s") % {
            "compound": name,
            "source": problem.source,
            "problem": problem.message,
        }
    if not problem.source:  # an event
        recorded = problem.kind
    elif problem.source.startswith(f"{problem.kind}#"):  # a row: its kind is its model's label
        recorded = problem.source
    else:
        recorded = f"{problem.kind}, {problem.source}"
    return _("%(compound)s: BROKEN at entry %(seq)d (%(entry)s): %(problem)s") % {
        "compound": name,
        "seq": problem.seq,
        "entry": recorded,
        "problem": problem.message,
    }
