"""Live pages' full states shared between requests (deliberation/realtime/states.py):
a room scanning in at once renders the phone page a few times, not once per
join, and never serves a state that misses a change pushed at once."""

from unittest import mock

import pytest

from deliberation.realtime import RESIDENT, states
from deliberation.realtime.hub import _render_state
from meetings import actions
from tests.conftest import join_session
from voting.actions import votes_written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_state_cache")]


@pytest.fixture(autouse=True)
def long_windows(settings):
    """Coalescing windows far longer than a test takes on a loaded machine
    (tests/settings.py makes them a tenth of a second)."""
    settings.REALTIME_COALESCE_SECONDS = settings.REALTIME_RESIDENT_COALESCE_SECONDS = 60


def counting_renders():
    return mock.patch.object(states, "_render", wraps=states._render)


@pytest.fixture
def join(django_capture_on_commit_callbacks):
    """Join as a phone does: the revision moves after the commit."""

    def join(meeting, household):
        with django_capture_on_commit_callbacks(execute=True):
            actions.join_meeting(meeting, household)
        meeting.refresh_from_db()

    return join


def phone_page(client, meeting, household):
    client.cookies.clear()
    join_session(client, meeting, household)
    response = client.get(f"/m/{meeting.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_joins_and_votes_move_the_revision_but_not_the_pushed_revision(room, households, join):
    before = room.revision, room.pushed_revision
    join(room, households[0])
    votes_written([room.pk])  # a batch of phones' votes
    room.refresh_from_db()
    assert room.revision == before[0] + 2 and room.pushed_revision == before[1]
    actions.request_floor(room, households[0], "for")
    room.refresh_from_db()
    assert room.pushed_revision == room.revision == before[0] + 3


def test_a_room_joining_at_once_renders_the_phone_page_once_until_a_change_is_pushed(client, room, households, join):
    with counting_renders() as render:
        for household in households[:8]:
            join(room, household)  # each join is a new revision
            phone_page(client, room, household)
        assert render.call_count == 1
        actions.request_floor(room, households[0], "for")
        room.refresh_from_db()
        page = phone_page(client, room, households[1])
        assert render.call_count == 2  # the queue changed: never served stale
        assert households[0].unit.building.name in page
        assert f'data-rev="{room.revision}"' in page


def test_a_state_behind_the_counts_is_served_only_within_the_coalescing_window(
    client, room, households, settings, join
):
    first = states.state_at(room, RESIDENT, "en")
    join(room, households[0])
    assert states.state_at(room, RESIDENT, "en") is first  # a touch, within the window
    later = first.rendered_at + 60.01
    with mock.patch.object(states.time, "monotonic", return_value=later):
        fresh = states.state_at(room, RESIDENT, "en")
    assert fresh is not first and fresh.revision == room.revision


def test_a_state_is_never_older_than_the_floor_asked_for(room, households, join):
    """The hub asks for no state older than what it sent the socket's group:
    a socket that joins the group after a coalesced push must not miss it."""
    cached_rev, _text = _render_state(room.pk, RESIDENT, "en", floor=-1)
    join(room, households[0])
    assert _render_state(room.pk, RESIDENT, "en", floor=cached_rev)[0] == cached_rev
    assert _render_state(room.pk, RESIDENT, "en", floor=room.revision)[0] == room.revision
    # A resync (no floor) is always the current revision.
    join(room, households[1])
    assert _render_state(room.pk, RESIDENT, "en")[0] == room.revision


def test_a_poll_holding_the_state_served_gets_304_while_only_counts_moved(client, room, households, join):
    join_session(client, room, households[0])
    url = f"/live/m/{room.code}/resident/?lang=en"
    served = client.get(url).json()["rev"]
    join(room, households[1])
    assert room.revision > served
    assert client.get(f"{url}&rev={served}").status_code == 304
    actions.request_floor(room, households[0], "for")
    room.refresh_from_db()
    answer = client.get(f"{url}&rev={served}")
    assert answer.status_code == 200 and answer.json()["rev"] == room.revision


def test_the_phone_page_under_an_open_poll_reads_the_meeting_once(client, poll, meeting, households):
    """Every phone loads it as it joins: the vote line's address is made from
    the page's meeting, not from a second read of it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    join_session(client, meeting, households[0])
    with CaptureQueriesContext(connection) as reads:
        page = client.get(f"/m/{meeting.code}/").content.decode()
    assert f"/m/{meeting.code}/vote/{poll.pk}/" in page
    assert sum('FROM "meetings_meeting"' in q["sql"] for q in reads.captured_queries) == 1
