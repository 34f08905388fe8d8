"""Polls, ballots, and the record of how each ballot came in.

One ballot per household per poll, enforced by the database. A ballot can
arrive from the household's phone, from staff (a hand count, a paper ballot)
or as a proxy vote; all merge into one tally. Every staff entry is written to
an append-only audit log.

Secret polls: while the poll is open a ballot row links a household to its
choice (it must: the household may change its vote). When the poll closes,
in the same transaction, the result is counted into the certificate, who
took part is copied to Participation (no choice), and every ballot row is
deleted; audit entries of a secret poll never hold a choice. After the close
nothing stored links a household to how it voted. (SQLite runs with
secure_delete on, so deleted rows are overwritten; PostgreSQL reclaims them
at its next VACUUM.)
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models import AnsweredOnRecord, AppendOnly, Building, BuildingUnit, Household
from meetings.models import AgendaItem, Meeting
from proposals.models import Amendment, Proposal
from voting import equal_shares, labels, tally
from voting.budget_round import NO_PROJECT

# The ids are voting.tally's; the words for them belong here, at the edge.
RULE_CHOICES = [
    (tally.SIMPLE_MAJORITY, _("Simple majority of votes cast (council)")),
    (tally.CIVIL_CODE_ORDINARY, _("Civil Code Art. 278, ordinary matter")),
    (tally.CIVIL_CODE_SPECIAL, _("Civil Code Art. 278, special matter")),
    (tally.RESIDENTS_MEETING, _("Residents' meeting (Urban Residents' Committees Law)")),
    (tally.ELEVATOR, _("Hangzhou elevator retrofit (one building unit)")),
    (tally.PLURALITY, _("Most support among options (choosing projects)")),
    (equal_shares.EQUAL_SHARES, _("Method of Equal Shares (participatory budget)")),
]
# The rules of a yes/no question; plurality ranks the options of a choice,
# equal shares funds the projects of a participatory budget.
YES_NO_RULES = [rule for rule, _label in RULE_CHOICES if rule not in (tally.PLURALITY, equal_shares.EQUAL_SHARES)]


class PollManager(models.Manager):
    def get_queryset(self):
        # The frozen electorate is the whole roster as JSON, a row per
        # household: a room's pages and votes read the poll many times a
        # second and seldom need it. voting.actions.frozen_electorate reads
        # it once per process.
        return super().get_queryset().defer("electorate_frozen")


class Poll(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("for / against / abstain")
        CHOICE = "choice", _("one of several options")
        APPROVAL = "approval", _("any number of options (approval)")
        BUDGET = "budget", _("participatory budget: projects funded by equal shares")

    class ShareBasis(models.TextChoices):
        # voting.budget_round counts them.
        EQUAL = "equal", _("an equal share per household")
        AREA = "area", _("shares in proportion to exclusive area (a fund of the owners by area)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("not yet open")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class TieBreak(models.TextChoices):
        # voting.options: the rules themselves, pure Python.
        NONE = "none", _("a tie stays a tie (the meeting decides, e.g. by a run-off)")
        HEADS_AREA = "heads-area", _("more owner heads, then more exclusive area")

    class Scope(models.TextChoices):
        ATTENDEES = "attendees", _("households joined to this meeting")
        COMPOUND = "compound", _("the whole compound")
        BUILDINGS = "buildings", _("some buildings")
        UNIT = "unit", _("one building unit (单元)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="polls")
    item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
        verbose_name=_("agenda item"),
    )
    # What the poll decides: a proposal as it stands, or one amendment to it.
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="polls", verbose_name=_("proposal")
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="polls", verbose_name=_("amendment")
    )
    title = models.CharField(_("what is put to the vote"), max_length=200)
    text = models.TextField(_("text under vote"), blank=True)
    kind = models.CharField(_("kind of vote"), max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    rule = models.CharField(_("rule"), max_length=30, choices=RULE_CHOICES, default=tally.SIMPLE_MAJORITY)
    scope = models.CharField(_("who votes"), max_length=20, choices=Scope.choices, default=Scope.ATTENDEES)
    buildings = models.ManyToManyField(Building, blank=True, related_name="+", verbose_name=_("buildings"))
    building_unit = models.ForeignKey(
        BuildingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("building unit")
    )
    include_shops = models.BooleanField(_("shops vote too"), default=True)
    secret = models.BooleanField(_("secret ballot"), default=False)
    final_on_cast = models.BooleanField(_("a cast vote cannot be changed"), default=False)
    seats = models.PositiveSmallIntegerField(
        _("options that win"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("For a choice among options: how many of them are chosen."),
    )
    tie_break = models.CharField(
        _("if options tie"),
        max_length=20,
        choices=TieBreak.choices,
        default=TieBreak.NONE,
        help_text=_("Chosen before voting opens and printed on the certificate."),
    )
    # A participatory budget (kind BUDGET): the fund, its amount, and how
    # it is shared among the households that vote (voting/budget_round.py).
    fund = models.CharField(
        _("fund"), max_length=200, blank=True, help_text=_("E.g. the district's micro-governance fund.")
    )
    budget = models.DecimalField(
        _("amount to share (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    share_basis = models.CharField(
        _("each household's share"), max_length=10, choices=ShareBasis.choices, default=ShareBasis.EQUAL
    )
    proxy_cap = models.PositiveSmallIntegerField(
        _("households one proxy holder may vote for"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revealed = models.BooleanField(default=False)
    # The counted result and the record, written once at the close.
    certificate = models.JSONField(null=True, blank=True, editable=False)
    # Frozen when it opens (every scope but the households present, which
    # grows as they arrive): the electorate as counted, [{key, label, area,
    # owner_key, developer, building, unit}], and the fingerprint of the
    # roster rows it came from (meetings/roster_check.py), which the
    # certificate names.
    electorate_frozen = models.JSONField(null=True, blank=True, editable=False)
    electorate_version = models.CharField(max_length=64, blank=True, editable=False)
    # The compound's counting clauses in force when it opened ({kind: quoted
    # clause}, CountingClause.as_quoted): 随多数 offered, the silence rule.
    clauses = models.JSONField(default=dict, blank=True, editable=False)
    # After the close, an owners' vote's result is posted as provisional,
    # objections may be filed until `objections_until`, then it is final.
    results_posted_at = models.DateTimeField(null=True, blank=True)
    objections_until = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PollManager()

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return self.title

    def clean(self):
        if self.kind == self.Kind.BUDGET:
            self.rule = equal_shares.EQUAL_SHARES
        elif self.kind != self.Kind.YES_NO:
            # Options are ranked by support; binding owners' decisions are yes/no questions.
            self.rule = tally.PLURALITY
        elif self.rule not in YES_NO_RULES:
            raise ValidationError({"rule": _("A yes/no question needs a decision rule.")})
        if self.kind == self.Kind.BUDGET and not self.budget:
            raise ValidationError({"budget": _("Give the amount the projects share.")})
        if self.scope == self.Scope.UNIT and self.building_unit_id is None:
            raise ValidationError({"building_unit": _("Choose the building unit that votes.")})
        if self.rule == tally.ELEVATOR and self.scope != self.Scope.UNIT:
            raise ValidationError({"scope": _("An elevator retrofit is decided by one building unit's owners.")})
        if self.rule in (tally.CIVIL_CODE_ORDINARY, tally.CIVIL_CODE_SPECIAL) and self.scope == self.Scope.ATTENDEES:
            raise ValidationError(
                {"scope": _("An owners' decision (Art. 278) counts all owners, not only those in the room.")}
            )

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def has_options(self):
        return self.kind != self.Kind.YES_NO

    @property
    def offers_follow(self):
        """The ballot offers 随多数 (follow the majority): only where the
        compound's rules said so when the poll opened (CountingClause)."""
        return not self.has_options and "follow_majority" in (self.clauses or {})

    @property
    def yes_no_choices(self):
        """The choices of a yes/no ballot, as voting.tally names them."""
        return (*tally.YES_NO, tally.FOLLOW) if self.offers_follow else tally.YES_NO

    @property
    def is_budget(self):
        return self.kind == self.Kind.BUDGET

    @property
    def counts_owners(self):
        """Counted by owner head (Art. 278): one owner's units vote as one."""
        return not self.has_options and tally.get_rule(self.rule).counts_heads


class PollOption(models.Model):
    """One of the options of a choice or approval poll (e.g. a micro-project)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    # A micro-project (or other proposal) this option stands for: linked, not retyped.
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # In a participatory budget: what the project costs (its proposal's
    # budget when linked, as it stood when the poll was prepared).
    cost = models.DecimalField(_("cost (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["poll", "position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.label


class Ballot(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("own phone")
        HAND = "hand", _("hand count in the room")
        PAPER = "paper", _("paper ballot")
        PROXY = "proxy", _("proxy")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    # for/against/abstain, or the chosen options' ids joined by commas.
    choice = models.CharField(max_length=1000)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    proxy_holder = models.CharField(max_length=60, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "household"], name="ballot_one_per_household")]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self):
        return f"{self.poll_id}/{self.household_id}"


class VoteReceipt(models.Model):
    """A vote request already handled, by its client idempotency key.

    A phone that retries after a network error sends the same key and gets
    the same answer; a late retry of an older vote cannot undo a newer one.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A key is the household's own: another household sending it is a
        # new request of that household, not a retry of this one.
        constraints = [models.UniqueConstraint(fields=["poll", "household", "key"], name="receipt_unique_key")]

    def __str__(self):
        return self.key


class BallotReceipt(models.Model):
    """A receipt (回执) for one recorded ballot: what a household checks on
    the public receipt page (voting/receipts.py, which says what is kept and
    why only a hash of the code).

    Never a choice: a named poll's check reads the choice from the ballot
    row, a secret poll's says only that the household's ballot was counted.
    A later ballot of the household replaces this one: `replaced_at`.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    # HMAC-SHA256 of the code under settings.RECEIPT_KEY (voting.receipts.digest).
    code_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=Ballot.Channel.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)
    # The phone request that got this receipt (its idempotency key): a retry
    # after the answer was lost gets a fresh code for it. Cleared at the close.
    request_key = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["poll", "household"], name="receipt_poll_household")]
        verbose_name = _("ballot receipt")
        verbose_name_plural = _("ballot receipts")

    def __str__(self):
        return f"{self.poll_id}/{self.household_id} {self.recorded_at:%Y-%m-%d %H:%M:%S}"


class Participation(models.Model):
    """Who took part in a closed poll, and how (never what they chose)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Ballot.Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "household"], name="participation_unique")]

    def __str__(self):
        return f"{self.poll_id}/{self.household_id}"


class BallotAudit(AppendOnly):
    """Every ballot staff entered, and every replacement of one."""

    ledger_compound = "poll__meeting__compound"

    class Event(models.TextChoices):
        ENTERED = "entered", _("entered by staff")
        PROXY = "proxy", _("proxy vote entered")
        REPLACED_PROXY = "own_replaced_proxy", _("own vote replaced the proxy vote")
        REPLACED_STAFF = "own_replaced_staff", _("own vote replaced the staff entry")
        STAFF_REPLACED = "staff_replaced", _("staff replaced an earlier vote")

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="audit")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=30, choices=Event.choices)
    channel = models.CharField(max_length=10, choices=Ballot.Channel.choices)
    # Blank for secret polls: the log records that a ballot was entered, not how.
    choice = models.CharField(max_length=1000, blank=True)
    requested_by = models.CharField(_("who asked"), max_length=100, blank=True)
    proxy_holder = models.CharField(_("proxy holder"), max_length=60, blank=True)
    proxy_reference = models.CharField(_("written proxy reference"), max_length=100, blank=True)
    # What a staff entry replaced (its choice blank for secret polls), and why.
    replaced_channel = models.CharField(max_length=10, choices=Ballot.Channel.choices, blank=True)
    replaced_choice = models.CharField(max_length=1000, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ballot audit entry")
        verbose_name_plural = _("ballot audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"

    @property
    def choice_label(self):
        return choice_text(self.poll, self.choice)

    @property
    def replaced_choice_label(self):
        return choice_text(self.poll, self.replaced_choice)


class BallotPhoto(models.Model):
    """A photo of a paper ballot, kept with the staff entry that recorded it.

    Staff only: served by voting.views.ballot_photo to the staff who enter
    ballots, never on a public page. Stored as voting.photos.prepare wrote
    it: a JPEG without EXIF, downscaled. Never for a secret poll (a photo
    of the paper would show how the household voted).
    """

    audit = models.OneToOneField(BallotAudit, on_delete=models.PROTECT, related_name="photo")
    content = models.BinaryField()
    content_type = models.CharField(max_length=20, default="image/jpeg")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("paper ballot photo")
        verbose_name_plural = _("paper ballot photos")

    def __str__(self):
        return f"{self.audit_id}"


def choice_text(poll, choice):
    """A stored choice in words: 赞成, or the chosen options' labels."""
    if not choice:
        return ""
    if choice == NO_PROJECT:
        return str(_("no project"))
    if not poll.has_options:
        return str(labels.choice_label(choice))
    option_labels = dict(poll.options.values_list("pk", "label"))
    return "、".join(option_labels.get(int(pk), pk) for pk in choice.split(",") if pk.isascii() and pk.isdigit())


# --- The owners' meeting by the book (issue 15) ------------------------------------


class CountingClause(AppendOnly):
    """A clause of the compound's own procedural rules (议事规则 / 管理规约)
    on owners who do not vote the ordinary way, as adopted, quoted on every
    certificate it applies to.

    - follow_majority: the ballot offers "随多数" (follow the majority), as
      some Hangzhou ballots do;
    - silence: owners served with the ballot who return none are added to
      the majority (MOHURD 指导规则 Art. 26(2) leaves it to the compound's
      rules), optionally with the Zhejiang 2009 Art. 10(2) floor.

    Written once: a later row of the same kind replaces it (or repeals it).
    A poll copies the clauses in force when it opens (Poll.clauses).
    """

    ledger_compound = "compound"

    class Kind(models.TextChoices):
        FOLLOW_MAJORITY = "follow_majority", _("owners may choose to follow the majority (随多数)")
        SILENCE = "silence", _("served owners who do not vote are added to the majority")

    compound = models.ForeignKey("compounds.Compound", on_delete=models.CASCADE, related_name="counting_clauses")
    kind = models.CharField(_("clause"), max_length=20, choices=Kind.choices)
    in_force = models.BooleanField(_("in force"), default=True)  # False: this row repeals the clause
    text = models.TextField(_("text of the clause"), blank=True)
    # The decision that adopted it: one voted here, or one named (a paper-era decision).
    decision = models.ForeignKey(
        "proposals.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("adopted by"), max_length=200, blank=True)
    adopted_on = models.DateField(_("adopted on"))
    majority_floor = models.BooleanField(
        _("the enlarged majority must exceed half of all owners and all area"), default=False
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["compound", "kind", "entered_at", "id"]
        verbose_name = _("counting clause")
        verbose_name_plural = _("counting clauses")

    def __str__(self):
        return f"{self.compound_id} {self.kind}"

    def as_quoted(self):
        """What a poll keeps and a certificate quotes."""
        return {
            "text": self.text,
            "adopted_by": self.reference or (str(self.decision) if self.decision_id else ""),
            "adopted_on": self.adopted_on.isoformat(),
            "floor": self.majority_floor,
            "clause": self.pk,
        }


class Objection(AnsweredOnRecord):
    """An objection (询异) to a poll's provisional result, filed by a
    household in the objection window and answered by staff on the record."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="objections")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("objection"), max_length=1000)
    filed_at = models.DateTimeField(default=timezone.now)
    # Filed on paper and typed in by staff: who.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["poll", "filed_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.poll_id}/{self.household_id}"


class OfficialResult(models.Model):
    """The result of an online owners' vote run by the city's system
    (Beijing, Weifang, Qingyuan require it; Guangzhou prefers it), entered
    or imported here with its source document so the certificate, the
    minutes and the public page can say where it came from."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="official")
    source = models.CharField(_("system that ran the vote"), max_length=200)
    reference = models.CharField(_("document reference"), max_length=200)
    document = models.BinaryField(null=True, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    # {"electorate": {"heads":..,"area":..}, "for": {...}, "against": {...}, "abstain": {...}}
    counts = models.JSONField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("official result")
        verbose_name_plural = _("official results")

    def __str__(self):
        return f"{self.poll_id} {self.source}"
