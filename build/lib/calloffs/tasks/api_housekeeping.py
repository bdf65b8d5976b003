"""Housekeeping of the provider API: forget Idempotency-Keys past their keep time (7 days)."""

from __future__ import annotations

import logging

from celery import shared_task

from ..api.idempotency import purge_expired

logger = logging.getLogger(__name__)


@shared_task(name="calloffs.tasks.api_housekeeping.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    deleted = purge_expired()
    if deleted:
        logger.info("purged %d expired idempotency keys", deleted)
    return deleted
