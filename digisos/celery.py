"""The Celery application (worker and beat): `celery -A digisos worker|beat`."""

import gc
import os

from celery import signals
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.dispatch import receiver

from .celery_send import DigisosCelery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.base")

app = DigisosCelery("digisos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@receiver(setting_changed)
def _forget_kept_sends(**kwargs):
    """A setting changed (override_settings): what send_task kept per task name is worked out again."""
    app.forget_kept_sends()


def _django_settings_snapshot() -> dict:
    """Django's settings (the upper-case names: all a setting can be called) as a plain dict."""
    from django.conf import settings

    return {name: getattr(settings, name) for name in dir(settings) if name.isupper()}


@app.on_after_configure.connect
def _read_settings_from_a_dict(sender=None, source=None, **kwargs):
    """Celery reads its settings through a view of django.conf.settings (DictAttribute: a getattr per
    probe, an AttributeError for each of the two or three names it tries per setting); publishing a
    task reads about twenty of them: issue 19 measured a quarter of send_task's CPU in those lookups.
    The view is replaced by a dict of the same settings, in the same place of the chain (what the
    app sets itself, e.g. a worker's command line, still comes first), and filled again whenever a
    setting changes (override_settings sends setting_changed)."""
    from celery.utils.collections import DictAttribute
    from django.conf import settings
    from django.core.signals import setting_changed

    conf = source if source is not None else sender.conf
    for position, mapping in enumerate(conf.maps):
        if isinstance(mapping, DictAttribute) and mapping.obj is settings:
            snapshot = _django_settings_snapshot()
            conf.maps[position] = snapshot
            break
    else:
        return

    def refresh(**changed):
        snapshot.clear()
        snapshot.update(_django_settings_snapshot())

    setting_changed.connect(refresh, weak=False, dispatch_uid="digisos.celery.settings_snapshot")


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
