"""digisos.cache.RedisCache: Django's Redis cache, one client per connection pool (issue 19)."""

from __future__ import annotations

import pytest
from django.conf import settings

from digisos.cache import RedisCache


@pytest.fixture
def redis_cache():
    # The redis db named for the cache of this run (CACHE_URL), or the broker's when the cache is local.
    url = settings.CACHES["default"].get("LOCATION") if "Redis" in settings.CACHES["default"]["BACKEND"] else None
    cache = RedisCache(url or settings.CELERY_BROKER_URL, {"KEY_PREFIX": "test-cache-backend"})
    yield cache
    cache.delete_many(["a", "b", "n"])


def test_it_is_the_redis_cache_of_the_settings_when_redis_is_configured():
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        assert settings.CACHES["default"]["BACKEND"] == "digisos.cache.RedisCache"


@pytest.mark.redis
def test_it_keeps_one_client_per_pool_and_still_works(redis_cache):
    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b", write=True) is client  # one server: one pool for both
    redis_cache.set("a", {"x": 1}, 30)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.add("b", 2, 30) and not redis_cache.add("b", 3, 30)
    assert redis_cache.get_many(["a", "b"]) == {"a": {"x": 1}, "b": 2}
    assert redis_cache.incr("b") == 3
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"
