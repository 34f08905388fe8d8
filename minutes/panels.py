"""The projector's "decided today" once the meeting has ended."""

from deliberation.realtime import PROJECTOR, panel
from meetings.models import Meeting
from minutes.record import decisions, meeting_record


@panel("decided", "minutes/panels/decided.html", audiences=(PROJECTOR,))
def decided_today(meeting, audience):
    if meeting.status != Meeting.Status.CLOSED:
        return {"decided": None}
    return {"decided": decisions(meeting_record(meeting))}
