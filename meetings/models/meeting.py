"""Meetings and who joined them."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compounds.models.ledger import AppendOnly
from compounds.models.roster import Compound, Household
from compounds.models.staff import CODE_ALPHABET


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

    class Screen(models.TextChoices):
        """What the projector shows, as the facilitator chose it."""

        AUTO = "auto", pgettext_lazy("projector shows", "Auto")
        SPEAKER = "speaker", pgettext_lazy("projector shows", "Speaker")
        RESULT = "result", pgettext_lazy("projector shows", "Result")
        TEXT = "text", pgettext_lazy("projector shows", "Text")
        AGENDA = "agenda", pgettext_lazy("projector shows", "Agenda")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    place = models.CharField(_("place"), max_length=200, blank=True)
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    code = models.CharField(max_length=8, unique=True, default=new_meeting_code)
    # Opens the projector page without a staff login (the room's screen).
    projector_key = models.CharField(max_length=40, default=new_projector_key)
    # Advanced with every change others see: inside the write's transaction
    # for most (realtime.bump), but for votes, joins and sign-ins just after
    # their commit, in a transaction of its own (realtime.touch_on_commit), so
    # that a burst of votes does not queue on this row. Pushed panels carry it
    # so clients drop anything older than what they show.
    revision = models.PositiveBigIntegerField(default=0)
    # The revision of the newest change to a panel pushed at once (a speaker,
    # a poll opening), not a touch of the coalesced counts alone (a vote, a
    # join). A live page's state rendered since then may be served again for
    # a coalescing window even though touches moved `revision` on
    # (deliberation/realtime/states.py): a room scanning in at once renders a
    # few states a second, not one per join.
    pushed_revision = models.PositiveBigIntegerField(default=0)
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
    # 附议: an amendment proposed from a phone reaches the floor once this
    # many other households have seconded it (0: at once).
    seconds_required = models.PositiveSmallIntegerField(
        _("seconds an amendment needs"), default=1, validators=[MaxValueValidator(50)]
    )
    current_item = models.ForeignKey("AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The projector: the facilitator's choice, "auto" resolved from the
    # room's state (meetings/screen.py). Calling a speaker, starting an item
    # and revealing a result set it back to auto: the news takes the screen.
    screen = models.CharField(_("projector shows"), max_length=10, choices=Screen.choices, default=Screen.AUTO)
    # When the result of a poll was revealed, while it is the room's latest
    # news: cleared when another item starts (a speech started later also
    # takes the screen from it, by comparing times).
    result_shown_at = models.DateTimeField(null=True, blank=True)
    # The roster published for checking before a vote (unit and area, no
    # names: meetings/roster_check.py), so households can ask for corrections.
    roster_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_start", "-created_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title

    @property
    def room_key(self):
        """Who this meeting is to the realtime core's caches: its code, unique
        for good (an id is reused when SQLite deletes the last row)."""
        return self.code

    @property
    def is_live(self):
        return self.status == self.Status.LIVE

    @property
    def is_open_to_residents(self):
        """Residents may join an announced or live meeting, not a closed one."""
        return self.status in {self.Status.ANNOUNCED, self.Status.LIVE}


class Attendance(models.Model):
    """A household present at a meeting: joined by its own phone, or signed in
    by staff in the room (签到, for households without a phone). Both count
    alike everywhere (turnout, the electorate of attendee polls)."""

    class Via(models.TextChoices):
        PHONE = "phone", _("own phone")
        STAFF = "staff", _("entered by staff")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="attendances")
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.PHONE)
    # When it joined the way `via` says (a phone joining after a staff
    # sign-in moves it to the phone's time; the sign-in stays below).
    joined_at = models.DateTimeField(default=timezone.now)
    # A staff sign-in: who and when (kept if the household's phone joins later).
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signed in by"),
    )
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "household"], name="attendance_unique")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self):
        return f"{self.household} @ {self.meeting}"


class AttendanceLog(AppendOnly):
    """Append-only record of staff sign-ins and their undos: who, when, which
    household. Attendance rows come and go; this stays (a decision can be
    challenged in court, and who could vote in an attendee poll follows from
    who was present)."""

    ledger_compound = "meeting__compound"

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("signed in by staff")
        UNDO = "undo", _("sign-in undone")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance_log")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    # The staff member's name as it was: the record outlives the account.
    by_name = models.CharField(_("staff name"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("attendance log entry")
        verbose_name_plural = _("attendance log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.household} ({self.by_name})"
