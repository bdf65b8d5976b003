"""A major incident (Großschadenslage): one attack hitting many bodies at once."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Organisation


class MajorIncidentStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    CLOSED = "closed", _("Beendet")


class MajorIncident(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("Bezeichnung"), max_length=200)
    description = models.TextField(_("Lage"), blank=True)
    origin = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Ausgangspunkt (z. B. betroffener kommunaler IT-Dienstleister)"),
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=MajorIncidentStatus.choices, default=MajorIncidentStatus.ACTIVE
    )
    declared_at = models.DateTimeField(_("Ausgerufen am"), default=timezone.now)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("Beendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Großschadenslage")
        verbose_name_plural = _("Großschadenslagen")
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return self.title
