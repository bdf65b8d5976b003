"""Filing: who may file, entitlement, idempotency, numbering, incident, priority, first offer."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from calloffs.contract import services as contract_services
from calloffs.errors import InvalidInput, NoActiveContract, NotEntitled, NotPermitted
from calloffs.models import (
    CallOff,
    CallOffEvent,
    CallOffState,
    ContractStatus,
    EventKind,
    Offer,
    OfferState,
    Priority,
)
from incidents.models import Incident, IncidentStatus, TimelineEntry
from tenants.models import Role
from tests.calloffs.factories import FrameworkContractFactory, ServiceModuleFactory
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_alice_files_and_the_first_ranked_provider_gets_the_offer(file_calloff, setup, alice, org_a):
    calloff = file_calloff()

    assert calloff.state == CallOffState.OFFERED
    assert calloff.organisation == org_a and calloff.filed_by == alice
    assert calloff.contract == setup.contract and calloff.ranking_version == setup.ranking
    offer = Offer.objects.get(calloff=calloff)
    assert (offer.provider, offer.rank, offer.sequence, offer.state) == (setup.providers[0], 1, 1, OfferState.OPEN)
    # P1 priority (operations halted): 15 minutes to accept.
    assert offer.respond_by - offer.offered_at == timedelta(minutes=15)
    kinds = list(calloff.events.values_list("kind", "old_state", "new_state"))
    assert kinds == [
        (EventKind.FILED, "", CallOffState.SUBMITTED),
        (EventKind.OFFERED, CallOffState.SUBMITTED, CallOffState.OFFERED),
    ]


def test_estimated_value_is_the_sum_of_the_services_at_contract_prices(file_calloff, setup):
    m = setup.modules
    calloff = file_calloff(services=[(m.remote, 40), (m.forensic, "12.5"), (m.workshop, 1), (m.remote, 10)])

    # Duplicates are merged: remote 50 h × 210 + forensic 12.5 h × 230 + workshop 3,500.
    assert calloff.estimated_value == Decimal("10500.00") + Decimal("2875.00") + Decimal("3500.00")
    lines = {s.service_module.code: (s.estimated_quantity, s.unit_price, s.value) for s in calloff.services.all()}
    assert lines["IR-REMOTE"] == (Decimal("50.00"), Decimal("210.00"), Decimal("10500.00"))
    assert lines["FORENSIK"] == (Decimal("12.50"), Decimal("230.00"), Decimal("2875.00"))


def test_the_price_is_a_snapshot(file_calloff, setup, ministry):
    calloff = file_calloff()
    module = setup.modules.remote
    module.price = Decimal("999.00")
    contract_services.service_module_save(module=module, actor=ministry)

    line = calloff.services.get()
    assert line.unit_price == Decimal("210.00")
    assert CallOff.objects.get(pk=calloff.pk).estimated_value == Decimal("8400.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("services", []),
        ("situation", "   "),
        ("callback_phone", ""),
        ("callback_phone", "call me"),
        ("callback_email", "not-an-address"),
        ("category", "meteor"),
    ],
)
def test_it_validates_the_input(file_calloff, field, value):
    with pytest.raises(InvalidInput) as exc:
        file_calloff(**{field: value})
    assert exc.value.field == field
    assert not CallOff.objects.exists()


def test_a_module_of_another_contract_is_refused(file_calloff):
    foreign = ServiceModuleFactory(contract=FrameworkContractFactory(status=ContractStatus.DRAFT))
    with pytest.raises(InvalidInput, match="gehört nicht zu diesem Rahmenvertrag"):
        file_calloff(services=[(foreign, 1)])


def test_a_zero_quantity_is_refused(file_calloff, setup):
    with pytest.raises(InvalidInput, match="größer als 0"):
        file_calloff(services=[(setup.modules.remote, 0)])


# --- Priority --------------------------------------------------------------------------------


def test_halted_operations_are_always_p1(file_calloff):
    assert file_calloff(operations_halted=True, priority=Priority.P3).priority == Priority.P1


def test_priority_defaults_to_p2_and_sets_the_offer_deadline(file_calloff):
    calloff = file_calloff(operations_halted=False)
    assert calloff.priority == Priority.P2
    offer = calloff.offers.get()
    assert offer.respond_by - offer.offered_at == timedelta(minutes=30)
    calloff = file_calloff(operations_halted=False, priority=Priority.P3)
    offer = calloff.offers.get()
    assert offer.respond_by - offer.offered_at == timedelta(minutes=120)


# --- Who may file ----------------------------------------------------------------------------


def test_bob_the_read_only_member_cannot_file(file_calloff, bob):
    with pytest.raises(NotPermitted):
        file_calloff(actor=bob)
    assert not CallOff.objects.exists()


def test_charlie_cannot_file_for_another_body(file_calloff, charlie):
    with pytest.raises(NotPermitted):
        file_calloff(actor=charlie)


def test_a_body_admin_can_file(file_calloff, body_admin):
    assert file_calloff(actor=body_admin).filed_by == body_admin


def test_ministry_files_on_behalf_only_with_the_phone_call_documented(file_calloff, ministry):
    with pytest.raises(NotPermitted):
        file_calloff(actor=ministry)  # not on behalf: the ministry is no member of the body
    with pytest.raises(InvalidInput) as exc:
        file_calloff(actor=ministry, on_behalf=True, phoned_in_by="Herr Meier, IT-Leitung")
    assert exc.value.field == "verification_note"
    with pytest.raises(InvalidInput) as exc:
        file_calloff(actor=ministry, on_behalf=True, verification_note="Rückruf über Amtsleitung")
    assert exc.value.field == "phoned_in_by"

    calloff = file_calloff(
        actor=ministry,
        on_behalf=True,
        phoned_in_by="Herr Meier, IT-Leitung",
        verification_note="Rückruf über die im Portal hinterlegte Notfallnummer",
    )
    assert calloff.on_behalf and calloff.filed_by == ministry
    assert calloff.events.get(kind=EventKind.FILED).data["phoned_in_by"] == "Herr Meier, IT-Leitung"


def test_only_the_ministry_may_file_on_behalf(file_calloff):
    with pytest.raises(NotPermitted):
        file_calloff(on_behalf=True, phoned_in_by="x", verification_note="y")


def test_a_provider_cannot_file(file_calloff, setup, org_a):
    with pytest.raises(NotPermitted):
        file_calloff(actor=setup.staff[0])


# --- Entitlement -----------------------------------------------------------------------------


def test_a_body_that_is_not_eligible_is_refused(file_calloff, alice, org_a):
    org_a.eligible_from = None
    org_a.save()
    with pytest.raises(NotEntitled, match="ist nicht abrufberechtigt"):
        file_calloff()
    assert not CallOff.objects.exists()


def test_a_body_outside_a_restricted_contract_is_refused(file_calloff, setup, ministry, org_a, org_b, charlie):
    contract_services.contract_set_entitled_bodies(
        contract=setup.contract, actor=ministry, all_bodies_entitled=False, bodies=[org_b]
    )
    with pytest.raises(NotEntitled, match="Stadt A"):
        file_calloff()
    assert file_calloff(organisation=org_b, actor=charlie).organisation == org_b


def test_an_expired_contract_cannot_be_called_off(file_calloff, setup):
    setup.contract.end_date = timezone.localdate() - timedelta(days=1)
    setup.contract.save()
    with pytest.raises(NoActiveContract):
        file_calloff()
    with pytest.raises(NotEntitled, match="nicht in Kraft"):
        file_calloff(contract=setup.contract)


def test_two_contracts_in_force_need_an_explicit_choice(file_calloff, setup):
    FrameworkContractFactory()
    with pytest.raises(NoActiveContract):
        file_calloff()
    assert file_calloff(contract=setup.contract).contract == setup.contract


# --- Idempotency -----------------------------------------------------------------------------


def test_a_double_submit_files_once(file_calloff):
    token = uuid.uuid4()
    first = file_calloff(client_token=token)
    second = file_calloff(client_token=token, situation="anderer Text")

    assert second.pk == first.pk
    assert CallOff.objects.count() == 1
    assert Offer.objects.count() == 1
    assert CallOffEvent.objects.filter(kind=EventKind.FILED).count() == 1


def test_the_token_is_per_user(file_calloff, body_admin):
    token = uuid.uuid4()
    assert file_calloff(client_token=token).pk != file_calloff(client_token=token, actor=body_admin).pk


# --- Number ----------------------------------------------------------------------------------


def test_numbers_follow_the_year_of_filing(file_calloff):
    berlin = ZoneInfo("Europe/Berlin")
    with time_machine.travel(datetime(2026, 12, 31, 12, 0, tzinfo=berlin), tick=False):
        assert file_calloff().number == "DSOS-2026-00001"
        assert file_calloff().number == "DSOS-2026-00002"
    # 23:30 UTC on New Year's Eve is already 2027 in NRW.
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        assert file_calloff().number == "DSOS-2027-00001"
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=berlin), tick=False):
        assert file_calloff().number == "DSOS-2027-00002"


def test_a_refused_filing_draws_no_number(file_calloff, bob):
    with pytest.raises(NotPermitted):
        file_calloff(actor=bob)
    year = timezone.localdate().year
    assert file_calloff().number == f"DSOS-{year}-00001"


# --- Incident --------------------------------------------------------------------------------


def test_filing_opens_an_incident_with_a_timeline_entry(file_calloff, org_a, alice):
    calloff = file_calloff()

    incident = calloff.incident
    assert incident.organisation == org_a and incident.operations_halted
    entry = TimelineEntry.objects.get(incident=incident)
    assert entry.source == TimelineEntry.Source.SYSTEM
    assert f"Abruf {calloff.number} gestellt" in entry.text
    assert entry.author == alice


def test_a_second_filing_attaches_to_the_open_incident(file_calloff, setup):
    first = file_calloff()
    second = file_calloff(services=[(setup.modules.forensic, 20)])
    assert second.incident == first.incident
    assert Incident.objects.count() == 1


def test_a_closed_incident_is_not_reused(file_calloff):
    first = file_calloff()
    Incident.objects.filter(pk=first.incident_id).update(status=IncidentStatus.CLOSED)
    assert file_calloff().incident != first.incident


def test_an_incident_of_another_body_is_refused(file_calloff, org_b, charlie):
    other = file_calloff(organisation=org_b, actor=charlie).incident
    with pytest.raises(InvalidInput, match="anderen Stelle"):
        file_calloff(incident=other)


def test_the_place_of_performance_defaults_to_the_body_address(file_calloff, org_a):
    assert file_calloff().place_of_performance == org_a.address
    assert file_calloff(place_of_performance="Rechenzentrum, Hafenstr. 3").place_of_performance == (
        "Rechenzentrum, Hafenstr. 3"
    )


def test_a_caller_of_two_bodies_files_for_the_chosen_one(file_calloff, alice):
    other = OrganisationFactory(name="Kreis X")
    MembershipFactory(user=alice, organisation=other, role=Role.CALLER)
    assert file_calloff(organisation=other).organisation == other


def test_detected_at_may_not_lie_in_the_future(file_calloff):
    with pytest.raises(InvalidInput) as exc:
        file_calloff(detected_at=timezone.now() + timedelta(hours=1))
    assert exc.value.field == "detected_at"
    earlier = timezone.now() - timedelta(hours=5)
    calloff = file_calloff(detected_at=earlier)
    assert calloff.detected_at == earlier and calloff.incident.first_detected_at == earlier
