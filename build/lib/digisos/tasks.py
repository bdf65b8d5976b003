"""Project-wide housekeeping tasks."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "digisos:celery:heartbeat"


@shared_task(name="digisos.tasks.heartbeat")
def heartbeat() -> str:
    """Record that a worker ran a task that beat scheduled; the health endpoint reports its age."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now
