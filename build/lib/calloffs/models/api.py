"""The provider REST API: API keys, idempotency records, and the files providers upload.

An API key acts for one provider through that provider's technical account (``account``, a
user with a ProviderMembership and no password), so the services see an ordinary provider
actor and the audit trail names the API as the one who acted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calloff import CallOff
from .provider import Provider

#: Every key starts with this; the visible prefix is ``dsk_`` plus 8 hex digits.
API_KEY_PREFIX = "dsk_"


class ProviderApiKeyQuerySet(models.QuerySet):
    def valid(self, now=None) -> ProviderApiKeyQuerySet:
        """Not revoked and not past the end of a rotation's grace period."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ProviderApiKey(models.Model):
    """A bearer key of a provider. Only the SHA-256 of the key is stored; the key is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("Dienstleister")
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("Technisches Konto"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=100, blank=True)
    prefix = models.CharField(_("Kennung"), max_length=16, unique=True)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("Erstellt am"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Erstellt von"),
    )
    last_used_at = models.DateTimeField(_("Zuletzt benutzt"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("Gültig bis"), null=True, blank=True, help_text=_("Gesetzt beim Rotieren: Ende der Übergangszeit.")
    )
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Widerrufen von"),
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Ersetzt durch")
    )

    objects = ProviderApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = _("API-Schlüssel")
        ordering = ["provider", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.provider})"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In Bearbeitung")
    DONE = "done", _("Erledigt")


class IdempotencyRecord(models.Model):
    """One ``Idempotency-Key`` of one provider: the request's fingerprint and, once done, its
    response, replayed for a retry with the same key and body (IETF httpapi draft, Stripe)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ProviderApiKey, null=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=IdempotencyState.choices, default=IdempotencyState.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The response body exactly as sent (UTF-8 text): a replay returns the same bytes (a jsonb
    #: column reordered the keys on PostgreSQL).
    response_content = models.TextField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Idempotenzschlüssel")
        verbose_name_plural = _("Idempotenzschlüssel")
        constraints = [models.UniqueConstraint(fields=["provider", "key"], name="idempotency_provider_key_unique")]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.key} {self.method} {self.path} ({self.state})"


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("Bericht")
    EVIDENCE = "evidence", _("Beweismittel")


def attachment_path(instance: CallOffAttachment, filename: str) -> str:
    """Under MEDIA_ROOT (outside the web root), named by id: the client's file name is never a path."""
    return f"calloff-attachments/{instance.calloff.public_id}/{instance.public_id}"


class CallOffAttachment(models.Model):
    """A file the assigned provider uploads (report, evidence); served only to the parties."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="attachments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("Art"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("Datei"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Hochgeladen am"), default=timezone.now)

    class Meta:
        verbose_name = _("Anhang zum Abruf")
        verbose_name_plural = _("Anhänge zu Abrufen")
        ordering = ["calloff", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"
