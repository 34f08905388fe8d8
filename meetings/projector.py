"""The projector's screen of one meeting, read now (the rules: meetings/screen.py)."""

from django.db.models import Max

from meetings import extensions, screen
from meetings.models import FloorRequest


def room_of(meeting):
    """The meeting's screen.Room: its own state, and what apps built on it
    tell (meetings/extensions.py: voting the latest poll, proposals whether
    a text is debated on the current item)."""
    facts = {}
    for read in extensions.screen_facts:
        facts.update(read(meeting))
    item = meeting.current_item
    speech_at, speaking = None, False
    if item is not None:
        speeches = item.floor_requests.filter(started_at__isnull=False)
        speech_at = speeches.aggregate(latest=Max("started_at"))["latest"]
        speaking = speeches.filter(status=FloorRequest.Status.SPEAKING).exists()
    return screen.Room(
        status=meeting.status,
        item=item is not None,
        item_at=item.started_at if item else None,
        text=bool(item and item.description.strip()) or bool(facts.get("proposal")),
        proposal=bool(facts.get("proposal")),
        speaking=speaking,
        speech_at=speech_at,
        poll=facts.get("poll"),
        poll_at=facts.get("poll_at"),
        result_at=meeting.result_shown_at,
    )


def shown(meeting):
    """What the projector shows now."""
    return screen.resolve(meeting.screen, room_of(meeting))
