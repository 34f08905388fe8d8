"""Broadcast frames written straight to Daphne's websocket protocol objects.

A push to 2,000 phones is the same text 2,000 times. Through the ASGI send
of each consumer it is 2,000 times: channels' session wrapper, Daphne's
reply checks, UTF-8 encoding and WebSocket framing by autobahn, then the
write. Autobahn (Daphne's websocket library) can frame a message once
(`PreparedMessage`) and write that frame to any number of its connections
(`sendPreparedMessage`); measured with `make bench` that roughly halves the
server's CPU per push per socket. `write` then hands the frame to the
socket itself when nothing is queued for it (`_write_now`).

This needs the protocol object behind a consumer's `send`, which Daphne
passes as `functools.partial(server.handle_reply, protocol)` (wrapped by
channels' session middleware). `protocol_of` finds it, or returns None on
any other server or a future Daphne that passes something else; callers
then use the ordinary ASGI send. tests/test_wire.py fails if the fast path
stops being found under Daphne, so an upgrade cannot silently lose it.

Everything here reads autobahn's and Twisted's internals. Each kind of
protocol and transport is checked once, the first time it is met, for what
`write` and `_write_now` use; one that lacks any of it is never written to
here (one WARNING says so): `protocol_of` returns None and the consumer's own
`send_text` (the channels path) carries its pushes, or a frame goes through
autobahn's `sendPreparedMessage` instead of straight to the socket.
"""

import functools
import logging

try:
    from autobahn.websocket.protocol import PreparedMessage
    from twisted.internet import tcp
except ImportError:  # autobahn or Twisted moved these: the channels path only
    PreparedMessage = tcp = None

log = logging.getLogger(__name__)

# What `write` reads on an autobahn protocol, and `_write_now` on a Twisted
# transport (on the instance: most are set by __init__, not on the class).
PROTOCOL_NEEDS = ("state", "STATE_OPEN", "sendPreparedMessage", "_perMessageCompress")
TRANSPORT_NEEDS = ("connected", "disconnecting", "dataBuffer", "offset", "_tempDataBuffer", "writeSomeData", "write")

_protocol_ok = {}  # protocol class -> can `write` use it
_transport_ok = {}  # transport class -> can `_write_now` use it


def _lacks(obj, names):
    return [name for name in names if not hasattr(obj, name)]


def _check_protocol(protocol):
    missing = _lacks(protocol, PROTOCOL_NEEDS)
    if PreparedMessage is None:
        missing.append("autobahn.websocket.protocol.PreparedMessage")
    elif not missing:
        missing = _lacks(prepare(""), ("payloadHybi",))
    if missing:
        log.warning(
            "%s lacks %s: pushes go through each consumer's send (slower), not straight to the connection",
            type(protocol).__qualname__,
            ", ".join(missing),
        )
    ok = _protocol_ok[type(protocol)] = not missing
    return ok


def _check_transport(transport):
    missing = _lacks(transport, TRANSPORT_NEEDS)
    if missing:
        log.warning(
            "%s lacks %s: frames are written through autobahn's sendPreparedMessage, not straight to the socket",
            type(transport).__qualname__,
            ", ".join(missing),
        )
    ok = _transport_ok[type(transport)] = not missing
    return ok


def protocol_of(send, depth=4):
    """The autobahn protocol an ASGI `send` writes to under Daphne, else None."""
    for _ in range(depth):
        if isinstance(send, functools.partial):
            target = send.args[0] if send.args else None
            if not hasattr(target, "sendPreparedMessage"):
                return None
            ok = _protocol_ok.get(type(target))
            if ok is None:
                ok = _check_protocol(target)
            return target if ok else None
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
    direct = not getattr(protocol, "send_queue", None) and protocol._perMessageCompress is None
    if not (direct and _write_now(getattr(protocol, "transport", None), frame.payloadHybi)):
        protocol.sendPreparedMessage(frame)
    return True


def _write_now(transport, data):
    """Hand `data` to the socket at once if Twisted has nothing queued for it.

    Twisted's own write always queues, asks the event loop to watch the
    socket for writability and, on the next turn, writes and stops watching:
    two epoll changes and a loop turn per socket per push, most of a push's
    cost at 2,000 sockets. A push (a few KB) nearly always fits the socket's
    buffer; what does not is queued behind it in Twisted's buffer, and while
    anything is queued there every later frame goes the ordinary way, so
    frames stay in order. Plain TCP only (no TLS at Daphne: nginx ends it).
    Returns False, having written nothing, where it does not apply.
    """
    if not isinstance(transport, tcp.Connection) or getattr(transport, "TLS", True):
        return False
    ok = _transport_ok.get(type(transport))
    if ok is None:
        ok = _check_transport(transport)
    if not ok:
        return False
    if not transport.connected or transport.disconnecting:
        return False
    if len(transport.dataBuffer) > transport.offset or transport._tempDataBuffer:
        return False
    sent = transport.writeSomeData(data)
    if not isinstance(sent, int):
        sent = 0  # the connection is lost: Twisted's write finds out and closes it
    if sent < len(data):
        transport.write(data[sent:])
    return True
