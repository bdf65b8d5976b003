"""Django's Redis cache with one ``redis.Redis`` client per connection pool (issue 19).

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache call;
its constructor fills a table of some two hundred response callbacks, which cost every signed-in
page about as much CPU as the two cache reads it makes (the session and ``tenants.middleware.has_mfa``).
The client only borrows a connection from the pool for each command, and redis-py documents it as
safe to share between threads; keeping one per pool changes nothing but that cost. Django keeps one
cache backend per thread in any case.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
