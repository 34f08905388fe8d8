"""Who a push is for: the audiences, and the channel-layer groups that reach them.

A live page belongs to one audience (the facilitator's console, a resident's
phone, the projector) and is shown in one language. A push is rendered once
per audience and language and published on that (meeting, audience,
language) group; coalesced panels and messages for tagged sockets go to the
meeting's dirty group, which every process with sockets of the meeting
listens to. Everything that names a group takes its name from here, so the
writes and the hub cannot disagree on it.
"""

from django.conf import settings

FACILITATOR = "facilitator"
RESIDENT = "resident"
PROJECTOR = "projector"
AUDIENCES = (FACILITATOR, RESIDENT, PROJECTOR)


def languages():
    return [code for code, _name in settings.LANGUAGES]


def group_name(meeting_id, audience, language):
    """Pushes are rendered once per audience and language, sent to this group."""
    return f"meeting.{meeting_id}.{audience}.{language}"


def dirty_group(meeting_id):
    """Every process with sockets of the meeting listens here for coalesced panels."""
    return f"meeting.{meeting_id}.dirty"
