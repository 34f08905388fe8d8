"""deliberation/wire.py: pushes framed once and written to Daphne's connections."""

import inspect

from channels.sessions import InstanceSessionWrapper
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol

from deliberation import wire


def test_daphne_still_hands_consumers_its_protocol_through_send():
    """The fast path rests on this line of Daphne; an upgrade that changes it
    must fail here rather than quietly fall back to the slow path."""
    assert "send=partial(self.handle_reply, protocol)" in inspect.getsource(Server.create_application)


def test_the_protocol_is_found_behind_channels_session_wrapper(settings):
    server = Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"], signal_handlers=False)
    protocol = WebSocketProtocol()
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
