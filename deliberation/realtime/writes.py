"""The write API: what an action calls so that others see its write.

Writes others must see go through an action function (meetings/actions.py,
voting/actions.py) which, inside its transaction, calls `bump(meeting_id)`
and `broadcast_on_commit(meeting_id, panels)` (or, for a vote or a join,
`touch_on_commit`). After the commit the panels are rendered and published
(`push`, for the pages open somewhere: listening.py), or only marked dirty
for each process's hub to render (`mark_dirty`). `tell_sockets_on_commit` reaches the sockets of one
household. Everything leaves through `_send`, which never fails the
request: a lost push is healed by the hub's watchdog and the clients' resync.

Tests that patch these (push, mark_dirty, _send) patch this module: the
functions here call each other through its globals, not through the
package's re-exports.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import rooms
from .groups import AUDIENCES, group_name, languages, meeting_group
from .listening import listening
from .panels import _panels, panel_contexts, panels_for, render_panels, with_followers

log = logging.getLogger(__name__)


def bump(meeting_id, touch=False):
    """Advance the meeting's revision; call inside the action's transaction.
    `touch`: the write changes coalesced panels only (a batch of votes), so
    states rendered since the last pushed change stay good for a window
    (states.py)."""
    rooms.bump_revision(meeting_id, touch=touch)


def broadcast_on_commit(meeting_id, panels=None, coalesce=True):
    """After the surrounding transaction commits, push `panels` (None: all of
    them) to every audience.

    Panels that change with every vote (coalesce=True) are not rendered here:
    the commit only marks them dirty, and each process's hub renders them at
    most once per REALTIME_COALESCE_SECONDS for its own sockets. The others
    are rendered now, once per audience and language, and published.

    coalesce=False renders every named panel now (a poll opening or closing
    changes the turnout panel's very shape, not just a count).

    Panels that follow a named one (`Panel.follows`) are pushed with it.

    Outside a transaction (autocommit) the push happens at once. A failed
    transaction pushes nothing.
    """
    names = with_followers(_panels if panels is None else panels)
    coalesced = frozenset(n for n in names if coalesce and _panels[n].coalesce)
    if names - coalesced:
        transaction.on_commit(lambda: push(meeting_id, names - coalesced))
    if coalesced:
        transaction.on_commit(lambda: mark_dirty(meeting_id, coalesced))


def touch_on_commit(meeting_id, panels):
    """For a write that changes only coalesced panels (a vote, a join).

    The revision advances after the commit, in its own one-statement
    transaction, and the panels are marked dirty. Bumping inside the write's
    transaction would make a burst of votes queue on the meeting row for the
    whole of each vote's transaction.
    """
    names = frozenset(panels)
    assert all(_panels[n].coalesce for n in names), "touch_on_commit is for coalesced panels"

    def after_commit():
        # A transaction of its own, so on SQLite it queues for the process's
        # write lock with the others (deliberation/sqlite) instead of polling.
        with transaction.atomic():
            bump(meeting_id, touch=True)
        mark_dirty(meeting_id, names)

    transaction.on_commit(after_commit)


def push(meeting_id, names):
    """Render the panels `names` now, once per audience and language that has
    pages open somewhere (listening.py), and publish them all in one message
    on the meeting's group. The reads shared by all audiences are made once
    (panels.once_per_render)."""
    open_pages = listening(meeting_id)
    meeting = rooms.load_room(meeting_id)
    reads, rendered = {}, {}
    for audience in AUDIENCES:
        wanted = {p.name for p in panels_for(audience) if p.name in names}
        shown_in = [lang for lang in languages() if open_pages is None or (audience, lang) in open_pages]
        if not wanted or not shown_in:
            continue
        contexts = panel_contexts(meeting, audience, wanted, reads)
        for language in shown_in:
            rendered[group_name(meeting_id, audience, language)] = render_panels(
                meeting, audience, language, contexts=contexts
            )
    if rendered:
        group = meeting_group(meeting_id)
        _send(group, {"type": "hub.push", "group": group, "rev": meeting.revision, "panels": rendered})


def mark_dirty(meeting_id, names):
    """Tell every process's hub that these coalesced panels changed."""
    group = meeting_group(meeting_id)
    _send(group, {"type": "hub.dirty", "group": group, "meeting": meeting_id, "names": sorted(names)})


def tell_sockets_on_commit(meeting_ids, tag, message=None, close_code=None):
    """After the commit, reach this meeting's sockets tagged `tag` (a socket's
    `tags`, e.g. "household:12"), in every process: send them `message` (a
    dict, JSON-encoded, for things only that socket's page should hear, like
    "your own vote line changed"), or close them with `close_code` (a revoked
    household code). Nothing else in the message says who the tag is, so other
    sockets learn nothing."""
    meeting_ids = list(meeting_ids)

    def after_commit():
        for meeting_id in meeting_ids:
            group = meeting_group(meeting_id)
            _send(
                group,
                {
                    "type": "hub.tagged",
                    "group": group,
                    "meeting": meeting_id,
                    "tag": tag,
                    "text": json.dumps(message) if message is not None else None,
                    "close": close_code,
                },
            )

    transaction.on_commit(after_commit)


def _send(group, message):
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        # The write is committed; a lost push heals on the next one and on
        # every client's resync. Never fail the user's request here.
        log.exception("realtime push failed for %s", group)
