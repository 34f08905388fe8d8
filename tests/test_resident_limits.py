"""Limits on what one household's phone can do quickly: vote changes per poll,
floor requests per meeting. Refused before any write: no ballot change, no
receipt, no revision, no push."""

import pytest
from django.urls import reverse

from meetings.actions import join_meeting, open_meeting
from meetings.models import FloorRequest, Meeting
from tests.conftest import join_session
from voting import actions
from voting.models import Ballot, Poll, VoteReceipt


@pytest.fixture
def poll(meeting, facilitator, households):
    open_meeting(meeting)
    for household in households[:2]:
        join_meeting(meeting, household)
    poll = Poll.objects.create(meeting=meeting, title="加装电梯")
    actions.open_poll(poll)
    poll.refresh_from_db()
    return poll


def vote_url(poll):
    return reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})


def revision(meeting):
    return Meeting.objects.values_list("revision", flat=True).get(pk=meeting.pk)


def flip(client, poll, i, key=None, **headers):
    choice = ("for", "against")[i % 2]
    return client.post(vote_url(poll), {"choice": choice, "key": key or f"k{i}"}, **headers)


JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_household_flipping_its_vote_is_told_to_wait(client, poll, households, settings):
    settings.VOTE_CHANGES_PER_WINDOW = 10
    join_session(client, poll.meeting, households[0])
    answers = [flip(client, poll, i, **JSON) for i in range(10)]
    assert all(a.status_code == 200 and a.json()["recorded"] for a in answers)
    before = revision(poll.meeting)
    for i in range(10, 120):
        refused = flip(client, poll, i, **JSON)
        assert refused.status_code == 429
        assert refused.json()["recorded"] is False and "too often" in refused.json()["error"]
        assert int(refused["Retry-After"]) == settings.VOTE_CHANGE_WINDOW
    assert Ballot.objects.get(household=households[0]).choice == "against"  # the 10th vote
    assert VoteReceipt.objects.count() == 10
    assert revision(poll.meeting) == before  # nothing pushed to any screen


def test_the_refusal_is_the_phones_own_vote_line(client, poll, households, settings):
    settings.VOTE_CHANGES_PER_WINDOW = 2
    join_session(client, poll.meeting, households[0])
    flip(client, poll, 0)
    flip(client, poll, 1)
    refused = flip(client, poll, 2, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 200  # htmx swaps 2xx only
    assert 'class="my-vote-line"' in html and "You are changing your vote too often" in html
    assert 'data-choice="against"' in html  # still shows what is recorded


def test_the_limit_is_per_household_and_per_poll(client, poll, households, settings):
    settings.VOTE_CHANGES_PER_WINDOW = 2
    join_session(client, poll.meeting, households[0])
    for i in range(3):
        flip(client, poll, i)
    assert flip(client, poll, 3, **JSON).status_code == 429
    neighbour = type(client)()
    join_session(neighbour, poll.meeting, households[1])
    assert flip(neighbour, poll, 0, **JSON).status_code == 200
    actions.close_poll(poll)
    second = Poll.objects.create(meeting=poll.meeting, title="换物业")
    actions.open_poll(second)
    assert flip(client, second, 0, **JSON).status_code == 200


def test_a_retry_of_a_recorded_vote_is_never_refused(client, poll, households, settings):
    """A phone whose answer got lost sends the same key again: it hears
    "recorded", even past the limit, and nothing changes."""
    settings.VOTE_CHANGES_PER_WINDOW = 3
    join_session(client, poll.meeting, households[0])
    for i in range(3):
        assert flip(client, poll, i, **JSON).status_code == 200
    before = revision(poll.meeting)
    for _ in range(5):
        retry = flip(client, poll, 2, key="k2", **JSON)
        body = retry.json()
        assert body.pop("receipt")  # the answer may have been lost: a fresh receipt code (tests/test_receipts.py)
        assert retry.status_code == 200 and body == {"recorded": True, "poll": poll.pk, "choice": "for"}
    assert VoteReceipt.objects.count() == 3 and revision(poll.meeting) == before
    # A vote that was refused stays refused when retried with its key.
    assert flip(client, poll, 3, key="k3", **JSON).status_code == 429
    assert flip(client, poll, 3, key="k3", **JSON).status_code == 429
    assert Ballot.objects.get(household=households[0]).choice == "for"


def test_floor_request_withdraw_cycles_are_limited(client, room, households, settings):
    settings.FLOOR_REQUESTS_PER_WINDOW = 6
    join_session(client, room, households[0])
    ask = reverse("floor_request", kwargs={"code": room.code})
    withdraw = reverse("floor_withdraw", kwargs={"code": room.code})
    for _ in range(6):
        assert client.post(ask, {"stance": "for"}, HTTP_HX_REQUEST="true").status_code == 204
        assert client.post(withdraw, {}, HTTP_HX_REQUEST="true").status_code == 204
    before = revision(room)
    for _ in range(94):
        refused = client.post(ask, {"stance": "for"}, HTTP_HX_REQUEST="true")
        assert refused["HX-Retarget"] == "#flash"
        assert "asked for the floor too often" in refused.content.decode()
    assert FloorRequest.objects.count() == 6
    assert not FloorRequest.objects.filter(status="waiting").exists()
    assert revision(room) == before


def test_withdrawing_is_never_limited_and_others_may_still_ask(client, room, households, settings):
    settings.FLOOR_REQUESTS_PER_WINDOW = 1
    join_session(client, room, households[0])
    ask = reverse("floor_request", kwargs={"code": room.code})
    assert client.post(ask, {"stance": "for"}, HTTP_HX_REQUEST="true").status_code == 204
    assert "too often" in client.post(ask, {"stance": "for"}, HTTP_HX_REQUEST="true").content.decode()
    withdraw = reverse("floor_withdraw", kwargs={"code": room.code})
    assert client.post(withdraw, {}, HTTP_HX_REQUEST="true").status_code == 204
    neighbour = type(client)()
    join_session(neighbour, room, households[1])
    assert neighbour.post(ask, {"stance": "against"}, HTTP_HX_REQUEST="true").status_code == 204
    # Without htmx: back to the phone page with the message.
    response = client.post(ask, {"stance": "for"}, follow=True)
    assert "too often" in response.content.decode()
