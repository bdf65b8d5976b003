"""Mass incident under load: the Südwestfalen day (72 bodies file within 5 minutes) and a worse one
(all 429 bodies within 60 seconds), while four providers poll the API every second and accept.

    .venv/bin/python bench/load_mass_incident.py [--scenarios swf,all] [--swf-seconds 300] [--all-seconds 60]
                                                 [--workers 4] [--write docs/BENCHMARKS.md]

The whole production stack on this machine, all on loopback, started and stopped by the script:

1. A throwaway redis-server on a free port (broker and cache), a fresh PostgreSQL database
   (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/digisos_bench_load; dropped and
   recreated), migrated; gunicorn (``--workers`` sync workers, DEBUG off, bench/api_bench_settings.py:
   the real URLs plus the bare DRF view), a Celery worker (prefork, 2) and beat, and a webhook receiver
   in this process.
2. Seeds through the project's own code: ``import_bodies`` (the 429 municipal bodies), the demo
   contract with its four providers (calloffs.demo.seed_demo_contract; capacities raised to 1,000
   so that every offer can be accepted; P1 answers within 1 minute), an API key and a webhook
   endpoint (pointing at the receiver, WEBHOOK_ALLOW_PRIVATE_TARGETS=1) per provider, and one caller
   account (TOTP set up) per body. Callers do not log in through the form (password hashing and the
   second factor are not what is measured): their sessions are created directly with Django's
   ``SessionStore``, exactly as a login would leave them (user id, backend, session hash, the
   timeout stamps), and sent as the ``sessionid`` cookie. This trick is for benchmarks only.
3. Open model, fixed arrival rates (requests are sent at their scheduled time whether or not
   earlier ones have finished; a thread pool of 256 sends them):
   * each filing body, at evenly spaced times over the scenario's window, does what a browser does:
     GET /abrufe/neu/ (form, CSRF cookie), POST /abrufe/neu/ (302), GET the call-off page it is sent to;
   * each of the four providers, every second: GET /api/v1/calloffs/?state=offered&page_size=200 with its
     key, and POST …/accept/ for every offer it holds, at once. P1 leaves every fifth of its offers
     unanswered: those expire after 1 minute and go to P2 (the deadline sweep at work under load);
   * GET /bench/bare/ (a DRF view that does nothing) twice a second: the floor, in the same run.
4. Reports per endpoint and scenario: requests, requests per second, p50/p95/p99/max, errors (5xx,
   connection errors, unexpected status); offer → webhook latency (the OFFERED event's time, taken in
   the offering transaction, to the webhook's arrival at the receiver; every webhook-id counted, so
   duplicates show); and how late each offer expiry fired (EXPIRED event time − respond-by).
   Targets: 0 errors, p99 < 500 ms everywhere, offer → webhook p99 < 1 s, no timer more than 2 s late.

Bounded: every phase has a deadline; the script stops what it started in ``finally``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.notify_harness import (  # noqa: E402
    Celery,
    configure_env,
    free_port,
    fresh_database,
    machine,
    percentile,
    start_redis,
    write_section,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/digisos_bench_load"
#: Südwestfalen-IT's area: Hochsauerlandkreis, Märkischer Kreis, Olpe, Siegen-Wittgenstein, Soest.
SWF_DISTRICTS = ("05958", "05962", "05966", "05970", "05974")
IGNORE_EVERY = 5  # P1 leaves every fifth offer unanswered (it expires)
LEAD = json.dumps({"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}).encode()


# --- Webhook receiver -----------------------------------------------------------------------------


class Receiver:
    """Records every POST: (webhook-id, arrival time). Duplicates are kept, to be counted."""

    def __init__(self):
        self.arrivals: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                at = time.time()
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.lock:
                    receiver.arrivals.append((self.headers.get("webhook-id") or "", at))
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

    def close(self):
        self.server.shutdown()


# --- Seeding (in this process, on the bench database) ---------------------------------------------


def seed(receiver_url: str) -> dict:
    from importlib import import_module

    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from calloffs.contract_terms import terms_changed
    from calloffs.demo import seed_demo_contract
    from calloffs.models import Provider, SLATerm
    from calloffs.services.api_keys import api_key_create
    from digisos import plausible
    from digisos.middleware import SessionTimeoutMiddleware
    from notifications.models import WebhookEndpoint
    from tenants.middleware import has_mfa
    from tenants.models import Membership, Organisation, OrganisationKind, Role, User

    call_command("import_bodies", "--no-state-bodies", verbosity=0)
    demo = seed_demo_contract(password="bench-not-used-0123456789", totp_secret="JBSWY3DPEHPK3PXP")
    providers = demo["providers"]
    # As many engagements as the plausible range allows (999): 429 bodies never fill a provider.
    Provider.objects.update(capacity=int(plausible.CAPACITY.high))
    # P1 answers within 1 minute (the minimum): its unanswered offers expire during the run.
    SLATerm.objects.filter(contract=demo["contract"]).update(accept_minutes=1)
    terms_changed()  # update() sends no post_save: the kept contract terms are older now
    ministry = User.objects.create_user(email="ministerium@bench.invalid", is_ministry_staff=True)
    keys = {}
    for provider in providers:
        keys[provider.short_name] = api_key_create(provider=provider, actor=ministry, name="bench").raw
        WebhookEndpoint.objects.create(owner=provider, url=receiver_url)

    municipal = [
        OrganisationKind.KREISFREIE_STADT,
        OrganisationKind.KREIS,
        OrganisationKind.GEMEINDE,
        OrganisationKind.LANDSCHAFTSVERBAND,
    ]
    bodies = list(Organisation.objects.filter(kind__in=municipal).select_related("parent").order_by("ags", "pk"))
    users = User.objects.bulk_create(
        User(email=f"abruf-{body.pk}@bench.invalid", password="!unusable")
        for body in bodies  # noqa: S106
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=body, role=Role.CALLER) for user, body in zip(users, bodies, strict=True)
    )
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "bench"}) for user in users
    )
    # The session engine in use (cached_db: the session in the cache too) and the second factor known,
    # as a login leaves them.
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    now = int(time.time())
    callers = []
    for user, body in zip(users, bodies, strict=True):
        has_mfa(user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SessionTimeoutMiddleware.STARTED] = now
        session[SessionTimeoutMiddleware.SEEN] = now
        session.create()
        district = body.parent.ags if body.parent_id and body.parent.ags else ""
        callers.append(
            {
                "body": body.name,
                "ags": body.ags,
                "district": district,
                "kind": body.kind,
                "regierungsbezirk": body.regierungsbezirk,
                "session": session.session_key,
            }
        )
    return {"keys": keys, "callers": callers, "providers": [p.short_name for p in providers]}


def swf_callers(callers: list[dict], n: int = 72) -> list[dict]:
    """The bodies of Südwestfalen-IT's area (its five districts and their municipalities), filled up
    to ``n`` with other bodies of the Regierungsbezirk Arnsberg (an approximation of the 72)."""
    core = [c for c in callers if c["district"] in SWF_DISTRICTS or (c["ags"] or "")[:5] in SWF_DISTRICTS]
    rest = [c for c in callers if c not in core and c["regierungsbezirk"] == "Arnsberg"]
    return (core + rest)[:n]


# --- Load -----------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
        self.errors: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.conflicts: dict[tuple[str, str], int] = defaultdict(int)
        self.slip: list[float] = []

    def add(self, scenario, endpoint, started, seconds, status, expected):
        with self.lock:
            self.samples[scenario, endpoint].append((started, seconds, status))
            if status in (404, 409) and endpoint.endswith("accept/"):
                # The offer expired and moved on (409, or 404 once the call-off went to the next provider): an answer.
                self.conflicts[scenario, endpoint] += 1
            elif status not in expected:
                self.errors[scenario, endpoint].append(f"HTTP {status}")

    def fail(self, scenario, endpoint, exc):
        with self.lock:
            self.errors[scenario, endpoint].append(exc.__class__.__name__)


class Load:
    def __init__(self, port: int, seeded: dict, stats: Stats):
        self.port, self.seeded, self.stats = port, seeded, stats
        self.scenario = "warm-up"
        self.pool = ThreadPoolExecutor(max_workers=256)
        self.handled: dict[str, set[str]] = defaultdict(set)
        self.handled_lock = threading.Lock()
        self.stop = threading.Event()

    def request(self, endpoint, method, path, *, headers=None, body=None, expected=(200,)):
        scenario = self.scenario
        started = time.perf_counter()
        wall = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
        except Exception as exc:  # noqa: BLE001 - counted as an error
            self.stats.fail(scenario, endpoint, exc)
            return None, None, b""
        finally:
            conn.close()
        self.stats.add(scenario, endpoint, wall, time.perf_counter() - started, response.status, expected)
        return response.status, response, data

    # A body files, as a browser does.
    def file(self, caller: dict) -> None:
        cookies = {"sessionid": caller["session"]}

        def cookie_header():
            return "; ".join(f"{k}={v}" for k, v in cookies.items())

        status, response, html = self.request(
            "GET /abrufe/neu/", "GET", "/abrufe/neu/", headers={"Cookie": cookie_header()}
        )
        if status != 200:
            return
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            cookies.update({k: m.value for k, m in jar.items()})
        text = html.decode()
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|client_token|organisation)" value="([^"]*)"', text))
        modules = re.findall(r'name="(module_\d+)"', text)
        form = {
            **fields,
            "category": "ransomware",
            "operations_halted": "yes",
            "situation": "Verschlüsselungstrojaner: Fileserver und Fachverfahren verschlüsselt, Erpresserschreiben.",
            "affected": "Fileserver, Meldewesen, Kfz-Zulassung",
            modules[0]: "40",
            "place_of_performance": "Rathaus",
            "callback_phone": "+49 171 1234567",
            "callback_email": "it-notfall@example.org",
        }
        status, response, _body = self.request(
            "POST /abrufe/neu/",
            "POST",
            "/abrufe/neu/",
            headers={
                "Cookie": cookie_header(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/abrufe/neu/",
            },
            body=urlencode(form).encode(),
            expected=(302,),
        )
        if status == 302:
            location = response.headers["Location"]
            self.request("GET /abrufe/{id}/", "GET", location, headers={"Cookie": cookie_header()})

    # A provider polls and accepts what it holds.
    def poll(self, provider: str) -> None:
        key = self.seeded["keys"][provider]
        status, _response, data = self.request(
            "GET /api/v1/calloffs/",
            "GET",
            "/api/v1/calloffs/?state=offered&page_size=200",
            headers={"Authorization": f"Bearer {key}"},
        )
        if status != 200:
            return
        for item in json.loads(data)["results"]:
            if not item["offer"]:
                continue
            with self.handled_lock:
                if item["offer"]["id"] in self.handled[provider]:
                    continue
                self.handled[provider].add(item["offer"]["id"])
            if provider == self.seeded["providers"][0] and int(item["number"].rsplit("-", 1)[1]) % IGNORE_EVERY == 0:
                continue  # P1 does not answer this one: it expires
            self.pool.submit(self.accept, key, item["id"])

    def accept(self, key: str, calloff_id: str) -> None:
        self.request(
            "POST /api/v1/calloffs/{id}/accept/",
            "POST",
            f"/api/v1/calloffs/{calloff_id}/accept/",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            body=LEAD,
            expected=(200,),
        )

    def bare(self) -> None:
        self.request("GET /bench/bare/ (bare DRF view)", "GET", "/bench/bare/")

    def background(self) -> None:
        """Provider polls every second and the bare view twice a second, until stopped."""

        def loop(interval, fn):
            next_at = time.monotonic()
            while not self.stop.is_set():
                self.pool.submit(fn)
                next_at += interval
                self.stop.wait(max(0.0, next_at - time.monotonic()))

        for i, provider in enumerate(self.seeded["providers"]):
            threading.Thread(
                target=lambda p=provider, i=i: (time.sleep(i * 0.25), loop(1.0, lambda: self.poll(p))), daemon=True
            ).start()
        threading.Thread(target=loop, args=(0.5, self.bare), daemon=True).start()

    def filings(self, scenario: str, callers: list[dict], window: float) -> float:
        """Schedule one filing per caller, evenly over ``window`` seconds; returns the start time."""
        self.scenario = scenario
        start = time.monotonic() + 0.5
        gap = window / len(callers)
        for n, caller in enumerate(callers):
            due = start + n * gap
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.stats.slip.append(max(0.0, time.monotonic() - due))
            self.pool.submit(self.file, caller)
        return start


# --- Analysis (in this process, on the bench database) --------------------------------------------


def summarise(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": percentile(values, 50) * 1000,
        "p95": percentile(values, 95) * 1000,
        "p99": percentile(values, 99) * 1000,
        "max": max(values) * 1000 if values else float("nan"),
    }


def idle_priority(pgid: int) -> None:
    """PDF rendering gets the CPU only when nothing else wants it: SCHED_IDLE for the worker and its
    pool children (as `chrt --idle 0 celery … -Q documents` in production), nice 19 where that is refused."""
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        try:
            if os.getpgid(pid) != pgid:
                continue
            try:
                os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
            except (PermissionError, AttributeError):
                os.setpriority(os.PRIO_PROCESS, pid, 19)
        except OSError:
            pass


def cpu_seconds(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU time (user + system) used so far by each process group, by this process (the load
    generator and the receiver) and by the PostgreSQL server."""
    tick = os.sysconf("SC_CLK_TCK")

    def of(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        except (OSError, IndexError, ValueError):
            return 0.0

    out = {}
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    for name, pgids in groups.items():
        total = 0.0
        for pid in pids:
            try:
                if os.getpgid(pid) in pgids:
                    total += of(pid)
            except OSError:
                pass
        out[name] = total
    # The whole PostgreSQL server (nothing else uses it during a run): the backends alive now, and,
    # through the postmaster's children-time fields, every backend that has exited (connections
    # closed by CONN_MAX_AGE); counting only the bench database's live backends missed those.
    postgres = 0.0
    for pid in pids:
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if comm == "postgres":
            postgres += of(pid)
    out["postgres (whole server)"] = postgres
    out["load generator + receiver (this process)"] = of(os.getpid())
    return out


def timings(receiver: Receiver, since: float, until: float) -> dict:
    """Offer → webhook latency and expiry lateness of the events recorded between since and until."""
    from datetime import UTC, datetime

    from calloffs.models import CallOffEvent, EventKind, Offer
    from notifications.models import Channel, Notification, source_of

    t0, t1 = datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
    with receiver.lock:
        arrivals = list(receiver.arrivals)
    first: dict[str, float] = {}
    copies: dict[str, int] = defaultdict(int)
    for webhook_id, at in arrivals:
        first.setdefault(webhook_id, at)
        copies[webhook_id] += 1
    # A notification names the event that caused it in ``source`` ("calloffs.calloffevent:<pk>").
    offered_at = {
        source_of(event): event.at
        for event in CallOffEvent.objects.filter(kind=EventKind.OFFERED, at__gte=t0, at__lt=t1).only("pk", "at")
    }
    offered = [
        (webhook_id, offered_at[source])
        for webhook_id, source in Notification.objects.filter(
            channel=Channel.WEBHOOK, source__in=list(offered_at)
        ).values_list("webhook_id", "source")
    ]
    latencies, missing = [], 0
    for webhook_id, at in offered:
        if webhook_id in first:
            latencies.append(first[webhook_id] - at.timestamp())
        else:
            missing += 1
    expired = CallOffEvent.objects.filter(kind=EventKind.EXPIRED, at__gte=t0, at__lt=t1).values_list("at", "data")
    due = dict(Offer.objects.values_list("public_id", "respond_by"))
    lateness = []
    for at, data in expired:
        offer_due = due.get(uuid.UUID(str(data["offer"])))
        if offer_due is not None:
            lateness.append((at - offer_due).total_seconds())
    all_hooks = Notification.objects.filter(channel=Channel.WEBHOOK, created_at__gte=t0, created_at__lt=t1)
    duplicates = sum(1 for wid in all_hooks.values_list("webhook_id", flat=True) if copies.get(wid, 0) > 1)
    return {
        "webhook": summarise(latencies),
        "webhook_missing": missing,
        "webhook_duplicates": duplicates,
        "expiry": summarise(lateness),
        "expiry_max_s": max(lateness) if lateness else None,
    }


def endpoint_table(stats: Stats, scenario: str, seconds: float) -> list[dict]:
    rows = []
    for (sc, endpoint), samples in sorted(stats.samples.items()):
        if sc != scenario:
            continue
        latencies = [s for _t, s, _st in samples]
        summary = summarise(latencies)
        rows.append(
            {
                "endpoint": endpoint,
                "requests": len(samples),
                "rps": len(samples) / seconds,
                **summary,
                "errors": len(stats.errors[sc, endpoint]),
                "error_kinds": sorted(set(stats.errors[sc, endpoint]))[:5],
                "conflicts": stats.conflicts[sc, endpoint],
            }
        )
    return rows


def wait_until(predicate, timeout: float, what: str) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    print(f"warning: timed out waiting for {what}", flush=True)
    return False


def settled() -> bool:
    from calloffs.models import CallOff
    from notifications.models import Notification

    open_offers = CallOff.objects.filter(state__in=["submitted", "offered"]).count()
    pending = Notification.objects.exclude(state__in=["delivered", "dead"]).count()
    return open_offers == 0 and pending == 0


# --- Main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default="swf,all", help='e.g. "swf,all" or "all:60,all:120" (window in s)')
    parser.add_argument("--swf-seconds", type=float, default=300.0)
    parser.add_argument("--all-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 × cores)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (gthread when > 1: requests waiting on a lock)",
    )
    parser.add_argument(
        "--timers-worker",
        action="store_true",
        help="a worker of its own for the deadline sweeps (-Q timers, concurrency 1), as docs/OPERATIONS.md advises",
    )
    parser.add_argument(
        "--documents-worker",
        action="store_true",
        help="render PDFs in a worker of their own (-Q documents, concurrency 1) at idle CPU priority (SCHED_IDLE)",
    )
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--label", default="", help="a note for the results (e.g. before/after a fix)")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="digisos-bench-load-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_proc, redis_port = start_redis(tmp)
    receiver = Receiver()
    env = configure_env(
        database_url=database_url,
        redis_port=redis_port,
        tmp=tmp,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        NOTIFICATION_SWEEP_SECONDS="5",
        DB_CONN_MAX_AGE="60",
    )
    fresh_database(database_url)
    celery = Celery(env, tmp)
    server = None
    stats = Stats()
    load = None
    results: dict = {"scenarios": {}}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        t0 = time.monotonic()
        seeded = seed(receiver.url)
        print(f"seeded {len(seeded['callers'])} callers in {time.monotonic() - t0:.1f} s", flush=True)

        port = free_port()
        web_env = dict(env, DJANGO_SETTINGS_MODULE="api_bench_settings", PYTHONPATH=f"{BENCH}{os.pathsep}{ROOT}")
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
                "--timeout",
                "60",
                *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []),
            ],
            env=web_env,
            cwd=ROOT,
            stdout=(tmp / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        groups = {"gunicorn (web)": [server.pid]}
        if args.documents_worker:
            worker = celery.worker(args.worker_concurrency, queues="celery,timers", name="w")
            documents = celery.worker(1, queues="documents", name="documents")
            time.sleep(2)
            idle_priority(documents.pid)
            groups["celery worker (deliveries, timers)"] = [worker.pid]
            groups["celery worker (PDFs)"] = [documents.pid]
        else:
            worker = celery.worker(args.worker_concurrency, queues="celery,timers,documents", name="w")
            groups["celery worker (deliveries, timers, PDFs)"] = [worker.pid]
        if args.timers_worker:
            groups["celery worker (timers)"] = [celery.worker(1, queues="timers", name="timers").pid]
        groups["celery beat"] = [celery.beat().pid]
        groups["redis"] = [redis_proc.pid]
        load = Load(port, seeded, stats)

        def ready():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/ready/")
                ok = conn.getresponse().status == 200
                conn.close()
                return ok
            except OSError:
                return False

        if not wait_until(ready, 90, "/ready/ (web, worker, beat)"):
            raise SystemExit(f"the stack did not come up; logs in {tmp}")
        # Warm-up: every endpoint a few times (gunicorn workers import, connect, fill caches).
        for caller in seeded["callers"][-4:]:
            load.file(caller)
        for provider in seeded["providers"]:
            load.poll(provider)
        wait_until(settled, 60, "the warm-up filings to settle")
        load.background()

        scenarios = {
            "swf": ("Südwestfalen: 72 bodies within 5 minutes", swf_callers(seeded["callers"]), args.swf_seconds),
            "all": ("All 429 bodies within 60 seconds", seeded["callers"], args.all_seconds),
        }
        for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
            # "all:120": the same 429 filings spread over 120 s instead (a capacity sweep: at which
            # arrival rate does this machine still meet every target?).
            base, _, seconds = name.partition(":")
            title, callers, window = scenarios[base]
            if seconds:
                window = float(seconds)
                title = f"{title.rsplit(' within ', 1)[0]} within {window:.0f} seconds"
            print(f"{name}: {len(callers)} filings over {window:.0f} s", flush=True)
            wall0 = time.time()
            cpu0 = cpu_seconds(groups)
            start = load.filings(name, callers, window)
            time.sleep(max(0.0, start + window - time.monotonic()))
            # The expiries come 1 minute after the last offers; then everything must settle.
            wait_until(settled, 150, f"{name}: every call-off accepted and every notification delivered")
            time.sleep(2)
            wall1 = time.time()
            cpu1 = cpu_seconds(groups)
            load.scenario = f"{name}-after"
            from django.db.models import Count

            from calloffs.models import CallOff

            results["scenarios"][name] = {
                "cpu": {k: cpu1[k] - cpu0.get(k, 0.0) for k in cpu1},
                "title": title,
                "filings": len(callers),
                "window": window,
                "seconds": wall1 - wall0,
                "endpoints": endpoint_table(stats, name, wall1 - wall0),
                **timings(receiver, wall0, wall1),
                "states": dict(CallOff.objects.values_list("state").annotate(n=Count("id")).order_by("state")),
            }
            print(json.dumps(results["scenarios"][name], indent=1, default=str), flush=True)
        load.stop.set()
    finally:
        if load is not None:
            load.stop.set()
            load.pool.shutdown(wait=True, cancel_futures=True)
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        celery.stop()
        receiver.close()
        redis_proc.kill()
        redis_proc.wait(10)
    results["slip_max_ms"] = max(stats.slip) * 1000 if stats.slip else 0.0
    ok = verdict(results)
    if args.write:
        write_section(args.write, "bench/load_mass_incident.py", report(args, results, ok))
        print(f"wrote {args.write}")
    return 0 if all(ok.values()) else 1


def verdict(results: dict) -> dict[str, bool]:
    ok = {}
    for name, r in results["scenarios"].items():
        ok[f"{name}: 0 errors"] = all(row["errors"] == 0 for row in r["endpoints"])
        ok[f"{name}: p99 < 500 ms"] = all(row["p99"] < 500 for row in r["endpoints"])
        ok[f"{name}: offer → webhook p99 < 1 s"] = r["webhook"]["n"] > 0 and r["webhook"]["p99"] < 1000
        ok[f"{name}: no webhook missing or twice"] = r["webhook_missing"] == 0 and r["webhook_duplicates"] == 0
        ok[f"{name}: no timer > 2 s late"] = r["expiry_max_s"] is None or r["expiry_max_s"] <= 2.0
    for k, v in ok.items():
        print(f"{'PASS' if v else 'FAIL'}  {k}")
    return ok


def report(args, results: dict, ok: dict) -> str:
    lines = [
        "## Mass incident under load (`bench/load_mass_incident.py`)",
        "",
        machine(),
        "- free -h:",
        "",
        "```",
        subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip(),
        "```",
        "",
        f"{args.label}".strip(),
        "",
        f"Stack on this machine: gunicorn {args.workers} "
        + (f"gthread workers × {args.threads} threads" if args.threads > 1 else "sync workers")
        + " (DEBUG off), PostgreSQL (own database), "
        f"a throwaway Redis (broker, cache), Celery worker (prefork, {args.worker_concurrency}) and beat, "
        + (
            "PDF rendering in a worker of its own (concurrency 1, SCHED_IDLE: only when the CPU is otherwise idle), "
            if args.documents_worker
            else "PDF rendering in the same worker, "
        )
        + ("a worker of its own for the deadline sweeps (-Q timers), " if args.timers_worker else "")
        + "a local "
        "webhook receiver; the load generator (open model, fixed arrival rates, 256 sender threads) on the same "
        "2 cores. Four providers poll `GET /api/v1/calloffs/?state=offered&page_size=200` every second and accept "
        "every offer at once, except P1, which leaves every fifth unanswered (it expires after 1 minute and "
        "goes to P2). Each filing is what a browser does: form, POST (302), the call-off page. "
        f"Largest scheduling slip of a filing: {results['slip_max_ms']:.0f} ms.",
        "",
    ]
    for r in results["scenarios"].values():
        lines += [
            f"### {r['title']} ({r['filings']} filings over {r['window']:.0f} s; measured {r['seconds']:.0f} s "
            "until every offer was accepted and every notification delivered)",
            "",
            "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | offer gone (409/404) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in r["endpoints"]:
            errors = f"{row['errors']}" + (f" ({', '.join(row['error_kinds'])})" if row["errors"] else "")
            lines.append(
                f"| `{row['endpoint']}` | {row['requests']} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} "
                f"| {row['p99']:.0f} | {row['max']:.0f} | {errors} | {row['conflicts'] or ''} |"
            )
        w, e = r["webhook"], r["expiry"]
        lines += [
            "",
            f"- offer → webhook received (n={w['n']}): p50 {w['p50']:.0f} ms, p95 {w['p95']:.0f} ms, "
            f"p99 {w['p99']:.0f} ms, max {w['max']:.0f} ms; webhooks missing: {r['webhook_missing']}, "
            f"delivered more than once: {r['webhook_duplicates']}",
            f"- offer expiry after respond-by (n={e['n']}): p50 {e['p50']:.0f} ms, p99 {e['p99']:.0f} ms, "
            f"max {e['max']:.0f} ms",
            f"- call-offs afterwards (all scenarios so far): {r['states']}",
            "- CPU seconds used during the scenario, per filing: "
            + ", ".join(f"{k} {v / r['filings'] * 1000:.0f} ms" for k, v in r["cpu"].items())
            + f" (total {sum(r['cpu'].values()):.0f} s of CPU in {r['seconds']:.0f} s on 2 cores)",
            "",
        ]
    lines += ["Targets:", ""] + [f"- {'✅' if v else '❌'} {k}" for k, v in ok.items()]
    lines += [
        "",
        "Reproduce: `.venv/bin/python bench/load_mass_incident.py --write docs/BENCHMARKS.md` (about 12 minutes).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
