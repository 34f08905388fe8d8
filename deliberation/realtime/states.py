"""Full states for pages that poll over HTTP instead of holding a socket.

Some phones cannot keep a websocket (in-app browsers, networks that drop
them); their page asks every few seconds for its state over plain HTTP.
A poll at the revision the page already shows is answered without
rendering (the view's 304). A poll after a change gets the same full state
a (re)connecting socket gets (`state_message`), rendered once per revision
per (room, audience, language) in this process and shared by every poller
and every request thread: a room of polling phones costs one render per
change, not one per phone.

This cache is apart from the hub's: the hub keeps a group's state only while
the group has sockets in this process and counts what it sends them (its
lost-push watchdog reads that), and it lives on the event loop, while polls
are answered on the request threads.
"""

import gzip
import threading
from collections import OrderedDict, namedtuple

from . import rooms
from .panels import state_message

# (room, audience, language, tag) -> State: a few per meeting in progress;
# the least recently asked for go first.
MAX_ENTRIES = 256

# The message as the socket sends it (without the clock it adds on sending),
# and the same gzipped once: a polling phone on a slow network gets a few
# kilobytes per change, compressed once for all of them. (Nothing in it is
# secret or echoes a request: compressing it gives nothing away.)
State = namedtuple("State", "revision text gzipped")

_lock = threading.Lock()
_states = OrderedDict()
_rendering = {}  # key -> the lock its one render holds


def state_at(room_id, audience, language, revision, tag=""):
    """The full State, at `revision` or newer.

    `revision` is the room's revision as the caller just read it (a cheap
    query). A cached state at that revision or newer is returned as is;
    otherwise one thread renders it while the others asking for the same
    key wait for that render instead of making their own. `tag` tells rooms
    apart that could share an id (SQLite reuses the id of a deleted last
    row, and revisions start again from 0): the meeting's code.
    """
    key = (room_id, audience, language, tag)
    cached = _cached(key, revision)
    if cached is not None:
        return cached
    with _lock:
        rendering = _rendering.setdefault(key, threading.Lock())
    with rendering:
        cached = _cached(key, revision)
        if cached is not None:
            return cached
        room = rooms.load_room(room_id)
        text = state_message(room, audience, language)
        state = State(room.revision, text, gzip.compress(text.encode(), mtime=0))
        with _lock:
            current = _states.get(key)
            if current is None or current.revision <= state.revision:
                _states[key] = state
                _states.move_to_end(key)
            while len(_states) > MAX_ENTRIES:
                old, _state = _states.popitem(last=False)
                _rendering.pop(old, None)
        return state


def _cached(key, revision):
    with _lock:
        cached = _states.get(key)
        if cached is not None and cached.revision >= revision:
            _states.move_to_end(key)
            return cached
    return None


def forget():
    """Drop every cached state (tests that rebuild their database)."""
    with _lock:
        _states.clear()
        _rendering.clear()
