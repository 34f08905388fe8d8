"""Broadcast frames written straight to Daphne's websocket protocol objects.

A push to 2,000 phones is the same text 2,000 times. Through the ASGI send
of each consumer it is 2,000 times: channels' session wrapper, Daphne's
reply checks, UTF-8 encoding and WebSocket framing by autobahn, then the
write. Autobahn (Daphne's websocket library) can frame a message once
(`PreparedMessage`) and write that frame to any number of its connections
(`sendPreparedMessage`); measured with `make bench` that roughly halves the
server's CPU per push per socket.

This needs the protocol object behind a consumer's `send`, which Daphne
passes as `functools.partial(server.handle_reply, protocol)` (wrapped by
channels' session middleware). `protocol_of` finds it, or returns None on
any other server or a future Daphne that passes something else; callers
then use the ordinary ASGI send. tests/test_wire.py fails if the fast path
stops being found under Daphne, so an upgrade cannot silently lose it.
"""

import functools

from autobahn.websocket.protocol import PreparedMessage


def protocol_of(send, depth=4):
    """The autobahn protocol an ASGI `send` writes to under Daphne, else None."""
    for _ in range(depth):
        if isinstance(send, functools.partial):
            target = send.args[0] if send.args else None
            return target if hasattr(target, "sendPreparedMessage") else None
        # channels' InstanceSessionWrapper.send keeps the inner send here.
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def prepare(text):
    """A text frame, framed once for every connection it is written to."""
    return PreparedMessage(text.encode("utf-8"), isBinary=False, applyMask=False, doNotCompress=True)


def write(protocol, frame):
    """Write `frame` if the connection is open; False if it was not."""
    if protocol.state != protocol.STATE_OPEN:
        return False
    protocol.sendPreparedMessage(frame)
    return True
