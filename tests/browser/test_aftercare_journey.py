"""Issue 16, aftercare: the accepting provider records two findings and three indicators in the portal
on a phone; the body's read-only member reads them on a desktop; the body's admin assigns the measures
(one to a member, one to the provider) and marks one done; the provider verifies it on the phone; the
ministry opens the list of indicators seen at more than one body from its home page. axe on every
page, nothing wider than the phone. Then the final report: the provider writes its lessons learned and
issues the Abschlussbericht, the worker renders it, the ministry opens it from the aftercare page; its
first page is rendered to PNG (artifacts/screenshots/aftercare-final-report-page1.png) to be looked at.
Last the ministry issues the incident's own final report (every engagement), which the provider does not see.
Screenshots in artifacts/screenshots/aftercare-*."""

import hashlib
import io
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from calloffs.models import CallOffDocument, DocumentKind, DocumentState
from calloffs.tasks.documents import render_calloff_document
from tests.browser.conftest import ARTIFACTS, PHONE, assert_accessible, login, screenshot, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINDINGS = [
    ("Phishing-Mail an die Poststelle", "phishing", "Makro-Dokument geöffnet, Erstzugang am 28.11.", "high"),
    ("VPN ohne Mehrfaktor-Anmeldung", "remote_access", "Anmeldung mit erbeuteten Zugangsdaten.", "critical"),
]
INDICATORS = [
    ("domain", "rechnung-stadtwerke.example"),
    ("ip", "203.0.113.17"),
    ("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
]


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_provider_records_findings_and_indicators_body_and_ministry_read(
    phone, desktop, live_server, drive, setup, bob, body_admin, ministry
):
    calloff = drive("accepted")
    page = phone
    login(page, live_server, setup.staff[0])
    page.goto(live_server.url + reverse("incidents:detail", args=[calloff.incident.public_id]))
    page.get_by_role("link", name="Nachbereitung: Befunde und Indikatoren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nachbereitung: Befunde und Indikatoren")
    assert_accessible(page, "aftercare page (empty, provider, phone)")
    aftercare_url = page.url

    for title, category, description, severity in FINDINGS:
        page.get_by_role("link", name="Befund erfassen").click()
        if title == FINDINGS[0][0]:  # the form with an error first: nothing filled in
            page.get_by_role("button", name="Speichern").click()
            expect(page.locator(".ds-error-summary, .kern-error").first).to_be_visible()
            assert_accessible(page, "finding form with errors (phone)")
            fits(page)
            screenshot(page, "aftercare-finding-form-error-phone")
        page.get_by_label("Titel").fill(title)
        page.get_by_label("Kategorie").select_option(category)
        page.get_by_label("Beschreibung").fill(description)
        page.get_by_label("Schweregrad").select_option(severity)
        if category == "remote_access":
            page.get_by_label("Dieser Befund ist eine Ursache des Vorfalls").check()
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("status")).to_contain_text("Der Befund wurde gespeichert.")
    for kind, value in INDICATORS:
        page.get_by_role("link", name="Indikator erfassen").click()
        page.get_by_label("Typ").select_option(kind)
        page.get_by_label("Wert").fill(value)
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("status")).to_contain_text("Der Indikator wurde gespeichert.")
    assert page.url == aftercare_url
    for title, *_rest in FINDINGS:
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    for _kind, value in INDICATORS:
        expect(page.get_by_text(value, exact=True)).to_be_visible()
    assert_accessible(page, "aftercare page (filled, provider, phone)")
    fits(page)
    screenshot(page, "aftercare-provider-phone")

    # The body's read-only member reads them; it cannot write.
    login(desktop, live_server, bob)
    desktop.goto(aftercare_url)
    for title, *_rest in FINDINGS:
        expect(desktop.get_by_role("heading", name=title)).to_be_visible()
    for _kind, value in INDICATORS:
        expect(desktop.get_by_text(value, exact=True)).to_be_visible()
    expect(desktop.get_by_role("link", name="Befund erfassen")).to_have_count(0)
    assert_accessible(desktop, "aftercare page (body member, desktop)")
    screenshots(desktop, "aftercare-body")

    # Remediation: the body's admin assigns the measures and marks one done ...
    desktop.context.clear_cookies()
    login(desktop, live_server, body_admin)
    measures_url = live_server.url + reverse("aftercare:measures", args=[calloff.incident.public_id])
    desktop.goto(measures_url)
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Nachbereitung: Maßnahmen")
    assert_accessible(desktop, "measures with the reconnection gate (body admin)")
    desktop.get_by_role("link", name=f"Umsetzen: {FINDINGS[1][0]}").click()
    desktop.get_by_label("Verantwortlich").select_option(str(bob.pk))
    desktop.get_by_role("button", name="Zuständigkeit speichern").click()
    expect(desktop.get_by_role("status")).to_contain_text("Die Zuständigkeit ist gespeichert.")
    desktop.get_by_label("Was wurde umgesetzt? (optional)").fill("MFA für alle VPN-Konten erzwungen.")
    desktop.get_by_role("button", name="Als umgesetzt melden").click()
    expect(desktop.get_by_role("status")).to_contain_text("der beauftragte Dienstleister wird um Prüfung gebeten")
    assert_accessible(desktop, "measure marked done (body admin)")
    screenshots(desktop, "aftercare-measure-done")
    verify_url = desktop.url
    desktop.goto(measures_url)
    desktop.get_by_role("link", name=f"Umsetzen: {FINDINGS[0][0]}").click()
    desktop.get_by_label("Verantwortlich").select_option("provider")
    desktop.get_by_role("button", name="Zuständigkeit speichern").click()
    expect(desktop.get_by_role("status")).to_contain_text("Die Zuständigkeit ist gespeichert.")

    # ... and the provider verifies it on the phone (sending it back needs a reason first).
    page.goto(verify_url)
    page.get_by_label("Zurückgeben: nicht ausreichend").check()
    page.get_by_role("button", name="Prüfergebnis speichern").click()
    expect(page.locator(".ds-error-summary")).to_contain_text("Bitte begründen Sie die Rückgabe")
    page.get_by_label("Bestätigt: die Maßnahme wirkt").check()
    page.get_by_role("button", name="Prüfergebnis speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Das Ergebnis der Prüfung ist gespeichert.")
    expect(page.get_by_text("Status: Geprüft und bestätigt")).to_be_visible()
    assert_accessible(page, "measure verified (provider, phone)")
    fits(page)
    screenshot(page, "aftercare-measure-verified-phone")
    page.goto(measures_url)
    assert_accessible(page, "measures (provider, phone)")
    fits(page)

    # The ministry: from its home page to the indicators seen at more than one body.
    desktop.context.clear_cookies()
    login(desktop, live_server, ministry)
    desktop.get_by_role("link", name="Indikatoren bei mehreren Stellen").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Indikatoren bei mehreren Stellen")
    assert_accessible(desktop, "indicators at more than one body (ministry)")
    screenshots(desktop, "aftercare-ministry-indicators")

    # The final report: the provider writes its lessons learned and issues the PDF (phone) …
    page.goto(aftercare_url)
    page.get_by_role("link", name="Eigene Lessons learned schreiben").click()
    assert_accessible(page, "lessons learned form (provider, phone)")
    fits(page)
    page.get_by_label("Lessons learned").fill(
        "Fernzugänge ohne MFA waren das Einfallstor; Härtung vor dem Wiederanschluss."
    )
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die Lessons learned wurden gespeichert.")
    page.get_by_role("button", name="Abschlussbericht als PDF erstellen").click()
    expect(page.get_by_role("status")).to_contain_text("Der Abschlussbericht wird als PDF erstellt.")
    report = CallOffDocument.objects.get(calloff=calloff, kind=DocumentKind.FINAL_REPORT)
    assert report.state == DocumentState.PENDING
    # … the worker renders it …
    assert render_calloff_document(report.pk) == DocumentState.READY
    report.refresh_from_db()
    page.reload()
    section = page.locator("#abschlussbericht")
    expect(section.get_by_text("Bereit")).to_be_visible()
    expect(section.get_by_text(report.sha256)).to_be_visible()
    assert_accessible(page, "aftercare page with the final report (provider, phone)")
    fits(page)
    screenshot(page, "aftercare-final-report-provider-phone")

    # … and the ministry opens it from the aftercare page: the file the link gives is the one whose
    # SHA-256 the page shows.
    desktop.goto(aftercare_url)
    link = desktop.locator("#abschlussbericht").get_by_role("link", name="PDF öffnen")
    response = desktop.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert response.headers["x-document-sha256"] == report.sha256 == hashlib.sha256(pdf).hexdigest()

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for expected in ("Abschlussbericht", "2. Ursache", FINDINGS[1][0], "Härtung vor dem Wiederanschluss"):
        assert expected in text, expected
    # the measures with their state: the one the provider verified above, the other one open
    measures = text[text.index("5. Maßnahmen") : text.index("6. Meldepflichten")]
    assert "Geprüft und bestätigt" in measures and "Offen" in measures
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "aftercare-final-report.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(ARTIFACTS / "aftercare-final-report.pdf"),
            str(ARTIFACTS / "aftercare-final-report-page1"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "aftercare-final-report-page1.png").stat().st_size > 10_000
    assert_accessible(desktop, "aftercare page with the final report (ministry)")
    screenshots(desktop, "aftercare-final-report-ministry")

    # The incident's own final report (every engagement): the ministry issues it on the same page, the
    # worker renders it; the provider's page does not show it (need-to-know).
    desktop.get_by_role("button", name="Abschlussbericht zum Vorfall als PDF erstellen").click()
    expect(desktop.get_by_role("status")).to_contain_text("Der Abschlussbericht wird als PDF erstellt.")
    incident_report = CallOffDocument.objects.get(incident=calloff.incident, kind=DocumentKind.INCIDENT_REPORT)
    assert render_calloff_document(incident_report.pk) == DocumentState.READY
    incident_report.refresh_from_db()
    desktop.reload()
    panel = desktop.locator("#abschlussbericht-vorfall")
    expect(panel.get_by_text(incident_report.sha256)).to_be_visible()
    assert_accessible(desktop, "aftercare page with the incident's final report (ministry)")
    screenshots(desktop, "aftercare-incident-report-ministry")
    response = desktop.request.get(live_server.url + panel.get_by_role("link", name="PDF öffnen").get_attribute("href"))
    assert response.status == 200 and response.headers["x-document-sha256"] == incident_report.sha256
    (ARTIFACTS / "aftercare-incident-report.pdf").write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile"]
        + [str(ARTIFACTS / "aftercare-incident-report.pdf"), str(ARTIFACTS / "aftercare-incident-report-page1")],
        check=True,
    )
    page.goto(aftercare_url)
    expect(page.locator("#abschlussbericht")).to_be_visible()
    expect(page.locator("#abschlussbericht-vorfall")).to_have_count(0)
