"""A real Celery worker and beat start in both modes and run a task that beat scheduled."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

from digisos.tasks import HEARTBEAT_CACHE_KEY

ROOT = Path(settings.BASE_DIR)


def _start(args, env):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "digisos", *args, "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _run_worker_and_beat(env, cache, tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    base.update(
        {
            "DJANGO_SETTINGS_MODULE": "digisos.settings.base",
            "DEBUG": "1",
            "DIGISOS_VAR_DIR": str(tmp_path),
            "CELERY_HEARTBEAT_SECONDS": "1",
        }
    )
    base.update(env)
    worker = _start(["worker", "--pool=solo"], base)
    beat = _start(["beat", "--schedule", str(tmp_path / "beat-schedule")], base)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if cache.get(HEARTBEAT_CACHE_KEY):
                return cache.get(HEARTBEAT_CACHE_KEY)
            assert worker.poll() is None, worker.stdout.read()
            assert beat.poll() is None, beat.stdout.read()
            time.sleep(0.5)
        pytest.fail("no heartbeat within 60 s")
    finally:
        for proc in (beat, worker):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in (beat, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_worker_and_beat_on_the_embedded_broker(tmp_path):
    cache = FileBasedCache(str(tmp_path / "cache"), {})
    stamp = _run_worker_and_beat({"CELERY_BROKER_URL": "filesystem://", "CACHE_URL": "file"}, cache, tmp_path)
    assert stamp.startswith("20")


@pytest.mark.redis
def test_worker_and_beat_on_redis(tmp_path):
    # A Redis database of its own: the rest of the suite leaves tasks queued on the shared broker
    # database, which this worker must not have to chew through first.
    import redis

    base = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    broker, cache_url = base + "/12", base + "/13"
    redis.Redis.from_url(broker).flushdb()
    cache = RedisCache(cache_url, {})
    cache.delete(HEARTBEAT_CACHE_KEY)
    stamp = _run_worker_and_beat({"CELERY_BROKER_URL": broker, "CACHE_URL": cache_url}, cache, tmp_path)
    assert stamp.startswith("20")
    cache.delete(HEARTBEAT_CACHE_KEY)
