"""Rate limit per API key (settings.API_RATE_LIMIT, e.g. "600/min"), counted in the cache.

A fixed-window counter (``cache.add`` + ``cache.incr``, atomic in Redis) rather than DRF's
SimpleRateThrottle, which stores and re-pickles the whole request history of a key on every
request and loses updates between concurrent workers. With Redis as CACHE_URL the limit holds
across all workers and hosts; with the per-process caches (file, locmem) it is approximate.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), DURATIONS[period[0]]


class ApiKeyRateThrottle(BaseThrottle):
    scope = "provider_api_key"

    def allow_request(self, request, view) -> bool:
        key = getattr(request, "auth", None)
        if key is None or not getattr(key, "pk", None):
            return True  # unauthenticated requests end in 401 before any work is done
        limit, duration = parse_rate(settings.API_RATE_LIMIT)  # read per request: settings may change in tests
        now = time.time()
        window = int(now // duration)
        cache_key = f"throttle:{self.scope}:{key.pk}:{duration}:{window}"
        cache.add(cache_key, 0, timeout=duration + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=duration + 1)
            count = 1
        self._wait = (window + 1) * duration - now
        return count <= limit

    def wait(self) -> float:
        return getattr(self, "_wait", None)
