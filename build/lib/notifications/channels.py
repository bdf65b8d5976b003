"""Sending one notification over its channel: webhook, e-mail or SMS. No database writes here;
the delivery task records the outcome through ``notifications.services``."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import sms, webhooks
from .models import Channel, Notification
from .webhooks import SendResult


def send(notification: Notification) -> SendResult:
    """One attempt. Never raises: every failure becomes a SendResult with the reason."""
    started = time.monotonic()
    try:
        if notification.channel == Channel.WEBHOOK:
            return _webhook(notification)
        if notification.channel == Channel.EMAIL:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient],
                fail_silently=False,
            )
        elif notification.channel == Channel.SMS:
            sms.send_sms(to=notification.recipient, text=notification.body)
        else:
            return SendResult(ok=False, error=f"Unbekannter Kanal {notification.channel!r}", permanent=True)
    except Exception as exc:  # noqa: BLE001 - any failure of a channel is logged and retried
        return SendResult(ok=False, error=f"{exc.__class__.__name__}: {exc}"[:1000], duration_ms=_ms(started))
    return SendResult(ok=True, duration_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _webhook(notification: Notification) -> SendResult:
    endpoint = notification.endpoint
    if endpoint is None:
        return SendResult(ok=False, error="Webhook-Empfänger gelöscht", permanent=True)
    if not endpoint.active:
        return SendResult(ok=False, error="Webhook-Empfänger deaktiviert", permanent=True)
    body, headers = webhooks.build_request(
        secrets=endpoint.signing_secrets(timezone.now()), msg_id=notification.webhook_id, payload=notification.payload
    )
    return webhooks.post(url=endpoint.url, body=body, headers=headers)
