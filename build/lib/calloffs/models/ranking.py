"""The order of precedence (Rangfolge), versioned and immutable once published.

A change publishes a new ``RankingVersion``; a call-off keeps the version it started with.
Ranks may be general, specific to a service module, to a Regierungsbezirk, or to both.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from digisos.plausible import number_range_check, range_validator
from tenants.models import Regierungsbezirk

from ..errors import ImmutableRecord
from .contract import FrameworkContract, ServiceModule
from .provider import Provider


class RankingVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        FrameworkContract,
        on_delete=models.PROTECT,
        related_name="ranking_versions",
        verbose_name=_("Rahmenvertrag"),
    )
    number = models.PositiveIntegerField(_("Version"))
    created_at = models.DateTimeField(_("Veröffentlicht am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Veröffentlicht von"),
    )
    reason = models.TextField(_("Anlass der Änderung"), blank=True)

    class Meta:
        verbose_name = _("Rangfolge (Version)")
        verbose_name_plural = _("Rangfolgen (Versionen)")
        ordering = ["contract", "-number"]
        get_latest_by = "number"
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="ranking_version_unique")]

    def __str__(self) -> str:
        return f"{self.contract.reference} Rangfolge v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(_("Eine veröffentlichte Rangfolge kann nicht geändert werden."))
        super().save(*args, **kwargs)


class ProviderRank(models.Model):
    version = models.ForeignKey(RankingVersion, on_delete=models.CASCADE, related_name="ranks")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="ranks", verbose_name=_("Dienstleister")
    )
    rank = models.PositiveSmallIntegerField(_("Rang"), validators=[range_validator(plausible.RANK)])
    service_module = models.ForeignKey(
        ServiceModule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Leistungsmodul"),
        help_text=_("Leer: gilt für alle Leistungsmodule."),
    )
    regierungsbezirk = models.CharField(
        _("Regierungsbezirk"),
        max_length=20,
        choices=Regierungsbezirk.choices,
        blank=True,
        help_text=_("Leer: gilt für alle Regierungsbezirke."),
    )

    class Meta:
        verbose_name = _("Rang")
        verbose_name_plural = _("Ränge")
        ordering = ["version", "service_module", "regierungsbezirk", "rank"]
        # The pair of constraints per rule keeps "no module" (NULL) unique on SQLite and
        # PostgreSQL alike; nulls_distinct=False would be silently skipped on SQLite.
        constraints = [
            number_range_check("rank", plausible.RANK, name="provider_rank_plausible", null=False),
            models.UniqueConstraint(
                fields=["version", "service_module", "regierungsbezirk", "rank"],
                condition=Q(service_module__isnull=False),
                name="provider_rank_unique_rank_module",
            ),
            models.UniqueConstraint(
                fields=["version", "regierungsbezirk", "rank"],
                condition=Q(service_module__isnull=True),
                name="provider_rank_unique_rank_general",
            ),
            models.UniqueConstraint(
                fields=["version", "service_module", "regierungsbezirk", "provider"],
                condition=Q(service_module__isnull=False),
                name="provider_rank_unique_provider_module",
            ),
            models.UniqueConstraint(
                fields=["version", "regierungsbezirk", "provider"],
                condition=Q(service_module__isnull=True),
                name="provider_rank_unique_provider_general",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.provider}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(_("Eine veröffentlichte Rangfolge kann nicht geändert werden."))
        super().save(*args, **kwargs)
