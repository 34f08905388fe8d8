"""The official result of an owners' vote the city's system ran (Beijing,
Weifang and Qingyuan require online owners' votes to go through it;
Guangzhou prefers it): staff enter its totals and the document it
published, and the certificate says where the numbers came from (issue 15).
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from compounds.electorate import Summary
from meetings import access
from proposals.actions import MAX_PHOTO_BYTES
from voting import actions
from voting.models import Poll

Role = access.Role
ENTER = (Role.FACILITATOR, Role.WORKER)
ROWS = (
    ("electorate", _("May vote")),
    ("participating", _("Took part")),
    ("for", _("For")),
    ("against", _("Against")),
    ("abstain", _("Abstain")),
)
DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class OfficialResultForm(forms.Form):
    source = forms.CharField(
        label=_("System that ran the vote"), max_length=200, help_text=_("e.g. 北京业主决策电子投票平台")
    )
    reference = forms.CharField(
        label=_("Document that gives the result"), max_length=200, help_text=_("its title or number, as published")
    )
    document = forms.FileField(label=_("The document (PDF or photo, optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in ROWS:
            self.fields[f"{key}_households"] = forms.IntegerField(
                label=_("%(row)s: households") % {"row": label}, min_value=0, max_value=1_000_000
            )
            self.fields[f"{key}_heads"] = forms.IntegerField(
                label=_("%(row)s: owners") % {"row": label}, min_value=0, max_value=1_000_000
            )
            self.fields[f"{key}_area"] = forms.DecimalField(
                label=_("%(row)s: area (m²)") % {"row": label}, min_value=Decimal(0), max_digits=12, decimal_places=2
            )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document is None:
            return None
        if document.size > MAX_PHOTO_BYTES or document.content_type not in DOCUMENT_TYPES:
            raise forms.ValidationError(_("A PDF, JPEG or PNG file up to 5 MB."))
        return (document.read(), document.name, document.content_type)

    def totals(self):
        data = self.cleaned_data
        return {
            key: Summary(data[f"{key}_households"], data[f"{key}_heads"], data[f"{key}_area"]) for key, _label in ROWS
        }

    def rows(self):
        return [(label, [self[f"{key}_{part}"] for part in ("households", "heads", "area")]) for key, label in ROWS]


@require_http_methods(["GET", "POST"])
@access.staff_required(*ENTER)
def official_result(request, meeting, compound, poll_id):
    poll = get_object_or_404(Poll, pk=poll_id, meeting=meeting)
    form = OfficialResultForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_official_result(
                poll,
                source=form.cleaned_data["source"],
                reference=form.cleaned_data["reference"],
                totals=form.totals(),
                document=form.cleaned_data["document"],
                user=request.user,
            )
        except actions.VotingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The official result is recorded and the certificate written."))
            return redirect("certificate", poll_id=poll.pk)
    return render(
        request,
        "voting/official_result.html",
        {"meeting": meeting, "poll": poll, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@access.staff_required(*access.CONSOLE_ROLES)
def official_document(request, meeting, compound, poll_id):
    """The document the official result came from, for staff (who keep it for the record)."""
    poll = get_object_or_404(Poll.objects.select_related("official"), pk=poll_id, meeting=meeting)
    official = getattr(poll, "official", None)
    if official is None or not official.document:
        raise Http404
    response = HttpResponse(bytes(official.document), content_type=official.document_type)
    response["Content-Disposition"] = "attachment; filename=official-result"
    response["X-Content-Type-Options"] = "nosniff"
    return response
