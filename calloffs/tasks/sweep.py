"""The beat-driven sweeps: deadlines every second, the outbox every few seconds (STYLE.md §4)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from ..services.deliveries import notifications_release_lost, notifications_requeue
from ..services.sla import deadlines_sweep

logger = logging.getLogger(__name__)

LAST_DEADLINE_SWEEP_KEY = "digisos:calloffs:deadline_sweep"
LAST_OUTBOX_SWEEP_KEY = "digisos:calloffs:outbox_sweep"


@shared_task(name="calloffs.tasks.sweep.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    """Expire offers past their respond-by, record SLA breaches; note the time for /health/."""
    done = deadlines_sweep()
    cache.set(LAST_DEADLINE_SWEEP_KEY, timezone.now().isoformat(), timeout=None)
    if any(done.values()):
        logger.info("deadline sweep: %s", done)
    return done


@shared_task(name="calloffs.tasks.sweep.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    """Repeat deliveries lost with their worker; re-enqueue due notifications nobody picked up."""
    released = notifications_release_lost()
    requeued = len(notifications_requeue())
    cache.set(LAST_OUTBOX_SWEEP_KEY, timezone.now().isoformat(), timeout=None)
    if released or requeued:
        logger.info("outbox sweep: %d lost deliveries released, %d notifications re-enqueued", released, requeued)
    return {"released": released, "requeued": requeued}
