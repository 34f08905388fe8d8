"""Once the meeting has ended: what it decided, on the projector and the
phones still open on it; on the
console, the minutes to write and the decision notice to post within 3 days
(Hangzhou Art. 29), until it is marked posted."""

from datetime import timedelta

from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, panel
from meetings.models import Meeting
from minutes.models import Minutes
from minutes.record import decisions, meeting_record

NOTICE_DEADLINE = timedelta(days=3)


@panel("decided", "minutes/panels/decided.html", audiences=(PROJECTOR, FACILITATOR, RESIDENT))
def decided_today(meeting, audience):
    if meeting.status != Meeting.Status.CLOSED:
        return {"decided": None}
    context = {"decided": decisions(meeting_record(meeting))}
    if audience == FACILITATOR:
        minutes = Minutes.objects.filter(meeting=meeting).first()
        context["minutes"] = minutes
        context["notice_deadline"] = meeting.closed_at + NOTICE_DEADLINE if meeting.closed_at else None
    return context
