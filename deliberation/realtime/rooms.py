"""Where the app that has rooms tells the realtime core how to read them.

The core pushes the live pages of a room (a meeting) but imports no app, so
that it can be read, tested and changed without the models of the apps that
use it. The app owning the room model registers, once at start-up (its
AppConfig.ready), three functions:

- `load_room(room_id)`: the room, with what rendering its panels needs
  loaded alongside; it has a `revision` attribute, the number every push
  and full state of the room carries, and `pushed_revision`, the revision
  of its newest change to a panel that is pushed at once (not coalesced),
  and `room_key`, a string no other room ever has (an id can be reused
  after a delete), that keys the states rendered of it (states.py);
- `bump_revision(room_id, touch=False)`: advance that revision in the
  database, in the caller's transaction, and with it `pushed_revision`
  unless `touch` (a change to coalesced panels only);
- `revisions(room_ids)`: {room_id: revision} of the rooms that exist, for the
  hub's check for lost pushes.

The core calls them through `load_room`, `bump_revision` and `revisions`
below; before a registration these raise RuntimeError. A later registration
replaces an earlier one.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rooms:
    load_room: Callable[[int], object]
    bump_revision: Callable[..., None]
    revisions: Callable[[Iterable[int]], dict]


_registered: Rooms | None = None


def register_rooms(*, load_room, bump_revision, revisions):
    """Called by the app owning the rooms, from its AppConfig.ready()."""
    global _registered
    _registered = Rooms(load_room, bump_revision, revisions)


def _rooms():
    if _registered is None:
        raise RuntimeError(
            "No rooms are registered with deliberation.realtime: the app owning the room model "
            "must call deliberation.realtime.register_rooms() in its AppConfig.ready()."
        )
    return _registered


def load_room(room_id):
    """The room with what its panels' rendering reads; raises if it does not exist."""
    return _rooms().load_room(room_id)


def bump_revision(room_id, touch=False):
    _rooms().bump_revision(room_id, touch=touch)


def revisions(room_ids):
    """{room_id: revision}; rooms that do not exist are left out."""
    return _rooms().revisions(room_ids)
