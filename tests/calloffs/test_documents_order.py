"""The call-off order (Abrufauftrag) as PDF: requested on acceptance, rendered by the task, every
field of the issue in the text, accessible PDF, versions, failures that never touch the call-off."""

import hashlib
import shutil
import subprocess
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calloffs import services
from calloffs.errors import NotPermitted, TransitionNotAllowed
from calloffs.models import (
    AlertKind,
    CallOff,
    CallOffDocument,
    CallOffEvent,
    CallOffState,
    DocumentKind,
    DocumentState,
    EventKind,
    MinistryAlert,
    OfferState,
)
from calloffs.selectors_documents import latest_order
from calloffs.services.documents import (
    document_mark_ready,
    document_mark_started,
    document_render,
    document_request,
    document_retry,
)
from calloffs.tasks.documents import render_calloff_document
from digisos.insert_sql import insert_one
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_reader, pdf_text

queued, run_queued, order_calloff = fx.queued, fx.run_queued, fx.order_calloff

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(dt) -> str:
    return timezone.localtime(dt, BERLIN).strftime("%d.%m.%Y, %H:%M")


def test_acceptance_requests_the_order_once(order_calloff, queued):
    document = CallOffDocument.objects.get()
    assert (document.calloff_id, document.kind, document.version) == (order_calloff.pk, DocumentKind.ORDER, 1)
    assert document.state == DocumentState.PENDING
    assert queued == [document.pk]
    assert latest_order(order_calloff) is None  # nothing ready yet


def accept_by_p1(setup, calloff):
    lead = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}
    return services.offer_accept(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], **lead)


def test_the_order_is_written_with_the_accept_not_after_it(setup, file_calloff, queued):
    """Version 1 is in the accept's own transaction (calloffs.documents.receivers.FIRST_ORDER_EVENTS):
    there without any on-commit hook having run; only its render waits for the commit."""
    calloff = file_calloff()
    accepted = accept_by_p1(setup, calloff)
    document = CallOffDocument.objects.get()
    assert (document.calloff_id, document.kind, document.version, document.state) == (
        calloff.pk,
        DocumentKind.ORDER,
        1,
        DocumentState.PENDING,
    )
    assert document.reason == "Annahme durch den Dienstleister" and document.requested_by is None
    assert queued == []  # the render is enqueued on commit
    assert list(accepted.documents.all()) == [document]  # known to the caller (the API's answer) without a read


def test_a_failing_order_insert_rolls_the_accept_back(setup, file_calloff, queued):
    """No savepoint around the order's insert: if it fails, the accept fails with it and nothing of it
    is committed — never an accepted call-off without its order, nor an accept reported and then lost."""
    calloff = file_calloff()
    # A version 1 that cannot exist before the accept (written past the services): its insert clashes.
    CallOffDocument.objects.create(calloff=calloff, kind=DocumentKind.ORDER, version=1, reason="fremd")
    with pytest.raises(IntegrityError):
        accept_by_p1(setup, calloff)
    calloff.refresh_from_db()
    assert (calloff.state, calloff.provider_id, calloff.accepted_at) == (CallOffState.OFFERED, None, None)
    assert calloff.offers.get().state == OfferState.OPEN
    assert not CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).exists()
    assert list(CallOffDocument.objects.values_list("reason", flat=True)) == ["fremd"] and queued == []


def test_the_orders_insert_is_the_one_its_save_sends(setup, file_calloff, queued):
    """The order goes in through digisos.insert_sql.insert_one (issue 19: its statement kept): the statement
    save() sends, the same row; a receiver of its save hears of it."""
    calloff = file_calloff()
    calloff.provider, calloff.accepted_at = setup.providers[0], timezone.now()

    def document(n):
        return CallOffDocument(
            calloff=calloff, kind=DocumentKind.ORDER, version=n, reason="Annahme", verify_code=f"V{n}", public_id=None
        )

    statements = []
    with time_machine.travel(timezone.now(), tick=False):
        for insert in (lambda d: d.save(force_insert=True), insert_one):
            row = document(1)
            row.public_id = uuid.UUID(int=1)
            try:
                with transaction.atomic(), CaptureQueriesContext(connection) as sql:
                    insert(row)
                    written = CallOffDocument.objects.filter(pk=row.pk).values_list(*FIELDS).get()
                    raise _RolledBack
            except _RolledBack:
                pass
            statements.append(([q["sql"] for q in sql.captured_queries][:1], written, row._state.adding))
    assert statements[0] == statements[1] and statements[0][2] is False
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.version, created))

    post_save.connect(receiver, sender=CallOffDocument)
    try:
        accept_by_p1(setup, file_calloff())
    finally:
        post_save.disconnect(receiver, sender=CallOffDocument)
    assert heard == [(1, True)]


class _RolledBack(Exception):
    pass


FIELDS = [f.attname for f in CallOffDocument._meta.concrete_fields if f.attname != "id"]


def test_the_order_pdf_carries_every_field(order_calloff, run_queued, setup, org_a):
    (document,) = run_queued()
    assert document.state == DocumentState.READY and document.attempts == 1
    data = document_bytes(document)
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    assert latest_order(order_calloff) == document
    text = pdf_text(data)
    calloff, contract = order_calloff, setup.contract
    expected = [
        # contract reference and title, contracting authority
        contract.reference,
        contract.title,
        contract.contracting_authority,
        # the body calling off: name, AGS, address
        "Stadt A (Rathaus)",
        f"AGS {org_a.ags}",
        "Markt 7, 50667 Köln",
        # the provider
        "P1 Cyberabwehr GmbH",
        "Kaiserstraße 12, 40213 Düsseldorf",
        "+49 211 5550100",
        # call-off number, filing and acceptance in Berlin time, German format
        f"Abrufauftrag {calloff.number}",
        f"Abruf gestellt am {berlin(calloff.submitted_at)} Uhr",
        f"Angenommen am {berlin(calloff.accepted_at)} Uhr",
        # priority, SLA terms and their concrete due times
        "P1 – Dienstbetrieb eingestellt",
        "Annahme des Angebots 15 Min.",
        f"Erster Rückruf bei der Stelle 30 Min. {berlin(calloff.callback_due_at)} Uhr",
        f"Beginn der Remote-Unterstützung 1 Std. {berlin(calloff.remote_start_due_at)} Uhr",
        f"Eintreffen vor Ort 4 Std. {berlin(calloff.onsite_due_at)} Uhr",
        # services, estimated hours, the contract's prices, values, estimated value
        "IR-REMOTE – Remote 40 Stunden 210,00 € 8.400,00 €",
        "LESSONS – Workshop 1 Pauschale 3.500,00 € 3.500,00 €",
        "Geschätzter Wert des Abrufs 11.900,00 €",
        # place of performance
        "Rathaus, Serverraum UG",
        # contact persons on both sides
        "Rückruf: +49 171 1234567",
        "it-notfall@example.org",
        "Erika Mustermann (IT-Leitung): +49 171 2345678",
        "Einsatzleitung: Jana Keller, +49 211 5550110",
        "Dr. Paul Forensik (Teamleitung): +49 211 5550123",
        # a call-off under the framework contract, no new award
        "Abruf aus dem Rahmenvertrag – keine neue Vergabe.",
        "nicht um eine neue Auftragsvergabe",
        # version and verification link
        "Version 1",
        f"/verify/{document.verify_code}/",
    ]
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing in the PDF text: {missing}\n---\n{text}"
    assert calloff.situation not in text  # the incident's details stay in the portal


def test_the_order_is_an_accessible_a4_pdf_with_embedded_fonts(order_calloff, run_queued):
    (document,) = run_queued()
    reader = pdf_reader(document_bytes(document))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == f"Abrufauftrag {order_calloff.number} (Version 1)"
    assert root["/Lang"] == "de"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # PDF/UA-1 identification
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
        fonts = page["/Resources"]["/Font"]
        for font in fonts.values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "DejaVu" in font["/BaseFont"] and "/FontFile2" in descriptor  # embedded, not referenced


def test_the_qr_code_points_to_the_verification_page(order_calloff, queued, monkeypatch):
    seen = []
    import calloffs.documents.common as common

    original = common.qr_png_data_uri
    monkeypatch.setattr(common, "qr_png_data_uri", lambda url: seen.append(url) or original(url))
    document = document_render(document_id=queued.pop())
    assert seen == [f"http://localhost:8000/verify/{document.verify_code}/"]
    assert original(seen[0]).startswith("data:image/png;base64,")


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_page_one_renders_to_an_image(order_calloff, run_queued, tmp_path):
    (document,) = run_queued()
    source = tmp_path / "order.pdf"
    source.write_bytes(document_bytes(document))
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", source, tmp_path / "page"], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000


def test_manual_assignment_requests_the_order_and_says_it_deviates(
    setup, file_calloff, ministry, queued, run_queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        calloff = file_calloff()
        services.calloff_assign_manually(
            calloff=calloff, provider=setup.providers[2], actor=ministry, reason="Spezialwissen Forensik"
        )
    (document,) = run_queued()
    text = pdf_text(document_bytes(document))
    assert "P3 Forensik GmbH" in text
    assert "abweichend von der Abrufreihenfolge" in text
    assert "Spezialwissen Forensik" not in text  # the reason stays in the audit trail
    assert "Einsatzleitung: wird vom Dienstleister benannt" in text
    assert document.reason == "Beauftragung durch das Ministerium"


def test_a_new_lead_makes_version_2_and_version_1_stays(
    order_calloff, setup, queued, run_queued, django_capture_on_commit_callbacks
):
    (first,) = run_queued()
    first_bytes = document_bytes(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.calloff_report_lead(
            calloff=order_calloff,
            provider=setup.providers[0],
            actor=setup.staff[0],
            lead_name="Tom Berger",
            lead_phone="+49 211 5550999",
        )
    (second,) = run_queued()
    assert (second.version, second.state) == (2, DocumentState.READY)
    first.refresh_from_db()
    assert first.state == DocumentState.READY and document_bytes(first) == first_bytes  # old version untouched
    assert first.sha256 != second.sha256 and first.verify_code != second.verify_code
    text = pdf_text(document_bytes(second))
    assert "Einsatzleitung: Tom Berger, +49 211 5550999" in text
    assert "Diese Fassung ersetzt Version 1" in text
    assert latest_order(order_calloff) == second


def test_a_request_while_one_is_still_queued_reuses_it(order_calloff, queued):
    pending = CallOffDocument.objects.get()
    again = document_request(calloff=order_calloff, kind=DocumentKind.ORDER, reason="noch einmal")
    assert again == pending and CallOffDocument.objects.count() == 1 and queued == [pending.pk]


def test_no_order_before_a_provider_is_assigned(drive):
    calloff = drive(CallOffState.OFFERED)
    with pytest.raises(TransitionNotAllowed):
        document_request(calloff=calloff, kind=DocumentKind.ORDER)
    assert not CallOffDocument.objects.exists()


def test_an_outsider_cannot_request_a_document(order_calloff, charlie):
    with pytest.raises(NotPermitted):
        document_request(calloff=order_calloff, kind=DocumentKind.ORDER, actor=charlie)


def test_a_failing_render_marks_the_document_failed_alerts_and_leaves_the_calloff_alone(
    order_calloff, queued, monkeypatch
):
    def broken(document):
        raise RuntimeError("Schriftart nicht gefunden")

    monkeypatch.setattr("calloffs.documents.render_document_pdf", broken)
    before = CallOff.objects.values().get(pk=order_calloff.pk)
    events_before = CallOffEvent.objects.filter(calloff=order_calloff).count()

    document = document_render(document_id=queued.pop())

    assert document.state == DocumentState.FAILED and not document.file and not document.sha256
    assert "RuntimeError: Schriftart nicht gefunden" in document.error
    alert = MinistryAlert.objects.get(kind=AlertKind.OTHER)
    assert order_calloff.number in alert.message and "Version 1" in alert.message and alert.calloff == order_calloff
    assert CallOff.objects.values().get(pk=order_calloff.pk) == before  # state, timestamps: all unchanged
    assert CallOffEvent.objects.filter(calloff=order_calloff).count() == events_before


def test_a_failed_document_can_be_retried(order_calloff, queued, run_queued, monkeypatch, alice):
    monkeypatch.setattr("calloffs.documents.render_document_pdf", lambda document: 1 / 0)
    document = document_render(document_id=queued.pop())
    assert document.state == DocumentState.FAILED
    monkeypatch.undo()  # the renderer works again (and the queue is no longer recorded)
    queued_again = []
    monkeypatch.setattr(
        "calloffs.services.documents.enqueue_render", lambda *, document_id: queued_again.append(document_id)
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        document = document_retry(document=document, actor=alice)
    assert document.state == DocumentState.PENDING and document.error == "" and queued_again == [document.pk]
    document = document_render(document_id=queued_again.pop())
    assert (document.state, document.version, document.attempts) == (DocumentState.READY, 1, 2)


def test_retry_is_refused_for_a_ready_or_fresh_document(order_calloff, run_queued, alice):
    pending = CallOffDocument.objects.get()
    with pytest.raises(TransitionNotAllowed):
        document_retry(document=pending, actor=alice)  # queued a moment ago: not stale
    (ready,) = run_queued()
    with pytest.raises(TransitionNotAllowed):
        document_retry(document=ready, actor=alice)


def test_a_lost_job_can_be_retried_once_stale(order_calloff, alice):
    document = CallOffDocument.objects.get()
    CallOffDocument.objects.filter(pk=document.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert document_retry(document=document, actor=alice).state == DocumentState.PENDING


def test_a_duplicate_delivery_renders_once(order_calloff, queued):
    document_id = queued.pop()
    assert document_render(document_id=document_id).state == DocumentState.READY
    assert document_render(document_id=document_id) is None  # no longer pending: nothing to do
    assert CallOffDocument.objects.get(pk=document_id).attempts == 1


def test_a_result_for_a_reset_job_is_discarded(order_calloff, queued):
    document_id = queued.pop()
    assert document_mark_started(document_id=document_id) is not None
    CallOffDocument.objects.filter(pk=document_id).update(state=DocumentState.PENDING)  # reset by a retry meanwhile
    assert document_mark_ready(document_id=document_id, pdf=b"%PDF-old") is False
    assert not CallOffDocument.objects.get(pk=document_id).file


def test_the_task_takes_the_id_and_runs_the_service(order_calloff, queued):
    document_id = queued.pop()
    assert render_calloff_document.run(document_id) == DocumentState.READY
    assert render_calloff_document.run(document_id) is None
    assert render_calloff_document.run(987654) is None  # gone: logged and skipped


def test_a_change_of_scope_makes_version_2_and_version_1_stays(
    order_calloff, setup, alice, queued, run_queued, django_capture_on_commit_callbacks
):
    (first,) = run_queued()
    first_bytes = document_bytes(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.calloff_change_scope(
            calloff=order_calloff,
            actor=alice,
            services=[(setup.modules.remote, 40), (setup.modules.onsite, 16)],
            reason="Einsatz vor Ort nötig",
        )
    (second,) = run_queued()
    assert (second.version, second.state, second.reason) == (2, DocumentState.READY, "Änderung des Leistungsumfangs")
    first.refresh_from_db()
    assert first.state == DocumentState.READY and document_bytes(first) == first_bytes
    old, new = pdf_text(first_bytes), pdf_text(document_bytes(second))
    assert "LESSONS – Workshop" in old and "11.900,00 €" in old
    assert "LESSONS – Workshop" not in new and "IR-ONSITE – Vor Ort 16 Stunden 240,00 € 3.840,00 €" in new
    assert "Geschätzter Wert des Abrufs 12.240,00 €" in new
    assert "Diese Fassung ersetzt Version 1" in new and "Anlass: Änderung des Leistungsumfangs" in new
    assert list(order_calloff.documents.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_a_job_whose_worker_died_is_taken_over_once_stale(order_calloff, queued):
    document_id = queued.pop()
    assert document_mark_started(document_id=document_id) is not None  # the worker then dies
    assert document_render(document_id=document_id) is None  # a redelivery right away: still running
    CallOffDocument.objects.filter(pk=document_id).update(started_at=timezone.now() - timedelta(minutes=11))
    document = document_render(document_id=document_id)
    assert (document.state, document.attempts) == (DocumentState.READY, 2)


def test_the_sweep_requeues_lost_jobs_and_gives_up_after_three_attempts(order_calloff, queued):
    from calloffs.services.documents import documents_sweep_stale

    document = CallOffDocument.objects.get()
    queued.clear()
    assert documents_sweep_stale() == {"requeued": 0, "failed": 0}  # fresh: left alone
    later = timezone.now() + timedelta(minutes=11)
    assert documents_sweep_stale(now=later) == {"requeued": 1, "failed": 0} and queued == [document.pk]
    CallOffDocument.objects.filter(pk=document.pk).update(
        state=DocumentState.STARTED, started_at=timezone.now(), attempts=3
    )
    assert documents_sweep_stale(now=later) == {"requeued": 0, "failed": 1}
    document.refresh_from_db()
    assert document.state == DocumentState.FAILED and "3 Versuchen" in document.error
    assert MinistryAlert.objects.filter(calloff=order_calloff, kind=AlertKind.OTHER).count() == 1


def test_a_one_line_order_fits_on_one_page(
    setup, file_calloff, org_a, django_capture_on_commit_callbacks, queued, tmp_path
):
    """A call-off of one service line: the order is a single A4 page (printed and signed as one sheet)."""
    org_a.official_name = "Stadt A (Rathaus)"
    org_a.street, org_a.postcode, org_a.city = "Markt 7", "50667", "Köln"
    org_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        calloff = file_calloff(services=[(setup.modules.remote, 8)], place_of_performance="Rathaus, Serverraum UG")
        accept_by_p1(setup, calloff)
    document = CallOffDocument.objects.get(calloff=calloff, kind=DocumentKind.ORDER)
    document_render(document_id=document.pk)
    document.refresh_from_db()
    reader = pdf_reader(document_bytes(document))
    assert len(reader.pages) == 1, f"{len(reader.pages)} pages"
    if shutil.which("pdftoppm"):
        source = tmp_path / "order.pdf"
        source.write_bytes(document_bytes(document))
        subprocess.run(["pdftoppm", "-png", "-r", "60", source, tmp_path / "order"], check=True)  # noqa: S603, S607
        assert [p.name for p in tmp_path.glob("order*.png")] == ["order-1.png"]
