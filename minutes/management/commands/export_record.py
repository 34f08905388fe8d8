"""Write the whole record of a meeting into a folder, for archiving.

    python manage.py export_record MEETING_ID --out DIR

The folder gets the published minutes (every version, as JSON and Markdown,
and as PDF), each poll's result certificate (JSON, with who took part for a
named poll: this is the staff's archive, not a public page), the decision
notice (HTML), each proposal debated (its JSON record) and a README listing
the files with their SHA-256.
"""

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.translation import gettext as _

from meetings.models import Meeting
from minutes import canonical
from minutes.export import to_markdown
from minutes.models import Minutes
from minutes.views_public import decision_notice
from proposals.models import Proposal
from proposals.record import proposal_record


class Command(BaseCommand):
    help = "Write the whole record of a meeting (minutes, certificates, notices) into a folder."

    def add_arguments(self, parser):
        parser.add_argument("meeting", type=int, help=_("the meeting's number (its id, as in its console address)"))
        parser.add_argument("--out", required=True, type=Path, help=_("the folder to write into"))
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, meeting, out, language, **options):
        found = Meeting.objects.select_related("compound").filter(pk=meeting).first()
        if found is None:
            raise CommandError(_("There is no meeting %(id)s.") % {"id": meeting})
        if found.status != Meeting.Status.CLOSED:
            raise CommandError(_("The meeting has not ended: its record is not complete."))
        out.mkdir(parents=True, exist_ok=True)
        written = []

        def write(name, data):
            path = out / name
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            written.append((name, hashlib.sha256(path.read_bytes()).hexdigest()))

        minutes = Minutes.objects.filter(meeting=found).first()
        for version in minutes.versions.order_by("number") if minutes else []:
            stem = f"minutes-v{version.number}"
            write(f"{stem}.json", canonical.export(version.content, version.fingerprint))
            write(f"{stem}.md", to_markdown(version, language))
            pdf = minutes_pdf(version, language)
            if pdf is not None:
                write(f"{stem}.pdf", pdf)
        for poll in found.polls.exclude(certificate=None).order_by("pk"):
            write(f"certificate-poll-{poll.pk}.json", json.dumps(poll.certificate, ensure_ascii=False, indent=1))
        for proposal in Proposal.objects.filter(item__meeting=found).order_by("pk"):
            write(f"proposal-{proposal.pk}.json", json.dumps(proposal_record(proposal), ensure_ascii=False, indent=1))
        request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=language)
        write("decision-notice.html", decision_notice(request, found.compound_id, found.pk).content)
        listing = render_to_string("minutes/export_readme.txt", {"meeting": found, "files": written})
        (out / "README.txt").write_text(listing, encoding="utf-8")
        self.stdout.write(
            _("Wrote %(n)d files for “%(meeting)s” to %(out)s.") % {"n": len(written), "meeting": found, "out": out}
        )


def minutes_pdf(version, language):
    """The minutes as PDF, or None where the PDF renderer's system libraries are missing."""
    from minutes import printing

    return printing.minutes_pdf(version, language, missing_ok=True)
