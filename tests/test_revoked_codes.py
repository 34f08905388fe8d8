"""A revoked or re-issued household code ends the sessions that joined with it
(issue 10): the phone can no longer vote, see the room, open its socket, or
read a certificate, and a live socket of that code is closed."""

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from compounds.actions import reissue_code, revoke_code
from meetings import access
from meetings.actions import open_meeting
from tests.live import next_message, open_socket
from voting import actions
from voting.models import Ballot, Poll


def join_with_code(client, meeting, code):
    """The real join flow: the household code typed on the meeting's page."""
    response = client.post(reverse("join", kwargs={"code": meeting.code}), {"code": code})
    assert response.status_code == 302
    return client


@pytest.fixture
def live_poll(meeting, facilitator, households):
    open_meeting(meeting)
    poll = Poll.objects.create(meeting=meeting, title="加装电梯", scope=Poll.Scope.COMPOUND)
    actions.open_poll(poll)
    return poll


def vote(client, poll, key):
    url = reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})
    return client.post(url, {"choice": "for", "key": key}, HTTP_ACCEPT="application/json")


@pytest.mark.parametrize("how", [revoke_code, reissue_code])
def test_a_revoked_code_can_no_longer_vote_or_see_the_room(client, live_poll, households, codes, facilitator, how):
    household = households[0]
    join_with_code(client, live_poll.meeting, codes[household])
    assert vote(client, live_poll, "k1").status_code == 200
    how(household, facilitator)

    refused = vote(client, live_poll, "k2")
    assert refused.status_code == 403 and "Join the meeting first" in refused.json()["error"]
    assert Ballot.objects.get(poll=live_poll).cast_at  # the vote before the revocation stands
    page = client.get(reverse("join", kwargs={"code": live_poll.meeting.code}))
    assert 'name="code"' in page.content.decode()  # the join form, not the room
    assert "The code this phone joined with is no longer valid" in page.content.decode()


def test_the_new_code_joins_again(client, live_poll, households, codes, facilitator):
    household = households[0]
    join_with_code(client, live_poll.meeting, codes[household])
    new = reissue_code(household, facilitator)
    join_with_code(client, live_poll.meeting, new.code)
    assert vote(client, live_poll, "k3").status_code == 200


def test_a_session_from_before_codes_were_kept_is_no_join(client, live_poll, households):
    session = client.session
    session[access.join_key(live_poll.meeting_id)] = households[0].pk  # the old format: a bare household id
    session.save()
    assert vote(client, live_poll, "k").status_code == 403


@pytest.mark.django_db(transaction=True)
async def test_a_revoked_codes_socket_is_refused_and_a_live_one_closed(meeting, households, codes, facilitator):
    from tests.live import resident_cookie

    household = households[0]
    cookie = await resident_cookie(meeting, household)
    socket, connected, _ = await open_socket(meeting, "resident", session=cookie)
    assert connected and (await next_message(socket))["type"] == "state"
    other, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, households[1]))
    assert (await next_message(other))["type"] == "state"

    await database_sync_to_async(revoke_code)(household, facilitator)
    assert (await socket.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4403}
    assert await other.receive_nothing(timeout=0.2)  # another household's phone stays

    again, _, _ = await open_socket(meeting, "resident", session=cookie)
    assert (await again.receive_output(timeout=2))["code"] == 4403
    await other.disconnect()


# --- The certificate ------------------------------------------------------------


@pytest.fixture
def closed_poll(live_poll, households):
    for household, choice in zip(households[:3], ["for", "for", "against"], strict=True):
        actions.cast(live_poll, household, choice)
    return actions.close_poll(live_poll)


def cert(client, poll, fmt=""):
    return client.get(reverse("certificate", kwargs={"poll_id": poll.pk}) + fmt)


def test_residents_read_a_certificate_only_once_the_result_is_revealed(client, closed_poll, households, codes):
    join_with_code(client, closed_poll.meeting, codes[households[0]])
    assert cert(client, closed_poll).status_code == 403
    assert cert(client, closed_poll, "?format=json").status_code == 403
    actions.reveal(closed_poll)
    assert cert(client, closed_poll).status_code == 200


def test_a_revoked_or_retired_household_cannot_read_the_certificate(
    client, closed_poll, households, codes, facilitator
):
    actions.reveal(closed_poll)
    join_with_code(client, closed_poll.meeting, codes[households[0]])
    assert cert(client, closed_poll).status_code == 200
    revoke_code(households[0], facilitator)
    assert cert(client, closed_poll).status_code in (302, 403, 404)

    fresh = reissue_code(households[0], facilitator)
    join_with_code(client, closed_poll.meeting, fresh.code)
    assert cert(client, closed_poll).status_code == 200
    type(households[0]).objects.filter(pk=households[0].pk).update(is_active=False)
    assert cert(client, closed_poll).status_code in (302, 403, 404)


def test_residents_see_a_secret_polls_totals_but_not_who_took_part(client, meeting, facilitator, households, codes):
    open_meeting(meeting)
    poll = Poll.objects.create(meeting=meeting, title="选举", scope=Poll.Scope.COMPOUND, secret=True)
    actions.open_poll(poll)
    for household in households[:3]:
        actions.cast(poll, household, "for")
    actions.reveal(actions.close_poll(poll))
    join_with_code(client, meeting, codes[households[5]])
    page = cert(client, poll).content.decode()
    assert households[0].label not in page and "took part is kept by staff" in page
    assert "participants" not in cert(client, poll, "?format=json").json()

    client.force_login(facilitator)
    assert households[0].label in cert(client, poll).content.decode()


@pytest.mark.django_db(transaction=True)
async def test_a_household_retired_by_a_roster_import_has_its_live_page_closed(meeting, households):
    """The roster says 1幢1单元101 is gone: its phone's page closes, the others stay."""
    from compounds.actions import import_roster
    from tests.live import resident_cookie

    gone, stays = households[0], households[1]
    socket, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, gone))
    other, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, stays))
    assert (await next_message(socket))["type"] == "state" and (await next_message(other))["type"] == "state"

    header = "楼栋,单元,室号,类型,专有面积,面积来源,业主姓名,证件号后六位,联系电话,备注"
    rows = [
        f"{h.unit.building.name},{h.unit.name},{h.room},住宅,80.50,,{h.owner_names},,,"
        for h in await database_sync_to_async(list)(
            type(gone)
            .objects.filter(compound=meeting.compound, kind="residence")
            .exclude(pk=gone.pk)
            .select_related("unit__building")
        )
    ]
    data = "\n".join([header, *rows]).encode()
    report = await database_sync_to_async(import_roster)(meeting.compound.name, data, "roster.csv")
    assert report.retired >= 1
    assert (await socket.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4403}
    seen = []
    while not await other.receive_nothing(timeout=0.3):
        seen.append((await other.receive_output())["type"])
    assert "websocket.close" not in seen  # the household still on the roster stays
    await other.disconnect()
