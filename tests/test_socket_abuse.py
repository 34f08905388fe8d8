"""The live websocket under junk and floods: never a traceback, never a
socket left in the hub, and a flood of "sync" costs a few small messages."""

import asyncio
import contextlib
import json
import time

import pytest
from channels.db import database_sync_to_async

from deliberation.realtime import get_hub
from meetings import actions, consumers
from tests.live import next_message, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

JUNK = [
    "[" * 100_000,  # RecursionError in json.loads, were it parsed
    "[" * 1020,  # under the size limit, still too deep for json
    "{" * 1000,
    '{"type": ' + "[" * 1000 + "]" * 1000 + "}",
    "not json",
    "",
    "null",
    '"sync"',
    "[1, 2, 3]",
    '{"type": {"nested": "dict"}}',
    '{"type": "sync", "rev": "NaN"}',
    '{"type": "sync", "rev": [1]}',
    '{"type": "unknown"}',
    "\ud800",
    "x" * 5000,
]


async def members():
    """Sockets in this loop's hub once any teardown has run."""
    await asyncio.sleep(0)
    return sum(len(sockets) for sockets in get_hub().sockets.values())


async def drain(socket, quiet=0.3):
    """Every message until the socket is quiet for `quiet` seconds."""
    received = []
    while not await socket.receive_nothing(timeout=quiet):
        received.append(json.loads(await socket.receive_from()))
    return received


async def test_junk_frames_are_ignored_and_the_socket_keeps_serving(meeting):
    socket, connected, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    assert connected
    await next_message(socket)
    for frame in JUNK:
        await socket.send_input({"type": "websocket.receive", "text": frame})
    await socket.send_input({"type": "websocket.receive", "bytes": b"[" * 10_000})
    await socket.send_input({"type": "websocket.receive", "text": None, "bytes": None})
    assert await socket.receive_nothing(timeout=0.2)  # nothing answered, nothing crashed
    await socket.send_json_to({"type": "ping"})
    assert (await next_message(socket))["type"] == "pong"
    assert await members() == 1
    await socket.disconnect()
    assert await members() == 0


def test_parse_frame_never_raises():
    for frame in [*JUNK, None, b"{}", 12]:
        assert consumers.parse_frame(frame) is None or isinstance(consumers.parse_frame(frame), dict)
    assert consumers.parse_frame('{"type": "sync", "rev": 3}') == {"type": "sync", "rev": 3}
    assert consumers.parse_frame("[" * 1020) is None


async def test_a_refused_socket_is_never_in_the_hub(meeting):
    socket, _, _ = await open_socket(meeting, "projector", key="wrong")
    assert (await socket.receive_output(timeout=2))["code"] == 4403
    await socket.send_json_to({"type": "sync"})
    await socket.disconnect()
    assert await members() == 0


async def test_an_error_while_sending_the_first_state_leaves_the_hub(meeting, monkeypatch):
    @database_sync_to_async
    def broken(meeting_id):
        raise RuntimeError("database went away")

    monkeypatch.setattr(consumers, "_current_revision", broken)
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(socket.future, 3)
    assert await members() == 0


async def test_a_cancelled_consumer_leaves_the_hub(meeting):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(socket)
    other, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(other)
    assert await members() == 2
    for communicator in (socket, other):
        # What the server does to an application that does not finish in time.
        communicator.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await communicator.future
    assert await members() == 0
    assert not get_hub().groups  # the last socket took its group's subscription along


async def test_a_socket_closed_by_the_server_leaves_the_hub(meeting):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(socket)
    (consumer,) = [s for group in get_hub().sockets.values() for s in group]
    await consumer.close(code=4403)
    assert (await socket.receive_output(timeout=2))["type"] == "websocket.close"
    await socket.disconnect()
    assert await members() == 0


@pytest.fixture
def sync_interval(settings):
    settings.REALTIME_SYNC_SECONDS = 0.3
    return 0.3


async def flood(socket, frame, n=5000):
    started = time.monotonic()
    text = json.dumps(frame)
    for _ in range(n):
        await socket.send_to(text_data=text)
    received = await drain(socket, quiet=0.6)
    return received, time.monotonic() - started


async def test_a_flood_of_old_style_syncs_gets_one_state_per_interval(meeting, sync_interval):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    first = await next_message(socket)
    received, elapsed = await flood(socket, {"type": "sync"})
    states = [m for m in received if m["type"] == "state"]
    assert 1 <= len(states) <= elapsed / sync_interval + 2
    assert len(received) == len(states)
    assert sum(len(json.dumps(m)) for m in received) <= (elapsed / sync_interval + 2) * len(json.dumps(first))
    await socket.disconnect()
    assert await members() == 0


async def test_a_flood_of_syncs_at_the_current_revision_gets_tiny_answers(meeting, sync_interval):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    state = await next_message(socket)
    received, elapsed = await flood(socket, {"type": "sync", "rev": state["rev"]})
    assert received and all(m == {"type": "uptodate", "rev": state["rev"], "now": m["now"]} for m in received)
    assert len(received) <= elapsed / sync_interval + 2
    await socket.disconnect()


async def test_a_resync_after_a_change_gets_the_new_state(meeting, households, sync_interval):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    state = await next_message(socket)
    await socket.send_json_to({"type": "sync", "rev": state["rev"]})
    assert (await next_message(socket))["type"] == "uptodate"  # at the end of the interval

    await database_sync_to_async(actions.join_meeting)(meeting, households[0])
    push = await next_message(socket)
    assert push["type"] == "push" and push["rev"] == state["rev"] + 1
    # The page has the push: nothing more to send.
    await socket.send_json_to({"type": "sync", "rev": push["rev"]})
    assert await next_message(socket) == {"type": "uptodate", "rev": push["rev"], "now": pytest.approx(0, abs=1e13)}
    # A page that says it has less (it reloaded its panels from an older
    # render, say) gets the whole state at the current revision.
    await socket.send_json_to({"type": "sync", "rev": state["rev"]})
    fresh = await next_message(socket)
    assert fresh["type"] == "state" and fresh["rev"] == push["rev"]
    await socket.disconnect()


async def test_pings_are_answered_at_most_once_per_interval(meeting, sync_interval):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(socket)
    received, elapsed = await flood(socket, {"type": "ping"}, n=2000)
    assert 1 <= len(received) <= elapsed / sync_interval + 2
    assert {m["type"] for m in received} == {"pong"}
    await socket.disconnect()


async def test_a_socket_that_leaves_with_a_sync_pending_is_forgotten_quietly(meeting, sync_interval):
    socket, _, _ = await open_socket(meeting, "projector", key=meeting.projector_key)
    await next_message(socket)
    await socket.send_json_to({"type": "sync"})  # due at the end of the interval
    await socket.disconnect()
    assert await members() == 0
    await asyncio.sleep(sync_interval + 0.1)  # the cancelled answer does not run
    assert await members() == 0
