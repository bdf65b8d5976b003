import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.urls import reverse

from tests.conftest import TOTP_SECRET
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def totp_now():
    return f"{hotp_value(TOTP_SECRET, int(time.time()) // 30):06d}"


def test_login_needs_password_and_totp(client, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in yet: the portal still sends us to the login.
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: form again, not logged in
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_does_not_reach_the_second_factor(client, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_an_account_without_mfa_must_set_it_up_first(client):
    user = UserFactory(mfa=False)
    MembershipFactory(user=user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for url in (reverse("home"), reverse("tenants:organisation_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": f"{hotp_value(secret, int(time.time()) // 30):06d}"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_an_account_with_mfa_is_let_through(client, alice):
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200


def test_an_account_whose_second_factor_is_removed_must_set_one_up_again(client, alice):
    """has_mfa keeps its yes in the cache (one query less per page); removing the authenticator drops it."""
    from allauth.mfa.models import Authenticator

    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200  # the yes is kept now
    for authenticator in Authenticator.objects.filter(user=alice):
        authenticator.delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(reverse("tenants:organisation_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_failed_logins_are_rate_limited(client, alice):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    # allauth refuses further attempts for this account for a while, even with the right password.
    assert response.status_code in (200, 429)
    assert "mfa_authenticate" not in response.get("Location", "")
