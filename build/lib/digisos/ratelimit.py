"""One fixed-window rate limiter for everything the portal counts: API requests per key, documents
per user, public forms per address.

A fixed-window counter in the cache (one INCR, with the window's expiry set by the first hit, in a
Lua script: one round trip to Redis; ``cache.add`` + ``cache.incr`` on the other caches) rather than
DRF's SimpleRateThrottle, which stores and re-pickles the whole request history of a key on every
request and loses updates between concurrent workers. With Redis as CACHE_URL a limit holds across
all workers and hosts; with the per-process caches (file, locmem) it is approximate.

Rates are written like DRF's: ``"600/min"``, ``"20/hour"`` (s, sec, m, min, h, hour, d, day); the
settings check them at start-up with ``digisos.settings.parsers.env_rate``.
"""

from __future__ import annotations

import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

#: INCR the window's counter; the first hit of a window gives it its expiry (what cache.add did).
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/hour"`` → ``(20, 3600)``: the number of hits and the window in seconds."""
    count, period = rate.split("/")
    return int(count), DURATIONS[period[0]]


def hit(key: str, rate: str) -> tuple[bool, float]:
    """Count one hit for ``key`` in the current window of ``rate``.

    Returns whether the hit is within the limit and the seconds until the window ends (for a
    ``Retry-After``)."""
    limit, seconds = parse_rate(rate)
    now = time.time()
    window = int(now // seconds)
    cache_key = f"throttle:{key}:{seconds}:{window}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        count = _redis_count(backend, cache_key, seconds + 1)
    else:
        cache.add(cache_key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=seconds + 1)
            count = 1
    return count <= limit, (window + 1) * seconds - now


def _redis_count(backend: RedisCache, cache_key: str, timeout: int) -> int:
    """The window's count after this hit, in one round trip (EVALSHA, EVAL the first time). The
    script and its client are kept on the backend (one per thread): Django's RedisCache builds a
    new client for every command."""
    script = getattr(backend, "_digisos_count_script", None)
    if script is None:
        script = backend._cache.get_client(write=True).register_script(_COUNT_SCRIPT)
        backend._digisos_count_script = script
    return int(script(keys=[backend.make_and_validate_key(cache_key)], args=[timeout]))
