"""Prometheus metrics: requests (middleware), Celery tasks (signals), and the state of the
deadlines and the outbox, computed from the database at scrape time.

* ``digisos_http_requests_total{view,method,status}``, ``digisos_http_request_duration_seconds{view,method}``:
  by the resolved view name (``calloffs:create``, ``api_v1:calloff-list``), never the raw path
  (unbounded label values).
* ``digisos_celery_task_queue_seconds{task}``: published → started (the header
  ``digisos_sent_at`` set at publish), ``digisos_celery_task_duration_seconds{task,state}``: run time,
  ``digisos_celery_tasks_total{task,state}``.
* At scrape time (one short query each), collected through the apps that own the tables
  (``register_state_source``): calloffs/metrics.py (``digisos_notifications_pending{channel}``,
  ``digisos_notification_oldest_pending_seconds``, ``digisos_offers_overdue{drill}`` (open past
  respond-by: the sweep is behind), ``digisos_offer_overdue_max_seconds``,
  ``digisos_sla_milestones_overdue{milestone,drill}``, ``digisos_calloffs{state,drill}``,
  ``digisos_deadline_sweep_age_seconds``), incidents/metrics.py (``digisos_incidents{status,drill}``,
  ``digisos_reporting_obligations_overdue{kind}``); ``drill`` is "true" for drills (Übungen), which
  run the real path and so count in these operational figures, apart from the real ones;
  here: ``digisos_worker_heartbeat_age_seconds``.

Several processes (gunicorn workers, prefork children): set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty directory before the start; prometheus_client then writes each process's values to files
there and a scrape adds them up (its multiprocess mode). A Celery worker exposes its own
metrics with ``METRICS_WORKER_PORT`` (see docs/OPERATIONS.md).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from celery import signals as celery_signals
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)
SENT_AT_HEADER = "digisos_sent_at"

REQUESTS = Counter("digisos_http_requests", "HTTP requests by view, method and status", ["view", "method", "status"])
REQUEST_SECONDS = Histogram(
    "digisos_http_request_duration_seconds", "Time to answer a request", ["view", "method"], buckets=LATENCY_BUCKETS
)
TASKS = Counter("digisos_celery_tasks", "Celery tasks run, by final state", ["task", "state"])
TASK_SECONDS = Histogram(
    "digisos_celery_task_duration_seconds", "Run time of a Celery task", ["task", "state"], buckets=TASK_BUCKETS
)
TASK_QUEUE_SECONDS = Histogram(
    "digisos_celery_task_queue_seconds", "Published → started (time spent in the queue)", ["task"], buckets=TASK_BUCKETS
)


# --- Requests -------------------------------------------------------------------------------------


class MetricsMiddleware:
    """Counts and times every request by its view name. First in MIDDLEWARE: it times them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unresolved"
        method = request.method if request.method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD") else "other"
        REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response


# --- Celery ---------------------------------------------------------------------------------------

_started: dict[str, tuple[float, str]] = {}


@celery_signals.before_task_publish.connect(weak=False)
def _stamp_publish(headers=None, **kwargs):
    if headers is not None:
        headers.setdefault(SENT_AT_HEADER, time.time())


@celery_signals.task_prerun.connect(weak=False)
def _task_started(task_id=None, task=None, **kwargs):
    name = getattr(task, "name", "unknown")
    _started[task_id] = (time.perf_counter(), name)
    sent_at = getattr(task.request, SENT_AT_HEADER, None) if task is not None else None
    if sent_at is None and task is not None:
        sent_at = (getattr(task.request, "headers", None) or {}).get(SENT_AT_HEADER)
    if sent_at:
        with contextlib.suppress(TypeError, ValueError):
            TASK_QUEUE_SECONDS.labels(name).observe(max(0.0, time.time() - float(sent_at)))


@celery_signals.task_postrun.connect(weak=False)
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is None:
        return
    at, name = started
    state = state or "UNKNOWN"
    TASK_SECONDS.labels(name, state).observe(time.perf_counter() - at)
    TASKS.labels(name, state).inc()


@celery_signals.worker_ready.connect(weak=False)
def _worker_exporter(**kwargs):
    """With METRICS_WORKER_PORT, the worker serves its own /metrics (loopback unless METRICS_WORKER_ADDR)."""
    port = os.environ.get("METRICS_WORKER_PORT")
    if not port:
        return
    from prometheus_client import start_http_server

    registry = None
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    addr = os.environ.get("METRICS_WORKER_ADDR", "127.0.0.1")
    start_http_server(int(port), addr=addr, **({"registry": registry} if registry else {}))
    logger.info("worker metrics on %s:%s", addr, port)


# --- State, at scrape time ------------------------------------------------------------------------


def _age_seconds(iso: str | None, now: datetime) -> float | None:
    if not iso:
        return None
    try:
        return max(0.0, (now - datetime.fromisoformat(iso)).total_seconds())
    except ValueError:
        return None


#: The apps' figures at scrape time: each app registers one function ``source(now)`` that yields
#: prometheus metric families from its own tables (calloffs/metrics.py, incidents/metrics.py, filled in
#: their AppConfig.ready). This package knows no app's tables.
_STATE_SOURCES: list[Callable[[datetime], Iterable]] = []


def register_state_source(source: Callable[[datetime], Iterable]) -> None:
    """Add an app's scrape-time figures (idempotent: ready() may run more than once in tests)."""
    if source not in _STATE_SOURCES:
        _STATE_SOURCES.append(source)


def age_gauge(name: str, text: str, iso: str | None, now: datetime) -> GaugeMetricFamily:
    """Seconds since an ISO time stamp kept in the cache (-1: never)."""
    age = _age_seconds(iso, now)
    return GaugeMetricFamily(name, text, value=-1.0 if age is None else age)


class StateCollector:
    """Gauges read from the database and the cache when Prometheus scrapes (never stale)."""

    def describe(self):
        return []

    def collect(self):
        from django.core.cache import cache
        from django.utils import timezone

        from .tasks import HEARTBEAT_CACHE_KEY

        now = timezone.now()
        for source in list(_STATE_SOURCES):
            yield from source(now)
        try:
            beat = cache.get(HEARTBEAT_CACHE_KEY)
        except Exception:  # noqa: BLE001 - the cache may be down; say so with -1
            beat = None
        yield age_gauge(
            "digisos_worker_heartbeat_age_seconds", "Seconds since the last worker heartbeat (-1: never)", beat, now
        )


def render_metrics() -> tuple[bytes, str]:
    """The exposition: this process's (or, in multiprocess mode, all processes') metrics plus the state."""
    registry = CollectorRegistry()
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        for collector in (REQUESTS, REQUEST_SECONDS, TASKS, TASK_SECONDS, TASK_QUEUE_SECONDS):
            registry.register(_Forward(collector, REGISTRY))
    registry.register(StateCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward:
    """Adds one collector of the default registry to a scrape registry without re-registering it."""

    def __init__(self, collector, _registry):
        self.collector = collector

    def collect(self):
        return self.collector.collect()

    def describe(self):
        return []


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False
