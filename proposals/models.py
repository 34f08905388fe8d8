"""What a council debates and decides: proposals, their versions, amendments
and seconds, comments during public notice, and decisions.

A proposal's text is Markdown source (proposals/markup.py renders it safely
and splits it into blocks). Every saved text is a version, kept for good with
who, when and why; an amendment targets one block of the version it was
written against.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compounds.models import AppendOnly, Compound, Household
from meetings.models import AgendaItem

MAX_TEXT_CHARS = 20_000  # a convention of some 30 articles fits several times over
MAX_REASON_CHARS = 200


class Proposal(models.Model):
    class Kind(models.TextChoices):
        CONVENTION = "convention", _("convention (公约)")
        MICRO_PROJECT = "micro_project", _("micro-project (微项目)")
        MOTION = "motion", _("motion")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        NOTICE = "notice", _("on public notice")
        FLOOR = "floor", _("on the floor")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")

    class Funding(models.TextChoices):
        DISTRICT_FUND = "district_fund", _("district guiding fund")
        STREET_MATCH = "street_match", _("street 1:1 matching fund")
        COMMON_INCOME = "common_income", _("compound public income")
        RESIDENTS = "residents", _("residents' own funds")
        DONATIONS = "donations", _("donations")
        OTHER = "other", pgettext_lazy("funding source", "other")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONVENTION)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The agenda item that debates it (one proposal per item at most).
    item = models.OneToOneField(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal", verbose_name=_("item")
    )
    # The number of the current version (the latest saved text).
    version = models.PositiveIntegerField(default=0, editable=False)
    # In the room: the block (paragraph, article) under debate, and the
    # amendment the projector shows, both chosen by the facilitator.
    focus_block = models.IntegerField(null=True, blank=True)
    shown_amendment = models.ForeignKey("Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    # Micro-projects (微项目).
    sponsor_household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sponsor household"),
    )
    sponsor_name = models.CharField(_("sponsor (group or person)"), max_length=100, blank=True)
    budget = models.DecimalField(
        _("budget (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding = models.CharField(_("funding source"), max_length=20, choices=Funding.choices, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    timeline = models.CharField(_("timeline"), max_length=100, blank=True)
    beneficiaries = models.CharField(_("expected beneficiaries"), max_length=200, blank=True)

    # Public notice (公示): the dates it ran, kept after it ends.
    notice_starts = models.DateTimeField(null=True, blank=True)
    notice_ends = models.DateTimeField(null=True, blank=True)

    # A micro-project after adoption: carried out, then reported back.
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(_("what was done"), max_length=MAX_TEXT_CHARS, blank=True)
    spent = models.DecimalField(
        _("money spent (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.title

    @property
    def current(self):
        """The current version, or None before the first save."""
        return self.versions.filter(number=self.version).first()

    @property
    def adopted_version(self):
        """The version last adopted by a vote (a convention's text in force,
        even while a revision is drafted), or None."""
        decision = (
            self.decisions.filter(outcome=Decision.Outcome.ADOPTED, amendment__isnull=True)
            .select_related("version")
            .order_by("-decided_at", "-id")
            .first()
        )
        return decision.version if decision else None

    @property
    def is_open(self):
        """Still being shaped: its text can change and amendments are taken."""
        return self.status in {self.Status.DRAFT, self.Status.NOTICE, self.Status.FLOOR}

    def notice_running(self, now=None):
        now = now or timezone.now()
        return self.notice_starts is not None and self.notice_starts <= now < self.notice_ends


class ProposalVersion(AppendOnly):
    """One saved text of a proposal: who, when, why, and (when it came from
    one) the amendment."""

    ledger_compound = "proposal__compound"
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=MAX_TEXT_CHARS)
    reason = models.CharField(_("reason for the change"), max_length=MAX_REASON_CHARS, blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # How the record names the author: a staff member's name or a household's label.
    by_name = models.CharField(max_length=150, blank=True)
    amendment = models.ForeignKey("Amendment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="version_unique_number")]
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")

    def __str__(self):
        return f"{self.proposal} v{self.number}"


class Amendment(models.Model):
    """修正案: one block of a proposal replaced, inserted after or deleted,
    with a one-line reason. Proposed from a phone (or by staff for someone in
    the room), seconded by other households, then accepted, rejected or put
    to a vote by the facilitator."""

    class Op(models.TextChoices):
        REPLACE = "replace", _("replace")
        INSERT_AFTER = "insert_after", _("insert after")
        DELETE = "delete", _("delete")

    class Status(models.TextChoices):
        SECONDING = "seconding", _("waiting for seconds")
        FLOOR = "floor", _("on the floor")
        VOTING = "voting", _("put to a vote")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed in the vote")
        WITHDRAWN = "withdrawn", _("withdrawn")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    base_version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    block_index = models.IntegerField()
    op = models.CharField(max_length=20, choices=Op.choices)
    # The block as it read in the base version ("" for an insert at the start).
    original = models.TextField(blank=True)
    text = models.TextField(_("new text"), max_length=4000, blank=True)
    reason = models.CharField(_("reason"), max_length=MAX_REASON_CHARS)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SECONDING)
    seconds_required = models.PositiveSmallIntegerField(default=1)
    decision_reason = models.CharField(_("reason"), max_length=MAX_REASON_CHARS, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    result_version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="amendment_unique_number")]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self):
        return f"{self.proposal} #{self.number}"

    @property
    def is_pending(self):
        """Not yet decided: the facilitator can still act on it."""
        return self.status in {self.Status.SECONDING, self.Status.FLOOR, self.Status.VOTING}


class Second(models.Model):
    """附议: a household backs an amendment so it reaches the floor."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="seconds")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["amendment", "household"], name="second_once")]
        verbose_name = _("second")
        verbose_name_plural = _("seconds")

    def __str__(self):
        return f"{self.amendment} + {self.household}"


class Decision(AppendOnly):
    """What the vote on a proposal decided, written when the poll closes: the
    outcome, the version it concerned, and the poll as its certificate
    states it (kept here, so the proposal's record stands on its own)."""

    ledger_compound = "proposal__compound"

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        # Too few took part (未产生有效决定): nothing was decided, the proposal
        # stands as it was and may be put to the vote again.
        NO_VALID = "no_valid", _("no valid decision")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # {"poll": id, "title": ..., "rule": ..., "certificate": {...}} as voting wrote it.
    basis = models.JSONField(default=dict)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")


class NoticeComment(models.Model):
    """A household's comment while the proposal is on public notice. Staff may
    hide one, with a reason that stays on the record."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.CharField(_("reason"), max_length=MAX_REASON_CHARS, blank=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.proposal}: {self.household}"


class ProjectPhoto(models.Model):
    """A photo of a completed micro-project, published with its report.

    Kept in the database (a compound has a handful): no media storage to set
    up or back up apart, and served only through proposals/views_public.py,
    which checks the project is public and sends it with its checked type.
    """

    class Kind(models.TextChoices):
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"
        WEBP = "image/webp", "WebP"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="photos")
    content = models.BinaryField()
    content_type = models.CharField(max_length=20, choices=Kind.choices)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "uploaded_at", "id"]
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")

    def __str__(self):
        return f"{self.proposal}: {self.caption or self.pk}"
