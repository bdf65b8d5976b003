"""Bad days, on a real Redis and a real Celery worker and beat (subprocesses), with the worker on
the same PostgreSQL test database as the test and a local HTTP receiver for the webhooks:

1. Redis is stopped while call-offs are filed → every notification is delivered once it is back.
2. The worker is killed with SIGKILL in the middle of a delivery → delivered after the restart,
   with the same ``webhook-id``.
3. The provider's endpoint answers 500 → retried on schedule, every attempt logged, the
   ministry alerted past the threshold.

Each test starts from a throwaway ``redis-server`` on a free port (the shared one on 6379 is
never touched).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.conf import settings

from calloffs.models import (
    AlertKind,
    MinistryAlert,
)
from notifications import services as outbox
from notifications.models import Channel, DeliveryAttempt, Notification, NotificationState, WebhookEndpoint, source_of
from tests.calloffs.receiver import Receiver

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Stack:
    """Celery worker and beat as subprocesses, on the throwaway Redis and the test database."""

    def __init__(self, redis: ThrowawayRedis, tmp: Path, **env):
        db = settings.DATABASES["default"]
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        database_url = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_URL", "CACHE_URL"))}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "digisos.settings.base",
                "DEBUG": "1",
                "SECRET_KEY": "bad-days-test-secret-key-0123456789abcdef0123456789",
                "DATABASE_URL": database_url,
                "CELERY_BROKER_URL": f"{redis.url}/0",
                "CACHE_URL": f"{redis.url}/1",
                "DIGISOS_VAR_DIR": str(tmp),
                "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
                "WEBHOOK_REQUIRE_HTTPS": "0",
                "WEBHOOK_TIMEOUT_SECONDS": "5",
                "NOTIFICATION_LEASE_SECONDS": "7",
                "NOTIFICATION_SWEEP_SECONDS": "1",
                "NOTIFICATION_REQUEUE_SECONDS": "2",
                "CELERY_HEARTBEAT_SECONDS": "3600",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "LOG_LEVEL": "INFO",
            }
        )
        self.env.update(env)
        self.tmp = tmp
        self.worker = self.beat = None
        self.logs: list[Path] = []

    def _start(self, *args, name: str):
        log = self.tmp / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "digisos", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.worker = self._start("worker", "--pool=solo", "-Q", "celery,timers", "-n", "bad-days@%h", name="worker")

    def start_beat(self) -> None:
        self.beat = self._start("beat", "--schedule", str(self.tmp / "beat-schedule"), name="beat")

    def kill_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def stop(self) -> None:
        for proc in (self.beat, self.worker):
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.beat, self.worker):
            if proc:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.logs if log.exists())


@pytest.fixture
def redis(tmp_path):
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis, monkeypatch):
    """The test process (the web process of these stories) publishes to the throwaway Redis too."""
    app = Celery("digisos-bad-days", set_as_current=False)
    # broker_write_url: CELERY_BROKER_URL in the environment would win over broker_url.
    app.conf.broker_write_url = f"{redis.url}/0"
    app.conf.broker_connection_timeout = 2
    monkeypatch.setattr(current_app, "send_task", app.send_task)
    # The outbox publishes a write's rows through one producer of its own (enqueue_deliveries).
    monkeypatch.setattr(current_app, "producer_or_acquire", app.producer_or_acquire)
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    yield redis
    app.close()


@pytest.fixture
def make_stack(broker, tmp_path):
    made = []

    def make(**env) -> Stack:
        made.append(Stack(broker, tmp_path, **env))
        return made[-1]

    yield make
    for s in made:
        s.stop()


@pytest.fixture
def receiver_factory():
    made = []

    def make(behaviour=None):
        r = Receiver(behaviour)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def wait_until(predicate, timeout: float, stack: Stack, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for proc in (stack.worker, stack.beat):
            assert proc is None or proc.poll() is None, f"celery died\n{stack.output()}"
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}\n{stack.output()}")


def states() -> dict[str, int]:
    out: dict[str, int] = {}
    for state in Notification.objects.values_list("state", flat=True):
        out[state] = out.get(state, 0) + 1
    return out


def test_redis_down_while_filing_loses_nothing(setup, file_calloff, make_stack, broker, receiver_factory):
    stack = make_stack()
    receiver = receiver_factory()
    WebhookEndpoint.objects.create(owner=setup.providers[0], url=receiver.url)
    stack.start_worker()
    stack.start_beat()

    broker.stop()
    started = time.monotonic()
    calloffs = [file_calloff() for _ in range(3)]
    assert time.monotonic() - started < 10, "filing must not hang while Redis is down"
    assert Notification.objects.filter(queued_at__isnull=True).count() == Notification.objects.count() == 6

    broker.start()
    wait_until(
        lambda: Notification.objects.exclude(state=NotificationState.DELIVERED).count() == 0,
        45,
        stack,
        "every notification delivered after Redis came back",
    )
    hooks = Notification.objects.filter(channel=Channel.WEBHOOK)
    received = {r["headers"]["webhook-id"] for r in receiver.wait_for(3)}
    assert received == set(hooks.values_list("webhook_id", flat=True))
    numbers = {r["body"].decode() for r in receiver.requests}
    assert all(any(c.number in body for body in numbers) for c in calloffs)


def test_a_worker_killed_mid_delivery_delivers_after_restart_with_the_same_id(
    setup, file_calloff, make_stack, receiver_factory
):
    stack = make_stack(WEBHOOK_TIMEOUT_SECONDS="5", NOTIFICATION_LEASE_SECONDS="7")
    # The first request hangs (the worker is killed while waiting); later ones are answered at once.
    receiver = receiver_factory(lambda n: (200, 30.0) if n == 0 else (200, 0.0))
    WebhookEndpoint.objects.create(owner=setup.providers[0], url=receiver.url)
    stack.start_beat()
    stack.start_worker()

    calloff = file_calloff()
    row = Notification.objects.get(calloff=calloff, channel=Channel.WEBHOOK)
    receiver.wait_for(1, timeout=30)
    assert Notification.objects.get(pk=row.pk).state == NotificationState.DELIVERING
    stack.kill_worker()

    stack.start_worker()
    wait_until(
        lambda: Notification.objects.get(pk=row.pk).state == NotificationState.DELIVERED,
        40,
        stack,
        "the interrupted webhook delivered after the restart",
    )
    requests = receiver.wait_for(2)
    assert {r["headers"]["webhook-id"] for r in requests} == {row.webhook_id}
    log = list(DeliveryAttempt.objects.filter(notification=row).order_by("number", "at"))
    assert [(a.number, a.ok) for a in log] == [(1, False), (2, True)]
    assert "Worker" in log[0].error


def test_an_endpoint_answering_500_is_retried_on_schedule_and_logged(
    setup, file_calloff, make_stack, receiver_factory, ministry
):
    stack = make_stack(NOTIFICATION_ALERT_AFTER_ATTEMPTS="1")
    receiver = receiver_factory(lambda n: (500, 0.0) if n == 0 else (200, 0.0))
    WebhookEndpoint.objects.create(owner=setup.providers[0], url=receiver.url)
    stack.start_worker()
    stack.start_beat()

    calloff = file_calloff()
    row = Notification.objects.get(calloff=calloff, channel=Channel.WEBHOOK)
    wait_until(
        lambda: Notification.objects.get(pk=row.pk).state == NotificationState.DELIVERED,
        40,
        stack,
        "the webhook delivered on its second attempt",
    )
    first, second = receiver.wait_for(2)
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == row.webhook_id
    assert first["headers"]["webhook-timestamp"] <= second["headers"]["webhook-timestamp"]
    gap = second["at"] - first["at"]
    assert 3.5 <= gap <= 9, gap  # 5 s ± 20 %, plus the worker's latency
    log = list(DeliveryAttempt.objects.filter(notification=row).order_by("number"))
    assert [(a.number, a.ok, a.status_code) for a in log] == [(1, False, 500), (2, True, 200)]
    alert = MinistryAlert.objects.get(kind=AlertKind.DELIVERY_FAILING, calloff=calloff)
    assert "HTTP 500" in alert.message
    wait_until(
        lambda: Notification.objects.get(source=source_of(alert)).state == NotificationState.DELIVERED,
        15,
        stack,
        "the ministry's e-mail about the failing endpoint",
    )
