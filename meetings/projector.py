"""The projector's screen of one meeting, read now (the rules: meetings/screen.py)."""

from meetings import extensions, floor, screen


def room_of(meeting, item_floor=None):
    """The meeting's screen.Room: its own state, and what apps built on it
    tell (meetings/extensions.py: voting the latest poll, proposals whether
    a text is debated on the current item). `item_floor`: the current item's
    floor.Floor when the caller has read it already."""
    facts = {}
    for read in extensions.screen_facts:
        facts.update(read(meeting))
    item = meeting.current_item
    if item_floor is None:
        item_floor = floor.floor_of(item)
    speech = item_floor.speech
    return screen.Room(
        status=meeting.status,
        item=item is not None,
        item_at=item.started_at if item else None,
        text=bool(item and item.description.strip()) or bool(facts.get("proposal")),
        proposal=bool(facts.get("proposal")),
        speaking=speech is not None and speech.started_at is not None,
        speech_at=item_floor.latest_start,
        poll=facts.get("poll"),
        poll_at=facts.get("poll_at"),
        result_at=meeting.result_shown_at,
    )


def shown(meeting):
    """What the projector shows now."""
    return screen.resolve(meeting.screen, room_of(meeting))
