"""A principal body (a Kreis, a municipal IT association) files for members under a stored mandate."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from calloffs import services
from calloffs.errors import NotPermitted
from incidents.models import Category
from tenants.models import Mandate, Role
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def file_for(setup, actor, organisation):
    return services.calloff_file(
        organisation=organisation,
        actor=actor,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Mitglied verschlüsselt",
        callback_phone="+49 171 1234567",
        services=[(setup.modules.remote, 8)],
        operations_halted=True,
    )


@pytest.fixture
def kreis_caller(db):
    kreis = OrganisationFactory(name="Kreis Muster", kind="kreis", ags="05999")
    return MembershipFactory(organisation=kreis, role=Role.CALLER).user, kreis


def test_a_mandate_lets_the_principal_file_for_the_member(setup, kreis_caller, org_a):
    user, kreis = kreis_caller
    Mandate.objects.create(principal=kreis, member=org_a, may_file_calloffs=True)
    calloff = file_for(setup, user, org_a)
    assert calloff.organisation == org_a
    assert calloff.events.get(kind="filed").data["under_mandate_of"] == "Kreis Muster"


@pytest.mark.parametrize(
    "mandate",
    [
        None,
        {"may_file_calloffs": False},
        {
            "may_file_calloffs": True,
            "valid_until": timezone.localdate() - timedelta(days=1),
            "valid_from": timezone.localdate() - timedelta(days=30),
        },
    ],
)
def test_without_a_mandate_in_force_it_is_refused(setup, kreis_caller, org_a, mandate):
    user, kreis = kreis_caller
    if mandate is not None:
        Mandate.objects.create(principal=kreis, member=org_a, **mandate)
    with pytest.raises(NotPermitted):
        file_for(setup, user, org_a)


def test_a_read_only_member_of_the_principal_cannot_use_the_mandate(setup, kreis_caller, org_a):
    _user, kreis = kreis_caller
    Mandate.objects.create(principal=kreis, member=org_a, may_file_calloffs=True)
    reader = MembershipFactory(organisation=kreis, role=Role.MEMBER).user
    with pytest.raises(NotPermitted):
        file_for(setup, reader, org_a)


def test_the_form_offers_the_mandated_members(client_for, setup, kreis_caller, org_a):
    user, kreis = kreis_caller
    Mandate.objects.create(principal=kreis, member=org_a, may_file_calloffs=True)
    content = client_for(user).get("/abrufe/neu/").content.decode()
    assert org_a.name in content and kreis.name in content
