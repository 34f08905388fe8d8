"""The per-process hub: one channel-layer subscription per meeting, fanned
out to this process's sockets.

Fan-out does not go through the channel layer per socket. Each server
process holds one `Hub` (per event loop, `get_hub`): one layer subscription
per meeting that has sockets in this process (its meeting group), whose
pushes carry the panels of each (audience, language); the hub hands each
local socket its own, and says which (audience, language) it has sockets of
(listening.py), so pushes are rendered only for those.
Coalesced panels, marked dirty by the writes, are rendered by each hub at
most once per window for its own sockets. A watchdog compares the
revisions this process has sent with the database's and sends the full
state where a push was lost. Full states for (re)connecting sockets are
cached per group and revision, so a reconnect storm renders once.
"""

import asyncio
import json
import logging
import time
import weakref
from collections import defaultdict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from deliberation import quiet_gc

from . import listening, rooms, states
from .groups import group_name, meeting_group
from .panels import coalesce_seconds, panels_for, render_panels
from .sockets import send_all, stamped

log = logging.getLogger(__name__)

# In Hub.suspect: a push is known to be lost, resync at the next check.
LOST = float("inf")


def _render_state(meeting_id, audience, language, floor=None):
    """(rev, text) of the full state. With `floor`, a state the request
    threads rendered a moment ago may do (states.py: none older than
    `floor`); without, it is the meeting's current revision (a resync)."""
    meeting = rooms.load_room(meeting_id)
    state = states.state_at(meeting, audience, language, floor=meeting.revision if floor is None else floor)
    return state.revision, state.text


def _render_dirty(meeting_id, audience, language, names):
    meeting = rooms.load_room(meeting_id)
    return meeting.revision, render_panels(meeting, audience, language, names)


class Hub:
    """One channel-layer subscription per process, fanned out to its sockets.

    Sockets are objects with `async def send_text(text)`; each joins the group
    of its (meeting, audience, language). Per group the hub keeps this
    process's sockets and the cached full state at the latest revision; per
    meeting, the coalesced panels waiting to be rendered.
    """

    def __init__(self, layer, render=None, revisions=None, render_state=None):
        self.layer = layer
        # Rendering runs in the thread pool, not in the one thread that
        # serves requests' sync code, so a tally render never holds up a vote.
        self.render = render or database_sync_to_async(_render_dirty, thread_sensitive=False)
        self.revisions = revisions or database_sync_to_async(rooms.revisions, thread_sensitive=False)
        self.render_state = render_state or database_sync_to_async(_render_state, thread_sensitive=False)
        self.seen = {}  # meeting_id -> newest revision a push or resync delivered to this process's sockets
        self.first_state = {}  # meeting_id -> before any push: the oldest full state's revision sent
        self.suspect = {}  # meeting_id -> a newer revision noticed by the last check
        self.watchdog = None
        self.channel = None
        self.reader = None
        self.sockets = defaultdict(set)
        self.groups = {}  # group -> (meeting_id, audience, language)
        self.dirty = {}  # group -> panel names waiting for its window
        self.state_cache = {}
        self.state_inflight = {}
        self.sent = {}  # group -> newest revision sent to its sockets (push or state)
        self.last_push = 0.0  # monotonic time of the last push (quiet_gc)
        self.announced_at = time.monotonic()  # of the open groups, refreshed by the watchdog
        self.lock = asyncio.Lock()

    async def join(self, key, socket):
        """`key` is (meeting_id, audience, language)."""
        group = group_name(*key)
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("hub.")
                self.reader = asyncio.get_running_loop().create_task(self._read())
                self.watchdog = asyncio.get_running_loop().create_task(self._watch())
            if not self.sockets[group]:
                if not self._meeting_groups(key[0]):
                    await self.layer.group_add(meeting_group(key[0]), self.channel)
                # Before the socket's first state (listening.py says why).
                await listening.announce([key])
                self.groups[group] = key
            self.sockets[group].add(socket)
        return group

    async def leave(self, key, socket):
        """Forget `socket`; safe to call more than once and from a cancelled task.

        The socket leaves its group at once, before any await: a consumer
        that is being cancelled can still be forgotten. Giving up the layer
        subscription of a group left empty is shielded from that
        cancellation."""
        group = group_name(*key)
        members = self.sockets.get(group)
        if members is None or socket not in members:
            return
        members.discard(socket)
        if not members:
            await asyncio.shield(self._drop_if_empty(key, group, members))

    async def _drop_if_empty(self, key, group, members):
        async with self.lock:
            if members or self.sockets.get(group) is not members:
                return  # someone joined while this waited for the lock
            del self.sockets[group]
            del self.groups[group]
            self.state_cache.pop(group, None)
            self.sent.pop(group, None)
            if not self._meeting_groups(key[0]):
                await self.layer.group_discard(meeting_group(key[0]), self.channel)
                # No socket of the meeting is left to be behind: a socket that
                # comes back starts from the state it is sent.
                self.seen.pop(key[0], None)
                self.first_state.pop(key[0], None)
                self.suspect.pop(key[0], None)

    def _meeting_groups(self, meeting_id):
        return [group for group, key in self.groups.items() if key[0] == meeting_id]

    async def _read(self):
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub receive failed; retrying")
                await asyncio.sleep(0.5)
                continue
            try:
                await self.dispatch(message)
            except Exception:
                log.exception("hub dispatch failed")

    async def dispatch(self, message):
        if message["type"] == "hub.dirty":
            self._mark(message["meeting"], message["names"])
        elif message["type"] == "hub.tagged":
            await self.tell_tagged(message["meeting"], message["tag"], message.get("text"), message.get("close"))
        elif message["type"] == "hub.push":
            # {group: panels} for every (audience, language) open somewhere.
            for group, panels in message["panels"].items():
                if group in self.sockets:
                    await self.fan_out(group, message["rev"], panels)

    def _mark(self, meeting_id, names):
        """Render coalesced panels once per window per group, not once per vote."""
        for group in self._meeting_groups(meeting_id):
            audience = self.groups[group][1]
            wanted = {p.name for p in panels_for(audience) if p.name in names}
            if not wanted:
                continue
            waiting = self.dirty.get(group)
            if waiting is None:
                self.dirty[group] = wanted
                asyncio.get_running_loop().call_later(
                    coalesce_seconds(audience), lambda group=group: asyncio.ensure_future(self._flush(group))
                )
            else:
                waiting.update(wanted)

    async def _flush(self, group):
        names = self.dirty.pop(group, None)
        if not names or group not in self.groups:
            return
        meeting_id, audience, language = self.groups[group]
        try:
            rev, panels = await self.render(meeting_id, audience, language, names)
        except Exception:
            log.exception("rendering %s for %s failed", names, group)
            return
        await self.fan_out(group, rev, panels)

    async def _watch(self):
        """Heal lost pushes: a revision that stays ahead of what this process
        sent (a push lost across a Redis reconnect, a failed publish) gets
        the full state sent to this process's sockets of that meeting."""
        while True:
            await asyncio.sleep(settings.REALTIME_WATCHDOG_SECONDS)
            try:
                await self.check_revisions()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("revision check failed")
            now = time.monotonic()
            if now - self.announced_at >= listening.LISTENING_SECONDS / 3:
                self.announced_at = now
                await listening.announce(list(self.groups.values()))
            quiet_gc.collect_if_quiet(self.last_push)

    def _has(self, meeting_id):
        """The revision every local socket of the meeting is taken to hold."""
        return self.seen.get(meeting_id, self.first_state.get(meeting_id, -1))

    async def check_revisions(self):
        meetings = {key[0] for key in self.groups.values()}
        if not meetings:
            return
        current = await self.revisions(list(meetings))
        for meeting_id in meetings:
            rev, seen = current.get(meeting_id, 0), self._has(meeting_id)
            noticed = self.suspect.pop(meeting_id, None)
            if noticed is not None and seen < noticed:
                # Nothing sent since the last check has reached the revision
                # that check saw: its push is lost, not on its way.
                log.warning("meeting %s: resyncing after lost pushes (rev %s)", meeting_id, rev)
                await self.resync(meeting_id)
            elif rev > seen:
                # Behind, but during a vote burst the database is always a
                # little ahead of the last coalesced push: judge next time.
                self.suspect[meeting_id] = rev

    async def resync(self, meeting_id):
        """Send the full state to this process's sockets of the meeting. A
        group that fails to render or to reach a socket is resynced again at
        the next check; the other groups are sent theirs."""
        for group in self._meeting_groups(meeting_id):
            key = self.groups.get(group)
            if key is None:
                continue  # emptied while an earlier group was rendered
            try:
                rev, text = await self.render_state(*key)
            except Exception:
                log.exception("meeting %s: rendering the state of %s failed", meeting_id, group)
                self.suspect[meeting_id] = LOST
                continue
            self._sent(group, rev)
            if await send_all(list(self.sockets.get(group, ())), stamped(text)):
                self.suspect[meeting_id] = LOST
            else:
                self._saw(meeting_id, rev)

    def _saw(self, meeting_id, rev):
        """Revision `rev` of the meeting went out to every local socket it was
        sent to. Only pushes that did count: one that failed marks the
        meeting LOST instead, so the next check resyncs it."""
        if rev > self.seen.get(meeting_id, -1):
            self.seen[meeting_id] = rev

    def _sent(self, group, rev):
        if group in self.sockets and rev > self.sent.get(group, -1):
            self.sent[group] = rev

    def _sent_state(self, group, rev):
        """A full state at `rev` goes to one connecting or resyncing socket
        of `group`. It is not the meeting seen at `rev`: the group's other
        sockets and the meeting's other groups may have missed a push that
        this state holds, and only the watchdog would heal them. Until the
        first push, the oldest state sent is what every local socket of the
        meeting holds at least, so a quiet meeting is not resynced."""
        self._sent(group, rev)
        key = self.groups.get(group)
        if key is not None and key[0] not in self.seen:
            self.first_state[key[0]] = min(rev, self.first_state.get(key[0], rev))

    def up_to_date(self, group, rev):
        """Does a socket of `group` that has received revision `rev` hold
        everything this process has sent the group? (Its pushes arrive in
        order on its one connection; one lost before reaching this process
        is healed by the watchdog's resync.)"""
        sent = self.sent.get(group)
        return sent is not None and isinstance(rev, int) and rev >= sent

    async def tell_tagged(self, meeting_id, tag, text=None, close_code=None):
        """Send `text` to, or close with `close_code`, this process's sockets of
        the meeting whose `tags` hold `tag`."""
        for group in self._meeting_groups(meeting_id):
            for socket in list(self.sockets.get(group, ())):
                if tag not in getattr(socket, "tags", ()):
                    continue
                try:
                    if close_code is not None:
                        await socket.close_tagged(close_code)
                    elif text is not None:
                        await socket.send_text(stamped(text))
                except Exception:
                    log.debug("telling a closing socket failed", exc_info=True)

    async def fan_out(self, group, rev, panels):
        key = self.groups.get(group)
        self._sent(group, rev)
        text = stamped(json.dumps({"type": "push", "rev": rev, "panels": panels}))
        self.last_push = time.monotonic()
        failed = await send_all(list(self.sockets.get(group, ())), text)
        if key is None:
            return
        if failed:
            # Some socket missed this push: a later push carries other panels
            # and does not heal it, so the next check resyncs the meeting.
            self.suspect[key[0]] = LOST
        else:
            self._saw(key[0], rev)

    async def state(self, group, revision, render):
        """Full-state text for `group` at `revision`, rendered once per revision.

        `revision` is the meeting's current revision (a cheap query);
        `render()` is an awaitable returning (rev, text). Concurrent callers
        share one render. The caller sends the text to one socket.
        """
        cached = self.state_cache.get(group)
        if cached and cached[0] >= revision:
            self._sent_state(group, cached[0])
            return cached[1]
        inflight = self.state_inflight.get(group)
        if inflight is None:
            inflight = asyncio.ensure_future(render())
            self.state_inflight[group] = inflight
            inflight.add_done_callback(lambda _f: self.state_inflight.pop(group, None))
        rev, text = await inflight
        self._sent_state(group, rev)
        if group in self.sockets:
            current = self.state_cache.get(group)
            if current is None or current[0] <= rev:
                self.state_cache[group] = (rev, text)
        return text


_hubs = weakref.WeakKeyDictionary()


def get_hub():
    """This process's hub for the running event loop (one per loop for tests)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(get_channel_layer())
    return hub
