"""Reminders of the legal reporting deadlines, on the database-backed timer pattern (STYLE.md §4).

A beat task sweeps due reminders every minute. Each row is claimed with
``select_for_update(skip_locked=True)`` and flipped by compare-and-set, so two sweepers never
remind twice; the sweep is the truth, nothing depends on a broker-held ETA.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .services import obligations_remind_due

logger = logging.getLogger(__name__)
LAST_SWEEP_KEY = "digisos:incidents:obligation_sweep"


@shared_task(name="incidents.tasks.sweep_obligation_reminders")
def sweep_obligation_reminders() -> int:
    reminded = obligations_remind_due(now=timezone.now())
    cache.set(LAST_SWEEP_KEY, timezone.now().isoformat(), timeout=None)
    if reminded:
        logger.info("reminded %d reporting obligations", reminded)
    return reminded
