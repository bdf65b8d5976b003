"""Benchmark: how late are offers expired when 10,000 deadlines are pending?

    .venv/bin/python bench/expiry_lateness.py [--pending 10000] [--window 300] [--concurrency 2]
                                              [--write docs/BENCHMARKS.md]

1. Throwaway redis-server, fresh database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/digisos_bench_expiry; dropped and recreated), migrated.
2. Seeds the contract, a ranking of two providers and ``--pending`` call-offs, each with an open
   offer to the first provider (bulk inserts: the set-up is not what is measured). The
   respond-by times are spread evenly over ``--window`` seconds, starting ``--lead`` seconds
   after the worker is up; so ``pending / window`` deadlines fall due per second.
3. Starts a Celery worker (``--concurrency``, both queues) and beat: the deadline sweep runs every
   second and calls ``offer_expire`` for each due offer, which offers the call-off to the second
   provider and writes the outbox rows (e-mails to both providers, delivered by the same worker).
4. Lateness of one expiry = the time recorded on its EXPIRED event (taken inside the expiring
   transaction) minus the offer's respond-by. Reports p50/p90/p99/max and the throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.notify_harness import (  # noqa: E402
    Celery,
    configure_env,
    fresh_database,
    machine,
    seed_bench_contract,
    start_redis,
    summary_ms,
    write_section,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/digisos_bench_expiry"


def seed_contract():
    from django.utils import timezone

    from incidents.models import Incident

    seeded = seed_bench_contract(reference="BENCH-EXP", providers=2)
    incident = Incident.objects.create(
        organisation=seeded.body, title="Bench", category="ransomware", became_aware_at=timezone.now()
    )
    return seeded.contract, seeded.version, seeded.module, seeded.providers, seeded.body, seeded.user, incident


def seed_pending(n: int, due: int, start: float, window: float, seeded) -> None:
    """n call-offs offered to provider 1; the first ``due`` respond-by times spread evenly over
    [start, start + window), the others an hour after the window (pending all along)."""
    from django.db import transaction
    from django.utils import timezone

    from calloffs.models import CallOff, CallOffService, CallOffState, Offer

    contract, version, module, providers, body, user, incident = seeded
    now = timezone.now()
    with transaction.atomic():
        calloffs = CallOff.objects.bulk_create(
            [
                CallOff(
                    number=f"BENCH-{i:06d}",
                    contract=contract,
                    organisation=body,
                    incident=incident,
                    ranking_version=version,
                    state=CallOffState.OFFERED,
                    priority="P1",
                    category="ransomware",
                    situation="Fileserver verschlüsselt.",
                    callback_phone="+49 171 1234567",
                    filed_by=user,
                    client_token=uuid.uuid4(),
                    submitted_at=now,
                    estimated_value=Decimal("2000"),
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
        CallOffService.objects.bulk_create(
            [
                CallOffService(
                    calloff=c, service_module=module, estimated_quantity=10, unit_price=module.price, value=2000
                )
                for c in calloffs
            ],
            batch_size=1000,
        )
        Offer.objects.bulk_create(
            [
                Offer(
                    calloff=c,
                    provider=providers[0],
                    rank=1,
                    sequence=1,
                    offered_at=now,
                    respond_by=datetime.fromtimestamp(
                        start + window * i / due if i < due else start + window + 3600 + i, tz=UTC
                    ),
                )
                for i, c in enumerate(calloffs)
            ],
            batch_size=1000,
        )


def row(label: str, stats: dict) -> str:
    return f"| {label} | {stats['n']} | {stats['p50']} ms | {stats['p90']} ms | {stats['p99']} ms | {stats['max']} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=10000)
    parser.add_argument("--due", type=int, default=2000, help="how many of them fall due during the run")
    parser.add_argument("--window", type=float, default=180.0, help="seconds over which those fall due")
    parser.add_argument("--lead", type=float, default=15.0, help="seconds before the first deadline")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    machine_info = machine()
    tmp = Path(tempfile.mkdtemp(prefix="digisos-bench-expiry-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_proc, redis_port = start_redis(tmp)
    env = configure_env(database_url=database_url, redis_port=redis_port, tmp=tmp)
    fresh_database(database_url)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db.models import Count

    from calloffs.models import CallOffEvent, EventKind, Offer, OfferState
    from calloffs.tasks.sweep import LAST_DEADLINE_SWEEP_KEY
    from notifications.models import Notification

    call_command("migrate", verbosity=0)
    seeded = seed_contract()

    celery = Celery(env, tmp)
    celery.worker(args.concurrency)
    celery.beat()
    try:
        deadline = time.monotonic() + 60
        while not cache.get(LAST_DEADLINE_SWEEP_KEY):
            if time.monotonic() > deadline:
                raise SystemExit(f"no deadline sweep ran; see {tmp}")
            time.sleep(0.2)
        start = time.time() + args.lead
        t = time.monotonic()
        seed_pending(args.pending, args.due, start, args.window, seeded)
        seed_seconds = time.monotonic() - t
        if time.time() > start:
            raise SystemExit(f"seeding took {seed_seconds:.1f} s, longer than --lead; raise --lead")
        print(
            f"{args.pending} pending deadlines seeded in {seed_seconds:.1f} s; first due in {start - time.time():.1f} s"
        )
        first = Offer.objects.filter(sequence=1, respond_by__lt=datetime.fromtimestamp(start + args.window, tz=UTC))
        deadline = time.monotonic() + args.lead + args.window + 300
        while first.filter(state=OfferState.OPEN).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(1)
        left = first.filter(state=OfferState.OPEN).count()
        still_pending = Offer.objects.filter(sequence=1, state=OfferState.OPEN).count()
        respond_by = {str(k): v for k, v in first.values_list("public_id", "respond_by")}
        expiries = Counter()
        expired_at = {}
        for data, at in CallOffEvent.objects.filter(kind=EventKind.EXPIRED).values_list("data", "at"):
            expiries[data["offer"]] += 1
            expired_at.setdefault(data["offer"], at)
        lateness = [(expired_at[o] - respond_by[o]).total_seconds() for o in expired_at if o in respond_by]
        early = sum(1 for x in lateness if x < 0)
        second = Offer.objects.filter(sequence=2, state=OfferState.OPEN).count()
        twice = sum(1 for n in expiries.values() if n > 1)
        outbox = dict(Notification.objects.values_list("state").annotate(n=Count("id")))
    finally:
        celery.stop()
        redis_proc.kill()

    stats = summary_ms(lateness)
    result = {
        "lateness": stats,
        "expired": len(lateness),
        "left_open": left,
        "pending_after": still_pending,
        "expired_early": early,
        "expired_twice": twice,
        "offered_to_next": second,
        "rate_per_second": round(args.due / args.window, 1),
        "slots": int(os.environ.get("DEADLINE_SWEEP_SLOTS", "2")),
        "outbox": outbox,
        "seed_seconds": round(seed_seconds, 1),
    }
    print(json.dumps(result, indent=2, default=str))
    if args.write:
        load = os.getloadavg()
        title = (
            f"Offer expiry lateness with {args.pending:,} pending deadlines, {args.due:,} due over {args.window:.0f} s"
        )
        text = f"""## {title} (`bench/expiry_lateness.py`)

{machine_info}
- load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}

Command: `.venv/bin/python bench/expiry_lateness.py --pending {args.pending} --due {args.due} --window {args.window:.0f}
--concurrency {args.concurrency}`

Setup: PostgreSQL (fresh database), a throwaway Redis, one Celery worker (prefork, concurrency
{args.concurrency}, both queues) and beat on the same machine. {args.pending:,} call-offs with an open
offer each (bulk-inserted): {args.due:,} of them with respond-by spread evenly over {args.window:.0f} s
({result["rate_per_second"]} deadlines per second), the other {args.pending - args.due:,} pending beyond the run.
The deadline sweep (beat, every second, {result["slots"]} shares) expires each offer through `offer_expire`,
which offers the call-off to the second provider and writes its outbox rows (e-mails to both
providers, delivered by the same worker meanwhile). Lateness = time on the EXPIRED event (taken in
the expiring transaction) minus respond-by.

| | n | p50 | p90 | p99 | max |
| --- | ---: | ---: | ---: | ---: | ---: |
{row("expiry lateness", stats)}

Target: p99 < 2 s. Expired: {len(lateness):,}; due but still open at the end: {left}; expired before
respond-by: {early}; one offer expired twice: {twice}; offered to the next provider: {second:,}; first
offers still pending (not yet due): {still_pending:,}. Outbox afterwards: {outbox}.
"""
        write_section(args.write, f"bench/expiry_lateness.py --due {args.due} --window {args.window:.0f}", text)


if __name__ == "__main__":
    main()
