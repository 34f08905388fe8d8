"""Django's Redis cache, with one connection pool per process.

Django keeps a cache object per thread and per asyncio context, and its
Redis backend keeps a connection pool per cache object. Every request and
every websocket is a context of its own, so each opened a Redis connection
of its own: a new TCP connection per request, and one held open per phone
for as long as its socket lived (2,000 phones, 2,000 Redis connections and
some 10 KB of memory each). redis-py's pool is thread-safe, so here all the
cache objects of a process share one client and its pool.
"""

import threading

from django.core.cache.backends.redis import RedisCache

_clients = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._client_key = (tuple(self._servers), repr(sorted(self._options.items())))

    @property
    def _cache(self):
        client = _clients.get(self._client_key)
        if client is None:
            with _lock:
                client = _clients.setdefault(self._client_key, self._class(self._servers, **self._options))
        return client
