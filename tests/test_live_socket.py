"""The live websocket: access, state on connect, pushes after commits."""

import pytest
from channels.db import database_sync_to_async

from deliberation.realtime import render_panels
from meetings import actions
from meetings.models import Meeting
from tests.live import next_message, open_socket, resident_cookie, staff_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def test_projector_with_key_gets_full_state_on_connect(meeting):
    socket, connected, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    assert connected
    state = await next_message(socket)
    assert state["type"] == "state"
    assert state["rev"] == meeting.revision
    assert set(state["panels"]) == {
        "status",
        "attendance",
        "agenda",
        "speaker",
        "queue",
        "poll",
        "turnout",
        "proposal",
        "amendments",
        "decided",
        "screen",
    }
    assert meeting.title in state["panels"]["status"]
    await socket.disconnect()


async def test_projector_without_key_or_login_is_refused(meeting):
    socket, connected, _ = await open_socket(meeting, "projector", key="wrong")
    assert connected  # accepted only to deliver our close code
    assert (await socket.receive_output(timeout=2))["code"] == 4403


async def test_resident_without_joining_is_refused(meeting):
    socket, connected, _ = await open_socket(meeting, "resident")
    assert (await socket.receive_output(timeout=2))["code"] == 4403


async def test_console_needs_a_role_in_this_compound(meeting, outsider, observer):
    socket, _, _ = await open_socket(meeting, "facilitator", session=await staff_cookie(outsider))
    assert (await socket.receive_output(timeout=2))["code"] == 4403
    socket, connected, _ = await open_socket(meeting, "facilitator", session=await staff_cookie(observer))
    assert (await next_message(socket))["type"] == "state"
    await socket.disconnect()


async def test_foreign_origin_is_rejected(meeting):
    _socket, connected, _ = await open_socket(
        meeting, "projector", key=meeting.projector_key, origin=(b"origin", b"http://evil.example")
    )
    assert not connected


async def test_unknown_meeting_closes_with_not_found(meeting):
    meeting.code = "NOPE9"
    socket, _, _ = await open_socket(meeting, "projector", key="x")
    assert (await socket.receive_output(timeout=2))["code"] == 4404


async def test_a_join_reaches_projector_console_and_phones_as_fresh_panels(meeting, households, facilitator):
    projector, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    console, _, _ = await open_socket(meeting, "facilitator", session=await staff_cookie(facilitator))
    phone, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, households[0]))
    for socket in (projector, console, phone):
        await next_message(socket)  # initial state

    await database_sync_to_async(actions.join_meeting)(meeting, households[1])

    fresh = await database_sync_to_async(Meeting.objects.select_related("compound").get)(pk=meeting.pk)
    pushes = {}
    for socket, audience in ((projector, "projector"), (console, "facilitator"), (phone, "resident")):
        push = pushes[audience] = await next_message(socket)
        assert push["type"] == "push"
        assert push["rev"] == fresh.revision == meeting.revision + 1
        # What was pushed is exactly what a fresh render shows.
        expected = await database_sync_to_async(render_panels)(fresh, audience, "zh-hans", {"attendance", "turnout"})
        assert push["panels"] == expected
    assert 'data-testid="joined-count">1<' in pushes["projector"]["panels"]["attendance"]
    assert "1幢1单元102" in pushes["facilitator"]["panels"]["attendance"]
    assert "1幢1单元102" not in pushes["resident"]["panels"]["attendance"]  # phones never see who joined
    for socket in (projector, console, phone):
        await socket.disconnect()


async def test_joining_twice_pushes_nothing(meeting, households):
    await database_sync_to_async(actions.join_meeting)(meeting, households[0])
    projector, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(projector)
    await database_sync_to_async(actions.join_meeting)(meeting, households[0])
    assert await projector.receive_nothing(timeout=0.3)
    await projector.disconnect()


async def test_sync_request_returns_current_state(meeting, households):
    projector, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(projector)
    await projector.send_json_to({"type": "sync"})
    state = await next_message(projector)
    assert state["type"] == "state" and state["rev"] == meeting.revision
    await projector.send_json_to({"type": "ping"})
    assert (await next_message(projector))["type"] == "pong"
    await projector.send_to(text_data="not json")  # ignored, not fatal
    assert await projector.receive_nothing(timeout=0.2)
    await projector.disconnect()


async def test_english_sockets_get_english_panels(meeting):
    zh, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    en, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key, lang="en")
    assert "households joined" in (await next_message(en))["panels"]["attendance"]
    assert "户已加入" in (await next_message(zh))["panels"]["attendance"]
    await zh.disconnect()
    await en.disconnect()


async def test_a_failed_transaction_pushes_nothing(meeting, households):
    projector, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(projector)

    @database_sync_to_async
    def join_then_fail():
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            actions.join_meeting(meeting, households[2])
            raise RuntimeError("rolled back")

    await join_then_fail()
    assert await projector.receive_nothing(timeout=0.3)
    await projector.disconnect()


async def test_a_floor_request_pushes_fresh_speaker_and_queue_panels(meeting, households, facilitator):
    from meetings import actions

    @database_sync_to_async
    def start_item():
        actions.open_meeting(meeting)
        actions.add_item(meeting, "加装电梯", 20)
        actions.next_item(meeting)

    await start_item()
    phone, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, households[1]))
    console, _, _ = await open_socket(meeting, "facilitator", session=await staff_cookie(facilitator))
    await next_message(phone)
    await next_message(console)

    await database_sync_to_async(actions.request_floor)(meeting, households[0], "against")

    fresh = await database_sync_to_async(Meeting.objects.select_related("compound", "current_item").get)(pk=meeting.pk)
    # The console also gets what the projector shows, which follows the speaker.
    for socket, audience, names in (
        (phone, "resident", {"speaker", "queue"}),
        (console, "facilitator", {"speaker", "queue", "screen"}),
    ):
        push = await next_message(socket)
        assert set(push["panels"]) == names
        expected = await database_sync_to_async(render_panels)(fresh, audience, "zh-hans", names)
        assert push["panels"] == expected
        assert "1幢1单元101" in push["panels"]["queue"]
    await phone.disconnect()
    await console.disconnect()
