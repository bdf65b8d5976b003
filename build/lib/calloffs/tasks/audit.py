"""The auditor: alert the ministry when a deadline or a delivery is stuck; checkpoints of the audit chain."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from tenants.audit_checkpoints import checkpoint_line, checkpoint_write

from ..services.audit import timers_audit
from ..services.notify import notifications_for_audit_checkpoint

logger = logging.getLogger(__name__)


@shared_task(name="calloffs.tasks.audit.audit_timers", ignore_result=True)
def audit_timers() -> dict[str, int]:
    report = timers_audit()
    if report.alerts:
        logger.warning(
            "auditor: %d stuck offers, %d stuck notifications, %d alerts",
            len(report.stuck_offers),
            report.stuck_notifications,
            report.alerts,
        )
    return {"stuck_offers": len(report.stuck_offers), "stuck_notifications": report.stuck_notifications}


@shared_task(name="calloffs.tasks.audit.audit_checkpoint", ignore_result=True)
def audit_checkpoint(*, email: bool = False) -> int | None:
    """A signed checkpoint of the audit chain to the log and the checkpoint file (when the head
    moved); with ``email`` (once a day) also to the ministry's address through the outbox."""
    checkpoint = checkpoint_write(force=email)
    if checkpoint is None:
        return None
    if email:
        with transaction.atomic(durable=True):
            notifications_for_audit_checkpoint(checkpoint, checkpoint_line(checkpoint))
    return checkpoint["sequence"]
