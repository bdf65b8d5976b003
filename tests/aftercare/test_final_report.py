"""The final report (Abschlussbericht): issued by the accepting provider or the body, rendered by the
worker's task into a versioned, hash-verifiable PDF whose text carries every section; readers and
outsiders; lessons learned with their plausible length in service, form and database."""

import hashlib
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aftercare import report_services, services
from aftercare.models import Measure, ReportNotes
from aftercare.remediation import services as remediation
from calloffs import services as calloff_services
from calloffs.errors import NotPermitted
from calloffs.models import CallOffDocument, DocumentKind, DocumentState
from calloffs.services.documents import document_request
from incidents import services as incident_services
from incidents.models import ObligationKind
from tests.aftercare.conftest import FINDING
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_text

queued, run_queued = fx.queued, fx.run_queued

pytestmark = pytest.mark.django_db

LESSONS_P = "Fernzugänge ohne MFA waren das Einfallstor; Härtung vor der Wiederinbetriebnahme."
LESSONS_B = "Notfallkontakte waren veraltet; die Meldekette wird halbjährlich geübt."


def issue(calloff, actor, run_queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = report_services.final_report_issue(calloff=calloff, actor=actor)
    rendered = {d.pk: d for d in run_queued()}
    return rendered.get(document.pk, CallOffDocument.objects.get(pk=document.pk))


@pytest.fixture
def report_data(engaged, p1, alice, setup):
    """Body A's incident (NIS-2, notification made) with the engagement's findings, hours, lessons."""
    incident = engaged.incident
    incident_services.incident_update(incident=incident, actor=alice, nis2_in_scope=True)
    notification = incident.obligations.get(kind=ObligationKind.NIS2_NOTIFICATION)
    incident_services.obligation_mark_done(obligation=notification, actor=alice, reference="BSI-2026-4711")
    services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    services.finding_create(
        calloff=engaged,
        actor=p1,
        title="Ungepatchte FortiOS-Firewall",
        description="Die Firewall lief mit einer bekannten Heap-Overflow-Lücke.",
        category="unpatched",
        cve_id="CVE-2023-27997",
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        recommendation="FortiOS auf 7.2.5 aktualisieren.",
    )
    provider = setup.providers[0]
    for hours, role in ((Decimal("6.5"), setup.roles.lead), (Decimal("3"), setup.roles.handler)):
        calloff_services.time_entry_add(
            calloff=engaged,
            provider=provider,
            actor=p1,
            date=timezone.localdate(),
            hours=hours,
            role=role,
            description="Forensik",
        )
    report_services.report_lessons_set(calloff=engaged, actor=p1, text=LESSONS_P)
    report_services.report_lessons_set(calloff=engaged, actor=alice, text=LESSONS_B)
    return engaged


def test_the_pdf_carries_every_section(report_data, p1, run_queued, django_capture_on_commit_callbacks):
    document = issue(report_data, p1, run_queued, django_capture_on_commit_callbacks)
    assert (document.kind, document.version, document.state) == (DocumentKind.FINAL_REPORT, 1, DocumentState.READY)
    data = document_bytes(document)
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    assert document.filename() == f"{report_data.number}_Abschlussbericht_v1.pdf"
    text = pdf_text(data)
    for expected in [
        "Abschlussbericht",
        f"Abruf {report_data.number}",
        "Version 1",
        report_data.incident.title,
        "P1 Cyberabwehr GmbH",
        # sections
        "1. Zusammenfassung",
        "2. Ursache",
        "3. Zeitleiste",
        "4. Befunde",
        "5. Maßnahmen",
        "6. Meldepflichten",
        "7. Einsatzstunden nach Rolle",
        "8. Lessons learned",
        # root cause (also in the timeline), findings with severity and CVSS
        "Ursache festgestellt: VPN-Zugang ohne Mehrfaktor-Anmeldung",
        "Kritisch",
        "CVSS-Basiswert 9,8",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVE-2023-27997",
        "FortiOS auf 7.2.5 aktualisieren.",
        "2 Befunde (2 kritisch); 1 als Ursache festgestellt",
        # obligations and when they were met
        "NIS-2-Meldung (72 Stunden)",
        "fristgerecht erfüllt",
        "Referenz BSI-2026-4711",
        "NIS-2-Abschlussbericht (1 Monat nach der Meldung)",
        # hours by role
        "Lead Incident Handler 6,5",
        "Incident Handler 3",
        "Gesamt 9,5",
        # lessons learned of both sides
        LESSONS_P,
        LESSONS_B,
        document.verify_code,
    ]:
        assert expected in text, expected
    # the root cause comes first among the findings
    assert text.index("1. VPN-Zugang ohne Mehrfaktor") < text.index("2. Ungepatchte FortiOS")


def test_need_to_know_in_the_pdf(
    report_data, alice, bob, body_admin, p1, run_queued, django_capture_on_commit_callbacks
):
    """The provider reads the report: no internal timeline entries, no indicator values, and no names
    of the body's people (who is responsible, who accepted a risk, who opened the gate) — roles instead,
    as the portal and the API show them to the provider."""
    incident = report_data.incident
    incident_services.timeline_add(
        incident=incident, source="body", text="Interner Vermerk zur Personalakte", author=alice, scope="internal"
    )
    services.indicator_create(calloff=report_data, actor=p1, kind="domain", value="geheim.example", tlp="red")
    people = {alice: ("Almut", "Ackerschott"), bob: ("Bertram", "Brenneisen"), body_admin: ("Adelheid", "Amtswolf")}
    for user, (first, last) in people.items():
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    assigned, accepted = Measure.objects.filter(calloff=report_data).order_by("due_date", "id")
    remediation.measure_assign(measure=assigned, actor=body_admin, owner_kind="body", owner=bob)
    remediation.measure_done(measure=assigned, actor=bob, note="MFA ist aktiv.")
    remediation.measure_verify(measure=assigned, actor=p1, note="Retest ok.")
    remediation.measure_assign(measure=accepted, actor=body_admin, owner_kind="body", owner=alice)
    remediation.measure_accept_risk(measure=accepted, actor=body_admin, reason="Ersatz der Firewall ist bestellt.")
    remediation.gate_open(incident=incident, actor=body_admin)
    text = pdf_text(document_bytes(issue(report_data, p1, run_queued, django_capture_on_commit_callbacks)))
    assert "Interner Vermerk" not in text
    assert "geheim.example" not in text
    assert "1 Indikator erfasst" in text
    for user, (first, last) in people.items():
        for leak in (first, last, user.email):
            assert leak not in text, leak
    assert text.count("Stelle (zugewiesen)") == 2
    assert "vom Dienstleister: Retest ok." in text
    assert "von der Stelle (Verwaltung): Ersatz der Firewall ist bestellt." in text
    assert "Uhr von der Stelle (Verwaltung)" in text  # the gate


def test_the_timeline_marks_the_root_cause_by_reference(engaged, p1):
    """A renamed root cause keeps its mark; a note that mentions the title is no root cause; a mark
    taken back is no longer marked."""
    from aftercare.report_document import report_findings, report_timeline

    cause = services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    other = services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "title": "Ursache"}, root_cause=True)
    incident_services.timeline_add(
        incident=engaged.incident,
        source="provider",
        text=f"Rückfrage zu {FINDING['title']}: Ursache noch offen?",
        author=p1,
        scope=f"calloff:{engaged.public_id}",
    )
    services.finding_update(finding=cause, actor=p1, title="MFA fehlte am VPN")
    services.finding_update(finding=other, actor=p1, root_cause=False)

    def marked():
        root_causes = [f for f in report_findings(engaged) if f.root_cause]
        return [entry.text for entry in report_timeline(engaged, root_causes) if entry.is_root_cause]

    assert marked() == [f"Ursache festgestellt: {FINDING['title']} (Fernzugang ohne Mehrfaktor-Anmeldung)"]


def test_a_new_version_each_time_with_its_own_hash(
    report_data, p1, alice, run_queued, django_capture_on_commit_callbacks, client
):
    first = issue(report_data, p1, run_queued, django_capture_on_commit_callbacks)
    report_services.report_lessons_set(calloff=report_data, actor=alice, text=LESSONS_B + " Ergänzt.")
    second = issue(report_data, alice, run_queued, django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 != second.sha256 and first.verify_code != second.verify_code
    first.refresh_from_db()
    assert first.is_ready and hashlib.sha256(document_bytes(first)).hexdigest() == first.sha256  # kept as it was
    text = pdf_text(document_bytes(second))
    assert "Diese Fassung ersetzt Version 1" in text and "Anlass: Erstellt von der Stelle" in text
    # verifiable like the order: the verification page recognises each version by its hash
    url = reverse("verify", args=[second.verify_code])
    page = client.get(url)
    assert page.status_code == 200
    assert f"{second.sha256[:32]}<wbr>{second.sha256[32:]}" in page.content.decode()
    assert "Abschlussbericht" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    genuine = client.post(url, {"file": SimpleUploadedFile("a.pdf", document_bytes(second), "application/pdf")})
    older = client.post(url, {"file": SimpleUploadedFile("a.pdf", document_bytes(first), "application/pdf")})
    assert genuine.context["result"] == "genuine" and older.context["result"] == "other_version"


def test_who_issues(report_data, bob, ministry, charlie, p2, body_admin, p1, alice):
    for reader in (bob, ministry, charlie, p2):
        with pytest.raises(NotPermitted):
            report_services.final_report_issue(calloff=report_data, actor=reader)
    for writer in (p1, alice, body_admin):
        document = report_services.final_report_issue(calloff=report_data, actor=writer)
        assert document.kind == DocumentKind.FINAL_REPORT
    # still one pending version (nothing rendered yet): the requests share it
    assert CallOffDocument.objects.filter(kind=DocumentKind.FINAL_REPORT).count() == 1
    # the generic request (proof of work, order) does not make a final report
    with pytest.raises(NotPermitted):
        document_request(calloff=report_data, kind=DocumentKind.FINAL_REPORT, actor=ministry)


def test_a_failed_render_leaves_the_calloff_alone(report_data, p1, run_queued, monkeypatch):
    monkeypatch.setattr("aftercare.report_document.render_pdf", lambda *a, **k: 1 / 0)
    state = report_data.state
    document = report_services.final_report_issue(calloff=report_data, actor=p1)
    from calloffs.services.documents import document_render

    failed = document_render(document_id=document.pk)
    assert failed.state == DocumentState.FAILED and "ZeroDivisionError" in failed.error
    report_data.refresh_from_db()
    assert report_data.state == state


# --- Lessons learned ---------------------------------------------------------------------------


def test_each_side_writes_its_own_lessons(engaged, p1, alice, bob, ministry):
    report_services.report_lessons_set(calloff=engaged, actor=p1, text=LESSONS_P)
    report_services.report_lessons_set(calloff=engaged, actor=alice, text=LESSONS_B)
    notes = ReportNotes.objects.get(calloff=engaged)
    assert (notes.lessons_provider, notes.lessons_body) == (LESSONS_P, LESSONS_B)
    for reader in (bob, ministry):
        with pytest.raises(NotPermitted):
            report_services.report_lessons_set(calloff=engaged, actor=reader, text=LESSONS_B)
    report_services.report_lessons_set(calloff=engaged, actor=alice, text="")  # cleared
    notes.refresh_from_db()
    assert notes.lessons_body == "" and notes.lessons_provider == LESSONS_P


@pytest.mark.parametrize("text", ["zu kurz", "x" * 10001])
def test_lessons_outside_the_plausible_length_are_refused(engaged, p1, text):
    from aftercare.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        report_services.report_lessons_set(calloff=engaged, actor=p1, text=text)
    assert exc.value.field == "text"
    assert not ReportNotes.objects.filter(calloff=engaged).exclude(lessons_provider="").exists()


@pytest.mark.parametrize("text", ["zu kurz", "x" * 10001])
def test_the_database_refuses_implausible_lessons(engaged, text):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        ReportNotes.objects.create(
            calloff=engaged,
            incident=engaged.incident,
            organisation=engaged.organisation,
            lessons_body=text,
        )


def test_the_lessons_form_keeps_the_input_and_answers_in_german(engaged, p1, client):
    client.force_login(p1)
    url = reverse("aftercare:lessons_edit", kwargs={"calloff_id": engaged.public_id})
    response = client.post(url, {"text": "zu kurz"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "zu kurz" in body and "mindestens 20 Zeichen" in body
    assert not ReportNotes.objects.exists()
    response = client.post(url, {"text": LESSONS_P})
    assert response.status_code == 302
    assert ReportNotes.objects.get().lessons_provider == LESSONS_P


def test_the_database_refuses_an_implausible_change_time(engaged):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportNotes.objects.create(
            calloff=engaged,
            incident=engaged.incident,
            organisation=engaged.organisation,
            updated_at=timezone.make_aware(datetime(1990, 1, 1)),
        )


def test_the_measures_appear_with_their_state(
    report_data, p1, body_admin, run_queued, django_capture_on_commit_callbacks
):
    from aftercare.remediation import services as remediation
    from aftercare.remediation.models import Measure

    vpn, firewall = Measure.objects.filter(calloff=report_data).order_by("finding__created_at")
    remediation.measure_done(measure=vpn, actor=body_admin, note="MFA für alle VPN-Konten aktiv.")
    remediation.measure_verify(measure=vpn, actor=p1, note="Erneuter Test: kein Login ohne MFA.")
    remediation.measure_accept_risk(
        measure=firewall, actor=body_admin, reason="Firewall wird im Januar durch ein neues Modell ersetzt."
    )
    text = pdf_text(document_bytes(issue(report_data, p1, run_queued, django_capture_on_commit_callbacks)))
    section = text[text.index("5. Maßnahmen") : text.index("6. Meldepflichten")]
    assert "Umsetzen: VPN-Zugang ohne Mehrfaktor-Anmeldung" in section
    assert "Geprüft und bestätigt" in section and "Erneuter Test: kein Login ohne MFA." in section
    assert "Risiko akzeptiert" in section and "Firewall wird im Januar durch ein neues Modell ersetzt." in section
    assert "zum Befund „Ungepatchte FortiOS-Firewall“" in section
