"""The live websocket: one per open page (console, projector, phone).

It only ever sends: state on connect and on the client's "sync", and the
pushes the process hub fans out. Nothing a client sends changes anything
(votes and requests are HTTP POSTs), so a lost or repeated message is harmless.

Clients send two small messages: {"type": "sync", "rev": N} (N: the newest
revision the page got on this socket) and {"type": "ping"}. Anything else, a
frame over MAX_FRAME characters, bytes or junk JSON is ignored. A sync is
answered at most once per REALTIME_SYNC_SECONDS per socket (later ones wait
for the end of that interval and are answered once), with the full state, or
{"type": "uptodate"} when the socket already has everything this process
sent its group: a flood of syncs costs one small message a second.

The socket leaves the hub however it ends: a close, an exception, the
server cancelling the consumer (channels runs websocket_disconnect only for
a disconnect message, not when a handler raises or the task is cancelled).
"""

import asyncio
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from deliberation import wire
from deliberation.realtime import AUDIENCES, RESIDENT, get_hub, stamped
from meetings import access
from meetings.models import Meeting

log = logging.getLogger(__name__)

# Close codes the client understands: do not retry on these.
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404

# Clients send {"type":"sync","rev":123456} and {"type":"ping"}: a frame
# longer than this is not from them and is not parsed.
MAX_FRAME = 1024


def parse_frame(text):
    """A client's message as a dict, or None for anything else. Never raises:
    deeply nested brackets raise RecursionError in json, odd input ValueError
    or TypeError."""
    if not isinstance(text, str) or len(text) > MAX_FRAME:
        return None
    try:
        message = json.loads(text)
    except Exception:
        return None
    return message if isinstance(message, dict) else None


@database_sync_to_async
def _authorize(scope, code, audience, key):
    meeting = Meeting.objects.select_related("compound").filter(code=code).first()
    if meeting is None:
        return None, CLOSE_NOT_FOUND, frozenset()
    if access.can_watch(scope, meeting, audience, key):
        return meeting, None, _tags(scope, meeting, audience)
    return None, CLOSE_FORBIDDEN, frozenset()


def _tags(scope, meeting, audience):
    """What the hub may single this socket out by: a phone's household (its
    own vote line changed) and the code it joined with (revoked: close).
    Reads the session: call it from a thread, not the event loop."""
    joined = access.joined_household(scope["session"], meeting.pk) if audience == RESIDENT else None
    if joined is None:
        return frozenset()
    return frozenset({f"household:{joined[0]}", f"credential:{joined[1]}"})


@database_sync_to_async
def _current_revision(meeting_id):
    return Meeting.objects.filter(pk=meeting_id).values_list("revision", flat=True).first() or 0


class LiveConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: pushes come through this process's
    # hub. (A per-socket channel would mean a Redis subscription per phone,
    # and a socket dropped whenever that subscription's connection drops.)
    channel_layer_alias = "none: sockets are served by the process hub"
    group = None
    hub_key = None  # set before joining the hub, cleared on leaving it
    protocol = None
    tags = frozenset()
    answered_at = None  # loop time of the last answer to a sync (or the state on connect)
    pong_at = None
    sync_rev = None  # the revision the newest unanswered sync says the page has
    sync_later = None  # the task that answers syncs at the end of the interval

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._leave_hub()

    async def _leave_hub(self):
        later, self.sync_later = self.sync_later, None
        if later is not None and later is not asyncio.current_task():
            later.cancel()
        key, self.hub_key = self.hub_key, None
        if key is not None:
            await get_hub().leave(key, self)

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        audience = kwargs["audience"]
        query = _query(self.scope)
        language = query.get("lang") if query.get("lang") in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if audience not in AUDIENCES:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        meeting, refusal, tags = await _authorize(self.scope, kwargs["code"], audience, query.get("key", ""))
        if meeting is None:
            # Accept then close so browsers see our close code, not a bare 403.
            await self.accept()
            await self.close(code=refusal)
            return
        self.meeting_id, self.audience, self.language = meeting.pk, audience, language
        self.tags = tags
        await self.accept()
        # Under Daphne, the hub writes pushes straight to the connection.
        self.protocol = wire.protocol_of(self.base_send)
        self.hub_key = (meeting.pk, audience, language)
        self.group = await get_hub().join(self.hub_key, self)
        await self.send_state()
        self.answered_at = asyncio.get_running_loop().time()

    async def disconnect(self, code):
        await self._leave_hub()

    async def receive(self, text_data=None, bytes_data=None):
        message = parse_frame(text_data)
        kind = message.get("type") if message is not None else None
        if kind == "sync":
            await self.sync(message.get("rev"))
        elif kind == "ping":
            # Clients ping every 25 s: one pong per interval is plenty.
            now = asyncio.get_running_loop().time()
            if self.pong_at is None or now - self.pong_at >= settings.REALTIME_SYNC_SECONDS:
                self.pong_at = now
                await self.send(text_data=stamped('{"type":"pong"}'))

    async def sync(self, rev):
        """Answer now, or once at the end of this socket's sync interval."""
        if self.hub_key is None:
            return
        self.sync_rev = rev if isinstance(rev, int) and not isinstance(rev, bool) else None
        if self.sync_later is not None:
            return  # an answer is already due: it will use this newest rev
        loop = asyncio.get_running_loop()
        wait = 0 if self.answered_at is None else self.answered_at + settings.REALTIME_SYNC_SECONDS - loop.time()
        if wait > 0:
            self.sync_later = asyncio.ensure_future(self._answer_due_sync(wait))
            return
        await self.answer_sync()

    async def _answer_due_sync(self, wait):
        await asyncio.sleep(wait)
        self.sync_later = None
        try:
            await self.answer_sync()
        except Exception:
            # A socket closing meanwhile; it leaves the hub on its own path.
            log.debug("answering a sync failed", exc_info=True)

    async def answer_sync(self):
        if self.hub_key is None:
            return
        self.answered_at = asyncio.get_running_loop().time()
        hub = get_hub()
        if hub.up_to_date(self.group, self.sync_rev):
            await self.send(text_data=stamped(json.dumps({"type": "uptodate", "rev": hub.sent[self.group]})))
        else:
            await self.send_state()

    async def send_state(self):
        hub = get_hub()
        revision = await _current_revision(self.meeting_id)
        # No older than what this process sent the group: the socket is in
        # it already, and gets every push after that, but none before.
        floor = hub.sent.get(self.group, -1)
        text = await hub.state(
            self.group, revision, lambda: hub.render_state(self.meeting_id, self.audience, self.language, floor)
        )
        await self.send(text_data=stamped(text))

    async def close_tagged(self, code):
        """Called by the hub when this socket's household code is revoked."""
        await self.close(code=code)

    async def send_text(self, text):
        """Called by the hub for every push to this socket's group."""
        await self.send(text_data=text)


def _query(scope):
    from urllib.parse import parse_qs

    raw = scope.get("query_string", b"").decode("latin-1")
    return {k: v[0] for k, v in parse_qs(raw).items()}
