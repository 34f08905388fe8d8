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


class ContextWithoutExecutor:
    """asgiref < 3.13's ThreadSensitiveContext: no `executor=`."""

    def __init__(self):
        self.inner = ThreadSensitiveContext()

    async def __aenter__(self):
        return await self.inner.__aenter__()

    async def __aexit__(self, *exc):
        return await self.inner.__aexit__(*exc)


async def test_without_executor_requests_get_django_s_stock_handling_and_one_warning(caplog):
    import logging

    seen = []

    def where():
        seen.append(threading.current_thread().name)

    async def app(scope, receive, send):
        async with ThreadSensitiveContext():  # as django's ASGIHandler does
            await sync_to_async(where)()

    with caplog.at_level(logging.WARNING, logger="deliberation.workers"):
        pool = WorkerThreads(app, 2, context=ContextWithoutExecutor)
        await asyncio.gather(*(pool({"type": "http", "n": n}, None, None) for n in range(5)))
    assert len(seen) == 5  # every request served, none raised TypeError
    assert not any(name.startswith("http-") for name in seen)  # Django's own threads
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "executor" in warnings[0].getMessage()
    await pool.close_connections()  # nothing to close, and no error


def test_the_installed_asgiref_and_django_support_the_pool_and_the_one_call_chain():
    """CI runs the pinned versions: the fast paths must be on there."""
    from deliberation.workers import accepts_executor, sync_chain_supported

    assert accepts_executor(ThreadSensitiveContext)
    assert sync_chain_supported()


def test_a_django_without_the_sync_chain_hooks_is_noticed():
    from django.core.handlers.asgi import ASGIHandler

    from deliberation.workers import sync_chain_supported

    class OldHandler(ASGIHandler):
        def load_middleware(self):  # no is_async
            pass

    class NoAsyncResponse:
        def load_middleware(self, is_async=False):
            pass

        def get_response(self, request):
            pass

    assert not sync_chain_supported(OldHandler)
    assert not sync_chain_supported(NoAsyncResponse)


async def test_without_the_sync_chain_hooks_the_handler_serves_django_s_way(monkeypatch, caplog):
    import logging

    from django.test import AsyncRequestFactory

    from deliberation import workers

    monkeypatch.setattr(workers.SyncChainHandler, "sync_chain", None)
    monkeypatch.setattr(workers, "sync_chain_supported", lambda: False)
    with caplog.at_level(logging.WARNING, logger="deliberation.workers"):
        handler = workers.SyncChainHandler()
        workers.SyncChainHandler()  # a second one: no second warning
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert handler.sync_chain is False
    response = await handler.get_response_async(AsyncRequestFactory().get("/healthz-nonexistent/"))
    assert response.status_code in (301, 302, 404)
