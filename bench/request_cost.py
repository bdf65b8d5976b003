"""What one request of each kind costs the web process: CPU milliseconds and SQL queries, measured
in-process (Django's test client, production settings, DEBUG off) on a PostgreSQL database seeded
as the mass-incident benchmark seeds it (429 bodies, the demo contract, four providers).

    .venv/bin/python bench/request_cost.py [--filings 60] [--profile "POST /abrufe/neu/"] [--check]

``--check`` compares each endpoint with the targets of issue 19 (CPU as a multiple of the bare view,
SQL statements) and exits 1 if one is missed. ``BENCH_DATABASE_URL`` names the PostgreSQL database
(dropped and created: digisos_bench* or the one named in ``BENCH_DROP_DATABASE``), ``BENCH_REDIS_PORT``
the port of the throwaway Redis.

The mass-incident load (bench/load_mass_incident.py) shows *that* the web tier saturates two cores;
this shows *where* its CPU goes, one endpoint at a time, beside the bare DRF view (the floor) in the
same run. ``--profile`` prints a cProfile (CPU time) of one endpoint (all its requests).
No timing here is asserted anywhere; it is a measuring tool.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.notify_harness import configure_env, fresh_database, start_redis  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/digisos_bench_cost"
BARE = "GET /bench/bare/ (bare DRF view)"

#: Issue 19's targets: (CPU × the bare DRF view of the same run, SQL statements per request).
TARGETS = {
    "GET /abrufe/neu/": (8, 6),
    "POST /abrufe/neu/": (12, 20),
    "GET /abrufe/{id}/": (6, 8),
    "POST /api/v1/calloffs/{id}/accept/": (10, 15),
    "GET /api/v1/calloffs/": (3, 3),
}


def check(cpu: dict[str, list[float]], queries: dict[str, list[int]]) -> bool:
    """Print each endpoint against its targets; True if all are met.

    CPU: the median of the endpoint over the median of the bare view (medians: the first request of
    a kind pays one-off work, and a loaded machine adds outliers). Statements: the median count
    (the poll writes its key's last-used stamp once a minute: one statement more in one poll a
    minute per key) and, shown beside it, the largest.
    """

    def median(values):
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    bare = median(cpu[BARE])
    ok = True
    print(f"\n{'check':45} {'× bare':>7} {'target':>7} {'queries':>8} {'max':>4} {'target':>7}")
    for name, (ratio_target, query_target) in TARGETS.items():
        if name not in cpu:
            print(f"{name:45} not measured")
            ok = False
            continue
        ratio = median(cpu[name]) / bare
        count = median(queries[name])
        met = ratio <= ratio_target and count <= query_target
        ok = ok and met
        print(
            f"{name:45} {ratio:7.1f} {ratio_target:>7} {count:8d} {max(queries[name]):4d} {query_target:>7}  "
            f"{'met' if met else 'MISSED'}"
        )
    return ok


def in_process_env(*, database_url: str, redis_port: int, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of the measured process: production settings with the bare DRF view's URL conf
    (api_bench_settings), Django's test client as the host, persistent connections."""
    return configure_env(
        database_url=database_url,
        redis_port=redis_port,
        tmp=tmp,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        DB_CONN_MAX_AGE="60",
        DJANGO_SETTINGS_MODULE="api_bench_settings",
        **extra,
    )


def filing_body(form_html: str) -> str:
    """A filing of the form page ``form_html`` (its client token, body and first service module), urlencoded
    as the browser posts the form (no enctype) and as bench/load_mass_incident.py does: the test client's
    default would be multipart, whose parsing the real filing never pays."""
    fields = dict(re.findall(r'name="(client_token|organisation)" value="([^"]*)"', form_html))
    module = re.findall(r'name="(module_\d+)"', form_html)[0]
    return urlencode(
        {
            **fields,
            "category": "ransomware",
            "operations_halted": "yes",
            "situation": "Verschlüsselungstrojaner: Fileserver und Fachverfahren verschlüsselt.",
            "affected": "Fileserver, Meldewesen",
            module: "40",
            "place_of_performance": "Rathaus",
            "callback_phone": "+49 171 1234567",
            "callback_email": "it-notfall@example.org",
        }
    )


def postgres_cpu() -> float:
    """CPU seconds of the whole PostgreSQL server so far (backends alive now, and through the
    postmaster's children-time fields those that exited); in ticks of 10 ms, so summed over many
    requests. Nothing else uses the server while this runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / tick


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filings", type=int, default=60)
    parser.add_argument("--profile", default="", help="endpoint name to profile with pyinstrument")
    parser.add_argument("--top", type=int, default=60, help="lines of the profile to print")
    parser.add_argument("--profile-dump", default="", help="also write the profile (pstats) to this file")
    parser.add_argument("--sql", default="", help="endpoint whose SQL (of its last request) to print")
    parser.add_argument("--polls", type=int, default=40, help="API polls per provider")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if an endpoint misses issue 19's CPU ratio or query target"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="digisos-cost-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_proc, redis_port = start_redis(tmp)
    in_process_env(database_url=database_url, redis_port=redis_port, tmp=tmp)
    fresh_database(database_url)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from bench.load_mass_incident import LEAD, seed

        call_command("migrate", verbosity=0)
        seeded = seed("http://127.0.0.1:9/hook")

        cpu: dict[str, list[float]] = defaultdict(list)
        pg: dict[str, float] = defaultdict(float)
        queries: dict[str, list[int]] = defaultdict(list)
        profiler = None
        last_sql: list[str] = []
        if args.profile:
            # CPU time, not wall time: waiting for PostgreSQL is not what is looked for here.
            profiler = cProfile.Profile(time.process_time)

        def measure(name, fn):
            profiling = profiler is not None and name == args.profile
            pg0 = postgres_cpu()
            with CaptureQueriesContext(connection) as captured:
                if profiling:
                    profiler.enable()
                t0 = time.process_time()
                response = fn()
                cpu[name].append(time.process_time() - t0)
                if profiling:
                    profiler.disable()
            queries[name].append(len(captured.captured_queries))
            pg[name] += postgres_cpu() - pg0
            if name == args.sql:
                last_sql[:] = [q["sql"] for q in captured.captured_queries]
            return response

        web = Client(HTTP_HOST="127.0.0.1")
        bare = Client(HTTP_HOST="127.0.0.1")
        api = Client(HTTP_HOST="127.0.0.1")
        keys = seeded["keys"]
        callers = seeded["callers"][: args.filings]
        # Warm-up: imports, template loading, connection.
        for _ in range(3):
            bare.get("/bench/bare/")

        def file(caller):
            web.cookies.clear()
            web.cookies["sessionid"] = caller["session"]
            response = measure("GET /abrufe/neu/", lambda: web.get("/abrufe/neu/"))
            assert response.status_code == 200, response.status_code
            body = filing_body(response.content.decode())
            response = measure(
                "POST /abrufe/neu/",
                lambda: web.post("/abrufe/neu/", body, content_type="application/x-www-form-urlencoded"),
            )
            assert response.status_code == 302, (response.status_code, response.content[:2000])
            location = response["Location"]
            response = measure("GET /abrufe/{id}/", lambda: web.get(location))
            assert response.status_code == 200

        def poll_and_accept(provider):
            headers = {"Authorization": f"Bearer {keys[provider]}"}
            response = measure(
                "GET /api/v1/calloffs/",
                lambda: api.get("/api/v1/calloffs/?state=offered&page_size=200", headers=headers),
            )
            assert response.status_code == 200, response.content
            for item in response.json()["results"]:
                if item["offer"]:
                    measure(
                        "POST /api/v1/calloffs/{id}/accept/",
                        lambda item=item: api.post(
                            f"/api/v1/calloffs/{item['id']}/accept/",
                            LEAD,
                            content_type="application/json",
                            headers=headers,
                        ),
                    )

        half = len(callers) // 2
        for caller in callers[:half]:
            file(caller)
            measure(BARE, lambda: bare.get("/bench/bare/"))
        # The polls see a full list of offers once (the worst page), then the steady state.
        for provider in seeded["providers"]:
            poll_and_accept(provider)
        for caller in callers[half:]:
            file(caller)
            measure(BARE, lambda: bare.get("/bench/bare/"))
            for provider in seeded["providers"]:
                poll_and_accept(provider)
        for _ in range(args.polls):
            for provider in seeded["providers"]:
                poll_and_accept(provider)

        print(
            f"{'endpoint':45} {'n':>5} {'CPU ms mean':>12} {'p50':>7} {'max':>7} {'queries':>8} {'PG CPU ms mean':>15}"
        )
        for name in sorted(cpu):
            values = sorted(cpu[name])
            mean = sum(values) / len(values) * 1000
            print(
                f"{name:45} {len(values):5d} {mean:12.1f} {values[len(values) // 2] * 1000:7.1f} "
                f"{values[-1] * 1000:7.1f} {json.dumps(sorted(set(queries[name])))[:40]:>8} "
                f"{pg[name] / len(values) * 1000:15.1f}"
            )
        for n, sql in enumerate(last_sql, 1):
            print(f"{n:3d} {sql[:400]}")
        if profiler is not None:
            stats = pstats.Stats(profiler)
            if args.profile_dump:
                stats.dump_stats(args.profile_dump)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
        if args.check and not check(cpu, queries):
            return 1
    finally:
        redis_proc.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
