"""Issue 18, readiness profile (basics): a caller fills in the profile on a phone from the body's page
and sees what is missing; the ministry sees the numbers on a desktop, not the contents. axe on every
page, nothing wider than the phone. Then the handover: the caller fills the profile, the provider accepts on
a phone and sees it only from then on; the ministry reaches the numbers through its navigation.
Screenshots in artifacts/screenshots/readiness-*."""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NETPLAN_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_fill_the_profile_on_a_phone_and_the_ministry_sees_numbers(phone, desktop, live_server, alice, ministry, org_a):
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/stellen/{org_a.public_id}/")
    page.get_by_role("link", name="Vorbereitungsprofil für den Ernstfall").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorbereitungsprofil")
    assert_accessible(page, "readiness profile (empty, phone)")
    # The critical systems: a row per system (its protection need a choice); another row without JavaScript.
    page.get_by_label("System 1: Name").fill("Einwohnermeldewesen")
    page.get_by_label("System 1: was hängt davon ab?").fill("Bürgerbüro, Standesamt")
    page.get_by_label("System 1: Schutzbedarf").select_option("sehr_hoch")
    page.get_by_role("button", name="Weiteres System hinzufügen").click()
    expect(page.get_by_label("System 1: Name")).to_have_value("Einwohnermeldewesen")  # nothing typed is lost
    page.get_by_label("System 2: Name").fill("Kasse")
    page.get_by_label("System 2: Schutzbedarf").select_option("normal")
    page.get_by_label("Datensicherung (Konzept, Aufbewahrung, offline?)").fill("Täglich, Band offline")
    page.get_by_label("Letzter erfolgreicher Wiederherstellungstest").fill("2026-06-01")
    page.get_by_label("Fernzugriff", exact=True).select_option("vpn")
    page.get_by_label("Fernzugriff mit Zwei-Faktor-Authentifizierung").select_option("false")
    page.get_by_role("button", name="Speichern (gilt als geprüft)").click()
    expect(page.get_by_role("status")).to_contain_text("Das Vorbereitungsprofil ist gespeichert.")
    expect(page.get_by_text("38 % vollständig")).to_be_visible()  # 5 of 13 entries
    expect(page.get_by_role("listitem").filter(has_text="Hotline der Cyberversicherung")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Netzübersicht (Netzplan)")).to_be_visible()
    # The network overview: its own upload, a new version, its SHA-256 shown (wrapping on the phone).
    page.get_by_label("Datei mit dem Netzplan").set_input_files(
        files=[{"name": "netzplan.png", "mimeType": "image/png", "buffer": NETPLAN_PNG}]
    )
    page.get_by_role("button", name="Netzübersicht hochladen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Netzübersicht „netzplan.png“ ist gespeichert (Version 2")
    expect(page.get_by_text("46 % vollständig")).to_be_visible()  # 6 of 13 entries
    expect(page.get_by_text(hashlib.sha256(NETPLAN_PNG).hexdigest())).to_be_visible()
    expect(page.get_by_role("link", name="netzplan.png (PNG")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "readiness profile (saved, phone)")
    screenshot(page, "readiness-profile-phone")

    login(desktop, live_server, ministry)
    desktop.goto(f"{live_server.url}/bereitschaft/uebersicht/")
    expect(desktop.get_by_role("row", name="Fernzugriff ohne Zwei-Faktor-Authentifizierung")).to_contain_text("1")
    expect(desktop.get_by_text("Einwohnermeldewesen")).to_have_count(0)
    assert_accessible(desktop, "readiness overview (ministry)")
    screenshots(desktop, "readiness-overview-ministry")


def test_fill_the_profile_accept_as_provider_and_the_provider_sees_it(
    browser, phone, desktop, live_server, alice, ministry, org_a, setup, file_calloff
):
    """Issue 18, done when: fill the profile → accept as provider → profile visible to that provider (and
    only from the acceptance on); the ministry finds the readiness numbers through its navigation."""
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/bereitschaft/{org_a.public_id}/")
    page.get_by_label("System 1: Name").fill("Einwohnermeldewesen – hoch")
    page.get_by_label("System 1: Schutzbedarf").select_option("hoch")
    page.get_by_label("Fernzugriff", exact=True).select_option("vpn")
    page.get_by_label("Fernzugriff mit Zwei-Faktor-Authentifizierung").select_option("true")
    page.get_by_label("Hotline der Cyberversicherung").fill("+49 800 1234567")
    page.get_by_label("Verwaltungsspitze außerhalb der eigenen Technik (Name, Mobilnummer)").fill(
        "Bürgermeisterin Weber, +49 160 5550000"
    )
    # Enter in a field saves (the form's default button), it does not add a row.
    page.get_by_label("Verwaltungsspitze außerhalb der eigenen Technik (Name, Mobilnummer)").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Das Vorbereitungsprofil ist gespeichert.")
    page.get_by_label("Datei mit dem Netzplan").set_input_files(
        files=[{"name": "netzplan.png", "mimeType": "image/png", "buffer": NETPLAN_PNG}]
    )
    page.get_by_role("button", name="Netzübersicht hochladen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Netzübersicht „netzplan.png“ ist gespeichert")

    calloff = file_calloff()  # offered to P1
    provider_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    provider = provider_context.new_page()
    try:
        login(provider, live_server, setup.staff[0])
        provider.goto(f"{live_server.url}/abrufe/{calloff.public_id}/")
        expect(provider.get_by_role("heading", name="Angebot an Sie")).to_be_visible()
        # Need to know: nothing of the profile while the provider only decides.
        expect(provider.get_by_role("heading", name="Vorbereitungsprofil der Stelle")).to_have_count(0)
        expect(provider.get_by_text("Einwohnermeldewesen")).to_have_count(0)
        provider.get_by_label("Einsatzleitung (Name)").fill("Jana Keller")
        provider.get_by_label("Telefon der Einsatzleitung").fill("+49 211 5550110")
        provider.get_by_role("button", name="Annehmen").click()
        expect(provider.get_by_role("status").first).to_contain_text("Sie haben den Abruf angenommen.")
        section = provider.locator("section").filter(
            has=provider.get_by_role("heading", name="Vorbereitungsprofil der Stelle")
        )
        expect(section).to_contain_text("Version 2")
        expect(section).to_contain_text("Diese Version galt bei der Annahme")
        # The network overview once, in its place among the entries, as a download link (issue 18).
        expect(section.get_by_text("Netzübersicht (Netzplan)", exact=True)).to_have_count(1)
        expect(section.get_by_role("link", name="netzplan.png (PNG")).to_have_count(1)
        with provider.expect_download() as download:
            section.get_by_role("link", name="netzplan.png (PNG").click()
        assert download.value.suggested_filename == "netzplan.png"
        assert Path(download.value.path()).read_bytes() == NETPLAN_PNG
        expect(section).to_contain_text("Einwohnermeldewesen – hoch (Schutzbedarf: hoch)")
        expect(section).to_contain_text("Bürgermeisterin Weber, +49 160 5550000")
        expect(section).to_contain_text("+49 800 1234567")
        assert provider.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(provider, "call-off page with the readiness profile (accepting provider, phone)")
        section.scroll_into_view_if_needed()
        screenshots(provider, "readiness-profile-accepting-provider")
    finally:
        provider_context.close()

    login(desktop, live_server, ministry)
    desktop.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Lagebild").click()
    panel = desktop.locator("section").filter(has=desktop.get_by_role("heading", name="Vorbereitung der Stellen"))
    expect(panel.get_by_role("row", name="mit Profil")).to_contain_text("1")
    expect(desktop.get_by_text("Einwohnermeldewesen")).to_have_count(0)
    assert_accessible(desktop, "situation picture with the readiness panel (ministry)")
    screenshot(desktop, "readiness-situation-ministry")
    desktop.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Bereitschaft").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Vorbereitung der Stellen")
    expect(desktop.get_by_text("Einwohnermeldewesen")).to_have_count(0)


def test_the_body_removes_the_network_overview_on_a_phone(phone, live_server, alice, org_a):
    """Issue 18: removing, not only replacing, the network overview: a link beside "replace", a confirmation
    page naming the file, a plain form (no JavaScript needed), a new version without it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from readiness import services

    services.readiness_network_overview_upload(
        organisation=org_a,
        actor=alice,
        upload=SimpleUploadedFile("netzplan.png", NETPLAN_PNG, content_type="image/png"),
    )
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/bereitschaft/{org_a.public_id}/")
    page.get_by_role("link", name="Netzübersicht entfernen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Netzübersicht entfernen?")
    expect(page.get_by_role("link", name="netzplan.png (PNG")).to_have_count(0)  # named, not offered
    expect(page.get_by_text("netzplan.png (PNG")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "remove the network overview (confirmation, phone)")
    screenshot(page, "readiness-network-overview-remove-phone")
    page.get_by_role("button", name="Ja, Netzübersicht entfernen").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Die Netzübersicht ist aus dem Profil entfernt (Version 2)"
    )
    expect(page.get_by_text("Noch keine Netzübersicht hinterlegt.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Netzübersicht (Netzplan)")).to_be_visible()  # missing again
    assert_accessible(page, "readiness profile after removing the network overview (phone)")
    screenshot(page, "readiness-network-overview-removed-phone")
