"""Webhooks after the Standard Webhooks specification: signatures, secret rotation, SSRF rules,
retries with backoff and jitter for at least 72 hours, the ministry alerted when they keep failing."""

import random
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from calloffs import services
from calloffs.errors import InvalidInput, NotPermitted
from calloffs.models import AlertKind, MinistryAlert
from notifications.models import Channel, Notification, NotificationState, WebhookEndpoint, source_of
from notifications.services import RETRY_DELAYS, next_attempt, notifications_requeue, retry_delay
from notifications.tasks import deliver_notification
from notifications.webhooks import UnsafeTarget, build_request, check_url
from tests.calloffs.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_targets(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 1


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def webhook_row(calloff) -> Notification:
    return Notification.objects.get(calloff=calloff, channel=Channel.WEBHOOK, event_type="offer.created")


def test_the_signature_verifies_with_the_reference_implementation(setup, file_calloff, receiver, local_targets):
    endpoint = WebhookEndpoint.objects.create(owner=setup.providers[0], url=receiver.url)
    calloff = file_calloff()
    row = webhook_row(calloff)

    assert deliver_notification(row.pk) == NotificationState.DELIVERED

    request = receiver.wait_for(1)[0]
    headers = request["headers"]
    assert headers["webhook-id"] == row.webhook_id
    assert headers["webhook-signature"].startswith("v1,")
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 5
    payload = Webhook(endpoint.secret).verify(request["body"], headers)
    assert payload["type"] == "offer.created"
    assert payload["data"]["calloff"]["number"] == calloff.number
    assert endpoint.secret.startswith("whsec_")
    with pytest.raises(WebhookVerificationError):
        Webhook(services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=setup.staff[0]).secret).verify(
            request["body"].replace(b"P1", b"P9"), headers
        )
    row.refresh_from_db()
    attempt = row.attempt_log.get()
    assert attempt.ok and attempt.status_code == 200 and attempt.duration_ms is not None


def test_during_a_rotation_both_secrets_verify_and_afterwards_only_the_new(setup):
    endpoint = WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.example/x")
    old_secret = endpoint.secret
    endpoint = services.webhook_endpoint_rotate_secret(
        endpoint=endpoint, actor=setup.staff[0], overlap=timedelta(hours=1)
    )
    assert endpoint.secret != old_secret and endpoint.previous_secret == old_secret

    body, headers = build_request(
        secrets=endpoint.signing_secrets(), msg_id="msg_1", payload={"type": "offer.created", "data": {}}
    )
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old_secret).verify(body, headers) == {"type": "offer.created", "data": {}}
    assert Webhook(endpoint.secret).verify(body, headers)

    later = timezone.now() + timedelta(hours=1, seconds=1)
    body, headers = build_request(secrets=endpoint.signing_secrets(later), msg_id="msg_2", payload={"a": 1})
    assert Webhook(endpoint.secret).verify(body, headers) == {"a": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(body, headers)


def test_only_the_provider_and_the_ministry_manage_endpoints(setup, alice, ministry, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(NotPermitted):
        services.webhook_endpoint_create(provider=setup.providers[0], actor=setup.staff[1], url="https://1.1.1.1/")
    with pytest.raises(NotPermitted):
        services.webhook_endpoint_create(provider=setup.providers[0], actor=alice, url="https://1.1.1.1/")
    endpoint = services.webhook_endpoint_create(provider=setup.providers[0], actor=ministry, url="https://1.1.1.1/h")
    services.webhook_endpoint_update(endpoint=endpoint, actor=setup.staff[0], active=False)
    endpoint.refresh_from_db()
    assert endpoint.active is False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.178.1/hook",
        "https://172.20.0.5/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/hook",
        "https://224.0.0.1/hook",
        # IPv6 forms that carry a private IPv4 address inside, and site-local IPv6
        "https://[::127.0.0.1]/hook",  # IPv4-compatible
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
        "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "https://[2002:c0a8:b201::1]/hook",  # 6to4 of 192.168.178.1
        "https://[fec0::1]/hook",  # site-local
        "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64 (RFC 8215)
    ],
)
def test_private_loopback_and_link_local_targets_are_refused(setup, ministry, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(UnsafeTarget):
        check_url(url)
    with pytest.raises(InvalidInput) as exc:
        services.webhook_endpoint_create(provider=setup.providers[0], actor=ministry, url=url)
    assert exc.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["ftp://1.1.1.1/x", "https://user:pw@1.1.1.1/x", "https:///x", "javascript:alert(1)", "https://[::1/x"],
)
def test_malformed_targets_are_refused(settings, url):
    with pytest.raises(UnsafeTarget):
        check_url(url)


def test_plain_http_only_when_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOK_REQUIRE_HTTPS = True
    with pytest.raises(UnsafeTarget, match="https"):
        check_url("http://1.1.1.1/hook")
    assert check_url("https://1.1.1.1/hook") == ["1.1.1.1"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    assert check_url("http://1.1.1.1/hook") == ["1.1.1.1"]


def test_a_host_that_resolves_to_a_private_address_is_refused_at_delivery_time(setup, file_calloff, settings):
    """DNS can change after the endpoint was registered: the check runs again on every attempt."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    calloff = file_calloff()
    row = webhook_row(calloff)
    private = [(2, 1, 6, "", ("10.0.0.7", 443))]
    with mock.patch("notifications.webhooks.socket.getaddrinfo", return_value=private):
        assert deliver_notification(row.pk) == NotificationState.DEAD
    row.refresh_from_db()
    assert "10.0.0.7" in row.last_error
    assert MinistryAlert.objects.filter(kind=AlertKind.DELIVERY_FAILING, calloff=calloff).exists()


@pytest.mark.parametrize("address", ["64:ff9b::a00:7", "::7f00:1", "2002:a00:7::1", "fec0::7"])
def test_an_ipv6_answer_hiding_a_private_address_is_refused_at_delivery_time(setup, file_calloff, settings, address):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    row = webhook_row(file_calloff())
    answer = [(10, 1, 6, "", (address, 443, 0, 0))]
    with mock.patch("notifications.webhooks.socket.getaddrinfo", return_value=answer):
        assert deliver_notification(row.pk) == NotificationState.DEAD
    row.refresh_from_db()
    assert address in row.last_error


@pytest.mark.parametrize("address", ["64:ff9b::101:101", "2002:101:101::1", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
def test_ipv6_addresses_of_public_hosts_are_allowed(settings, address):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with mock.patch("notifications.webhooks.socket.getaddrinfo", return_value=[(10, 1, 6, "", (address, 443, 0, 0))]):
        assert check_url("https://hooks.example/x") == [address]


def test_the_allow_setting_lets_local_targets_through(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert check_url("https://127.0.0.1:8443/hook") == ["127.0.0.1"]


def test_an_endpoint_answering_500_is_retried_on_schedule_with_the_same_id(
    setup, file_calloff, local_targets, django_capture_on_commit_callbacks
):
    failing = Receiver(lambda n: (500, 0.0) if n < 2 else (204, 0.0))
    try:
        WebhookEndpoint.objects.create(owner=setup.providers[0], url=failing.url)
        calloff = file_calloff()
        row = webhook_row(calloff)

        with mock.patch("celery.current_app.send_task") as send_task, django_capture_on_commit_callbacks(execute=True):
            assert deliver_notification(row.pk) == NotificationState.FAILED
        row.refresh_from_db()
        assert row.state == NotificationState.FAILED and row.attempts == 1
        assert "HTTP 500" in row.last_error and "kaputt" in row.last_error
        first_delay = (row.next_attempt_at - row.attempt_log.get().at).total_seconds()
        assert 4 <= first_delay <= 6  # 5 s ± 20 %
        # Short retries are also handed to the broker with a countdown (only faster; the sweep stays the truth).
        assert send_task.call_args.kwargs["countdown"] == pytest.approx(first_delay, abs=0.5)

        assert deliver_notification(row.pk) == "skipped"  # not due yet: an early message does nothing
        with time_machine.travel(row.next_attempt_at):
            assert deliver_notification(row.pk) == NotificationState.FAILED
        row.refresh_from_db()
        with time_machine.travel(row.next_attempt_at):
            assert deliver_notification(row.pk) == NotificationState.DELIVERED

        ids = {r["headers"]["webhook-id"] for r in failing.wait_for(3)}
        assert ids == {row.webhook_id}
        row.refresh_from_db()
        assert [(a.number, a.ok, a.status_code) for a in row.attempt_log.all()] == [
            (1, False, 500),
            (2, False, 500),
            (3, True, 204),
        ]
    finally:
        failing.close()


def test_a_timeout_is_logged_and_retried(setup, file_calloff, local_targets):
    slow = Receiver(lambda n: (200, 2.0))
    try:
        WebhookEndpoint.objects.create(owner=setup.providers[0], url=slow.url)
        row = webhook_row(file_calloff())
        assert deliver_notification(row.pk) == NotificationState.FAILED
        row.refresh_from_db()
        assert row.last_error.startswith("Zeitüberschreitung")
        assert row.attempt_log.get().duration_ms >= 900
    finally:
        slow.close()


def test_redirects_are_not_followed(setup, file_calloff, local_targets):
    redirecting = Receiver(lambda n: (307, 0.0))
    try:
        WebhookEndpoint.objects.create(owner=setup.providers[0], url=redirecting.url)
        row = webhook_row(file_calloff())
        assert deliver_notification(row.pk) == NotificationState.FAILED
        assert len(redirecting.requests) == 1
    finally:
        redirecting.close()


def test_the_retry_plan_has_backoff_and_jitter_and_spans_72_hours():
    rng = random.Random(7)
    delays = [retry_delay(n, rng=rng).total_seconds() for n in range(1, 16)]
    for n, delay in enumerate(delays, start=1):
        base = RETRY_DELAYS[min(n, len(RETRY_DELAYS)) - 1].total_seconds()
        assert 0.8 * base <= delay <= 1.2 * base
    assert delays[0] < delays[3] < delays[6] < delays[9]
    assert len({round(d / RETRY_DELAYS[-1].total_seconds(), 3) for d in delays[9:]}) > 1  # jittered, not fixed


def test_failing_for_72_hours_ends_dead_with_one_alert_per_endpoint(setup, file_calloff, settings, ministry):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    calloff = file_calloff()
    row = webhook_row(calloff)
    start = row.created_at
    fail = mock.patch("notifications.webhooks.check_url", return_value=["203.0.113.9"])
    refused = mock.patch(
        "notifications.webhooks.urllib3.HTTPSConnectionPool.urlopen",
        side_effect=__import__("urllib3").exceptions.NewConnectionError(None, "Connection refused"),
    )
    attempts_at = []
    with fail, refused, mock.patch("celery.current_app.send_task"):
        for _ in range(40):
            row.refresh_from_db()
            if row.state == NotificationState.DEAD:
                break
            with time_machine.travel(row.next_attempt_at, tick=False):
                attempts_at.append(row.next_attempt_at)
                deliver_notification(row.pk)
    row.refresh_from_db()
    assert row.state == NotificationState.DEAD
    span = attempts_at[-1] - start
    assert span >= timedelta(hours=72)
    assert span < timedelta(hours=72, minutes=1)  # the last attempt is made at the 72-hour mark
    assert 12 <= row.attempts <= 20
    gaps = [b - a for a, b in zip(attempts_at, attempts_at[1:], strict=False)]
    assert gaps[0] < gaps[3] < gaps[8]
    alerts = MinistryAlert.objects.filter(kind=AlertKind.DELIVERY_FAILING, calloff=calloff).order_by("created_at")
    # One alert when it kept failing (after 5 attempts), one when it was given up; none per attempt.
    assert alerts.count() == 2
    assert "5 Versuche" in alerts[0].message and "aufgegeben" in alerts[1].message
    # The ministry's e-mails about it are in the outbox too.
    assert (
        Notification.objects.filter(
            source__in=[source_of(a) for a in alerts], recipient="ministerium@example.org"
        ).count()
        == 2
    )


def test_a_second_failing_notification_to_the_same_endpoint_does_not_alert_again(setup, file_calloff, settings):
    settings.NOTIFICATION_ALERT_AFTER_ATTEMPTS = 1
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    rows = [webhook_row(file_calloff()) for _ in range(2)]
    with mock.patch("notifications.channels.webhooks.post") as post:
        post.return_value = mock.Mock(ok=False, status_code=503, duration_ms=3, error="HTTP 503", permanent=False)
        for row in rows:
            deliver_notification(row.pk)
    assert MinistryAlert.objects.filter(kind=AlertKind.DELIVERY_FAILING).count() == 1


def test_next_attempt_never_goes_past_the_window(setup, file_calloff):
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    row = webhook_row(file_calloff())
    row.attempts = 9
    late = row.window_start + timedelta(hours=71)
    assert next_attempt(row, now=late) == row.window_start + timedelta(hours=72)
    assert next_attempt(row, now=row.window_start + timedelta(hours=72)) is None


def test_an_inactive_endpoint_is_not_called(setup, file_calloff, receiver, local_targets):
    endpoint = WebhookEndpoint.objects.create(owner=setup.providers[0], url=receiver.url)
    row = webhook_row(file_calloff())
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert deliver_notification(row.pk) == NotificationState.DEAD
    assert receiver.requests == []


def test_the_sweep_hands_failed_rows_back_once_due(setup, file_calloff):
    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/x")
    row = webhook_row(file_calloff())
    Notification.objects.filter(pk=row.pk).update(
        state=NotificationState.FAILED, next_attempt_at=timezone.now() + timedelta(minutes=10), queued_at=None
    )
    with mock.patch("celery.current_app.send_task"):
        assert row.pk not in notifications_requeue()
        with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
            assert row.pk in notifications_requeue()
