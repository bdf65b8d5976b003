"""The order of precedence: skipping, declining, expiring, accepting, nobody left, manual
assignment, and the ranking version a call-off keeps."""

from datetime import timedelta

import pytest
import time_machine

from calloffs import services
from calloffs.errors import InvalidInput, NotPermitted, OfferNotOpen
from calloffs.models import (
    AlertKind,
    CallOff,
    CallOffState,
    EventKind,
    MinistryAlert,
    Offer,
    OfferState,
    Priority,
)
from tenants.models import Regierungsbezirk, Role
from tests.calloffs.factories import ProviderFactory
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def accept(calloff, provider, user, **kwargs):
    kwargs.setdefault("lead_name", "Jana Keller")
    kwargs.setdefault("lead_phone", "+49 211 5550110")
    return services.offer_accept(calloff=calloff, provider=provider, actor=user, **kwargs)


def open_offer(calloff):
    return Offer.objects.get(calloff=calloff, state=OfferState.OPEN)


# --- Accepting -------------------------------------------------------------------------------


def test_the_holder_of_the_offer_accepts_and_the_sla_clocks_start(file_calloff, setup):
    p1, s1 = setup.providers[0], setup.staff[0]
    calloff = file_calloff()

    calloff = accept(calloff, p1, s1, note="Wir rufen in 10 Minuten zurück.")

    calloff.refresh_from_db()
    assert calloff.state == CallOffState.ACCEPTED and calloff.provider == p1
    assert (calloff.lead_name, calloff.lead_phone) == ("Jana Keller", "+49 211 5550110")
    assert calloff.accept_note == "Wir rufen in 10 Minuten zurück."
    # P1: call back 30, remote start 60, on site 240 minutes after acceptance.
    assert calloff.callback_due_at - calloff.accepted_at == timedelta(minutes=30)
    assert calloff.remote_start_due_at - calloff.accepted_at == timedelta(minutes=60)
    assert calloff.onsite_due_at - calloff.accepted_at == timedelta(minutes=240)
    offer = calloff.offers.get()
    assert offer.state == OfferState.ACCEPTED and offer.responded_at == calloff.accepted_at
    event = calloff.events.get(kind=EventKind.ACCEPTED)
    assert (event.actor, event.provider, event.old_state, event.new_state) == (
        s1,
        p1,
        CallOffState.OFFERED,
        CallOffState.ACCEPTED,
    )
    assert calloff.incident.timeline.filter(text__contains="angenommen von P1").exists()


def test_a_provider_without_the_offer_cannot_accept(file_calloff, setup):
    calloff = file_calloff()
    with pytest.raises(OfferNotOpen):
        accept(calloff, setup.providers[1], setup.staff[1])
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.OFFERED
    assert open_offer(calloff).provider == setup.providers[0]


def test_staff_of_another_provider_cannot_act_for_the_holder(file_calloff, setup, alice, ministry):
    calloff = file_calloff()
    for user in (setup.staff[1], alice, ministry):
        with pytest.raises(NotPermitted):
            accept(calloff, setup.providers[0], user)
    assert open_offer(calloff).provider == setup.providers[0]


def test_an_accepted_offer_cannot_be_accepted_again(file_calloff, setup):
    calloff = file_calloff()
    accept(calloff, setup.providers[0], setup.staff[0])
    with pytest.raises(OfferNotOpen):
        accept(calloff, setup.providers[0], setup.staff[0])


def test_accepting_needs_a_lead(file_calloff, setup):
    calloff = file_calloff()
    with pytest.raises(InvalidInput) as exc:
        accept(calloff, setup.providers[0], setup.staff[0], lead_name=" ")
    assert exc.value.field == "lead_name"
    with pytest.raises(InvalidInput) as exc:
        accept(calloff, setup.providers[0], setup.staff[0], lead_phone="morgen")
    assert exc.value.field == "lead_phone"
    assert open_offer(calloff).provider == setup.providers[0]


# --- Declining and expiring ------------------------------------------------------------------


def test_a_decline_passes_the_call_off_to_the_next_rank(file_calloff, setup):
    p1, p2 = setup.providers[:2]
    calloff = file_calloff()

    services.offer_decline(calloff=calloff, provider=p1, actor=setup.staff[0], reason="Team im Einsatz")

    first, second = calloff.offers.order_by("sequence")
    assert (first.provider, first.state, first.decline_reason) == (p1, OfferState.DECLINED, "Team im Einsatz")
    assert (second.provider, second.state, second.rank, second.sequence) == (p2, OfferState.OPEN, 2, 2)
    declined = calloff.events.get(kind=EventKind.DECLINED)
    assert (declined.provider, declined.reason) == (p1, "Team im Einsatz")
    assert calloff.events.filter(kind=EventKind.OFFERED).count() == 2
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.OFFERED


def test_declining_needs_a_reason(file_calloff, setup):
    calloff = file_calloff()
    with pytest.raises(InvalidInput):
        services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="")
    assert open_offer(calloff).provider == setup.providers[0]


def test_only_the_holder_can_decline(file_calloff, setup):
    calloff = file_calloff()
    with pytest.raises(OfferNotOpen):
        services.offer_decline(calloff=calloff, provider=setup.providers[1], actor=setup.staff[1], reason="x")


def test_an_overdue_offer_expires_and_moves_on(file_calloff, setup):
    calloff = file_calloff()
    offer = open_offer(calloff)

    with time_machine.travel(offer.respond_by + timedelta(seconds=1)):
        assert services.offer_expire(offer=offer) is True

    offer.refresh_from_db()
    assert offer.state == OfferState.EXPIRED
    assert open_offer(calloff).provider == setup.providers[1]
    expired = calloff.events.get(kind=EventKind.EXPIRED)
    assert expired.provider == setup.providers[0] and expired.actor is None


def test_an_offer_not_yet_due_is_left_alone(file_calloff, setup):
    calloff = file_calloff()
    offer = open_offer(calloff)

    assert services.offer_expire(offer=offer, now=offer.respond_by - timedelta(seconds=1)) is False

    offer.refresh_from_db()
    assert offer.state == OfferState.OPEN
    assert not calloff.events.filter(kind=EventKind.EXPIRED).exists()


def test_expiring_an_offer_that_is_no_longer_open_does_nothing(file_calloff, setup):
    calloff = file_calloff()
    offer = open_offer(calloff)
    services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Urlaub")
    later = offer.respond_by + timedelta(hours=1)

    assert services.offer_expire(offer=offer, now=later) is False
    assert open_offer(calloff).provider == setup.providers[1]  # unchanged: P2 keeps its offer
    assert calloff.offers.count() == 2


def test_expiry_is_idempotent(file_calloff, setup):
    calloff = file_calloff()
    offer = open_offer(calloff)
    later = offer.respond_by + timedelta(minutes=1)
    assert services.offer_expire(offer=offer, now=later) is True
    assert services.offer_expire(offer=offer, now=later) is False
    assert calloff.offers.count() == 2
    assert calloff.events.filter(kind=EventKind.EXPIRED).count() == 1


def test_an_accepted_offer_does_not_expire(file_calloff, setup):
    calloff = file_calloff()
    offer = open_offer(calloff)
    accept(calloff, setup.providers[0], setup.staff[0])
    assert services.offer_expire(offer=offer, now=offer.respond_by + timedelta(hours=1)) is False
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.ACCEPTED


# --- Skipping --------------------------------------------------------------------------------


@pytest.fixture
def muenster(setup):
    """A body in Münster, which P4 serves too, with a caller."""
    body = OrganisationFactory(name="Stadt M", regierungsbezirk=Regierungsbezirk.MUENSTER)
    return body, MembershipFactory(organisation=body, role=Role.CALLER).user


def test_skips_are_recorded_with_their_reason(file_calloff, setup, muenster):
    p1, p2, p3, p4 = setup.providers
    # P2 at capacity: one engagement, capacity 1.
    busy = file_calloff()
    services.offer_decline(calloff=busy, provider=p1, actor=setup.staff[0], reason="x")
    accept(busy, p2, setup.staff[1])
    p2.capacity = 1
    p2.save()
    p1.active = False
    p1.save()
    p3.regions = [Regierungsbezirk.KOELN]
    p3.save()
    body, caller = muenster

    calloff = file_calloff(organisation=body, actor=caller)

    assert open_offer(calloff).provider == p4
    skips = {e.provider: (e.data["code"], e.data["rank"], e.reason) for e in calloff.events.filter(kind="skipped")}
    assert skips == {
        p1: ("inactive", 1, "Der Dienstleister ist deaktiviert."),
        p2: ("capacity", 2, "Der Dienstleister ist ausgelastet (1 von 1 Einsätzen)."),
        p3: ("region", 3, "Der Dienstleister bedient den Regierungsbezirk Münster nicht."),
    }
    assert open_offer(calloff).rank == 4


def test_a_provider_not_serving_the_region_is_skipped(file_calloff, setup):
    """org_a lies in Köln; P4 serves only Münster, Detmold and Arnsberg."""
    calloff = file_calloff()
    for provider, user in zip(setup.providers[:3], setup.staff[:3], strict=True):
        services.offer_decline(calloff=calloff, provider=provider, actor=user, reason="x")
    skip = calloff.events.get(kind=EventKind.SKIPPED)
    assert skip.provider == setup.providers[3] and skip.data["code"] == "region"


def test_open_offers_do_not_count_against_capacity(file_calloff, setup):
    setup.providers[0].capacity = 1
    setup.providers[0].save()
    file_calloff()
    assert open_offer(file_calloff()).provider == setup.providers[0]


# --- Nobody left -----------------------------------------------------------------------------


def test_nobody_left_means_unassigned_and_an_alert(drive, setup):
    calloff = drive(CallOffState.UNASSIGNED)

    assert calloff.provider is None
    assert not calloff.offers.filter(state=OfferState.OPEN).exists()
    event = calloff.events.get(kind=EventKind.UNASSIGNED)
    assert (event.old_state, event.new_state) == (CallOffState.OFFERED, CallOffState.UNASSIGNED)
    alert = MinistryAlert.objects.get(kind=AlertKind.UNASSIGNED)
    assert alert.calloff == calloff and alert.contract == setup.contract
    assert calloff.number in alert.message


def test_without_a_published_ranking_the_call_off_is_unassigned_at_once(file_calloff, setup):
    from calloffs.models import RankingVersion

    RankingVersion.objects.all().delete()
    calloff = file_calloff()
    assert calloff.state == CallOffState.UNASSIGNED and calloff.ranking_version is None
    assert MinistryAlert.objects.filter(calloff=calloff, kind=AlertKind.UNASSIGNED).exists()


# --- Manual assignment -----------------------------------------------------------------------


def test_the_ministry_assigns_an_unassigned_call_off_with_a_reason(drive, setup, ministry):
    calloff = drive(CallOffState.UNASSIGNED)
    p4 = setup.providers[3]

    calloff = services.calloff_assign_manually(
        calloff=calloff, provider=p4, actor=ministry, reason="P4 übernimmt ausnahmsweise auch Köln"
    )

    calloff.refresh_from_db()
    assert calloff.state == CallOffState.ACCEPTED and calloff.provider == p4
    assert calloff.manual_assignment_reason == "P4 übernimmt ausnahmsweise auch Köln"
    assert calloff.lead_name == "" and calloff.callback_due_at is not None
    event = calloff.events.get(kind=EventKind.ASSIGNED_MANUALLY)
    assert event.actor == ministry and event.reason == "P4 übernimmt ausnahmsweise auch Köln"
    assert event.data["deviation"] is True and event.data["rank"] == 4


def test_manual_assignment_of_an_offered_call_off_withdraws_the_offer(file_calloff, setup, ministry):
    calloff = file_calloff()
    offer = open_offer(calloff)

    services.calloff_assign_manually(
        calloff=calloff, provider=setup.providers[2], actor=ministry, reason="Spezialwissen für dieses Fachverfahren"
    )

    offer.refresh_from_db()
    assert offer.state == OfferState.WITHDRAWN
    withdrawn = calloff.events.get(kind=EventKind.WITHDRAWN)
    assert withdrawn.provider == setup.providers[0]
    assert calloff.events.get(kind=EventKind.ASSIGNED_MANUALLY).data["withdrawn_offer"] == str(offer.public_id)
    # The withdrawn holder can no longer accept.
    with pytest.raises(OfferNotOpen):
        accept(calloff, setup.providers[0], setup.staff[0])


def test_only_the_ministry_assigns_manually(drive, setup, alice):
    calloff = drive(CallOffState.UNASSIGNED)
    for user in (alice, setup.staff[3]):
        with pytest.raises(NotPermitted):
            services.calloff_assign_manually(calloff=calloff, provider=setup.providers[3], actor=user, reason="x")
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.UNASSIGNED


def test_manual_assignment_needs_a_reason(drive, setup, ministry):
    calloff = drive(CallOffState.UNASSIGNED)
    for reason in (" ", "Eilig", "x" * 2001):  # empty, too short to say why, longer than plausible
        with pytest.raises(InvalidInput) as raised:
            services.calloff_assign_manually(
                calloff=calloff, provider=setup.providers[3], actor=ministry, reason=reason
            )
        assert raised.value.field == "reason"
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.UNASSIGNED


def test_manual_assignment_only_to_an_active_party_of_the_contract(drive, setup, ministry):
    calloff = drive(CallOffState.UNASSIGNED)
    with pytest.raises(NotPermitted, match="nicht Partei"):
        services.calloff_assign_manually(
            calloff=calloff, provider=ProviderFactory(), actor=ministry, reason="Rang 1 nicht erreichbar"
        )
    setup.providers[3].active = False
    setup.providers[3].save()
    with pytest.raises(InvalidInput, match="deaktiviert"):
        services.calloff_assign_manually(
            calloff=calloff, provider=setup.providers[3], actor=ministry, reason="Rang 1 nicht erreichbar"
        )


def test_the_assigned_provider_reports_its_lead_later(drive, setup, ministry):
    calloff = drive(CallOffState.UNASSIGNED)
    p4, s4 = setup.providers[3], setup.staff[3]
    services.calloff_assign_manually(calloff=calloff, provider=p4, actor=ministry, reason="Ausnahme genehmigt")
    with pytest.raises(NotPermitted):
        services.calloff_report_lead(
            calloff=calloff,
            provider=setup.providers[0],
            actor=setup.staff[0],
            lead_name="X",
            lead_phone="+49 211 1234567",
        )

    services.calloff_report_lead(
        calloff=calloff, provider=p4, actor=s4, lead_name="Tobias Vogt", lead_phone="+49 5231 5550410"
    )

    calloff.refresh_from_db()
    assert (calloff.lead_name, calloff.state) == ("Tobias Vogt", CallOffState.ACCEPTED)
    assert calloff.events.filter(kind=EventKind.LEAD_REPORTED, provider=p4).exists()


# --- Ranking versions ------------------------------------------------------------------------


def test_a_call_off_keeps_its_ranking_version(file_calloff, setup, ministry):
    p1, p2, p3, p4 = setup.providers
    before = file_calloff()
    v2 = services.ranking_publish(
        contract=setup.contract,
        actor=ministry,
        reason="Neue Reihenfolge nach Leistungsbewertung",
        entries=[(p4, 1), (p3, 2), (p2, 3), (p1, 4)],
    )

    services.offer_decline(calloff=before, provider=p1, actor=setup.staff[0], reason="x")

    # Version 1 goes on with rank 2 (P2); under version 2 it would have been P3.
    assert CallOff.objects.get(pk=before.pk).ranking_version == setup.ranking
    assert open_offer(before).provider == p2
    after = file_calloff()
    assert after.ranking_version == v2
    # Version 2 in Köln: P4 (rank 1) does not serve Köln, so P3.
    assert open_offer(after).provider == p3


def test_module_specific_ranks_take_precedence(file_calloff, setup, ministry):
    p1, p2, p3, _p4 = setup.providers
    forensic = setup.modules.forensic
    services.ranking_publish(
        contract=setup.contract,
        actor=ministry,
        reason="Forensik gesondert",
        entries=[(p1, 1), (p2, 2), (p3, 3), (p3, 1, forensic), (p2, 2, forensic)],
    )

    assert open_offer(file_calloff(services=[(forensic, 10), (setup.modules.remote, 5)])).provider == p3
    assert open_offer(file_calloff(services=[(setup.modules.remote, 5), (forensic, 10)])).provider == p1


def test_region_specific_ranks_take_precedence(file_calloff, setup, ministry, org_b, charlie):
    p1, p2, p3, _p4 = setup.providers
    services.ranking_publish(
        contract=setup.contract,
        actor=ministry,
        reason="Köln gesondert",
        entries=[(p1, 1), (p2, 2), (p2, 1, None, Regierungsbezirk.KOELN), (p3, 2, None, Regierungsbezirk.KOELN)],
    )
    calloff = file_calloff()
    assert open_offer(calloff).provider == p2
    services.offer_decline(calloff=calloff, provider=p2, actor=setup.staff[1], reason="x")
    # The Köln list holds P2 and P3 only; P1 of the general list is not consulted.
    assert open_offer(calloff).provider == p3
    services.offer_decline(calloff=calloff, provider=p3, actor=setup.staff[2], reason="x")
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.UNASSIGNED


def test_p2_priority_offer_waits_thirty_minutes(file_calloff, setup):
    calloff = file_calloff(operations_halted=False, priority=Priority.P2)
    offer = open_offer(calloff)
    assert offer.respond_by == offer.offered_at + timedelta(minutes=30)
    assert services.offer_expire(offer=offer, now=offer.offered_at + timedelta(minutes=29)) is False
    assert services.offer_expire(offer=offer, now=offer.offered_at + timedelta(minutes=30)) is True
