from django import forms
from django.db.models import CharField
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from compounds.models import CODE_LENGTH, Household, normalize_code
from meetings.models import AgendaItem, FloorRequest, Meeting, Service


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


# --- Notices (公告) and service (送达) ------------------------------------------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_NOTICE_CHARS = 5000


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text of the notice"),
        required=False,
        max_length=MAX_NOTICE_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Where and how to vote, where the documents can be read, and what not voting means."),
    )
    extraordinary = forms.BooleanField(label=_("Extraordinary meeting (临时会议)"), required=False)
    opens_at = forms.DateTimeField(label=_("The meeting opens and voting starts"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DATETIME_WIDGET)
    topics = forms.MultipleChoiceField(
        label=_("Topics to be decided"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [
            (str(item.pk), item.title) for item in meeting.items.order_by("position", "id")
        ]
        if not self.is_bound:
            self.initial.setdefault("title", _("Notice of %(meeting)s") % {"meeting": meeting.title})
            self.initial.setdefault("topics", [value for value, _label in self.fields["topics"].choices])

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Voting must close after the meeting opens."))
        return cleaned


class ExtensionForm(forms.Form):
    closes_at = forms.DateTimeField(label=_("Voting now closes"), widget=DATETIME_WIDGET)
    reason = forms.CharField(label=_("Why"), max_length=300)


def delivery_methods():
    """How a notice can reach a household (a withdrawal is not one)."""
    return [(value, label) for value, label in Service.Method.choices if value != Service.Method.WITHDRAWN]


class ServiceForm(forms.Form):
    household = forms.CharField(label=_("Household (building-unit-room)"), max_length=60)
    method = forms.ChoiceField(label=_("How it was delivered"))
    served_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    served_by = forms.CharField(label=_("Delivered by"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.fields["method"].choices = delivery_methods()

    def clean_household(self):
        household = household_by_label(self.compound, self.cleaned_data["household"])
        if household is None or not household.votes:
            raise forms.ValidationError(_("No household of this compound is called that."))
        return household


class ServiceBatchForm(forms.Form):
    """Many deliveries at once, one household label a line (a volunteer's list
    for a building): all are recorded, or none if any line is wrong."""

    labels = forms.CharField(
        label=_("Households, one a line"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "1幢1单元101\n1幢1单元102"}),
        max_length=20000,
    )
    method = forms.ChoiceField(label=_("How it was delivered"))
    served_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    served_by = forms.CharField(label=_("Delivered by"), max_length=60)

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.fields["method"].choices = delivery_methods()

    def clean_labels(self):
        index = household_index(self.compound)
        found, problems = [], []
        for number, line in enumerate(self.cleaned_data["labels"].splitlines(), start=1):
            label = "".join(line.split())
            if not label:
                continue
            household = household_by_label(self.compound, label, index)
            if household is None or not household.votes:
                problems.append(_("line %(n)d: no household called %(label)s") % {"n": number, "label": label[:60]})
            elif household not in found:
                found.append(household)
        if problems:
            raise forms.ValidationError(problems[:20])
        if not found:
            raise forms.ValidationError(_("List at least one household."))
        return found


class PostingForm(forms.Form):
    place = forms.CharField(label=_("Where"), max_length=100)
    posted_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    posted_by = forms.CharField(label=_("Posted by"), max_length=60)
