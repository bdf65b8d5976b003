"""After assignment: start, complete, close (confirming proof of work), cancel; time entries."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from calloffs import services
from calloffs.errors import InvalidInput, NotPermitted, OfferNotOpen
from calloffs.models import CallOff, CallOffState, ContractStatus, EventKind, OfferState, TimeEntry
from tests.calloffs.factories import FrameworkContractFactory, RoleRateFactory

pytestmark = pytest.mark.django_db


def add_time(calloff, setup, **kwargs):
    kwargs.setdefault("provider", setup.providers[0])
    kwargs.setdefault("actor", setup.staff[0])
    kwargs.setdefault("date", timezone.localdate())
    kwargs.setdefault("hours", "7.5")
    kwargs.setdefault("role", setup.roles.lead)
    kwargs.setdefault("description", "Analyse der Firewall-Logs")
    return services.time_entry_add(calloff=calloff, **kwargs)


def test_the_whole_way_through(drive, setup, alice):
    calloff = drive(CallOffState.COMPLETED)
    add_time(calloff, setup)

    services.calloff_close(calloff=calloff, actor=alice)

    calloff.refresh_from_db()
    assert calloff.state == CallOffState.CLOSED
    assert calloff.accepted_at <= calloff.started_at <= calloff.completed_at <= calloff.closed_at
    assert calloff.completion_summary == "Systeme bereinigt."
    kinds = list(calloff.events.exclude(kind=EventKind.TIME_ENTRY_ADDED).values_list("kind", flat=True))
    assert kinds == ["filed", "offered", "accepted", "started", "completed", "closed"]


def test_closing_confirms_the_proof_of_work(drive, setup, alice):
    calloff = drive(CallOffState.COMPLETED)
    first = add_time(calloff, setup)
    second = add_time(calloff, setup, role=setup.roles.handler, hours=3)
    services.time_entry_confirm(entry=first, actor=alice)
    first.refresh_from_db()
    confirmed_at = first.confirmed_at

    services.calloff_close(calloff=calloff, actor=alice)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.confirmed_at == confirmed_at  # kept its own confirmation
    assert second.confirmed_at is not None and second.confirmed_by == alice
    assert calloff.events.get(kind=EventKind.CLOSED).data["confirmed_time_entries"] == 1


def test_bob_the_read_only_member_cannot_close_or_cancel(drive, setup, bob):
    completed = drive(CallOffState.COMPLETED)
    with pytest.raises(NotPermitted):
        services.calloff_close(calloff=completed, actor=bob)
    offered = drive(CallOffState.OFFERED)
    with pytest.raises(NotPermitted):
        services.calloff_cancel(calloff=offered, actor=bob, reason="x")
    assert CallOff.objects.get(pk=completed.pk).state == CallOffState.COMPLETED
    assert CallOff.objects.get(pk=offered.pk).state == CallOffState.OFFERED


def test_charlie_cannot_touch_the_call_offs_of_another_body(drive, setup, charlie):
    calloff = drive(CallOffState.COMPLETED)
    with pytest.raises(NotPermitted):
        services.calloff_close(calloff=calloff, actor=charlie)
    entry = TimeEntry.objects.create(
        calloff=calloff,
        provider=setup.providers[0],
        date=timezone.localdate(),
        hours=1,
        role=setup.roles.lead,
        description="x",
        value=Decimal("250"),
    )
    with pytest.raises(NotPermitted):
        services.time_entry_confirm(entry=entry, actor=charlie)
    with pytest.raises(NotPermitted):
        services.calloff_cancel(calloff=drive(CallOffState.OFFERED), actor=charlie, reason="x")


def test_the_provider_cannot_close_or_cancel(drive, setup):
    with pytest.raises(NotPermitted):
        services.calloff_close(calloff=drive(CallOffState.COMPLETED), actor=setup.staff[0])
    with pytest.raises(NotPermitted):
        services.calloff_cancel(calloff=drive(CallOffState.ACCEPTED), actor=setup.staff[0], reason="x")


def test_another_provider_cannot_work_on_the_call_off(drive, setup):
    calloff = drive(CallOffState.ACCEPTED)
    p2, s2 = setup.providers[1], setup.staff[1]
    with pytest.raises(NotPermitted):
        services.calloff_start(calloff=calloff, provider=p2, actor=s2)
    with pytest.raises(NotPermitted):
        services.calloff_complete(calloff=calloff, provider=p2, actor=s2, summary="x")
    with pytest.raises(NotPermitted):
        add_time(calloff, setup, provider=p2, actor=s2)
    with pytest.raises(NotPermitted):  # staff of P2 claiming to act for P1
        services.calloff_start(calloff=calloff, provider=setup.providers[0], actor=s2)


def test_completing_needs_a_summary(drive, setup):
    calloff = drive(CallOffState.IN_PROGRESS)
    with pytest.raises(InvalidInput):
        services.calloff_complete(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], summary="")


# --- Cancelling ------------------------------------------------------------------------------


def test_cancelling_withdraws_the_open_offer(drive, setup, alice):
    calloff = drive(CallOffState.OFFERED)

    services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm: Wartungsarbeiten")

    calloff.refresh_from_db()
    assert calloff.state == CallOffState.CANCELLED and calloff.cancel_reason == "Fehlalarm: Wartungsarbeiten"
    assert calloff.offers.get().state == OfferState.WITHDRAWN
    assert calloff.events.filter(kind=EventKind.WITHDRAWN, provider=setup.providers[0]).exists()
    with pytest.raises(OfferNotOpen):
        services.offer_accept(
            calloff=calloff,
            provider=setup.providers[0],
            actor=setup.staff[0],
            lead_name="L",
            lead_phone="+49 211 1234567",
        )


def test_cancelling_needs_a_reason(drive, alice):
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(InvalidInput):
        services.calloff_cancel(calloff=calloff, actor=alice, reason="  ")
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.ACCEPTED


def test_the_ministry_and_a_body_admin_may_cancel(drive, ministry, body_admin):
    assert (
        services.calloff_cancel(
            calloff=drive(CallOffState.IN_PROGRESS), actor=ministry, reason="Doppelt gemeldet"
        ).state
        == CallOffState.CANCELLED
    )
    assert (
        services.calloff_cancel(calloff=drive(CallOffState.UNASSIGNED), actor=body_admin, reason="Selbst gelöst").state
        == CallOffState.CANCELLED
    )


# --- Time entries ----------------------------------------------------------------------------


def test_a_time_entry_is_valued_at_the_role_rate(drive, setup):
    calloff = drive(CallOffState.IN_PROGRESS)

    entry = add_time(calloff, setup, hours="7.5", service_module=setup.modules.remote)

    assert entry.value == Decimal("1875.00")  # 7.5 h × 250 €/h
    assert (entry.provider, entry.created_by, entry.confirmed_at) == (setup.providers[0], setup.staff[0], None)
    event = calloff.events.get(kind=EventKind.TIME_ENTRY_ADDED)
    assert event.data["value"] == "1875.00"


@pytest.mark.parametrize("hours", [0, "-1", "24.01", 25])
def test_hours_must_be_within_a_day(drive, setup, hours):
    with pytest.raises(InvalidInput) as exc:
        add_time(drive(CallOffState.ACCEPTED), setup, hours=hours)
    assert exc.value.field == "hours"
    assert not TimeEntry.objects.exists()


def test_24_hours_are_allowed(drive, setup):
    assert add_time(drive(CallOffState.ACCEPTED), setup, hours=24).hours == Decimal("24.00")


def test_a_time_entry_cannot_lie_in_the_future(drive, setup):
    with pytest.raises(InvalidInput, match="Zukunft"):
        add_time(drive(CallOffState.ACCEPTED), setup, date=timezone.localdate() + timedelta(days=1))


def test_a_time_entry_cannot_predate_the_call_off(setup, drive):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(InvalidInput, match="vor der Stellung"):
        add_time(calloff, setup, date=timezone.localdate() - timedelta(days=4))
    assert add_time(calloff, setup, date=timezone.localdate() - timedelta(days=3)).pk


def test_a_role_of_another_contract_is_refused(drive, setup):
    foreign = RoleRateFactory(contract=FrameworkContractFactory(status=ContractStatus.DRAFT), name="Fremd")
    with pytest.raises(InvalidInput) as exc:
        add_time(drive(CallOffState.ACCEPTED), setup, role=foreign)
    assert exc.value.field == "role"


def test_the_body_confirms_a_time_entry_once(drive, setup, alice, bob):
    entry = add_time(drive(CallOffState.IN_PROGRESS), setup)
    with pytest.raises(NotPermitted):
        services.time_entry_confirm(entry=entry, actor=bob)
    with pytest.raises(NotPermitted):
        services.time_entry_confirm(entry=entry, actor=setup.staff[0])

    first = services.time_entry_confirm(entry=entry, actor=alice)
    again = services.time_entry_confirm(entry=entry, actor=alice)

    assert first.confirmed_by == alice and again.confirmed_at == first.confirmed_at
    assert entry.calloff.events.filter(kind=EventKind.TIME_ENTRY_CONFIRMED).count() == 1
