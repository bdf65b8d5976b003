"""One fixed-window rate limiter for everything the portal counts: API requests per key, documents
per user, public forms per address.

A fixed-window counter in the cache (``cache.add`` + ``cache.incr``, atomic in Redis) rather than
DRF's SimpleRateThrottle, which stores and re-pickles the whole request history of a key on every
request and loses updates between concurrent workers. With Redis as CACHE_URL a limit holds across
all workers and hosts; with the per-process caches (file, locmem) it is approximate.

Rates are written like DRF's: ``"600/min"``, ``"20/hour"`` (s, sec, m, min, h, hour, d, day); the
settings check them at start-up with ``digisos.settings.parsers.env_rate``.
"""

from __future__ import annotations

import time

from django.core.cache import cache

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=seconds + 1)
        count = 1
    return count <= limit, (window + 1) * seconds - now
