"""Rate limit per API key (settings.API_RATE_LIMIT), counted in the cache."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "provider_api_key"

    def get_rate(self):
        # Read on every request (not at import) so a deployment or a test can change it.
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        key = getattr(request, "auth", None)
        if key is None or not getattr(key, "pk", None):
            return None  # unauthenticated requests end in 401 before any work is done
        return self.cache_format % {"scope": self.scope, "ident": key.pk}
