"""Drills (Übungen): the real path, marked ÜBUNG on every message and document, outside the
ceiling and the bill, never on the legal reporting clocks; the report measures the times."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from calloffs import selectors, services
from calloffs.drills.measures import drill_report, provider_drills
from calloffs.errors import InvalidInput, NotPermitted
from calloffs.models import (
    AlertKind,
    CallOff,
    CallOffState,
    EventKind,
    MinistryAlert,
    Offer,
    Priority,
    ProviderContact,
)
from calloffs.services.notify import DRILL_MARK
from incidents.models import Category, ReportingObligation
from incidents.services import incident_update, obligations_remind_due
from notifications.models import Channel, Notification, WebhookEndpoint
from tests.calloffs.documents_fixtures import document_bytes, pdf_text, queued, run_queued  # noqa: F401
from tests.factories import EmergencyContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def start_drill(setup, alice, org_a):
    def start(**overrides) -> CallOff:
        kwargs = {
            "organisation": org_a,
            "actor": alice,
            "client_token": uuid.uuid4(),
            "category": Category.RANSOMWARE,
            "situation": "Übung: angenommener Ransomware-Befall der Fachverfahren.",
            "priority": Priority.P2,
            "services": [(setup.modules.remote, 40)],
            "callback_phone": "+49 171 1234567",
            "callback_email": "it-uebung@example.org",
            "drill": True,
        }
        kwargs.update(overrides)
        return services.calloff_file(**kwargs)

    return start


@pytest.fixture
def reach(setup, org_a):
    p1, p2 = setup.providers[:2]
    return {
        "hook1": WebhookEndpoint.objects.create(owner=p1, url="https://hooks.p1.example/digisos"),
        "hook2": WebhookEndpoint.objects.create(owner=p2, url="https://hooks.p2.example/digisos"),
        "oncall": ProviderContact.objects.create(provider=p1, name="Rufbereitschaft", phone="+49 170 1111111"),
        "contact": EmergencyContactFactory(organisation=org_a, mobile="+49 171 2223333", email="it@notfall.example"),
    }


def accept(setup, calloff, index=0):
    return services.offer_accept(
        calloff=calloff,
        provider=setup.providers[index],
        actor=setup.staff[index],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )


def test_a_drill_runs_the_real_path_in_a_drill_record_of_its_own(start_drill, setup, org_a):
    calloff = start_drill()

    assert calloff.is_drill and calloff.state == CallOffState.OFFERED
    offer = Offer.objects.get(calloff=calloff)
    assert offer.provider == setup.providers[0]  # the order of precedence, as for an emergency
    assert offer.respond_by - offer.offered_at == timedelta(minutes=30)  # P2's answer window
    assert calloff.incident.is_drill and calloff.incident.title.startswith("ÜBUNG")
    filed = calloff.events.get(kind=EventKind.FILED)
    assert filed.data["drill"] is True

    calloff = accept(setup, calloff)
    assert calloff.callback_due_at - calloff.accepted_at == timedelta(minutes=60)  # the SLA clocks run
    assert calloff.remote_start_due_at - calloff.accepted_at == timedelta(minutes=240)


def test_a_drill_never_joins_a_real_incident_nor_a_real_call_off_a_drill(start_drill, file_calloff, org_a):
    real = file_calloff()
    drill = start_drill()
    assert drill.incident != real.incident

    later = file_calloff()
    assert later.incident == real.incident  # the real filing picks the real record, never the drill's
    with pytest.raises(InvalidInput):
        file_calloff(incident=drill.incident)


def test_no_reporting_clock_starts_nor_reminds_for_a_drill(start_drill, alice):
    calloff = start_drill()
    incident = calloff.incident
    assert not ReportingObligation.objects.filter(incident=incident).exists()

    # Even once the body says personal data and NIS-2 are concerned: still no clock.
    incident_update(incident=incident, actor=alice, personal_data_affected=True, nis2_in_scope=True)
    assert not ReportingObligation.objects.filter(incident=incident).exists()
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        assert obligations_remind_due() == 0
    assert not Notification.objects.filter(event_type__startswith="incident.").exists()


def test_a_real_filing_still_starts_the_clocks(file_calloff):
    """The control for the test above: the same path without drill=True does start them."""
    calloff = file_calloff()
    assert ReportingObligation.objects.filter(incident=calloff.incident).exists()


def test_the_ceiling_is_untouched_by_a_drill(start_drill, setup, drive):
    setup.contract.estimated_value = Decimal("8000.00")
    setup.contract.ceiling = Decimal("10000.00")
    setup.contract.save()

    before = selectors.contract_ceiling_status(setup.contract)
    drill = start_drill(services=[(setup.modules.remote, 100)])  # 21,000 €: more than the ceiling

    drill.refresh_from_db()
    assert not drill.exceeds_ceiling
    assert not MinistryAlert.objects.filter(kind__in=[AlertKind.CEILING_EXCEEDED, AlertKind.CEILING_THRESHOLD]).exists()
    drill = accept(setup, drill)
    services.calloff_start(calloff=drill, provider=setup.providers[0], actor=setup.staff[0])
    services.time_entry_add(
        calloff=drill,
        provider=setup.providers[0],
        actor=setup.staff[0],
        date=timezone.localdate(),
        hours=Decimal("3"),
        role=setup.roles.lead,
        description="Übung begleitet",
    )
    after = selectors.contract_ceiling_status(setup.contract)
    assert (after.committed, after.consumed) == (before.committed, before.consumed) == (0, 0)

    real = drive(CallOffState.ACCEPTED)  # a real call-off still counts
    assert selectors.contract_ceiling_status(setup.contract).committed == real.estimated_value


def test_a_drill_takes_no_capacity_from_a_real_emergency(start_drill, setup, file_calloff):
    p1 = setup.providers[0]
    p1.capacity = 1
    p1.save()
    accept(setup, start_drill())

    real = file_calloff()
    assert real.offers.get().provider == p1  # not skipped as "at capacity"


def test_who_may_start_a_drill(start_drill, setup, org_a, bob, charlie, ministry, staff):
    with pytest.raises(NotPermitted):
        start_drill(actor=bob)  # a read-only member
    with pytest.raises(NotPermitted):
        start_drill(actor=charlie)  # another body's caller
    with pytest.raises(NotPermitted):
        start_drill(actor=setup.staff[0])
    with pytest.raises(InvalidInput):
        start_drill(actor=ministry, on_behalf=True)
    by_ministry = start_drill(actor=ministry)
    assert by_ministry.is_drill and not by_ministry.on_behalf
    assert by_ministry.events.get(kind=EventKind.FILED).data["by_ministry"] is True


def test_a_form_token_never_turns_a_drill_into_an_emergency(start_drill, file_calloff):
    token = uuid.uuid4()
    drill = start_drill(client_token=token)
    assert start_drill(client_token=token) == drill  # idempotent
    with pytest.raises(InvalidInput):
        file_calloff(client_token=token)


def test_every_message_of_a_drill_says_uebung(start_drill, setup, reach, ministry):
    calloff = start_drill()
    calloff = accept(setup, calloff)
    services.calloff_record_milestone(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], kind="callback_made"
    )
    services.calloff_cancel(calloff=calloff, actor=ministry, reason="Übung beendet")

    rows = list(Notification.objects.filter(calloff=calloff))
    channels = {r.channel for r in rows}
    assert {Channel.WEBHOOK, Channel.EMAIL, Channel.SMS} <= channels
    for row in rows:
        if row.channel == Channel.WEBHOOK:
            assert row.payload["data"]["drill"] is True, row.event_type
        elif row.channel == Channel.EMAIL:
            assert row.subject.startswith(f"{DRILL_MARK}: "), row.subject
            assert row.body.startswith(DRILL_MARK), row.body
        else:
            assert row.body.startswith(f"{DRILL_MARK}: "), row.body


def test_a_real_call_offs_messages_carry_no_mark(file_calloff, reach):
    calloff = file_calloff()
    rows = list(Notification.objects.filter(calloff=calloff))
    assert rows
    hooks = [r for r in rows if r.channel == Channel.WEBHOOK]
    assert hooks and all(r.payload["data"]["drill"] is False for r in hooks)
    assert not any(DRILL_MARK in (r.subject + r.body) for r in rows)


def test_ministry_alerts_about_a_drill_are_marked(start_drill, setup, ministry):
    calloff = start_drill()
    for provider, user in zip(setup.providers[:3], setup.staff[:3], strict=True):
        services.offer_decline(calloff=calloff, provider=provider, actor=user, reason="Keine Kapazität")
    assert MinistryAlert.objects.filter(calloff=calloff, kind=AlertKind.UNASSIGNED).exists()
    mails = Notification.objects.filter(calloff=calloff, event_type__startswith="ministry.")
    assert mails and all(m.subject.startswith(DRILL_MARK) for m in mails)


def test_the_order_pdf_of_a_drill_says_uebung(
    start_drill,
    setup,
    queued,  # noqa: F811
    run_queued,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):  # the order is requested on commit
        accept(setup, start_drill())
    documents = run_queued()
    assert documents, "no order rendered"
    assert "ÜBUNG" in pdf_text(document_bytes(documents[0]))


def test_the_report_measures_acceptance_and_call_back_against_the_sla(start_drill, setup):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        calloff = start_drill()
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        services.offer_decline(
            calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Übungsbetrieb"
        )
    with time_machine.travel(start + timedelta(minutes=12, seconds=1), tick=False):
        calloff = accept(setup, CallOff.objects.get(pk=calloff.pk), index=1)
    with time_machine.travel(start + timedelta(minutes=92), tick=False):  # 80 min after acceptance: late
        services.calloff_record_milestone(
            calloff=calloff, provider=setup.providers[1], actor=setup.staff[1], kind="callback_made"
        )
        report = drill_report(CallOff.objects.get(pk=calloff.pk))

    assert report.provider == setup.providers[1]
    assert report.until_accepted == 13  # 12 min 1 s, begun minutes count
    declined, accepted = report.offers
    assert (declined.provider, declined.timing.took, declined.timing.allowed, declined.timing.within) == (
        setup.providers[0],
        5,
        30,
        True,
    )
    assert (accepted.timing.took, accepted.timing.allowed, accepted.timing.within) == (
        8,
        30,
        True,
    )  # offered at 5 min, accepted at 12 min 1 s
    callback = report.milestones[0]
    assert (callback.took, callback.allowed, callback.within) == (80, 60, False)

    overview = {p.provider: p for p in provider_drills(now=start + timedelta(minutes=92))}
    p1, p2 = overview[setup.providers[0]], overview[setup.providers[1]]
    assert (p1.offers, p1.accepted, p1.answer_share) == (1, 0, (1, 1, 100))
    assert (p2.offers, p2.accepted, p2.answer_share, p2.callback_share) == (1, 1, (1, 1, 100), (0, 1, 0))


def test_an_expired_offer_missed_the_sla(start_drill, setup):
    calloff = start_drill()
    offer = calloff.offers.get()
    with time_machine.travel(offer.respond_by + timedelta(minutes=1)):
        services.offer_expire(offer=offer)
        row = provider_drills()[0]
    assert row.provider == setup.providers[0]
    assert row.answer_share == (0, 1, 0)


def test_real_call_offs_are_not_in_the_drill_overview(file_calloff):
    file_calloff()
    assert provider_drills() == []


def test_a_drills_indicators_are_never_matched_and_its_measures_say_drill(
    start_drill, setup, file_calloff, charlie, org_b
):
    """Aftercare: a drill's made-up indicators never alert real bodies; its measures' webhooks say "drill"."""
    from aftercare import services as aftercare_services
    from aftercare.models import Sighting
    from aftercare.remediation.models import Measure
    from aftercare.remediation.notify import webhook_payload
    from aftercare.situation import incidents_with_root_cause

    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/digisos")
    drill = accept(setup, start_drill())
    real = accept(setup, file_calloff(organisation=org_b, actor=charlie))
    aftercare_services.indicator_create(calloff=real, actor=setup.staff[0], kind="ip", value="203.0.113.9", tlp="green")
    aftercare_services.indicator_create(
        calloff=drill, actor=setup.staff[0], kind="ip", value="203.0.113.9", tlp="green"
    )
    assert not Sighting.objects.filter(organisation_id=drill.organisation_id).exists()
    assert not MinistryAlert.objects.filter(kind=AlertKind.OTHER).exists()

    finding = aftercare_services.finding_create(
        calloff=drill,
        actor=setup.staff[0],
        title="VPN-Zugang ohne Mehrfaktor-Anmeldung",
        category="remote_access",
        description="Übung: angenommene Anmeldung mit erbeuteten Zugangsdaten.",
        severity="high",
        root_cause=True,
    )
    assert incidents_with_root_cause() == 0  # the situation picture leaves the drill out
    measure = Measure.objects.get(finding=finding)
    payload = webhook_payload(measure, event="measure.due", at=timezone.now())
    assert payload["data"]["drill"] is True


def test_the_monthly_report_counts_real_call_offs_only(start_drill, setup, file_calloff):
    from calloffs.documents.monthly_report import build_monthly_report

    accept(setup, start_drill())
    real = file_calloff()
    report = build_monthly_report(contract=setup.contract, month=timezone.localdate().replace(day=1))
    assert report.total.count == 1
    assert report.ceiling.committed == real.estimated_value
    assert [row.offers for row in report.sla] == [1]  # P1's offer of the real call-off, not the drill's
