"""The six-monthly review reminder, on the database-backed timer pattern (STYLE.md §4): a beat task
sweeps the profiles due for review; the row's ``review_reminded_for`` is the truth, so the sweep can
run as often as it likes and twice at once without reminding twice."""

from __future__ import annotations

import logging

from celery import shared_task

from .services import readiness_reviews_remind

logger = logging.getLogger(__name__)
#: Profiles reminded per transaction; the sweep goes on until a batch comes back short.
BATCH = 100


@shared_task(name="readiness.tasks.remind_reviews")
def remind_reviews() -> int:
    total = 0
    while True:
        reminded = readiness_reviews_remind(batch=BATCH)
        total += reminded
        if reminded < BATCH:
            break
    if total:
        logger.info("reminded %d bodies to review their readiness profile", total)
    return total
