"""The ministry takes note of an alert."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import MinistryAlert
from .common import require_ministry


@transaction.atomic(durable=True)
def ministry_alert_acknowledge(*, alert: MinistryAlert, actor) -> MinistryAlert:
    """Idempotent: an alert already acknowledged keeps its first acknowledgement."""
    require_ministry(actor)
    alert = MinistryAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
