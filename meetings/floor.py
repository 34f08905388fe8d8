"""The speaker queue as it stands: who has spoken, who speaks, who is next.

Reads build the queue through the pure rules in meetings/queue.py; the
writes (asking for the floor, the chair's overrides, the timer) are actions
(meetings/actions.py). Everything is read from one query per item
(`floor_of`): a push that renders the speaker, the queue and the projector's
screen reads the item's requests once, not once per question asked of them.
"""

from collections import Counter
from functools import cached_property

from meetings import queue
from meetings.models import FloorRequest

Stance = FloorRequest.Stance
Status = FloorRequest.Status
SPOKEN = (Status.SPEAKING, Status.DONE)


class Floor:
    """One agenda item's requests for the floor, read once (`floor_of`)."""

    def __init__(self, requests):
        self.requests = sorted(requests, key=lambda r: r.pk)

    @cached_property
    def _sides_spoken(self):
        return [r for r in self.requests if r.status in SPOKEN and r.stance in queue.SIDES]

    @cached_property
    def waiting(self):
        return [r for r in self.requests if r.status == Status.WAITING]

    @cached_property
    def speech(self):
        """The request that has the floor, or None."""
        return next((r for r in self.requests if r.status == Status.SPEAKING), None)

    @cached_property
    def spoken_counts(self):
        """For/against speeches given (or under way), per person."""
        return Counter(r.person for r in self._sides_spoken)

    @cached_property
    def spoken_by_household(self):
        """{household id: for/against speeches} of the households that spoke
        (names written by staff are left out)."""
        return Counter(r.household_id for r in self._sides_spoken if r.household_id is not None)

    @cached_property
    def last_side(self):
        """The stance of the latest for/against speech, or None."""
        if not self._sides_spoken:
            return None
        # A speech that never started sorts first, as NULLs do in the old
        # descending SQL order on SQLite; spoken requests always have a start.
        latest = max(self._sides_spoken, key=lambda r: (r.started_at is not None, r.started_at or 0, r.pk))
        return latest.stance

    @cached_property
    def latest_start(self):
        """When the item's latest speech started, or None."""
        return max((r.started_at for r in self.requests if r.started_at is not None), default=None)

    def ordered(self, meeting):
        """[(request, reason)] of the waiting requests, in speaking order."""
        by_id = {r.pk: r for r in self.waiting}
        entries = [queue.Waiting(r.pk, r.stance, r.pk, self.spoken_counts[r.person], r.pin) for r in self.waiting]
        rules = queue.Rules(alternate=meeting.alternate_stances, first_timers_first=meeting.first_timers_first)
        return [(by_id[p.entry.id], p.reason) for p in queue.order_queue(entries, self.last_side, rules)]


NO_FLOOR = Floor([])


def floor_of(item):
    """The item's Floor (NO_FLOOR without an item): every request of it, in
    one query, with the households' labels."""
    if item is None:
        return NO_FLOOR
    return Floor(item.floor_requests.select_related("household__unit__building"))


# --- Reading the queue ---------------------------------------------------------


def spoken_counts(item):
    """For/against speeches given (or under way) on the item, per person:
    only those requests are read (an action checking one person's limit)."""
    return Floor(item.floor_requests.filter(status__in=SPOKEN, stance__in=queue.SIDES)).spoken_counts


def ordered_queue(meeting, item=None):
    """[(request, reason)] of the item's waiting requests, in speaking order."""
    return floor_of(item if item is not None else meeting.current_item).ordered(meeting)


def current_speech(item):
    return floor_of(item).speech
