"""allauth's account mails (password reset) and MFA notices go through the outbox: an SMTP server that
refuses delays them, a working one then delivers them exactly once. A reset link is a password for
a while: once the mail is delivered its text is wiped, so the link stays in no row, no attempt and
not in the delivery log, and the row cannot be replayed."""

from __future__ import annotations

import re
import smtplib
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import hotp_value
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from notifications.errors import NotReplayable
from notifications.models import Channel, DeliveryAttempt, Notification, NotificationState
from notifications.services import notification_replay
from notifications.tasks import deliver_notification
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
RESET_LINK = re.compile(r"https?://\S+/passwort/zuruecksetzen/key/\S+|https?://\S+/password/reset/key/\S+")


class RefusingSMTP(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def deliver_after_an_outage(row: Notification, settings) -> None:
    """First attempt against a refusing server, the retry (at the time the row asks for) against a working one."""
    settings.EMAIL_BACKEND = "tests.notifications.test_account_mails.RefusingSMTP"
    assert deliver_notification(row.pk) == NotificationState.FAILED
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED and "SMTPServerDisconnected" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(row.next_attempt_at, tick=False):
        assert deliver_notification(row.pk) == NotificationState.DELIVERED
        assert deliver_notification(row.pk) == "skipped"  # a duplicate from the broker sends nothing


def token_anywhere(token: str) -> list[str]:
    """Every stored text of the outbox that contains ``token``."""
    found = []
    for row in Notification.objects.all():
        for field in ("subject", "body", "last_error", "recipient", "link", "reference"):
            if token in (getattr(row, field) or ""):
                found.append(f"notification {row.pk}.{field}")
        if token in str(row.payload):
            found.append(f"notification {row.pk}.payload")
    for attempt in DeliveryAttempt.objects.all():
        if token in attempt.error:
            found.append(f"attempt {attempt.pk}.error")
    return found


def test_a_password_reset_mail_survives_an_smtp_outage_and_its_link_is_not_kept(
    client, client_for, alice, ministry, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 302
    assert mailoutbox == []  # nothing sent from the request itself
    row = Notification.objects.get(event_type="account.password_reset_key")
    assert row.channel == Channel.EMAIL and row.recipient == alice.email and row.confidential
    link = RESET_LINK.search(row.body).group(0)
    key = link.rstrip("/").rsplit("/", 1)[-1]

    deliver_after_an_outage(row, settings)

    assert len(mailoutbox) == 1 and mailoutbox[0].to == [alice.email]
    assert link in mailoutbox[0].body  # the person got the link …
    row.refresh_from_db()
    assert row.state == NotificationState.DELIVERED and row.body == ""  # … the database keeps none of it
    assert row.attempt_log.count() == 2
    assert token_anywhere(key) == []
    log = client_for(ministry).get(reverse("calloffs:deliveries"))
    assert log.status_code == 200 and alice.email in log.content.decode() and key not in log.content.decode()
    with pytest.raises(NotReplayable):
        notification_replay(notification=row, actor=ministry)
    # The link still works: the token lives in the mail, not in the outbox.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": "a new horse battery staple 42", "password2": "a new horse battery staple 42"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a new horse battery staple 42")


def test_a_given_up_reset_mail_is_wiped_too(client, alice, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_RETRY_HOURS = 0  # the first failure is the last
    settings.EMAIL_BACKEND = "tests.notifications.test_account_mails.RefusingSMTP"
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("account_reset_password"), {"email": alice.email})
    row = Notification.objects.get(event_type="account.password_reset_key")
    assert row.body
    assert deliver_notification(row.pk) == NotificationState.DEAD
    row.refresh_from_db()
    assert row.body == "" and row.content_wiped


def test_an_ordinary_mail_keeps_its_text(org_a, alice, settings):
    """Only confidential rows are wiped: a reminder stays readable (and replayable) in the log."""
    from notifications.services import mail_enqueue

    [row] = mail_enqueue(
        recipients=[alice.email],
        subject="Erinnerung",
        body="Frist läuft",
        event_type="incident.reminder",
        audience="body",
    )
    assert deliver_notification(row.pk) == NotificationState.DELIVERED
    row.refresh_from_db()
    assert row.body == "Frist läuft" and not row.content_wiped


def test_an_mfa_notice_goes_through_the_outbox_and_is_delivered_once(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    assert settings.ACCOUNT_EMAIL_NOTIFICATIONS  # security notices are on
    user = UserFactory(mfa=False)
    MembershipFactory(user=user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    secret = response.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth queues the notice on commit
        response = client.post(
            reverse("mfa_activate_totp"), {"code": f"{hotp_value(secret, int(time.time()) // 30):06d}"}
        )
    assert response.status_code == 302
    assert mailoutbox == []
    row = Notification.objects.get(event_type="account.totp_activated")
    assert row.recipient == user.email and row.confidential

    deliver_after_an_outage(row, settings)

    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    row.refresh_from_db()
    assert row.state == NotificationState.DELIVERED and row.attempt_log.filter(ok=False).count() == 1
