"""The baseline of bench/webhook_latency.py: a bare Celery task that POSTs to the receiver,
with no database, no outbox, no signature; loaded into the worker with ``--include``."""

import urllib3
from celery import shared_task


@shared_task(name="bench.ping", ignore_result=True)
def ping(url: str, bench_id: str) -> None:
    urllib3.request("POST", url, body=b"{}", headers={"x-bench-id": bench_id}, timeout=10, retries=False)
