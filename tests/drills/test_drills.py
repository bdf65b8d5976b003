"""Outage drills on the real thing: PostgreSQL, a throwaway Redis, a Celery worker and beat, and a
gunicorn web process, each as in production (subprocesses), on the test database.

(a) Redis stops during a burst of 20 filings through the web form → every call-off is there and
    every notification is delivered exactly once (counted by webhook-id at the receiver) after Redis
    comes back.
(b) The worker is SIGKILLed and beat killed while offers fall due, both restarted → every deadline
    acted on exactly once, none skipped.
(c) The web worker is SIGKILLed in the middle of a filing (it waits on a lock) → no call-off; the
    browser's retry of the same form files exactly one, and a second retry still one.
(d) The database connection of the web worker is terminated mid-transaction (pg_terminate_backend
    while the filing waits on a lock) → a 503 page in German that says nothing was saved and lists
    the hotlines; nothing half-written; the retry files exactly one.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from calloffs.models import (
    CallOff,
    CallOffEvent,
    EventKind,
    Offer,
    OfferState,
)
from notifications.models import Channel, Notification, NotificationState, WebhookEndpoint
from tenants.models import AuditEntry
from tests.calloffs.test_bad_days import wait_until
from tests.drills.harness import Browser, RowLock, WebServer, backends_waiting_for_a_lock, pg_connect, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

BURST = 20


def form_data(setup, org, **overrides) -> dict:
    data = {
        "client_token": str(uuid.uuid4()),
        "organisation": str(org.public_id),
        "category": "ransomware",
        "operations_halted": "yes",
        "situation": "Verschlüsselungstrojaner, Fileserver verschlüsselt.",
        "affected": "Fileserver",
        f"module_{setup.modules.remote.pk}": "40",
        "place_of_performance": "Rathaus",
        "callback_phone": "+49 171 1234567",
        "callback_email": "it-notfall@example.org",
    }
    data.update(overrides)
    return data


# --- (a) Redis down during a burst ---------------------------------------------------------------


def test_a_redis_outage_during_a_burst_of_filings_loses_and_doubles_nothing(
    setup, alice, org_a, make_stack, broker, receiver_factory
):
    stack = make_stack()
    receiver = receiver_factory()
    for provider in setup.providers:
        WebhookEndpoint.objects.create(owner=provider, url=receiver.url)
    stack.start_worker()
    stack.start_beat()
    browser = Client()
    browser.force_login(alice)

    broker.stop()
    started = time.monotonic()
    for _ in range(BURST):
        response = browser.post("/abrufe/neu/", form_data(setup, org_a))
        assert response.status_code == 302, response.content[:300]
    assert time.monotonic() - started < 30, "filing must not hang while Redis is down"
    assert CallOff.objects.count() == BURST
    assert Notification.objects.filter(state=NotificationState.DELIVERED).count() == 0

    time.sleep(2)  # the outage goes on for a while after the burst
    broker.start()
    wait_until(
        lambda: not Notification.objects.exclude(state=NotificationState.DELIVERED).exists(),
        60,
        stack,
        "every notification delivered after Redis came back",
    )
    hooks = set(Notification.objects.filter(channel=Channel.WEBHOOK).values_list("webhook_id", flat=True))
    assert len(hooks) == BURST  # one offer.created per call-off to the first provider
    time.sleep(1)  # anything sent twice would arrive now
    received = Counter(r["headers"]["webhook-id"] for r in receiver.requests)
    assert set(received) == hooks
    assert set(received.values()) == {1}, {k: v for k, v in received.items() if v > 1}
    numbers = sorted(CallOff.objects.values_list("number", flat=True))
    assert len(set(numbers)) == BURST
    assert Counter(CallOffEvent.objects.values_list("kind", flat=True))[EventKind.FILED] == BURST


# --- (b) Worker killed, beat restarted, while deadlines fall due --------------------------------


def test_deadlines_falling_due_while_worker_and_beat_are_down_are_each_acted_on_once(setup, file_calloff, make_stack):
    calloffs = [file_calloff() for _ in range(12)]
    sentinel = file_calloff()
    stack = make_stack()
    stack.start_worker()
    stack.start_beat()
    # The stack is live once it expires an offer that is due now.
    Offer.objects.filter(calloff=sentinel).update(respond_by=timezone.now())
    wait_until(
        lambda: Offer.objects.filter(calloff=sentinel, state=OfferState.EXPIRED).exists(),
        40,
        stack,
        "the deadline sweep running",
    )
    now = timezone.now()
    for i, calloff in enumerate(calloffs):  # due 1 … 6.5 s from now, every half second
        due = now + timedelta(seconds=1 + i / 2)
        Offer.objects.filter(calloff=calloff, state=OfferState.OPEN).update(respond_by=due)
    first = [c.pk for c in calloffs]
    wait_until(
        lambda: Offer.objects.filter(calloff_id__in=first, state=OfferState.EXPIRED).exists(),
        20,
        stack,
        "the first deadlines acted on",
    )
    stack.kill_worker()  # SIGKILL, mid-sweep or between sweeps
    os.killpg(stack.beat.pid, signal.SIGKILL)
    stack.beat.wait(timeout=10)
    time.sleep(4)  # deadlines fall due while nothing runs
    assert Offer.objects.filter(calloff_id__in=first, state=OfferState.OPEN, respond_by__lt=timezone.now()).exists()
    stack.start_worker()
    stack.start_beat()
    wait_until(
        lambda: not Offer.objects.filter(calloff_id__in=first, sequence=1, state=OfferState.OPEN).exists(),
        45,
        stack,
        "every deadline acted on after the restart",
    )
    for calloff in calloffs:
        offers = list(Offer.objects.filter(calloff=calloff).order_by("sequence"))
        assert [(o.sequence, o.state) for o in offers] == [(1, OfferState.EXPIRED), (2, OfferState.OPEN)], offers
        assert offers[1].provider == setup.providers[1]
        kinds = Counter(CallOffEvent.objects.filter(calloff=calloff).values_list("kind", flat=True))
        assert kinds[EventKind.EXPIRED] == 1 and kinds[EventKind.OFFERED] == 2, kinds
    expired_logged = AuditEntry.objects.filter(action="calloff.expired", target__in=[c.number for c in calloffs])
    assert expired_logged.count() == len(calloffs)


# --- (c) The web worker killed mid-request -------------------------------------------------------


def _post_in_thread(browser: Browser, form: dict) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run():
        try:
            result["response"] = browser.post("/abrufe/neu/", form, timeout=40)
        except Exception as exc:  # noqa: BLE001 - the connection is cut: that is the point
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_a_web_worker_killed_mid_filing_files_nothing_and_the_retry_files_once(setup, alice, tmp_path):
    server = WebServer(tmp_path)
    try:
        browser = Browser(server, alice)
        form = browser.filing_form(setup)
        lock = RowLock("calloffs_frameworkcontract", setup.contract.pk)
        pg = pg_connect()
        try:
            thread, result = _post_in_thread(browser, form)
            wait_for(lambda: backends_waiting_for_a_lock(pg), 20, "the filing waiting on the contract row")
            killed = server.kill_worker(signal.SIGKILL)
            thread.join(20)
            assert "error" in result or result["response"][0] >= 500, result
        finally:
            lock.release()
        # The killed worker's backend gets the lock, cannot answer and rolls back.
        wait_for(lambda: not backends_waiting_for_a_lock(pg), 20, "the dead worker's transaction gone")
        assert CallOff.objects.count() == 0
        assert not CallOffEvent.objects.exists()
        wait_for(lambda: server.workers() and killed not in server.workers(), 20, "gunicorn's new worker")

        status, response, _body = browser.post("/abrufe/neu/", form)  # the same form: the same token
        assert status == 302, server.output()
        calloff = CallOff.objects.get()
        assert response.headers["Location"].endswith(f"{calloff.public_id}/")
        status, again, _body = browser.post("/abrufe/neu/", form)  # the answer was lost: send it once more
        assert status == 302 and again.headers["Location"] == response.headers["Location"]
        assert CallOff.objects.count() == 1
        assert Counter(CallOffEvent.objects.values_list("kind", flat=True))[EventKind.FILED] == 1
        pg.close()
    finally:
        server.stop()


# --- (d) The database connection dropped mid-transaction -----------------------------------------


def test_a_dropped_database_connection_mid_filing_is_a_clear_503_and_nothing_is_half_written(setup, alice, tmp_path):
    server = WebServer(tmp_path)
    try:
        server.request("GET", "/ready/")  # caches the hotlines for the outage page (as the probes do)
        browser = Browser(server, alice)
        form = browser.filing_form(setup)
        pg = pg_connect()
        lock = RowLock("calloffs_frameworkcontract", setup.contract.pk)
        try:
            thread, result = _post_in_thread(browser, form)
            (pid,) = wait_for(lambda: backends_waiting_for_a_lock(pg), 20, "the filing waiting on the contract row")
            with pg.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(%s)", [pid])
            thread.join(20)
        finally:
            lock.release()
        assert "response" in result, result
        status, response, body = result["response"]
        html = body.decode()
        assert status == 503, html[:2000]
        assert "Der Dienst ist gerade nicht erreichbar – Ihre Angaben wurden nicht gespeichert." in html
        assert setup.providers[0].hotline in html
        assert "Traceback" not in html and "OperationalError" not in html
        assert response.headers["Retry-After"]
        assert CallOff.objects.count() == 0
        assert not CallOffEvent.objects.exists()
        assert not AuditEntry.objects.filter(action__startswith="calloff.").exists()

        status, response, _body = browser.post("/abrufe/neu/", form)  # the worker reconnects
        assert status == 302, server.output()
        assert CallOff.objects.count() == 1
        pg.close()
    finally:
        server.stop()
