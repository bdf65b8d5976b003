"""Issue 18, drills: a body's caller starts a drill (Übung) from its home page, the first provider in
the order of precedence accepts it on a phone and reports the call-back through the API, the body
reads the drill report and its PDF, the ministry its overview per provider. Every artefact carries
the ÜBUNG mark: the pages, the e-mails in the outbox, the webhook payloads, the order PDF and the
report PDF; no reporting clock starts. axe on every page; screenshots artifacts/screenshots/drill-*.

No Celery worker runs: the test renders the order and delivers the e-mails itself (as in
test_journey_caller)."""

import re
import uuid
from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from calloffs.models import CallOff, CallOffDocument, DocumentKind
from calloffs.services.api_keys import api_key_create
from incidents.models import ReportingObligation
from notifications.models import Channel, Notification, WebhookEndpoint
from notifications.tasks import deliver_notification
from tests.browser.conftest import PHONE, assert_accessible, login, screenshot, screenshots
from tests.browser.test_journey_caller import render_pending_documents
from tests.calloffs.documents_fixtures import document_bytes, pdf_text

CALLOFF_PAGE = re.compile(r"/abrufe/[0-9a-f-]{36}/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCENARIO = "Übung: angenommener Ransomware-Befall der Fachverfahren, Netz getrennt."


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_drill_end_to_end_with_the_mark_on_every_artefact(phone, desktop, live_server, setup, alice, ministry):
    p1 = setup.providers[0]
    WebhookEndpoint.objects.create(owner=p1, url="https://hooks.p1.example/digisos")
    key = api_key_create(provider=p1, actor=ministry, name="Ticketsystem").raw

    # The body's caller: from the home page to the drill form, away from the emergency button.
    page = desktop
    login(page, live_server, alice)
    page.get_by_role("link", name="Übung starten (kein Notfall)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Übung starten")
    page.get_by_role("button", name="Übung jetzt starten").click()  # nothing filled in: errors, nothing started
    expect(page.locator(".kern-error, .ds-error-summary").first).to_be_visible()
    assert not CallOff.objects.exists()
    assert_accessible(page, "drill form with errors")
    page.get_by_label("Ransomware / Verschlüsselung").check()
    page.get_by_label("Übungsszenario", exact=True).fill(SCENARIO)
    page.get_by_label("Remote").fill("2")
    page.get_by_label("Rückrufnummer für die Übung").fill("+49 171 5550123")
    page.get_by_label("Ich bestätige: Dies ist eine Übung").check()
    screenshots(page, "drill-form")
    page.get_by_role("button", name="Übung jetzt starten").click()
    page.wait_for_url(CALLOFF_PAGE)
    calloff = CallOff.objects.get(situation=SCENARIO)
    assert calloff.is_drill
    expect(page.get_by_role("heading", level=1)).to_contain_text("ÜBUNG")
    # One drill mark on the page: the base banner, here with what a drill call-off is and its report link.
    expect(page.locator(".ds-drill-banner")).to_have_count(1)
    expect(page.get_by_role("note").filter(has_text="ÜBUNG")).to_contain_text("Übung, kein Notfall")
    assert_accessible(page, "drill call-off page (body)")
    screenshots(page, "drill-calloff-body")

    # The provider on a phone: the offer on its home page is marked; it accepts on the call-off page.
    login(phone, live_server, setup.staff[0])
    expect(phone.locator(".ds-drill-mark").first).to_be_visible()
    assert_accessible(phone, "provider home with a drill offer (phone)")
    screenshot(phone, "drill-provider-home-phone")
    phone.goto(f"{live_server.url}/abrufe/{calloff.public_id}/")
    expect(phone.locator("p.ds-drill-banner")).to_be_visible()
    phone.get_by_label("Einsatzleitung (Name)").fill("Jana Keller")
    phone.get_by_label("Telefon der Einsatzleitung").fill("+49 211 5550110")
    phone.get_by_role("button", name="Annehmen").click()
    expect(phone.locator("p.ds-drill-banner")).to_be_visible()
    assert_accessible(phone, "accepted drill (provider, phone)")
    fits(phone)
    screenshot(phone, "drill-accepted-provider-phone")

    # Its ticketing system reports the call-back through the API; the call-off says "drill": true.
    response = requests.post(
        f"{live_server.url}/api/v1/calloffs/{calloff.public_id}/updates/",
        json={"kind": "callback_made", "text": "Rückruf bei der IT-Leitung"},
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    detail = requests.get(
        f"{live_server.url}/api/v1/calloffs/{calloff.public_id}/",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert detail.json()["drill"] is True

    # The body reads the drill report and its PDF.
    page.goto(f"{live_server.url}/abrufe/{calloff.public_id}/")
    page.get_by_role("link", name="Übungsbericht ansehen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Übungsbericht")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ÜBUNG")
    expect(page.locator("main")).to_contain_text("P1 Cyberabwehr GmbH")
    expect(page.locator("main")).to_contain_text("in der Frist")
    assert_accessible(page, "drill report (body)")
    screenshots(page, "drill-report")
    report_pdf = page.request.get(f"{live_server.url}/abrufe/uebungen/{calloff.public_id}/bericht.pdf")
    assert report_pdf.status == 200
    report_text = pdf_text(report_pdf.body())
    assert "ÜBUNG" in report_text and calloff.number in report_text and "Erster Rückruf" in report_text

    # The order PDF (rendered by the worker) is marked too.
    render_pending_documents()
    order = CallOffDocument.objects.filter(calloff=calloff, kind=DocumentKind.ORDER).latest("version")
    order_text = pdf_text(document_bytes(order))
    assert "ÜBUNG" in order_text and calloff.number in order_text

    # Every e-mail (delivered into the outbox), SMS and webhook payload of the drill says so.
    rows = list(Notification.objects.filter(calloff=calloff))
    assert {Channel.EMAIL, Channel.WEBHOOK} <= {r.channel for r in rows}
    assert all(r.payload["data"]["drill"] is True for r in rows if r.channel == Channel.WEBHOOK)
    assert all(r.body.startswith("ÜBUNG: ") for r in rows if r.channel == Channel.SMS)
    mail.outbox.clear()
    for row in rows:
        if row.channel == Channel.EMAIL:
            deliver_notification(row.pk)
    assert mail.outbox and all(m.subject.startswith("ÜBUNG: ") for m in mail.outbox)
    assert all(m.body.startswith("ÜBUNG – dies ist eine Übung, kein Notfall.") for m in mail.outbox)

    # No legal reporting clock was started for the drill.
    assert not ReportingObligation.objects.filter(incident=calloff.incident).exists()

    # The ministry: from its home page to the providers' drill times.
    page.context.clear_cookies()
    login(page, live_server, ministry)
    page.get_by_role("link", name="Übungen: Reaktionszeiten der Dienstleister").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Übungen: Reaktionszeiten der Dienstleister")
    expect(page.get_by_role("link", name=calloff.number)).to_be_visible()
    assert_accessible(page, "drill overview (ministry)")
    screenshots(page, "drill-overview-ministry")

    # The period of the overview: an end before the start is a German error (input kept, axe-clean),
    # a period with today lists the drill, and the PDF link keeps the period.
    today = timezone.localdate()
    page.get_by_label("Übungen ab").fill(today.isoformat())
    page.get_by_label("Übungen bis").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Zeitraum anzeigen").click()
    expect(page.locator(".ds-error-summary")).to_contain_text("nicht vor seinem Beginn")
    expect(page.get_by_label("Übungen ab")).to_have_value(today.isoformat())
    assert_accessible(page, "drill overview, bad period (ministry)")
    page.get_by_label("Übungen bis").fill(today.isoformat())
    page.get_by_role("button", name="Zeitraum anzeigen").click()
    expect(page.get_by_role("link", name=calloff.number)).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"Zeitraum: Übungen vom {today:%d.%m.%Y} bis zum {today:%d.%m.%Y}")
    pdf_link = page.get_by_role("link", name="Als PDF")
    assert f"date_from={today.isoformat()}" in pdf_link.get_attribute("href")
    period_pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert period_pdf.status == 200 and calloff.number in pdf_text(period_pdf.body())
