"""Django's Redis cache, with one connection pool per process.

Django keeps a cache object per thread and per asyncio context, and its
Redis backend keeps a connection pool per cache object. Every request and
every websocket is a context of its own, so each opened a Redis connection
of its own: a new TCP connection per request, and one held open per phone
for as long as its socket lived (2,000 phones, 2,000 Redis connections and
some 10 KB of memory each). redis-py's pool is thread-safe, so here all the
cache objects of a process share one client and its pool.

That reads what Django's RedisCache keeps (`_servers`, `_options`, `_class`,
its `_cache` client). If a Django release no longer keeps them, the first
cache object built says so in one WARNING and every cache object uses its own
client, as Django's does (a pool per context again, but working).
"""

import logging
import threading

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

NEEDS = ("_servers", "_options", "_class")

_clients = {}
_lock = threading.Lock()
_shared = None  # None: not checked yet; then whether RedisCache keeps NEEDS and `_cache`


def _check(cache):
    global _shared
    missing = [name for name in NEEDS if not hasattr(cache, name)]
    if not hasattr(RedisCache, "_cache"):
        missing.append("_cache")
    if missing:
        log.warning(
            "django.core.cache.backends.redis.RedisCache lacks %s: "
            "each cache object keeps its own Redis connection pool",
            ", ".join(missing),
        )
    _shared = not missing
    return _shared


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        shared = _shared if _shared is not None else _check(self)
        self._client_key = (tuple(self._servers), repr(sorted(self._options.items()))) if shared else None

    @property
    def _cache(self):
        if self._client_key is None:
            return self._own_client()
        client = _clients.get(self._client_key)
        if client is None:
            with _lock:
                client = _clients.setdefault(self._client_key, self._class(self._servers, **self._options))
        return client

    def _own_client(self):
        """Django's own `_cache`: this object's client (and pool), made once."""
        client = self.__dict__.get("_own_cache")
        if client is None:
            client = self.__dict__["_own_cache"] = super()._cache
        return client
