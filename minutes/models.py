"""Minutes (会议纪要): drafted from the meeting's record, edited by the
secretary where they narrate, signed off by the parties the compound names,
published locked with a fingerprint; a correction is a new version.

What happened (attendance, times, speakers, results) is not stored here
while the minutes are a draft: it is read from its source every time
(minutes/record.py), so nobody can alter it; staff may only annotate it.
Publishing freezes it into the version's canonical content.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models import AppendOnly, Compound
from meetings.models import Meeting

MAX_NARRATIVE_CHARS = 20_000
MAX_NOTE_CHARS = 1_000

# The parties of a compound that sign minutes by default (三方).
DEFAULT_PARTIES = ["社区居民委员会", "业主委员会", "物业服务企业"]


class Party(models.Model):
    """A party whose sign-off published minutes need (居委会, 业委会, 物业...),
    and the staff accounts that sign for it."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="parties", verbose_name=_("who signs for it")
    )

    class Meta:
        ordering = ["compound", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="party_unique_name")]
        verbose_name = _("signing party")
        verbose_name_plural = _("signing parties")

    def __str__(self):
        return self.name


class Minutes(models.Model):
    """The minutes of one meeting: the draft being written and signed, and
    the versions published from it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNING = "signing", _("being signed")
        PUBLISHED = "published", _("published")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Advanced by every edit of the draft: a sign-off is for one revision,
    # so an edit after it needs it again.
    revision = models.PositiveIntegerField(default=1)
    # What the secretary writes: {"summary": "...", "items": {"<item id>": "..."},
    # "followups": [{"what": ..., "who": ..., "due": "YYYY-MM-DD"}]}
    narrative = models.JSONField(default=dict)
    # Why this draft corrects the published version (empty for the first).
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The decision notice (决定公告) posted at the gate: when, by whom.
    notice_posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return f"{self.meeting}"

    @property
    def latest(self):
        return self.versions.order_by("-number").first()


class Annotation(AppendOnly):
    """A note on a factual section of the minutes (the record itself cannot
    be edited): who, when, what it says about which section."""

    ledger_compound = "minutes__meeting__compound"

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="annotations")
    section = models.CharField(max_length=40)  # e.g. "attendance", "item:12", "poll:7"
    text = models.CharField(_("note"), max_length=MAX_NOTE_CHARS)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["minutes", "at", "id"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")

    def __str__(self):
        return f"{self.minutes} · {self.section}"


class SignOff(AppendOnly):
    """A party signs the draft at one revision, or declines it with a reason
    (which sends the draft back to the secretary)."""

    ledger_compound = "minutes__meeting__compound"

    class Decision(models.TextChoices):
        SIGNED = "signed", _("signed")
        DECLINED = "declined", _("declined")

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="signoffs")
    revision = models.PositiveIntegerField()
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["minutes", "at", "id"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")

    def __str__(self):
        return f"{self.minutes} · {self.party} · {self.decision}"


class MinutesVersion(AppendOnly):
    """Published minutes: locked. `content` is the canonical record (what
    was decided and said, the sign-offs), `fingerprint` its SHA-256 over the
    canonical JSON (minutes/canonical.py); every export prints it."""

    ledger_compound = "minutes__meeting__compound"

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64, db_index=True)
    reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique")]
        verbose_name = _("published minutes")
        verbose_name_plural = _("published minutes")

    def __str__(self):
        return f"{self.minutes} v{self.number}"
