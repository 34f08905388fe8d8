"""What households ask and staff answer once, on the record: a roster
correction request (meetings), an objection to a posted result (voting).

The answer is written once and never edited: the household, the public page
and the minutes read the same words.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ANSWER_MAX_LENGTH = 1000


class AnsweredOnRecord(models.Model):
    answer = models.CharField(_("answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_answered(self):
        return self.answered_at is not None

    def record_answer(self, answer, user):
        """Write staff's answer. The caller holds the row locked and has
        refused an empty answer or one already given, in its own words."""
        if self.is_answered:
            raise ValueError(f"{self!r} is already answered")
        self.answer, self.answered_by, self.answered_at = answer[:ANSWER_MAX_LENGTH], user, timezone.now()
        self.save(update_fields=["answer", "answered_by", "answered_at"])
