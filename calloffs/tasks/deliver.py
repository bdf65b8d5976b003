"""Deliver one notification of the outbox (enqueued on commit, by a retry, or by the sweep)."""

from __future__ import annotations

import logging

from celery import shared_task

from .. import channels
from ..services.deliveries import notification_claim, notification_finish

logger = logging.getLogger(__name__)


@shared_task(name="calloffs.tasks.deliver.deliver_notification", ignore_result=True)
def deliver_notification(notification_id: int) -> str:
    """Claim (compare-and-set), send once, record the outcome. A notification that is not due,
    already delivered or taken by another worker is skipped: the database decides, not the broker."""
    notification = notification_claim(notification_id=notification_id)
    if notification is None:
        logger.debug("notification %s not due or taken; skipped", notification_id)
        return "skipped"
    result = channels.send(notification)
    outcome = notification_finish(
        notification=notification,
        ok=result.ok,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error,
        permanent=result.permanent,
    )
    if not result.ok:
        logger.warning(
            "notification %s (%s → %s) attempt %d failed: %s; now %s",
            notification.pk,
            notification.channel,
            notification.recipient,
            notification.attempts,
            result.error,
            outcome.state,
        )
    return outcome.state
