"""The outbox's tasks: deliver one notification (enqueued on commit, by a retry, or by the sweep),
and the sweep that repeats lost deliveries and re-enqueues due ones (STYLE.md §4)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import channels
from .services import notification_claim, notification_finish, notifications_release_lost, notifications_requeue

logger = logging.getLogger(__name__)

LAST_OUTBOX_SWEEP_KEY = "digisos:notifications:outbox_sweep"


@shared_task(name="notifications.tasks.deliver_notification", ignore_result=True)
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


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    """Repeat deliveries lost with their worker; re-enqueue due notifications nobody picked up."""
    released = notifications_release_lost()
    requeued = len(notifications_requeue())
    cache.set(LAST_OUTBOX_SWEEP_KEY, timezone.now().isoformat(), timeout=None)
    if released or requeued:
        logger.info("outbox sweep: %d lost deliveries released, %d notifications re-enqueued", released, requeued)
    return {"released": released, "requeued": requeued}
