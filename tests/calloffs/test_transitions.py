"""Every service against every state: allowed moves land where they should, forbidden ones
raise the right domain error and change nothing (no state change, no event)."""

import pytest

from calloffs import services
from calloffs.errors import NotPermitted, OfferNotOpen, TransitionNotAllowed
from calloffs.models import TRANSITIONS, CallOff, CallOffEvent, CallOffState

pytestmark = pytest.mark.django_db

S = CallOffState
ALL_STATES = list(S)
# States the drive fixture reaches with P1 assigned.
ASSIGNED_TO_P1 = {S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED}


def _accept(c, st, p):
    return services.offer_accept(
        calloff=c, provider=st.providers[0], actor=st.staff[0], lead_name="L", lead_phone="+49 211 1234567"
    )


def _decline(c, st, p):
    return services.offer_decline(calloff=c, provider=st.providers[0], actor=st.staff[0], reason="Kein Team frei")


def _assign(c, st, p):
    return services.calloff_assign_manually(
        calloff=c, provider=st.providers[1], actor=p.ministry, reason="Ausnahme genehmigt"
    )


def _start(c, st, p):
    return services.calloff_start(calloff=c, provider=st.providers[0], actor=st.staff[0])


def _complete(c, st, p):
    return services.calloff_complete(calloff=c, provider=st.providers[0], actor=st.staff[0], summary="Erledigt")


def _close(c, st, p):
    return services.calloff_close(calloff=c, actor=p.alice)


def _cancel(c, st, p):
    return services.calloff_cancel(calloff=c, actor=p.alice, reason="Fehlalarm")


def _report_lead(c, st, p):
    return services.calloff_report_lead(
        calloff=c, provider=st.providers[0], actor=st.staff[0], lead_name="Neu", lead_phone="+49 211 7654321"
    )


def _add_time(c, st, p):
    from django.utils import timezone

    return services.time_entry_add(
        calloff=c,
        provider=st.providers[0],
        actor=st.staff[0],
        date=timezone.localdate(),
        hours=2,
        role=st.roles.lead,
        description="Analyse",
    )


# name: (callable, {allowed from-state: resulting state}, error when forbidden and P1 is assigned,
#        error when forbidden and P1 is not assigned)
ACTIONS = {
    "offer_accept": (_accept, {S.OFFERED: S.ACCEPTED}, OfferNotOpen, OfferNotOpen),
    "offer_decline": (_decline, {S.OFFERED: S.OFFERED}, OfferNotOpen, OfferNotOpen),
    "calloff_assign_manually": (
        _assign,
        {S.OFFERED: S.ACCEPTED, S.UNASSIGNED: S.ACCEPTED},
        TransitionNotAllowed,
        TransitionNotAllowed,
    ),
    "calloff_start": (_start, {S.ACCEPTED: S.IN_PROGRESS}, TransitionNotAllowed, NotPermitted),
    "calloff_complete": (
        _complete,
        {S.ACCEPTED: S.COMPLETED, S.IN_PROGRESS: S.COMPLETED},
        TransitionNotAllowed,
        NotPermitted,
    ),
    "calloff_close": (_close, {S.COMPLETED: S.CLOSED}, TransitionNotAllowed, TransitionNotAllowed),
    "calloff_cancel": (
        _cancel,
        dict.fromkeys((S.SUBMITTED, S.OFFERED, S.ACCEPTED, S.IN_PROGRESS, S.UNASSIGNED), S.CANCELLED),
        TransitionNotAllowed,
        TransitionNotAllowed,
    ),
    "calloff_report_lead": (
        _report_lead,
        {S.ACCEPTED: S.ACCEPTED, S.IN_PROGRESS: S.IN_PROGRESS},
        TransitionNotAllowed,
        NotPermitted,
    ),
    "time_entry_add": (
        _add_time,
        {S.ACCEPTED: S.ACCEPTED, S.IN_PROGRESS: S.IN_PROGRESS, S.COMPLETED: S.COMPLETED},
        TransitionNotAllowed,
        NotPermitted,
    ),
}


@pytest.fixture
def personas(alice, ministry):
    from types import SimpleNamespace

    return SimpleNamespace(alice=alice, ministry=ministry)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_service_against_state(action, state, drive, setup, personas):
    call, allowed, error_assigned, error_unassigned = ACTIONS[action]
    calloff = drive(state)
    assert calloff.state == state
    events_before = CallOffEvent.objects.filter(calloff=calloff).count()

    if state in allowed:
        call(calloff, setup, personas)
        assert CallOff.objects.get(pk=calloff.pk).state == allowed[state]
        assert CallOffEvent.objects.filter(calloff=calloff).count() > events_before
    else:
        expected = error_assigned if state in ASSIGNED_TO_P1 else error_unassigned
        with pytest.raises(expected):
            call(calloff, setup, personas)
        assert CallOff.objects.get(pk=calloff.pk).state == state
        assert CallOffEvent.objects.filter(calloff=calloff).count() == events_before


def test_the_transition_map_matches_the_services():
    """Every state change a service makes is in TRANSITIONS (re-offering stays in offered)."""
    for _name, (_call, allowed, *_errors) in ACTIONS.items():
        for old, new in allowed.items():
            assert old == new or new in TRANSITIONS[old], (old, new)
    assert TRANSITIONS[S.CLOSED] == TRANSITIONS[S.CANCELLED] == frozenset()
