"""Issue 18, readiness profile in the documents and the ministry's picture: the order PDF names the profile
version valid at acceptance (a later change does not move it, a new render of the order keeps it); the
Notfallkarte prints the profile's out-of-band contacts for the body's members, not for the ministry; the
situation picture shows the readiness numbers, never a profile's contents."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from calloffs import services
from calloffs.models import DocumentKind
from calloffs.services.documents import document_request
from readiness import services as readiness_services
from readiness.models import RemoteAccess
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_reader, pdf_text

queued, run_queued = fx.queued, fx.run_queued

pytestmark = pytest.mark.django_db

SECRET = "Fachverfahren OK.FIS – hoch"
BOSS = "Bürgermeisterin Weber, +49 160 5550000"


def save(org, actor, **values):
    return readiness_services.readiness_profile_save(organisation=org, actor=actor, **values)


def accept_and_render(calloff, setup, capture):
    with capture(execute=True):
        calloff = services.offer_accept(
            calloff=calloff,
            provider=setup.providers[0],
            actor=setup.staff[0],
            lead_name="Jana Keller",
            lead_phone="+49 211 5550110",
        )
    return calloff


def test_the_order_names_the_version_valid_at_acceptance(
    setup, file_calloff, alice, org_a, django_capture_on_commit_callbacks, run_queued
):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2)):
        save(org_a, alice, critical_systems=[{"name": "alt", "protection": "hoch"}])
    with time_machine.travel(start - timedelta(hours=1)):
        v2 = save(org_a, alice, critical_systems=[{"name": SECRET, "protection": "hoch"}])
    calloff = accept_and_render(file_calloff(), setup, django_capture_on_commit_callbacks)
    (order,) = run_queued()
    text = pdf_text(document_bytes(order))
    saved = timezone.localtime(v2.reviewed_at).strftime("%d.%m.%Y, %H:%M")
    assert f"Vorbereitungsprofil der Stelle Version 2 vom {saved} Uhr (gültig bei der Annahme" in text
    assert SECRET not in text  # the number, not the contents: the ministry reads the order too

    save(org_a, alice, critical_systems=[{"name": "nach der Annahme geändert", "protection": "hoch"}])  # version 3
    with django_capture_on_commit_callbacks(execute=True):
        document_request(calloff=calloff, kind=DocumentKind.ORDER, actor=alice, reason="Neu erstellt")
    (again,) = run_queued()
    assert again.version == 2
    assert "Vorbereitungsprofil der Stelle Version 2 vom" in pdf_text(document_bytes(again))


def test_an_order_without_a_profile_says_so(setup, file_calloff, django_capture_on_commit_callbacks, run_queued):
    accept_and_render(file_calloff(), setup, django_capture_on_commit_callbacks)
    (order,) = run_queued()
    assert "Vorbereitungsprofil der Stelle bei der Annahme nicht hinterlegt" in pdf_text(document_bytes(order))


def card(client, org) -> str:
    response = client.get(reverse("calloffs:emergency_card", args=[org.public_id]))
    assert response.status_code == 200
    assert len(pdf_reader(response.content).pages) == 1
    return pdf_text(response.content)


def test_the_emergency_card_carries_the_profiles_contacts_for_the_body_only(
    setup, alice, bob, ministry, org_a, client_for
):
    save(
        org_a,
        alice,
        critical_systems=[{"name": SECRET, "protection": "hoch"}],
        management_contact=BOSS,
        admin_contacts="Erika Admin, +49 171 2345678",
        external_providers="Kommunales Rechenzentrum Niederrhein, Vertrag 2021",
        insurance_hotline="+49 800 1234567",
        dpo_contact="Max Datenschutz, 0221 123",
        remote_access=RemoteAccess.VPN,
    )
    for member in (alice, bob):
        text = card(client_for(member), org_a)
        for expected in (
            "Weitere Kontakte aus unserem Vorbereitungsprofil",
            BOSS,
            "Erika Admin, +49 171 2345678",
            "Kommunales Rechenzentrum Niederrhein",
            "Hotline der Cyberversicherung: +49 800 1234567",
            "Max Datenschutz, 0221 123",
            "(Version 1, geprüft am",
        ):
            assert expected in text, f"{expected!r} not in {text}"
        assert SECRET not in text and "Fernzugriff" not in text  # critical systems and remote access stay off the desk
    ministry_text = card(client_for(ministry), org_a)
    assert BOSS not in ministry_text and "Vorbereitungsprofil" not in ministry_text


def test_the_card_asks_for_a_profile_and_cuts_long_entries(setup, alice, org_a, client_for):
    assert "Kein Vorbereitungsprofil mit Kontakten hinterlegt" in card(client_for(alice), org_a)
    save(org_a, alice, admin_contacts="Erika Admin " * 300)  # 3600 characters
    text = card(client_for(alice), org_a)  # still one page
    assert "Erika Admin" in text and "…" in text


def test_a_stale_profile_is_flagged_on_the_card(setup, alice, org_a, client_for):
    save(org_a, alice, management_contact=BOSS)
    with time_machine.travel(timezone.now() + timedelta(days=200)):
        assert "Seit über sechs Monaten nicht geprüft" in card(client_for(alice), org_a)


def test_the_situation_picture_shows_numbers_never_contents(setup, alice, charlie, ministry, org_a, org_b, client_for):
    save(
        org_a,
        alice,
        critical_systems=[{"name": SECRET, "protection": "hoch"}],
        remote_access=RemoteAccess.VPN,
        remote_access_mfa=False,
    )
    response = client_for(ministry).get(reverse("calloffs:situation"))
    html = response.content.decode()
    assert response.status_code == 200 and SECRET not in html
    section = html.split('id="panel-readiness"')[1].split("</section>")[0]
    rows = (
        ("mit Profil", "1"),
        ("Fernzugriff ohne Zwei-Faktor-Authentifizierung", "1"),
        ("mit vollständigem Profil", "0"),
    )
    for label, value in rows:
        row = section.split(f">{label}</th>")[1].split("</tr>")[0]
        assert f">{value}</td>" in row, (label, row)
    assert reverse("readiness:overview") in section
    assert client_for(alice).get(reverse("calloffs:situation")).status_code == 404
