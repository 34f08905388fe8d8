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
