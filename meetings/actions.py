"""Meeting writes that others see. Each commits, then broadcasts after commit.

Views and consumers call these; nothing else changes a meeting's live state.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation.realtime import broadcast_on_commit, bump, touch_on_commit
from meetings.models import Attendance, Meeting
from meetings.models.meeting import AttendanceLog

# A join, a sign-in or its undo changes who is present, and with it the
# electorate of a poll of the households present (its live turnout).
ATTENDANCE_PANELS = ("attendance", "turnout")


class ActionError(Exception):
    """A refused action, with a translated message for the user."""


def open_meeting(meeting):
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


def close_meeting(meeting):
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
                touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
            elif via == Attendance.Via.PHONE and attendance.via == Attendance.Via.STAFF:
                # Signed in by staff, now here on its own phone too: it stays
                # present as a phone does (a staff undo no longer removes it).
                # The sign-in's who and when stay on the row and in the log.
                now = timezone.now()
                moved = Attendance.objects.filter(pk=attendance.pk).update(via=via, joined_at=now)
                if not moved:  # the sign-in was undone meanwhile: join afresh
                    attendance, created = Attendance.objects.get_or_create(
                        meeting=meeting, household=household, defaults={"via": via, "joined_at": now}
                    )
                else:
                    attendance.via, attendance.joined_at = via, now
                touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
    except IntegrityError:
        # Two phones of one household joining at the same instant.
        attendance, created = Attendance.objects.get(meeting=meeting, household=household), False
    return attendance, created


# --- In-person sign-in (签到) by staff ----------------------------------------------


def staff_name(user):
    """How the record names a staff member: full name, else the login name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _check_sign_in(meeting, household):
    from django.utils.translation import gettext as _

    if not meeting.is_open_to_residents:
        raise ActionError(_("Sign-in is possible only while the meeting is announced or live."))
    if household.compound_id != meeting.compound_id:
        raise ActionError(_("This household is not in this meeting's compound."))
    if not household.is_active:
        raise ActionError(
            _("%(household)s has left the roster (retired) and cannot be signed in.") % {"household": household}
        )
    if not household.votes:
        raise ActionError(
            _("%(household)s is a parking space: parking spaces do not vote and are not signed in.")
            % {"household": household}
        )


def sign_in(meeting, household, user):
    """Staff mark a household present in the room (签到), for a household
    without a phone. It counts as attendance exactly as a phone's join does
    (turnout, the electorate of attendee polls). Returns (attendance, created).

    A household already present (its phone joined, or signed in before) is
    not an error: nothing changes and `created` is False.
    """
    _check_sign_in(meeting, household)
    now = timezone.now()
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                meeting=meeting,
                household=household,
                defaults={"via": Attendance.Via.STAFF, "joined_at": now, "signed_in_by": user, "signed_in_at": now},
            )
            if created:
                AttendanceLog.objects.create(
                    meeting=meeting,
                    household=household,
                    action=AttendanceLog.Action.SIGN_IN,
                    by=user,
                    by_name=staff_name(user),
                    at=now,
                )
                touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
    except IntegrityError:
        # Two staff members (or the household's phone) at the same instant.
        attendance, created = Attendance.objects.get(meeting=meeting, household=household), False
    return attendance, created


def undo_sign_in(meeting, household, user):
    """Take back a staff sign-in (a mistaken one). Returns True if removed,
    False if the household was not present (undone by someone else already).

    Refused for a household that joined by its own phone (it is present), and
    for one that has a ballot in an open poll of the households present:
    removing it would change that poll's electorate mid-vote.
    """
    from django.utils.translation import gettext as _

    from voting.models import Ballot, Poll  # voting builds on meetings, not the reverse

    if not meeting.is_open_to_residents:
        raise ActionError(_("This meeting is closed: who attended can no longer be changed."))
    if household.compound_id != meeting.compound_id:
        raise ActionError(_("This household is not in this meeting's compound."))
    with transaction.atomic():
        # Lock the open attendee polls as a vote does (voting.actions.locked_poll):
        # no ballot lands between the check below and the delete.
        polls = list(
            Poll.objects.select_for_update()
            .filter(meeting=meeting, status=Poll.Status.OPEN, scope=Poll.Scope.ATTENDEES)
            .order_by("pk")
        )
        attendance = Attendance.objects.select_for_update().filter(meeting=meeting, household=household).first()
        if attendance is None:
            return False
        if attendance.via != Attendance.Via.STAFF:
            raise ActionError(
                _("%(household)s joined with its own phone and stays present: only a sign-in by staff can be undone.")
                % {"household": household}
            )
        voted = next((p for p in polls if Ballot.objects.filter(poll=p, household=household).exists()), None)
        if voted is not None:
            raise ActionError(
                _(
                    "%(household)s has already voted in the open poll “%(poll)s”, whose voters are the households "
                    "present: undoing the sign-in now would change that poll mid-vote. Undo it after the poll closes."
                )
                % {"household": household, "poll": voted.title}
            )
        attendance.delete()
        AttendanceLog.objects.create(
            meeting=meeting, household=household, action=AttendanceLog.Action.UNDO, by=user, by_name=staff_name(user)
        )
        touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
    return True
