"""Issue 16, evidence and the body's TLP choice: the accepting provider uploads a log file to its finding
on a phone (a refused file first), sees its SHA-256; the body's caller reads the evidence with the same
SHA-256, downloads it and raises an indicator to TLP:RED on a desktop. axe on every page, nothing wider
than the phone. Screenshots artifacts/screenshots/aftercare-evidence-*."""

import hashlib
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aftercare import services
from aftercare.models import Indicator
from tests.browser.conftest import PHONE, assert_accessible, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOG = b"2026-11-28 03:12:01 vpn-gw login ok user=svc-backup from 203.0.113.17\n"


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391)
  .slice(-3).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 60))"""


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, page.evaluate(WIDEST))


def test_provider_uploads_evidence_and_the_body_reads_it_and_sets_tlp(
    phone, desktop, live_server, drive, setup, alice, tmp_path
):
    calloff = drive("accepted")
    p1 = setup.staff[0]
    finding = services.finding_create(
        calloff=calloff,
        actor=p1,
        title="VPN ohne Mehrfaktor-Anmeldung",
        description="Anmeldung mit erbeuteten Zugangsdaten.",
        category="remote_access",
        severity="critical",
    )
    indicator = services.indicator_create(calloff=calloff, actor=p1, kind="ip", value="203.0.113.17", tlp="green")
    aftercare_url = live_server.url + reverse("aftercare:incident", args=[calloff.incident.public_id])
    refused = tmp_path / "bericht.html"
    refused.write_bytes(b"<html><script>alert(1)</script></html>")
    log = tmp_path / "vpn-gateway.log"
    log.write_bytes(LOG)

    page = phone
    login(page, live_server, p1)
    page.goto(aftercare_url)
    page.get_by_role("link", name="Beweismittel hochladen").click()
    assert_accessible(page, "evidence form (phone)")
    page.get_by_label("Datei").set_input_files(str(refused))
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".ds-error-summary, .kern-error").first).to_be_visible()
    assert_accessible(page, "evidence form with errors (phone)")
    fits(page)
    screenshot(page, "aftercare-evidence-form-error-phone")
    page.get_by_label("Datei").set_input_files(str(log))
    page.get_by_label("Beschreibung").fill("Anmeldungen am VPN-Gateway")
    page.get_by_role("button", name="Speichern").click()
    sha256 = hashlib.sha256(LOG).hexdigest()
    expect(page.get_by_role("status")).to_contain_text("vpn-gateway.log")
    expect(page.get_by_text(sha256, exact=True)).to_be_visible()
    assert_accessible(page, "aftercare page with evidence (provider, phone)")
    fits(page)
    screenshot(page, "aftercare-evidence-provider-phone")

    page = desktop
    login(page, live_server, alice)
    page.goto(aftercare_url)
    expect(page.get_by_text(sha256, exact=True)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="vpn-gateway.log").click()
    with open(info.value.path(), "rb") as downloaded:
        assert hashlib.sha256(downloaded.read()).hexdigest() == sha256
    page.get_by_role("link", name=re.compile(r"TLP ändern\W+203\.0\.113\.17")).click()
    assert_accessible(page, "TLP form (body, desktop)")
    page.get_by_label("TLP-Stufe").select_option("red")
    page.get_by_label("Begründung").fill("Ermittlungen der Polizei laufen")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die TLP-Stufe wurde gespeichert.")
    expect(page.get_by_role("cell", name="TLP:RED")).to_be_visible()
    assert_accessible(page, "aftercare page with evidence (body, desktop)")
    screenshot(page, "aftercare-evidence-body-desktop")
    assert Indicator.objects.get(pk=indicator.pk).tlp == "red"
    assert finding.evidence.count() == 1
