"""Fixtures and helpers of the document tests (imported by tests/calloffs/test_documents*.py).

* ``queued``: the render jobs handed to Celery, recorded instead of sent (no broker in tests);
  ``run_queued()`` renders them in-process, as the worker would.
* ``order_calloff``: a call-off with rich data (two services, emergency contacts, provider
  address and contacts), accepted by P1 through the services with on-commit hooks run, so the
  receiver has requested the order (version 1, pending).
* ``pdf_text``: the text of a PDF as pypdf extracts it, whitespace normalised.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from calloffs import services
from calloffs.models import CallOffDocument, ProviderContact
from calloffs.services.documents import document_render
from tests.factories import EmergencyContactFactory


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    reader = pdf_reader(data)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def document_bytes(document: CallOffDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def queued(monkeypatch):
    """Document ids enqueued for rendering, in order (instead of Celery's broker)."""
    ids: list[int] = []
    monkeypatch.setattr("calloffs.services.documents.enqueue_render", lambda *, document_id: ids.append(document_id))
    return ids


@pytest.fixture
def run_queued(queued):
    def run() -> list[CallOffDocument]:
        done = []
        while queued:
            document = document_render(document_id=queued.pop(0))
            if document is not None:
                done.append(document)
        return done

    return run


@pytest.fixture
def order_calloff(setup, file_calloff, org_a, django_capture_on_commit_callbacks, queued):
    """Filed by alice with two services, accepted by P1 (lead Jana Keller); order v1 pending."""
    org_a.official_name = "Stadt A (Rathaus)"
    org_a.street, org_a.postcode, org_a.city = "Markt 7", "50667", "Köln"
    org_a.save()
    EmergencyContactFactory(
        organisation=org_a, name="Erika Mustermann", function="IT-Leitung", mobile="+49 171 2345678", position=1
    )
    p1 = setup.providers[0]
    p1.street, p1.postcode, p1.city, p1.hotline = "Kaiserstraße 12", "40213", "Düsseldorf", "+49 211 5550100"
    p1.save()
    ProviderContact.objects.create(provider=p1, name="Dr. Paul Forensik", role="Teamleitung", phone="+49 211 5550123")
    with django_capture_on_commit_callbacks(execute=True):
        calloff = file_calloff(
            services=[(setup.modules.remote, 40), (setup.modules.workshop, 1)],
            place_of_performance="Rathaus, Serverraum UG",
        )
        calloff = services.offer_accept(
            calloff=calloff, provider=p1, actor=setup.staff[0], lead_name="Jana Keller", lead_phone="+49 211 5550110"
        )
    calloff.refresh_from_db()
    assert calloff.estimated_value == Decimal("11900.00")  # 40 × 210 + 1 × 3500
    return calloff
