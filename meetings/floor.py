"""The speaker queue as it stands: who has spoken, who speaks, who is next.

Reads build the queue through the pure rules in meetings/queue.py; the
writes (asking for the floor, the chair's overrides, the timer) are actions
(meetings/actions.py).
"""

from collections import Counter

from meetings import queue
from meetings.models import FloorRequest

Stance = FloorRequest.Stance
Status = FloorRequest.Status
SPOKEN = (Status.SPEAKING, Status.DONE)


# --- Reading the queue ---------------------------------------------------------


def spoken_counts(item):
    """For/against speeches given (or under way) on the item, per person."""
    rows = item.floor_requests.filter(status__in=SPOKEN, stance__in=queue.SIDES).select_related("household")
    return Counter(r.person for r in rows)


def spoken_by_household(item):
    """{household id: for/against speeches given (or under way) on the item}
    of the households that spoke (names written by staff are left out)."""
    rows = item.floor_requests.filter(status__in=SPOKEN, stance__in=queue.SIDES, household__isnull=False)
    return Counter(rows.values_list("household_id", flat=True))


def last_side(item):
    latest = (
        item.floor_requests.filter(status__in=SPOKEN, stance__in=queue.SIDES).order_by("-started_at", "-id").first()
    )
    return latest.stance if latest else None


def ordered_queue(meeting, item=None):
    """[(request, reason)] of the item's waiting requests, in speaking order."""
    item = item if item is not None else meeting.current_item
    if item is None:
        return []
    waiting = list(
        item.floor_requests.filter(status=Status.WAITING).select_related("household__unit__building").order_by("id")
    )
    spoken = spoken_counts(item)
    by_id = {r.pk: r for r in waiting}
    entries = [queue.Waiting(r.pk, r.stance, r.pk, spoken[r.person], r.pin) for r in waiting]
    rules = queue.Rules(alternate=meeting.alternate_stances, first_timers_first=meeting.first_timers_first)
    return [(by_id[p.entry.id], p.reason) for p in queue.order_queue(entries, last_side(item), rules)]


def current_speech(item):
    if item is None:
        return None
    return item.floor_requests.filter(status=Status.SPEAKING).select_related("household__unit__building").first()
