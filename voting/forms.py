from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from compounds.models import Building, BuildingUnit, Household
from meetings.forms import household_by_label, household_index
from proposals.actions import MAX_PHOTO_BYTES
from proposals.models import Amendment, Proposal
from voting import equal_shares, labels, receipts, tally
from voting.models import RULE_CHOICES, YES_NO_RULES, Ballot, Poll

OPEN_STATUSES = [Proposal.Status.DRAFT, Proposal.Status.NOTICE, Proposal.Status.FLOOR]


def amendment_label(amendment):
    return _("%(proposal)s: amendment %(number)s (%(reason)s)") % {
        "proposal": amendment.proposal.title,
        "number": amendment.number,
        "reason": amendment.reason,
    }


CHOICE_WORDS = {
    "同意": tally.FOR,
    "赞成": tally.FOR,
    "for": tally.FOR,
    "yes": tally.FOR,
    "反对": tally.AGAINST,
    "against": tally.AGAINST,
    "no": tally.AGAINST,
    "弃权": tally.ABSTAIN,
    "abstain": tally.ABSTAIN,
}


def voting_stairwells(compound):
    """The building units (单元) a vote of one building unit can name: the
    named stairwells that hold voting households. Not the unnamed unit a
    building's shops sit in (it would read "1幢"), nor a garage."""
    voting_here = Household.objects.voting().filter(unit=OuterRef("pk"))
    return (
        BuildingUnit.objects.filter(building__compound=compound)
        .exclude(name="")
        .filter(Exists(voting_here))
        .select_related("building")
    )


# What a poll may carry to every phone: the text under vote, its options.
TEXT_LENGTH = 5000
MAX_OPTIONS = 50
OPTION_LENGTH = 200


class PollForm(forms.ModelForm):
    class Meta:
        model = Poll
        fields = [
            "title",
            "text",
            "item",
            "proposal",
            "amendment",
            "kind",
            "rule",
            "scope",
            "buildings",
            "building_unit",
            "include_shops",
            "secret",
            "final_on_cast",
            "seats",
            "tie_break",
            "fund",
            "budget",
            "share_basis",
            "proxy_cap",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "buildings": forms.CheckboxSelectMultiple}

    # What is decided and how, then who votes: the options right below the
    # kind of vote that needs them.
    field_order = [
        "title",
        "text",
        "item",
        "kind",
        "proposal",
        "amendment",
        "rule",
        "fund",
        "budget",
        "share_basis",
        "options",
        "option_proposals",
        "seats",
        "tie_break",
        "scope",
        "buildings",
        "building_unit",
        "include_shops",
        "secret",
        "final_on_cast",
        "proxy_cap",
    ]

    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For a choice among several options (e.g. micro-projects). In a participatory budget, "
            "each line is a project and its cost in yuan after a bar: 楼道感应灯 | 8600"
        ),
    )

    option_proposals = forms.ModelMultipleChoiceField(
        label=_("Micro-projects as options"),
        queryset=Proposal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each one chosen becomes an option linked to its proposal."),
    )

    # Fields only some polls use, shown by static/js/show_when.js when the
    # named field has one of the values (all are shown without JavaScript;
    # clean() ignores what the chosen scope and kind do not use).
    SHOW_WHEN = {
        "proposal": "kind=yes_no",
        "amendment": "kind=yes_no",
        "rule": "kind=yes_no",
        "buildings": "scope=buildings",
        "building_unit": "scope=unit",
        "seats": "kind=choice,approval",
        "tie_break": "kind=choice,approval",
        "options": "kind=choice,approval,budget",
        "option_proposals": "kind=choice,approval,budget",
        "fund": "kind=budget",
        "budget": "kind=budget",
        "share_basis": "kind=budget",
    }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        for name, condition in self.SHOW_WHEN.items():
            self.fields[name].show_when = condition
        # A choice among options is ranked by support (Poll.clean): the rule
        # is only chosen for a yes/no question, among the yes/no rules.
        rule = self.fields["rule"]
        rule.required = False
        if self.data.get(self.add_prefix("kind"), Poll.Kind.YES_NO) == Poll.Kind.YES_NO:
            rule.choices = [(value, label) for value, label in RULE_CHOICES if value in YES_NO_RULES]
        # What the poll may decide: an open proposal of the compound, or one of
        # its pending amendments (voted yes/no).
        open_proposals = Proposal.objects.filter(compound=meeting.compound, status__in=OPEN_STATUSES)
        self.fields["proposal"].queryset = open_proposals
        self.fields["amendment"].queryset = Amendment.objects.filter(
            proposal__in=open_proposals, status__in=[Amendment.Status.SECONDING, Amendment.Status.FLOOR]
        ).select_related("proposal")
        self.fields["amendment"].label_from_instance = amendment_label
        self.fields["option_proposals"].queryset = Proposal.objects.filter(
            compound=meeting.compound, kind=Proposal.Kind.MICRO_PROJECT, status__in=OPEN_STATUSES
        )
        # With its budget: what it costs in a participatory budget.
        self.fields["option_proposals"].label_from_instance = lambda p: (
            f"{p.title} · {labels.money(p.budget)}" if p.budget is not None else p.title
        )
        # Every phone in the room receives the text: keep it to what a screen shows.
        text = self.fields["text"]
        text.max_length = TEXT_LENGTH
        text.validators.append(MaxLengthValidator(TEXT_LENGTH))
        text.widget.attrs["maxlength"] = str(TEXT_LENGTH)
        # Only choices among options use these; a yes/no question leaves them out.
        self.fields["seats"].required = self.fields["tie_break"].required = False
        self.fields["share_basis"].required = False
        self.fields["options"].max_length = TEXT_LENGTH
        self.fields["options"].validators.append(MaxLengthValidator(TEXT_LENGTH))
        self.fields["item"].queryset = meeting.items.all()
        self.fields["buildings"].queryset = meeting.compound.buildings.filter(
            Exists(Household.objects.voting().filter(unit__building=OuterRef("pk")))
        )
        self.fields["building_unit"].queryset = voting_stairwells(meeting.compound)

    def clean_options(self):
        options = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        if len(options) > MAX_OPTIONS:
            raise forms.ValidationError(_("At most %(n)d options.") % {"n": MAX_OPTIONS})
        if any(len(option) > OPTION_LENGTH for option in options):
            raise forms.ValidationError(_("Keep each option under %(n)d characters.") % {"n": OPTION_LENGTH})
        return options

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind", Poll.Kind.YES_NO)
        budget = kind == Poll.Kind.BUDGET
        # Options as (label, linked proposal, cost): chosen micro-projects
        # first, under their titles, then the typed ones. A participatory
        # budget's projects need a cost: a micro-project's budget, or typed
        # after a bar.
        chosen = sorted(cleaned.get("option_proposals") or (), key=lambda proposal: proposal.pk)
        typed = cleaned.get("options", [])
        if budget:
            typed = self._costed(typed)
            no_cost = [p.title for p in chosen if not p.budget]
            if no_cost:
                self.add_error(
                    "option_proposals",
                    _("Give these micro-projects their budget first: %(titles)s") % {"titles": "、".join(no_cost)},
                )
            cleaned["share_basis"] = cleaned.get("share_basis") or Poll.ShareBasis.EQUAL
        else:
            typed = [(label, None, None) for label in typed]
            cleaned["fund"], cleaned["budget"], cleaned["share_basis"] = "", None, Poll.ShareBasis.EQUAL
        cleaned["options"] = [(p.title, p, p.budget if budget else None) for p in chosen] + typed
        has_options = kind != Poll.Kind.YES_NO
        if cleaned.get("proposal") and cleaned.get("amendment"):
            self.add_error("amendment", _("A poll decides a proposal or one amendment, not both."))
        if has_options and (cleaned.get("proposal") or cleaned.get("amendment")):
            self.add_error("kind", _("A proposal or an amendment is decided by a yes/no vote."))
        if has_options and len(cleaned.get("options", [])) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        if not has_options and cleaned.get("options"):
            self.add_error("options", _("Options are only for a choice among several options."))
        if budget:
            cleaned["rule"] = equal_shares.EQUAL_SHARES
        elif has_options:
            cleaned["rule"] = tally.PLURALITY
        elif not cleaned.get("rule"):
            self.add_error("rule", _("Choose the rule that decides this vote."))
        scope = cleaned.get("scope")
        if scope == Poll.Scope.BUILDINGS and not cleaned.get("buildings"):
            self.add_error("buildings", _("Choose the buildings that vote."))
        if scope != Poll.Scope.BUILDINGS:
            cleaned["buildings"] = Building.objects.none()
        if scope != Poll.Scope.UNIT:
            cleaned["building_unit"] = None
        if has_options:
            cleaned["proposal"] = cleaned["amendment"] = None
        seats = cleaned["seats"] = cleaned.get("seats") or 1
        cleaned["tie_break"] = cleaned.get("tie_break") or Poll.TieBreak.NONE
        if has_options and not budget and seats >= len(cleaned.get("options", [])) >= 2:
            self.add_error("seats", _("Choose fewer options than there are."))
        if not has_options or budget:
            cleaned["seats"], cleaned["tie_break"] = 1, Poll.TieBreak.NONE
        return cleaned

    def _costed(self, lines):
        """A participatory budget's typed projects: "name | cost" lines as
        (name, None, cost), each wrong line said."""
        projects = []
        for line in lines:
            name, bar, cost = line.replace("｜", "|").rpartition("|")
            name = name.strip()
            try:
                amount = Decimal(cost.strip().replace(",", "").replace("，", "").lstrip("¥￥"))
            except InvalidOperation:
                amount = None
            if not bar or not name or amount is None or not amount.is_finite() or amount <= 0:
                self.add_error(
                    "options", _("“%(line)s”: give the project, a bar, then its cost in yuan.") % {"line": line}
                )
                continue
            if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
                self.add_error("options", _("“%(line)s”: a cost in yuan with at most two decimals.") % {"line": line})
                continue
            projects.append((name, None, amount.quantize(Decimal("0.01"))))
        return projects


class ReplaceFields(forms.Form):
    """Replacing a vote a household already has takes a tick and a reason."""

    replace = forms.BooleanField(label=_("Replace the vote this household already has"), required=False)
    replace_reason = forms.CharField(
        label=_("Why (kept in the audit log)"),
        max_length=200,
        required=False,
        help_text=_("For example: the owner came to the desk and asked to change the vote on paper."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("replace") and not (cleaned.get("replace_reason") or "").strip():
            self.add_error("replace_reason", _("Give the reason for replacing the vote."))
        return cleaned

    @property
    def reason(self):
        """The reason to pass on, only when replacing was confirmed."""
        data = self.cleaned_data
        return data["replace_reason"].strip() if data.get("replace") else ""


class BallotEntryForm(ReplaceFields):
    """Staff record one household's vote: a hand count, a paper ballot or a proxy."""

    field_order = [
        "household",
        "choice",
        "channel",
        "requested_by",
        "proxy_holder",
        "proxy_reference",
        "photo",
        "replace",
        "replace_reason",
    ]

    household = forms.CharField(label=_("Household (building-unit-room)"), max_length=60)
    choice = forms.ChoiceField(label=_("Vote"), choices=[(c, labels.choice_label(c)) for c in tally.YES_NO])
    channel = forms.ChoiceField(
        label=_("How it came in"),
        choices=[(c.value, c.label) for c in (Ballot.Channel.HAND, Ballot.Channel.PAPER, Ballot.Channel.PROXY)],
    )
    # Kept in the audit log (BallotAudit.requested_by): the person who gave
    # staff this vote, as a community worker records for a resident she helps.
    requested_by = forms.CharField(
        label=_("Who handed in the vote"),
        max_length=100,
        required=False,
        help_text=_("The owner, a family member or the proxy holder who gave staff this vote (kept in the audit log)."),
    )
    proxy_holder = forms.CharField(label=_("Proxy holder"), max_length=60, required=False)
    proxy_reference = forms.CharField(label=_("Written proxy reference"), max_length=100, required=False)
    # Kept with the audit entry, for staff only (voting.photos strips EXIF and downscales).
    photo = forms.FileField(
        label=_("Photo of the paper ballot (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 5 MB. Seen by staff only; location and camera data are removed."),
    )

    def __init__(self, *args, compound, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.poll = poll
        self.fields["photo"].show_when = f"{self.add_prefix('channel')}={Ballot.Channel.PAPER}"
        if poll.secret:
            self.fields["photo"].help_text = _(
                "Secret ballot: no photo is kept, since a photo of the paper would show how the household voted."
            )
            self.fields["photo"].widget.attrs["disabled"] = True
        if poll.offers_follow:
            self.fields["choice"].choices = [(c, labels.choice_label(c)) for c in poll.yes_no_choices]
        if poll.has_options:
            choices = [(str(o.pk), option_label(poll, o)) for o in poll.options.all()]
            if poll.kind in (Poll.Kind.APPROVAL, Poll.Kind.BUDGET):
                # Any number of options: a box each, not a Ctrl-click list.
                field = forms.MultipleChoiceField(
                    label=_("Vote (tick every option supported)"), choices=choices, widget=forms.CheckboxSelectMultiple
                )
                if poll.is_budget:
                    # A ballot approving none of the projects counts.
                    field.required = False
                    field.help_text = _("No tick: the household approves none of the projects (its ballot counts).")
            else:
                field = forms.ChoiceField(label=_("Vote"), choices=choices)
            self.fields["choice"] = field
        # The proxy's fields only for a proxy vote (static/js/show_when.js).
        for name in ("proxy_holder", "proxy_reference"):
            self.fields[name].show_when = f"{self.add_prefix('channel')}={Ballot.Channel.PROXY}"

    def clean_household(self):
        household = household_by_label(self.compound, self.cleaned_data["household"])
        if household is None:
            raise forms.ValidationError(_("No household with that building-unit-room in this compound."))
        return household

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") is not None:
            if self.poll.secret:
                self.add_error("photo", self.fields["photo"].help_text)
            elif cleaned.get("channel") != Ballot.Channel.PAPER:
                self.add_error("photo", _("A photo can be kept only with a paper ballot."))
            elif cleaned["photo"].size > MAX_PHOTO_BYTES:
                self.add_error("photo", _("A photo may be at most 5 MB."))
        if cleaned.get("channel") == Ballot.Channel.PROXY:
            if not cleaned.get("proxy_holder"):
                self.add_error("proxy_holder", _("A proxy vote needs the proxy holder's name."))
            if not cleaned.get("proxy_reference"):
                self.add_error("proxy_reference", _("A proxy vote needs the written proxy's reference."))
        return cleaned


def option_label(poll, option):
    """An option as staff tick it: a participatory budget's project with its cost."""
    if poll.is_budget and option.cost is not None:
        return f"{option.label} · ¥{option.cost:,}"
    return option.label


# A paper budget ballot approving none of the projects.
NO_PROJECT_WORDS = ("0", "无", "none", "-")


class PaperBatchForm(ReplaceFields):
    """Paper ballots, one per line: "3幢2单元502 赞成", or for options their
    numbers: "3幢2单元502 2" ("2,3" when several may be approved)."""

    lines = forms.CharField(
        label=_("Paper ballots, one per line"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    field_order = ["lines", "replace", "replace_reason"]

    def __init__(self, *args, compound, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.poll = poll

    @property
    def example(self):
        """A line as staff type it, with this poll's own words: "3幢2单元502 赞成"."""
        if not self.poll.has_options:
            return f"3幢2单元502 {labels.choice_label(tally.FOR)}"
        return "3幢2单元502 2" if self.poll.kind == Poll.Kind.CHOICE else "3幢2单元502 2,3"

    def read_choice(self, word):
        """赞成/反对/弃权 (as the poll shows them, or 同意 and the English
        words), or option numbers as printed on the paper ballot."""
        if not self.poll.has_options:
            words = {**CHOICE_WORDS, **{str(labels.choice_label(c)).lower(): c for c in tally.YES_NO}}
            if self.poll.offers_follow:
                words.update({"随多数": tally.FOLLOW, "跟随多数": tally.FOLLOW, "follow": tally.FOLLOW})
            return words.get(word.strip().lower())
        if self.poll.is_budget and word.strip().lower() in NO_PROJECT_WORDS:
            return []  # an empty ballot: it counts, approving none
        ids = [str(o.pk) for o in self.poll.options.all()]
        numbers = [part for part in word.replace("，", ",").split(",") if part.strip()]
        # isascii: str.isdigit() also passes "²" and "①", which int() refuses.
        if not numbers or not all(
            n.strip().isascii() and n.strip().isdigit() and 1 <= int(n) <= len(ids) for n in numbers
        ):
            return None
        return [ids[int(n) - 1] for n in numbers]

    def unknown_vote(self, number, word):
        if self.poll.is_budget:
            return _("line %(n)d: unknown vote “%(word)s” (project numbers, 1 to %(last)d, or 0 for none)") % {
                "n": number,
                "word": word,
                "last": self.poll.options.count(),
            }
        if self.poll.has_options:
            return _("line %(n)d: unknown vote “%(word)s” (option numbers, 1 to %(last)d)") % {
                "n": number,
                "word": word,
                "last": self.poll.options.count(),
            }
        return _("line %(n)d: unknown vote “%(word)s” (%(for)s, %(against)s or %(abstain)s)") % {
            "n": number,
            "word": word,
            **{choice: labels.choice_label(choice) for choice in tally.YES_NO},
        }

    def clean_lines(self):
        entries, errors, seen = [], [], set()
        index = household_index(self.compound)
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            label, _sep, word = line.rpartition(" ")
            household = household_by_label(self.compound, label, index) if label else None
            choice = self.read_choice(word)
            if household is None:
                errors.append(_("line %(n)d: no household “%(label)s”") % {"n": number, "label": label or line})
            elif choice is None:
                errors.append(self.unknown_vote(number, word))
            elif household.pk in seen:
                errors.append(_("line %(n)d: %(label)s appears twice") % {"n": number, "label": household.label})
            else:
                seen.add(household.pk)
                entries.append((number, household, choice))
        if errors:
            raise forms.ValidationError(errors)
        if not entries:
            raise forms.ValidationError(_("No ballots given."))
        return entries


class ReceiptForm(forms.Form):
    """The public receipt check: a code as printed, ABCDE-FGHJK."""

    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "inputmode": "text"}
        ),
        help_text=_("10 letters and digits, as on your phone or your paper slip, e.g. ACDEF-GHJKM."),
    )

    def clean_code(self):
        code = receipts.normalize(self.cleaned_data["code"])
        if not receipts.well_formed(code):
            raise forms.ValidationError(
                _(
                    "This is not a receipt code: a receipt code has 10 letters and digits "
                    "(without 0, 1, 2, 5, 8, B, I, L, O, S or Z), e.g. ACDEF-GHJKM."
                )
            )
        return code
