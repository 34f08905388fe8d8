"""Forms for drafting proposals and proposing amendments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import household_by_label
from proposals.models import MAX_REASON_CHARS, MAX_TEXT_CHARS, Amendment, Proposal


class ProposalForm(forms.ModelForm):
    """A proposal's details (a micro-project's budget, sponsor, ...)."""

    sponsor_label = forms.CharField(
        label=_("Sponsor household"),
        required=False,
        max_length=60,
        help_text=_("Building-unit-room, e.g. 3幢2单元502: that household may edit the text from its phone."),
    )

    class Meta:
        model = Proposal
        fields = ["kind", "title", "sponsor_name", "budget", "funding", "location", "timeline", "beneficiaries"]

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        if self.instance.sponsor_household_id:
            self.fields["sponsor_label"].initial = self.instance.sponsor_household.label

    def clean_sponsor_label(self):
        label = self.cleaned_data["sponsor_label"].strip()
        if not label:
            return None
        household = household_by_label(self.compound, label)
        if household is None:
            raise forms.ValidationError(_("No household %(label)s in this compound.") % {"label": label})
        return household

    def save(self, commit=True):
        self.instance.compound = self.compound
        self.instance.sponsor_household = self.cleaned_data.get("sponsor_label")
        return super().save(commit)


class TextForm(forms.Form):
    """The text of a proposal: Markdown, saved as a new version with a reason."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown: “## 第一条 …” starts an article, a blank line separates paragraphs, "
            "“- ” starts a list item, **bold**. No HTML."
        ),
    )
    reason = forms.CharField(label=_("Why it changes"), max_length=MAX_REASON_CHARS, required=False)


class AmendmentForm(forms.Form):
    op = forms.ChoiceField(label=_("Change"), choices=Amendment.Op.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("New text"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "autocapitalize": "off"}),
    )
    reason = forms.CharField(label=_("Reason (one line)"), max_length=MAX_REASON_CHARS)


class NoticeForm(forms.Form):
    days = forms.IntegerField(label=_("Days on public notice"), min_value=1, max_value=90)


class CompletionForm(forms.Form):
    report = forms.CharField(
        label=_("What was done"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Published on the project's public page. Markdown, no HTML."),
    )
    spent = forms.DecimalField(label=_("Money spent (yuan)"), min_value=0, max_digits=12, decimal_places=2)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP, up to 5 MB)"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
