"""Pushes are rendered only for the pages open somewhere
(deliberation/realtime/listening.py), and sent in one message."""

import asyncio
import time
from unittest import mock

import pytest
from channels.layers import InMemoryChannelLayer
from django.core.cache import caches

from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, Hub, group_name, listening, meeting_group, writes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_open(room):
    caches["realtime"].delete_many(
        [listening._key(room.pk, a, lang) for a in (FACILITATOR, RESIDENT, PROJECTOR) for lang in ("en", "zh-hans")]
    )


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(writes, "_send", lambda group, message: messages.append((group, message)))
    return messages


def open_pages(*keys):
    asyncio.run(listening.announce(keys))


def test_a_push_renders_only_the_audiences_and_languages_open_somewhere(room, sent):
    open_pages((room.pk, RESIDENT, "zh-hans"), (room.pk, PROJECTOR, "zh-hans"), (room.pk, FACILITATOR, "en"))
    with mock.patch.object(writes, "render_panels", wraps=writes.render_panels) as render:
        writes.push(room.pk, {"speaker", "queue"})
    assert render.call_count == 3  # not 3 audiences x 2 languages
    ((group, message),) = sent  # one message for them all
    assert group == meeting_group(room.pk)
    assert set(message["panels"]) == {
        group_name(room.pk, RESIDENT, "zh-hans"),
        group_name(room.pk, PROJECTOR, "zh-hans"),
        group_name(room.pk, FACILITATOR, "en"),
    }
    assert "排队" in message["panels"][group_name(room.pk, RESIDENT, "zh-hans")]["queue"]


def test_a_meeting_no_page_follows_renders_nothing(room, sent):
    with mock.patch.object(writes, "render_panels") as render:
        writes.push(room.pk, {"speaker", "queue"})
    assert render.call_count == 0 and sent == []


def test_when_the_cache_cannot_say_every_language_is_rendered(room, sent, monkeypatch):
    def broken(keys):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(listening.caches["realtime"], "get_many", broken)
    writes.push(room.pk, {"queue"})
    ((_group, message),) = sent
    assert len(message["panels"]) == 6


def test_a_socket_opening_announces_its_page_before_its_first_state(room):
    """The hub announces a group when it gets its first socket, before join()
    returns (and so before the consumer sends the state)."""

    async def scenario():
        hub = Hub(InMemoryChannelLayer())
        socket = mock.Mock()
        await hub.join((room.pk, RESIDENT, "en"), socket)
        try:
            return await asyncio.to_thread(listening.listening, room.pk)
        finally:
            hub.reader.cancel()
            hub.watchdog.cancel()

    assert asyncio.run(scenario()) == {(RESIDENT, "en")}


def test_the_announcement_lapses_when_no_process_refreshes_it(room, monkeypatch):
    """A real second: Redis expires keys on its own clock."""
    monkeypatch.setattr(listening, "LISTENING_SECONDS", 1)
    open_pages((room.pk, RESIDENT, "en"))
    assert listening.listening(room.pk) == {(RESIDENT, "en")}
    time.sleep(1.1)
    assert listening.listening(room.pk) == set()
