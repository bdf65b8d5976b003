"""The auditor: alert the ministry when a deadline or a delivery is stuck."""

from __future__ import annotations

import logging

from celery import shared_task

from ..services.audit import timers_audit

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
