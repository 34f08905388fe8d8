"""The live websocket: one per open page (console, projector, phone).

It only ever sends: state on connect and on the client's "sync", and the
pushes the process hub fans out. Nothing a client sends changes anything
(votes and requests are HTTP POSTs), so a lost or repeated message is harmless.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from deliberation import wire
from deliberation.realtime import AUDIENCES, RESIDENT, get_hub, stamped
from meetings import access
from meetings.models import Meeting

# Close codes the client understands: do not retry on these.
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _authorize(scope, code, audience, key):
    meeting = Meeting.objects.select_related("compound").filter(code=code).first()
    if meeting is None:
        return None, CLOSE_NOT_FOUND
    if access.can_watch(scope, meeting, audience, key):
        return meeting, None
    return None, CLOSE_FORBIDDEN


def _tags(scope, meeting, audience):
    """What the hub may single this socket out by: a phone's household (its
    own vote line changed) and the code it joined with (revoked: close)."""
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
    protocol = None
    tags = frozenset()

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        audience = kwargs["audience"]
        query = _query(self.scope)
        language = query.get("lang") if query.get("lang") in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if audience not in AUDIENCES:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        meeting, refusal = await _authorize(self.scope, kwargs["code"], audience, query.get("key", ""))
        if meeting is None:
            # Accept then close so browsers see our close code, not a bare 403.
            await self.accept()
            await self.close(code=refusal)
            return
        self.meeting_id, self.audience, self.language = meeting.pk, audience, language
        self.tags = _tags(self.scope, meeting, audience)
        await self.accept()
        # Under Daphne, the hub writes pushes straight to the connection.
        self.protocol = wire.protocol_of(self.base_send)
        self.group = await get_hub().join((meeting.pk, audience, language), self)
        await self.send_state()

    async def disconnect(self, code):
        if self.group is not None:
            await get_hub().leave((self.meeting_id, self.audience, self.language), self)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "{}")
        except ValueError:
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "sync" and self.group is not None:
            await self.send_state()
        elif kind == "ping":
            await self.send(text_data=stamped('{"type":"pong"}'))

    async def send_state(self):
        hub = get_hub()
        revision = await _current_revision(self.meeting_id)
        text = await hub.state(
            self.group, revision, lambda: hub.render_state(self.meeting_id, self.audience, self.language)
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
