"""``Authorization: Bearer <key>`` with a provider API key.

``request.user`` becomes the provider's technical account (a provider actor for the services),
``request.auth`` the ProviderApiKey. A missing, malformed, wrong, revoked or expired key all
end in the same 401 (see problems.exception_handler).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from digisos.request_cache import prime

from ..services.api_keys import api_key_authenticate


class ProviderApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.encode():
            raise exceptions.AuthenticationFailed()
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed() from exc
        key = api_key_authenticate(raw)
        if key is None:
            raise exceptions.AuthenticationFailed()
        # A key's account is its provider's API account (services/api_keys.py): member of no body,
        # and staff of the key's provider as long as its membership exists (read with the key).
        # Primed here, the scopes and permission checks of this request need no query for it; they
        # can only narrow what the account's rows would give, never widen it.
        prime(("provider_ids_of", key.account_id), [key.provider_id] if key.account_is_staff else [])
        prime(("roles_of", key.account_id), {})
        return key.account, key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when the key is missing.
        return 'Bearer realm="digisos"'


class ProviderApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "calloffs.api.authentication.ProviderApiKeyAuthentication"
    name = "providerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A provider API key (dsk_…), issued by the ministry and shown once.",
        }
