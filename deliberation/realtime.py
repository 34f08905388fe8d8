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
"""

import asyncio
import json
import logging
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from deliberation import quiet_gc, wire

log = logging.getLogger(__name__)

FACILITATOR = "facilitator"
RESIDENT = "resident"
PROJECTOR = "projector"
AUDIENCES = (FACILITATOR, RESIDENT, PROJECTOR)


def languages():
    return [code for code, _name in settings.LANGUAGES]


def group_name(meeting_id, audience, language):
    """Pushes are rendered once per audience and language, sent to this group."""
    return f"meeting.{meeting_id}.{audience}.{language}"


# --- Panels -----------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A piece of a live page, replaced whole by element id `panel-<name>`.

    `context(meeting, audience)` returns the template context; the template
    receives it plus `meeting`, `audience` and `rev`. `coalesce` panels (live
    tallies, changed by every vote) are rendered and pushed at most every
    REALTIME_COALESCE_SECONDS.
    """

    name: str
    template: str
    audiences: tuple
    context: object
    coalesce: bool = False


_panels: dict[str, Panel] = {}


def panel(name, template, audiences=AUDIENCES, coalesce=False):
    """Register a panel's context function (apps do this in panels.py)."""

    def register(func):
        _panels[name] = Panel(name, template, tuple(audiences), func, coalesce)
        return func

    return register


def panels_for(audience):
    return [p for p in _panels.values() if audience in p.audiences]


def panel_contexts(meeting, audience, names=None, reads=None):
    """{name: context} for this audience, all panels or only `names`.

    Contexts hold data and lazy translations, never translated text, so one
    context serves every language: a push reads the database once per
    audience, then renders it in each language. `reads`: a dict shared by
    the audiences of one push, where context functions keep what is the same
    for all of them (meetings.panels.once_per_render).
    """
    meeting.panel_reads = {} if reads is None else reads
    try:
        return {p.name: p.context(meeting, audience) for p in panels_for(audience) if names is None or p.name in names}
    finally:
        del meeting.panel_reads


def render_panels(meeting, audience, language, names=None, contexts=None):
    """{name: html} for this audience in `language`, all panels or only `names`
    (or those of `contexts`, from `panel_contexts`)."""
    if contexts is None:
        contexts = panel_contexts(meeting, audience, names)
    base = {"meeting": meeting, "audience": audience, "rev": meeting.revision}
    with translation.override(language):
        return {
            name: render_to_string(_panels[name].template, {**base, **context}) for name, context in contexts.items()
        }


def coalesce_seconds(audience):
    """How long a coalesced panel waits before it is rendered for `audience`.

    The projector and the console follow a vote burst closely; phones get the
    count less often: a phone has no use for three updates a second, and every
    push to a room of phones costs the server as much as a queue change.
    """
    if audience == RESIDENT:
        return settings.REALTIME_RESIDENT_COALESCE_SECONDS
    return settings.REALTIME_COALESCE_SECONDS


def stamped(text):
    """A JSON object message with the server's clock (ms) at sending added.

    Cached and coalesced messages are sent later than they were rendered;
    clients set their clock offset from this, so every screen counts a
    speech down from the same server time.
    """
    return f'{{"now":{int(time.time() * 1000)},{text[1:]}'


def state_message(meeting, audience, language):
    """The full state of one audience's page, as sent on (re)connect."""
    panels = render_panels(meeting, audience, language)
    return json.dumps({"type": "state", "rev": meeting.revision, "panels": panels})


# --- Writes -------------------------------------------------------------------


def bump(meeting_id):
    """Advance the meeting's revision; call inside the action's transaction."""
    from meetings.models import Meeting

    Meeting.objects.filter(pk=meeting_id).update(revision=F("revision") + 1)


def broadcast_on_commit(meeting_id, panels=None, coalesce=True):
    """After the surrounding transaction commits, push `panels` (None: all of
    them) to every audience.

    Panels that change with every vote (coalesce=True) are not rendered here:
    the commit only marks them dirty, and each process's hub renders them at
    most once per REALTIME_COALESCE_SECONDS for its own sockets. The others
    are rendered now, once per audience and language, and published.

    coalesce=False renders every named panel now (a poll opening or closing
    changes the turnout panel's very shape, not just a count).

    Outside a transaction (autocommit) the push happens at once. A failed
    transaction pushes nothing.
    """
    names = frozenset(_panels if panels is None else panels)
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
            bump(meeting_id)
        mark_dirty(meeting_id, names)

    transaction.on_commit(after_commit)


def push(meeting_id, names):
    from meetings.models import Meeting

    meeting = Meeting.objects.select_related("compound").get(pk=meeting_id)
    reads = {}
    for audience in AUDIENCES:
        wanted = {p.name for p in panels_for(audience) if p.name in names}
        if not wanted:
            continue
        contexts = panel_contexts(meeting, audience, wanted, reads)
        for language in languages():
            group = group_name(meeting_id, audience, language)
            panels = render_panels(meeting, audience, language, contexts=contexts)
            _send(group, {"type": "hub.push", "group": group, "rev": meeting.revision, "panels": panels})


def mark_dirty(meeting_id, names):
    group = dirty_group(meeting_id)
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
            group = dirty_group(meeting_id)
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


def dirty_group(meeting_id):
    """Every process with sockets of the meeting listens here for coalesced panels."""
    return f"meeting.{meeting_id}.dirty"


def _send(group, message):
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        # The write is committed; a lost push heals on the next one and on
        # every client's resync. Never fail the user's request here.
        log.exception("realtime push failed for %s", group)


# --- The per-process hub ------------------------------------------------------


def _revisions(meeting_ids):
    from meetings.models import Meeting

    return dict(Meeting.objects.filter(pk__in=meeting_ids).values_list("pk", "revision"))


def _render_state(meeting_id, audience, language):
    from meetings.models import Meeting

    meeting = Meeting.objects.select_related("compound").get(pk=meeting_id)
    return meeting.revision, state_message(meeting, audience, language)


def _render_dirty(meeting_id, audience, language, names):
    from meetings.models import Meeting

    meeting = Meeting.objects.select_related("compound").get(pk=meeting_id)
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
        self.revisions = revisions or database_sync_to_async(_revisions, thread_sensitive=False)
        self.render_state = render_state or database_sync_to_async(_render_state, thread_sensitive=False)
        self.seen = {}  # meeting_id -> newest revision this process has sent
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
                    await self.layer.group_add(dirty_group(key[0]), self.channel)
                await self.layer.group_add(group, self.channel)
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
            await self.layer.group_discard(group, self.channel)
            if not self._meeting_groups(key[0]):
                await self.layer.group_discard(dirty_group(key[0]), self.channel)

    def _meeting_groups(self, meeting_id):
        return [group for group, key in self.groups.items() if key[0] == meeting_id]

    def member_count(self, group=None):
        if group is not None:
            return len(self.sockets.get(group, ()))
        return sum(len(s) for s in self.sockets.values())

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
        elif message["group"] in self.sockets:
            await self.fan_out(message["group"], message["rev"], message["panels"])

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
            quiet_gc.collect_if_quiet(self.last_push)

    async def check_revisions(self):
        meetings = {key[0] for key in self.groups.values()}
        if not meetings:
            return
        current = await self.revisions(list(meetings))
        for meeting_id in meetings:
            rev, seen = current.get(meeting_id, 0), self.seen.get(meeting_id, -1)
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
        share one render.
        """
        cached = self.state_cache.get(group)
        if cached and cached[0] >= revision:
            self._sent(group, cached[0])
            return cached[1]
        inflight = self.state_inflight.get(group)
        if inflight is None:
            inflight = asyncio.ensure_future(render())
            self.state_inflight[group] = inflight
            inflight.add_done_callback(lambda _f: self.state_inflight.pop(group, None))
        rev, text = await inflight
        if group in self.groups:
            self._saw(self.groups[group][0], rev)
        self._sent(group, rev)
        if group in self.sockets:
            current = self.state_cache.get(group)
            if current is None or current[0] <= rev:
                self.state_cache[group] = (rev, text)
        return text


# In Hub.suspect: a push is known to be lost, resync at the next check.
LOST = float("inf")


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


_hubs = weakref.WeakKeyDictionary()


def get_hub():
    """This process's hub for the running event loop (one per loop for tests)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(get_channel_layer())
    return hub
