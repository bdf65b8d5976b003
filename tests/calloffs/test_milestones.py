"""Milestones reported by the assigned provider: they stop SLA clocks and record lateness."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from calloffs import services
from calloffs.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from calloffs.models import CallOffState, EventKind, Milestone, SLABreach
from incidents.models import TimelineEntry

pytestmark = pytest.mark.django_db


def report(calloff, setup, kind, **kwargs):
    kwargs.setdefault("provider", setup.providers[0])
    kwargs.setdefault("actor", setup.staff[0])
    return services.calloff_record_milestone(calloff=calloff, kind=kind, **kwargs)


def test_a_callback_in_time_stops_the_clock_without_a_breach(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)

    event = report(calloff, setup, EventKind.CALLBACK_MADE)

    calloff.refresh_from_db()
    assert calloff.callback_made_at == event.data["at"]
    assert calloff.callback_made_at <= calloff.callback_due_at
    assert event.kind == EventKind.CALLBACK_MADE
    assert event.provider == setup.providers[0] and event.actor == setup.staff[0]
    assert event.data["milestone"] == Milestone.CALLBACK
    assert event.data["late_by_seconds"] == 0
    assert not SLABreach.objects.filter(calloff=calloff).exists()
    assert calloff.state == CallOffState.ACCEPTED  # a milestone does not move the lifecycle
    assert TimelineEntry.objects.filter(
        incident=calloff.incident, source=TimelineEntry.Source.PROVIDER, text__contains="Rückruf"
    ).exists()


def test_a_late_milestone_records_how_late(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    due = calloff.remote_start_due_at  # P1: 60 minutes after acceptance

    with time_machine.travel(due + timedelta(minutes=17, seconds=5)):
        event = report(calloff, setup, EventKind.REMOTE_STARTED)

    breach = SLABreach.objects.get(calloff=calloff, milestone=Milestone.REMOTE_START)
    assert breach.due_at == due
    assert breach.late_by == timedelta(minutes=17, seconds=5)
    assert breach.reported_at == due + timedelta(minutes=17, seconds=5)
    assert event.data["late_by_seconds"] == 17 * 60 + 5


def test_a_late_milestone_reported_with_an_earlier_time_is_late_only_by_that(drive, setup):
    calloff = drive(CallOffState.IN_PROGRESS)
    due = calloff.onsite_due_at

    with time_machine.travel(due + timedelta(hours=3)):
        report(calloff, setup, EventKind.ONSITE_ARRIVED, at=due + timedelta(minutes=10), text="Team im Rathaus")

    calloff.refresh_from_db()
    assert calloff.onsite_arrived_at == due + timedelta(minutes=10)
    assert SLABreach.objects.get(calloff=calloff, milestone=Milestone.ONSITE).late_by == timedelta(minutes=10)


def test_reporting_late_completes_the_breach_the_sweep_detected(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    due = calloff.callback_due_at
    detected = SLABreach.objects.create(
        calloff=calloff, milestone=Milestone.CALLBACK, due_at=due, detected_at=due + timedelta(seconds=1)
    )

    with time_machine.travel(due + timedelta(minutes=5)):
        report(calloff, setup, EventKind.CALLBACK_MADE)

    detected.refresh_from_db()
    assert detected.detected_at == due + timedelta(seconds=1)  # kept
    assert detected.late_by == timedelta(minutes=5)
    assert SLABreach.objects.filter(calloff=calloff).count() == 1


def test_each_milestone_is_reported_once(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    report(calloff, setup, EventKind.CALLBACK_MADE)

    with pytest.raises(TransitionNotAllowed):
        report(calloff, setup, EventKind.CALLBACK_MADE)
    assert calloff.events.filter(kind=EventKind.CALLBACK_MADE).count() == 1


def test_notes_need_text_and_may_repeat(drive, setup):
    calloff = drive(CallOffState.IN_PROGRESS)
    with pytest.raises(InvalidInput) as exc:
        report(calloff, setup, EventKind.NOTE, text="  ")
    assert exc.value.field == "text"

    report(calloff, setup, EventKind.NOTE, text="Domain-Controller isoliert.")
    report(calloff, setup, EventKind.NOTE, text="Backups geprüft.")

    assert list(calloff.events.filter(kind=EventKind.NOTE).values_list("reason", flat=True)) == [
        "Domain-Controller isoliert.",
        "Backups geprüft.",
    ]


def test_contained_is_stored(drive, setup):
    calloff = drive(CallOffState.IN_PROGRESS)
    report(calloff, setup, EventKind.CONTAINED)
    calloff.refresh_from_db()
    assert calloff.contained_at is not None


def test_unknown_kind_is_refused(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(InvalidInput) as exc:
        report(calloff, setup, "accepted")
    assert exc.value.field == "kind"


@pytest.mark.parametrize(
    ("at_offset", "message_part"),
    [(timedelta(minutes=30), "Zukunft"), (timedelta(days=-2), "vor der Annahme")],
)
def test_the_time_must_be_plausible(drive, setup, at_offset, message_part):
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(InvalidInput) as exc:
        report(calloff, setup, EventKind.CALLBACK_MADE, at=timezone.now() + at_offset)
    assert message_part in exc.value.message
    calloff.refresh_from_db()
    assert calloff.callback_made_at is None


def test_only_the_assigned_provider_reports(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(NotPermitted):
        report(calloff, setup, EventKind.CALLBACK_MADE, provider=setup.providers[1], actor=setup.staff[1])
    with pytest.raises(NotPermitted):  # staff of P2 pretending to be P1
        report(calloff, setup, EventKind.CALLBACK_MADE, actor=setup.staff[1])


def test_the_body_cannot_report_for_the_provider(drive, setup, alice):
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(NotPermitted):
        report(calloff, setup, EventKind.CALLBACK_MADE, actor=alice)


@pytest.mark.parametrize("state", [CallOffState.OFFERED, CallOffState.COMPLETED, CallOffState.CANCELLED])
def test_not_outside_the_work(drive, setup, state):
    calloff = drive(state)
    with pytest.raises((TransitionNotAllowed, NotPermitted)):
        report(calloff, setup, EventKind.NOTE, text="Hallo")
    assert not calloff.events.filter(kind=EventKind.NOTE).exists()


def test_it_refuses_to_run_inside_another_transaction(drive, setup):
    from django.db import transaction

    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(RuntimeError), transaction.atomic():
        report(calloff, setup, EventKind.CALLBACK_MADE)
