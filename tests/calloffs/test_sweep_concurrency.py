"""Two sweepers at once on PostgreSQL (real row locks): every deadline is acted on exactly once."""

import threading
from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from calloffs import services
from calloffs.models import (
    CallOff,
    CallOffEvent,
    CallOffState,
    EventKind,
    MinistryAlert,
    Offer,
    OfferState,
    Provider,
    SLABreach,
)
from notifications.models import Notification, NotificationState
from notifications.services import notification_claim, notifications_requeue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(target, n=2, rounds=3):
    barrier = threading.Barrier(n)
    errors, results = [], []

    def work():
        try:
            barrier.wait(timeout=10)
            for _ in range(rounds):
                results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_sweepers_expire_each_offer_and_record_each_breach_once(setup, file_calloff):
    Provider.objects.update(capacity=100)
    with mock.patch("celery.current_app.send_task"):
        offered = [file_calloff() for _ in range(10)]
        running = []
        for _ in range(4):
            calloff = file_calloff()
            running.append(
                services.offer_accept(
                    calloff=calloff,
                    provider=setup.providers[0],
                    actor=setup.staff[0],
                    lead_name="Jana Keller",
                    lead_phone="+49 211 5550110",
                )
            )
        past = timezone.now() - timedelta(seconds=1)
        Offer.objects.filter(calloff__in=offered, state=OfferState.OPEN).update(respond_by=past)
        CallOff.objects.filter(pk__in=[c.pk for c in running]).update(callback_due_at=past, remote_start_due_at=past)

        results = run_in_threads(services.deadlines_sweep)

    assert sum(r["expired"] for r in results) == 10
    assert sum(r["breaches"] for r in results) == 8
    expired = Counter(CallOffEvent.objects.filter(kind=EventKind.EXPIRED).values_list("calloff_id", flat=True))
    assert expired == {c.pk: 1 for c in offered}
    for calloff in offered:
        assert list(calloff.offers.order_by("sequence").values_list("state", "sequence")) == [
            (OfferState.EXPIRED, 1),
            (OfferState.OPEN, 2),
        ]
        assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.OFFERED
    assert SLABreach.objects.count() == 8
    assert CallOffEvent.objects.filter(kind=EventKind.SLA_BREACHED).count() == 8
    assert MinistryAlert.objects.filter(kind="sla_breach").count() == 8


def test_a_provider_accepting_while_the_sweep_runs_wins_or_loses_cleanly(setup, file_calloff):
    """The accept and the expiry race on one call-off: exactly one of them happens."""
    with mock.patch("celery.current_app.send_task"):
        calloff = file_calloff()
        Offer.objects.filter(calloff=calloff).update(respond_by=timezone.now() + timedelta(milliseconds=50))
        barrier = threading.Barrier(2)
        outcome = {}

        def accept():
            barrier.wait()
            try:
                services.offer_accept(
                    calloff=calloff,
                    provider=setup.providers[0],
                    actor=setup.staff[0],
                    lead_name="Jana Keller",
                    lead_phone="+49 211 5550110",
                )
                outcome["accept"] = True
            except Exception as exc:  # noqa: BLE001
                outcome["accept"] = exc
            finally:
                connection.close()

        def sweep():
            barrier.wait()
            try:
                deadline = timezone.now() + timedelta(seconds=2)
                while timezone.now() < deadline and not outcome.get("swept"):
                    outcome["swept"] = services.deadlines_sweep()["expired"]
            finally:
                connection.close()

        threads = [threading.Thread(target=accept), threading.Thread(target=sweep)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

    first = calloff.offers.get(sequence=1)
    calloff.refresh_from_db()
    if first.state == OfferState.ACCEPTED:
        assert outcome["accept"] is True and calloff.state == CallOffState.ACCEPTED
        assert not CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.EXPIRED).exists()
    else:
        assert first.state == OfferState.EXPIRED
        assert outcome["accept"] is not True
        assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.EXPIRED).count() == 1
        assert not CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).exists()


def test_two_outbox_sweeps_and_two_workers_deliver_each_row_once(setup, file_calloff):
    with mock.patch("celery.current_app.send_task") as send_task:
        for _ in range(6):
            file_calloff()
        Notification.objects.update(queued_at=None)  # as if Redis had been down when they were filed
        send_task.reset_mock()
        requeued = run_in_threads(notifications_requeue, rounds=1)
        assert sorted(pk for ids in requeued for pk in ids) == sorted(Notification.objects.values_list("pk", flat=True))
        assert send_task.call_count == Notification.objects.count()

        pk = Notification.objects.order_by("pk").first().pk
        claims = run_in_threads(lambda: notification_claim(notification_id=pk), rounds=1)
    assert sum(1 for c in claims if c is not None) == 1
    assert Notification.objects.get(pk=pk).state == NotificationState.DELIVERING
