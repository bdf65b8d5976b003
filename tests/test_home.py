import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_callers_see_the_emergency_button_members_do_not(client_for, alice, bob):
    assert "Notfall-Abruf starten" in client_for(alice).get(reverse("home")).content.decode()
    assert "Notfall-Abruf starten" not in client_for(bob).get(reverse("home")).content.decode()


def test_the_login_page_does_not_invite_to_sign_up(client):
    content = client.get(reverse("account_login")).content.decode()
    assert "nur auf Einladung" in content
    assert reverse("account_signup") not in content


def test_an_invitation_link_works_before_mfa_is_set_up(client_for, body_admin, org_a):
    from tenants import services
    from tests.factories import UserFactory

    _invitation, token = services.invitation_create(
        actor=body_admin, email="noch.ohne.mfa@example.org", organisation=org_a, role="member"
    )
    user = UserFactory(email="noch.ohne.mfa@example.org", mfa=False)
    response = client_for(user).get(reverse("tenants:invitation_accept", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert user.memberships.filter(organisation=org_a).exists()


def test_only_the_longest_matching_nav_entry_is_current(client_for, ministry):
    import re

    content = client_for(ministry).get(reverse("calloffs:contract_dashboard")).content.decode()
    current = re.findall(r'<a[^>]*aria-current="page"[^>]*>([^<]+)</a>', content)
    assert current == ["Rahmenvertrag"]
