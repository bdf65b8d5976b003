"""Benchmark of the provider API under gunicorn on PostgreSQL, beside a bare DRF view measured
in the same run on the same stack.

    .venv/bin/python bench/api_throughput.py [--duration 10] [--concurrency 8] [--accepts 400]
                                             [--workers 4] [--write docs/BENCHMARKS.md]

1. Creates its own database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/digisos_bench_api; dropped and recreated), migrates it.
2. Seeds (through the services, as in production): one body, the contract with SLA terms and a
   ranking of two providers; 50 call-offs offered to P1 (the list) and ``--accepts`` call-offs
   that P1 declined, so that each is offered to P2 (the accept pool: every accept needs an offer
   of its own, so each call-off is accepted exactly once and nothing is measured twice).
3. Counts the SQL queries of GET /api/v1/calloffs/ at page sizes 5 and 50 (in process).
4. Starts gunicorn (sync workers, DEBUG off, bench/api_bench_settings.py) and measures, with
   ``--concurrency`` client threads and a new connection per request:
   * bare:   GET /bench/bare/ (a DRF APIView without auth, DB or throttle; only in the bench URLs)
   * bare list: GET /bench/bare-list/ (a plain DRF ListAPIView of the same 50 call-offs)
   * list:   GET /api/v1/calloffs/?page_size=50 with P1's key (50 items)
   * accept: POST /api/v1/calloffs/{id}/accept/ with P2's key, each id once
   Reports requests per second and p50/p99 latency. GETs run ``--duration`` seconds each after a
   one-second warm-up; the accepts run until the pool is used up.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/digisos_bench_api"
SECTION_START = "<!-- bench/api_throughput.py: start -->"
SECTION_END = "<!-- bench/api_throughput.py: end -->"


def bench_env(database_url: str, redis_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "api_bench_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # As in production: Redis for the rate-limit counters (shared by all workers) and as broker.
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        }
    )
    return env


# --- Seeding (runs in a subprocess with the bench settings) ---------------------------------


def seed(n_list: int, n_accept: int) -> dict:
    import django

    django.setup()
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from calloffs import services
    from calloffs.services.api_keys import api_key_create
    from incidents.models import Category
    from tenants.models import Role
    from tests.calloffs.factories import (
        FrameworkContractFactory,
        ProviderFactory,
        ProviderRankFactory,
        RankingVersionFactory,
        RoleRateFactory,
        ServiceModuleFactory,
        SLATermFactory,
    )
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    contract = FrameworkContractFactory(ceiling=Decimal("999999999.00"), estimated_value=Decimal("1000000.00"))
    for priority in ("P1", "P2", "P3"):
        SLATermFactory(contract=contract, priority=priority)
    module = ServiceModuleFactory(contract=contract, code="IR-REMOTE", name="Remote", price=Decimal("210.00"))
    RoleRateFactory(contract=contract, name="Lead Incident Handler", hourly_rate=Decimal("250.00"))
    p1 = ProviderFactory(short_name="P1", capacity=10000)
    p2 = ProviderFactory(short_name="P2", capacity=10000)
    version = RankingVersionFactory(contract=contract, number=1)
    ProviderRankFactory(version=version, provider=p1, rank=1)
    ProviderRankFactory(version=version, provider=p2, rank=2)
    org = OrganisationFactory(name="Benchstadt")
    caller = MembershipFactory(organisation=org, role=Role.CALLER, user__mfa=False).user
    ministry = UserFactory(is_ministry_staff=True, mfa=False)

    def file():
        return services.calloff_file(
            organisation=org,
            actor=caller,
            client_token=uuid.uuid4(),
            category=Category.RANSOMWARE,
            situation="Fileserver verschlüsselt.",
            detected_at=None,
            affected="Fileserver",
            operations_halted=True,
            services=[(module, 40)],
            callback_phone="+49 171 1234567",
            callback_email="it-notfall@example.org",
        )

    list_key = api_key_create(provider=p1, actor=ministry, name="bench list").raw
    accept_key = api_key_create(provider=p2, actor=ministry, name="bench accept").raw
    from calloffs.services.api_keys import provider_api_account

    p1_user = provider_api_account(p1)
    accept_ids = []
    for _ in range(n_accept):
        calloff = file()
        services.offer_decline(calloff=calloff, provider=p1, actor=p1_user, reason="Bench: weiter an P2")
        accept_ids.append(str(calloff.public_id))
    for _ in range(n_list):
        file()

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {list_key}"}
    client.get("/api/v1/calloffs/", **auth)  # writes last_used_at once
    queries = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/calloffs/?page_size={size}", **auth)
        assert response.status_code == 200 and len(response.json()["results"]) == size, response.content[:300]
        queries[size] = len(ctx.captured_queries)
    return {"list_key": list_key, "accept_key": accept_key, "accept_ids": accept_ids, "queries": queries}


# --- Load ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict, body: bytes | None = None) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def run_for(port, concurrency, duration, make_request) -> dict:
    """Each thread sends requests back to back until ``duration`` is over."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker():
        local, local_status = [], {}
        while time.perf_counter() < deadline:
            status, latency = make_request()
            local.append(latency)
            local_status[status] = local_status.get(status, 0) + 1
        with lock:
            latencies.extend(local)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return summarise(latencies, statuses, elapsed)


def run_each(port, concurrency, items, make_request) -> dict:
    """Each item exactly once, spread over the threads."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(items)

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            status, latency = make_request(item)
            with lock:
                latencies.append(latency)
                statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarise(latencies, statuses, time.perf_counter() - start)


def summarise(latencies, statuses, elapsed) -> dict:
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statuses": statuses,
    }


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}; {pg}; load average {load}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--accepts", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--write", type=Path, help="add/replace this benchmark's section in a Markdown file")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seed:
        print(json.dumps(seed(50, args.accepts)))
        return 0

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return measure(args, database_url, redis_port)
    finally:
        redis.terminate()
        redis.wait(10)


def measure(args, database_url: str, redis_port: int) -> int:
    env = bench_env(database_url, redis_port)
    db = urlparse(database_url)
    pg = ["-h", db.hostname or "127.0.0.1", "-p", str(db.port or 5432), "-U", db.username or "postgres"]
    name = db.path.lstrip("/")
    subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)
    subprocess.run(["createdb", *pg, name], check=True)
    subprocess.run([PYTHON, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    t0 = time.perf_counter()
    seeded = json.loads(
        subprocess.run(
            [PYTHON, __file__, "--seed", "--accepts", str(args.accepts)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"seeded in {time.perf_counter() - t0:.1f} s; list queries: {seeded['queries']}", flush=True)

    port = free_port()
    server = subprocess.Popen(
        [
            GUNICORN,
            "digisos.wsgi:application",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--pythonpath",
            f"{BENCH},{ROOT}",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/bench/bare/", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not come up")

        list_headers = {"Authorization": f"Bearer {seeded['list_key']}"}
        accept_headers = {"Authorization": f"Bearer {seeded['accept_key']}", "Content-Type": "application/json"}
        accept_body = json.dumps({"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}).encode()

        scenarios = {
            "bare": lambda: request(port, "GET", "/bench/bare/", {}),
            "bare_list": lambda: request(port, "GET", "/bench/bare-list/", {}),
            "list": lambda: request(port, "GET", "/api/v1/calloffs/?page_size=50", list_headers),
        }
        results = {}
        for label, fn in scenarios.items():
            run_for(port, args.concurrency, 1.0, fn)  # warm-up
            results[label] = run_for(port, args.concurrency, args.duration, fn)
            print(label, results[label], flush=True)
        results["accept"] = run_each(
            port,
            args.concurrency,
            seeded["accept_ids"],
            lambda cid: request(port, "POST", f"/api/v1/calloffs/{cid}/accept/", accept_headers, accept_body),
        )
        print("accept", results["accept"], flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)

    ratio = results["list"]["rps"] / results["bare_list"]["rps"] * 100
    floor = results["list"]["rps"] / results["bare"]["rps"] * 100
    q5, q50 = seeded["queries"]["5"], seeded["queries"]["50"]
    print(f"list/bare list = {ratio:.0f} %; list/bare hello = {floor:.0f} %; queries at 5: {q5}, at 50: {q50}")
    if args.write:
        write_section(args, results, ratio, floor, q5, q50)
    ok = ratio >= 40 and q5 == q50 and results["accept"]["statuses"] == {200: args.accepts}
    return 0 if ok else 1


def write_section(args, results, ratio, floor, q5, q50) -> None:
    rows = [
        ("bare DRF view, nothing to do: `GET /bench/bare/`", results["bare"]),
        ("bare DRF list of the same 50 call-offs: `GET /bench/bare-list/`", results["bare_list"]),
        ("`GET /api/v1/calloffs/?page_size=50` (50 items)", results["list"]),
        (f"`POST /api/v1/calloffs/{{id}}/accept/` ({args.accepts} fresh offers)", results["accept"]),
    ]
    table = "\n".join(
        f"| {label} | {r['requests']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
        f"{', '.join(f'{k}×{v}' for k, v in sorted(r['statuses'].items()))} |"
        for label, r in rows
    )
    text = f"""{SECTION_START}
## Provider API throughput (`bench/api_throughput.py`)

Run {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}.
gunicorn {args.workers} sync workers, DEBUG off, PostgreSQL and Redis (rate-limit counters, Celery broker) on the
same machine, the benchmark's own database; load generator on the same machine with {args.concurrency} threads and a
new TCP connection per request; GETs {args.duration:.0f} s each after 1 s warm-up. The machine is shared with other
work (see the load average): absolute numbers are low and noisy; compare the rows of one run.

| scenario | requests | req/s | p50 ms | p99 ms | statuses |
| --- | ---: | ---: | ---: | ---: | --- |
{table}

* List throughput is **{ratio:.0f} %** of the bare DRF list of the same 50 call-offs (target: at least 40 %),
  and {floor:.0f} % of the bare DRF view that does nothing at all (no database, a 15-byte body).
* The bare list is DRF's ListAPIView with a plain ModelSerializer of the same fields, no key, no scoping, no
  throttle, no pagination, no filters (bench/api_bench_urls.py). The API list adds the key lookup, the
  per-key rate limit (Redis), the provider scoping (subqueries), this provider's open offer, the count and the
  page links, and is built from plain rows instead of serializer instances.
* SQL queries of the list: **{q5}** at page size 5 and **{q50}** at page size 50 (constant: key lookup, count,
  and the page with this provider's open offer joined; tested with django_assert_num_queries at 5 and 50).
* Each accept takes a call-off offered to the key's provider and never accepted before (P1 declined them during
  seeding), so every request does the full work: lock, checks, assignment, SLA clocks, event, timeline entry,
  the receivers of the event (order document requested, notifications written to the outbox, tasks queued in
  Redis) and the detail response (about 35 queries in all). Accepts of different call-offs do not wait for each
  other (the lock is per call-off); the time is database round trips on a loaded machine.

Reproduce: `.venv/bin/python bench/api_throughput.py --write docs/BENCHMARKS.md`
{SECTION_END}
"""
    path = args.write if args.write.is_absolute() else ROOT / args.write
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    if SECTION_START in current:
        before, rest = current.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        current = before + text + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current)
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
