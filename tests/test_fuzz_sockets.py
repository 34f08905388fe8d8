"""Junk websocket frames to every audience (issue 10): never an exception
escaping the consumer, never a 1011 close, never a socket left registered.
Apart from the HTTP fuzzing (test_fuzz.py, whose junk and settings these
share) because these tests run outside a database transaction (the
consumer reads from its own threads), and the HTTP ones share one world
inside one."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.asgi import application
from deliberation.realtime import get_hub
from tests.access_world import build_world, client_for, websocket_routes, ws_path
from tests.test_fuzz import FRAME_EXAMPLES, FUZZ, TEXT, WS_PREFERENCE, Long, role_for

# --- Websocket frames ------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
FRAME_TEXTS = [
    Long("[" * 100_000),
    Long('{"a":' * 100_000),
    Long('{"type":"sync","rev":' + "9" * 5000 + "}"),
    Long("9" * 5000),
    Long('{"type":"sync","pad":"' + "x" * 2_000_000 + '"}'),
    '{"type":"sync"}',
    '{"type":"ping"}',
    '{"type":"sync"',
    '{"type":"sync","rev":1e999}',
    '{"type":"sync","rev":-1}',
    '{"type":"sync","rev":true}',
    '{"type":"sync","rev":[1]}',
    "1e999999",
    "-Infinity",
    "NaN",
    "null",
    '""',
    "[]",
    '{"type":null}',
    '{"type":["sync"]}',
    '{"type":{"sync":1}}',
    '{"type":"sync","type":"ping"}',
    "\x00",
    "\ufeff{}",
]


def text_frame(text):
    return {"text": text}


def bytes_frame(data):
    return {"bytes": data}


def json_frame(value):
    return {"text": json.dumps(value)}


FRAMES = st.one_of(
    st.sampled_from(FRAME_TEXTS).map(text_frame),
    TEXT.map(text_frame),
    st.binary(max_size=200).map(bytes_frame),
    JSON.map(json_frame),
    st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(["sync", "ping", "pong", "state", "push"]), JSON), "rev": JSON}
    ).map(json_frame),
)
WS_CASES = [route.name for route in websocket_routes()]


@pytest.fixture
def sockets_world(compound, households, meeting):
    """The world, and the session cookie of the role each audience is fuzzed as."""
    world = build_world(compound, households, meeting)
    cookies = {}
    for case in WS_CASES:
        client = client_for(role_for(case, WS_PREFERENCE), world)
        cookies[case] = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    return world, cookies


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", WS_CASES)
@settings(FUZZ, max_examples=FRAME_EXAMPLES)
@given(frames=st.lists(FRAMES, min_size=1, max_size=4))
async def test_junk_frames(case, frames, sockets_world):
    world, cookies = sockets_world
    headers = [(b"origin", b"http://testserver")]
    if cookies[case]:
        headers.append((b"cookie", f"sessionid={cookies[case]}".encode()))
    registered = _registered()
    communicator = WebsocketCommunicator(application, ws_path(world, case.removeprefix("ws:")), headers=headers)
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    try:
        assert json.loads(await communicator.receive_from(timeout=5))["type"] == "state"
        for frame in frames:
            # Straight to the consumer: send_to() refuses an empty frame.
            await communicator.send_input({"type": "websocket.receive", **frame})
        await _drain(communicator)
    finally:
        await communicator.disconnect()
    assert _registered() == registered, "a closed socket is still registered in the hub"


def _registered():
    """How many sockets the hub of this event loop holds."""
    return sum(len(sockets) for sockets in get_hub().sockets.values())


async def _drain(communicator):
    """Read what the socket answers until it falls quiet. An exception that
    escaped the consumer is raised here (asgiref re-raises it); a close is
    fine unless it is 1011, the close of a server error."""
    while not await communicator.receive_nothing(timeout=0.05):
        message = await communicator.receive_output()
        if message["type"] == "websocket.close":
            assert message.get("code") != 1011, "the consumer closed with 1011 (a server error)"
            return
    if communicator.future.done():
        communicator.future.result()
