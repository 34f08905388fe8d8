"""The compound's counting clauses: what its procedural rules (议事规则 /
管理规约) say about owners who do not vote the ordinary way (issue 15).

Staff copy a clause in as it was adopted, with the decision that adopted
it; the history stays (each change is a new row, chained in the audit log).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from meetings import access
from proposals.models import Decision
from voting import actions
from voting.models import CountingClause

Role = access.Role
# Those who plan meetings (meetings/views_room.py PLAN) keep the record of the rules too.
CLAUSE_ROLES = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY)


class ClauseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Clause"), choices=CountingClause.Kind.choices)
    action = forms.ChoiceField(
        label=_("The rules now"), choices=[("adopt", _("have this clause")), ("repeal", _("no longer have it"))]
    )
    text = forms.CharField(
        label=_("Text of the clause, as adopted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    reference = forms.CharField(
        label=_("Adopted (or repealed) by"),
        max_length=200,
        required=False,
        help_text=_("e.g. 2025年第一次业主大会决定第3项"),
    )
    decision = forms.ModelChoiceField(
        label=_("or a decision recorded here"), queryset=Decision.objects.none(), required=False
    )
    adopted_on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    majority_floor = forms.BooleanField(
        label=_("The enlarged majority must exceed half of all owners and all area (Zhejiang 2009 Art. 10(2))"),
        required=False,
    )

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = Decision.objects.filter(
            proposal__compound=compound, outcome="adopted"
        ).select_related("proposal")


@require_http_methods(["GET", "POST"])
@access.staff_required(*CLAUSE_ROLES)
def clauses_page(request, compound):
    form = ClauseForm(request.POST or None, compound=compound, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "repeal":
                actions.repeal_clause(
                    compound,
                    kind=data["kind"],
                    reference=data["reference"],
                    adopted_on=data["adopted_on"],
                    user=request.user,
                )
            else:
                actions.adopt_clause(
                    compound,
                    kind=data["kind"],
                    text=data["text"],
                    reference=data["reference"],
                    decision=data["decision"],
                    adopted_on=data["adopted_on"],
                    majority_floor=data["majority_floor"],
                    user=request.user,
                )
        except actions.VotingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recorded. Votes opened from now on follow it."))
            return redirect("clauses_page", compound_id=compound.pk)
    return render(
        request,
        "voting/clauses.html",
        {
            "compound": compound,
            "form": form,
            "in_force": actions.clauses_in_force(compound),
            "history": CountingClause.objects.filter(compound=compound)
            .select_related("decision__proposal")
            .order_by("-entered_at", "-id"),
        },
        status=400 if request.method == "POST" else 200,
    )
