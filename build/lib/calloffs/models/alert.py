"""Alerts for the ministry: the dashboard list of what needs a decision now.

The notification issue will add e-mail/SMS delivery on top of these rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calloff import CallOff
from .contract import FrameworkContract


class AlertKind(models.TextChoices):
    UNASSIGNED = "unassigned", _("Kein Dienstleister verfügbar")
    CEILING_EXCEEDED = "ceiling_exceeded", _("Höchstwert überschritten")
    CEILING_THRESHOLD = "ceiling_threshold", _("Höchstwert bald erreicht")
    #: Approved statements (consumed, not merely committed) crossed 80/95/100 % of the ceiling.
    CEILING_CONSUMED = "ceiling_consumed", _("Höchstwert verbraucht (freigegeben)")
    SLA_BREACH = "sla_breach", _("SLA-Frist überschritten")
    DELIVERY_FAILING = "delivery_failing", _("Zustellung schlägt fehl")
    STUCK = "stuck", _("Frist oder Zustellung hängt")
    OTHER = "other", _("Sonstiges")


class MinistryAlertQuerySet(models.QuerySet):
    def unacknowledged(self) -> MinistryAlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class MinistryAlert(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("Art"), max_length=20, choices=AlertKind.choices)
    calloff = models.ForeignKey(
        CallOff, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("Abruf")
    )
    contract = models.ForeignKey(
        FrameworkContract,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("Rahmenvertrag"),
    )
    message = models.TextField(_("Meldung"))
    #: Ceiling alerts: the percentage crossed (80, 95, 100); each is raised once per contract.
    threshold = models.PositiveSmallIntegerField(_("Schwelle (%)"), null=True, blank=True)
    created_at = models.DateTimeField(_("Erstellt am"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("Zur Kenntnis genommen am"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Zur Kenntnis genommen von"),
    )

    objects = MinistryAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("Meldung an das Ministerium")
        verbose_name_plural = _("Meldungen an das Ministerium")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="alert_open", condition=Q(acknowledged_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "threshold"],
                condition=Q(threshold__isnull=False),
                name="alert_threshold_once_per_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"
