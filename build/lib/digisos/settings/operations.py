"""Operations: readiness, Prometheus metrics, the outage page. See .env.example and docs/OPERATIONS.md."""

from .parsers import env_int, env_list, env_str

# /ready/ answers 503 when the last deadline sweep is older than this (the SLA timers are not running).
READY_MAX_SWEEP_AGE_SECONDS = env_int("READY_MAX_SWEEP_AGE_SECONDS", 60, minimum=5)

# /metrics (Prometheus text format): from loopback addresses, or with "Authorization: Bearer <METRICS_TOKEN>".
# Empty: loopback only. With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (prometheus_client's
# multiprocess mode; an empty directory, wiped before the start).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# Shown on the 503 page when the database is down and the cached provider hotlines are missing as well:
# comma-separated "Name: number" entries, e.g. "P1 Cyberabwehr: +49 211 5550100".
OUTAGE_HOTLINES = env_list("OUTAGE_HOTLINES", [])
