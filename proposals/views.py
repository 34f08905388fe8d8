"""Staff pages for proposals: the list, a new proposal, and one proposal's
page (its text and versions, details, agenda item, public notice).

Every change is a POST that calls an action; GET pages change nothing.
"""

import re

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compounds.access import staff_required
from meetings.models import AgendaItem, Meeting
from proposals import actions, diff
from proposals.access import DRAFT_ROLES, proposal_staff
from proposals.forms import CompletionForm, NoticeForm, PhotoForm, ProposalForm, TextForm
from proposals.record import rendered_text, without_title


@staff_required(*DRAFT_ROLES)
def proposal_list(request, compound):
    proposals = compound.proposals.select_related("item__meeting").order_by("-created_at")
    return render(request, "proposals/list.html", {"compound": compound, "proposals": proposals})


@staff_required(*DRAFT_ROLES)
def proposal_new(request, compound):
    details = ProposalForm(request.POST or None, compound=compound)
    text = TextForm(request.POST or None)
    if request.method == "POST" and details.is_valid() and text.is_valid():
        data = {f: details.cleaned_data[f] for f in details.Meta.fields if f not in ("kind", "title")}
        data["sponsor_household"] = details.cleaned_data.get("sponsor_label")
        try:
            proposal = actions.create_proposal(
                compound,
                details.cleaned_data["kind"],
                text.cleaned_data["title"],
                text.cleaned_data["body"],
                user=request.user,
                **data,
            )
        except actions.ProposalError as error:
            text.add_error(None, str(error))
        else:
            return redirect("proposal_detail", proposal_id=proposal.pk)
    return render(request, "proposals/new.html", {"compound": compound, "details": details, "text": text})


def _agenda_items(compound):
    """Items of the compound's meetings that are not over, to debate a proposal on."""
    return (
        AgendaItem.objects.filter(meeting__compound=compound)
        .exclude(meeting__status=Meeting.Status.CLOSED)
        .select_related("meeting")
        .order_by("meeting__scheduled_start", "meeting_id", "position")
    )


@proposal_staff(*DRAFT_ROLES)
def proposal_detail(request, compound, proposal):
    current = proposal.current
    context = {
        "compound": compound,
        "proposal": proposal,
        "current": current,
        "rendered": rendered_text(current),
        "versions": proposal.versions.order_by("-number"),
        "amendments": proposal.amendments.order_by("-number"),
        "decisions": proposal.decisions.select_related("version"),
        "comments": proposal.comments.select_related("household__unit__building"),
        "text_form": TextForm(initial={"title": current.title, "body": current.body}),
        "details_form": ProposalForm(instance=proposal, compound=compound),
        "notice_form": NoticeForm(initial={"days": compound.notice_days}),
        "items": _agenda_items(compound),
        "completion_form": CompletionForm(initial={"report": proposal.report, "spent": proposal.spent}),
        "photo_form": PhotoForm(),
        "photos": proposal.photos.only("pk", "caption", "proposal_id"),
    }
    return render(request, "proposals/detail.html", context)


def _run(request, proposal, action, *args, **kwargs):
    try:
        action(*args, **kwargs)
    except actions.ProposalError as error:
        messages.error(request, str(error))
    return redirect("proposal_detail", proposal_id=proposal.pk)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def proposal_save_text(request, compound, proposal):
    form = TextForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The text was not saved: %(errors)s")
            % {"errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return redirect("proposal_detail", proposal_id=proposal.pk)
    data = form.cleaned_data
    return _run(
        request, proposal, actions.save_text, proposal, data["title"], data["body"], data["reason"], user=request.user
    )


@require_POST
@proposal_staff(*DRAFT_ROLES)
def proposal_save_details(request, compound, proposal):
    form = ProposalForm(request.POST, instance=proposal, compound=compound)
    if not form.is_valid():
        messages.error(
            request,
            _("The details were not saved: %(errors)s")
            % {"errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return redirect("proposal_detail", proposal_id=proposal.pk)
    return _run(request, proposal, actions.save_details, form)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def proposal_place(request, compound, proposal):
    item_id = request.POST.get("item") or ""
    item = None
    if item_id:
        item = (
            _agenda_items(compound).filter(pk=int(item_id) if re.fullmatch(r"[0-9]{1,18}", item_id) else None).first()
        )
        if item is None:
            messages.error(request, _("That agenda item no longer exists."))
            return redirect("proposal_detail", proposal_id=proposal.pk)
    return _run(request, proposal, actions.place_on_item, proposal, item)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def proposal_notice(request, compound, proposal):
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A notice runs between 1 and 90 days."))
        return redirect("proposal_detail", proposal_id=proposal.pk)
    return _run(request, proposal, actions.put_on_notice, proposal, form.cleaned_data["days"], request.user)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def proposal_withdraw(request, compound, proposal):
    return _run(request, proposal, actions.withdraw_proposal, proposal, request.user)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def comment_hide(request, compound, proposal, comment_id):
    comment = get_object_or_404(proposal.comments, pk=comment_id)
    return _run(request, proposal, actions.hide_comment, comment, request.user, request.POST.get("reason", ""))


@proposal_staff(*DRAFT_ROLES)
def version_compare(request, compound, proposal):
    """The compare form's answer: any two versions, older first."""
    numbers = sorted(
        int(value)
        for value in (request.GET.get("old", ""), request.GET.get("new", ""))
        if re.fullmatch(r"[0-9]{1,9}", value)
    )
    if len(numbers) != 2 or numbers[0] == numbers[1]:
        messages.error(request, _("Choose two different versions to compare."))
        return redirect("proposal_detail", proposal_id=proposal.pk)
    return redirect("version_diff", proposal_id=proposal.pk, old=numbers[0], new=numbers[1])


@proposal_staff(*DRAFT_ROLES)
def version_diff(request, compound, proposal, old, new):
    """Two versions side by side as one text with insertions and deletions."""
    versions = {v.number: v for v in proposal.versions.filter(number__in=[old, new])}
    if old not in versions or new not in versions:
        return redirect("proposal_detail", proposal_id=proposal.pk)
    return render(
        request,
        "proposals/diff.html",
        {
            "compound": compound,
            "proposal": proposal,
            "old": versions[old],
            "new": versions[new],
            "blocks": block_diff_view(versions[old], versions[new]),
            "title_ops": diff.html(diff.diff(versions[old].title, versions[new].title)),
        },
    )


HEADING = re.compile(r"^#{1,6}[ \t]+")


def block_diff_view(old_version, new_version):
    """Block-aligned diff of two versions (their titles are diffed apart),
    each block's ops as HTML, headings shown as headings (their "## "
    markers are not part of what was said)."""
    old_blocks, new_blocks = without_title(old_version), without_title(new_version)
    old = [HEADING.sub("", block.text) for block in old_blocks]
    new = [HEADING.sub("", block.text) for block in new_blocks]
    headings = {HEADING.sub("", b.text) for b in [*old_blocks, *new_blocks] if b.kind == "heading"}
    return [
        {
            "change": change,
            "html": diff.html(ops),
            "heading": "".join(text for op, text in ops if op != "+") in headings
            or "".join(text for op, text in ops if op != "-") in headings,
        }
        for change, ops in diff.block_diff(old, new)
    ]


@require_POST
@proposal_staff(*DRAFT_ROLES)
def proposal_revise(request, compound, proposal):
    return _run(request, proposal, actions.revise, proposal, request.user)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def project_start(request, compound, proposal):
    return _run(request, proposal, actions.start_project, proposal, request.user)


@require_POST
@proposal_staff(*DRAFT_ROLES)
def project_complete(request, compound, proposal):
    form = CompletionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report was not saved: %(errors)s") % {"errors": _errors(form)})
        return redirect("proposal_detail", proposal_id=proposal.pk)
    data = form.cleaned_data
    return _run(request, proposal, actions.complete_project, proposal, request.user, data["report"], data["spent"])


@require_POST
@proposal_staff(*DRAFT_ROLES)
def project_photo(request, compound, proposal):
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The photo was not added: %(errors)s") % {"errors": _errors(form)})
        return redirect("proposal_detail", proposal_id=proposal.pk)
    upload = form.cleaned_data["photo"]
    if upload.size > actions.MAX_PHOTO_BYTES:
        messages.error(request, _("A photo may be at most 5 MB."))
        return redirect("proposal_detail", proposal_id=proposal.pk)
    data = upload.read(actions.MAX_PHOTO_BYTES + 1)
    return _run(request, proposal, actions.add_photo, proposal, request.user, data, form.cleaned_data["caption"])


def _errors(form):
    return "; ".join(str(error) for errors in form.errors.values() for error in errors)
