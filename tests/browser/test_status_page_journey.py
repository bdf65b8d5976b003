"""Issue 18, status page for residents: a caller publishes it from the incident page (desktop), posts an
update, and a resident opens it logged out on a phone (German, then English, then the feed); axe on
every page, nothing wider than the phone. Screenshots in artifacts/screenshots/statuspage-*."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services as incident_services
from incidents.models import Category
from tests.browser.conftest import PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_then_a_resident_reads_it_on_a_phone(browser, desktop, live_server, alice, org_a):
    incident = incident_services.incident_open_or_attach(
        organisation=org_a,
        incident=None,
        title="Ransomware im Rathaus",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=2),
        operations_halted=True,
        affected_systems="Fachverfahren",
        actor=alice,
    )
    page = desktop
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/vorfaelle/{incident.public_id}/")
    page.get_by_role("link", name="Statusseite für Bürgerinnen und Bürger").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statusseite für Bürgerinnen und Bürger")
    assert_accessible(page, "status page editor (empty)")

    page.get_by_label("Überschrift").fill("Die Stadtverwaltung ist nur eingeschränkt erreichbar")
    page.get_by_label("Was ist passiert?").fill(
        "Nach einem IT-Angriff sind die Computer der Verwaltung abgeschaltet. Ihre Daten werden geprüft."
    )
    page.get_by_label("Telefonnummer für Bürgerinnen und Bürger").fill("+49 2761 123456")
    page.get_by_label("Öffnungszeiten").fill("Bürgerbüro: Montag bis Freitag 8 bis 12 Uhr")
    first = page.get_by_role("group", name="Betroffene Dienstleistung 1")
    first.get_by_label("Dienstleistung").fill("Personalausweis und Reisepass")
    first.get_by_label("Was Sie stattdessen tun können").fill("Bitte gehen Sie zum Bürgerbüro in Kreuztal.")
    second = page.get_by_role("group", name="Betroffene Dienstleistung 2")
    second.get_by_label("Dienstleistung").fill("Kfz-Zulassung")
    second.get_by_label("Zustand").select_option("limited")
    page.get_by_role("button", name="Speichern und veröffentlichen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Statusseite ist veröffentlicht.")

    page.get_by_label("Neue Meldung").fill("Das Bürgerbüro öffnet am Montag wieder.")
    page.get_by_role("button", name="Meldung eintragen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Meldung ist eingetragen.")
    assert_accessible(page, "status page editor (published)")
    screenshots(page, "statuspage-editor")
    public_url = page.locator("a.sp-url").get_attribute("href")
    assert public_url.endswith("/status/stadt-a/")
    path = public_url.split("/status/", 1)[1]

    # A resident, logged out, on a phone.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    try:
        resident = context.new_page()
        resident.goto(f"{live_server.url}/status/{path}")
        expect(resident.get_by_role("heading", level=1)).to_have_text(
            "Die Stadtverwaltung ist nur eingeschränkt erreichbar"
        )
        expect(resident.get_by_role("heading", name="Personalausweis und Reisepass")).to_be_visible()
        expect(resident.get_by_text("nicht verfügbar")).to_be_visible()
        expect(resident.get_by_text("eingeschränkt", exact=True)).to_be_visible()
        expect(resident.get_by_text("Das Bürgerbüro öffnet am Montag wieder.")).to_be_visible()
        expect(resident.get_by_role("link", name="+49 2761 123456")).to_have_attribute("href", "tel:+492761123456")
        assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(resident, "public status page (German, phone)")
        screenshot(resident, "statuspage-public-phone")

        resident.get_by_role("link", name="English").click()
        expect(resident.locator("html")).to_have_attribute("lang", "en")
        assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(resident, "public status page (English, phone)")
        screenshot(resident, "statuspage-public-en-phone")

        response = resident.request.get(f"{live_server.url}/status/{path}feed/")
        assert response.status == 200 and "Das Bürgerbüro öffnet am Montag wieder." in response.text()
    finally:
        context.close()

    # Withdrawn: the resident's address answers 404.
    page.get_by_role("button", name="Statusseite zurückziehen").click()
    expect(page.get_by_role("status")).to_contain_text("zurückgezogen")
    assert page.request.get(f"{live_server.url}/status/{path}").status == 404
