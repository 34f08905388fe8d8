"""Which pages of a meeting are open somewhere: the (audience, language)
pairs with sockets in some server process.

A push renders its panels only for these (writes.push): a meeting whose
phones all read Chinese is not rendered in English too, and a meeting no
screen follows is not rendered at all. Each process's hub says which of its
groups have sockets (`announce`: when a group gets its first socket, and
again every LISTENING_SECONDS / 3); the note is kept in the Django cache
(its "realtime" alias: a few entries a meeting, which a cache full of
sessions never culls; Redis, shared, when there are several processes)
and lapses
LISTENING_SECONDS after the last refresh.

A push never misses a page that has just opened: the hub announces a new
group before its socket is sent its first state. A push that read the
announcements before that happened was committed before it, so that
state, rendered afterwards, already holds its change.

When the cache cannot be read, a push renders every language (None).
"""

import logging

from django.core.cache import caches

from .groups import AUDIENCES, languages

log = logging.getLogger(__name__)

LISTENING_SECONDS = 60


def _key(meeting_id, audience, language):
    return f"rt:listening:{meeting_id}:{audience}:{language}"


def listening(meeting_id):
    """{(audience, language)} with pages open in some process, or None when
    that cannot be known (render them all)."""
    keys = {
        _key(meeting_id, audience, language): (audience, language) for audience in AUDIENCES for language in languages()
    }
    try:
        found = caches["realtime"].get_many(list(keys))
    except Exception:
        log.warning("cannot read which pages are open; rendering every language", exc_info=True)
        return None
    return {keys[key] for key in found}


async def announce(groups):
    """This process has sockets of these (meeting_id, audience, language)."""
    notes = {_key(*group): 1 for group in groups}
    if not notes:
        return
    try:
        await caches["realtime"].aset_many(notes, timeout=LISTENING_SECONDS)
    except Exception:
        # The watchdog's resync heals what a push that skipped these misses.
        log.exception("announcing open pages failed")
