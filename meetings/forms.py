from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import CODE_LENGTH, normalize_code


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
