"""The agenda, and the speaker queue of each item.

Time is server-authoritative: an item stores when it became current and how
long it ran before; a speech stores when it started, its limit and its
pauses. Every screen computes the same elapsed and remaining time from these
and the server clock sent with each push, so nothing drifts or restarts.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models.roster import Household
from meetings.models.meeting import Meeting


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_minutes = models.PositiveIntegerField(
        _("planned minutes"), default=15, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    # Time spent as the current item before its latest start, and that start.
    elapsed_before = models.DurationField(default=timezone.timedelta)
    started_at = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title

    def elapsed(self, now=None):
        running = (now or timezone.now()) - self.started_at if self.started_at else timezone.timedelta()
        return self.elapsed_before + running

    @property
    def planned_seconds(self):
        return self.planned_minutes * 60

    @property
    def clock_start(self):
        """When the item's clock would have started had it run without a break."""
        return self.started_at - self.elapsed_before if self.started_at else None


class FloorRequest(models.Model):
    """A request for the floor on one agenda item: waiting, then speaking, then done."""

    class Stance(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        QUESTION = "question", _("question")
        ORDER = "order", _("point of order")

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SPEAKING = "speaking", _("speaking")
        DONE = "done", _("spoke")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REMOVED = "removed", _("removed by the chair")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="floor_requests")
    # A household from the roster, or a name for someone who raised a hand.
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60, blank=True)
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    # The chair's override: this request's place in the queue (0 = next).
    pin = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    requested_at = models.DateTimeField(default=timezone.now)
    # The speech: its start, its limit at that moment, and its pauses.
    started_at = models.DateTimeField(null=True, blank=True)
    limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_for = models.DurationField(default=timezone.timedelta)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "id"]
        constraints = [
            # One place in the queue (or at the lectern) per household per item.
            models.UniqueConstraint(
                fields=["item", "household"],
                condition=Q(status__in=["waiting", "speaking"], household__isnull=False),
                name="floor_one_open_request",
            ),
            # One speaker at a time.
            models.UniqueConstraint(fields=["item"], condition=Q(status="speaking"), name="floor_one_speaker"),
            models.CheckConstraint(condition=Q(household__isnull=False) | ~Q(name=""), name="floor_household_or_name"),
        ]
        verbose_name = _("request for the floor")
        verbose_name_plural = _("requests for the floor")

    def __str__(self):
        return f"{self.speaker_label} ({self.stance})"

    @property
    def speaker_label(self):
        return self.household.label if self.household_id else self.name

    @property
    def person(self):
        """Who counts as the same speaker: the household, or the written name."""
        return f"household:{self.household_id}" if self.household_id else f"name:{self.name.strip()}"

    @property
    def clock_start(self):
        """When the speech clock would have started without its pauses; None while paused."""
        if not self.started_at or self.paused_at or self.ended_at:
            return None
        return self.started_at + self.paused_for

    def spoken_seconds(self, now=None):
        """Seconds of speech so far, pauses excluded."""
        if not self.started_at:
            return 0.0
        end = self.ended_at or self.paused_at or now or timezone.now()
        return max(0.0, (end - self.started_at - self.paused_for).total_seconds())

    def finish(self, now=None):
        """End this speech (a paused one ends where it was paused)."""
        now = now or timezone.now()
        if self.paused_at:
            self.paused_for += now - self.paused_at
            self.paused_at = None
        self.status, self.ended_at = self.Status.DONE, now
        self.save(update_fields=["status", "ended_at", "paused_at", "paused_for"])
