"""Drills and major incidents (Großschadenslagen): a drill's record is never linked to one (the bulk
link takes the body's open real incident, or opens a real one), a real incident or call-off never
goes into a drill's record, and the database holds it too."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Category, Incident
from tenants.models import Mandate
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def record(organisation, actor, *, drill: bool, title: str):
    return services.incident_open_or_attach(
        organisation=organisation,
        incident=None,
        title=title,
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=1),
        operations_halted=False,
        affected_systems="",
        actor=actor,
        is_drill=drill,
    )


@pytest.fixture
def shared_provider(org_a):
    """A municipal IT provider serving org_a under a mandate: the origin of the major incident."""
    provider = OrganisationFactory(name="Kommunaler IT-Dienstleister", kind="kommunales_unternehmen")
    Mandate.objects.create(principal=provider, member=org_a)
    return provider


@pytest.fixture
def major(ministry, shared_provider):
    return services.major_incident_declare(actor=ministry, title="Angriff auf IT-Dienstleister", origin=shared_provider)


def test_a_body_in_a_drill_gets_a_real_incident_linked_not_its_drill(ministry, alice, org_a, major):
    drill = record(org_a, alice, drill=True, title="Übung")

    linked = services.major_incident_link(
        major=major, actor=ministry, organisations=[org_a], category=Category.RANSOMWARE
    )

    drill.refresh_from_db()
    assert drill.major_incident_id is None
    assert len(linked) == 1 and linked[0].pk != drill.pk and not linked[0].is_drill
    assert linked[0].major_incident_id == major.pk and linked[0].obligations.exists()
    assert not drill.timeline.filter(text__contains=major.title).exists()


def test_the_real_incident_is_linked_even_when_a_drill_is_newer(ministry, alice, org_a, major):
    real = record(org_a, alice, drill=False, title="Echter Vorfall")
    drill = record(org_a, alice, drill=True, title="Übung")  # newer: became aware at the same hour, later pk
    Incident.objects.filter(pk=drill.pk).update(became_aware_at=timezone.now() - timedelta(minutes=5))

    linked = services.major_incident_link(major=major, actor=ministry, organisations=[org_a], category=Category.OTHER)

    assert [i.pk for i in linked] == [real.pk]
    assert list(Incident.objects.filter(major_incident=major)) == [real]


def test_the_database_refuses_a_drill_in_a_major_incident(alice, org_a, major):
    drill = record(org_a, alice, drill=True, title="Übung")
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=drill.pk).update(major_incident=major)


def test_a_real_filing_never_goes_into_a_drills_record(alice, org_a):
    drill = record(org_a, alice, drill=True, title="Übung")
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        services.incident_open_or_attach(
            organisation=org_a,
            incident=drill,
            title="Echter Notfall",
            category=Category.RANSOMWARE,
            became_aware_at=None,
            operations_halted=True,
            affected_systems="",
            actor=alice,
        )
    assert "Übung" in " ".join(refused.value.messages)
    assert Incident.objects.filter(organisation=org_a).count() == 1


def test_the_ministrys_link_page_links_no_drill(client_for, ministry, alice, charlie, org_a, major):
    drill = record(org_a, alice, drill=True, title="Übung im Rathaus")
    client = client_for(ministry)

    response = client.post(reverse("incidents:major_link", args=[major.public_id]), {"category": Category.OTHER})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()

    real = Incident.objects.get(major_incident=major)
    assert not real.is_drill and real.organisation == org_a
    assert "1 Stelle wurde verknüpft." in page
    assert reverse("incidents:detail", args=[real.public_id]) in page
    assert reverse("incidents:detail", args=[drill.public_id]) not in page
    drill.refresh_from_db()
    assert drill.major_incident_id is None


def test_major_incident_pages_are_the_ministrys_only(client_for, alice, charlie, major):
    for user in (alice, charlie):
        client = client_for(user)
        assert client.get(reverse("incidents:major_detail", args=[major.public_id])).status_code == 404
        response = client.post(reverse("incidents:major_link", args=[major.public_id]), {"category": Category.OTHER})
        assert response.status_code == 404
    assert not Incident.objects.filter(major_incident=major).exists()
