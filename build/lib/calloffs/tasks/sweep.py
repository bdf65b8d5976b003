"""The beat-driven deadline sweep, every second (STYLE.md §4); the outbox sweep is notifications.tasks."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..services.sla import deadlines_sweep

logger = logging.getLogger(__name__)

LAST_DEADLINE_SWEEP_KEY = "digisos:calloffs:deadline_sweep"
SWEEP_SLOT_KEY = "digisos:calloffs:deadline_sweep_slot"
#: A slot lock outlives a sweep's time budget (5 s) by a little; if its worker dies mid-sweep, the
#: slot frees itself within seconds. (It was 60 s: a worker killed mid-sweep held that share's
#: deadlines back for a minute, caught by the worker-kill drill.) An overlap is harmless: every
#: action re-checks its deadline under a row lock.
SWEEP_SLOT_TTL = 8


def _mark_swept() -> None:
    cache.set(LAST_DEADLINE_SWEEP_KEY, timezone.now().isoformat(), timeout=None)


@shared_task(name="calloffs.tasks.sweep.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    """Expire offers past their respond-by, record SLA breaches; note the time for /health/.

    Beat sends one every second. The call-offs are split into DEADLINE_SWEEP_SLOTS shares; a
    sweep works through every share whose slot (a short cache lock) is free, so a lone sweep
    covers all of them and parallel sweeps split a backlog instead of racing through the same
    rows. The locks only spread the work: every action re-checks its deadline under a row lock,
    so an overlap (or a cache that is down) never acts twice.
    """
    slots = settings.DEADLINE_SWEEP_SLOTS
    total = {"expired": 0, "breaches": 0}
    first = int(time.time()) % slots
    for slot in [(first + i) % slots for i in range(slots)]:
        key = f"{SWEEP_SLOT_KEY}:{slot}"
        try:
            free = cache.add(key, "1", timeout=SWEEP_SLOT_TTL)
        except Exception:  # noqa: BLE001 - no cache, no coordination: sweep anyway (still exactly once)
            logger.warning("deadline sweep: cache unavailable, sweeping without a slot")
            free, key = True, None
        if not free:
            continue  # another sweep is on this share right now
        try:
            done = deadlines_sweep(slot=slot, slots=slots, on_batch=_mark_swept)
        finally:
            if key:
                cache.delete(key)
        for name, count in done.items():
            total[name] += count
    _mark_swept()
    if any(total.values()):
        logger.info("deadline sweep: %s", total)
    return total
