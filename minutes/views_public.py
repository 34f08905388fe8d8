"""What anyone may read without logging in: a compound's public page (its
published minutes, conventions in force, micro-projects, proposals on
notice), published minutes with their exports, the convention registry,
and the verify page for an export's fingerprint.

Nothing private is on these pages: households appear by building and unit,
polls by their counts (minutes/record.py); tests/test_public_pages.py checks
the HTML of every public URL.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from compounds.models import Compound
from meetings.models import Notice
from minutes import canonical
from minutes.export import named_fingerprints, to_markdown
from minutes.models import Minutes, MinutesVersion
from proposals import diff
from proposals.models import Decision, Proposal
from proposals.record import rendered_text, without_title
from voting.models import Poll

MAX_VERIFY_BYTES = 2 * 1024 * 1024


def compound_page(request, compound_id):
    compound = get_object_or_404(Compound, pk=compound_id)
    published = (
        MinutesVersion.objects.filter(minutes__meeting__compound=compound)
        .select_related("minutes__meeting")
        .order_by("-published_at")
    )
    latest = {}
    for version in published:
        latest.setdefault(version.minutes_id, version)
    proposals = compound.proposals.order_by("-created_at")
    conventions = [p for p in proposals.filter(kind=Proposal.Kind.CONVENTION) if p.adopted_version is not None]
    context = {
        "compound": compound,
        "minutes": list(latest.values()),
        "conventions": conventions,
        "projects": proposals.filter(
            kind=Proposal.Kind.MICRO_PROJECT,
            status__in=[Proposal.Status.ADOPTED, Proposal.Status.IN_PROGRESS, Proposal.Status.COMPLETED],
        ),
        "on_notice": [p for p in proposals.filter(status=Proposal.Status.NOTICE) if p.notice_running()],
        "notices": Notice.objects.filter(meeting__compound=compound).order_by("-published_at", "-pk")[:20],
        "results": Poll.objects.filter(meeting__compound=compound, results_posted_at__isnull=False).order_by(
            "-results_posted_at", "-pk"
        )[:20],
    }
    return render(request, "minutes/compound.html", context)


def _published(compound_id, meeting_id, number=None):
    versions = MinutesVersion.objects.filter(
        minutes__meeting_id=meeting_id, minutes__meeting__compound_id=compound_id
    ).select_related("minutes__meeting__compound")
    version = (versions.filter(number=number) if number else versions.order_by("-number")).first()
    if version is None:
        raise Http404
    newest = versions.order_by("-number").first()
    return version, newest


def minutes_public(request, compound_id, meeting_id, number=None):
    version, newest = _published(compound_id, meeting_id, number)
    context = {
        "version": version,
        "newest": newest,
        "superseded": newest.number != version.number,
        "doc": version.content,
        "fingerprint": version.fingerprint,
        "meeting": version.minutes.meeting,
        "compound": version.minutes.meeting.compound,
        "versions": version.minutes.versions.order_by("-number"),
    }
    return render(request, "minutes/public.html", context)


def minutes_json(request, compound_id, meeting_id, number):
    """The export the fingerprint is computed over: {"fingerprint", "content"}."""
    version, _newest = _published(compound_id, meeting_id, number)
    body = canonical.export(version.content, version.fingerprint)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting_id}-v{number}.json"'
    return response


def minutes_markdown(request, compound_id, meeting_id, number):
    version, _newest = _published(compound_id, meeting_id, number)
    response = HttpResponse(to_markdown(version, get_language()), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting_id}-v{number}.md"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def minutes_print(request, compound_id, meeting_id, number):
    """Published minutes as a printable A4 PDF, in the reader's language."""
    from minutes import pdf, printing

    version, _newest = _published(compound_id, meeting_id, number)
    try:
        data = printing.minutes_pdf(version, get_language())
    except pdf.PdfUnavailable:
        return render(request, "minutes/pdf_unavailable.html", status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting_id}-v{number}.pdf"'
    return response


def convention_print(request, compound_id, proposal_id):
    """A convention's text in force as a printable A4 PDF."""
    from minutes import pdf, printing

    proposal = get_object_or_404(Proposal, pk=proposal_id, compound_id=compound_id, kind=Proposal.Kind.CONVENTION)
    version = proposal.adopted_version
    if version is None:
        raise Http404
    try:
        data = printing.convention_pdf(proposal, version, get_language())
    except pdf.PdfUnavailable:
        return render(request, "minutes/pdf_unavailable.html", status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="convention-{proposal_id}-v{version.number}.pdf"'
    return response


def convention_markdown(request, compound_id, proposal_id):
    """A convention's text in force, as the Markdown it is kept in."""
    proposal = get_object_or_404(Proposal, pk=proposal_id, compound_id=compound_id, kind=Proposal.Kind.CONVENTION)
    version = proposal.adopted_version
    if version is None:
        raise Http404
    response = HttpResponse(version.body + "\n", content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="convention-{proposal_id}-v{version.number}.md"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def convention(request, compound_id, proposal_id):
    """A convention in force: its current text, every adopted version with
    the decision that adopted it, and the changes between any two of them."""
    proposal = get_object_or_404(Proposal, pk=proposal_id, compound_id=compound_id, kind=Proposal.Kind.CONVENTION)
    adopted = list(
        Decision.objects.filter(proposal=proposal, outcome=Decision.Outcome.ADOPTED, amendment__isnull=True)
        .select_related("version")
        .order_by("decided_at", "id")
    )
    if not adopted:
        raise Http404
    meetings = _minutes_of_polls(d.basis.get("poll") for d in adopted)
    versions = [{"decision": d, "version": d.version, "minutes": meetings.get(d.basis.get("poll"))} for d in adopted]
    numbers = [v["version"].number for v in versions]
    old, new = _pair(request, numbers)
    context = {
        "compound": proposal.compound,
        "proposal": proposal,
        "current": adopted[-1].version,
        "rendered": rendered_text(adopted[-1].version),
        "versions": versions,
        "old": old,
        "new": new,
    }
    if old is not None and new is not None and old != new:
        by_number = {v["version"].number: v["version"] for v in versions}
        before, after = by_number[old], by_number[new]
        context["changes"] = [
            {"change": change, "html": diff.html(ops)}
            for change, ops in diff.block_diff(
                [b.text for b in without_title(before)], [b.text for b in without_title(after)]
            )
        ]
    return render(request, "minutes/convention.html", context)


def _pair(request, numbers):
    """The two adopted versions to compare: the query's, else the last two."""
    chosen = []
    for name in ("old", "new"):
        value = request.GET.get(name, "")
        chosen.append(int(value) if value.isascii() and value.isdigit() and int(value) in numbers else None)
    if None in chosen:
        chosen = numbers[-2:] if len(numbers) >= 2 else [None, None]
    if None in chosen:
        return None, None
    return min(chosen), max(chosen)


def _minutes_of_polls(poll_ids):
    """{poll id: the published minutes of the meeting that held it}."""
    from voting.models import Poll

    polls = Poll.objects.filter(pk__in=[p for p in poll_ids if p]).values_list("pk", "meeting_id")
    published = {
        m.meeting_id: m
        for m in Minutes.objects.filter(
            meeting_id__in=[m for _p, m in polls], status=Minutes.Status.PUBLISHED
        ).select_related("meeting")
    }
    return {poll: published.get(meeting) for poll, meeting in polls}


@require_http_methods(["GET", "POST"])
def verify(request):
    """Paste or upload an export (JSON, Markdown or PDF): does it match published minutes?"""
    outcome = None
    if request.method == "POST":
        text = request.POST.get("export", "")
        upload = request.FILES.get("file")
        if upload is not None:
            data = upload.read(MAX_VERIFY_BYTES + 1)
            if len(data) > MAX_VERIFY_BYTES:
                text = data.decode("utf-8", "replace")  # refused below as too long
            elif data.startswith(b"%PDF"):
                return render(request, "minutes/verify.html", {"outcome": check_pdf(data)})
            else:
                text = data.decode("utf-8", "replace")
        outcome = check_copy(text) if len(text) <= MAX_VERIFY_BYTES else {"state": "unreadable"}
    return render(request, "minutes/verify.html", {"outcome": outcome})


def check_copy(text):
    """Does `text`, a JSON or Markdown export, match published minutes?

    A JSON export: its content's fingerprint is computed again. A Markdown
    export: it is written again, in either language, from the version whose
    fingerprint it prints, and must read exactly the same."""
    content = canonical.read_export(text)
    if content is not None:
        print_ = canonical.fingerprint(content)
        match = MinutesVersion.objects.filter(fingerprint=print_).select_related("minutes__meeting").first()
        return {"state": "match" if match else "nomatch", "fingerprint": print_, "version": match}
    named = named_fingerprints(text)
    if not named:
        return {"state": "unreadable"}
    copy = text.replace("\r\n", "\n").strip() + "\n"
    for version in MinutesVersion.objects.filter(fingerprint__in=named).select_related("minutes__meeting"):
        if any(to_markdown(version, language) == copy for language, _name in settings.LANGUAGES):
            return {"state": "match", "fingerprint": version.fingerprint, "version": version}
    return {"state": "nomatch", "fingerprint": sorted(named)[0], "version": None}


def check_pdf(data):
    """A PDF copy: its text must read exactly as the PDF of the version whose
    fingerprint it prints reads, made again now in either language (a PDF's
    bytes differ between renderings; its text does not)."""
    from minutes import pdf, printing

    try:
        text = pdf.pdf_text(data)
    except Exception:  # noqa: BLE001 - any unreadable upload is simply not a copy
        return {"state": "unreadable"}
    named = named_fingerprints(text)
    if not named:
        return {"state": "unreadable"}
    flat = "".join(text.split())
    for version in MinutesVersion.objects.filter(fingerprint__in=named).select_related("minutes__meeting"):
        for language, _name in settings.LANGUAGES:
            try:
                again = pdf.pdf_text(printing.minutes_pdf(version, language))
            except pdf.PdfUnavailable:
                return {"state": "unavailable"}
            if "".join(again.split()) == flat:
                return {"state": "match", "fingerprint": version.fingerprint, "version": version}
    return {"state": "nomatch", "fingerprint": sorted(named)[0], "version": None}


def meeting_decisions(meeting):
    """For a phone after the meeting ended: what it decided, and the
    published minutes (meetings.extensions.closed_sections)."""
    from minutes.record import decisions, meeting_record

    minutes = Minutes.objects.filter(meeting=meeting).first()
    version = minutes.latest if minutes and minutes.status == Minutes.Status.PUBLISHED else None
    return {
        "template": "minutes/includes/decided.html",
        "decided": decisions(meeting_record(meeting)),
        "minutes_version": version,
        "compound": meeting.compound,
        "meeting": meeting,
    }


def decision_notice(request, compound_id, meeting_id):
    """The decision notice (决定公告) to post at the gate: what the meeting
    decided, when the notice went up, and a QR code to the record online."""
    from compounds.qr import absolute_url, qr_data_uri
    from meetings.models import Meeting
    from minutes.record import decisions, meeting_record

    meeting = get_object_or_404(
        Meeting.objects.select_related("compound"), pk=meeting_id, compound_id=compound_id, status=Meeting.Status.CLOSED
    )
    minutes = Minutes.objects.filter(meeting=meeting).first()
    published = minutes is not None and minutes.status == Minutes.Status.PUBLISHED
    target = (
        reverse("minutes_public", kwargs={"compound_id": compound_id, "meeting_id": meeting_id})
        if published
        else reverse("join", kwargs={"code": meeting.code})
    )
    url = absolute_url(request, target)
    context = {
        "meeting": meeting,
        "compound": meeting.compound,
        "decided": decisions(meeting_record(meeting)),
        "posted_at": minutes.notice_posted_at if minutes else None,
        "url": url,
        "qr": qr_data_uri(url),
    }
    return render(request, "minutes/decision_notice.html", context)
