"""Staff pages for minutes: the draft with its record, the secretary's
narrative and notes, the parties' sign-offs, publishing and corrections.

Who: staff who see the meeting's console (CONSOLE_ROLES) read the minutes;
the secretary and the facilitator write them; each party's members sign or
decline for it. Every change is a POST that calls an action.
"""

import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compounds.access import CONSOLE_ROLES, Role, has_role
from meetings.models import Meeting
from minutes import actions
from minutes.models import Minutes, Party, SignOff
from minutes.panels import NOTICE_DEADLINE
from minutes.record import meeting_record

WRITERS = (Role.SECRETARY, Role.FACILITATOR)


def _meeting_and_minutes(request, meeting_id, roles=None):
    """The meeting and its minutes, for staff of the compound or a member of
    one of its signing parties (who may hold no other role); with `roles`,
    only for staff holding one of them."""
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), pk=meeting_id)
    if roles is not None:
        allowed = has_role(request.user, meeting.compound, roles)
    else:
        signer = Party.objects.filter(compound=meeting.compound, members=request.user).exists()
        allowed = signer or has_role(request.user, meeting.compound, CONSOLE_ROLES)
    if not allowed:
        raise PermissionDenied
    try:
        return (meeting, actions.minutes_of(meeting)), None
    except actions.MinutesError as error:
        messages.error(request, str(error))
        return None, redirect("console", meeting_id=meeting.pk)


def minutes_page(request, meeting_id):
    found, refusal = _meeting_and_minutes(request, meeting_id)
    if refusal:
        return refusal
    meeting, minutes = found
    compound = meeting.compound
    now = timezone.now()
    signed = actions.signatures(minutes)
    parties = [
        {
            "party": party,
            "signoff": signed.get(party.pk),
            "mine": party.members.filter(pk=request.user.pk).exists(),
        }
        for party in actions.parties(compound)
    ]
    latest = minutes.latest
    deadline = meeting.closed_at + NOTICE_DEADLINE if meeting.closed_at else None
    context = {
        "meeting": meeting,
        "compound": compound,
        "minutes": minutes,
        "doc": actions.content(minutes, None, now) if minutes.status != Minutes.Status.PUBLISHED else latest.content,
        "fingerprint": latest.fingerprint if minutes.status == Minutes.Status.PUBLISHED else "",
        "parties": parties,
        "declined": minutes.signoffs.filter(decision=SignOff.Decision.DECLINED).select_related("party").order_by("-at"),
        "versions": minutes.versions.order_by("-number"),
        "can_write": has_role(request.user, compound, WRITERS),
        "items": meeting.items.order_by("position", "id"),
        "sections": _sections(meeting_record(meeting)),
        "notice_deadline": deadline,
        "notice_overdue": deadline is not None and minutes.notice_posted_at is None and now > deadline,
    }
    return render(request, "minutes/staff.html", context)


def _sections(record):
    """The parts of the record a note may be attached to, named as people read them."""
    return [
        ("meeting", _("The meeting")),
        ("attendance", _("Attendance")),
        *((f"item:{item['id']}", item["title"]) for item in record["items"]),
        *((f"poll:{poll['id']}", poll["title"]) for poll in record["polls"]),
    ]


def _writer(view):
    """POSTs that change the draft: the secretary or the facilitator."""

    def wrapper(request, meeting_id):
        found, refusal = _meeting_and_minutes(request, meeting_id, WRITERS)
        if refusal:
            return refusal
        meeting, minutes = found
        try:
            view(request, minutes)
        except actions.MinutesError as error:
            messages.error(request, str(error))
        return redirect("minutes_page", meeting_id=meeting.pk)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_POST(wrapper)


@_writer
def minutes_edit(request, minutes):
    items = {
        match.group(1): value
        for key, value in request.POST.items()
        if (match := re.fullmatch(r"item-([0-9]{1,12})", key))
    }
    followups = [
        {"what": what, "who": who, "due": due}
        for what, who, due in zip(
            request.POST.getlist("followup-what"),
            request.POST.getlist("followup-who"),
            request.POST.getlist("followup-due"),
            strict=False,
        )
    ]
    actions.edit_narrative(minutes, request.user, request.POST.get("summary", ""), items, followups)
    messages.success(request, _("Saved. The parties sign the text as it reads now."))


@_writer
def minutes_annotate(request, minutes):
    actions.annotate(minutes, request.user, request.POST.get("section", ""), request.POST.get("text", ""))


@_writer
def minutes_ask(request, minutes):
    actions.ask_to_sign(minutes, request.user)


@_writer
def minutes_correct(request, minutes):
    actions.correct(minutes, request.user, request.POST.get("reason", ""))


@_writer
def minutes_notice_posted(request, minutes):
    actions.mark_notice_posted(minutes, request.user)


@require_POST
def minutes_sign(request, meeting_id):
    """A party's member signs, or declines with a reason."""
    found, refusal = _meeting_and_minutes(request, meeting_id)
    if refusal:
        return refusal
    meeting, minutes = found
    pk = request.POST.get("party", "")
    party = Party.objects.filter(compound=meeting.compound, pk=int(pk) if pk.isascii() and pk.isdigit() else None)
    party = party.first()
    try:
        if party is None:
            raise actions.MinutesError(_("That party does not sign for this compound."))
        if request.POST.get("decision") == "decline":
            actions.decline(minutes, party, request.user, request.POST.get("reason", ""))
        else:
            version = actions.sign(minutes, party, request.user)
            if version is not None:
                messages.success(request, _("Every party has signed: the minutes are published."))
    except actions.MinutesError as error:
        messages.error(request, str(error))
    return redirect("minutes_page", meeting_id=meeting.pk)
