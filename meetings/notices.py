"""Reading a meeting's notices and service record (the writes are in
meetings/actions.py): the voting window in force, the jurisdiction's
figures, the deadlines as they stand, and who was served.
"""

from django.utils import timezone

from compounds import jurisdiction
from meetings import deadlines, extensions
from meetings.models import Attendance, Meeting, Notice, Posting, Service


def profile(meeting):
    """The jurisdiction profile of the meeting's compound."""
    return jurisdiction.get(meeting.compound.jurisdiction)


def follows_the_book(meeting):
    """An owners' meeting follows its jurisdiction's procedure to the letter;
    other meetings may announce themselves, and a note says where they did not."""
    return meeting.kind == Meeting.Kind.OWNERS


def meeting_notice(meeting):
    """The notice of meeting (公告), or None before it is published."""
    return meeting.notices.filter(kind=Notice.Kind.MEETING).order_by("number").first()


def latest(meeting):
    """The notice in force: the last one published (an extension moves the close)."""
    return meeting.notices.order_by("-number").first()


def window(meeting):
    """(opens, closes) of the voting window in force, or None without a notice."""
    notice = latest(meeting)
    return (notice.opens_at, notice.closes_at) if notice else None


def window_closed(meeting, now=None):
    current = window(meeting)
    return current is not None and (now or timezone.now()) > current[1]


def announced_topic(meeting, item_id):
    """Was agenda item `item_id` a topic of the meeting's notice?"""
    notice = meeting_notice(meeting)
    return notice is not None and item_id in notice.topic_ids


def facts(meeting, voting_closed=None, results_posted=None, objections_until=None, final=None):
    """What has happened, for meetings.deadlines, in local time."""
    first, current = meeting_notice(meeting), latest(meeting)
    local = timezone.localtime
    return deadlines.Facts(
        extraordinary=bool(first and first.extraordinary),
        notice_published=local(first.published_at).date() if first else None,
        opens=local(current.opens_at)
        if current
        else (local(meeting.scheduled_start) if meeting.scheduled_start else None),
        closes=local(current.closes_at) if current else None,
        voting_closed=local(voting_closed) if voting_closed else None,
        results_posted=local(results_posted) if results_posted else None,
        objections_until=local(objections_until) if objections_until else None,
        final=local(final) if final else None,
    )


def deadlines_of(meeting):
    """The meeting's deadlines as they stand now (apps above add what happened: extensions.deadline_facts)."""
    happened = {}
    for more in extensions.deadline_facts:
        happened.update(more(meeting))
    now = timezone.localtime()
    return deadlines.deadlines(profile(meeting), facts(meeting, **happened), now.date(), now)


# Service (送达) ------------------------------------------------------------------


def standing_services(meeting):
    """Service rows in force: not withdrawn, and not withdrawals themselves."""
    rows = list(meeting.services.select_related("household__unit__building").order_by("entered_at", "id"))
    withdrawn = {row.withdraws_id for row in rows if row.method == Service.Method.WITHDRAWN}
    return [row for row in rows if row.method != Service.Method.WITHDRAWN and row.pk not in withdrawn]


def served_household_ids(meeting):
    """Households served one by one: a service row in force, or present at
    the meeting (their own phone joined it, where the notice and the ballot
    are, or staff signed them in, in the room with the ballot). A posted
    notice serves nobody in particular and is not counted here."""
    served = {row.household_id for row in standing_services(meeting)}
    served |= set(Attendance.objects.filter(meeting=meeting).values_list("household_id", flat=True))
    return served


def postings(meeting):
    return Posting.objects.filter(meeting=meeting).order_by("posted_on", "id")
