"""Every e-mail goes through the outbox: nothing sends mail directly, and an SMTP server that
refuses for ten minutes delays a NIS-2 reminder but never loses it."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend

from incidents import services
from notifications.models import Channel, DeliveryAttempt, Notification, NotificationState
from notifications.tasks import deliver_notification
from tests.incidents.test_reporting_clocks import AWARE, open_incident

ROOT = Path(__file__).resolve().parents[2]
APPS = ("digisos", "tenants", "notifications", "incidents", "calloffs")
#: The one place that hands mail to Django's mail backend.
EMAIL_CHANNEL = ROOT / "notifications" / "channels.py"
DIRECT_MAIL = re.compile(
    r"from django\.core\.mail import|django\.core\.mail\.(?!backends)|(?<!def )\bsend_mail\(|send_mass_mail|"
    r"mail_admins|mail_managers|EmailMessage|EmailMultiAlternatives|fail_silently\s*=\s*True"
)


def test_nothing_sends_mail_outside_the_email_channel():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == EMAIL_CHANNEL or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if DIRECT_MAIL.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
    assert DIRECT_MAIL.search(EMAIL_CHANNEL.read_text())  # the channel itself is what the scan looks for


REFUSE_UNTIL = AWARE + timedelta(hours=18, minutes=10)


class RefusingSMTP(EmailBackend):
    """An SMTP server that refuses every message until REFUSE_UNTIL, then accepts (Django's test outbox)."""

    def send_messages(self, messages):
        from django.utils import timezone

        if timezone.now() < REFUSE_UNTIL:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_an_smtp_outage_of_ten_minutes_delays_a_nis2_reminder_but_never_loses_it(
    org_a, alice, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.test_mail_outbox.RefusingSMTP"
    incident = open_incident(org_a, alice)
    # 18 h after becoming aware: the CERT NRW early warning (24 h) is due in 6 h, its reminder now.
    with time_machine.travel(AWARE + timedelta(hours=18), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            assert services.obligations_remind_due() == 1
    row = Notification.objects.get(organisation=org_a, event_type="incident.reminder", channel=Channel.EMAIL)
    assert row.topic == incident and incident.obligations.filter(reminded_at__isnull=False).count() == 1
    moments = []
    for _ in range(20):  # what the worker and the outbox sweep do, at the times the row asks for
        row.refresh_from_db()
        if row.state == NotificationState.DELIVERED:
            break
        with time_machine.travel(row.next_attempt_at, tick=False):
            moments.append(row.next_attempt_at)
            deliver_notification(row.pk)
    row.refresh_from_db()
    assert row.state == NotificationState.DELIVERED
    assert moments[-1] >= REFUSE_UNTIL  # delayed past the outage ...
    failures = DeliveryAttempt.objects.filter(notification=row, ok=False)
    assert failures.count() >= 3 and "SMTPServerDisconnected" in failures.first().error
    assert len(mailoutbox) == 1  # ... and delivered exactly once
    assert "Erinnerung" in mailoutbox[0].subject and mailoutbox[0].to == [alice.email]
    # A late duplicate from the broker, and the reminder sweep again, send nothing more.
    assert deliver_notification(row.pk) == "skipped"
    with time_machine.travel(REFUSE_UNTIL + timedelta(minutes=5), tick=False):
        assert services.obligations_remind_due() == 0
    assert len(mailoutbox) == 1
