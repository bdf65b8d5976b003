"""Demo accounts (public password and TOTP secret, README) log in only on a demo instance
(DEBUG on, or DEMO_MODE=1); the admin never shows a TOTP secret or the recovery codes' seed."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from tenants.demo import DEMO_PASSWORD, ensure_user
from tests.conftest import TOTP_SECRET
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "KOELNMEMBERDEMOA"


def login(client, email: str, password: str = DEMO_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password}, follow=True)


@pytest.fixture
def demo_user():
    return ensure_user("lesen.koeln@demo.digisos.invalid", "Lena", "Köln", SECRET)


def test_seed_demo_marks_its_accounts(demo_user):
    assert demo_user.is_demo
    assert not UserFactory().is_demo


def test_a_demo_account_is_refused_with_debug_off(client, demo_user, settings):
    settings.DEBUG, settings.DEMO_MODE = False, False
    response = login(client, demo_user.email)
    assert "Demo-Konten sind auf dieser Installation gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert reverse("mfa_authenticate") not in [url for url, _status in response.redirect_chain]
    assert client.get(reverse("home")).status_code == 302  # still logged out


@pytest.mark.parametrize("debug, demo_mode", [(True, False), (False, True)])
def test_a_demo_instance_lets_demo_accounts_in(client, demo_user, settings, debug, demo_mode):
    settings.DEBUG, settings.DEMO_MODE = debug, demo_mode
    response = login(client, demo_user.email)
    assert "gesperrt" not in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_authenticate"))  # on to the second factor


def test_a_real_account_is_not_affected(client, settings):
    settings.DEBUG, settings.DEMO_MODE = False, False
    user = UserFactory(email="echt@example.org")
    response = login(client, user.email, "correct horse battery staple")
    assert "gesperrt" not in response.content.decode()


def test_the_admin_never_shows_totp_secrets_or_recovery_codes(client_for, ministry):
    ministry.is_staff = ministry.is_superuser = True
    ministry.save()
    if not Authenticator.objects.filter(user=ministry, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(ministry, TOTP_SECRET)
    codes = RecoveryCodes.activate(ministry)
    assert Authenticator.objects.filter(user=ministry).count() == 2
    client = client_for(ministry)
    for authenticator in Authenticator.objects.filter(user=ministry):
        pages = [
            client.get("/admin/mfa/authenticator/"),
            client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/"),
        ]
        for page in pages:
            assert page.status_code == 200
            content = page.content.decode()
            assert TOTP_SECRET not in content
            assert "seed" not in content and "unused_code_mask" not in content
            assert not any(code in content for code in codes.get_unused_codes())
        assert client.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403
    user_page = client.get(f"/admin/tenants/user/{ministry.pk}/change/").content.decode()
    assert TOTP_SECRET not in user_page
