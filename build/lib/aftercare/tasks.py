"""Reminders of the measures' due dates, on the database-backed timer pattern (STYLE.md §4): a beat
task sweeps every few minutes; each measure's stamp is flipped by compare-and-set in the transaction
that writes its messages into the outbox, so two sweepers never remind twice and nothing depends on
a broker-held ETA."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .remediation.services import measures_remind_due

logger = logging.getLogger(__name__)
LAST_SWEEP_KEY = "digisos:aftercare:measure_sweep"


@shared_task(name="aftercare.tasks.sweep_measure_reminders")
def sweep_measure_reminders() -> int:
    reminded = measures_remind_due(now=timezone.now())
    cache.set(LAST_SWEEP_KEY, timezone.now().isoformat(), timeout=None)
    if reminded:
        logger.info("reminded %d measures", reminded)
    return reminded
