"""Benchmark of the residents' status page under gunicorn, beside a bare Django view in the same run.

    .venv/bin/python bench/status_page.py [--duration 10] [--concurrency 8] [--workers 2] [--write docs/BENCHMARKS.md]

1. Creates its own SQLite database in a temporary directory and migrates it (the cached page does no
   query, so the database does not matter for the measured path), starts its own Redis as the cache.
2. Publishes a status page through the services (one body, an incident, five services, twenty updates)
   and checks in process that a cached view of the page runs no SQL query.
3. Starts gunicorn (sync workers, DEBUG off, the production middleware) and measures, with
   ``--concurrency`` client threads and a new connection per request:
   * bare:  GET /bench/bare/ (a Django view returning "ok": the floor of this stack)
   * page:  GET /status/<slug>/ (the status page, ~10 KB of HTML, from the cache)
   * feed:  GET /status/<slug>/feed/ (its Atom feed, from the cache)
   Reports requests per second and p50/p99 latency, and the page's share of the bare view's rate.
The target (issue 18): the page serves at least the bare view's order of magnitude (≥ 10 %).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from api_throughput import free_port, machine, request, run_for  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SECTION_START = "<!-- bench/status_page.py: start -->"
SECTION_END = "<!-- bench/status_page.py: end -->"


def bench_env(database_url: str, redis_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "status_page_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
            "DATABASE_URL": database_url,
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        }
    )
    return env


def seed() -> dict:
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from incidents import services as incident_services
    from incidents.models import Category
    from statuspages import services
    from tenants.models import Role
    from tests.factories import MembershipFactory, OrganisationFactory

    org = OrganisationFactory(name="Benchstadt")
    caller = MembershipFactory(organisation=org, role=Role.CALLER, user__mfa=False).user
    incident = incident_services.incident_open_or_attach(
        organisation=org,
        incident=None,
        title="Ransomware",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=5),
        operations_halted=True,
        affected_systems="Fachverfahren",
        actor=caller,
    )
    names = ["Personalausweis und Reisepass", "Kfz-Zulassung", "Standesamt", "Wohngeld", "Gewerbeanmeldung"]
    page = services.status_page_save(
        organisation=org,
        actor=caller,
        incident=incident,
        headline="Die Stadtverwaltung ist nach einem IT-Angriff nur eingeschränkt erreichbar",
        summary="Seit Montagmorgen sind die Computer der Verwaltung abgeschaltet. " * 5,
        phone="+49 2761 123456",
        opening_hours="Bürgerbüro im Rathaus: Montag bis Freitag 8 bis 12 Uhr.",
        services=[
            {"name": n, "state": "unavailable", "alternative": "Bitte wenden Sie sich an die Nachbarstadt."}
            for n in names
        ],
    )
    services.status_page_publish(page=page, actor=caller, incident=incident)
    for i in range(20):
        services.status_update_post(page=page, actor=caller, text=f"Meldung {i}: Der Stand der Dinge in zwei Sätzen.")
    client = Client()
    url = f"/status/{page.slug}/"
    first = client.get(url)  # fills the cache if the commit hooks have not
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200 and response.content == first.content
    return {"slug": page.slug, "queries": len(ctx.captured_queries), "bytes": len(response.content)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", type=Path, help="add/replace this benchmark's section in a Markdown file")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(json.dumps(seed()))
        return 0
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="digisos-bench-status-") as tmp:
            return measure(args, f"sqlite:///{tmp}/bench.sqlite3", redis_port)
    finally:
        redis.terminate()
        redis.wait(10)


def measure(args, database_url: str, redis_port: int) -> int:
    env = bench_env(database_url, redis_port)
    subprocess.run([PYTHON, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    seeded = json.loads(
        subprocess.run([PYTHON, __file__, "--seed"], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"seeded: {seeded}", flush=True)
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "digisos.wsgi:application", "-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "--pythonpath", f"{BENCH},{ROOT}"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                if request(port, "GET", "/bench/bare/", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not come up")
        slug = seeded["slug"]
        scenarios = {
            "bare": lambda: request(port, "GET", "/bench/bare/", {}),
            "page": lambda: request(port, "GET", f"/status/{slug}/", {}),
            "feed": lambda: request(port, "GET", f"/status/{slug}/feed/", {}),
        }
        results = {}
        # Interleaved rounds (bare, page, feed, bare, page, feed): a change in the machine's background
        # load hits all three alike, and the ratio stays meaningful.
        for fn in scenarios.values():
            run_for(port, args.concurrency, 1.0, fn)  # warm-up
        for _round in range(2):
            for label, fn in scenarios.items():
                result = run_for(port, args.concurrency, args.duration / 2, fn)
                results.setdefault(label, []).append(result)
        merged = {label: merge(rounds) for label, rounds in results.items()}
        for label, r in merged.items():
            print(label, r, flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    ratio = merged["page"]["rps"] / merged["bare"]["rps"] * 100
    feed_ratio = merged["feed"]["rps"] / merged["bare"]["rps"] * 100
    print(f"page/bare = {ratio:.0f} %; feed/bare = {feed_ratio:.0f} %; queries per cached view: {seeded['queries']}")
    if args.write:
        write_section(args, merged, ratio, feed_ratio, seeded)
    ok = ratio >= 10 and seeded["queries"] == 0 and set(merged["page"]["statuses"]) == {200}
    return 0 if ok else 1


def merge(rounds: list[dict]) -> dict:
    requests = sum(r["requests"] for r in rounds)
    seconds = sum(r["requests"] / r["rps"] for r in rounds)
    statuses: dict[int, int] = {}
    for r in rounds:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "requests": requests,
        "rps": requests / seconds,
        "p50_ms": max(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "statuses": statuses,
    }


def write_section(args, results, ratio, feed_ratio, seeded) -> None:
    rows = [
        ("bare Django view: `GET /bench/bare/` (2 bytes)", results["bare"]),
        (f"status page: `GET /status/<slug>/` ({seeded['bytes'] // 1024} KB HTML)", results["page"]),
        ("its Atom feed: `GET /status/<slug>/feed/` (20 entries)", results["feed"]),
    ]
    table = "\n".join(
        f"| {label} | {r['requests']} | {r['rps'] / results['bare']['rps'] * 100:.0f} % | "
        f"{', '.join(f'{k}×{v}' for k, v in sorted(r['statuses'].items()))} |"
        for label, r in rows
    )
    text = f"""{SECTION_START}
## Status page for residents (`bench/status_page.py`)

Run {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}.
**The machine was busy** (other jobs on its two cores, see the load average): absolute requests per second are not
meaningful and are left out; the ratios compare rows measured in the same run, interleaved (two rounds of
bare → page → feed, {args.duration / 2:.0f} s each after 1 s warm-up). gunicorn {args.workers} sync workers, DEBUG off,
the production middleware, Redis as the cache; the load generator on the same machine with {args.concurrency} threads
and a new TCP connection per request.

| scenario | requests | share of the bare view's req/s | statuses |
| --- | ---: | ---: | --- |
{table}

* The status page serves **{ratio:.0f} %** of the bare view's requests per second, the feed **{feed_ratio:.0f} %**
  (target: the same order of magnitude, ≥ 10 %).
* A cached view runs **{seeded["queries"]}** SQL queries (checked in process here and in
  tests/statuspages/test_status_page.py with django_assert_num_queries(0)): the page and the feed are rendered
  once per change after the commit and served as stored bytes from the cache (statuspages/public.py); a
  cold cache costs one read of three queries, after which the copy is served again.

Reproduce: `.venv/bin/python bench/status_page.py --write docs/BENCHMARKS.md`
{SECTION_END}
"""
    path = args.write
    content = path.read_text() if path.exists() else ""
    if SECTION_START in content and SECTION_END in content:
        before, rest = content.split(SECTION_START, 1)
        _old, after = rest.split(SECTION_END, 1)
        content = before + text.rstrip("\n") + after
    else:
        content = content.rstrip("\n") + "\n\n" + text
    path.write_text(content)


if __name__ == "__main__":
    sys.exit(main())
