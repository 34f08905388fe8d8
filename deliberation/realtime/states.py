"""Full states of live pages, shared by the requests of one process.

A live page's HTML carries every panel of its audience (the phone page, the
console, the projector), and a page that cannot keep a websocket polls for
the same full state over HTTP (meetings/views_live.py). Both come from here:
rendered once per (room, audience, language) and shared by every request
thread, so a room of phones costs a render per change, not one per phone.

When may a state rendered earlier be served again?

- At the room's current revision, or a newer one: always.
- Behind it, when every change since is a *touch* (a vote, a join: they
  move only the coalesced counts and leave `pushed_revision` where it was)
  and the state is younger than the audience's coalescing window. A phone
  holding a socket sees those counts that late anyway (hub.py renders them
  at most once a window). Without this, a room scanning the QR at once,
  each join a new revision, would render the whole page once per join.
- `floor`: never older than that revision (the hub passes the newest
  revision its group's sockets were sent, so a socket that joins the group
  misses no push the others got).

A state carries its own revision: the page, the poll's answer and the
socket's message say which state they hold, so the client's next sync or
poll asks for whatever is newer, and a push at a later revision replaces it.

This cache is apart from the hub's: the hub keeps a group's state only while
the group has sockets in this process and counts what it sends them (its
lost-push watchdog reads that), and it lives on the event loop, while pages
and polls are answered on the request threads.
"""

import gzip
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from .panels import coalesce_seconds, render_panels

# (room key, audience, language) -> State: a few per meeting in progress;
# the least recently asked for go first.
MAX_ENTRIES = 256


@dataclass
class State:
    """One audience's full state in one language, as rendered at `revision`."""

    revision: int
    pushed_revision: int
    rendered_at: float  # time.monotonic()
    panels: dict  # {name: html}
    # The message as the socket sends it (without the clock it adds on sending).
    text: str

    @cached_property
    def gzipped(self):
        """The message gzipped once, for polling phones on slow networks.
        (Nothing in it is secret or echoes a request: compressing it gives
        nothing away.)"""
        return gzip.compress(self.text.encode(), mtime=0)

    def serves(self, room, audience, floor):
        """May this state be served for `room` as it is now (see the module)?"""
        if self.revision < floor:
            return False
        if self.revision >= room.revision:
            return True
        return self.pushed_revision == room.pushed_revision and time.monotonic() - self.rendered_at < coalesce_seconds(
            audience
        )


_lock = threading.Lock()
_states = OrderedDict()
_rendering = {}  # key -> the lock its one render holds


def state_at(room, audience, language, *, floor=-1):
    """The full State of `room` (as just read: its revisions are the current
    ones) for `audience` in `language`.

    A cached state that `serves` is returned as is; otherwise one thread
    renders it while the others asking for the same key wait for that render
    instead of making their own. Rooms are told apart by their `room_key`
    (rooms.py), not their id: SQLite reuses the id of a deleted last row,
    and a new room's revisions start again from 0.
    """
    key = (room.room_key, audience, language)
    cached = _cached(key, room, audience, floor)
    if cached is not None:
        return cached
    with _lock:
        rendering = _rendering.setdefault(key, threading.Lock())
    with rendering:
        cached = _cached(key, room, audience, floor)
        if cached is not None:
            return cached
        state = _render(room, audience, language)
        with _lock:
            current = _states.get(key)
            if current is None or current.revision <= state.revision:
                _states[key] = state
                _states.move_to_end(key)
            while len(_states) > MAX_ENTRIES:
                old, _state = _states.popitem(last=False)
                _rendering.pop(old, None)
        return state


def _render(room, audience, language):
    panels = render_panels(room, audience, language)
    text = json.dumps({"type": "state", "rev": room.revision, "panels": panels})
    return State(
        revision=room.revision,
        pushed_revision=room.pushed_revision,
        rendered_at=time.monotonic(),
        panels=panels,
        text=text,
    )


def _cached(key, room, audience, floor):
    with _lock:
        cached = _states.get(key)
        if cached is not None and cached.serves(room, audience, floor):
            _states.move_to_end(key)
            return cached
    return None


def forget():
    """Drop every cached state (tests that rebuild their database)."""
    with _lock:
        _states.clear()
        _rendering.clear()
