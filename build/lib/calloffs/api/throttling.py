"""Rate limit per API key (settings.API_RATE_LIMIT, e.g. "600/min"), counted by digisos.ratelimit."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from digisos.ratelimit import hit


class ApiKeyRateThrottle(BaseThrottle):
    scope = "provider_api_key"

    def allow_request(self, request, view) -> bool:
        key = getattr(request, "auth", None)
        if key is None or not getattr(key, "pk", None):
            return True  # unauthenticated requests end in 401 before any work is done
        # read per request: settings may change in tests
        allowed, self._wait = hit(f"{self.scope}:{key.pk}", settings.API_RATE_LIMIT)
        return allowed

    def wait(self) -> float:
        return getattr(self, "_wait", None)
