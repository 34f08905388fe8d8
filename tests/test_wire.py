"""deliberation/wire.py: pushes framed once and written to Daphne's connections."""

import inspect
import json
import logging
from functools import partial

import pytest
from channels.layers import InMemoryChannelLayer
from channels.sessions import InstanceSessionWrapper
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol

from deliberation import wire
from deliberation.realtime import Hub, group_name


@pytest.fixture(autouse=True)
def _checks_forgotten():
    """Each test meets protocol and transport classes for the first time."""
    wire._protocol_ok.clear()
    wire._transport_ok.clear()
    yield
    wire._protocol_ok.clear()
    wire._transport_ok.clear()


def test_daphne_still_hands_consumers_its_protocol_through_send():
    """The fast path rests on this line of Daphne; an upgrade that changes it
    must fail here rather than quietly fall back to the slow path."""
    assert "send=partial(self.handle_reply, protocol)" in inspect.getsource(Server.create_application)


def test_the_protocol_is_found_behind_channels_session_wrapper(settings):
    server = Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"], signal_handlers=False)
    protocol = WebSocketProtocol()
    protocol.state, protocol._perMessageCompress = protocol.STATE_OPEN, None  # as autobahn's connectionMade
    send = InstanceSessionWrapper({"cookies": {}}, _daphne_send(server, protocol)).send
    assert wire.protocol_of(send) is protocol


def test_any_other_send_is_not_mistaken_for_a_connection():
    async def send(message):
        pass

    assert wire.protocol_of(send) is None
    assert wire.protocol_of(InstanceSessionWrapper({"cookies": {}}, send).send) is None


def test_a_frame_is_written_only_to_an_open_connection():
    written = []
    protocol = WebSocketProtocol()
    protocol.sendData = written.append
    frame = wire.prepare('{"type":"push","panels":{"q":"排队"}}')
    protocol.state = protocol.STATE_CLOSED
    assert wire.write(protocol, frame) is False and written == []
    protocol.state = protocol.STATE_OPEN
    protocol._perMessageCompress = None
    assert wire.write(protocol, frame) is True
    payload = '{"type":"push","panels":{"q":"排队"}}'.encode()
    assert written == [bytes([0x81, len(payload)]) + payload]  # one final text frame, unmasked


def _daphne_send(server, protocol):
    from functools import partial

    return partial(server.handle_reply, protocol)


class _Reactor:
    """Records what Twisted asks the event loop to watch."""

    def __init__(self):
        self.writers = []

    def addWriter(self, transport):
        if transport not in self.writers:  # a watch is on or off, as epoll's
            self.writers.append(transport)

    def removeWriter(self, transport):
        if transport in self.writers:
            self.writers.remove(transport)


def _open_protocol():
    """A websocket protocol on a real TCP-like connection (a socket pair)."""
    import socket

    from twisted.internet import tcp

    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    protocol = WebSocketProtocol()
    protocol.state, protocol._perMessageCompress, protocol.send_queue = protocol.STATE_OPEN, None, []
    reactor = _Reactor()
    protocol.transport = tcp.Connection(ours, protocol, reactor)
    protocol.transport.connected = True
    protocol.sendData = protocol.transport.write  # autobahn's, less its logging and statistics
    return protocol, reactor, theirs


def _received(sock, most=1 << 30):
    sock.setblocking(False)
    chunks, size = [], 0
    try:
        while size < most and (chunk := sock.recv(min(1 << 20, most - size))):
            chunks.append(chunk)
            size += len(chunk)
    except BlockingIOError:
        pass
    return b"".join(chunks)


def test_a_frame_goes_straight_to_an_idle_socket():
    """No queue and no write watch (two epoll changes and a loop turn saved)."""
    protocol, reactor, theirs = _open_protocol()
    frame = wire.prepare("排队 " * 100)
    assert wire.write(protocol, frame) is True
    assert reactor.writers == []
    assert _received(theirs) == frame.payloadHybi


def test_frames_behind_a_full_socket_wait_in_twisteds_queue_in_order():
    """A slow phone: what does not fit is queued, and so is every frame after
    it until the queue drains, so nothing overtakes."""
    protocol, reactor, theirs = _open_protocol()
    frames = [wire.prepare(f"{n}:" + "x" * 3000) for n in range(200)]
    got = b""
    for frame in frames:
        wire.write(protocol, frame)
        # The phone reads on, slower than frames come, so the socket fills
        # and then has room again before Twisted's next turn: a frame written
        # straight then would overtake the queue.
        got += _received(theirs, most=1000)
    assert reactor.writers == [protocol.transport]  # Twisted watches for room
    while reactor.writers:  # the event loop's turns, writing as room appears
        protocol.transport.doWrite()
        got += _received(theirs)
    assert got == b"".join(frame.payloadHybi for frame in frames)
    wire.write(protocol, wire.prepare("after"))  # drained: straight again
    assert reactor.writers == [] and _received(theirs) == wire.prepare("after").payloadHybi


def test_twisted_still_keeps_its_write_queue_where_the_direct_path_looks():
    """The direct path reads these to know nothing is queued; a Twisted that
    renames them must fail here, not write out of order."""
    from twisted.internet import abstract, tcp

    source = inspect.getsource(abstract.FileDescriptor)
    assert "self._tempDataBuffer" in source and "self.dataBuffer" in source and "self.offset" in source
    assert hasattr(tcp.Connection, "writeSomeData") and tcp.Connection.TLS is False


# --- Fallbacks: autobahn or Twisted without what the direct path reads ----------


class _StubProtocol:
    """A Daphne protocol from an autobahn that renamed what `write` reads
    (`state`, `_perMessageCompress`): it still has `sendPreparedMessage`."""

    def __init__(self):
        self.frames = []

    def sendPreparedMessage(self, frame):
        self.frames.append(frame)


class _Socket:
    """A consumer as the hub sees it: `protocol` from `wire.protocol_of` at
    connect, and its own send (the channels path)."""

    def __init__(self, protocol):
        self.protocol = protocol
        self.received = []

    async def send_text(self, text):
        message = json.loads(text)
        message.pop("now")
        self.received.append(message)


def _server():
    return Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"], signal_handlers=False)


def test_a_protocol_without_what_write_reads_is_not_used_and_one_warning_says_so(caplog):
    server = _server()
    with caplog.at_level(logging.WARNING, logger="deliberation.wire"):
        found = [wire.protocol_of(partial(server.handle_reply, _StubProtocol())) for _ in range(3)]
    assert found == [None, None, None]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "state" in warnings[0].getMessage() and "_perMessageCompress" in warnings[0].getMessage()


async def test_pushes_reach_sockets_through_their_own_send_when_the_protocol_is_unusable():
    server = _server()
    stub = _StubProtocol()
    hub = Hub(InMemoryChannelLayer())
    key = (1, "resident", "zh-hans")
    sockets = [_Socket(wire.protocol_of(partial(server.handle_reply, stub))) for _ in range(3)]
    for socket in sockets:
        hub.sockets[group_name(*key)].add(socket)
    hub.groups[group_name(*key)] = key
    await hub.fan_out(group_name(*key), 4, {"queue": "<p>排队</p>"})
    assert stub.frames == []
    assert all(s.received == [{"type": "push", "rev": 4, "panels": {"queue": "<p>排队</p>"}}] for s in sockets)
    assert hub.seen == {1: 4}


async def test_a_direct_write_that_raises_is_logged_the_socket_moves_to_its_own_send_and_is_resynced(caplog):
    """The issue's reproduction: the protocol was taken for usable, then a
    write raises (an attribute renamed under it). The push is not counted,
    the next revision check sends the full state, through the socket's own
    send."""
    database = {1: 4}

    async def revisions(ids):
        return {i: database[i] for i in ids}

    async def render_state(meeting_id, audience, language):
        return database[meeting_id], json.dumps({"type": "state", "rev": database[meeting_id], "panels": {}})

    hub = Hub(InMemoryChannelLayer(), revisions=revisions, render_state=render_state)
    key = (1, "projector", "zh-hans")
    group = group_name(*key)
    broken = _Socket(_StubProtocol())  # as if protocol_of had accepted it
    fine = _Socket(None)
    hub.sockets[group].update([broken, fine])
    hub.groups[group] = key
    with caplog.at_level(logging.DEBUG, logger="deliberation.realtime"):
        await hub.fan_out(group, 4, {"a": "x"})
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info[0] is AttributeError
    assert fine.received == [{"type": "push", "rev": 4, "panels": {"a": "x"}}]
    assert broken.received == [] and broken.protocol is None
    assert 1 not in hub.seen  # not counted as delivered
    await hub.check_revisions()  # one check: the loss is known, not suspected
    assert broken.received == [{"type": "state", "rev": 4, "panels": {}}]
    assert fine.received[-1] == {"type": "state", "rev": 4, "panels": {}}
    assert hub.seen == {1: 4}
    await hub.check_revisions()
    assert len(broken.received) == 1  # healed: no more resyncs


def test_a_transport_without_twisteds_write_queue_gets_frames_through_autobahn(caplog):
    from twisted.internet import tcp

    class RenamedConnection(tcp.Connection):
        """A Twisted whose write queue is no longer where `_write_now` looks."""

    protocol, reactor, theirs = _open_protocol()
    renamed = RenamedConnection(protocol.transport.socket, protocol, reactor)
    renamed.connected = True
    del renamed._tempDataBuffer
    protocol.transport = renamed
    sent = []
    protocol.sendData = sent.append  # autobahn's way to its transport
    frames = [wire.prepare(f"{n}:排队") for n in range(3)]
    with caplog.at_level(logging.WARNING, logger="deliberation.wire"):
        assert all(wire.write(protocol, frame) for frame in frames)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    assert "_tempDataBuffer" in caplog.records[0].getMessage()
    assert sent == [frame.payloadHybi for frame in frames]  # every frame, in order
    assert _received(theirs) == b""  # none of them straight to the socket
