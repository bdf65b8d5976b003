"""Every signed-in account sets up a second factor before anything else is shown."""

from __future__ import annotations

import logging
from functools import partial

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

logger = logging.getLogger(__name__)

# Paths a user without MFA may still reach: MFA set-up itself, logout, language switch,
# static assets, health checks and the token-authenticated provider API.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/i18n/",
    "/static/",
    "/health/",
    "/api/",
    "/barrierefreiheit/",
    "/stellen/einladung/",
    "/verify/",
)


#: "This account has a second factor", kept in the shared cache (only the yes: an account that
#: sets one up is let in at once) and dropped when one of its authenticators is saved or deleted.
MFA_KNOWN_TIMEOUT = 600


def _mfa_key(user_id) -> str:
    return f"tenants:has-mfa:{user_id}"


def has_mfa(user) -> bool:
    key = _mfa_key(user.pk)
    try:
        if cache.get(key):
            return True
    except Exception:  # the cache is down: ask the database
        logger.warning("has_mfa: cache unreachable", exc_info=True)
    found = Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
    if found:
        try:
            cache.set(key, True, timeout=MFA_KNOWN_TIMEOUT)
        except Exception:
            logger.warning("has_mfa: cache unreachable", exc_info=True)
    return found


def _forget_mfa(user_id) -> None:
    try:
        cache.delete(_mfa_key(user_id))
    except Exception:
        logger.warning("has_mfa: cache unreachable, not forgotten", exc_info=True)


def authenticator_changed(sender, instance, **kwargs) -> None:
    """An authenticator of the account was saved or deleted: ask the database next time (now, and
    again after the commit, so that no request reading before the commit keeps the old answer)."""
    _forget_mfa(instance.user_id)
    transaction.on_commit(partial(_forget_mfa, instance.user_id))


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not has_mfa(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
