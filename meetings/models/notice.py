"""The notice (公告) of a meeting and how each household was served with it.

An owners' meeting is valid only if it was announced in time, with its
topics, and a court asks whether every owner was served (送达). A notice is
written once and never changed: extending the voting window is a new notice
of its own (延期公告), as the law asks, and the history stays readable.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models.answered import AnsweredOnRecord
from compounds.models.ledger import AppendOnly
from compounds.models.roster import Household
from meetings.models.meeting import Meeting


class Notice(AppendOnly):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("notice of meeting")
        EXTENSION = "extension", _("extension of the voting window")

    ledger_compound = "meeting__compound"  # the audit chain it is written to (compounds/models/ledger.py)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MEETING)
    number = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text of the notice"), blank=True)
    extraordinary = models.BooleanField(_("extraordinary meeting (临时会议)"), default=False)
    # The voting window: the meeting opens, votes may be cast until it closes.
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    # The topics as published: [{"item": agenda item id, "title": its title then}].
    topics = models.JSONField(default=list)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="notice_unique_number")]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.title

    @property
    def topic_ids(self):
        return {topic["item"] for topic in self.topics}


class Service(AppendOnly):
    """One household served with the notice and ballot of a meeting, one way.

    A household that joined by its own phone was reached that way and needs
    no row here. A mistaken row is withdrawn by a row that names it.
    """

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("handed over in person (当面送达)")
        AT_DOOR = "at_door", _("left at the door (留置送达)")
        MAIL = "mail", _("by mail (邮寄送达)")
        MESSAGE = "message", _("by text or WeChat message to the owner")
        WITHDRAWN = "withdrawn", _("entry withdrawn")

    ledger_compound = "meeting__compound"  # the audit chain it is written to (compounds/models/ledger.py)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="services")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    served_on = models.DateField(_("date"))
    served_by = models.CharField(_("delivered by"), max_length=60)
    note = models.CharField(_("note"), max_length=200, blank=True)
    withdraws = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "entered_at", "id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self):
        return f"{self.household} {self.method} {self.served_on}"


class Posting(AppendOnly):
    """The notice posted up in the compound (张贴公告): where, when, by whom.
    Not service on any one household: the record shows it beside them."""

    ledger_compound = "meeting__compound"  # the audit chain it is written to (compounds/models/ledger.py)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="postings")
    place = models.CharField(_("where"), max_length=100)
    posted_on = models.DateField(_("date"))
    posted_by = models.CharField(_("posted by"), max_length=60)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "posted_on", "id"]
        verbose_name = _("notice posting")
        verbose_name_plural = _("notice postings")

    def __str__(self):
        return f"{self.place} {self.posted_on}"


class RosterCorrection(AnsweredOnRecord):
    """A household asks for its roster entry to be corrected before a vote
    (the roster is published for checking: unit and area, no names), and
    staff answer on the record."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roster_corrections")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("what is wrong"), max_length=500)
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "asked_at", "id"]
        verbose_name = _("roster correction request")
        verbose_name_plural = _("roster correction requests")

    def __str__(self):
        return f"{self.household}: {self.text[:30]}"
