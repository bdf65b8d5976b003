"""Every list page costs the same number of SQL queries whatever its length (no query per row): on a
mass-incident day the lists grow by hundreds of rows within minutes (bench/load_mass_incident.py).

Each case renders the page with a few rows, counts the queries, adds more rows of what the page
lists and renders it again under ``django_assert_num_queries`` with the same number."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calloffs import services
from calloffs.models import MinistryAlert
from incidents import services as incident_services
from tenants.models import Role
from tests.calloffs.factories import ProviderFactory
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}
counter = itertools.count()


@pytest.fixture
def grow(setup, file_calloff, alice, ministry):
    """grow[what](n): add n rows of what a list page shows."""

    def accept(calloff):
        """Accepted by whichever provider holds the offer (capacities are small in the fixtures)."""
        offer = calloff.offers.filter(state="open").first()
        if offer is not None:
            i = setup.providers.index(offer.provider)
            services.offer_accept(calloff=calloff, provider=offer.provider, actor=setup.staff[i], **LEAD)

    def calloffs_of_alice(n):
        for i in range(n):
            calloff = file_calloff()
            if i % 2:
                accept(calloff)

    def calloffs_of_other_bodies(n):
        for i in range(n):
            body = OrganisationFactory(name=f"Stadt {next(counter)}")
            caller = MembershipFactory(role=Role.CALLER, organisation=body)
            calloff = file_calloff(organisation=caller.organisation, actor=caller.user)
            if i % 2:
                accept(calloff)

    def bodies(n):
        for _ in range(n):
            MembershipFactory(role=Role.CALLER, organisation=OrganisationFactory(name=f"Gemeinde {next(counter)}"))

    def providers(n):
        for _ in range(n):
            ProviderFactory(short_name=f"X{next(counter)}")

    def majors(n):
        for _ in range(n):
            major = incident_services.major_incident_declare(actor=ministry, title=f"Lage {next(counter)}")
            org = OrganisationFactory(name=f"Kreis {next(counter)}")
            incident_services.major_incident_link(major=major, actor=ministry, organisations=[org], category="other")

    def api_keys(n):
        from calloffs.services.api_keys import api_key_create

        for _ in range(n):  # at most two valid keys per provider: a new provider each
            provider = ProviderFactory(short_name=f"K{next(counter)}")
            api_key_create(provider=provider, actor=ministry, name="Ticketsystem")

    def alerts(n):
        calloffs_of_other_bodies(n)
        for _ in range(n):
            MinistryAlert.objects.create(kind="unassigned", message="Test")

    def unassigned(n):
        """Call-offs no provider took (P1–P3 decline; P4 does not serve Köln): the ministry's home."""
        for _ in range(n):
            calloff = file_calloff()
            for provider, user in zip(setup.providers[:3], setup.staff[:3], strict=True):
                services.offer_decline(calloff=calloff, provider=provider, actor=user, reason="Keine Kapazität")
        alerts(n)

    return {
        "unassigned": unassigned,
        "calloffs_of_alice": calloffs_of_alice,
        "calloffs": calloffs_of_other_bodies,
        "bodies": bodies,
        "providers": providers,
        "majors": majors,
        "api_keys": api_keys,
        "alerts": alerts,
    }


# (url name, who looks, what grows)
PAGES = [
    ("home", "ministry", "unassigned"),
    ("home", "provider", "calloffs"),
    ("home", "alice", "calloffs_of_alice"),
    ("calloffs:list", "alice", "calloffs_of_alice"),
    ("calloffs:list", "ministry", "calloffs"),
    ("calloffs:list", "provider", "calloffs"),
    ("calloffs:situation", "ministry", "calloffs"),
    ("calloffs:deliveries", "ministry", "calloffs"),
    ("calloffs:contract_dashboard", "ministry", "alerts"),
    ("calloffs:contract_provider_list", "ministry", "providers"),
    ("calloffs:api_keys", "ministry", "api_keys"),
    ("incidents:list", "alice", "calloffs_of_alice"),
    ("incidents:list", "ministry", "calloffs"),
    ("incidents:major_list", "ministry", "majors"),
    ("tenants:organisation_list", "ministry", "bodies"),
]


@pytest.mark.parametrize("name,who,what", PAGES, ids=[f"{n}-{w}" for n, w, _ in PAGES])
def test_a_list_page_costs_the_same_queries_at_any_length(
    name, who, what, grow, client_for, alice, ministry, setup, django_assert_num_queries
):
    user = {"alice": alice, "ministry": ministry, "provider": setup.staff[0]}[who]
    client = client_for(user)
    url = reverse(name)
    grow[what](2)
    client.get(url)  # the session's first request writes its stamps
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200
    grow[what](8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
