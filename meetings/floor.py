"""The speaker queue: asking for the floor, the chair's overrides, the timer.

Reads build the queue through the pure rules in meetings/queue.py; writes
are action functions that lock the meeting row, commit, then push the
speaker and queue panels after commit.
"""

from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.realtime import broadcast_on_commit, bump
from meetings import queue
from meetings.actions import ActionError
from meetings.models import FloorRequest, Meeting

Stance = FloorRequest.Stance
Status = FloorRequest.Status
FLOOR_PANELS = ("speaker", "queue")
SPOKEN = (Status.SPEAKING, Status.DONE)


# --- Reading the queue ---------------------------------------------------------


def spoken_counts(item):
    """For/against speeches given (or under way) on the item, per person."""
    rows = item.floor_requests.filter(status__in=SPOKEN, stance__in=queue.SIDES).select_related("household")
    return Counter(r.person for r in rows)


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


# --- Writing -------------------------------------------------------------------


def _locked_live(meeting):
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("current_item").get(pk=meeting.pk)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    if meeting.current_item is None:
        raise ActionError(_("No agenda item is under discussion right now."))
    return meeting


def _changed(meeting):
    bump(meeting.pk)
    broadcast_on_commit(meeting.pk, FLOOR_PANELS)


def _check_limit(meeting, request):
    """At most `speeches_per_item` for/against speeches per person per item (rule 5)."""
    if request.stance not in queue.SIDES:
        return
    limit = meeting.speeches_per_item
    if spoken_counts(request.item)[request.person] < limit:
        return
    if request.added_by is None:
        message = ngettext(
            "You have spoken once on this item, the limit for each person.",
            "You have spoken %(count)d times on this item, the limit for each person.",
            limit,
        )
    else:
        message = ngettext(
            "%(who)s has spoken once on this item, the limit for each person.",
            "%(who)s has spoken %(count)d times on this item, the limit for each person.",
            limit,
        )
    raise ActionError(message % {"count": limit, "who": request.speaker_label})


def _add(meeting, *, household=None, name="", stance, user=None):
    if stance not in Stance.values:
        raise ActionError(_("Choose for, against, question or point of order."))
    item = meeting.current_item
    request = FloorRequest(item=item, household=household, name=name.strip(), stance=stance, added_by=user)
    open_now = item.floor_requests.filter(status__in=[Status.WAITING, Status.SPEAKING])
    if household is not None:
        open_now = open_now.filter(household=household)
    else:
        open_now = open_now.filter(household__isnull=True, name=request.name)
    if open_now.filter(status=Status.SPEAKING).exists():
        raise ActionError(_("You have the floor now."))
    if open_now.exists():
        raise ActionError(_("Already in the queue for this item."))
    _check_limit(meeting, request)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The same phone tapping twice at once: the first request stands.
        raise ActionError(_("Already in the queue for this item.")) from None
    _changed(meeting)
    return request


@transaction.atomic
def request_floor(meeting, household, stance):
    """A resident asks for the floor from their phone."""
    meeting = _locked_live(meeting)
    return _add(meeting, household=household, stance=stance)


@transaction.atomic
def add_speaker(meeting, *, stance, user, household=None, name=""):
    """Staff add someone who raised a hand in the room (a household or a name)."""
    meeting = _locked_live(meeting)
    if household is None and not name.strip():
        raise ActionError(_("Give a household (building-unit-room) or a name."))
    return _add(meeting, household=household, name=name, stance=stance, user=user)


@transaction.atomic
def withdraw(meeting, household):
    """A resident leaves the queue."""
    meeting = _locked_live(meeting)
    request = meeting.current_item.floor_requests.filter(household=household, status=Status.WAITING).first()
    if request is None:
        raise ActionError(_("You are not in the queue."))
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status"])
    _changed(meeting)


@transaction.atomic
def remove_request(meeting, request_id):
    meeting = _locked_live(meeting)
    request = _waiting(meeting, request_id)
    request.status = Status.REMOVED
    request.save(update_fields=["status"])
    _changed(meeting)


@transaction.atomic
def move_request(meeting, request_id, position):
    """The chair's override: put a waiting request at `position` (0 = next).

    A position past the end of the queue means last: the pin is clamped to
    the queue's length, so no stored pin is ever out of the field's range.
    """
    meeting = _locked_live(meeting)
    request = _waiting(meeting, request_id)
    waiting = meeting.current_item.floor_requests.filter(status=Status.WAITING).count()
    request.pin = max(0, min(int(position), waiting - 1))
    request.save(update_fields=["pin"])
    _changed(meeting)


@transaction.atomic
def call_next(meeting):
    """End the current speech, give the floor to the head of the queue."""
    meeting = _locked_live(meeting)
    item, now = meeting.current_item, timezone.now()
    speaking = current_speech(item)
    if speaking:
        speaking.finish(now)
    ordered = ordered_queue(meeting, item)
    called = None
    if ordered:
        called = ordered[0][0]
        called.status, called.started_at = Status.SPEAKING, now
        called.limit_seconds, called.pin = meeting.speech_limit_seconds, None
        called.save(update_fields=["status", "started_at", "limit_seconds", "pin"])
        # Pins are places counted from the head of the queue: everyone moves up one.
        for request, _reason in ordered[1:]:
            if request.pin:
                request.pin -= 1
                request.save(update_fields=["pin"])
    if speaking or called:
        _changed(meeting)
    return called


@transaction.atomic
def end_speech(meeting):
    meeting = _locked_live(meeting)
    speaking = _speaking(meeting)
    speaking.finish()
    _changed(meeting)


@transaction.atomic
def toggle_pause(meeting):
    """Pause the speech clock, or resume it."""
    meeting = _locked_live(meeting)
    speaking = _speaking(meeting)
    now = timezone.now()
    if speaking.paused_at:
        speaking.paused_for += now - speaking.paused_at
        speaking.paused_at = None
    else:
        speaking.paused_at = now
    speaking.save(update_fields=["paused_at", "paused_for"])
    _changed(meeting)
    return speaking


def _waiting(meeting, request_id):
    try:
        return meeting.current_item.floor_requests.get(pk=int(request_id), status=Status.WAITING)
    except (FloorRequest.DoesNotExist, ValueError, TypeError):
        raise ActionError(_("That request is no longer in the queue.")) from None


def _speaking(meeting):
    speaking = current_speech(meeting.current_item)
    if speaking is None:
        raise ActionError(_("Nobody has the floor."))
    return speaking
