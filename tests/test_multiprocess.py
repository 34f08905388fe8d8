"""Several Daphne processes behind a proxy, one Redis: changes reach every
screen, whichever process it is connected to, and a Redis connection that
drops and returns leaves no screen behind.

These need a real Redis (REDIS_URL); CI runs them in its PostgreSQL + Redis pass.
"""

import asyncio
import json
import os
import re
import threading
import time

import pytest

from bench.servers import free_port
from tests.appserver import LiveServer, Phone

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis: set REDIS_URL"),
]

SETUP = """
from compounds.models import Credential
from meetings.models import Meeting
# The demo's council meeting, not its owners' meeting nor its budget meeting.
meeting = Meeting.objects.get(kind=Meeting.Kind.COUNCIL, title__startswith="青梧苑小区议事会")
codes = Credential.objects.filter(revoked_at__isnull=True, household__kind="residence").order_by("household_id")
print("SETUP", meeting.code, meeting.projector_key, ",".join(codes.values_list("code", flat=True)[:5]))
"""


def joined_count(message):
    html = message.get("panels", {}).get("attendance", "")
    found = re.search(r'data-testid="joined-count">(\d+)<', html)
    return int(found.group(1)) if found else None


async def watch_projector(port, meeting, key, want, timeout):
    """Connect as the projector to `port`; return once it shows `want` households joined."""
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/m/{meeting}/projector/?key={key}&lang=zh-hans"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as socket:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(await asyncio.wait_for(socket.recv(), deadline - time.monotonic()))
            if joined_count(message) == want:
                return message
    raise AssertionError(f"the projector on port {port} never showed {want} joined")


@pytest.fixture
def two_processes(tmp_path_factory):
    server = LiveServer(tmp_path_factory)
    second_port = free_port()
    second = server.daphne(second_port)
    out = server.manage("shell", "-c", SETUP)
    meeting, key, codes = re.search(r"^SETUP (\w+) (\S+) (.*)$", out, re.M).groups()
    yield server, second_port, meeting, key, codes.split(",")
    second.kill()
    second.wait()
    server.close()


def test_a_change_made_through_one_process_reaches_screens_on_another(two_processes):
    server, second_port, meeting, key, codes = two_processes

    async def scenario():
        watcher = asyncio.ensure_future(watch_projector(second_port, meeting, key, want=1, timeout=10))
        await asyncio.sleep(0.5)  # the projector is connected to the second process
        # A phone joins through the first process.
        await asyncio.to_thread(Phone(server.base, meeting, codes[0]).join)
        started = time.monotonic()
        await watcher
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 2


def test_screens_catch_up_after_the_redis_connection_drops(two_processes):
    import redis

    server, second_port, meeting, key, codes = two_processes
    admin = redis.Redis.from_url(os.environ["REDIS_URL"])
    stop = threading.Event()

    def drop_subscribers():
        # Keep cutting every pub/sub connection: pushes published meanwhile are lost.
        while not stop.is_set():
            admin.client_kill_filter(_type="pubsub")
            time.sleep(0.02)

    async def scenario():
        watcher = asyncio.ensure_future(watch_projector(second_port, meeting, key, want=2, timeout=20))
        await asyncio.sleep(0.5)
        cutter = threading.Thread(target=drop_subscribers)
        cutter.start()
        try:
            for code in codes[:2]:
                await asyncio.to_thread(Phone(server.base, meeting, code).join)
            await asyncio.sleep(1)
        finally:
            stop.set()
            cutter.join()
        await watcher  # the second process healed: current state, within seconds

    asyncio.run(scenario())
