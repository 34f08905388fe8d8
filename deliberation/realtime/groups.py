"""Who a push is for: the audiences, and the names that reach them.

A live page belongs to one audience (the facilitator's console, a resident's
phone, the projector) and is shown in one language. A push is rendered once
per (meeting, audience, language) with pages open somewhere (listening.py)
and sent, all of it in one message, on the meeting's one channel-layer
group, which every process with sockets of the meeting listens to; each
process's hub hands each page its (audience, language)'s panels. Coalesced
panels and messages for tagged sockets go the same way. Everything that
names a group takes its name from here, so the writes and the hub cannot
disagree on it.
"""

from django.conf import settings

FACILITATOR = "facilitator"
RESIDENT = "resident"
PROJECTOR = "projector"
AUDIENCES = (FACILITATOR, RESIDENT, PROJECTOR)


def languages():
    return [code for code, _name in settings.LANGUAGES]


def group_name(meeting_id, audience, language):
    """The pages of one (meeting, audience, language): they are sent the same
    panels. A push names its renders by it; each hub keeps its sockets by it."""
    return f"meeting.{meeting_id}.{audience}.{language}"


def meeting_group(meeting_id):
    """The channel-layer group every process with sockets of the meeting
    listens to: pushes, coalesced panels marked dirty, tagged messages."""
    return f"meeting.{meeting_id}"
