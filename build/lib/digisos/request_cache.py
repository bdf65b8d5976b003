"""Facts read once per request: who the requesting account belongs to (its bodies and roles, its
provider) is asked by the view, the permission checks, the visibility scopes and the templates of
one request, several times each. ``memoize`` keeps the answer for the rest of that request only.

Outside a request (Celery tasks, management commands, tests calling services directly) nothing is
kept: every call reads again, exactly as without this module. The cache lives in a context
variable, so each thread of a threaded server has its own, and it is dropped when the response
leaves the middleware.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_cache: ContextVar[dict | None] = ContextVar("digisos_request_cache", default=None)


def memoize(key: Hashable, compute: Callable[[], T]) -> T:
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def prime(key: Hashable, value) -> None:
    """Set what the rest of this request will be told (when it is known without a query)."""
    cache = _cache.get()
    if cache is not None:
        cache[key] = value


def drop(key: Hashable) -> None:
    """Drop one fact this request has kept (it changed)."""
    cache = _cache.get()
    if cache is not None:
        cache.pop(key, None)


def forget() -> None:
    """Drop what this request has kept (after it changed what was kept, e.g. a membership)."""
    cache = _cache.get()
    if cache is not None:
        cache.clear()


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
