"""After the close: the result posted as provisional, objections (询异)
filed and answered on the record, then final (issue 15).

Staff post, answer and make final from the poll's publication page; anyone
reads the posted result on the compound's public page, and a household
objects there with its household code (rate-limited like joining).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compounds.code_entry import CodeRefused, credential_typed
from compounds.ratelimit import remember_code_client
from meetings import access
from meetings.forms import household_by_label
from voting import actions
from voting.models import Objection, Poll

Role = access.Role
PUBLISH = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY)
MAX_TEXT = 1000


def _state(poll):
    if poll.final_at:
        return "final"
    if poll.results_posted_at:
        return "provisional"
    return "unposted"


@require_http_methods(["GET", "POST"])
@access.staff_required(*PUBLISH)
def poll_publication(request, meeting, compound, poll_id):
    poll = get_object_or_404(Poll, pk=poll_id, meeting=meeting)
    if request.method == "POST":
        act = request.POST.get("action")
        try:
            if act == "post":
                actions.post_results(poll)
                messages.success(request, _("The result is posted as provisional; objections may now be filed."))
            elif act == "final":
                actions.make_final(poll)
                messages.success(request, _("The result is final."))
            elif act == "answer":
                actions.answer_objection(
                    poll, request.POST.get("objection"), request.POST.get("answer", "")[:MAX_TEXT], request.user
                )
                messages.success(request, _("The answer is recorded and published."))
            elif act == "paper":
                household = household_by_label(compound, request.POST.get("household", "")[:60])
                if household is None:
                    raise actions.VotingError(_("No household of this compound is called that."))
                actions.file_objection(poll, household, request.POST.get("text", "")[:MAX_TEXT], user=request.user)
                messages.success(request, _("The objection is recorded."))
            else:
                raise actions.VotingError(_("Unknown action."))
        except actions.VotingError as error:
            messages.error(request, str(error))
        return redirect("poll_publication", meeting_id=meeting.pk, poll_id=poll.pk)
    return render(
        request,
        "voting/publication.html",
        {
            "meeting": meeting,
            "poll": poll,
            "state": _state(poll),
            "objections": poll.objections.select_related("household__unit__building", "answered_by", "entered_by"),
            "unanswered": poll.objections.filter(answered_at__isnull=True).count(),
            "window_over": poll.objections_until is not None and timezone.now() > poll.objections_until,
            "public_url": reverse("result_public", args=[compound.pk, poll.pk]),
        },
    )


@remember_code_client
@require_http_methods(["GET", "POST"])
def result_public(request, compound_id, poll_id):
    """A posted result, for anyone: the counts and the procedure (never who
    voted how), its state, the objections with their answers, and while the
    window is open a form to object with the household's code."""
    poll = get_object_or_404(
        Poll.objects.select_related("meeting__compound"), pk=poll_id, meeting__compound_id=compound_id
    )
    if poll.results_posted_at is None or poll.certificate is None:
        raise Http404
    now = timezone.now()
    window_open = poll.final_at is None and now <= poll.objections_until
    error = None
    if request.method == "POST":
        if not window_open:
            error = _("The objection window has closed.")
        else:
            try:
                credential = credential_typed(request, request.POST.get("code", "")[:40], poll.meeting.compound_id)
            except CodeRefused as refused:
                error = refused.message
            else:
                try:
                    actions.file_objection(poll, credential.household, request.POST.get("text", "")[:MAX_TEXT])
                except actions.VotingError as refused:
                    error = str(refused)
                else:
                    messages.success(request, _("Your objection is recorded; the answer will be published here."))
                    return redirect("result_public", compound_id=compound_id, poll_id=poll.pk)
    shown = dict(poll.certificate)
    shown.pop("participants", None)
    context = {
        "poll": poll,
        "c": shown,
        "staff": False,
        "public": True,
        "state": _state(poll),
        "window_open": window_open,
        "objections": Objection.objects.filter(poll=poll).order_by("filed_at", "id"),
        "objection_error": error,
        "objection_text": request.POST.get("text", "")[:MAX_TEXT] if error else "",
    }
    return render(request, "voting/certificate.html", context, status=400 if error else 200)
