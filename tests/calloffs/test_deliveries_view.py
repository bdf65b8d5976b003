"""The ministry's delivery log and its replay button; nobody else may see either (404)."""

from unittest import mock

import pytest
from django.urls import reverse

from notifications.models import Channel, Notification, NotificationState, WebhookEndpoint
from notifications.tasks import deliver_notification
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(setup, file_calloff):
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    calloff = file_calloff()
    hook = Notification.objects.get(calloff=calloff, channel=Channel.WEBHOOK)
    mail_row = Notification.objects.get(calloff=calloff, channel=Channel.EMAIL)
    deliver_notification(mail_row.pk)
    with mock.patch("notifications.channels.webhooks.post") as post:
        post.return_value = mock.Mock(ok=False, status_code=502, duration_ms=12, error="HTTP 502: Bad Gateway")
        post.return_value.permanent = True
        deliver_notification(hook.pk)
    hook.refresh_from_db()
    assert hook.state == NotificationState.DEAD
    return calloff, hook, mail_row


def test_ministry_sees_every_notification_with_its_attempts(client_for, ministry, logged):
    calloff, hook, _mail = logged
    response = client_for(ministry).get(reverse("calloffs:deliveries"))
    assert response.status_code == 200
    page = response.content.decode()
    assert calloff.number in page and hook.webhook_id in page
    assert "HTTP 502: Bad Gateway" in page and "Aufgegeben" in page and "Zugestellt" in page
    assert reverse("calloffs:delivery_replay", args=[hook.public_id]) in page


def test_the_log_filters(client_for, ministry, logged):
    _calloff, hook, mail_row = logged
    page = client_for(ministry).get(reverse("calloffs:deliveries"), {"state": "dead"}).content.decode()
    assert hook.webhook_id in page and mail_row.recipient not in page


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "provider"])
def test_it_checks_ownership(client_for, logged, setup, persona, request):
    user = setup.staff[0] if persona == "provider" else request.getfixturevalue(persona)
    _calloff, hook, _mail = logged
    client = client_for(user)
    assert client.get(reverse("calloffs:deliveries")).status_code == 404
    assert client.post(reverse("calloffs:delivery_replay", args=[hook.public_id])).status_code == 404
    hook.refresh_from_db()
    assert hook.state == NotificationState.DEAD


def test_replay_sends_the_same_message_again(client_for, ministry, logged, django_capture_on_commit_callbacks):
    _calloff, hook, _mail = logged
    with (
        mock.patch("celery.current_app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(ministry).post(
            reverse("calloffs:delivery_replay", args=[hook.public_id]), {"next": "https://evil.example/"}
        )
    assert response.status_code == 302 and response.url == reverse("calloffs:deliveries")
    hook.refresh_from_db()
    assert hook.state == NotificationState.PENDING and hook.attempts == 1
    assert send_task.call_args.kwargs["args"] == (hook.pk,)
    audit = AuditEntry.objects.get(action="notification.replay")
    assert audit.actor == ministry and audit.target == hook.webhook_id
    # The next attempt keeps the webhook-id.
    with mock.patch("notifications.channels.webhooks.post") as post:
        post.return_value = mock.Mock(ok=True, status_code=200, duration_ms=3, error="", permanent=False)
        assert deliver_notification(hook.pk) == NotificationState.DELIVERED
    assert hook.webhook_id == Notification.objects.get(pk=hook.pk).webhook_id
    assert hook.attempt_log.count() == 2


def test_a_row_being_delivered_cannot_be_replayed(client_for, ministry, logged):
    _calloff, hook, _mail = logged
    Notification.objects.filter(pk=hook.pk).update(state=NotificationState.PENDING)
    response = client_for(ministry).post(reverse("calloffs:delivery_replay", args=[hook.public_id]), follow=True)
    assert "wird gerade zugestellt" in response.content.decode()


def test_the_page_costs_a_constant_number_of_queries(
    client_for, ministry, logged, file_calloff, django_assert_max_num_queries
):
    for _ in range(5):
        file_calloff()
    client = client_for(ministry)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("calloffs:deliveries"))
    assert response.status_code == 200
