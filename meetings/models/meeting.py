"""Meetings and who joined them."""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models.roster import Compound, Household
from meetings.models.staff import CODE_ALPHABET


def new_meeting_code():
    # Short enough to type from the projector: /m/K7PM
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


def new_projector_key():
    return secrets.token_urlsafe(16)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", _("council meeting (议事会)")
        OWNERS = "owners", _("owners' assembly")
        RESIDENTS = "residents", _("residents' meeting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        LIVE = "live", pgettext_lazy("meeting status", "live")
        CLOSED = "closed", _("closed")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    place = models.CharField(_("place"), max_length=200, blank=True)
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    code = models.CharField(max_length=8, unique=True, default=new_meeting_code)
    # Opens the projector page without a staff login (the room's screen).
    projector_key = models.CharField(max_length=40, default=new_projector_key)
    # Bumped in the same transaction as every change others see; pushed panels
    # carry it so clients drop anything older than what they show.
    revision = models.PositiveBigIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Procedure (南塘 rules, DOMAIN.md): the facilitator may change these.
    speech_limit_seconds = models.PositiveIntegerField(
        _("speech limit (seconds)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(1800)]
    )
    speeches_per_item = models.PositiveSmallIntegerField(
        _("speeches per person per item"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    alternate_stances = models.BooleanField(_("alternate for and against"), default=True)
    first_timers_first = models.BooleanField(_("first-time speakers first"), default=True)
    current_item = models.ForeignKey("AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-scheduled_start", "-created_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title

    @property
    def is_live(self):
        return self.status == self.Status.LIVE

    @property
    def is_open_to_residents(self):
        """Residents may join an announced or live meeting, not a closed one."""
        return self.status in {self.Status.ANNOUNCED, self.Status.LIVE}


class Attendance(models.Model):
    """A household joined to a meeting (its phone, or staff for it)."""

    class Via(models.TextChoices):
        PHONE = "phone", _("own phone")
        STAFF = "staff", _("entered by staff")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="attendances")
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.PHONE)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "household"], name="attendance_unique")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self):
        return f"{self.household} @ {self.meeting}"
