"""The Celery application (worker and beat): `celery -A digisos worker|beat`."""

import gc
import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.base")

app = Celery("digisos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


_in_worker = False


@signals.worker_init.connect
def _mark_worker(**kwargs):
    # Fired in the worker's main process before its pool forks: the children inherit the flag.
    global _in_worker
    _in_worker = True


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(sender=None, **kwargs):
    """What Django does at each request's start and end, at each task's: close connections that
    broke or are older than CONN_MAX_AGE, and have the next use check the connection first
    (CONN_HEALTH_CHECKS). Celery's own fix-up closes every connection only every
    CELERY_DB_REUSE_MAX tasks (settings/celery.py)."""
    if not _in_worker or (sender is not None and getattr(sender.request, "is_eager", False)):
        return  # a web process or a test running a task in place: its connection is not ours to close
    close_old_connections()


_frozen_pid = None


@signals.task_postrun.connect
def _freeze_after_first_task(**kwargs):
    """After a worker process's first task, what it imported and cached by then (Django, WeasyPrint and its
    fonts, the compiled templates) moves out of the garbage collector's sight (gc.freeze): a full collection
    would otherwise walk these long-lived objects again and again. Measured on the order PDF: mean render
    CPU −7 %, and most of its p99 spikes (docs/BENCHMARKS.md, issue 19). Once per process (a fork's pid)."""
    global _frozen_pid
    if not _in_worker or _frozen_pid == os.getpid():
        return
    _frozen_pid = os.getpid()
    gc.collect()  # the first task's garbage is collected, not frozen
    gc.freeze()


from . import metrics  # noqa: E402,F401  (task signals: latency and run time for /metrics)
