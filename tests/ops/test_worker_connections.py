"""A Celery worker keeps its PostgreSQL connection between tasks. Celery's Django fix-up closes it
before and after every task unless CELERY_DB_REUSE_MAX is set; on a mass-incident day that was a
new server backend per delivery, which cost PostgreSQL more CPU than all the queries together."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def sessions_opened(database: str) -> int:
    """Connections ever opened to ``database`` (PostgreSQL's statistics, PostgreSQL 14+)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [database])
        return cursor.fetchone()[0]


def test_a_worker_runs_many_database_tasks_on_few_connections(tmp_path):
    import redis

    database = connection.settings_dict["NAME"]
    url = f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
    url += f"{connection.settings_dict['PORT'] or 5432}/{database}"
    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/11"
    redis.Redis.from_url(broker).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digisos.settings.base",
        "DEBUG": "1",
        "DIGISOS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": "locmem",
    }
    # The deadline sweep runs every second and reads the database each time.
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "digisos", "worker", "--pool=solo", "-B", "-Q", "celery,timers",
         "--schedule", str(tmp_path / "beat-schedule"), "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        before = sessions_opened(database)
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            lines.append(line)
            if sum("sweep_deadlines" in seen and "succeeded" in seen for seen in lines) >= 10:
                break
            assert worker.poll() is None, "".join(lines)
        else:
            pytest.fail("the worker did not run 10 deadline sweeps within 60 s:\n" + "".join(lines[-40:]))
        opened = sessions_opened(database) - before
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    # Ten tasks on one connection (plus beat's and a spare); without reuse it was one per task.
    assert opened <= 4, f"{opened} connections for 10 tasks"
