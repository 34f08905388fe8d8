"""The Redis cache shares one connection pool per process (deliberation/cache.py)."""

import asyncio
import os
import threading

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches

from deliberation.cache import SharedRedisCache

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis: set REDIS_URL")


def test_cache_objects_share_one_client_per_location():
    a = SharedRedisCache("redis://127.0.0.1:6379/5", {})
    b = SharedRedisCache("redis://127.0.0.1:6379/5", {})
    elsewhere = SharedRedisCache("redis://127.0.0.1:6379/6", {})
    assert a._cache is b._cache
    assert elsewhere._cache is not a._cache


@needs_redis
def test_many_sockets_and_requests_use_a_few_redis_connections():
    """Each websocket and request is an asyncio context with a cache object of
    its own; with Django's RedisCache each opened (and kept) a connection."""
    import redis

    cache = caches["default"]
    assert isinstance(cache, SharedRedisCache)
    cache.set("probe", "x")
    admin = redis.Redis.from_url(os.environ["REDIS_URL"])
    opened_before = admin.info("stats")["total_connections_received"]

    async def one_context():
        return await sync_to_async(lambda: (caches["default"].get("probe"), id(caches["default"]._cache)))()

    async def room():
        return await asyncio.gather(*(asyncio.create_task(one_context()) for _ in range(200)))

    # A thread of its own, as Daphne's loop: a context that never touched the
    # cache, so each task's cache object is its own.
    answers = []
    loop = threading.Thread(target=lambda: answers.extend(asyncio.run(room())))
    loop.start()
    loop.join()
    assert [value for value, _client in answers] == ["x"] * 200
    assert len({client for _value, client in answers}) == 1
    assert admin.info("stats")["total_connections_received"] - opened_before <= 4
