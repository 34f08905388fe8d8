"""deliberation/workers.py: HTTP requests run on a few long-lived threads."""

import asyncio
import threading

from asgiref.sync import ThreadSensitiveContext, sync_to_async

from deliberation.workers import WorkerThreads


async def test_requests_past_the_pool_wait_their_turn_in_order():
    running, most, order = 0, 0, []

    async def app(scope, receive, send):
        nonlocal running, most
        running += 1
        most = max(most, running)
        order.append(scope["n"])
        await asyncio.sleep(0.01)
        running -= 1

    pool = WorkerThreads(app, 3)
    await asyncio.gather(*(pool({"type": "http", "n": n}, None, None) for n in range(10)))
    assert most == 3
    assert order == list(range(10))  # first come, first served


async def test_a_request_s_sync_code_runs_on_one_of_the_pool_s_threads():
    """Also through Django's own per-request context, nested inside."""
    seen = []

    def where():
        seen.append(threading.current_thread().name)

    async def app(scope, receive, send):
        async with ThreadSensitiveContext():  # as django's ASGIHandler does
            await sync_to_async(where)()
            await sync_to_async(where)()

    pool = WorkerThreads(app, 2)
    for n in range(6):
        await pool({"type": "http", "n": n}, None, None)
    pairs = [seen[i : i + 2] for i in range(0, len(seen), 2)]
    assert all(a == b for a, b in pairs)  # one thread per request
    assert {name.split("_")[0] for name in seen} <= {"http-0", "http-1"}  # always the pool's threads
