"""Issue 18, readiness profile (basics): a caller fills in the profile on a phone from the body's page
and sees what is missing; the ministry sees the numbers on a desktop, not the contents. axe on every
page, nothing wider than the phone. Screenshots in artifacts/screenshots/readiness-*."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fill_the_profile_on_a_phone_and_the_ministry_sees_numbers(phone, desktop, live_server, alice, ministry, org_a):
    page = phone
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/stellen/{org_a.public_id}/")
    page.get_by_role("link", name="Vorbereitungsprofil für den Ernstfall").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorbereitungsprofil")
    assert_accessible(page, "readiness profile (empty, phone)")
    page.get_by_label("Kritische Systeme und Dienste (mit Kritikalität)").fill("Einwohnermeldewesen – hoch")
    page.get_by_label("Datensicherung (Konzept, Aufbewahrung, offline?)").fill("Täglich, Band offline")
    page.get_by_label("Letzter erfolgreicher Wiederherstellungstest").fill("2026-06-01")
    page.get_by_label("Fernzugriff", exact=True).select_option("vpn")
    page.get_by_label("Fernzugriff mit Zwei-Faktor-Authentifizierung").select_option("false")
    page.get_by_role("button", name="Speichern (gilt als geprüft)").click()
    expect(page.get_by_role("status")).to_contain_text("Das Vorbereitungsprofil ist gespeichert.")
    expect(page.get_by_text("50 % vollständig")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Hotline der Cyberversicherung")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "readiness profile (saved, phone)")
    screenshot(page, "readiness-profile-phone")

    login(desktop, live_server, ministry)
    desktop.goto(f"{live_server.url}/bereitschaft/uebersicht/")
    expect(desktop.get_by_role("row", name="Fernzugriff ohne Zwei-Faktor-Authentifizierung")).to_contain_text("1")
    expect(desktop.get_by_text("Einwohnermeldewesen")).to_have_count(0)
    assert_accessible(desktop, "readiness overview (ministry)")
    screenshots(desktop, "readiness-overview-ministry")
