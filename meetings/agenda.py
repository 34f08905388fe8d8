"""Agenda actions: add, edit, reorder, and move through the items.

Each commits, then pushes the agenda (and, when the current item changes,
the speaker and queue panels) after commit.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.realtime import broadcast_on_commit, bump
from meetings.actions import ActionError
from meetings.models import AgendaItem, FloorRequest, Meeting

ROOM_PANELS = ("agenda", "speaker", "queue")


def _locked(meeting):
    """The meeting row, locked: agenda and queue changes of one meeting queue up."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _changed(meeting, panels=("agenda",)):
    bump(meeting.pk)
    broadcast_on_commit(meeting.pk, panels)


def _check_open(meeting):
    if meeting.status == Meeting.Status.CLOSED:
        raise ActionError(_("This meeting is closed."))


@transaction.atomic
def add_item(meeting, title, planned_minutes, description=""):
    meeting = _locked(meeting)
    _check_open(meeting)
    last = meeting.items.aggregate(last=Max("position"))["last"]
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=title,
        planned_minutes=planned_minutes,
        description=description,
        position=0 if last is None else last + 1,
    )
    _changed(meeting)
    return item


@transaction.atomic
def update_item(meeting, item_id, title, planned_minutes, description=""):
    meeting = _locked(meeting)
    _check_open(meeting)
    item = _item(meeting, item_id)
    item.title, item.planned_minutes, item.description = title, planned_minutes, description
    item.save(update_fields=["title", "planned_minutes", "description"])
    _changed(meeting)
    return item


@transaction.atomic
def move_item(meeting, item_id, delta):
    """Move an item up (delta -1) or down (+1) the agenda."""
    meeting = _locked(meeting)
    _check_open(meeting)
    items = list(meeting.items.order_by("position", "id"))
    item_pk = _pk(item_id)
    index = next((i for i, item in enumerate(items) if item.pk == item_pk), None)
    if index is None:
        raise ActionError(_("That agenda item no longer exists."))
    target = max(0, min(len(items) - 1, index + delta))
    items.insert(target, items.pop(index))
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _changed(meeting)


@transaction.atomic
def delete_item(meeting, item_id):
    meeting = _locked(meeting)
    _check_open(meeting)
    item = _item(meeting, item_id)
    if meeting.current_item_id == item.pk or item.started_at or item.elapsed_before:
        raise ActionError(_("An item that has been discussed stays on the agenda (it is part of the record)."))
    if item.floor_requests.exists():
        raise ActionError(_("Someone has asked for the floor on this item; it stays on the agenda."))
    item.delete()
    _changed(meeting)


@transaction.atomic
def start_item(meeting, item_id):
    """Make an item the one under discussion (also to go back to one)."""
    meeting = _locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("Open the meeting first."))
    item = _item(meeting, item_id)
    if meeting.current_item_id != item.pk:
        _leave_current(meeting)
        item.started_at, item.done = timezone.now(), False
        item.save(update_fields=["started_at", "done"])
        meeting.current_item = item
        meeting.save(update_fields=["current_item"])
        _changed(meeting, ROOM_PANELS)
    return item


@transaction.atomic
def next_item(meeting):
    """Close the current item and open the next one not yet done."""
    meeting = _locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("Open the meeting first."))
    items = list(meeting.items.order_by("position", "id"))
    current = next((i for i, item in enumerate(items) if item.pk == meeting.current_item_id), -1)
    upcoming = [item for item in items[current + 1 :] if not item.done]
    _leave_current(meeting)
    if upcoming:
        item = upcoming[0]
        item.started_at, item.done = timezone.now(), False
        item.save(update_fields=["started_at", "done"])
        meeting.current_item = item
    else:
        meeting.current_item = None
    meeting.save(update_fields=["current_item"])
    _changed(meeting, ROOM_PANELS)
    return meeting.current_item


def _leave_current(meeting):
    """Stop the clock of the current item and end its speech, if any."""
    item = meeting.current_item
    if item is None:
        return
    now = timezone.now()
    if item.started_at:
        item.elapsed_before += now - item.started_at
        item.started_at = None
    item.done = True
    item.save(update_fields=["elapsed_before", "started_at", "done"])
    speaking = item.floor_requests.filter(status=FloorRequest.Status.SPEAKING).first()
    if speaking:
        speaking.finish(now)


def _pk(value):
    """A posted id as an int, or None for anything else (junk never reaches a query)."""
    try:
        return int(value)
    except (ValueError, TypeError):
        return None


def _item(meeting, item_id):
    try:
        return meeting.items.get(pk=_pk(item_id))
    except AgendaItem.DoesNotExist:
        raise ActionError(_("That agenda item no longer exists.")) from None


@transaction.atomic
def save_meeting(form):
    """Save the meeting's details and procedure; screens show the new title."""
    meeting = form.save()
    bump(meeting.pk)
    broadcast_on_commit(meeting.pk, ("status", "agenda", "queue"))
    return meeting
