"""Measures: every transition, who may take it, what is refused, the audit, and the database's CHECKs."""

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from aftercare import services
from aftercare.errors import GateClosed, InvalidInput, MeasureStateConflict, NotEngaged, NotPermitted
from aftercare.models import Measure, MeasureState, ReconnectionGate, RemediationTerms
from aftercare.remediation import services as remediation
from notifications.models import Channel, Notification, WebhookEndpoint
from tenants.models import AuditEntry
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(engaged, p1):
    return services.finding_create(calloff=engaged, actor=p1, **FINDING)  # critical


@pytest.fixture
def measure(finding):
    return Measure.objects.get(finding=finding)


@pytest.fixture
def hook(setup):
    return WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/digisos")


def fresh(measure) -> Measure:
    return Measure.objects.get(pk=measure.pk)


def test_a_finding_brings_its_measure_due_by_its_severity(finding, measure, engaged):
    today = timezone.localdate()
    assert measure.state == MeasureState.OPEN and measure.owner is None and measure.owner_kind == "body"
    assert measure.description == FINDING["recommendation"] and finding.title in measure.title
    assert (measure.due_date, measure.remind_on) == (today + dt.timedelta(days=7), today + dt.timedelta(days=4))
    assert (measure.calloff_id, measure.incident_id, measure.organisation_id) == (
        engaged.pk,
        engaged.incident_id,
        engaged.organisation_id,
    )
    assert AuditEntry.objects.filter(action="measure.created", target=str(measure.public_id)).exists()


def test_the_contract_sets_the_terms(engaged, setup, p1, ministry, alice):
    with pytest.raises(NotPermitted):
        remediation.remediation_terms_save(contract=setup.contract, actor=alice, critical_days=3)
    with pytest.raises(InvalidInput):  # shorter for "high" than for "critical"
        remediation.remediation_terms_save(contract=setup.contract, actor=ministry, critical_days=40)
    remediation.remediation_terms_save(
        contract=setup.contract, actor=ministry, critical_days=3, high_days=14, remind_before_days=1
    )
    assert AuditEntry.objects.filter(action="contract.remediation_terms_saved").exists()
    today = timezone.localdate()
    high = services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "severity": "high"})
    measure = Measure.objects.get(finding=high)
    assert (measure.due_date, measure.remind_on) == (today + dt.timedelta(days=14), today + dt.timedelta(days=13))
    # A new severity moves the due date of a measure still to do.
    services.finding_update(finding=high, actor=p1, severity="low")
    assert fresh(measure).due_date == today + dt.timedelta(days=180)
    assert AuditEntry.objects.filter(action="measure.rescheduled").exists()


def test_the_whole_way_to_verified(measure, body_admin, bob, p1, hook, setup):
    measure = remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=bob)
    assert fresh(measure).owner == bob
    # The owner (even a read-only member) works on it; the state moves one step at a time.
    with pytest.raises(NotEngaged):
        remediation.measure_verify(measure=measure, actor=bob)
    with pytest.raises(MeasureStateConflict):
        remediation.measure_verify(measure=measure, actor=p1)
    measure = remediation.measure_start(measure=measure, actor=bob)
    with pytest.raises(MeasureStateConflict):
        remediation.measure_start(measure=measure, actor=bob)
    measure = remediation.measure_done(measure=measure, actor=bob, note="MFA für alle VPN-Konten aktiv.")
    assert (measure.state, measure.done_by) == (MeasureState.DONE, bob)
    # The provider is asked to verify: a webhook to its endpoint and an e-mail to its address.
    hooks = Notification.objects.filter(event_type="measure.verified_requested", channel=Channel.WEBHOOK)
    assert [n.endpoint_id for n in hooks] == [hook.pk]
    payload = hooks.get().payload
    assert payload["data"]["measure"]["id"] == str(measure.public_id) and payload["data"]["measure"]["state"] == "done"
    assert "bob" not in str(payload)  # no names of the body's people in a webhook
    mails = Notification.objects.filter(event_type="measure.verified_requested", channel=Channel.EMAIL)
    assert [m.recipient for m in mails] == [setup.providers[0].email]
    measure = remediation.measure_verify(measure=measure, actor=p1, note="Erneuter Test: kein Login ohne MFA.")
    assert (measure.state, measure.verified_by) == (MeasureState.VERIFIED, p1)
    told = set(Notification.objects.filter(event_type="measure.verified").values_list("recipient", flat=True))
    assert told == {"bob@example.org", "admin-a@example.org"}
    actions = list(
        AuditEntry.objects.filter(target=str(measure.public_id)).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "measure.created",
        "measure.assigned",
        "measure.started",
        "measure.done",
        "measure.verified",
    ]
    for step in (remediation.measure_start, remediation.measure_done):  # finished
        with pytest.raises(MeasureStateConflict):
            step(measure=measure, actor=body_admin)


def test_the_provider_sends_it_back(measure, body_admin, p1):
    remediation.measure_done(measure=measure, actor=body_admin)
    with pytest.raises(InvalidInput) as exc:
        remediation.measure_send_back(measure=measure, actor=p1, reason="zu kurz")
    assert exc.value.field == "reason"
    measure = remediation.measure_send_back(
        measure=measure, actor=p1, reason="Zwei Dienstkonten melden sich weiter ohne MFA an."
    )
    assert (measure.state, measure.done_at) == (MeasureState.IN_PROGRESS, None)
    assert measure.returned_reason.startswith("Zwei Dienstkonten")
    assert Notification.objects.filter(event_type="measure.returned", recipient="admin-a@example.org").exists()
    remediation.measure_done(measure=measure, actor=body_admin)
    assert fresh(measure).state == MeasureState.DONE


def test_only_a_body_admin_accepts_a_risk(measure, alice, bob, body_admin, ministry, p1):
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=bob)
    for actor in (alice, bob, ministry, p1):
        with pytest.raises(NotPermitted):
            remediation.measure_accept_risk(measure=measure, actor=actor, reason="Das System wird abgeschaltet.")
    with pytest.raises(InvalidInput):
        remediation.measure_accept_risk(measure=measure, actor=body_admin, reason="kurz")
    with pytest.raises(InvalidInput):
        remediation.measure_accept_risk(measure=measure, actor=body_admin, reason="x" * 2001)
    measure = remediation.measure_accept_risk(
        measure=measure, actor=body_admin, reason="Das VPN wird zum Monatsende abgeschaltet."
    )
    assert (measure.state, measure.risk_accepted_by) == (MeasureState.ACCEPTED_RISK, body_admin)
    entry = AuditEntry.objects.get(action="measure.risk_accepted")
    assert entry.details["reason"] == "Das VPN wird zum Monatsende abgeschaltet."
    with pytest.raises(MeasureStateConflict):
        remediation.measure_done(measure=measure, actor=body_admin)


def test_who_works_on_a_measure(measure, alice, bob, charlie, body_admin, ministry, p1, p2):
    # Not assigned: only a body admin; not the ministry, another body, the provider or a plain caller.
    for actor in (alice, bob, charlie, ministry, p1, p2):
        with pytest.raises(NotPermitted):
            remediation.measure_start(measure=measure, actor=actor)
        with pytest.raises(NotPermitted):
            remediation.measure_assign(measure=measure, actor=actor, owner_kind="provider")
    with pytest.raises(InvalidInput) as exc:  # the owner must be a member of the body
        remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=charlie)
    assert exc.value.field == "owner"
    with pytest.raises(InvalidInput):
        remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="nobody")
    # The provider as owner (a billable service): then it marks the progress too, another provider not.
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="provider")
    with pytest.raises(NotPermitted):
        remediation.measure_start(measure=measure, actor=p2)
    measure = remediation.measure_start(measure=measure, actor=p1)
    assert measure.state == MeasureState.IN_PROGRESS


def test_the_provider_records_and_changes_measures(engaged, finding, p1, p2, alice, body_admin, drive):
    extra = remediation.measure_create(
        calloff=engaged, actor=p1, finding=finding, title="Alte VPN-Konten löschen", required_for_reconnection=True
    )
    assert extra.required_for_reconnection and extra.due_date == Measure.objects.get(pk=extra.pk).due_date
    for actor in (p2, alice):
        with pytest.raises(NotEngaged):
            remediation.measure_create(calloff=engaged, actor=actor, finding=finding, title="x")
        with pytest.raises(NotEngaged):
            remediation.measure_update(measure=extra, actor=actor, required_for_reconnection=False)
    with pytest.raises(InvalidInput) as exc:
        remediation.measure_create(calloff=engaged, actor=p1, finding=finding, title="  ")
    assert exc.value.field == "title"
    other = drive("accepted")  # another call-off of P1: the finding is not its
    with pytest.raises(InvalidInput) as exc:
        remediation.measure_create(calloff=other, actor=p1, finding=finding, title="Fremder Befund")
    assert exc.value.field == "finding"
    with pytest.raises(InvalidInput):
        remediation.measure_update(measure=extra, actor=p1, state="verified")
    extra = remediation.measure_update(measure=extra, actor=p1, title="VPN-Altkonten löschen")
    assert extra.title == "VPN-Altkonten löschen"
    assert AuditEntry.objects.get(action="measure.updated").details["fields"] == ["title"]
    # Finished: the text stays, the mark "required for reconnection" can still be taken off (audited).
    remediation.measure_done(measure=extra, actor=body_admin)
    remediation.measure_verify(measure=extra, actor=p1)
    with pytest.raises(MeasureStateConflict):
        remediation.measure_update(measure=extra, actor=p1, title="Nachträglich anders")
    extra = remediation.measure_update(measure=extra, actor=p1, required_for_reconnection=False)
    assert not extra.required_for_reconnection


def test_the_reconnection_gate(engaged, finding, measure, body_admin, alice, ministry, p1):
    remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=True)
    incident = engaged.incident
    for actor in (alice, p1):
        with pytest.raises(NotPermitted):
            remediation.gate_open(incident=incident, actor=actor)
    with pytest.raises(GateClosed):
        remediation.gate_open(incident=incident, actor=body_admin)
    # An accepted risk does not open it (the shared network's other bodies bear that risk).
    remediation.measure_accept_risk(measure=measure, actor=body_admin, reason="Das VPN wird abgeschaltet.")
    with pytest.raises(GateClosed):
        remediation.gate_open(incident=incident, actor=ministry)
    assert not ReconnectionGate.objects.exists()
    # The provider, the expert, takes the mark off (audited); then the gate opens, recorded with who and when.
    remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=False)
    gate = remediation.gate_open(incident=incident, actor=ministry, note="Nach Rücksprache mit dem Kreis.")
    assert (gate.opened_by, gate.opened_as_ministry) == (ministry, True)
    assert AuditEntry.objects.get(action="incident.reconnection_opened").target == str(incident.public_id)
    with pytest.raises(MeasureStateConflict):
        remediation.gate_open(incident=incident, actor=body_admin)


def test_the_gate_opens_once_required_measures_are_verified(engaged, finding, measure, body_admin, p1):
    remediation.measure_update(measure=measure, actor=p1, required_for_reconnection=True)
    remediation.measure_done(measure=measure, actor=body_admin)
    with pytest.raises(GateClosed):
        remediation.gate_open(incident=engaged.incident, actor=body_admin)
    remediation.measure_verify(measure=measure, actor=p1)
    gate = remediation.gate_open(incident=engaged.incident, actor=body_admin)
    assert (gate.opened_by, gate.opened_as_ministry) == (body_admin, False)


REFUSED = (IntegrityError, DataError)


@pytest.mark.parametrize(
    "change",
    [
        {"state": "finished"},
        {"state": "verified"},  # without its stamp
        {"state": "accepted_risk", "risk_accepted_at": timezone.now(), "risk_reason": "kurz"},
        {"risk_reason": "Ein Grund ohne Risikoübernahme."},
        {"done_at": timezone.now()},  # open, but stamped done
        {"owner_kind": "provider", "owner_id": -1},
        {"title": ""},
        {"due_date": dt.date(1999, 1, 1), "remind_on": dt.date(1999, 1, 1)},
        {"remind_on": dt.date(2099, 1, 1)},  # after the due date
        {"returned_at": timezone.now(), "returned_reason": ""},
        {"done_note": "x" * 2001},
    ],
)
def test_the_database_refuses_what_the_services_refuse(measure, change):
    if change.get("owner_id") == -1:
        from tenants.models import User

        change = {**change, "owner_id": User.objects.first().pk}
    with pytest.raises(REFUSED), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(**change)


@pytest.mark.parametrize(
    "change",
    [{"critical_days": 0}, {"low_days": 731}, {"critical_days": 40}, {"remind_before_days": 61}],
)
def test_the_database_refuses_implausible_terms(setup, change):
    with pytest.raises(REFUSED), transaction.atomic():
        RemediationTerms.objects.create(contract=setup.contract, **change)
