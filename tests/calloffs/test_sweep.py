"""The deadline sweep (offer expiry, SLA breaches), the outbox sweep, the auditor and /health/."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from calloffs import services
from calloffs.models import (
    AlertKind,
    CallOffEvent,
    CallOffState,
    EventKind,
    Milestone,
    MinistryAlert,
    OfferState,
    SLABreach,
)
from calloffs.services.audit import timers_audit
from calloffs.tasks.sweep import LAST_DEADLINE_SWEEP_KEY, sweep_deadlines
from notifications.models import Channel, DeliveryAttempt, Notification, NotificationState, source_of
from notifications.services import notification_claim, notifications_release_lost
from notifications.tasks import sweep_outbox

pytestmark = pytest.mark.django_db


def test_an_offer_past_its_respond_by_goes_to_the_next_provider(file_calloff, setup):
    calloff = file_calloff()
    first = calloff.offers.get()

    with time_machine.travel(first.respond_by - timedelta(seconds=1)):
        assert services.deadlines_sweep() == {"expired": 0, "breaches": 0}
    with time_machine.travel(first.respond_by + timedelta(milliseconds=300)):
        assert sweep_deadlines() == {"expired": 1, "breaches": 0}
        assert services.deadlines_sweep() == {"expired": 0, "breaches": 0}  # acted on once

    first.refresh_from_db()
    calloff.refresh_from_db()
    assert first.state == OfferState.EXPIRED
    second = calloff.offers.get(state=OfferState.OPEN)
    assert second.provider == setup.providers[1] and second.sequence == 2
    assert calloff.state == CallOffState.OFFERED
    assert calloff.events.filter(kind=EventKind.EXPIRED).count() == 1
    assert cache.get(LAST_DEADLINE_SWEEP_KEY)


def test_an_accepted_offer_is_not_expired(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    offer = calloff.offers.get()
    with time_machine.travel(offer.respond_by + timedelta(hours=1)):
        services.deadlines_sweep()
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED
    assert not calloff.events.filter(kind=EventKind.EXPIRED).exists()


def test_the_last_expiry_leaves_the_calloff_unassigned(file_calloff, setup):
    calloff = file_calloff()
    for _ in range(3):  # P1, P2, P3 (P4 does not serve the region)
        offer = calloff.offers.get(state=OfferState.OPEN)
        with time_machine.travel(offer.respond_by + timedelta(seconds=1)):
            services.deadlines_sweep()
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.UNASSIGNED
    assert MinistryAlert.objects.filter(calloff=calloff, kind=AlertKind.UNASSIGNED).count() == 1


def test_a_missed_milestone_becomes_one_breach_notified_to_all(drive, setup, ministry):
    calloff = drive(CallOffState.ACCEPTED)
    due = calloff.callback_due_at

    with time_machine.travel(due + timedelta(seconds=1)):
        assert services.deadlines_sweep()["breaches"] == 1
        assert services.deadlines_sweep()["breaches"] == 0

    breach = SLABreach.objects.get(calloff=calloff)
    assert breach.milestone == Milestone.CALLBACK and breach.due_at == due and breach.late_by is None
    event = calloff.events.get(kind=EventKind.SLA_BREACHED)
    assert event.data["milestone"] == "callback" and event.provider == setup.providers[0]
    alert = MinistryAlert.objects.get(calloff=calloff, kind=AlertKind.SLA_BREACH)
    assert Notification.objects.filter(source=source_of(alert), recipient="ministerium@example.org").exists()
    sla_rows = Notification.objects.filter(source=source_of(event))
    assert sla_rows.filter(audience="body", channel=Channel.SMS).exists()
    assert sla_rows.filter(audience="provider", channel=Channel.EMAIL).exists()

    # Reported late afterwards: the same breach records how late.
    with time_machine.travel(due + timedelta(minutes=12)):
        services.calloff_record_milestone(
            calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], kind=EventKind.CALLBACK_MADE
        )
    breach.refresh_from_db()
    assert breach.late_by == timedelta(minutes=12)


def test_every_missed_milestone_is_a_breach_of_its_own(drive, setup):
    calloff = drive(CallOffState.IN_PROGRESS)
    with time_machine.travel(calloff.onsite_due_at + timedelta(seconds=1)):
        assert services.deadlines_sweep()["breaches"] == 3
    assert set(SLABreach.objects.filter(calloff=calloff).values_list("milestone", flat=True)) == set(Milestone.values)


def test_a_reported_milestone_stops_its_clock(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    services.calloff_record_milestone(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], kind=EventKind.CALLBACK_MADE
    )
    with time_machine.travel(calloff.callback_due_at + timedelta(minutes=1)):
        assert services.deadlines_sweep()["breaches"] == 0
    assert not SLABreach.objects.exists()


@pytest.mark.parametrize("state", [CallOffState.COMPLETED, CallOffState.CANCELLED])
def test_no_breach_once_the_work_is_over(drive, state):
    calloff = drive(state)
    if calloff.onsite_due_at is None:
        return  # cancelled before acceptance: no clock ever ran
    with time_machine.travel(calloff.onsite_due_at + timedelta(minutes=1)):
        assert services.deadlines_sweep()["breaches"] == 0


def test_a_calloff_locked_by_someone_else_is_left_to_the_next_sweep(file_calloff):
    calloff = file_calloff()
    offer = calloff.offers.get()
    from calloffs.models import CallOff

    with (
        mock.patch("calloffs.services.common.CallOff.objects.select_for_update") as sfu,
        time_machine.travel(offer.respond_by + timedelta(seconds=1)),
    ):
        sfu.return_value.select_related.return_value.get.side_effect = CallOff.DoesNotExist
        assert services.offer_expire(offer=offer, skip_locked=True) is False
    offer.refresh_from_db()
    assert offer.state == OfferState.OPEN


# --- Outbox sweep ---------------------------------------------------------------------------------


def test_a_delivery_lost_with_its_worker_is_repeated(file_calloff, setup):
    calloff = file_calloff()
    row = Notification.objects.filter(calloff=calloff, channel=Channel.EMAIL).get()
    claimed = notification_claim(notification_id=row.pk)  # ... and the worker is killed here
    assert claimed.state == NotificationState.DELIVERING
    assert notifications_release_lost() == 0  # the lease has not run out

    with (
        time_machine.travel(claimed.lease_until + timedelta(seconds=1)),
        mock.patch("celery.current_app.send_task") as send_task,
    ):
        assert sweep_outbox() == {"released": 1, "requeued": 1}
    assert send_task.call_args.kwargs["args"] == (row.pk,)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED and row.attempts == 1
    assert "Worker" in DeliveryAttempt.objects.get(notification=row).error


def test_a_late_finish_of_a_released_attempt_does_not_overwrite_the_new_one(file_calloff):
    from notifications.services import notification_finish

    row = Notification.objects.filter(calloff=file_calloff(), channel=Channel.EMAIL).get()
    stale = notification_claim(notification_id=row.pk)
    with time_machine.travel(stale.lease_until + timedelta(seconds=1)):
        notifications_release_lost()
        fresh = notification_claim(notification_id=row.pk)
        assert fresh.attempts == 2
        notification_finish(notification=stale, ok=False, error="zu spät")  # the zombie reports back
    row.refresh_from_db()
    assert row.state == NotificationState.DELIVERING and row.attempts == 2


# --- Auditor and health -----------------------------------------------------------------------------


def test_the_auditor_alerts_once_about_an_offer_nobody_expired(file_calloff, ministry):
    calloff = file_calloff()
    offer = calloff.offers.get()
    Notification.objects.update(state=NotificationState.DELIVERED)
    with time_machine.travel(offer.respond_by + timedelta(seconds=30)):
        assert timers_audit().alerts == 0  # within the grace minute
    with time_machine.travel(offer.respond_by + timedelta(seconds=61)):
        report = timers_audit()
        assert report.stuck_offers == [calloff.pk] and report.alerts == 1
        assert timers_audit().alerts == 0  # not again while unacknowledged
    alert = MinistryAlert.objects.get(kind=AlertKind.STUCK, calloff=calloff)
    assert Notification.objects.filter(source=source_of(alert), recipient="ministerium@example.org").exists()


def test_the_auditor_alerts_about_stuck_notifications(file_calloff, ministry):
    file_calloff()
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        report = timers_audit()
        assert report.stuck_notifications == 1 and report.alerts == 1  # the offer's e-mail to P1
        assert timers_audit().alerts == 0  # one summary per hour
    with time_machine.travel(timezone.now() + timedelta(hours=80)):
        timers_audit()  # still undelivered beyond the retry plan: a new summary after the hour
    assert MinistryAlert.objects.filter(kind=AlertKind.STUCK, calloff=None).count() == 2


def test_nothing_stuck_nothing_said(drive):
    drive(CallOffState.IN_PROGRESS)
    Notification.objects.update(state=NotificationState.DELIVERED)
    assert timers_audit().alerts == 0


def test_health_reports_the_age_of_the_last_sweep(client, file_calloff):
    assert client.get("/health/").json()["checks"]["deadline_sweep_age_seconds"] is None
    sweep_deadlines()
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        age = client.get("/health/").json()["checks"]["deadline_sweep_age_seconds"]
    assert 2.5 <= age <= 4


def test_sweeps_leave_an_audit_trail_of_the_system_not_a_person(file_calloff):
    calloff = file_calloff()
    offer = calloff.offers.get()
    with time_machine.travel(offer.respond_by + timedelta(seconds=1)):
        services.deadlines_sweep()
    assert CallOffEvent.objects.get(calloff=calloff, kind=EventKind.EXPIRED).actor is None


def test_a_lone_sweep_covers_every_share_and_a_busy_share_is_left_to_its_sweeper(file_calloff, settings):
    from calloffs.tasks.sweep import SWEEP_SLOT_KEY

    settings.DEADLINE_SWEEP_SLOTS = 2
    calloffs = [file_calloff() for _ in range(4)]
    latest = max(c.offers.get().respond_by for c in calloffs)
    with time_machine.travel(latest + timedelta(seconds=1)):
        cache.add(f"{SWEEP_SLOT_KEY}:0", "1")  # another sweep works on the even call-offs
        busy = sweep_deadlines()
        assert busy["expired"] == sum(1 for c in calloffs if c.pk % 2 == 1)
        assert all(c.offers.get(sequence=1).state == OfferState.OPEN for c in calloffs if c.pk % 2 == 0)
        cache.delete(f"{SWEEP_SLOT_KEY}:0")
        assert sweep_deadlines()["expired"] == sum(1 for c in calloffs if c.pk % 2 == 0)
    assert all(c.offers.get(sequence=1).state == OfferState.EXPIRED for c in calloffs)


def test_a_share_held_by_a_worker_that_died_mid_sweep_is_swept_within_seconds(file_calloff, settings):
    from calloffs.tasks.sweep import SWEEP_SLOT_KEY, SWEEP_SLOT_TTL

    # An in-process cache, whose expiry follows the travelled clock (Redis keeps its own time).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "slots"}}
    offer = file_calloff().offers.get()
    with time_machine.travel(offer.respond_by - timedelta(seconds=2), tick=False) as traveller:
        for slot in range(settings.DEADLINE_SWEEP_SLOTS):  # the dead worker's slot locks, never released
            cache.add(f"{SWEEP_SLOT_KEY}:{slot}", "1", timeout=SWEEP_SLOT_TTL)
        traveller.shift(3)  # the offer is due; the locks still stand
        assert sweep_deadlines()["expired"] == 0
        traveller.shift(10)  # a deadline held back by a dead worker is late by seconds, not a minute
        assert sweep_deadlines()["expired"] == 1
