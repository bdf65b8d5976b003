"""Celery: Redis in production; an embedded filesystem broker that needs no server otherwise."""

from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from .parsers import env_int, env_str
from .paths import VAR_DIR as _var_dir

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "filesystem://", "memory://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: use redis://…, or filesystem:// for the embedded broker"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = _var_dir / "celery" / "broker"
    # The filesystem transport needs its folders; create them so a fresh checkout just works.
    for _folder in (_broker_dir, _var_dir / "celery" / "processed", _var_dir / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_var_dir / "celery" / "processed"),
        "control_folder": str(_var_dir / "celery" / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}

# Celery's Django fix-up closes the database connection before and after every task unless this is
# set: on a mass-incident day that was a new PostgreSQL backend per delivery, thousands a minute,
# and more of the server's CPU than all queries together (docs/BENCHMARKS.md). With it, connections
# are kept; digisos/celery.py closes broken and CONN_MAX_AGE-old ones around each task, as Django
# does around each request.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_BEAT_SCHEDULE_FILENAME = str(_var_dir / "celerybeat-schedule")
# Two queues, both consumed by a plain `celery worker`: the SLA timers never wait behind a
# backlog of deliveries (kombu polls the queues in turn). Run `worker -Q timers` for a dedicated one.
CELERY_TASK_DEFAULT_QUEUE = "celery"
# PDF rendering (hundreds of CPU-heavy jobs on a mass-incident day) has a queue of its own, so that
# deliveries never wait behind it; run a dedicated, lower-priority worker for it under load
# (`nice celery -A digisos worker -Q documents`, docs/OPERATIONS.md; bench/load_mass_incident.py).
CELERY_TASK_QUEUES = (Queue("celery"), Queue("timers"), Queue("documents"))
CELERY_TASK_ROUTES = {
    "calloffs.tasks.sweep.*": {"queue": "timers"},
    "calloffs.tasks.audit.*": {"queue": "timers"},
    "notifications.tasks.sweep_outbox": {"queue": "timers"},
    "calloffs.render_calloff_document": {"queue": "documents"},
}
# Publishing must not block a request for long when the broker is down (the outbox catches up).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2, minimum=1)
_sweep_seconds = float(env_int("NOTIFICATION_SWEEP_SECONDS", 10, minimum=1))
CELERY_BEAT_SCHEDULE = {
    # The database is the truth about deadlines and deliveries (STYLE.md §4); these sweeps act on it.
    # `expires`: a sweep that waited longer than its interval is dropped, the next one does the work.
    "calloffs-deadlines": {
        "task": "calloffs.tasks.sweep.sweep_deadlines",
        "schedule": 1.0,
        "options": {"expires": 5},
    },
    "notifications-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": _sweep_seconds,
        "options": {"expires": _sweep_seconds * 2},
    },
    "calloffs-audit": {"task": "calloffs.tasks.audit.audit_timers", "schedule": 30.0, "options": {"expires": 60}},
    "calloffs-documents": {"task": "calloffs.sweep_stale_documents", "schedule": 300.0, "options": {"expires": 240}},
    "heartbeat": {
        "task": "digisos.tasks.heartbeat",
        "schedule": float(env_int("CELERY_HEARTBEAT_SECONDS", 30, minimum=1)),
    },
    "obligation-reminders": {"task": "incidents.tasks.sweep_obligation_reminders", "schedule": 60.0},
    # Due dates are days: a sweep every five minutes reminds in time (idempotent by its stamps).
    "measure-reminders": {
        "task": "aftercare.tasks.sweep_measure_reminders",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Six-monthly review of the readiness profiles: due reminders once an hour (each sent once).
    "readiness-review-reminders": {
        "task": "readiness.tasks.remind_reviews",
        "schedule": 3600.0,
        "options": {"expires": 1800},
    },
    "api-idempotency-purge": {
        "task": "calloffs.tasks.api_housekeeping.purge_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 1800},
    },
}
