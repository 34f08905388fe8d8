"""The meeting room's actions: the agenda, the speaker queue, the timer.

Staff controls and residents' requests are htmx POSTs; each calls one action
function and answers 204 (the push after the commit updates every screen) or
shows the refusal (meetings/responses.py).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import access, actions
from meetings.actions import ActionError
from meetings.forms import AddSpeakerForm, AgendaItemForm, MeetingForm
from meetings.models import Meeting
from meetings.responses import action_response, join_ended

Role = access.Role
RUN = (Role.FACILITATOR,)
# Who may put a raised hand in the queue: the chair, or the community worker beside them.
HANDS = (Role.FACILITATOR, Role.WORKER)
PLAN = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY)


def _console(meeting):
    return reverse("console", kwargs={"meeting_id": meeting.pk})


def safe_next(request, fallback):
    """The posted `next` when it is a path on this site, else `fallback`: a
    form can never send anyone off-site (or to a malformed address)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not any(c in target for c in "\r\n\\")
    ):
        return target
    return fallback


def _run(request, meeting, action, *args, **kwargs):
    try:
        action(meeting, *args, **kwargs)
    except ActionError as error:
        return action_response(request, _console(meeting), error=str(error))
    return action_response(request, _console(meeting))


@require_POST
@access.staff_required(*RUN)
def agenda_action(request, meeting, compound):
    item = request.POST.get("item")
    choice = request.POST.get("action")
    if choice == "start":
        return _run(request, meeting, actions.start_item, item)
    if choice in ("up", "down"):
        return _run(request, meeting, actions.move_item, item, -1 if choice == "up" else 1)
    if choice == "next":
        return _run(request, meeting, actions.next_item)
    return action_response(request, _console(meeting), error=_("Unknown action."), status=400)


@require_POST
@access.staff_required(*RUN)
def floor_action(request, meeting, compound):
    choice = request.POST.get("action")
    target = request.POST.get("request")
    if choice == "next":
        return _run(request, meeting, actions.call_next)
    if choice == "pause":
        return _run(request, meeting, actions.toggle_pause)
    if choice == "end":
        return _run(request, meeting, actions.end_speech)
    if choice == "remove":
        return _run(request, meeting, actions.remove_request, target)
    if choice == "move":
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            return action_response(request, _console(meeting), error=_("Choose a place in the queue."), status=400)
        return _run(request, meeting, actions.move_request, target, position)
    return action_response(request, _console(meeting), error=_("Unknown action."), status=400)


@require_POST
@access.staff_required(*RUN)
def projector_screen(request, meeting, compound):
    """The facilitator's choice of what the projector shows."""
    return _run(request, meeting, actions.show_on_projector, request.POST.get("screen", ""))


@require_POST
@access.staff_required(*HANDS)
def floor_add(request, meeting, compound):
    form = AddSpeakerForm(request.POST, compound=compound)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return action_response(request, _console(meeting), error=errors)
    data = form.cleaned_data
    return _run(
        request,
        meeting,
        actions.add_speaker,
        stance=data["stance"],
        user=request.user,
        household=data["household"],
        name=data["name"],
    )


def _resident(request, code):
    meeting = get_object_or_404(Meeting, code=code.upper())
    return meeting, access.resident_household(request.session, meeting)


def _phone(meeting):
    return reverse("join", kwargs={"code": meeting.code})


@require_POST
def floor_request(request, code):
    """A resident asks for the floor with a stance: at most
    FLOOR_REQUESTS_PER_WINDOW times per FLOOR_REQUEST_WINDOW seconds, which
    also bounds request/withdraw cycles (withdrawing is never refused)."""
    from django.conf import settings

    from compounds.ratelimit import over_limit

    meeting, household = _resident(request, code)
    if household is None:
        return join_ended(request, meeting)
    limit, window = settings.FLOOR_REQUESTS_PER_WINDOW, settings.FLOOR_REQUEST_WINDOW
    if over_limit(f"rl:floor:{meeting.code}:{household.pk}", limit, window):
        error = _("You have asked for the floor too often. Please wait a minute and try again.")
        return action_response(request, _phone(meeting), error=error)
    return _run_resident(request, meeting, actions.request_floor, household, request.POST.get("stance", ""))


@require_POST
def floor_withdraw(request, code):
    meeting, household = _resident(request, code)
    if household is None:
        return join_ended(request, meeting)
    return _run_resident(request, meeting, actions.withdraw, household)


def _run_resident(request, meeting, action, *args):
    try:
        action(meeting, *args)
    except ActionError as error:
        return action_response(request, _phone(meeting), error=str(error))
    return action_response(request, _phone(meeting))


@access.staff_required(*PLAN)
def meeting_new(request, compound):
    form = MeetingForm(request.POST or None, instance=Meeting(compound=compound))
    if request.method == "POST" and form.is_valid():
        meeting = form.save()
        return redirect("meeting_edit", meeting_id=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "compound": compound})


@access.staff_required(*PLAN)
def meeting_edit(request, meeting, compound):
    form = MeetingForm(request.POST or None, instance=meeting)
    item_form = AgendaItemForm()
    if request.method == "POST" and form.is_valid():
        actions.save_meeting(form)
        messages.success(request, _("Meeting settings saved."))
        return redirect("meeting_edit", meeting_id=meeting.pk)
    context = {"form": form, "item_form": item_form, "meeting": meeting, "compound": compound}
    return render(request, "meetings/meeting_form.html", context)


@require_POST
@access.staff_required(*PLAN)
def agenda_item_add(request, meeting, compound):
    form = AgendaItemForm(request.POST)
    back = safe_next(request, _console(meeting))
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return action_response(request, back, error=errors)
    data = form.cleaned_data
    try:
        actions.add_item(meeting, data["title"], data["planned_minutes"], data["description"])
    except ActionError as error:
        return action_response(request, back, error=str(error))
    if request.htmx:
        # The form stays on the page: clear it for the next item.
        response = action_response(request, back)
        response["HX-Trigger"] = "agendaItemAdded"
        return response
    messages.success(request, _("Agenda item added."))
    return redirect(back)


@access.staff_required(*PLAN)
def agenda_item_edit(request, meeting, compound, item_id):
    item = get_object_or_404(meeting.items, pk=item_id)
    form = AgendaItemForm(request.POST or None, instance=item)
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                actions.delete_item(meeting, item.pk)
                return redirect(_console(meeting))
            if form.is_valid():
                data = form.cleaned_data
                actions.update_item(meeting, item.pk, data["title"], data["planned_minutes"], data["description"])
                messages.success(request, _("Agenda item saved."))
                return redirect(_console(meeting))
        except ActionError as error:
            form.add_error(None, str(error))
    return render(request, "meetings/agenda_item_form.html", {"form": form, "meeting": meeting, "item": item})
