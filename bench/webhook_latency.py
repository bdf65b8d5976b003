"""Benchmark: offer committed → webhook received by a local receiver, on PostgreSQL, Redis and a
real Celery worker; beside a bare Celery task round trip measured in the same run.

    .venv/bin/python bench/webhook_latency.py [--calloffs 500] [--concurrency 4] [--write docs/BENCHMARKS.md]

1. Starts a throwaway redis-server (free port), creates a fresh database (BENCH_DATABASE_URL,
   default postgres://postgres@127.0.0.1:5432/digisos_bench_notify; dropped and recreated) and
   migrates it; seeds one body, the contract with SLA terms, one provider with a webhook
   endpoint pointing to a receiver in this process.
2. Starts a Celery worker (prefork, ``--concurrency``) and beat, as in production.
3. Baseline: ``bench.ping`` tasks (enqueue → worker → POST to the receiver, nothing else), sent
   at the same pace as the filings below.
4. Files ``--calloffs`` call-offs through ``calloff_file`` (the service the web form and the API
   use), one after another. "Committed" is the moment the filing transaction committed (the
   first on-commit callback, ``calloff_event_recorded``); "received" is the arrival of the
   call-off's ``offer.created`` webhook at the receiver (signed, SSRF-checked, logged).
5. Prints p50/p90/p99/max and writes a section of docs/BENCHMARKS.md with ``--write``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.notify_harness import (  # noqa: E402
    Celery,
    Receiver,
    configure_env,
    fresh_database,
    machine,
    seed_bench_contract,
    start_redis,
    summary_ms,
    write_section,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/digisos_bench_notify"


def seed(receiver_url: str):
    from notifications.models import WebhookEndpoint
    from tenants.models import Membership, Role

    seeded = seed_bench_contract(reference="BENCH-1")
    WebhookEndpoint.objects.create(owner=seeded.providers[0], url=receiver_url)
    Membership.objects.create(user=seeded.user, organisation=seeded.body, role=Role.CALLER)
    return seeded.body, seeded.user, seeded.module


def row(label: str, stats: dict) -> str:
    return f"| {label} | {stats['n']} | {stats['p50']} ms | {stats['p90']} ms | {stats['p99']} ms | {stats['max']} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calloffs", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    machine_info = machine()
    tmp = Path(tempfile.mkdtemp(prefix="digisos-bench-webhook-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_proc, redis_port = start_redis(tmp)
    receiver = Receiver()
    env = configure_env(database_url=database_url, redis_port=redis_port, tmp=tmp)
    fresh_database(database_url)

    import django

    django.setup()
    from celery import current_app
    from django.core.management import call_command
    from django.db.models import Count

    from calloffs.models import CallOffEvent, EventKind
    from calloffs.services import calloff_file
    from calloffs.signals import calloff_event_recorded
    from notifications.models import Notification

    call_command("migrate", verbosity=0)
    body, user, module = seed(receiver.url)

    committed: dict[int, float] = {}

    def on_event(sender, event_id, **kwargs):
        committed.setdefault(event_id, time.time())

    calloff_event_recorded.connect(on_event, weak=False)

    celery = Celery(env, tmp)
    celery.worker(args.concurrency, include="bench.celery_ping")
    celery.beat()
    try:
        # Wait for the worker: the first ping that arrives.
        current_app.send_task("bench.ping", args=(receiver.url, "ready"))
        if not receiver.wait_for(1, 60):
            raise SystemExit(f"worker did not start; see {tmp}/worker-w.log")

        def file_one():
            return calloff_file(
                organisation=body,
                actor=user,
                client_token=uuid.uuid4(),
                category="ransomware",
                situation="Fileserver verschlüsselt.",
                callback_phone="+49 171 1234567",
                services=[(module, 10)],
                operations_halted=True,
            )

        for _ in range(args.warmup):
            file_one()
        receiver.wait_for(1 + args.warmup, 60)
        time.sleep(1)

        # The filings.
        numbers: dict[str, float] = {}
        started = time.monotonic()
        for _ in range(args.calloffs):
            calloff = file_one()
            filed = CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.FILED).values_list("pk", flat=True)[0]
            numbers[calloff.number] = committed[filed]
        filing_seconds = time.monotonic() - started
        expected = 1 + args.warmup * 1 + args.calloffs
        complete = receiver.wait_for(expected, 120)
        with receiver.lock:
            arrivals = dict(receiver.arrivals)
        latencies = []
        for at, raw, _headers in arrivals.values():
            if not raw.startswith(b'{"data"'):
                continue
            number = json.loads(raw)["data"]["calloff"]["number"]
            if number in numbers:
                latencies.append(at - numbers[number])
        pace = filing_seconds / args.calloffs

        # Baseline at the same pace.
        sent: dict[str, float] = {}
        for i in range(args.calloffs):
            key = f"ping-{i}"
            sent[key] = time.time()
            current_app.send_task("bench.ping", args=(receiver.url, key))
            time.sleep(pace)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with receiver.lock:
                got = [k for k in sent if k in receiver.arrivals]
            if len(got) == len(sent):
                break
            time.sleep(0.05)
        with receiver.lock:
            baseline = [receiver.arrivals[k][0] - sent[k] for k in sent if k in receiver.arrivals]
        states = dict(Notification.objects.values_list("state").annotate(n=Count("id")))
    finally:
        celery.stop()
        receiver.close()
        redis_proc.kill()

    result = {
        "webhook": summary_ms(latencies),
        "baseline": summary_ms(baseline),
        "filings_per_second": round(args.calloffs / filing_seconds, 1),
        "filing_ms_mean": round(pace * 1000, 1),
        "complete": complete,
        "notification_states": states,
    }
    print(json.dumps(result, indent=2))
    if args.write:
        w, b = result["webhook"], result["baseline"]
        text = f"""## Webhook latency: offer committed → webhook received (`bench/webhook_latency.py`)

{machine_info}
- load average at the end: {" ".join(f"{x:.2f}" for x in os.getloadavg())}

Command: `.venv/bin/python bench/webhook_latency.py --calloffs {args.calloffs} --concurrency {args.concurrency}`

Setup: PostgreSQL (fresh database), a throwaway Redis, one Celery worker (prefork,
concurrency {args.concurrency}) and beat on the same machine; a local receiver (http.server) in the
benchmark process. {args.calloffs} call-offs filed one after another through `calloff_file`
({result["filings_per_second"]} filings/s, {result["filing_ms_mean"]} ms each on average), after
{args.warmup} warm-up filings. Each filing writes two outbox rows (the webhook and the provider's
e-mail), both delivered by the same worker. "Committed" = the first on-commit callback of the
filing transaction; "received" = arrival of the signed `offer.created` webhook.

| | n | p50 | p90 | p99 | max |
| --- | ---: | ---: | ---: | ---: | ---: |
{row("offer committed → webhook received", w)}
{row("baseline: bare Celery task → POST (same pace)", b)}

Targets: p50 < 100 ms, p99 < 1 s. All {args.calloffs} webhooks arrived: {complete}.
Outbox afterwards: {states}.
"""
        write_section(args.write, "bench/webhook_latency.py", text)


if __name__ == "__main__":
    main()
