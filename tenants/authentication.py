"""The signed-in account of a request: ``django.contrib.auth.get_user`` with the account's row read
through SQL compiled once per database connection (digisos/compiled_query.py).

Every portal request asks for its account (the session timeout, the second-factor check, the views and
templates), and Django builds and compiles ``User._default_manager.get(pk=…)`` for it each time: more
CPU than PostgreSQL needs to answer it (issue 19). The checks are Django's, unchanged and in the same
order: the session's backend must still be configured (AUTHENTICATION_BACKENDS), the backend decides
whether the account may sign in (``user_can_authenticate``: a deactivated account is nobody), and the
session's hash must match the account's password hash (a password change ends the other sessions; a
session signed under a rotated SECRET_KEY_FALLBACKS key is re-keyed, an unverified one is flushed).
Only a backend that reads the account as ModelBackend does (ModelBackend, allauth's backend) gets the
compiled statement; any other backend's ``get_user`` is called as Django calls it. The sessions stay as
they are (the same backend path), so nobody is signed out by this.

``AuthenticationMiddleware`` replaces Django's: ``request.user`` is the account itself (or
AnonymousUser), read when the request comes in, not a lazy proxy that looks up every attribute twice.
Every request that gets here asks for its account anyway (digisos.middleware.SessionTimeoutMiddleware,
two middleware later, asks ``is_authenticated`` of each), so the same statement runs, only sooner.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.middleware import auser
from django.contrib.auth.models import AnonymousUser
from django.db import router
from django.utils.crypto import constant_time_compare

from digisos.compiled_query import CompiledQuery

_USER_BY_PK = CompiledQuery(lambda pk: get_user_model()._default_manager.filter(pk=pk), pk=-719_000_303)


def _account(backend, user_id):
    """What ``backend.get_user(user_id)`` returns."""
    if type(backend).get_user is not ModelBackend.get_user:  # a backend that reads accounts its own way
        return backend.get_user(user_id)
    model = get_user_model()
    user = _USER_BY_PK.first(pk=user_id, using=router.db_for_read(model))
    if user is None:  # ModelBackend: DoesNotExist
        return None
    return user if backend.user_can_authenticate(user) else None


def get_user(request):
    """The account signed in to this request's session, or AnonymousUser: django.contrib.auth.get_user
    (Django 5.2), the account read by ``_account``."""
    user = None
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _account(backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the fallback secrets
                    # and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` read at once through ``get_user`` above (``request.auser`` as Django's)."""

    def process_request(self, request):
        if not hasattr(request, "session"):
            super().process_request(request)  # raises ImproperlyConfigured, as Django's does
        request.user = get_user(request)
        request.auser = partial(auser, request)
