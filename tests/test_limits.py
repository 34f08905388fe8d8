"""deliberation/limits.py: a process works on at most N HTTP requests at once."""

import asyncio

from deliberation.limits import ConcurrencyLimit


async def test_requests_past_the_limit_wait_their_turn_in_order():
    running, most, order = 0, 0, []

    async def app(scope, receive, send):
        nonlocal running, most
        running += 1
        most = max(most, running)
        order.append(scope["n"])
        await asyncio.sleep(0.01)
        running -= 1

    limited = ConcurrencyLimit(app, 3)
    await asyncio.gather(*(limited({"type": "http", "n": n}, None, None) for n in range(10)))
    assert most == 3
    assert order == list(range(10))  # first come, first served
