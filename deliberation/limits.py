"""How many HTTP requests a process works on at once.

Django runs each request's sync code in a thread of its own. When a room of
phones votes within seconds, hundreds of requests would each get a thread
and fight over the one interpreter lock (and the database): every one of
them slower, the first answer as late as the last. Past `limit` requests in
progress, the others wait their turn on the event loop, which costs nothing,
and are served in order of arrival. Websockets are not limited here.
"""

import asyncio


class ConcurrencyLimit:
    def __init__(self, app, limit):
        self.app = app
        self.limit = limit
        self.gates = {}  # event loop -> semaphore (tests run several loops)

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        gate = self.gates.get(loop)
        if gate is None:
            gate = self.gates[loop] = asyncio.Semaphore(self.limit)
        async with gate:
            await self.app(scope, receive, send)
