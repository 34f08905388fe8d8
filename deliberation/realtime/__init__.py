"""The one place realtime pushes leave from.

Writes others must see go through an action function (meetings/actions.py,
voting/actions.py) which, inside its transaction, calls `bump(meeting_id)`
and `broadcast_on_commit(meeting_id, panels)`. After the commit each named
panel is rendered once per audience (facilitator, resident, projector) and
published on that audience's group (one per language) with the meeting's
revision number.

Fan-out does not go through the channel layer per socket. Each server
process holds one `Hub`: one layer subscription per audience group that has
sockets in this process, fanned out locally. Panels that change with every
vote are only marked dirty by the commit and rendered by each hub at most
every few hundred milliseconds. A push carries whole panels, so
a push that is lost (a Redis reconnect, a sleeping phone) is healed by the
next one, and a client that (re)connects or wakes up asks for the full state,
served from a per-revision cache so a reconnect storm renders once.

The core imports no app. The app that has the rooms (meetings) registers at
start-up how to load one, bump its revision and read revisions
(`register_rooms`, rooms.py), and its panels (`@panel`, panels.py).

The modules:

- groups.py: the audiences, the languages, and the channel-layer group names;
- listening.py: which (audience, language) of a meeting have pages open in
  some process, so that pushes are rendered for those only;
- rooms.py: what the app registers about its rooms;
- panels.py: the panel registry, rendering, and `once_per_render`;
- writes.py: the write API the actions call (`bump`, `broadcast_on_commit`,
  `touch_on_commit`, `tell_sockets_on_commit`, `push`, `mark_dirty`);
- hub.py: the per-process hub (fan-out, coalescing, the lost-push watchdog,
  the full-state cache);
- sockets.py: writing one message to many sockets, with the server's clock;
- states.py: full states for the live pages' HTML and for pages that poll
  over HTTP instead, shared by the request threads (meetings/views.py and
  meetings/views_live.py serve them).

This package re-exports their public names. To replace one in a test, patch
the module that holds it (e.g. `deliberation.realtime.writes.push`): the
modules call each other directly, not through these re-exports.
"""

from .groups import AUDIENCES, FACILITATOR, PROJECTOR, RESIDENT, group_name, languages, meeting_group
from .hub import LOST, Hub, get_hub
from .panels import (
    Panel,
    coalesce_seconds,
    once_per_render,
    panel,
    panel_contexts,
    panels_for,
    render_panels,
)
from .panels import _panels as _panels  # tests register and remove panels
from .rooms import register_rooms
from .sockets import send_all, stamped
from .writes import broadcast_on_commit, bump, mark_dirty, push, tell_sockets_on_commit, touch_on_commit

__all__ = [
    "AUDIENCES",
    "FACILITATOR",
    "LOST",
    "PROJECTOR",
    "RESIDENT",
    "Hub",
    "Panel",
    "broadcast_on_commit",
    "bump",
    "coalesce_seconds",
    "meeting_group",
    "get_hub",
    "group_name",
    "languages",
    "mark_dirty",
    "once_per_render",
    "panel",
    "panel_contexts",
    "panels_for",
    "push",
    "register_rooms",
    "render_panels",
    "send_all",
    "stamped",
    "tell_sockets_on_commit",
    "touch_on_commit",
]
