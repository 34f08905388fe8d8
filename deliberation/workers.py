"""Which threads run Django's sync code for HTTP requests, how many at once,
and how often a request hops between them and the event loop.

Left to itself, Django's ASGI handler gives every request a new thread (a
"thread-sensitive context" per request) and, with it, a new database
connection. When a room of phones votes within seconds, hundreds of requests
would each start a thread, open a connection and fight over the one
interpreter lock: every one of them slower, the first answer as late as the
last.

Here a process keeps `size` worker threads. A request takes a free one (the
others wait their turn on the event loop, in arrival order, which costs
nothing) and all of its sync code runs on that thread, whose database
connection outlives the request (CONN_MAX_AGE). Websockets are not routed
through here.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware chain and the view run as
    its WSGI handler runs them: one sync call per request.

    Django's ASGI handler runs async-capable middleware (all of Django's own)
    in async mode, hopping to a thread and back for each of its
    process_request/process_response calls: some twenty thread switches per
    request through the event loop that also feeds the websockets. Our views
    are sync, so the whole chain is: the body is read on the event loop,
    then middleware and view run in one go on the request's worker thread.
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


class WorkerThreads:
    def __init__(self, app, size):
        self.app = app
        self.size = size
        self.free = {}  # event loop -> asyncio.Queue of idle workers (tests run several loops)

    def _workers(self):
        loop = asyncio.get_running_loop()
        free = self.free.get(loop)
        if free is None:
            free = self.free[loop] = asyncio.Queue()
            for n in range(self.size):
                # One thread each: asgiref requires it of a context's executor.
                free.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{n}"))
        return free

    async def __call__(self, scope, receive, send):
        free = self._workers()
        worker = await free.get()
        try:
            # Django's own per-request context sits inside this one and so
            # uses this worker: one thread for the request's sync code.
            async with ThreadSensitiveContext(executor=worker):
                await self.app(scope, receive, send)
        finally:
            free.put_nowait(worker)

    async def close_connections(self):
        """Close the database connections this loop's idle workers keep (a
        test's end: PostgreSQL will not drop a database still in use)."""
        from django.db import connections

        loop = asyncio.get_running_loop()
        free = self.free.get(loop)
        idle = [] if free is None else [free.get_nowait() for _ in range(free.qsize())]
        for worker in idle:
            await loop.run_in_executor(worker, connections.close_all)
            free.put_nowait(worker)
