"""Making documents needs more than reading them: a read-only member of the body (bob, like
lesen.koeln in the demo) downloads the order and the proof of work but cannot make a new version
(403, nothing created) and is not offered the buttons; new documents are rate-limited per account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from calloffs import services
from calloffs.errors import NotPermitted
from calloffs.models import CallOffDocument, DocumentKind, DocumentState, TimeEntry
from calloffs.services.documents import document_request, document_retry

pytestmark = pytest.mark.django_db

LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}


@pytest.fixture
def worked(setup, file_calloff, monkeypatch):
    """An accepted call-off with hours: the proof of work can be made."""
    monkeypatch.setattr("calloffs.services.documents.enqueue_render", lambda *, document_id: None)
    calloff = services.offer_accept(calloff=file_calloff(), provider=setup.providers[0], actor=setup.staff[0], **LEAD)
    TimeEntry.objects.create(
        calloff=calloff,
        provider=setup.providers[0],
        date=date.today(),
        hours=Decimal("2.00"),
        role=setup.roles.handler,
        value=Decimal("300.00"),
        description="Analyse",
    )
    return calloff


def proofs(calloff):
    return CallOffDocument.objects.filter(calloff=calloff, kind=DocumentKind.PROOF_OF_WORK).count()


def test_a_read_only_member_cannot_make_a_proof_of_work(worked, client_for, bob, alice):
    url = reverse("calloffs:proof_of_work", args=[worked.public_id])
    for _ in range(5):
        response = client_for(bob).post(url)
        assert response.status_code == 403
        assert "Mit Leserechten" in response.content.decode()
    assert proofs(worked) == 0
    with pytest.raises(NotPermitted):
        document_request(calloff=worked, kind=DocumentKind.PROOF_OF_WORK, actor=bob)
    assert client_for(alice).post(url).status_code == 302  # a caller may
    assert proofs(worked) == 1


def test_a_read_only_member_is_not_offered_the_buttons(worked, client_for, bob, alice):
    page = reverse("calloffs:detail", args=[worked.public_id])
    button = reverse("calloffs:proof_of_work", args=[worked.public_id])
    assert button in client_for(alice).get(page).content.decode()
    bob_page = client_for(bob).get(page).content.decode()
    assert 'id="dokumente"' in bob_page and button not in bob_page


def test_a_read_only_member_cannot_render_a_failed_document_again(worked, client_for, bob, alice):
    document = CallOffDocument.objects.filter(calloff=worked).first() or document_request(
        calloff=worked, kind=DocumentKind.PROOF_OF_WORK, actor=alice
    )
    CallOffDocument.objects.filter(pk=document.pk).update(state=DocumentState.FAILED)
    response = client_for(bob).post(reverse("calloffs:document_retry", args=[document.public_id]))
    assert response.status_code == 403
    with pytest.raises(NotPermitted):
        document_retry(document=document, actor=bob)
    document.refresh_from_db()
    assert document.state == DocumentState.FAILED


def test_new_documents_are_rate_limited_per_account(worked, client_for, alice, settings):
    settings.DOCUMENT_REQUEST_RATE = "3/hour"
    client = client_for(alice)
    url = reverse("calloffs:proof_of_work", args=[worked.public_id])
    for _ in range(3):
        assert client.post(url).status_code == 302
        CallOffDocument.objects.filter(calloff=worked).update(state=DocumentState.FAILED)  # not pending
    assert proofs(worked) == 3
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "sehr viele Dokumente angefordert" in response.content.decode()
    assert proofs(worked) == 3
