"""Issue 8: axe-core (WCAG 2.0/2.1 A and AA) on the pages around the journeys that the journey tests do
not already cover — the login with its error states, the TOTP step, the incident page, the
accessibility statement — plus screenshots of them at phone and desktop size.

The journeys (test_journey_*.py) call assert_accessible on every page they pass, including the
error states of the filing form, the ranking form, the rate form and the manual assignment.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, axe_violations, screenshots, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_checker_finds_what_it_should(phone):
    """The helper is not blind: a page with known faults has violations."""
    phone.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    found = {violation["id"] for violation in axe_violations(phone)}
    assert {"image-alt", "label", "html-has-lang", "document-title"} <= found


def test_login_and_totp_with_their_error_states(phone, live_server, alice):
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page).to_have_title(re.compile("Anmeldung"))
    assert_accessible(page, "login")
    screenshots(page, "login")

    # Wrong password: an error the screen reader hears, the fields keep their labels.
    page.get_by_label("E-Mail-Adresse").fill(alice.email)
    page.get_by_label("Passwort").fill("falsch")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_text(re.compile("E-Mail-Adresse und/oder das Passwort sind leider falsch"))).to_be_visible()
    assert_accessible(page, "login with a wrong password")
    screenshots(page, "login-errors")

    page.get_by_label("Passwort").fill("correct horse battery staple")
    page.locator("main form button[type=submit]").first.click()
    code = page.get_by_label("Code")
    expect(code).to_be_visible()
    assert code.get_attribute("autocomplete") == "one-time-code"
    assert_accessible(page, "TOTP step")
    screenshots(page, "totp")

    code.fill("000000" if totp_code() != "000000" else "111111")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "TOTP step with a wrong code")
    screenshots(page, "totp-errors")

    page.get_by_label("Code").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")


def test_incident_page(desktop, live_server, drive, alice):
    from tests.browser.conftest import login

    calloff = drive("accepted")
    page = desktop
    login(page, live_server, alice)
    page.goto(f"{live_server.url}/abrufe/{calloff.public_id}/")
    page.get_by_role("link", name="Zum Sicherheitsvorfall").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ransomware / Verschlüsselung")
    assert_accessible(page, "incident page")
    screenshots(page, "incident")
    # Its form with an error: a timeline entry without text.
    page.get_by_role("button", name="Eintrag hinzufügen").click()
    expect(page.locator(".ds-error-summary, .kern-error").first).to_be_visible()
    assert_accessible(page, "incident page with a form error")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Vorfälle").click()
    assert_accessible(page, "incident list")


def test_accessibility_statement(phone, live_server, db):
    """Erklärung zur Barrierefreiheit: public, linked from every page, with what the law asks for."""
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erklärung zur Barrierefreiheit")
    for heading in (
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Feedback und Kontakt",
        "Durchsetzungsverfahren (Schlichtung)",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    feedback = page.get_by_role("link", name=re.compile("barrierefreiheit@"))
    assert feedback.get_attribute("href").startswith("mailto:")
    expect(page.get_by_role("link", name="www.lbbp.nrw.de/ombudsstelle")).to_be_visible()
    expect(page.get_by_text(re.compile("WCAG 2.1"))).to_be_visible()
    assert_accessible(page, "accessibility statement")
    screenshots(page, "accessibility-statement")
