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

Both rest on other libraries' insides: the pool on asgiref 3.13's
`ThreadSensitiveContext(executor=...)`, the one-call chain on Django's
`load_middleware(is_async=...)` and `get_response_async`. Each is checked once,
when the handler is built; without it, requests get Django's stock handling
(a thread per request, the async middleware chain) and one WARNING says so.
"""

import asyncio
import inspect
import logging
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

log = logging.getLogger(__name__)


def _parameters(func):
    try:
        return inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {}


def accepts_executor(context_class):
    """Does `context_class` (asgiref's ThreadSensitiveContext) take `executor=`?"""
    return "executor" in _parameters(context_class)


def sync_chain_supported(handler_class=ASGIHandler):
    """Does Django's handler still load its middleware by `is_async` and serve
    ASGI requests through `get_response_async` and `get_response`?"""
    return (
        "is_async" in _parameters(getattr(handler_class, "load_middleware", None))
        and inspect.iscoroutinefunction(getattr(handler_class, "get_response_async", None))
        and callable(getattr(handler_class, "get_response", None))
    )


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

    sync_chain = None  # checked when the first handler is built

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if cls.sync_chain is None:
            cls.sync_chain = sync_chain_supported()
            if not cls.sync_chain:
                log.warning(
                    "Django's ASGIHandler lacks load_middleware(is_async=) or get_response_async: "
                    "requests run Django's async middleware chain (more thread switches)"
                )
        super().__init__(*args, **kwargs)

    def load_middleware(self, *args, **kwargs):
        if self.sync_chain:
            super().load_middleware(is_async=False)
        else:
            super().load_middleware(*args, **kwargs)

    async def get_response_async(self, request):
        if not self.sync_chain:
            return await super().get_response_async(request)
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


class WorkerThreads:
    def __init__(self, app, size, context=ThreadSensitiveContext):
        self.app = app
        self.size = size
        self.free = {}  # event loop -> asyncio.Queue of idle workers (tests run several loops)
        self.context = context
        self.pooled = accepts_executor(context)
        if not self.pooled:
            log.warning(
                "%s.%s does not take executor= (asgiref < 3.13): "
                "HTTP requests get a thread each (Django's stock handling), not the %d worker threads",
                context.__module__,
                context.__qualname__,
                size,
            )

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
        if not self.pooled:
            await self.app(scope, receive, send)
            return
        free = self._workers()
        worker = await free.get()
        try:
            # Django's own per-request context sits inside this one and so
            # uses this worker: one thread for the request's sync code.
            async with self.context(executor=worker):
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
