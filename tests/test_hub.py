"""The per-process hub: local fan-out, coalescing, stale-proof state cache."""

import asyncio
import json
import time

from channels.layers import InMemoryChannelLayer

from deliberation.realtime import Hub


class FakeSocket:
    def __init__(self):
        self.received = []

    async def send_text(self, text):
        message = json.loads(text)
        # Every message carries the server clock at sending (for countdowns).
        assert abs(message.pop("now") - time.time() * 1000) < 5000
        self.received.append(message)


def push(group, rev, panels, coalesce=False):
    return {"type": "hub.push", "group": group, "rev": rev, "panels": panels, "coalesce": coalesce}


async def test_one_layer_subscription_serves_every_local_socket():
    layer = InMemoryChannelLayer()
    hub = Hub(layer)
    sockets = [FakeSocket() for _ in range(50)]
    for socket in sockets:
        await hub.join("g", socket)
    assert list(layer.groups["g"]) == [hub.channel]  # one member, not fifty
    await layer.group_send("g", push("g", 3, {"a": "<p>x</p>"}))
    await asyncio.sleep(0.05)
    assert all(s.received == [{"type": "push", "rev": 3, "panels": {"a": "<p>x</p>"}}] for s in sockets)
    for socket in sockets:
        await hub.leave("g", socket)
    assert "g" not in layer.groups
    hub.reader.cancel()


async def test_coalesced_pushes_merge_into_one_with_the_newest_panels(settings):
    settings.REALTIME_COALESCE_SECONDS = 0.05
    hub = Hub(InMemoryChannelLayer())
    socket = FakeSocket()
    hub.sockets["g"].add(socket)
    await hub.dispatch(push("g", 1, {"tally": "1"}, coalesce=True))
    await hub.dispatch(push("g", 3, {"tally": "3"}, coalesce=True))
    await hub.dispatch(push("g", 2, {"tally": "2"}, coalesce=True))  # arrives late: older
    assert socket.received == []
    await asyncio.sleep(0.1)
    assert socket.received == [{"type": "push", "rev": 3, "panels": {"tally": "3"}}]


async def test_an_immediate_push_carries_what_was_buffered(settings):
    settings.REALTIME_COALESCE_SECONDS = 5
    hub = Hub(InMemoryChannelLayer())
    socket = FakeSocket()
    hub.sockets["g"].add(socket)
    await hub.dispatch(push("g", 4, {"tally": "4"}, coalesce=True))
    await hub.dispatch(push("g", 5, {"queue": "q5"}))
    assert socket.received == [{"type": "push", "rev": 5, "panels": {"tally": "4", "queue": "q5"}}]
    assert hub.pending == {}


async def test_pushes_for_groups_without_local_sockets_are_ignored():
    hub = Hub(InMemoryChannelLayer())
    await hub.dispatch(push("nobody", 1, {"a": "x"}))
    assert hub.pending == {}


async def test_state_renders_once_per_revision_for_concurrent_callers():
    hub = Hub(InMemoryChannelLayer())
    hub.sockets["g"].add(FakeSocket())
    renders = []

    async def render():
        renders.append(1)
        await asyncio.sleep(0.01)
        return 7, "state-7"

    texts = await asyncio.gather(*[hub.state("g", 7, render) for _ in range(20)])
    assert texts == ["state-7"] * 20
    assert len(renders) == 1
    assert await hub.state("g", 7, render) == "state-7" and len(renders) == 1

    # A newer revision in the database means the cache is stale.
    async def render8():
        renders.append(1)
        return 8, "state-8"

    assert await hub.state("g", 8, render8) == "state-8"
    assert len(renders) == 2
