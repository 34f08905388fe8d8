"""Writing a message to many sockets at once.

`send_all` frames a message once and writes it straight to Daphne's
connections where it can (deliberation/wire.py); `stamped` adds the server's
clock to a message as it leaves. Both are used by the hub for pushes and
resyncs, and `stamped` by the consumer for what it sends a socket itself.
"""

import logging
import time

from deliberation import wire

log = logging.getLogger(__name__)


def stamped(text):
    """A JSON object message with the server's clock (ms) at sending added.

    Cached and coalesced messages are sent later than they were rendered;
    clients set their clock offset from this, so every screen counts a
    speech down from the same server time.
    """
    return f'{{"now":{int(time.time() * 1000)},{text[1:]}'


async def send_all(sockets, text):
    """Send `text` to every socket: framed once and written straight to
    Daphne's connections where the socket has one (deliberation/wire.py),
    else through the socket's own send.

    Returns how many sockets it failed (0: the push went out to all). A
    socket whose send raises does not stop the others; the failures are
    logged at ERROR, once per push. (Neither Daphne nor the direct write
    raises for a closed connection: a send that raises is a bug or an
    upgrade's change.) A socket whose direct write raised is moved to its
    own send for good, so the resync that follows reaches it."""
    frame = None
    failed = 0
    for socket in sockets:
        try:
            protocol = getattr(socket, "protocol", None)
            if protocol is not None:
                frame = frame or wire.prepare(text)
                wire.write(protocol, frame)
            else:
                await socket.send_text(text)
        except Exception as error:
            if not failed:
                first = error
            failed += 1
            if getattr(socket, "protocol", None) is not None:
                socket.protocol = None
    if failed:
        log.error("a push failed for %d of %d sockets", failed, len(sockets), exc_info=first)
    return failed
