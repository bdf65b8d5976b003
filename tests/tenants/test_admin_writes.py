"""The Django admin writes nothing past the audited services: Membership, FrameworkContract and Provider
are read-only there (their pages in the portal write through the services), Mandate writes go through
tenants.services and leave an audit entry."""

from datetime import date

import pytest
from django.urls import reverse

from calloffs.models import FrameworkContract, Provider
from tenants.models import AuditEntry, Mandate, Membership, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for):
    return client_for(UserFactory(email="root@example.org", is_staff=True, is_superuser=True, is_ministry_staff=True))


def test_a_membership_cannot_be_changed_added_or_deleted_in_the_admin(admin_client):
    membership = MembershipFactory(role=Role.MEMBER)
    change = reverse("admin:tenants_membership_change", args=[membership.pk])
    assert admin_client.get(change).status_code == 200  # shown
    response = admin_client.post(
        change, {"user": membership.user_id, "organisation": membership.organisation_id, "role": Role.ADMIN}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    assert admin_client.get(reverse("admin:tenants_membership_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:tenants_membership_delete", args=[membership.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="membership.").exists()


def test_the_contract_and_its_providers_are_read_only_in_the_admin(admin_client, setup):
    contract, provider = setup.contract, setup.providers[0]
    for name, obj, data in [
        ("frameworkcontract", contract, {"title": "Geändert", "ceiling": "1"}),
        ("provider", provider, {"short_name": "Geändert", "capacity": "0"}),
    ]:
        url = reverse(f"admin:calloffs_{name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200
        assert admin_client.post(url, data).status_code == 403
        assert admin_client.get(reverse(f"admin:calloffs_{name}_add")).status_code == 403
        assert (
            admin_client.post(reverse(f"admin:calloffs_{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code
            == 403
        )
    assert FrameworkContract.objects.get(pk=contract.pk).title == contract.title
    assert FrameworkContract.objects.get(pk=contract.pk).ceiling == contract.ceiling
    assert Provider.objects.get(pk=provider.pk).short_name == provider.short_name


def test_a_mandate_written_in_the_admin_is_audited(admin_client):
    kreis, gemeinde = OrganisationFactory(name="Kreis K"), OrganisationFactory(name="Gemeinde G")
    data = {
        "principal": kreis.pk,
        "member": gemeinde.pk,
        "may_file_calloffs": "on",
        "valid_from": "2026-01-01",
        "valid_until": "",
        "note": "Satzung",
    }
    response = admin_client.post(reverse("admin:tenants_mandate_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mandate = Mandate.objects.get()
    assert mandate.may_file_calloffs and mandate.valid_from == date(2026, 1, 1)
    created = AuditEntry.objects.get(action="mandate.created")
    assert created.actor.email == "root@example.org"
    assert created.organisation_id == gemeinde.pk

    data.pop("may_file_calloffs")
    response = admin_client.post(reverse("admin:tenants_mandate_change", args=[mandate.pk]), data)
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert not mandate.may_file_calloffs
    changed = AuditEntry.objects.get(action="mandate.changed")
    assert changed.details["old"] == {"may_file_calloffs": "True"}
    assert changed.details["new"] == {"may_file_calloffs": "False"}

    response = admin_client.post(reverse("admin:tenants_mandate_delete", args=[mandate.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Mandate.objects.exists()
    assert AuditEntry.objects.filter(action="mandate.deleted").count() == 1


def test_a_mandate_to_itself_is_refused_and_nothing_is_written(admin_client):
    body = OrganisationFactory()
    data = {"principal": body.pk, "member": body.pk, "valid_from": "2026-01-01", "valid_until": "", "note": ""}
    response = admin_client.post(reverse("admin:tenants_mandate_add"), data)
    assert response.status_code == 200  # the form again, with the error
    assert not Mandate.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="mandate.").exists()


def test_bodies_contacts_and_invitations_are_read_only_in_the_admin(admin_client):
    from tests.factories import EmergencyContactFactory

    body = OrganisationFactory(name="Stadt Admin")
    EmergencyContactFactory(organisation=body)
    change = reverse("admin:tenants_organisation_change", args=[body.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"name": body.name, "eligible_until": "2000-01-01"}).status_code == 403
    body.refresh_from_db()
    assert body.eligible_until is None
    assert admin_client.get(reverse("admin:tenants_organisation_add")).status_code == 403
    assert admin_client.get(reverse("admin:tenants_invitation_add")).status_code == 403


def test_an_account_cannot_be_made_ministry_staff_in_the_admin(admin_client):
    user = UserFactory(email="neu@example.org")
    change = reverse("admin:tenants_user_change", args=[user.pk])
    response = admin_client.post(
        change,
        {"first_name": "Neu", "last_name": "Name", "is_ministry_staff": "on", "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.is_ministry_staff, user.is_superuser, user.is_staff) == ("Neu", False, False, False)
    assert admin_client.get(reverse("admin:tenants_user_add")).status_code == 403
