"""The transactional outbox: who hears of what, written in the same transaction as the change."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core import mail

from calloffs import services
from calloffs.models import (
    AlertKind,
    CallOffState,
    MinistryAlert,
    OfferState,
    ProviderContact,
)
from calloffs.services.notify import EventType
from notifications import services as outbox
from notifications.models import Audience, Channel, Notification, NotificationState, WebhookEndpoint, source_of
from notifications.services import notifications_requeue
from notifications.sms import MemorySMSBackend
from notifications.tasks import deliver_notification
from tests.factories import EmergencyContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reach(setup, org_a, ministry, body_admin):
    """Webhooks for P1 and P2, an on-call phone at P1, an out-of-band contact of body A."""
    p1, p2 = setup.providers[:2]
    return {
        "hook1": WebhookEndpoint.objects.create(owner=p1, url="https://hooks.p1.example/digisos"),
        "hook2": WebhookEndpoint.objects.create(owner=p2, url="https://hooks.p2.example/digisos"),
        "oncall": ProviderContact.objects.create(provider=p1, name="Rufbereitschaft", phone="+49 170 1111111"),
        "contact": EmergencyContactFactory(
            organisation=org_a, mobile="+49 171 2223333", email="it-leitung@notfall.example"
        ),
    }


def rows(calloff, **filters):
    return Notification.objects.filter(calloff=calloff, **filters)


def test_an_offer_reaches_the_provider_on_every_channel(file_calloff, setup, reach):
    calloff = file_calloff()

    offered = rows(calloff, event_type=EventType.OFFER_CREATED)
    assert {(n.channel, n.recipient) for n in offered} == {
        (Channel.WEBHOOK, "https://hooks.p1.example/digisos"),
        (Channel.EMAIL, setup.providers[0].email),
        (Channel.SMS, "+49 170 1111111"),
    }
    assert {n.audience for n in offered} == {Audience.PROVIDER}
    assert all(n.state == NotificationState.PENDING and n.attempts == 0 for n in offered)
    hook = offered.get(channel=Channel.WEBHOOK)
    assert hook.endpoint == reach["hook1"]
    assert hook.webhook_id.startswith("msg_") and len(hook.webhook_id) == 36
    offer = calloff.offers.get()
    respond_by = datetime.fromisoformat(hook.payload["data"]["respond_by"])
    assert timedelta(0) <= offer.respond_by - respond_by < timedelta(seconds=1)  # to the second, never later
    # Nobody else hears of the offer; P2 holds no offer.
    assert not rows(calloff, endpoint=reach["hook2"]).exists()
    sms = offered.get(channel=Channel.SMS)
    assert calloff.number in sms.body and len(sms.body) <= 320


def test_the_webhook_payload_has_what_the_provider_needs_and_no_personal_data(file_calloff, setup, reach, org_a):
    calloff = file_calloff(situation="Alle Fileserver verschlüsselt. " * 30)
    payload = rows(calloff, channel=Channel.WEBHOOK).get().payload

    assert payload["type"] == "offer.created"
    data = payload["data"]
    assert data["calloff"] == {
        "id": str(calloff.public_id),
        "number": calloff.number,
        "url": f"http://localhost:8000/api/v1/calloffs/{calloff.public_id}/",
    }
    assert data["body"] == {"name": org_a.name, "ags": org_a.ags or "", "kind": org_a.kind}
    assert data["priority"] == "P1" and data["category"] == "ransomware"
    assert len(data["situation"]) <= 280 and data["situation"].endswith("…")
    assert data["respond_by"]
    flat = str(payload)
    for personal in ("+49 171 1234567", "it-notfall@example.org", "alice@example.org"):
        assert personal not in flat


def test_rows_are_written_in_the_same_transaction_and_rolled_back_with_it(drive, setup, reach):
    calloff = drive(CallOffState.OFFERED)
    before = Notification.objects.count()

    with (
        mock.patch("calloffs.services.offers.timeline_add", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.offer_accept(
            calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], lead_name="J", lead_phone="+49 2115550"
        )

    assert Notification.objects.count() == before
    assert not rows(calloff, event_type=EventType.CALLOFF_ACCEPTED).exists()
    assert calloff.offers.get().state == OfferState.OPEN


def test_delivery_is_enqueued_only_after_the_commit(file_calloff, setup, reach, django_capture_on_commit_callbacks):
    with mock.patch("celery.current_app.send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            calloff = file_calloff()
        assert send_task.call_count == 0  # nothing leaves before the commit
        for callback in callbacks:
            callback()
    sent = sorted(c.kwargs["args"][0] for c in send_task.call_args_list if c.args[0].endswith("deliver_notification"))
    assert sent == sorted(rows(calloff).values_list("pk", flat=True))


def test_the_rows_of_one_write_go_out_through_one_producer(
    file_calloff, setup, reach, django_capture_on_commit_callbacks
):
    from celery import current_app

    acquire = mock.patch.object(current_app, "producer_or_acquire", wraps=current_app.producer_or_acquire)
    with mock.patch("celery.current_app.send_task") as send_task, acquire as acquired:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            calloff = file_calloff()
        for callback in callbacks:
            callback()
    deliveries = [c for c in send_task.call_args_list if c.args[0].endswith("deliver_notification")]
    assert len(deliveries) == rows(calloff).count() == 3
    assert acquired.call_count == 1  # one producer, one batch for the write's rows (issue 19)
    assert len({id(c.kwargs["producer"]) for c in deliveries}) == 1
    assert all(c.kwargs["retry"] is False for c in deliveries)


def test_a_producer_without_publish_batches_still_publishes(monkeypatch):
    """kombu before 5.7 has no Producer.batch(): one publish each, never a pretended outage."""
    from celery import current_app

    class Producer:  # no batch()
        pass

    @contextmanager
    def acquire(*args, **kwargs):
        yield Producer()

    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    with (
        mock.patch.object(current_app, "producer_or_acquire", acquire),
        mock.patch("celery.current_app.send_task") as send_task,
    ):
        assert outbox.enqueue_deliveries([7, 8]) == 2
    assert [c.kwargs["args"] for c in send_task.call_args_list] == [(7,), (8,)]


def test_a_broker_outage_breaks_nothing_and_the_sweep_catches_up(
    file_calloff, setup, reach, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    with (
        mock.patch("celery.current_app.send_task", side_effect=ConnectionRefusedError("redis down")) as down,
        django_capture_on_commit_callbacks(execute=True),
    ):
        calloff = file_calloff()

    assert calloff.state == CallOffState.OFFERED
    waiting = rows(calloff)
    assert waiting.count() == 3
    assert set(waiting.values_list("queued_at", flat=True)) == {None}
    assert down.call_count == 1  # the broker is tried once per request, not once per row

    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)  # ... and is back
    with mock.patch("celery.current_app.send_task") as send_task:
        requeued = notifications_requeue()
        again = notifications_requeue()  # queued just now: not handed out twice
    assert sorted(requeued) == sorted(waiting.values_list("pk", flat=True))
    assert again == []
    assert send_task.call_count == 3


def test_the_body_hears_of_the_acceptance_on_its_out_of_band_contacts(drive, setup, reach, bob, body_admin):
    calloff = drive(CallOffState.ACCEPTED)

    accepted = rows(calloff, event_type=EventType.CALLOFF_ACCEPTED)
    assert {(n.channel, n.recipient) for n in accepted} == {
        (Channel.EMAIL, "alice@example.org"),
        (Channel.EMAIL, "admin-a@example.org"),
        (Channel.EMAIL, "it-notfall@example.org"),  # the call-off's out-of-band address
        (Channel.EMAIL, "it-leitung@notfall.example"),  # the body's emergency contact
        (Channel.SMS, "+49 171 1234567"),  # the call-back phone given when filing
        (Channel.SMS, "+49 171 2223333"),  # the emergency contact's mobile
    }
    assert not accepted.filter(recipient="bob@example.org").exists()  # read-only member
    mail_row = accepted.filter(channel=Channel.EMAIL).first()
    assert "Jana Keller" in mail_row.body and "+49 211 5550110" in mail_row.body
    assert "Jana Keller" in accepted.filter(channel=Channel.SMS).first().body


def test_expiry_withdraws_from_one_provider_and_offers_to_the_next(file_calloff, setup, reach):
    calloff = file_calloff()
    offer = calloff.offers.get()

    with time_machine.travel(offer.respond_by + timedelta(seconds=1)):
        assert services.offer_expire(offer=offer)

    gone = rows(calloff, event_type=EventType.OFFER_WITHDRAWN, channel=Channel.WEBHOOK).get()
    assert gone.endpoint == reach["hook1"] and gone.payload["data"]["reason"] == "expired"
    new = rows(calloff, event_type=EventType.OFFER_CREATED, endpoint=reach["hook2"]).get()
    assert new.payload["data"]["offer"]["sequence"] == 2


def test_the_assigned_provider_hears_of_a_cancellation(drive, setup, reach, alice):
    calloff = drive(CallOffState.ACCEPTED)
    services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm")

    cancelled = rows(calloff, event_type=EventType.CALLOFF_CANCELLED, channel=Channel.WEBHOOK).get()
    assert cancelled.endpoint == reach["hook1"]
    assert cancelled.payload["data"]["state"] == "cancelled"
    assert rows(calloff, event_type=EventType.CALLOFF_STATE_CHANGED, recipient="alice@example.org").exists()


def test_cancelling_an_offered_calloff_withdraws_the_offer_from_its_holder(file_calloff, setup, reach, alice):
    calloff = file_calloff()
    services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm")
    gone = rows(calloff, event_type=EventType.OFFER_WITHDRAWN, channel=Channel.WEBHOOK).get()
    assert gone.endpoint == reach["hook1"] and gone.payload["data"]["reason"] == "withdrawn"


def test_a_manual_assignment_reaches_the_provider(file_calloff, setup, reach, ministry):
    calloff = file_calloff()
    services.calloff_assign_manually(
        calloff=calloff, provider=setup.providers[1], actor=ministry, reason="Spezialwissen OT"
    )
    assert rows(calloff, event_type=EventType.CALLOFF_ASSIGNED, endpoint=reach["hook2"]).exists()
    assert rows(calloff, event_type=EventType.OFFER_WITHDRAWN, endpoint=reach["hook1"]).exists()


def test_a_manual_assignment_says_it_is_binding_and_why(file_calloff, setup, reach, ministry):
    calloff = file_calloff()
    services.calloff_assign_manually(
        calloff=calloff, provider=setup.providers[1], actor=ministry, reason="Spezialwissen OT"
    )
    email = rows(calloff, event_type=EventType.CALLOFF_ASSIGNED, channel=Channel.EMAIL).get()
    assert email.recipient == setup.providers[1].email
    assert "verbindlich" in email.body and "Bestätigung" in email.body
    assert "Spezialwissen OT" in email.body
    hook = rows(calloff, event_type=EventType.CALLOFF_ASSIGNED, endpoint=reach["hook2"]).get()
    assert hook.payload["data"]["binding"] is True
    assert hook.payload["data"]["reason_text"] == "Spezialwissen OT"


def test_ministry_staff_hear_of_an_unassigned_calloff(drive, setup, reach, ministry):
    calloff = drive(CallOffState.UNASSIGNED)
    alert = MinistryAlert.objects.get(calloff=calloff, kind=AlertKind.UNASSIGNED)
    ministry_rows = Notification.objects.filter(source=source_of(alert))
    assert [(n.channel, n.recipient, n.audience) for n in ministry_rows] == [
        (Channel.EMAIL, "ministerium@example.org", Audience.MINISTRY)
    ]
    assert ministry_rows.get().event_type == "ministry.unassigned"
    assert rows(calloff, event_type=EventType.CALLOFF_UNASSIGNED, channel=Channel.SMS).exists()


@pytest.mark.parametrize(
    ("quantities", "expected"),
    [
        ([3000], []),  # 3000 h × 210 € = 630,000 € = 52.5 %
        ([4600], [80]),  # 80.5 %
        ([4600, 600], [80]),  # 80.5 %, then 91 %: nothing new
        # 80.5 %, then 101.5 %: that call-off exceeds the ceiling and raises the (graver) exceeded alert instead
        ([4600, 1200], [80]),
        ([5500], [80, 95]),  # 96.25 %
    ],
)
def test_ceiling_thresholds_alert_once_each(file_calloff, setup, ministry, quantities, expected):
    for quantity in quantities:
        file_calloff(services=[(setup.modules.remote, quantity)])
    alerts = MinistryAlert.objects.filter(kind=AlertKind.CEILING_THRESHOLD).order_by("threshold")
    assert list(alerts.values_list("threshold", flat=True)) == expected
    assert Notification.objects.filter(
        source__in=[source_of(a) for a in alerts], recipient="ministerium@example.org"
    ).count() == len(expected)


def test_reaching_the_ceiling_exactly_raises_the_100_percent_alert_once(file_calloff, setup, alice, ministry):
    setup.contract.ceiling = Decimal("2100.00")
    setup.contract.estimated_value = Decimal("2100.00")
    setup.contract.save()
    first = file_calloff(services=[(setup.modules.remote, 10)])  # exactly 100 %
    assert sorted(
        MinistryAlert.objects.filter(kind=AlertKind.CEILING_THRESHOLD).values_list("threshold", flat=True)
    ) == [80, 95, 100]
    services.calloff_cancel(calloff=first, actor=alice, reason="Doppelt gestellt")
    file_calloff(services=[(setup.modules.remote, 10)])  # crosses all three again
    assert MinistryAlert.objects.filter(kind=AlertKind.CEILING_THRESHOLD).count() == 3


def test_the_delivery_task_sends_mail_and_logs_the_attempt(file_calloff, setup, reach):
    calloff = file_calloff()
    row = rows(calloff, channel=Channel.EMAIL).get()

    assert deliver_notification(row.pk) == NotificationState.DELIVERED

    row.refresh_from_db()
    assert row.state == NotificationState.DELIVERED and row.attempts == 1 and row.delivered_at
    assert [m.to for m in mail.outbox] == [[setup.providers[0].email]]
    assert calloff.number in mail.outbox[0].subject
    attempt = row.attempt_log.get()
    assert attempt.ok and attempt.number == 1
    # A second delivery of the same message (the broker redelivers) does nothing.
    assert deliver_notification(row.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_sms_go_through_the_configured_backend(file_calloff, setup, reach, settings):
    settings.SMS_BACKEND = "notifications.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    calloff = file_calloff()
    row = rows(calloff, channel=Channel.SMS).get()
    deliver_notification(row.pk)
    assert MemorySMSBackend.outbox == [{"to": "+49 170 1111111", "text": row.body}]


def test_a_failing_sms_gateway_is_retried(file_calloff, setup, reach, settings):
    settings.SMS_BACKEND = "notifications.sms.HTTPGatewaySMSBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # the discard port: connection refused
    calloff = file_calloff()
    row = rows(calloff, channel=Channel.SMS).get()
    assert deliver_notification(row.pk) == NotificationState.FAILED
    row.refresh_from_db()
    assert "SMS-Gateway" in row.last_error and row.next_attempt_at > row.created_at


def test_the_sms_gateway_backend_posts_json_with_the_token(settings):
    from notifications.sms import HTTPGatewaySMSBackend
    from tests.calloffs.receiver import Receiver

    receiver = Receiver()
    try:
        HTTPGatewaySMSBackend(url=receiver.url, token="geheim", sender="DigiSOS").send(to="+49 170 1", text="Hallo")
        request = receiver.wait_for(1)[0]
    finally:
        receiver.close()
    assert request["headers"]["authorization"] == "Bearer geheim"
    assert request["body"] == b'{"to": "+49 170 1", "from": "DigiSOS", "text": "Hallo"}'
