"""Changing the e-mail address, the password or the second factor needs a recent authentication
(allauth, ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 minutes): a stolen session cookie alone cannot take
the account over. The password change asks for the current password instead (the same proof)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from django.conf import settings
from django.urls import reverse

from tests.conftest import TOTP_SECRET

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
REAUTH = reverse("account_reauthenticate")


def totp_now() -> str:
    return f"{hotp_value(TOTP_SECRET, int(time.time()) // 30):06d}"


def login(client, user) -> None:
    """A real login (password, then TOTP), so allauth records when the user authenticated."""
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302
    assert client.post(reverse("mfa_authenticate"), {"code": totp_now()}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def sent_to_reauthentication(response) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] in (
        REAUTH,
        reverse("mfa_reauthenticate"),
    )


@pytest.fixture
def stale(client, alice):
    """Alice logged in 6 minutes ago (a login is not a re-authentication anyway), her session still valid."""
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT == 300
    with time_machine.travel(time.time() - 360, tick=True):
        login(client, alice)
    return client


def test_changing_the_email_needs_a_recent_authentication(stale, alice):
    """Switching the primary address (the login and where security mail goes) or removing one."""
    EmailAddress.objects.create(user=alice, email="neu@example.org", verified=True, primary=False)
    response = stale.post(reverse("account_email"), {"action_primary": "", "email": "neu@example.org"})
    assert sent_to_reauthentication(response), response
    response = stale.post(reverse("account_email"), {"action_remove": "", "email": "neu@example.org"})
    assert sent_to_reauthentication(response), response
    assert EmailAddress.objects.get(email="neu@example.org").primary is False

    response = stale.post(REAUTH, {"password": "wrong password"})
    assert response.status_code == 200  # refused: form again
    assert sent_to_reauthentication(
        stale.post(reverse("account_email"), {"action_primary": "", "email": "neu@example.org"})
    )

    response = stale.post(REAUTH, {"password": PASSWORD})
    assert response.status_code == 302
    stale.post(reverse("account_email"), {"action_primary": "", "email": "neu@example.org"})
    assert EmailAddress.objects.get(email="neu@example.org").primary is True


def test_an_unverified_address_cannot_be_added_to_an_account_with_mfa(stale, alice):
    """allauth refuses it outright (an attacker with the session would verify their own address)."""
    response = stale.post(reverse("account_email"), {"action_add": "", "email": "fremd@example.org"})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    assert not EmailAddress.objects.filter(email="fremd@example.org").exists()


@pytest.mark.parametrize("name", ["mfa_deactivate_totp", "mfa_generate_recovery_codes", "mfa_add_webauthn"])
def test_changing_the_second_factor_needs_a_recent_authentication(stale, alice, name):
    response = stale.get(reverse(name))
    assert sent_to_reauthentication(response), (name, response.status_code, response.get("Location"))
    response = stale.post(reverse(name), {})
    assert sent_to_reauthentication(response)
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()

    assert stale.post(REAUTH, {"password": PASSWORD}).status_code == 302
    assert stale.get(reverse(name)).status_code == 200


def test_removing_totp_after_re_authentication_works_and_not_before(stale, alice):
    assert sent_to_reauthentication(stale.post(reverse("mfa_deactivate_totp"), {}))
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert stale.post(REAUTH, {"password": PASSWORD}).status_code == 302
    stale.post(reverse("mfa_deactivate_totp"), {})
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_a_login_alone_is_not_enough_and_a_re_authentication_lasts_five_minutes(client, alice):
    login(client, alice)
    assert sent_to_reauthentication(client.get(reverse("mfa_generate_recovery_codes")))
    assert client.post(REAUTH, {"password": PASSWORD}).status_code == 302
    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200
    with time_machine.travel(timedelta(seconds=301)):
        assert sent_to_reauthentication(client.get(reverse("mfa_generate_recovery_codes")))


def test_the_password_change_asks_for_the_current_password(stale, alice):
    url = reverse("account_change_password")
    new = "a new long passphrase 2026"
    response = stale.post(url, {"oldpassword": "not my password", "password1": new, "password2": new})
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)

    response = stale.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
