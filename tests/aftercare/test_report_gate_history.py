"""The reconnection gate's history in the reports and on the ministry's major-incident page: every period
the gate was open, when and by whom it was opened and closed again and why. The engagement's final
report (read by the provider too) names roles only; the incident's report (the body and the ministry)
names the people with their roles, as the portal shows them; the major-incident page shows a clear
state for a gate never closed and for one never opened."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare import services
from aftercare.models import Measure
from aftercare.remediation import services as remediation
from incidents import services as incident_services
from incidents.models import Category
from tests.aftercare.conftest import FINDING
from tests.aftercare.test_final_report import issue
from tests.aftercare.test_incident_report import issue_incident_report
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_text

queued, run_queued = fx.queued, fx.run_queued

pytestmark = pytest.mark.django_db

REASON = "Neue Anmeldungen des Angreifers am VPN beobachtet."


@pytest.fixture
def required(engaged, p1):
    """Body A's incident with one measure required for reconnection (the body's own work)."""
    measure = Measure.objects.get(finding=services.finding_create(calloff=engaged, actor=p1, **FINDING))
    return remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=True)


@pytest.fixture
def history(required, engaged, p1, body_admin, ministry):
    """The measure verified, the gate opened by the body's admin, closed by the ministry, opened again."""
    remediation.measure_done(measure=required, actor=body_admin)
    remediation.measure_verify(measure=required, actor=p1)
    first = remediation.gate_open(incident=engaged.incident, actor=body_admin, note="Freigabe nach dem Retest.")
    remediation.gate_close(incident=engaged.incident, actor=ministry, reason=REASON)
    second = remediation.gate_open(incident=engaged.incident, actor=body_admin)
    return first, second


def _stamp(value) -> str:
    return f"{timezone.localtime(value):%d.%m.%Y, %H:%M} Uhr"


def test_the_final_report_shows_the_history_with_roles(
    history, engaged, p1, body_admin, ministry, run_queued, django_capture_on_commit_callbacks
):
    first, second = history
    text = pdf_text(document_bytes(issue(engaged, p1, run_queued, django_capture_on_commit_callbacks)))
    section = text[text.index("Wiederanschluss an gemeinsame Netze") : text.index("6. Meldepflichten")]
    assert f"Stand: freigegeben am {_stamp(second.opened_at)} von der Stelle (Verwaltung)" in section
    assert "Verlauf der Freigaben" in section
    # Oldest first: opened by the body, closed by the ministry with its reason; then opened again.
    assert (
        section.index("Freigabe nach dem Retest.")
        < section.index(REASON)
        < section.index("bisher nicht wieder gesperrt")
    )
    assert "Stelle (Verwaltung)" in section and "Ministerium" in section
    # The provider reads this report: roles, no names.
    for leak in (body_admin.get_full_name(), ministry.get_full_name(), body_admin.email, ministry.email):
        assert leak not in text, leak


def test_the_incident_report_names_who_with_the_role(
    history, engaged, alice, body_admin, ministry, run_queued, django_capture_on_commit_callbacks
):
    text = pdf_text(
        document_bytes(issue_incident_report(engaged.incident, alice, run_queued, django_capture_on_commit_callbacks))
    )
    section = text[text.index("5. Wiederanschluss an gemeinsame Netze") : text.index("6. Einsatzstunden")]
    assert f"von {body_admin.get_full_name()} (Stelle, Verwaltung)" in section
    assert f"{ministry.get_full_name()} (Ministerium)" in section
    assert REASON in section and "bisher nicht wieder gesperrt" in section


def test_a_gate_never_opened_says_so(required, engaged, p1, run_queued, django_capture_on_commit_callbacks):
    text = pdf_text(document_bytes(issue(engaged, p1, run_queued, django_capture_on_commit_callbacks)))
    section = text[text.index("Wiederanschluss an gemeinsame Netze") : text.index("6. Meldepflichten")]
    assert (
        "Stand: gesperrt – 1 für den Wiederanschluss erforderliche Maßnahme ist noch nicht geprüft und bestätigt. "
        "Bestätigen muss sie der beauftragte Dienstleister nach einem erneuten Test." in section
    )
    assert "Noch nie freigegeben." in section and "Verlauf der Freigaben" not in section


def test_no_gate_section_without_a_required_measure_or_a_history(
    engaged, p1, run_queued, django_capture_on_commit_callbacks
):
    text = pdf_text(document_bytes(issue(engaged, p1, run_queued, django_capture_on_commit_callbacks)))
    assert "Wiederanschluss an gemeinsame Netze" not in text


def _row(page: str, body: str) -> str:
    rows = [row for row in page.split("<tr>") if f">{body}</a></th>" in row]
    assert len(rows) == 1, body
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0].split("</tr>")[0]))


def _date(value) -> str:
    return f"{timezone.localtime(value):%d.%m.%Y %H:%M}"


def test_the_major_incident_page_shows_a_clear_history(
    client_for, ministry, body_admin, alice, p1, engaged, engaged_b, org_a, org_b
):
    major = incident_services.major_incident_declare(actor=ministry, title="Ausfall des IT-Dienstleisters")
    incident_services.major_incident_link(
        major=major, actor=ministry, organisations=[org_a, org_b], category=Category.OTHER
    )
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    measure = Measure.objects.get(finding=finding)
    remediation.measure_done(measure=measure, actor=body_admin)
    remediation.measure_verify(measure=measure, actor=p1)
    gate = remediation.gate_open(incident=engaged.incident, actor=body_admin)
    url = reverse("aftercare:major_gates", kwargs={"public_id": major.public_id})

    def rows():
        page = html.unescape(client_for(ministry).get(url).content.decode())
        return _row(page, org_a.name), _row(page, org_b.name)

    row_a, row_b = rows()
    opener = f"{body_admin.get_full_name()} (Stelle, Verwaltung)"
    # Opened, never closed: said so, not left blank.
    assert f"Freigegeben am {_date(gate.opened_at)} von {opener}, seitdem nicht wieder gesperrt." in row_a
    # Never opened: said so.
    assert "Noch nie freigegeben." in row_b
    # Closed by the ministry and opened again: both periods, the latest first, with who, when and why.
    closed = remediation.gate_close(incident=engaged.incident, actor=ministry, reason=REASON)
    again = remediation.gate_open(incident=engaged.incident, actor=ministry)
    row_a, _row_b = rows()
    closer = f"{ministry.get_full_name()} (Ministerium)"
    assert (
        f"Freigegeben am {_date(closed.opened_at)} von {opener}, wieder gesperrt am {_date(closed.closed_at)} von "
        f"{closer}. Grund: {REASON}" in row_a
    )
    assert f"Freigegeben am {_date(again.opened_at)} von {closer}, seitdem nicht wieder gesperrt." in row_a
    assert row_a.index("seitdem nicht wieder gesperrt") < row_a.index(REASON)
    # Still the ministry's page only.
    for user in (body_admin, alice, p1):
        assert client_for(user).get(url).status_code == 404
