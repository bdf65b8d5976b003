"""The outbox moved from calloffs to its own app with every row (calloffs 0009).

The test seeds real data with today's code (a filed call-off: webhook and e-mail rows, a
delivery attempt, a ministry alert's e-mails, a rotated endpoint secret), takes the database back
to before the move, puts a copy of those rows into the old calloffs tables (the layout of a
database in production), migrates forward and compares every field of every row.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from calloffs import services
from calloffs.models import AlertKind, CallOffEvent, MinistryAlert
from calloffs.services.common import alert_ministry
from notifications.models import DeliveryAttempt, Notification, NotificationState, WebhookEndpoint
from notifications.tasks import deliver_notification

BEFORE = [("calloffs", "0008_plausible_ranges"), ("notifications", "0001_initial")]

NOTIFICATION_FIELDS = [
    "id",
    "public_id",
    "webhook_id",
    "event_type",
    "audience",
    "channel",
    "endpoint_id",
    "recipient",
    "subject",
    "body",
    "payload",
    "state",
    "attempts",
    "next_attempt_at",
    "queued_at",
    "lease_until",
    "last_error",
    "delivered_at",
    "failure_alerted_at",
    "created_at",
    "window_start",
    "updated_at",
]
ENDPOINT_FIELDS = [
    "id",
    "public_id",
    "url",
    "description",
    "secret",
    "previous_secret",
    "previous_valid_until",
    "active",
    "failing_alerted_at",
    "created_at",
    "updated_at",
]
ATTEMPT_FIELDS = ["id", "notification_id", "number", "at", "ok", "status_code", "duration_ms", "error"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_every_outbox_row_survives_the_move(setup, file_calloff, ministry, django_capture_on_commit_callbacks):
    provider = setup.providers[0]
    with django_capture_on_commit_callbacks(execute=False):
        endpoint = WebhookEndpoint.objects.create(owner=provider, url="https://hooks.p1.example/x", description="SOC")
        services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=ministry)
        calloff = file_calloff()
        first = Notification.objects.filter(calloff=calloff).order_by("id").first()
        with mock.patch("notifications.channels.webhooks.post") as post, mock.patch("notifications.channels.send_mail"):
            post.return_value = mock.Mock(ok=False, status_code=503, duration_ms=12, error="HTTP 503", permanent=False)
            deliver_notification(first.pk)
        from django.db import transaction

        with transaction.atomic():
            alert = alert_ministry(kind=AlertKind.OTHER, message="Probe", calloff=calloff)
    offered = CallOffEvent.objects.get(calloff=calloff, kind="offered")
    rows = list(Notification.objects.order_by("id").values(*NOTIFICATION_FIELDS, "topic_id", "source"))
    endpoints = list(WebhookEndpoint.objects.order_by("id").values(*ENDPOINT_FIELDS, "owner_id"))
    attempts = list(DeliveryAttempt.objects.order_by("id").values(*ATTEMPT_FIELDS))
    assert len(rows) >= 3 and {r["channel"] for r in rows} >= {"webhook", "email"}
    assert attempts and endpoints[0]["previous_secret"]
    assert any(r["source"] == f"calloffs.ministryalert:{alert.pk}" for r in rows)
    assert any(r["source"] == f"calloffs.calloffevent:{offered.pk}" for r in rows)

    # Back to before the move; the rows go into the old tables as they were in production.
    old = _migrate(BEFORE)
    old.get_model("notifications", "DeliveryAttempt").objects.all().delete()
    old.get_model("notifications", "Notification").objects.all().delete()
    old.get_model("notifications", "WebhookEndpoint").objects.all().delete()
    OldEndpoint = old.get_model("calloffs", "WebhookEndpoint")
    OldNotification = old.get_model("calloffs", "Notification")
    OldAttempt = old.get_model("calloffs", "DeliveryAttempt")
    for e in endpoints:
        values = {k: v for k, v in e.items() if k != "owner_id"}
        OldEndpoint.objects.create(**values, provider_id=e["owner_id"])
        OldEndpoint.objects.filter(pk=e["id"]).update(created_at=e["created_at"], updated_at=e["updated_at"])
    for r in rows:
        kind, _, pk = r["source"].partition(":")
        links = {"calloff_id": r["topic_id"], "event_id": None, "alert_id": None}
        links["event_id" if kind == "calloffs.calloffevent" else "alert_id"] = int(pk)
        OldNotification.objects.create(**{k: r[k] for k in NOTIFICATION_FIELDS}, **links)
        OldNotification.objects.filter(pk=r["id"]).update(updated_at=r["updated_at"])
    for a in attempts:
        OldAttempt.objects.create(**a)

    _migrate(_latest())

    assert list(Notification.objects.order_by("id").values(*NOTIFICATION_FIELDS, "topic_id", "source")) == rows
    assert list(WebhookEndpoint.objects.order_by("id").values(*ENDPOINT_FIELDS, "owner_id")) == endpoints
    assert list(DeliveryAttempt.objects.order_by("id").values(*ATTEMPT_FIELDS)) == attempts
    moved = Notification.objects.filter(calloff=calloff)
    assert moved.count() == sum(1 for r in rows if r["topic_id"] == calloff.pk)
    assert set(moved.values_list("organisation_id", flat=True)) == {calloff.organisation_id}
    assert set(moved.values_list("reference", flat=True)) == {calloff.number}
    assert all(link.endswith(f"{calloff.public_id}/") for link in moved.values_list("link", flat=True))
    assert list(provider.webhook_endpoints.values_list("pk", flat=True)) == [endpoints[0]["id"]]
    # The retry plan goes on where it was, and new rows get new ids (sequences follow the copy).
    failed = Notification.objects.get(pk=first.pk)
    assert failed.state == NotificationState.FAILED and failed.attempts == 1
    newer = alert_ministry_outside(calloff)
    assert min(n.pk for n in newer) > max(r["id"] for r in rows)
    assert MinistryAlert.objects.filter(pk=alert.pk).exists()


def alert_ministry_outside(calloff):
    from django.db import transaction

    with transaction.atomic():
        alert = alert_ministry(kind=AlertKind.OTHER, message="Nach dem Umzug", calloff=calloff)
    return list(Notification.objects.filter(source=f"calloffs.ministryalert:{alert.pk}"))
