"""What anyone with the link may read of a proposal, without logging in:
its page, its record as JSON, and the printable public notice (公示) with a
QR code; and households' comments while the notice runs (with their code).

A draft is not public: only what has been posted for notice or put to the
room is.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from compounds.code_entry import CodeRefused, credential_typed
from compounds.qr import absolute_url, qr_data_uri
from compounds.ratelimit import remember_code_client
from proposals import actions, markup
from proposals.models import Proposal
from proposals.record import amendment_ops, proposal_record, public_author, rendered_text


def public_proposal(proposal_id):
    """A proposal anyone may read: past its draft, or a convention in force
    whose revision is being drafted (then only the text in force is public)."""
    proposal = get_object_or_404(Proposal.objects.select_related("compound"), pk=proposal_id)
    if proposal.status == Proposal.Status.DRAFT and proposal.adopted_version is None:
        raise Http404
    return proposal


def public_version(proposal):
    """The text the public sees: the current one, but while a revision is a
    draft, the text in force."""
    if proposal.status == Proposal.Status.DRAFT:
        return proposal.adopted_version
    return proposal.current


@remember_code_client
@require_http_methods(["GET", "POST"])
def proposal_page(request, proposal_id):
    proposal = public_proposal(proposal_id)
    error = None
    if request.method == "POST":
        error = _comment(request, proposal)
        if error is None:
            return redirect("proposal_page", proposal_id=proposal.pk)
    current = public_version(proposal)
    adopted = proposal.adopted_version
    context = {
        "adopted": adopted,
        "sponsor": proposal.sponsor_name or public_author("", proposal.sponsor_household),
        "adopted_rendered": rendered_text(adopted) if adopted else "",
        "proposal": proposal,
        "current": current,
        "rendered": rendered_text(current),
        "amendments": [{"amendment": a, "ops": amendment_ops(a)} for a in proposal.amendments.order_by("number")],
        "comments": [
            {"comment": c, "by": public_author("", c.household)}
            for c in proposal.comments.select_related("household__unit__building")
        ],
        "decisions": proposal.decisions.select_related("version"),
        "report": markup.render(proposal.report) if proposal.report else "",
        "photos": proposal.photos.only("pk", "caption", "proposal_id"),
        "error": error,
        "text": request.POST.get("text", "") if error else "",
    }
    return render(request, "proposals/public.html", context)


def _comment(request, proposal):
    """A household's comment, signed with its code. Returns an error or None."""
    try:
        credential = credential_typed(request, request.POST.get("code", ""), proposal.compound_id)
    except CodeRefused as refused:
        return refused.message
    try:
        actions.comment(proposal, credential.household, request.POST.get("text", ""))
    except actions.ProposalError as error:
        return str(error)
    return None


def proposal_json(request, proposal_id):
    """The proposal's record, machine-readable (docs/api.md)."""
    proposal = public_proposal(proposal_id)
    response = JsonResponse(
        proposal_record(proposal, public_version(proposal)), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def notice_print(request, proposal_id):
    """The A4 public notice to post on the notice board: text, dates, QR."""
    proposal = public_proposal(proposal_id)
    page = absolute_url(request, reverse("proposal_page", kwargs={"proposal_id": proposal.pk}))
    return render(
        request,
        "proposals/notice.html",
        {
            "proposal": proposal,
            "current": public_version(proposal),
            "rendered": rendered_text(public_version(proposal)),
            "page_url": page,
            "qr": qr_data_uri(page),
        },
    )


def project_photo_file(request, proposal_id, photo_id):
    """A published project's photo, sent with the type its bytes were checked as."""
    proposal = public_proposal(proposal_id)
    photo = get_object_or_404(proposal.photos, pk=photo_id)
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=86400"
    return response
