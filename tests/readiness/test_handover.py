"""Issue 18, readiness profile handed to the accepting provider (need to know): on the call-off page and
through the API (GET /api/v1/calloffs/{id}/readiness-profile/), only for the provider that accepted, from
the acceptance until 14 days after the body closed the call-off; never a provider that was only offered
(or declined), never after a cancellation, never the ministry (it sees numbers only), an outsider 404.
The page reads the profile with one query, for the accepting provider only."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from calloffs import services
from calloffs.models import CallOffState
from calloffs.visibility import PROFILE_AFTER_CLOSE
from readiness import services as readiness_services
from readiness.models import ReadinessProfileVersion, RemoteAccess
from tests.api.conftest import api, keys  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

SECRET = "Fachverfahren OK.FIS – hoch"
BOSS = "Bürgermeisterin Weber, +49 160 5550000"
LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}


def save_profile(org, actor, **changes):
    values = {
        "critical_systems": [{"name": SECRET, "description": "Bürgerbüro, Standesamt", "protection": "sehr_hoch"}],
        "remote_access": RemoteAccess.VPN,
        "remote_access_mfa": True,
        "management_contact": BOSS,
    }
    values.update(changes)
    return readiness_services.readiness_profile_save(organisation=org, actor=actor, **values)


def page(client, calloff) -> tuple[int, str]:
    response = client.get(reverse("calloffs:detail", args=[calloff.public_id]))
    return response.status_code, response.content.decode()


def profile_url(calloff) -> str:
    return f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/"


def accept(calloff, setup, index=0):
    return services.offer_accept(calloff=calloff, provider=setup.providers[index], actor=setup.staff[index], **LEAD)


def test_the_provider_sees_it_only_once_it_has_accepted(setup, file_calloff, alice, org_a, client_for, api):  # noqa: F811
    save_profile(org_a, alice)
    calloff = file_calloff()  # offered to P1
    status, html = page(client_for(setup.staff[0]), calloff)
    assert status == 200 and SECRET not in html and "Vorbereitungsprofil der Stelle" not in html
    assert api(0).get(profile_url(calloff)).status_code == 404  # offered: the decision data only

    accept(calloff, setup)
    status, html = page(client_for(setup.staff[0]), calloff)
    assert status == 200 and SECRET not in html.split('id="readiness"')[0]
    assert SECRET in html and BOSS in html and "Diese Version galt bei der Annahme" in html
    response = api(0).get(profile_url(calloff))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["critical_systems"] == [
        {"name": SECRET, "description": "Bürgerbüro, Standesamt", "protection": "sehr_hoch"}
    ]
    assert data["critical_systems_protection"] == "sehr_hoch" and data["management_contact"] == BOSS
    assert data["remote_access"] == "vpn" and data["remote_access_mfa"] is True
    assert (data["version"], data["version_at_acceptance"]) == (1, 1)
    assert data["score"] == 31 and "insurance_hotline" in data["missing"] and "critical_systems" not in data["missing"]
    # Another provider, never offered this call-off: 404 on both.
    assert client_for(setup.staff[1]).get(reverse("calloffs:detail", args=[calloff.public_id])).status_code == 404
    assert api(1).get(profile_url(calloff)).status_code == 404


def test_a_provider_that_declined_sees_nothing_and_the_next_one_after_accepting(
    setup,
    file_calloff,
    alice,
    org_a,
    client_for,
    api,  # noqa: F811
):
    save_profile(org_a, alice)
    calloff = file_calloff()
    services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Ausgelastet")
    status, html = page(client_for(setup.staff[1]), calloff)  # P2 holds the offer now
    assert status == 200 and SECRET not in html
    assert api(1).get(profile_url(calloff)).status_code == 404
    accept(calloff, setup, index=1)
    assert SECRET in page(client_for(setup.staff[1]), calloff)[1]
    assert api(1).get(profile_url(calloff)).status_code == 200
    # P1 declined: it sees neither the call-off nor the profile.
    assert page(client_for(setup.staff[0]), calloff)[0] == 404
    assert api(0).get(profile_url(calloff)).status_code == 404


def test_the_body_the_ministry_and_an_outsider(drive, setup, alice, bob, charlie, ministry, org_a, client_for):
    save_profile(org_a, alice)
    calloff = drive(CallOffState.ACCEPTED)
    # The ministry reads the call-off, never the profile's contents.
    status, html = page(client_for(ministry), calloff)
    assert status == 200 and SECRET not in html and BOSS not in html
    # The body's members are told the provider sees their profile (a link to it, its contents are on its own page).
    for member in (alice, bob):
        status, html = page(client_for(member), calloff)
        assert status == 200 and reverse("readiness:profile", args=[org_a.public_id]) in html
        assert SECRET not in html
    assert page(client_for(charlie), calloff)[0] == 404
    # Sessions do not authenticate the API, whoever holds them.
    for user in (alice, ministry, charlie):
        client = APIClient()
        client.force_login(user)
        assert client.get(profile_url(calloff)).status_code == 401


def test_it_stays_14_days_after_closing_and_ends_with_a_cancellation(
    drive,
    setup,
    alice,
    org_a,
    client_for,
    api,  # noqa: F811
):
    save_profile(org_a, alice)
    closed = drive(CallOffState.CLOSED)
    assert timedelta(days=14) == PROFILE_AFTER_CLOSE
    assert api(0).get(profile_url(closed)).status_code == 200
    with time_machine.travel(closed.closed_at + PROFILE_AFTER_CLOSE - timedelta(minutes=1)):
        assert api(0).get(profile_url(closed)).status_code == 200
        assert SECRET in page(client_for(setup.staff[0]), closed)[1]
    with time_machine.travel(closed.closed_at + PROFILE_AFTER_CLOSE + timedelta(minutes=1)):
        assert api(0).get(profile_url(closed)).status_code == 404
        status, html = page(client_for(setup.staff[0]), closed)
        assert status == 200 and SECRET not in html  # the call-off stays readable, the profile does not

    for state in (CallOffState.IN_PROGRESS, CallOffState.COMPLETED):
        assert api(0).get(profile_url(drive(state))).status_code == 200
    cancelled = services.calloff_cancel(calloff=drive(CallOffState.ACCEPTED), actor=alice, reason="Fehlalarm")
    assert api(0).get(profile_url(cancelled)).status_code == 404


def test_the_provider_sees_the_current_version_and_which_one_was_valid_at_acceptance(
    drive,
    setup,
    alice,
    org_a,
    client_for,
    api,  # noqa: F811
):
    save_profile(org_a, alice)
    calloff = drive(CallOffState.ACCEPTED)
    save_profile(org_a, alice, management_contact="Kämmerer Schulz, +49 160 5550001")
    data = api(0).get(profile_url(calloff)).json()
    assert (data["version"], data["version_at_acceptance"]) == (2, 1)
    assert data["management_contact"] == "Kämmerer Schulz, +49 160 5550001"
    html = page(client_for(setup.staff[0]), calloff)[1]
    assert "Bei der Annahme galt Version 1" in html and "Kämmerer Schulz" in html
    # The version kept for the acceptance still holds what was handed over then.
    assert ReadinessProfileVersion.objects.get(organisation=org_a, number=1).contents["management_contact"] == BOSS


def test_a_body_without_a_profile(drive, setup, client_for, api):  # noqa: F811
    calloff = drive(CallOffState.ACCEPTED)
    response = api(0).get(profile_url(calloff))
    assert response.status_code == 404 and response.json()["code"] == "not_available"
    assert response["Content-Type"].startswith("application/problem+json")
    assert "kein Vorbereitungsprofil hinterlegt" in page(client_for(setup.staff[0]), calloff)[1]


def test_a_profile_made_after_the_acceptance(drive, setup, alice, org_a, api):  # noqa: F811
    calloff = drive(CallOffState.ACCEPTED)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        save_profile(org_a, alice)
    data = api(0).get(profile_url(calloff)).json()
    assert (data["version"], data["version_at_acceptance"]) == (1, None)


def test_the_page_reads_the_profile_and_its_systems_with_two_queries_for_the_accepting_provider_only(
    drive, setup, alice, ministry, org_a, client_for
):
    save_profile(org_a, alice)
    calloff = drive(CallOffState.ACCEPTED)
    for user, expected in ((setup.staff[0], 2), (alice, 0), (ministry, 0)):
        client = client_for(user)
        client.get(reverse("calloffs:detail", args=[calloff.public_id]))  # the session's first stamps
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("calloffs:detail", args=[calloff.public_id])).status_code == 200
        touching = [q["sql"] for q in queries.captured_queries if "readiness_" in q["sql"]]
        assert len(touching) == expected, (user.email, touching)
