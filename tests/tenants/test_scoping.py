"""Tenant scoping: a body's users see their body only; outsiders get 404; ministry sees all."""

import pytest
from django.urls import reverse

from tenants.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db


def test_visible_to(alice, charlie, ministry, org_a, org_b):
    assert list(Organisation.objects.visible_to(alice)) == [org_a]
    assert list(Organisation.objects.visible_to(charlie)) == [org_b]
    assert set(Organisation.objects.visible_to(ministry)) == {org_a, org_b}


def test_anonymous_and_inactive_see_nothing(alice, org_a):
    from django.contrib.auth.models import AnonymousUser

    assert not Organisation.objects.visible_to(AnonymousUser()).exists()
    alice.is_active = False
    assert not Organisation.objects.visible_to(alice).exists()


def test_organisation_visible_answers_as_visible_to_does(alice, bob, charlie, ministry, org_a, org_b):
    from django.contrib.auth.models import AnonymousUser

    from tenants.selectors import organisation_visible

    inactive = Membership.objects.create(
        user=type(alice).objects.create_user(email="weg@example.org", is_active=False), organisation=org_a
    ).user
    for user in (alice, bob, charlie, ministry, inactive, AnonymousUser()):
        for org in (org_a, org_b):
            expected = Organisation.objects.visible_to(user).filter(pk=org.pk).exists()
            assert organisation_visible(user, org.pk) == expected, (user, org)
    assert organisation_visible(alice, org_a.pk) and not organisation_visible(alice, org_b.pk)
    assert organisation_visible(ministry, org_b.pk) and not organisation_visible(ministry, 10**9)


def test_it_checks_ownership(client_for, charlie, org_a):
    url = reverse("tenants:organisation_detail", args=[org_a.public_id])
    assert client_for(charlie).get(url).status_code == 404


def test_the_list_shows_only_own_bodies(client_for, alice, ministry, org_a, org_b):
    content = client_for(alice).get(reverse("tenants:organisation_list")).content.decode()
    assert org_a.name in content and org_b.name not in content
    content = client_for(ministry).get(reverse("tenants:organisation_list")).content.decode()
    assert org_a.name in content and org_b.name in content


def test_members_see_their_body_but_not_its_administration(client_for, bob, body_admin, org_a):
    response = client_for(bob).get(reverse("tenants:organisation_detail", args=[org_a.public_id]))
    assert response.status_code == 200
    assert response.context["members"] is None and response.context["invitations"] is None
    response = client_for(body_admin).get(reverse("tenants:organisation_detail", args=[org_a.public_id]))
    assert body_admin.email in response.content.decode()


def test_it_requires_rw_access_to_change_roles(client_for, bob, body_admin, alice, org_a):
    membership = Membership.objects.get(user=alice)
    url = reverse("tenants:membership_update", args=[org_a.public_id, membership.pk])
    assert client_for(bob).post(url, {"role": "admin"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.CALLER
    assert client_for(body_admin).post(url, {"role": "member"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_a_membership_of_another_body_is_404(client_for, body_admin, charlie, org_a):
    membership = Membership.objects.get(user=charlie)
    url = reverse("tenants:membership_update", args=[org_a.public_id, membership.pk])
    assert client_for(body_admin).post(url, {"role": "admin"}).status_code == 404


def test_the_last_admin_cannot_be_demoted(client_for, body_admin, org_a):
    membership = Membership.objects.get(user=body_admin)
    url = reverse("tenants:membership_update", args=[org_a.public_id, membership.pk])
    client_for(body_admin).post(url, {"role": "member"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_only_ministry_sets_eligibility(client_for, body_admin, ministry, org_a):
    url = reverse("tenants:organisation_detail", args=[org_a.public_id])
    data = {"action": "eligibility", "eligible_from": "2025-01-01", "eligible_until": "2025-12-31"}
    assert client_for(body_admin).post(url, data).status_code == 403
    assert client_for(ministry).post(url, data).status_code == 302
    org_a.refresh_from_db()
    assert str(org_a.eligible_until) == "2025-12-31"
    bad = {"action": "eligibility", "eligible_from": "2025-06-01", "eligible_until": "2025-01-01"}
    response = client_for(ministry).post(url, bad)
    assert response.status_code == 200
    assert "vor ihrem Beginn" in response.content.decode()


def test_emergency_contacts_must_be_outside_the_bodys_domain(client_for, body_admin, org_a):
    url = reverse("tenants:organisation_detail", args=[org_a.public_id])
    own = f"it@{org_a.own_domain_list()[0]}"
    data = {"action": "contact", "name": "Notfall", "mobile": "+49 171 1234567", "email": own, "position": 0}
    response = client_for(body_admin).post(url, data)
    assert response.status_code == 200
    assert not org_a.emergency_contacts.exists()
    data["email"] = "notfall@example.org"
    assert client_for(body_admin).post(url, data).status_code == 302
    assert org_a.emergency_contacts.get().email == "notfall@example.org"


def test_ministry_only_invites_ministry_staff(client_for, body_admin, ministry):
    url = reverse("tenants:ministry_invitation_create")
    assert client_for(body_admin).get(url).status_code == 403
    assert client_for(ministry).post(url, {"email": "neu@mhkbd.example"}).status_code == 302


@pytest.mark.parametrize("contact", ["abc", "", "99999", "1; DROP TABLE"])
def test_deleting_an_unknown_contact_is_404_not_500(client_for, body_admin, org_a, contact):
    url = reverse("tenants:organisation_detail", args=[org_a.public_id])
    assert client_for(body_admin).post(url, {"action": "contact_delete", "contact": contact}).status_code == 404
