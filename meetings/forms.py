from django import forms
from django.db.models import CharField
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from compounds.models import CODE_LENGTH, Household, normalize_code
from meetings.models import AgendaItem, FloorRequest, Meeting


class MeetingCodeForm(forms.Form):
    code = forms.CharField(label=_("Meeting code"), max_length=12)

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the code shown on the screen."))
        return code


class HouseholdCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Household code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("A household code has %(n)d letters and digits, as printed on your slip.") % {"n": CODE_LENGTH}
            )
        return code


class MeetingForm(forms.ModelForm):
    """A meeting's details and procedure; live and closed come from the console."""

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "place",
            "scheduled_start",
            "status",
            "speech_limit_seconds",
            "speeches_per_item",
            "alternate_stances",
            "first_timers_first",
            "seconds_required",
        ]
        widgets = {"scheduled_start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status in (Meeting.Status.LIVE, Meeting.Status.CLOSED):
            # Going live and closing are the facilitator's buttons, not a form field.
            del self.fields["status"]
        else:
            self.fields["status"].choices = [
                (s.value, s.label) for s in (Meeting.Status.DRAFT, Meeting.Status.ANNOUNCED)
            ]


# Limits on what staff type for the room: everything here is pushed to every
# phone in the meeting, so a pasted document must not be (the model's
# TextField has no limit of its own; CharFields keep the model's max_length).
MAX_DESCRIPTION_CHARS = 2000


class AgendaItemForm(forms.ModelForm):
    description = forms.CharField(
        label=AgendaItem._meta.get_field("description").verbose_name,
        required=False,
        max_length=MAX_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = AgendaItem
        fields = ["title", "planned_minutes", "description"]


class AddSpeakerForm(forms.Form):
    """Someone raised a hand in the room: a household (3幢2单元502) or a name."""

    who = forms.CharField(label=_("Household or name"), max_length=60)
    stance = forms.ChoiceField(label=_("Stance"), choices=FloorRequest.Stance.choices)

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound

    def clean(self):
        cleaned = super().clean()
        who = (cleaned.get("who") or "").strip()
        cleaned["household"] = household_by_label(self.compound, who) if who else None
        cleaned["name"] = "" if cleaned["household"] else who
        return cleaned


def household_index(compound):
    """{label: household} of the compound's active households."""
    households = Household.objects.filter(compound=compound, is_active=True).select_related("unit__building")
    return {h.label: h for h in households}


def household_by_label(compound, label, index=None):
    """The household whose label (building + unit + room) is `label`, ignoring spaces.

    With an `index` (a paper batch looks up many) a dict lookup; without, one
    query that compares the label in the database rather than loading the
    whole compound (a facilitator adding a speaker during a 2,000-phone vote).
    """
    label = "".join(label.split())
    if index is not None:
        return index.get(label)
    return (
        Household.objects.filter(compound=compound, is_active=True)
        .alias(full_label=Concat("unit__building__name", "unit__name", "room", output_field=CharField()))
        .filter(full_label=label)
        .select_related("unit__building")
        .first()
    )
