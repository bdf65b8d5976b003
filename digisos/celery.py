"""The Celery application (worker and beat): `celery -A digisos worker|beat`."""

import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.base")

app = Celery("digisos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(sender=None, **kwargs):
    """What Django does at each request's start and end, at each task's: close connections that
    broke or are older than CONN_MAX_AGE, and have the next use check the connection first
    (CONN_HEALTH_CHECKS). Celery's own fix-up closes every connection only every
    CELERY_DB_REUSE_MAX tasks (settings/celery.py)."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    close_old_connections()


from . import metrics  # noqa: E402,F401  (task signals: latency and run time for /metrics)
