"""Python's full garbage collection, moved to the quiet moments of a meeting.

With 2,000 phones connected a process holds millions of objects (each socket
has its consumer, protocol, transport, scope...). CPython's automatic
full ("generation 2") collection walks all of them: measured with
`make bench`, 250-350 ms during which nothing is sent, every few seconds while
votes and pushes allocate. A push that meets one arrives a third of a second
late on every phone.

So: objects alive after start-up are frozen out of collection (they live as
long as the process); young collections stay automatic, with a larger first
threshold so fewer short-lived objects survive into the old generation; the
full collection is left to `collect_if_quiet`, which each process's hub
calls every few seconds and which collects when no push has gone out for a
while, or in any case every MAX_GAP seconds so memory stays bounded.
"""

import gc
import logging
import time

log = logging.getLogger(__name__)

QUIET_SECONDS = 5  # no push for this long: a good moment
MIN_GAP = 60  # at most one full collection a minute when quiet
MAX_GAP = 600  # at least one every ten minutes, quiet or not

_last = time.monotonic()


def configure():
    """Call once, at the end of start-up (deliberation/asgi.py)."""
    gc.freeze()
    # Young collections as usual (larger first threshold). The old generation
    # is collected from here; the automatic one is only a backstop for a
    # process without sockets (no hub calls us), after a thousand collections
    # of the middle generation (hundreds of millions of allocations).
    gc.set_threshold(20_000, 20, 1000)


def collect_if_quiet(last_push, now=None):
    """Run a full collection if the process has been quiet; True if it did."""
    global _last
    now = time.monotonic() if now is None else now
    since = now - _last
    quiet = now - last_push >= QUIET_SECONDS
    if not ((quiet and since >= MIN_GAP) or since >= MAX_GAP):
        return False
    started = time.monotonic()
    gc.collect()
    _last = time.monotonic()
    log.info("full collection in %.0f ms (%s)", (_last - started) * 1000, "quiet" if quiet else "overdue")
    return True
