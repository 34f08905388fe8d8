"""Pages of the meeting: join (phones), projector, facilitator console."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compounds.code_entry import CodeRefused, credential_typed
from compounds.credentials import credential_for_code
from compounds.qr import absolute_url, qr_data_uri
from compounds.ratelimit import code_attempt_refusal, record_code_failure, remember_code_client, wait_minutes
from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, panel_contexts
from deliberation.realtime.states import state_at
from meetings import access, actions, extensions
from meetings.forms import HouseholdCodeForm, MeetingCodeForm
from meetings.models import FloorRequest, Meeting
from meetings.responses import action_response
from meetings.routing import live_path
from meetings.views_room import HANDS, PLAN, RUN


def home(request):
    """Anyone: type the meeting's short code from the projector."""
    form = MeetingCodeForm(request.GET or None)
    if form.is_valid():
        return redirect("join", code=form.cleaned_data["code"])
    return render(request, "meetings/home.html", {"form": form})


def abilities(user, compound):
    """{what: bool} for the links and buttons of a compound's staff pages, by
    the rules the views they lead to check (views_room's RUN, HANDS and PLAN;
    proposals and polls follow HANDS and PLAN too): a page shows a link or a
    button only to whom it answers (tests/test_role_links.py crawls them)."""
    roles = access.staff_roles(user, compound)
    return {
        "run": bool(roles & set(RUN)),
        "hands": bool(roles & set(HANDS)),
        "plan": bool(roles & set(PLAN)),
        "roster": bool(roles & set(access.ROSTER_ROLES)),
    }


@login_required
def staff_home(request):
    compounds = list(access.compounds_for(request.user).prefetch_related("meetings"))
    for compound in compounds:
        compound.can = abilities(request.user, compound)
    return render(request, "meetings/staff_home.html", {"compounds": compounds})


def _live_context(request, meeting, audience):
    """What a live page needs: its panels, and its socket address.

    The panels are the audience's shared full state (realtime/states.py):
    a room of phones arriving at once renders it a few times a second, not
    once per phone. The page says the state's revision, so its socket or
    its first poll brings anything newer."""
    language = request.LANGUAGE_CODE
    state = state_at(meeting, audience, language)
    return {
        "meeting": meeting,
        "rev": state.revision,
        "panels": state.panels,
        "live_url": live_path(meeting, audience),
        "live_language": language,
    }


@remember_code_client
def join(request, code):
    """The meeting's short URL: the resident's phone page once joined."""
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), code=code.upper())
    household = access.resident_household(request.session, meeting)
    if household is not None:
        context = _live_context(request, meeting, RESIDENT)
        context["household"] = household
        for extra in extensions.phone_contexts:
            context.update(extra(meeting, household))
        return render(request, "meetings/phone.html", context)
    if not meeting.is_open_to_residents:
        closed = meeting.status == Meeting.Status.CLOSED
        sections = [section(meeting) for section in extensions.closed_sections] if closed else []
        return render(request, "meetings/not_open.html", {"meeting": meeting, "sections": sections})

    form = HouseholdCodeForm(request.POST or None)
    # Joined before and no longer valid: the code was revoked or re-issued.
    stale = request.method == "GET" and access.joined_household(request.session, meeting.pk) is not None
    if request.method == "POST" and form.is_valid():
        wrong = _("This code is not valid for this meeting. Check it against your slip.")
        try:
            credential = credential_typed(request, form.cleaned_data["code"], meeting.compound_id, wrong)
        except CodeRefused as refused:
            form.add_error("code" if refused.wrong_code else None, refused.message)
        else:
            return _join_as(request, meeting, credential)
    return render(request, "meetings/join.html", {"meeting": meeting, "form": form, "stale_join": stale})


def _join_as(request, meeting, credential):
    try:
        actions.join_meeting(meeting, credential.household)
    except actions.ActionError as error:
        messages.error(request, str(error))
        return redirect("join", code=meeting.code)
    access.remember_household(request, meeting, credential)
    return redirect("join", code=meeting.code)


@remember_code_client
def household_link(request, code):
    """A slip's QR: confirm, then join the compound's open meeting.

    GET only shows a button: link previews (WeChat fetches links) must not
    join anyone.
    """
    refusal = code_attempt_refusal(request, code)
    if refusal is not None:
        # Minutes when a count of wrong codes must expire; under a minute when
        # the address is only slowed (meetings/link_invalid.html).
        minutes = wait_minutes(refusal.retry_after) if refusal.retry_after >= 60 else None
        context = {"blocked": True, "minutes": minutes}
        response = render(request, "meetings/link_invalid.html", context, status=429)
        response["Retry-After"] = str(refusal.retry_after)
        return response
    credential = credential_for_code(code)
    if credential is None:
        record_code_failure(request, code)
        return render(request, "meetings/link_invalid.html", {}, status=404)
    household = credential.household
    meetings = list(
        Meeting.objects.filter(
            compound_id=household.compound_id, status__in=[Meeting.Status.LIVE, Meeting.Status.ANNOUNCED]
        ).order_by("-status", "scheduled_start", "created_at")
    )
    if request.method == "POST":
        meeting = next((m for m in meetings if str(m.pk) == request.POST.get("meeting")), None)
        if meeting is None:
            messages.error(request, _("That meeting is no longer open. Please choose again."))
            return redirect("household_link", code=code)
        return _join_as(request, meeting, credential)
    return render(request, "meetings/household_link.html", {"household": household, "meetings": meetings})


@require_POST
def leave(request, code):
    meeting = get_object_or_404(Meeting, code=code.upper())
    access.forget_household(request.session, meeting)
    return redirect("join", code=meeting.code)


def projector(request, code):
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), code=code.upper())
    from django.contrib.auth.views import redirect_to_login

    key = request.GET.get("key", "")
    if not access.can_open_projector(request.user, meeting, key, session=request.session, remember=True):
        if not request.user.is_authenticated:
            # Back here after the login, without the (wrong) key.
            return redirect_to_login(request.path)
        return render(request, "403.html", status=403)
    if "key" in request.GET:
        # The key is now in this browser's session: the same page without it,
        # so it is not in the address bar, the history, the websocket's
        # address or any later access-log line.
        return redirect(request.path)
    context = _live_context(request, meeting, PROJECTOR)
    join_path = reverse("join", kwargs={"code": meeting.code})
    join_url = absolute_url(request, join_path)
    context.update(
        {
            "join_url": join_url,
            # Read aloud and typed from the back of the room: no "https://",
            # and a line may break between the host and the meeting's code.
            "join_host": join_url.split("://", 1)[-1].removesuffix(join_path),
            "join_path": join_path,
            "join_qr": qr_data_uri(join_url),
            "key": "",
            # The layout from the first paint (static/js/projector.js follows the pushes).
            "screen": panel_contexts(meeting, PROJECTOR, {"screen"})["screen"],
        }
    )
    return render(request, "meetings/projector.html", context)


@access.staff_required(*access.CONSOLE_ROLES)
def console(request, meeting, compound):
    context = _live_context(request, meeting, FACILITATOR)
    households = compound.households.voting()
    context.update(
        {
            "can": abilities(request.user, compound),
            "household_labels": [h.label for h in households.select_related("unit__building")],
            "stances": FloorRequest.Stance.choices,
            "projector_url": absolute_url(
                request, reverse("projector", kwargs={"code": meeting.code}) + f"?key={meeting.projector_key}"
            ),
            "join_url": absolute_url(request, reverse("join", kwargs={"code": meeting.code})),
        }
    )
    return render(request, "meetings/console.html", context)


@require_POST
@access.staff_required(access.Role.FACILITATOR)
def meeting_status(request, meeting, compound):
    """Open or close the meeting (the facilitator's buttons)."""
    choice = request.POST.get("action")
    if choice not in ("open", "close"):
        return action_response(request, console_url(meeting), error=_("Unknown action."), status=400)
    try:
        if choice == "open":
            actions.open_meeting(meeting)
        else:
            actions.close_meeting(meeting)
    except actions.ActionError as error:
        return action_response(request, console_url(meeting), error=str(error))
    return action_response(request, console_url(meeting))


def console_url(meeting):
    return reverse("console", kwargs={"meeting_id": meeting.pk})
