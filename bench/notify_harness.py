"""Shared plumbing of the notification benchmarks (bench/webhook_latency.py, bench/expiry_lateness.py):
a throwaway Redis, a fresh PostgreSQL database, Celery worker and beat subprocesses, a local
webhook receiver, percentiles, and writing a section of docs/BENCHMARKS.md."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(tmp: Path) -> tuple[subprocess.Popen, int]:
    """A throwaway Redis on a free port, or on BENCH_REDIS_PORT (a port reserved for this user)."""
    port = int(os.environ.get("BENCH_REDIS_PORT") or 0) or free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def fresh_database(url: str) -> None:
    """Drop and create the database named in ``url`` (PostgreSQL)."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    # A database of one's own that is not called digisos_bench* may be named in BENCH_DROP_DATABASE.
    allowed = name.startswith("digisos_bench") or name == os.environ.get("BENCH_DROP_DATABASE")
    assert allowed, f"refusing to drop {name!r}: not a bench database"
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def configure_env(*, database_url: str, redis_port: int, tmp: Path, **extra: str) -> dict[str, str]:
    """Environment of this process (the 'web' side) and of the Celery subprocesses."""
    env = {
        "DJANGO_SETTINGS_MODULE": "digisos.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789abcdef",
        "AUDIT_KEY": "bench-only:bench-only-audit-key-0123456789abcdef0123456789",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "DIGISOS_VAR_DIR": str(tmp),
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "CELERY_HEARTBEAT_SECONDS": "3600",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    os.environ.update(env)
    return dict(os.environ)


class Celery:
    def __init__(self, env: dict[str, str], tmp: Path):
        self.env, self.tmp, self.procs = env, tmp, []

    def start(self, *args: str, name: str) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "digisos", *args, "--loglevel=WARNING"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def worker(self, concurrency: int, *, include: str | None = None, queues: str = "celery,timers", name="w"):
        args = ["worker", f"--concurrency={concurrency}", "-Q", queues, "-n", f"{name}@%h", "--without-mingle"]
        if include:
            args += ["--include", include]
        return self.start(*args, name=f"worker-{name}")

    def beat(self):
        return self.start("beat", "--schedule", str(self.tmp / "beat-schedule"), name="beat")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


class Receiver:
    """Records the arrival time (time.time()) of every POST, keyed by its webhook-id."""

    def __init__(self):
        self.arrivals: dict[str, tuple[float, bytes, dict]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                at = time.time()
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                key = self.headers.get("webhook-id") or self.headers.get("x-bench-id") or str(at)
                with receiver.lock:
                    receiver.arrivals.setdefault(key, (at, body, dict(self.headers)))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def wait_for(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.02)
        return False

    def close(self):
        self.server.shutdown()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(percentile(values, 50) * 1000, 1),
        "p90": round(percentile(values, 90) * 1000, 1),
        "p99": round(percentile(values, 99) * 1000, 1),
        "max": round(max(values) * 1000, 1) if values else float("nan"),
    }


def machine() -> str:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()[:12]
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()
    versions = []
    for cmd in (["redis-server", "--version"], ["psql", "--version"]):
        with contextlib.suppress(OSError):
            versions.append(subprocess.run(cmd, capture_output=True, text=True).stdout.strip())
    return "\n".join(
        [
            f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- host: {platform.node()}, {platform.platform()}, Python {platform.python_version()}",
            f"- nproc: {nproc}; load average at the start (other jobs share this machine): "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
            *(f"- {v}" for v in versions),
            "- lscpu | head:",
            "",
            "```",
            *cpu,
            "```",
        ]
    )


def seed_bench_contract(*, reference: str, providers: int = 1):
    """What the notification benchmarks file against: an active contract (SLA terms, one module, a
    ceiling no run reaches), ``providers`` providers ranked 1…n, one eligible body and a user."""
    from datetime import timedelta
    from decimal import Decimal
    from types import SimpleNamespace

    from django.utils import timezone

    from calloffs.models import (
        ContractStatus,
        FrameworkContract,
        Priority,
        Provider,
        ProviderRank,
        RankingVersion,
        ServiceModule,
        SLATerm,
    )
    from tenants.models import Organisation, OrganisationKind, User

    today = timezone.localdate()
    contract = FrameworkContract.objects.create(
        reference=reference,
        title="Bench",
        contracting_authority="Ministerium",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=365),
        estimated_value=Decimal("900000000"),
        ceiling=Decimal("1000000000"),
        status=ContractStatus.ACTIVE,
    )
    for priority in Priority.values:
        SLATerm.objects.create(
            contract=contract,
            priority=priority,
            accept_minutes=15,
            callback_minutes=30,
            remote_start_minutes=60,
            onsite_minutes=240,
        )
    module = ServiceModule.objects.create(contract=contract, code="IR", name="Remote", price=Decimal("200"))
    version = RankingVersion.objects.create(contract=contract, number=1)
    ranked = []
    for rank in range(1, providers + 1):
        provider = Provider.objects.create(
            legal_name=f"Bench {rank} GmbH",
            short_name=f"B{rank}",
            hotline="+49 211 555000",
            email=f"hotline{rank}@bench.example",
            capacity=30000,
        )
        ProviderRank.objects.create(version=version, provider=provider, rank=rank)
        ranked.append(provider)
    body = Organisation.objects.create(
        source_key="bench-body",
        name="Stadt Bench",
        kind=OrganisationKind.KREISFREIE_STADT,
        ags="05315000",
        regierungsbezirk="Köln",
        eligible_from=today - timedelta(days=365),
    )
    user = User.objects.create_user(email="caller@bench.example", password="bench-password-123")  # noqa: S106
    return SimpleNamespace(contract=contract, version=version, module=module, providers=ranked, body=body, user=user)


def write_section(path: Path, name: str, text: str) -> None:
    """Replace (or append) the section between the markers of ``name`` in ``path``."""
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    block = f"{start}\n{text.rstrip()}\n{end}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in old and end in old:
        new = re.sub(re.escape(start) + r".*?" + re.escape(end) + r"\n?", lambda _m: block, old, flags=re.S)
    else:
        new = old.rstrip() + "\n\n" + block
    path.write_text(new, encoding="utf-8")


def dump(obj) -> str:
    return json.dumps(obj, indent=2, default=str)
