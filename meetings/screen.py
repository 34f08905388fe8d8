"""What the projector shows: the facilitator's choice, or the automatic one.

The facilitator picks Auto, Speaker, Result, Text or Agenda on the console
(Meeting.screen). Auto follows the room: an open poll shows the poll and its
turnout; a result just revealed shows until someone newer gets the floor or
another item starts; a speaker who gets the floor takes the screen; otherwise
the item with its text (or the agenda, between items).

Pure rules on a `Room` (no Django): meetings/projector.py reads the Room of a
meeting from the database and from what apps built on meetings tell.
"""

from dataclasses import dataclass
from datetime import datetime

# The facilitator's choices (Meeting.Screen's values).
AUTO, SPEAKER, RESULT, TEXT, AGENDA = "auto", "speaker", "result", "text", "agenda"
# What the projector can show besides: the poll (open, or closed with its
# result to come) and, once the meeting has ended, what it decided.
POLL, ENDED = "poll", "ended"

# The latest poll of the meeting, as voting tells it.
POLL_OPEN, POLL_CLOSED, POLL_REVEALED = "open", "closed", "revealed"

# Meeting.Status's values that matter here.
LIVE, CLOSED = "live", "closed"


@dataclass(frozen=True)
class Room:
    """The state the projector's screen depends on."""

    status: str = LIVE
    item: bool = False  # an agenda item is under discussion
    item_at: datetime | None = None  # when it was (re)started
    text: bool = False  # it has a description, or a proposal is debated on it
    proposal: bool = False  # a proposal is debated on it
    speaking: bool = False  # someone has the floor
    speech_at: datetime | None = None  # when the item's latest speech started
    poll: str | None = None  # the latest poll: POLL_OPEN, POLL_CLOSED, POLL_REVEALED or None
    poll_at: datetime | None = None  # when it opened (open) or closed
    result_at: datetime | None = None  # when its result was revealed, while that is news


def _newer(when, than):
    return when is not None and (than is None or when > than)


def choices(room):
    """The facilitator's choices that can be shown now: none before the
    meeting opens or after it ends, else Auto, Agenda, and Speaker, Text and
    Result when there is an item, a text, a result."""
    if room.status != LIVE:
        return set()
    available = {AUTO, AGENDA}
    if room.item:
        available.add(SPEAKER)
    if room.text:
        available.add(TEXT)
    if room.poll == POLL_REVEALED:
        available.add(RESULT)
    return available


def automatic(room):
    """What Auto shows in a live meeting: the room's latest news."""
    if room.poll == POLL_OPEN:
        return POLL
    if room.poll == POLL_REVEALED and _newer(room.result_at, room.speech_at):
        return RESULT
    if room.poll == POLL_CLOSED and _newer(room.poll_at, room.speech_at) and _newer(room.poll_at, room.item_at):
        return POLL  # "voting has closed; the result will be shown shortly"
    if room.speaking:
        return SPEAKER
    if not room.item:
        return AGENDA
    return TEXT if room.text else SPEAKER


def resolve(choice, room):
    """What the projector shows: SPEAKER, RESULT, TEXT, AGENDA, POLL or ENDED.
    A choice that cannot be shown now (no result yet, say) falls back to Auto."""
    if room.status == CLOSED:
        return ENDED
    if room.status != LIVE:
        return AGENDA  # before the meeting: its title, agenda and the join code
    if choice != AUTO and choice in choices(room):
        return choice
    return automatic(room)


def beside_speaker(room):
    """What the projector puts beside the speaker: the proposal debated, else
    the item's description ("description"), else nothing ("")."""
    if room.proposal:
        return "proposal"
    return "description" if room.text else ""
