"""The evidence attached to a finding (see the package's docstring for who sees it)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calloffs.models import CallOff, Provider
from digisos.plausible import datetime_range_check
from digisos.uploads import ALL_TYPES
from tenants.models import Organisation

from ..models import Finding

#: The largest file the database accepts (the upload limit is API_MAX_UPLOAD_BYTES, far below).
MAX_STORED_BYTES = 2 * 1024**3


def evidence_path(instance: FindingEvidence, filename: str) -> str:
    """Under MEDIA_ROOT (outside the web root), named by ids: the client's file name is never a path."""
    return f"finding-evidence/{instance.finding.public_id}/{instance.public_id}"


class FindingEvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> FindingEvidenceQuerySet:
        from .selectors import evidence_q

        return self.filter(evidence_q(user))


class FindingEvidence(models.Model):
    """A file backing a finding, uploaded by the accepting provider; shared with the body only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("Befund"))
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="+", verbose_name=_("Abruf"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+", verbose_name=_("Dienstleister"))
    file = models.FileField(_("Datei"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("Beschreibung"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Hochgeladen am"), default=timezone.now)

    objects = FindingEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Beweismittel zum Befund")
        verbose_name_plural = _("Beweismittel zu Befunden")
        ordering = ["finding", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=1, size__lte=MAX_STORED_BYTES), name="finding_evidence_size_range"
            ),
            models.CheckConstraint(condition=Q(Exact(Length("sha256"), 64)), name="finding_evidence_sha256_length"),
            models.CheckConstraint(condition=Q(content_type__in=list(ALL_TYPES)), name="finding_evidence_type"),
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("original_name"), 1)), name="finding_evidence_name_present"
            ),
            datetime_range_check("created_at", name="finding_evidence_created_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return self.original_name
