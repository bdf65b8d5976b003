"""Issue 18, onboarding: a municipal company applies on a phone without an account, the ministry
approves on a desktop (the body is entered under its parent, its first administrator invited), and
the invited administrator follows the e-mail's link and sets up the account. axe on every page,
nothing wider than the phone. Screenshots in artifacts/screenshots/onboarding-*."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.core import mail
from playwright.sync_api import expect

from onboarding.models import AccessRequest, RequestStatus
from tenants.models import Membership, Role
from tests.browser.conftest import PASSWORD, PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_apply_approve_and_the_invited_admin_signs_up(
    browser, phone, desktop, live_server, org_a, ministry, deliver_outbox
):
    # 1. The applicant, no account, on a phone: from the login page to the form.
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Zugang beantragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugang zum Notfallportal beantragen")
    assert_accessible(page, "access request form (phone)")
    page.get_by_label("Name der Stelle").fill("Stadtwerke A GmbH")
    page.get_by_label("Rechtsform / Art").select_option("kommunales_unternehmen")
    page.get_by_label("Übergeordnete Stelle (Träger)").select_option(label=f"{org_a.name} ({org_a.ags})")
    page.get_by_label("Straße und Hausnummer").fill("Werkstraße 5")
    page.get_by_label("Postleitzahl").fill("50667")
    page.get_by_label("Ort").fill("Stadt A")
    page.get_by_label("Ansprechperson", exact=True).fill("Petra Netz")
    page.get_by_label("E-Mail-Adresse der Ansprechperson").fill("p.netz@stadtwerke-a.example")
    page.get_by_label("Telefonnummer der Ansprechperson").fill("+49 221 5550100")
    page.get_by_label("Nachweis der Abrufberechtigung").set_input_files(
        files=[{"name": "handelsregister.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "onboarding-form-phone")
    page.get_by_role("button", name="Antrag absenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Antrag ist eingegangen")
    access_request = AccessRequest.objects.get()
    expect(page.get_by_text(access_request.reference)).to_be_visible()
    assert_accessible(page, "request received (phone)")
    screenshot(page, "onboarding-received-phone")

    # 2. The ministry approves on a desktop.
    login(desktop, live_server, ministry)
    desktop.goto(f"{live_server.url}/zugang/antraege/")
    desktop.get_by_role("link", name="Stadtwerke A GmbH").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Stadtwerke A GmbH")
    assert_accessible(desktop, "access request (ministry)")
    screenshots(desktop, "onboarding-request-ministry")
    desktop.get_by_role("button", name="Antrag freigeben").click()
    expect(desktop.get_by_role("status")).to_contain_text("Die Stelle ist angelegt")
    access_request.refresh_from_db()
    assert access_request.status == RequestStatus.APPROVED
    body = access_request.organisation
    assert body.parent == org_a
    assert_accessible(desktop, "access request approved (ministry)")

    # 3. The invitation goes out through the outbox; the contact signs up on her phone.
    mail.outbox.clear()
    deliver_outbox()
    invitation_mail = next(m for m in mail.outbox if "p.netz@stadtwerke-a.example" in m.to and "Einladung" in m.subject)
    link = re.search(r"https?://\S+/stellen/einladung/\S+/", invitation_mail.body).group(0)
    path = link.split("/stellen/", 1)[1]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    try:
        admin = context.new_page()
        admin.goto(f"{live_server.url}/stellen/{path}")
        admin.locator("input[name=password1]").fill(PASSWORD)
        admin.locator("input[name=password2]").fill(PASSWORD)
        assert_accessible(admin, "sign-up from the invitation (phone)")
        admin.locator("main form button[type=submit]").first.click()
        admin.wait_for_load_state()
        membership = Membership.objects.get(user__email="p.netz@stadtwerke-a.example")
        assert membership.organisation == body and membership.role == Role.ADMIN
        assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(admin, "onboarding-admin-first-login-phone")
        # 4. She is logged in: the portal asks her to set up the second factor (only a logged-in account
        # is sent there), she does, and sees her new body with her role.
        # Setting up a factor asks for the password once more (allauth's reauthentication).
        expect(admin).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"))
        admin.get_by_label("Passwort").fill(PASSWORD)
        admin.get_by_role("button", name="Bestätigen").click()
        expect(admin).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
        secret = "".join(admin.locator("#authenticator_secret").inner_text().split())
        remaining = 30 - time.time() % 30
        if remaining < 5:
            time.sleep(remaining + 0.1)
        admin.locator("input[name=code]").fill(f"{hotp_value(secret, int(time.time()) // 30):06d}")
        admin.locator("main form button[type=submit]").first.click()
        admin.wait_for_load_state()
        admin.goto(f"{live_server.url}/stellen/{body.public_id}/")
        expect(admin.get_by_role("heading", level=1)).to_have_text("Stadtwerke A GmbH")
        admin.goto(f"{live_server.url}/stellen/")
        expect(admin.get_by_role("link", name="Stadtwerke A GmbH")).to_be_visible()
        assert_accessible(admin, "the new body, seen by its first administrator (phone)")
    finally:
        context.close()
