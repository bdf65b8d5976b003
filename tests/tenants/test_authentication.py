"""tenants.authentication: the request's account read through compiled SQL, with Django's checks.

Each case builds two sessions with the same contents and asks Django's ``get_user`` for one and ours for
the other: the same account (or nobody), and the sessions left in the same state (flushed, re-keyed,
hash rewritten). Then the same through the portal: a password change, a deactivated or deleted account,
a login waiting for its second factor.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from tenants import authentication
from tests.conftest import TOTP_SECRET

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
OLD_SECRET = "an-earlier-secret-key-0123456789abcdef0123456789abcdef"


def request_with(contents: dict):
    session = SessionStore()
    session.update(contents)
    session.create()
    request = RequestFactory().get("/")
    request.session = SessionStore(session.session_key)
    return request


def both(contents: dict):
    """Django's answer and ours, each with the request it was asked for."""
    django_request, our_request = request_with(contents), request_with(contents)
    return (auth.get_user(django_request), django_request), (authentication.get_user(our_request), our_request)


def session_state(request) -> tuple:
    session = request.session
    return (session.session_key is None, sorted(session.keys()), session.get(HASH_SESSION_KEY))


def assert_same(contents: dict):
    (theirs, their_request), (ours, our_request) = both(contents)
    assert type(ours) is type(theirs)
    assert ours.pk == theirs.pk
    assert ours.is_authenticated == theirs.is_authenticated
    assert session_state(our_request) == session_state(their_request)
    return ours, our_request


def signed_in(user, backend=MODEL_BACKEND, **extra) -> dict:
    return {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: backend,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        **extra,
    }


@pytest.mark.parametrize("backend", [MODEL_BACKEND, ALLAUTH_BACKEND])
def test_it_reads_the_account_of_the_session(alice, backend):
    user, _ = assert_same(signed_in(alice, backend))
    assert user.pk == alice.pk and user.email == alice.email
    # The whole row, as ModelBackend reads it: same field values.
    fresh = type(alice).objects.get(pk=alice.pk)
    assert {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields} == {
        f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields
    }


def test_a_password_change_ends_the_session(alice):
    contents = signed_in(alice)
    alice.set_password("another password, long enough")
    alice.save()
    user, request = assert_same(contents)
    assert isinstance(user, AnonymousUser)
    assert request.session.session_key is None  # flushed


def test_a_session_without_hash_is_nobody(alice):
    contents = signed_in(alice)
    del contents[HASH_SESSION_KEY]
    user, _ = assert_same(contents)
    assert isinstance(user, AnonymousUser)


def test_a_deactivated_account_is_nobody(alice):
    contents = signed_in(alice)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    user, _ = assert_same(contents)
    assert isinstance(user, AnonymousUser)


def test_a_deleted_account_is_nobody(alice):
    contents = signed_in(alice)
    type(alice).objects.filter(pk=alice.pk).delete()
    user, _ = assert_same(contents)
    assert isinstance(user, AnonymousUser)


def test_a_backend_no_longer_configured_is_nobody(alice):
    user, _ = assert_same(signed_in(alice, "django.contrib.auth.backends.RemoteUserBackend"))
    assert isinstance(user, AnonymousUser)


@pytest.mark.parametrize(
    "contents",
    [{}, {BACKEND_SESSION_KEY: MODEL_BACKEND}, {"account_login": {"state": "mfa"}}],
    ids=["empty", "no-account", "login-waiting-for-mfa"],
)
def test_a_session_without_account_is_nobody(contents):
    user, _ = assert_same(contents)
    assert isinstance(user, AnonymousUser)


def test_a_session_of_a_rotated_secret_key_is_rekeyed(alice):
    old_hash = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        alice.password,
        secret=OLD_SECRET,
        algorithm="sha256",
    ).hexdigest()
    contents = signed_in(alice, **{HASH_SESSION_KEY: old_hash})
    with override_settings(SECRET_KEY_FALLBACKS=[OLD_SECRET]):
        their_request, our_request = request_with(contents), request_with(contents)
        keys = their_request.session.session_key, our_request.session.session_key
        theirs, ours = auth.get_user(their_request), authentication.get_user(our_request)
    assert ours.pk == theirs.pk == alice.pk
    rewritten = our_request.session[HASH_SESSION_KEY]
    assert rewritten == their_request.session[HASH_SESSION_KEY] == alice.get_session_auth_hash()
    # Re-keyed: a new session key for each.
    assert their_request.session.session_key != keys[0] and our_request.session.session_key != keys[1]
    # Without the fallback the same session is nobody.
    user, _ = assert_same(contents)
    assert isinstance(user, AnonymousUser)


class CountingBackend(ModelBackend):
    """A backend that reads accounts its own way: its get_user is what decides."""

    asked = []

    def get_user(self, user_id):
        self.asked.append(user_id)
        return super().get_user(user_id)


def test_a_backend_with_its_own_get_user_is_asked(alice):
    path = f"{__name__}.CountingBackend"
    CountingBackend.asked.clear()
    with override_settings(AUTHENTICATION_BACKENDS=[*settings.AUTHENTICATION_BACKENDS, path]):
        user, _ = assert_same(signed_in(alice, path))
    assert user.pk == alice.pk
    assert CountingBackend.asked == [alice.pk, alice.pk]  # Django's and ours


def test_request_user_is_the_account_itself(client, alice):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is type(alice)
    assert response.wsgi_request.user.pk == alice.pk


def test_the_portal_signs_out_after_a_password_change(client_for, alice):
    client = client_for(alice)
    assert client.get(reverse("home")).status_code == 200
    alice.set_password("another password, long enough")
    alice.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_portal_signs_out_a_deactivated_account(client_for, alice):
    client = client_for(alice)
    assert client.get(reverse("home")).status_code == 200
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_login_waiting_for_its_second_factor_is_not_signed_in(client, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert isinstance(response.wsgi_request.user, AnonymousUser)
    code = f"{hotp_value(TOTP_SECRET, int(time.time()) // 30):06d}"
    client.post(reverse("mfa_authenticate"), {"code": code})
    response = client.get(reverse("home"))
    assert response.status_code == 200
    # A real login stores the backend that signed the account in; the session keeps it.
    assert client.session[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert response.wsgi_request.user.pk == alice.pk
