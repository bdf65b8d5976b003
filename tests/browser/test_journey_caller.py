"""Issue 8, journeys 1 and 2: a caller of a municipality files an emergency call-off on a phone and
follows it in the browser while the providers answer through the REST API.

The live server runs in a thread of this process, and no Celery worker runs: what the worker and
the beat would do (render the order PDF, sweep the deadlines) the test does by calling the task
functions itself, at the moment they would run.
"""

import re
import uuid
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from calloffs.models import CallOff, CallOffDocument, CallOffState, DocumentKind, DocumentState, OfferState
from calloffs.services.api_keys import api_key_create
from calloffs.tasks.documents import render_calloff_document
from calloffs.tasks.sweep import sweep_deadlines
from tests.browser.conftest import PHONE, assert_accessible, login, screenshots

CALLOFF_PAGE = re.compile(r"/abrufe/[0-9a-f-]{36}/$")
#: The call-off page polls /live/ every 4 s (backing off after a failed poll); allow for several rounds.
LIVE = 30_000
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def provider_accepts(live_server, calloff, key, *, lead_name, lead_phone):
    """The provider's ticketing system accepts through the REST API, over HTTP against the live server."""
    response = requests.post(
        f"{live_server.url}/api/v1/calloffs/{calloff.public_id}/accept/",
        json={"lead_name": lead_name, "lead_phone": lead_phone},
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "accepted"
    return response.json()


def render_pending_documents():
    """What the worker does once the accept has committed: render each waiting document."""
    pending = list(CallOffDocument.objects.filter(state=DocumentState.PENDING).values_list("pk", flat=True))
    for document_id in pending:
        assert render_calloff_document(document_id) == DocumentState.READY
    return pending


def file_minimal(page, live_server, situation):
    page.goto(f"{live_server.url}/abrufe/neu/")
    page.get_by_label("Kompromittiertes Konto").check()  # nothing is preselected: the caller says what happened
    page.get_by_label("Ja – der Betrieb steht (Priorität P1)").check()
    page.get_by_label("Kurze Lagebeschreibung").fill(situation)
    page.get_by_label("Remote").fill("8")
    page.get_by_label("Rückrufnummer (außerhalb der eigenen Telefonanlage)").fill("+49 171 5550123")
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
    page.wait_for_url(CALLOFF_PAGE)
    return CallOff.objects.get(situation=situation)


def test_journey_1_file_on_a_phone_provider_accepts_by_api_order_pdf(phone, live_server, setup, alice, ministry):
    page = phone
    key = api_key_create(provider=setup.providers[0], actor=ministry, name="Ticketsystem P1").raw
    login(page, live_server, alice)
    assert_accessible(page, "home (caller)")
    screenshots(page, "home")

    # From the home page's emergency button to the form.
    page.get_by_role("link", name=re.compile("Notfall-Abruf starten")).click()
    page.wait_for_url(f"{live_server.url}/abrufe/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notfall-Abruf stellen")
    assert setup.providers[0].hotline in page.content()
    assert_accessible(page, "filing form")
    screenshots(page, "filing-form")

    # Sent empty: the error summary names each missing field and links to it; nothing is filed.
    page.get_by_label("Kurze Lagebeschreibung").fill("")
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Kurze Lagebeschreibung: "))).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Ist der Dienstbetrieb eingestellt"))).to_be_visible()
    assert page.get_by_label("Kurze Lagebeschreibung").get_attribute("aria-invalid") == "true"
    assert CallOff.objects.count() == 0
    assert_accessible(page, "filing form with errors")
    screenshots(page, "filing-form-errors")

    page.get_by_label("Ransomware / Verschlüsselung").check()
    page.get_by_label("Ja – der Betrieb steht (Priorität P1)").check()
    page.get_by_label("Kurze Lagebeschreibung").fill("Erpresserschreiben, Fileserver verschlüsselt.")
    page.get_by_label("Remote").fill("12")
    page.get_by_label("Rückrufnummer (außerhalb der eigenen Telefonanlage)").fill("+49 171 5550123")
    page.get_by_role("button", name="Abruf jetzt verbindlich stellen").click()
    page.wait_for_url(CALLOFF_PAGE)
    calloff = CallOff.objects.get()
    assert calloff.state == CallOffState.OFFERED and calloff.priority == "P1"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Abruf {calloff.number}")
    expect(page.get_by_text(f"Ihr Abruf {calloff.number} ist eingegangen.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Angefragt bei P1 – Antwort bis \d{2}:\d{2} Uhr\."))).to_be_visible()
    # 12 h remote at 210 € in German notation.
    expect(page.get_by_text("2.520,00\u00a0€").first).to_be_visible()
    assert_accessible(page, "call-off page, offered")
    screenshots(page, "calloff-offered")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    url_before = page.url
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    # P1's ticketing system accepts; the open page shows the lead and the phone without a reload.
    body = provider_accepts(live_server, calloff, key, lead_name="Jana Keller", lead_phone="+49 211 5550110")
    assert body["lead"]["lead_name"] == "Jana Keller"
    expect(page.get_by_text("Jana Keller")).to_be_visible(timeout=LIVE)
    expect(page.get_by_role("link", name="+49 211 5550110")).to_be_visible()
    expect(page.locator("#status-heading")).to_contain_text("Angenommen")
    expect(page.get_by_text("P1 Cyberabwehr GmbH")).to_be_visible()
    assert page.get_by_role("link", name="+49 211 5550110").get_attribute("href") == "tel:+492115550110"

    # The worker renders the order; the documents part of the page picks it up, still without a reload.
    assert len(render_pending_documents()) == 1
    order = CallOffDocument.objects.get(calloff=calloff, kind=DocumentKind.ORDER)
    link = page.get_by_role("link", name=re.compile("^PDF öffnen"))
    expect(link).to_be_visible(timeout=LIVE)
    assert navigations == [] and page.url == url_before
    assert_accessible(page, "call-off page, accepted")
    screenshots(page, "calloff-accepted")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The link downloads the order (with the browser's session: page.request shares its cookies).
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    assert response.headers["x-document-sha256"] == order.sha256


def test_journey_2_first_provider_lets_the_offer_time_out_second_accepts(
    phone, live_server, setup, alice, ministry, time_machine
):
    page = phone
    key_p2 = api_key_create(provider=setup.providers[1], actor=ministry, name="Ticketsystem P2").raw
    login(page, live_server, alice)
    calloff = file_minimal(page, live_server, "Domänencontroller kompromittiert, Konten gesperrt.")
    first = calloff.offers.get()
    assert first.provider == setup.providers[0] and first.state == OfferState.OPEN
    expect(page.get_by_text(re.compile(r"Angefragt bei P1 –"))).to_be_visible()

    # P1 does not answer. The clock of the whole process (the live server included) moves past the
    # deadline, and the deadline sweep runs as the beat would run it.
    time_machine.move_to(first.respond_by + timedelta(seconds=5), tick=True)
    assert sweep_deadlines()["expired"] == 1
    first.refresh_from_db()
    assert first.state == OfferState.EXPIRED
    second = calloff.offers.get(state=OfferState.OPEN)
    assert second.provider == setup.providers[1]

    # The open page follows: offered to P2 now, and the timeline says why.
    expect(page.get_by_text(re.compile(r"Angefragt bei P2 –"))).to_be_visible(timeout=LIVE)
    deadline = re.escape(timezone.localtime(first.respond_by).strftime("%d.%m.%Y"))
    expect(page.get_by_text(re.compile(rf"Keine Antwort bis {deadline} \d{{2}}:\d{{2}}"))).to_be_visible()
    assert_accessible(page, "call-off page, re-offered")

    provider_accepts(live_server, calloff, key_p2, lead_name="Murat Aydin", lead_phone="+49 221 5550199")
    expect(page.get_by_text("Murat Aydin")).to_be_visible(timeout=LIVE)
    expect(page.get_by_text("P2 Incident Response AG")).to_be_visible()
    expect(page.get_by_role("link", name="+49 221 5550199")).to_be_visible()
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.ACCEPTED and calloff.provider == setup.providers[1]
    assert_accessible(page, "call-off page, accepted by the second provider")
    screenshots(page, "calloff-accepted-second")
