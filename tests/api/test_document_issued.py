"""Providers learn that the order exists: ``document.issued`` after the PDF is rendered, through the
outbox to the assigned provider's webhook endpoints (verified here with the ``standardwebhooks``
package), and the call-off detail lists its documents with state, version, SHA-256 and URL."""

from __future__ import annotations

import hashlib

import pytest
from standardwebhooks import Webhook

from calloffs.models import DocumentState
from calloffs.services.documents import document_mark_failed, document_request
from notifications.models import Channel, Notification, NotificationState, WebhookEndpoint
from notifications.tasks import deliver_notification
from tests.api.conftest import url
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes
from tests.calloffs.receiver import Receiver

pytestmark = pytest.mark.django_db
queued, run_queued, order_calloff = fx.queued, fx.run_queued, fx.order_calloff


@pytest.fixture
def receivers(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.SITE_URL = "https://digisos.example.nrw.de"
    made = [Receiver(), Receiver()]
    yield made
    for receiver in made:
        receiver.close()


def deliver_all() -> list[str]:
    due = Notification.objects.filter(state=NotificationState.PENDING).order_by("id").values_list("pk", flat=True)
    return [deliver_notification(pk) for pk in list(due)]


def test_document_issued_reaches_the_accepting_provider_and_verifies(
    order_calloff, run_queued, receivers, setup, api, settings
):
    p1, p2 = setup.providers[0], setup.providers[1]
    mine = WebhookEndpoint.objects.create(owner=p1, url=receivers[0].url)
    WebhookEndpoint.objects.create(owner=p2, url=receivers[1].url)  # another provider: hears nothing of it
    deliver_all()  # whatever the acceptance announced (nothing for these endpoints, they are new)
    before = len(receivers[0].requests)

    (document,) = run_queued()
    assert document.state == DocumentState.READY
    rows = Notification.objects.filter(event_type="document.issued")
    assert [(r.channel, r.endpoint_id) for r in rows] == [(Channel.WEBHOOK, mine.pk)]
    assert deliver_all() == [NotificationState.DELIVERED]

    request = receivers[0].wait_for(before + 1)[-1]
    payload = Webhook(mine.secret).verify(request["body"], request["headers"])
    assert payload["type"] == "document.issued"
    data = payload["data"]
    assert data["calloff"] == {
        "id": str(order_calloff.public_id),
        "number": order_calloff.number,
        "url": f"https://digisos.example.nrw.de/api/v1/calloffs/{order_calloff.public_id}/",
    }
    pdf = document_bytes(document)
    assert data["document"]["kind"] == "order" and data["document"]["version"] == 1
    assert data["document"]["sha256"] == hashlib.sha256(pdf).hexdigest() and data["document"]["size"] == len(pdf)
    assert data["document"]["issued_at"].endswith("Z") and payload["timestamp"] == data["document"]["issued_at"]
    doc_url = data["document"]["url"]
    assert doc_url.startswith("https://digisos.example.nrw.de/api/v1/calloffs/") and doc_url.endswith(".pdf")
    assert receivers[1].requests == []

    # The URL in the event serves exactly these bytes, to the assigned provider only.
    path = doc_url.removeprefix(settings.SITE_URL)
    response = api(0).get(path, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["X-Content-SHA256"] == data["document"]["sha256"]
    assert api(1).get(path).status_code == 404


def test_the_detail_lists_the_documents_with_their_state(order_calloff, run_queued, queued, setup, api):
    client = api(0)
    (pending,) = client.get(url(order_calloff)).json()["documents"]
    assert pending["state"] == "pending" and pending["version"] == 1 and pending["kind"] == "order"
    assert pending["url"] is None and pending["sha256"] is None and pending["issued_at"] is None
    assert client.get(url(order_calloff, f"documents/{pending['id']}.pdf")).status_code == 404

    (document,) = run_queued()
    (issued,) = client.get(url(order_calloff)).json()["documents"]
    assert issued["state"] == "issued" and issued["sha256"] == document.sha256
    assert issued["url"].endswith(f"/api/v1/calloffs/{order_calloff.public_id}/documents/{document.public_id}.pdf")

    # A second version that fails: listed as failed beside the issued one, newest first.
    second = document_request(calloff=order_calloff, kind="order", reason="Test")
    assert document_mark_failed(document_id=second.pk, error="Renderer kaputt")
    listed = client.get(url(order_calloff)).json()["documents"]
    assert [(d["version"], d["state"]) for d in listed] == [(2, "failed"), (1, "issued")]
    assert listed[0]["url"] is None
    assert not Notification.objects.filter(event_type="document.issued", source__endswith=f":{second.pk}").exists()


def test_only_the_assigned_provider_sees_documents(order_calloff, run_queued, file_calloff, setup, api):
    (document,) = run_queued()
    # Provider 2 does not see this call-off at all; its key gets a 404 for the document too.
    assert api(1).get(url(order_calloff)).status_code == 404
    assert api(1).get(url(order_calloff, f"documents/{document.public_id}.pdf")).status_code == 404
    # A provider that only holds an open offer sees the call-off but no documents.
    offered = file_calloff()
    body = api(0).get(url(offered)).json()
    assert body["assigned"] is False and body["documents"] == []
    # Another call-off's document id under this call-off: 404, never the file.
    assert api(0).get(url(offered, f"documents/{document.public_id}.pdf")).status_code == 404
    assert api(0).get(url(order_calloff, "documents/not-a-uuid.pdf")).status_code == 404


def test_no_event_without_an_endpoint_and_none_for_an_inactive_one(order_calloff, run_queued, setup):
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x", active=False)
    run_queued()
    assert not Notification.objects.filter(event_type="document.issued").exists()
