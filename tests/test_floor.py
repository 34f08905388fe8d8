"""Agenda and speaker-queue actions: rules, limits, timer, and what they push."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation import realtime
from deliberation.realtime import writes
from meetings import actions, floor
from meetings.actions import ActionError, open_meeting
from meetings.models import FloorRequest, Meeting

Status = FloorRequest.Status
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def pushed(monkeypatch):
    """The panel names each committed action pushes, in order."""
    names = []
    real_push = writes.push

    def record(meeting_id, panel_names):
        names.append(set(panel_names))
        real_push(meeting_id, panel_names)

    monkeypatch.setattr(writes, "push", record)
    return names


@pytest.fixture
def room(meeting, facilitator, django_capture_on_commit_callbacks):
    """A live meeting whose first of two items is under discussion."""
    with django_capture_on_commit_callbacks(execute=True):
        open_meeting(meeting)
        first = actions.add_item(meeting, "加装电梯", 20)
        actions.add_item(meeting, "自行车棚", 15)
        actions.next_item(meeting)
    meeting.refresh_from_db()
    assert meeting.current_item == first
    return meeting


def run(callbacks, action, *args, **kwargs):
    with callbacks(execute=True):
        return action(*args, **kwargs)


def test_asking_for_the_floor_queues_and_pushes_speaker_and_queue(
    room, households, pushed, django_capture_on_commit_callbacks
):
    before = room.revision
    request = run(django_capture_on_commit_callbacks, actions.request_floor, room, households[0], "for")
    assert request.status == Status.WAITING
    # With them what the projector shows, which follows the speaker (meetings/panels.py).
    assert pushed == [{"speaker", "queue", "screen"}]
    room.refresh_from_db()
    assert room.revision == before + 1


def test_one_open_request_per_household(room, households):
    actions.request_floor(room, households[0], "for")
    with pytest.raises(ActionError, match="Already in the queue"):
        actions.request_floor(room, households[0], "against")


def test_the_database_allows_one_open_request_and_one_speaker(room, households):
    item = room.current_item
    FloorRequest.objects.create(item=item, household=households[0], stance="for")
    with pytest.raises(IntegrityError), transaction.atomic():
        FloorRequest.objects.create(item=item, household=households[0], stance="against")
    FloorRequest.objects.create(item=item, household=households[1], stance="for", status=Status.SPEAKING)
    with pytest.raises(IntegrityError), transaction.atomic():
        FloorRequest.objects.create(item=item, household=households[2], stance="for", status=Status.SPEAKING)


def test_rule_5_two_speeches_per_person_per_item(room, households):
    """南塘 rule 5: at most two speeches per person per motion (a setting)."""
    for _ in range(2):
        actions.request_floor(room, households[0], "for")
        actions.call_next(room)
        actions.end_speech(room)
    with pytest.raises(ActionError) as refused:
        actions.request_floor(room, households[0], "against")
    assert "spoken 2 times on this item" in str(refused.value)
    # Questions and points of order are not speeches on the motion.
    actions.request_floor(room, households[0], "order")


def test_the_limit_is_the_meetings_setting(room, households):
    Meeting.objects.filter(pk=room.pk).update(speeches_per_item=1)
    room.refresh_from_db()
    actions.request_floor(room, households[0], "for")
    actions.call_next(room)
    actions.end_speech(room)
    with pytest.raises(ActionError, match="spoken once"):
        actions.request_floor(room, households[0], "for")


def test_staff_added_names_count_against_the_limit_by_name(room, facilitator):
    for _ in range(2):
        actions.add_speaker(room, stance="for", user=facilitator, name="王阿姨")
        actions.call_next(room)
        actions.end_speech(room)
    with pytest.raises(ActionError, match="王阿姨 has spoken 2 times"):
        actions.add_speaker(room, stance="against", user=facilitator, name=" 王阿姨 ")


def test_no_queue_before_the_meeting_is_live_or_without_an_item(meeting, households, facilitator):
    with pytest.raises(ActionError, match="not in session"):
        actions.request_floor(meeting, households[0], "for")
    open_meeting(meeting)
    with pytest.raises(ActionError, match="No agenda item"):
        actions.request_floor(meeting, households[0], "for")


def test_unknown_stance_is_refused(room, households):
    with pytest.raises(ActionError, match="Choose for, against"):
        actions.request_floor(room, households[0], "maybe")


def test_call_next_follows_the_rules_and_ends_the_previous_speech(room, households):
    a, b, c, d = households[:4]
    actions.request_floor(room, a, "for")
    actions.request_floor(room, b, "for")
    actions.request_floor(room, c, "against")
    actions.request_floor(room, d, "order")
    assert [r.household for r, _ in floor.ordered_queue(room)] == [d, a, c, b]
    first = actions.call_next(room)
    assert first.household == d and first.started_at and first.limit_seconds == room.speech_limit_seconds
    second = actions.call_next(room)
    first.refresh_from_db()
    assert first.status == Status.DONE and first.ended_at
    assert second.household == a
    assert actions.call_next(room).household == c  # alternates after a "for"
    assert actions.call_next(room).household == b
    assert actions.call_next(room) is None
    assert floor.current_speech(room.current_item) is None


def test_the_chairs_move_pins_and_pins_move_up_as_speakers_are_called(room, households):
    a, b, c = households[:3]
    for household in (a, b, c):
        actions.request_floor(room, household, "question")
    c_request = FloorRequest.objects.get(household=c)
    actions.move_request(room, c_request.pk, 0)
    assert [r.household for r, _ in floor.ordered_queue(room)] == [c, a, b]
    assert floor.ordered_queue(room)[0][1] == "moved_by_chair"
    b_request = FloorRequest.objects.get(household=b)
    actions.move_request(room, b_request.pk, 1)
    actions.call_next(room)  # c
    b_request.refresh_from_db()
    assert b_request.pin == 0
    assert [r.household for r, _ in floor.ordered_queue(room)] == [b, a]


def test_withdraw_and_remove(room, households):
    actions.request_floor(room, households[0], "for")
    request = actions.request_floor(room, households[1], "for")
    actions.withdraw(room, households[0])
    actions.remove_request(room, request.pk)
    assert floor.ordered_queue(room) == []
    with pytest.raises(ActionError, match="not in the queue"):
        actions.withdraw(room, households[0])
    with pytest.raises(ActionError, match="no longer in the queue"):
        actions.remove_request(room, request.pk)


def test_the_timer_is_stored_and_pauses_exclude_time(room, households, monkeypatch):
    actions.request_floor(room, households[0], "for")
    start = timezone.now()
    clock = iter([start, start + timedelta(seconds=50), start + timedelta(seconds=80)])
    monkeypatch.setattr(timezone, "now", lambda: next(clock))
    speech = actions.call_next(room)  # starts at `start`
    speech = actions.toggle_pause(room)  # paused at +50 s
    assert speech.spoken_seconds() == 50
    speech = actions.toggle_pause(room)  # resumed at +80 s: 30 s of pause
    assert speech.paused_for == timedelta(seconds=30)
    assert speech.clock_start == start + timedelta(seconds=30)


def test_agenda_items_keep_their_time_across_switches(room):
    first, second = room.items.order_by("position")
    first.refresh_from_db()
    assert first.started_at is not None
    actions.next_item(room)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done and first.started_at is None and first.elapsed_before > timedelta(0)
    assert second.started_at is not None
    actions.start_item(room, first.pk)  # back to the first: its time goes on
    first.refresh_from_db()
    assert first.started_at is not None and not first.done


def test_changing_items_ends_the_current_speech(room, households):
    actions.request_floor(room, households[0], "for")
    speech = actions.call_next(room)
    actions.next_item(room)
    speech.refresh_from_db()
    assert speech.status == Status.DONE


def test_agenda_reorder_and_delete(room):
    first, second = room.items.order_by("position")
    actions.move_item(room, second.pk, -1)
    assert list(room.items.order_by("position")) == [second, first]
    with pytest.raises(ActionError, match="stays on the agenda"):
        actions.delete_item(room, first.pk)  # under discussion
    actions.delete_item(room, second.pk)
    assert list(room.items.all()) == [first]


def test_agenda_changes_push_the_agenda(room, pushed, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks, actions.add_item, room, "绿化", 10)
    run(django_capture_on_commit_callbacks, actions.next_item, room)
    # A new current item changes what every panel following it shows (the
    # proposal debated on it too): all of them are pushed.
    assert pushed[0] == {"agenda", "screen"}
    assert {"agenda", "speaker", "queue", "proposal", "amendments", "screen"} <= pushed[1]


def test_a_refused_action_pushes_nothing(room, households, pushed, django_capture_on_commit_callbacks):
    with pytest.raises(ActionError), django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(room, households[0])
    assert pushed == []


def test_a_push_reads_the_queue_once_and_renders_each_audience_in_each_language(
    room, households, monkeypatch, django_capture_on_commit_callbacks, every_page_open
):
    run(django_capture_on_commit_callbacks, actions.request_floor, room, households[0], "for")
    run(django_capture_on_commit_callbacks, actions.request_floor, room, households[1], "against")
    reads, sent = [], []
    real_floor_of = floor.floor_of
    monkeypatch.setattr(floor, "floor_of", lambda item: reads.append(1) or real_floor_of(item))
    monkeypatch.setattr(writes, "_send", lambda group, message: sent.append((group, message)))
    realtime.push(room.pk, {"speaker", "queue"})
    assert len(reads) == 1  # not once per audience, nor per panel
    assert len(sent) == 1  # one message for every page
    ((group, message),) = sent
    assert group == realtime.meeting_group(room.pk)
    assert len(message["panels"]) == len(realtime.AUDIENCES) * len(realtime.languages())
    queues = {
        name.rsplit(".", 1)[1]: panels["queue"] for name, panels in message["panels"].items() if ".facilitator." in name
    }
    # One context, two languages: each rendered in its own.
    assert "first come" in queues["en"] and "按先后顺序" in queues["zh-hans"]
    assert "按先后顺序" not in queues["en"]


def test_outside_a_push_a_shared_read_is_read_each_time():
    reads = []
    for _ in range(2):
        realtime.once_per_render("queue", lambda: reads.append(1))
    assert len(reads) == 2
