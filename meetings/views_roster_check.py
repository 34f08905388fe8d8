"""The roster published for checking before a vote (名册核对).

Staff publish it and answer households' correction requests on the record;
anyone reads it (unit, kind and area, never a name) with its totals and
version; a joined household's phone shows its own entry and asks for a
correction. Plain forms, redirect after success.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meetings import access, actions, roster_check
from meetings.actions import ActionError
from meetings.models import Meeting

Role = access.Role
CHECK_ROLES = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY)
MAX_TEXT = 500


def _staff_url(meeting):
    return reverse("roster_check_page", kwargs={"meeting_id": meeting.pk})


@require_http_methods(["GET", "POST"])
@access.staff_required(*CHECK_ROLES)
def roster_check_page(request, meeting, compound):
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                actions.publish_roster(meeting, request.user)
                messages.success(request, _("The roster is published for checking."))
            else:
                actions.answer_correction(
                    meeting, request.POST.get("request"), request.POST.get("answer", ""), request.user
                )
                messages.success(request, _("The answer is recorded."))
        except ActionError as error:
            messages.error(request, str(error))
        return redirect(_staff_url(meeting))
    meeting.refresh_from_db()
    rows, totals, version = roster_check.published(compound)
    return render(
        request,
        "meetings/roster_check_staff.html",
        {
            "meeting": meeting,
            "requests": meeting.roster_corrections.select_related("household__unit__building", "answered_by"),
            "totals": totals,
            "version": version,
        },
    )


def roster_public(request, compound_id, meeting_id):
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), pk=meeting_id, compound_id=compound_id)
    if meeting.roster_published_at is None:
        raise Http404
    rows, totals, version = roster_check.published(meeting.compound)
    return render(
        request,
        "meetings/roster_public.html",
        {"meeting": meeting, "compound": meeting.compound, "rows": rows, "totals": totals, "version": version},
    )


@require_http_methods(["GET", "POST"])
def roster_phone(request, code):
    """A joined household's own entry, and its request for a correction."""
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), code=code.upper())
    household = access.resident_household(request.session, meeting)
    if household is None:
        return redirect("join", code=meeting.code)
    if meeting.roster_published_at is None:
        raise Http404
    if request.method == "POST":
        try:
            actions.ask_correction(meeting, household, request.POST.get("text", "")[:MAX_TEXT])
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your request is recorded; staff will answer it here."))
        return redirect("roster_phone", code=meeting.code)
    return render(
        request,
        "meetings/roster_phone.html",
        {
            "meeting": meeting,
            "household": household,
            "requests": meeting.roster_corrections.filter(household=household),
            "public_url": reverse("roster_public", args=[meeting.compound_id, meeting.pk]),
        },
    )
