"""The notification outbox: who hears of what, by which channel, and every delivery attempt.

A ``Notification`` row is written by the app whose state changes, in the same transaction
(``calloffs.services.notify``, ``incidents.services``, ``tenants``' invitations and account
mails); Celery delivers it after the commit, and a periodic sweep re-enqueues what is due and
was lost on the way (Redis down, a worker killed). The row is the truth about a delivery; the
broker only makes it fast.

This app knows nothing of the apps above it: a notification names what it is about through a
generic ``topic`` (e.g. a call-off) and the body it concerns (``organisation``); a webhook
endpoint belongs to a generic ``owner`` (a provider). Those apps decide recipients and texts.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Organisation

# The Standard Webhooks prefix of every secret, not a secret.
SECRET_PREFIX = "whsec_"  # nosec B105


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_webhook_id() -> str:
    """The ``webhook-id`` of a message: fixed when the row is written, the same on every retry."""
    return f"msg_{uuid.uuid4().hex}"


def source_of(obj: models.Model) -> str:
    """The ``source`` of a notification caused by ``obj``: "<app>.<model>:<pk>"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


class WebhookEndpoint(models.Model):
    """A receiver for webhooks (of a provider: ``owner``). One secret per endpoint; during a rotation
    the previous secret stays valid until ``previous_valid_until`` and messages carry both signatures."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("Beschreibung"), max_length=200, blank=True)
    secret = models.CharField(_("Signaturschlüssel"), max_length=100, default=new_webhook_secret, editable=False)
    previous_secret = models.CharField(_("Vorheriger Signaturschlüssel"), max_length=100, blank=True, editable=False)
    previous_valid_until = models.DateTimeField(_("Vorheriger Schlüssel gültig bis"), null=True, blank=True)
    active = models.BooleanField(_("Aktiv"), default=True)
    failing_alerted_at = models.DateTimeField(_("Ausfall gemeldet am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Webhook-Empfänger")
        verbose_name_plural = _("Webhook-Empfänger")
        ordering = ["owner_type", "owner_id", "created_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="webhook_endpoint_owner")]

    def __str__(self) -> str:
        return f"{self.owner}: {self.url}"

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets to sign with now: the current one, plus the previous during a changeover."""
        now = now or timezone.now()
        keys = [self.secret]
        if self.previous_secret and self.previous_valid_until and self.previous_valid_until > now:
            keys.append(self.previous_secret)
        return keys


class Channel(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    EMAIL = "email", _("E-Mail")
    SMS = "sms", _("SMS")


class Audience(models.TextChoices):
    PROVIDER = "provider", _("Dienstleister")
    BODY = "body", _("Stelle")
    MINISTRY = "ministry", _("Ministerium")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Wartet")
    DELIVERING = "delivering", _("Wird zugestellt")
    FAILED = "failed", _("Fehlgeschlagen, neuer Versuch geplant")
    DELIVERED = "delivered", _("Zugestellt")
    DEAD = "dead", _("Aufgegeben")


#: States in which a notification still waits for an attempt (the sweep's partial index).
WAITING_STATES = (NotificationState.PENDING, NotificationState.FAILED)


class Notification(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook_id = models.CharField(_("Nachrichten-ID"), max_length=40, unique=True, default=new_webhook_id)
    #: The body the message concerns: its members read the row in their delivery log.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Stelle"),
    )
    #: What the message is about (a call-off, an incident, an invitation …), generic.
    topic_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    topic_id = models.PositiveBigIntegerField(null=True, blank=True)
    topic = GenericForeignKey("topic_type", "topic_id")
    #: How people name the topic (e.g. the call-off number), shown and searched in the log.
    reference = models.CharField(_("Bezug"), max_length=100, blank=True)
    #: The portal path of the topic, for a link from the log ("" if there is none).
    link = models.CharField(_("Link"), max_length=300, blank=True)
    #: What caused the message, for tracing (e.g. "calloffs.calloffevent:42").
    source = models.CharField(_("Auslöser"), max_length=100, blank=True)
    event_type = models.CharField(_("Anlass"), max_length=40)
    audience = models.CharField(_("Empfängerkreis"), max_length=10, choices=Audience.choices)
    channel = models.CharField(_("Kanal"), max_length=8, choices=Channel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("Webhook-Empfänger"),
    )
    recipient = models.CharField(_("Empfänger"), max_length=500)
    subject = models.CharField(_("Betreff"), max_length=200, blank=True)
    body = models.TextField(_("Text"), blank=True)
    #: The text carries a secret (a password-reset link, a confirmation key, a login code): it is
    #: wiped once the row is delivered or given up, so no copy of it stays readable in the database
    #: or the delivery log; such a row cannot be replayed afterwards (the person asks for a new one).
    confidential = models.BooleanField(_("Vertraulicher Inhalt"), default=False)
    payload = models.JSONField(_("Nutzdaten"), default=dict, blank=True)
    state = models.CharField(
        _("Status"), max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    next_attempt_at = models.DateTimeField(_("Nächster Versuch"), default=timezone.now)
    #: When it was last handed to the broker; the sweep re-enqueues what was not picked up.
    queued_at = models.DateTimeField(null=True, blank=True)
    #: While delivering: after this the attempt counts as lost (worker killed) and is repeated.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("Letzter Fehler"), blank=True)
    delivered_at = models.DateTimeField(_("Zugestellt am"), null=True, blank=True)
    failure_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("Erstellt am"), default=timezone.now)
    #: Start of the retry plan (the creation, or the last replay by the ministry).
    window_start = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notifications_waiting",
                condition=Q(state__in=["pending", "failed"]),
            ),
            models.Index(fields=["lease_until"], name="notifications_delivering", condition=Q(state="delivering")),
            models.Index(fields=["state", "created_at"], name="notifications_state_created"),
            models.Index(fields=["topic_type", "topic_id"], name="notifications_topic"),
            models.Index(fields=["organisation", "created_at"], name="notifications_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.get_channel_display()} {self.recipient}"

    @property
    def content_wiped(self) -> bool:
        return self.confidential and self.state in (NotificationState.DELIVERED, NotificationState.DEAD)


class DeliveryAttempt(models.Model):
    """One attempt to deliver a notification: what happened, how long it took."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("Versuch"))
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    ok = models.BooleanField(_("Erfolgreich"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP-Status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("Dauer (ms)"), null=True, blank=True)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        verbose_name = _("Zustellversuch")
        verbose_name_plural = _("Zustellversuche")
        ordering = ["notification", "at", "id"]

    def __str__(self) -> str:
        return f"#{self.number} {'ok' if self.ok else self.error[:40]}"
