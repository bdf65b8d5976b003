"""Changing the scope (services, quantities) of an assigned call-off."""

from decimal import Decimal

import pytest

from calloffs import services
from calloffs.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from calloffs.models import AlertKind, CallOffEvent, CallOffState, EventKind, MinistryAlert

pytestmark = pytest.mark.django_db


def test_the_body_changes_the_scope_and_the_value_follows(drive, setup, alice):
    calloff = drive(CallOffState.IN_PROGRESS)
    calloff = services.calloff_change_scope(
        calloff=calloff, actor=alice, services=[(setup.modules.forensic, 10)], reason="Forensik statt Remote"
    )
    lines = list(calloff.services.values_list("service_module__code", "estimated_quantity", "unit_price", "value"))
    assert lines == [("FORENSIK", Decimal("10.00"), Decimal("230.00"), Decimal("2300.00"))]
    assert calloff.estimated_value == Decimal("2300.00") and calloff.state == CallOffState.IN_PROGRESS
    event = CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.SCOPE_CHANGED).get()
    assert event.reason == "Forensik statt Remote" and event.actor == alice
    assert event.data["before"] == [{"module": "IR-REMOTE", "quantity": "40.00", "value": "8400.00"}]
    assert event.data["estimated_value"] == "2300.00"


def test_the_ministry_may_change_the_scope(drive, setup, ministry):
    calloff = drive(CallOffState.ACCEPTED)
    services.calloff_change_scope(calloff=calloff, actor=ministry, services=[(setup.modules.remote, 8)], reason="x")
    calloff.refresh_from_db()
    assert calloff.estimated_value == Decimal("1680.00")


@pytest.mark.parametrize("who", ["bob", "charlie", "provider"])
def test_others_may_not(drive, setup, who, bob, charlie):
    actor = {"bob": bob, "charlie": charlie, "provider": setup.staff[0]}[who]
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(NotPermitted):
        services.calloff_change_scope(calloff=calloff, actor=actor, services=[(setup.modules.remote, 8)], reason="x")


@pytest.mark.parametrize("state", [CallOffState.OFFERED, CallOffState.COMPLETED, CallOffState.CANCELLED])
def test_only_while_assigned_and_open(drive, setup, alice, state):
    calloff = drive(state)
    with pytest.raises(TransitionNotAllowed):
        services.calloff_change_scope(calloff=calloff, actor=alice, services=[(setup.modules.remote, 8)], reason="x")


def test_a_reason_and_a_service_are_required(drive, setup, alice):
    calloff = drive(CallOffState.ACCEPTED)
    with pytest.raises(InvalidInput):
        services.calloff_change_scope(calloff=calloff, actor=alice, services=[(setup.modules.remote, 8)], reason=" ")
    with pytest.raises(InvalidInput):
        services.calloff_change_scope(calloff=calloff, actor=alice, services=[], reason="x")


def test_a_larger_scope_over_the_ceiling_is_flagged_and_reported(drive, setup, alice):
    calloff = drive(CallOffState.ACCEPTED)
    setup.contract.ceiling = setup.contract.estimated_value = Decimal("10000.00")
    setup.contract.save()
    calloff = services.calloff_change_scope(
        calloff=calloff, actor=alice, services=[(setup.modules.remote, 100)], reason="Mehr Aufwand"
    )
    assert calloff.exceeds_ceiling and calloff.estimated_value == Decimal("21000.00")
    assert MinistryAlert.objects.filter(kind=AlertKind.CEILING_EXCEEDED, calloff=calloff).exists()
