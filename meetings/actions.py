"""Meeting writes that others see. Each commits, then broadcasts after commit.

Views and consumers call these; nothing else changes a meeting's live state.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation.realtime import broadcast_on_commit, bump, touch_on_commit
from meetings.models import Attendance, Meeting


class ActionError(Exception):
    """A refused action, with a translated message for the user."""


def open_meeting(meeting, user):
    """Go live: the projector and phones switch to the meeting room."""
    from django.utils.translation import gettext as _

    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CLOSED:
            raise ActionError(_("This meeting is closed and cannot be opened again."))
        if meeting.status == Meeting.Status.LIVE:
            return meeting
        meeting.status = Meeting.Status.LIVE
        meeting.opened_at = meeting.opened_at or timezone.now()
        meeting.save(update_fields=["status", "opened_at"])
        bump(meeting.pk)
        broadcast_on_commit(meeting.pk)  # every panel depends on the status
    return meeting


def close_meeting(meeting, user):
    """End the meeting: residents' joins end with it."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CLOSED:
            return meeting
        meeting.status = Meeting.Status.CLOSED
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["status", "closed_at"])
        bump(meeting.pk)
        broadcast_on_commit(meeting.pk)  # every panel depends on the status
    return meeting


def join_meeting(meeting, household, via=Attendance.Via.PHONE):
    """Record that a household joined; returns (attendance, created).

    Joining twice (a second phone of the same household, a reload) is not an
    error and changes nothing others see.
    """
    from django.utils.translation import gettext as _

    if not meeting.is_open_to_residents:
        raise ActionError(_("This meeting is not open for joining."))
    if household.compound_id != meeting.compound_id or not household.is_active or not household.votes:
        raise ActionError(_("This household cannot join this meeting."))
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                meeting=meeting, household=household, defaults={"via": via}
            )
            if created:
                touch_on_commit(meeting.pk, ["attendance"])
    except IntegrityError:
        # Two phones of one household joining at the same instant.
        attendance, created = Attendance.objects.get(meeting=meeting, household=household), False
    return attendance, created
