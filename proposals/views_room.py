"""Proposals in the room: the facilitator's controls on the console, and
residents' amendments and seconds from their phones.

Live controls answer like the meeting's (meetings/responses.py): htmx gets a
204 (the push updates every screen) or the refusal in the flash area.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings import access
from meetings.models import Meeting
from meetings.responses import action_response, join_ended
from proposals import actions, markup
from proposals.access import CHAIR_ROLES
from proposals.forms import AmendmentForm, TextForm
from proposals.models import Amendment, Proposal


def _console(meeting):
    return reverse("console", kwargs={"meeting_id": meeting.pk})


@require_POST
@access.staff_required(*CHAIR_ROLES)
def amendment_action(request, meeting, compound, amendment_id):
    """accept, reject (with a reason) or show on the projector."""
    amendment = get_object_or_404(Amendment, pk=amendment_id, proposal__compound=compound)
    choice = request.POST.get("action")
    try:
        if choice == "accept":
            actions.accept_amendment(amendment, request.user)
        elif choice == "reject":
            actions.reject_amendment(amendment, request.user, request.POST.get("reason", ""))
        elif choice == "show":
            actions.focus(amendment.proposal, amendment=amendment)
        else:
            return action_response(request, _console(meeting), error=_("Unknown action."), status=400)
    except actions.ProposalError as error:
        return action_response(request, _console(meeting), error=str(error))
    return action_response(request, _console(meeting))


@require_POST
@access.staff_required(*CHAIR_ROLES)
def proposal_focus(request, meeting, compound, proposal_id):
    """Mark the block under debate (an empty block: none), and stop showing an amendment."""
    proposal = get_object_or_404(Proposal, pk=proposal_id, compound=compound)
    try:
        actions.focus(proposal, request.POST.get("block"))
    except actions.ProposalError as error:
        return action_response(request, _console(meeting), error=str(error))
    return action_response(request, _console(meeting))


def _resident(request, code):
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), code=code.upper())
    return meeting, access.resident_household(request.session, meeting)


@require_http_methods(["GET", "POST"])
def amend(request, code, proposal_id):
    """A resident proposes an amendment to one block, from the phone."""
    meeting, household = _resident(request, code)
    if household is None:
        return redirect("join", code=meeting.code)
    proposal = get_object_or_404(Proposal, pk=proposal_id, compound_id=meeting.compound_id)
    blocks = markup.blocks(proposal.current.body)
    try:
        index = int(request.GET.get("block", request.POST.get("block", "")))
    except ValueError:
        index = None
    if index is None or not 0 <= index < len(blocks):
        messages.error(request, _("That part of the text no longer exists. Reload and choose again."))
        return redirect("join", code=meeting.code)
    block = blocks[index]
    form = AmendmentForm(request.POST or None, initial={"op": Amendment.Op.REPLACE, "text": block.text})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.propose_amendment(
                proposal,
                index,
                data["op"],
                data["text"],
                data["reason"],
                household=household,
                seconds_required=meeting.seconds_required,
            )
        except actions.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your amendment is in. Other households can now second it."))
            return redirect("join", code=meeting.code)
    return render(
        request,
        "proposals/amend.html",
        {
            "meeting": meeting,
            "household": household,
            "proposal": proposal,
            "block": block,
            "block_html": markup.render(block.text),
            "form": form,
        },
    )


@require_POST
def second(request, code, amendment_id):
    meeting, household = _resident(request, code)
    join = reverse("join", kwargs={"code": meeting.code})
    if household is None:
        return join_ended(request, meeting)
    amendment = get_object_or_404(Amendment, pk=amendment_id, proposal__compound_id=meeting.compound_id)
    try:
        added = actions.second(amendment, household)
    except actions.ProposalError as error:
        return action_response(request, join, error=str(error))
    if not added:
        return action_response(request, join, error=_("You have seconded this amendment already."))
    return action_response(request, join)


@require_POST
def withdraw_amendment(request, code, amendment_id):
    """Its author takes an amendment back before the facilitator decides."""
    meeting, household = _resident(request, code)
    join = reverse("join", kwargs={"code": meeting.code})
    if household is None:
        return join_ended(request, meeting)
    amendment = get_object_or_404(Amendment, pk=amendment_id, proposal__compound_id=meeting.compound_id)
    try:
        actions.withdraw_amendment(amendment, household)
    except actions.ProposalError as error:
        return action_response(request, join, error=str(error))
    return action_response(request, join)


@require_http_methods(["GET", "POST"])
def sponsor_edit(request, code, proposal_id):
    """A micro-project's sponsor household edits its text from the phone."""
    meeting, household = _resident(request, code)
    if household is None:
        return redirect("join", code=meeting.code)
    proposal = get_object_or_404(Proposal, pk=proposal_id, compound_id=meeting.compound_id)
    if proposal.sponsor_household_id != household.pk:
        messages.error(request, _("Only the sponsor household may edit this proposal from a phone."))
        return redirect("join", code=meeting.code)
    current = proposal.current
    form = TextForm(request.POST or None, initial={"title": current.title, "body": current.body})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_text(proposal, data["title"], data["body"], data["reason"], household=household)
        except actions.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved as a new version."))
            return redirect("join", code=meeting.code)
    return render(
        request,
        "proposals/sponsor_edit.html",
        {"meeting": meeting, "household": household, "proposal": proposal, "form": form},
    )
