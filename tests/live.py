"""Helpers for tests of the live websocket: connect as an audience, read pushes."""

import json

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from deliberation.asgi import application
from meetings import access
from tests.conftest import active_code

ORIGIN = (b"origin", b"http://testserver")


@sync_to_async
def staff_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@sync_to_async
def resident_cookie(meeting, household):
    session = SessionStore()
    access.keep_join(session, meeting, active_code(household))
    session.create()
    return session.session_key


async def open_socket(meeting, audience, *, session=None, key=None, lang="zh-hans", origin=ORIGIN):
    """A connected communicator (or the refusal) for one live page."""
    query = f"?lang={lang}" + (f"&key={key}" if key else "")
    headers = [origin] if origin else []
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/m/{meeting.code}/{audience}/{query}", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def next_message(communicator, timeout=3):
    return json.loads(await communicator.receive_from(timeout=timeout))
