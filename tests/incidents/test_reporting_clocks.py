from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from incidents import services
from incidents.models import Category, Incident, ObligationKind, ReportingObligation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
AWARE = datetime(2026, 10, 30, 6, 0, tzinfo=BERLIN)


def open_incident(org, actor, **kw):
    return services.incident_open_or_attach(
        organisation=org,
        incident=None,
        title="Verschlüsselte Server",
        category=Category.RANSOMWARE,
        became_aware_at=AWARE,
        operations_halted=True,
        affected_systems="Fachverfahren",
        actor=actor,
        **kw,
    )


def kinds(incident):
    return {o.kind: o for o in incident.obligations.open()}


def test_a_new_incident_and_its_clocks_are_written_in_one_statement_on_postgresql(
    org_a, alice, django_assert_num_queries
):
    """The incident's INSERT is a WITH of the obligations' INSERT there (issue 19); SQLite: two."""
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        incident = open_incident(org_a, alice)
    assert incident.pk is not None and not incident._state.adding
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.public_id, stored.title, stored.created_at) == (
        incident.public_id,
        incident.title,
        incident.created_at,
    )
    assert {(o.pk, o.kind, o.due_at) for o in incident.obligations.all()} == {
        (o.pk, o.kind, o.due_at) for o in ReportingObligation.objects.filter(incident_id=incident.pk)
    }
    assert set(kinds(incident)) == {ObligationKind.CERT_NRW, ObligationKind.GDPR_NOTIFICATION}


def test_a_drill_record_is_written_without_clocks(org_a, alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        incident = open_incident(org_a, alice, is_drill=True)
    assert incident.pk is not None and not incident.obligations.exists()


def test_a_new_incident_starts_cert_and_gdpr_clocks(org_a, alice):
    incident = open_incident(org_a, alice)
    obligations = kinds(incident)
    assert set(obligations) == {ObligationKind.CERT_NRW, ObligationKind.GDPR_NOTIFICATION}
    assert obligations[ObligationKind.GDPR_NOTIFICATION].due_at == AWARE + timedelta(hours=72)
    assert obligations[ObligationKind.CERT_NRW].due_at == AWARE + timedelta(hours=24)


def test_nis2_in_scope_adds_the_three_nis2_clocks(org_a, alice):
    incident = open_incident(org_a, alice)
    services.incident_update(incident=incident, actor=alice, nis2_in_scope=True)
    obligations = kinds(incident)
    assert obligations[ObligationKind.NIS2_EARLY_WARNING].due_at == AWARE + timedelta(hours=24)
    assert obligations[ObligationKind.NIS2_NOTIFICATION].due_at == AWARE + timedelta(hours=72)
    assert obligations[ObligationKind.NIS2_FINAL_REPORT].due_at == AWARE + timedelta(hours=72, days=30)


def test_the_final_report_is_due_one_month_after_the_notification(org_a, alice):
    incident = open_incident(org_a, alice)
    services.incident_update(incident=incident, actor=alice, nis2_in_scope=True)
    notification = incident.obligations.get(kind=ObligationKind.NIS2_NOTIFICATION)
    with time_machine.travel(AWARE + timedelta(hours=40), tick=False):
        services.obligation_mark_done(obligation=notification, actor=alice, reference="BSI-2026-123")
    final = incident.obligations.get(kind=ObligationKind.NIS2_FINAL_REPORT)
    assert final.due_at == AWARE + timedelta(hours=40, days=30)


def test_personal_data_not_affected_waives_the_gdpr_notification(org_a, alice):
    incident = open_incident(org_a, alice)
    services.incident_update(incident=incident, actor=alice, personal_data_affected=False)
    gdpr = incident.obligations.get(kind=ObligationKind.GDPR_NOTIFICATION)
    assert gdpr.waived_at is not None and not gdpr.is_open
    services.incident_update(incident=incident, actor=alice, personal_data_affected=True)
    gdpr.refresh_from_db()
    assert gdpr.is_open


def test_moving_the_awareness_time_moves_the_clocks(org_a, alice):
    incident = open_incident(org_a, alice)
    earlier = AWARE - timedelta(hours=10)
    services.incident_update(incident=incident, actor=alice, became_aware_at=earlier)
    assert incident.obligations.get(kind=ObligationKind.CERT_NRW).due_at == earlier + timedelta(hours=24)


def test_overdue_and_reminder_due(org_a, alice):
    incident = open_incident(org_a, alice)
    with time_machine.travel(AWARE + timedelta(hours=19), tick=False):
        assert set(ReportingObligation.objects.reminder_due().values_list("kind", flat=True)) == {"cert_nrw"}
        assert not ReportingObligation.objects.overdue().exists()
    with time_machine.travel(AWARE + timedelta(hours=25), tick=False):
        cert = incident.obligations.get(kind=ObligationKind.CERT_NRW)
        assert cert.is_overdue
        assert list(ReportingObligation.objects.overdue()) == [cert]


def test_marking_done_needs_a_reference_and_records_lateness(org_a, alice):
    incident = open_incident(org_a, alice)
    cert = incident.obligations.get(kind=ObligationKind.CERT_NRW)
    with pytest.raises(ValidationError):
        services.obligation_mark_done(obligation=cert, actor=alice, reference="  ")
    with time_machine.travel(AWARE + timedelta(hours=30), tick=False):
        services.obligation_mark_done(obligation=cert, actor=alice, reference="CERT-77")
    cert.refresh_from_db()
    assert cert.reference == "CERT-77" and not cert.is_open
    assert "nach Fristablauf" in incident.timeline.last().text
    with pytest.raises(ValidationError):
        services.obligation_mark_done(obligation=cert, actor=alice, reference="again")


def test_only_callers_admins_and_ministry_keep_the_record(org_a, alice, bob, charlie, ministry):
    incident = open_incident(org_a, alice)
    for outsider in (bob, charlie):
        with pytest.raises(PermissionDenied):
            services.incident_add_note(incident=incident, actor=outsider, text="x")
    services.incident_add_note(incident=incident, actor=ministry, text="Lage telefonisch abgestimmt")


def test_status_only_moves_forward(org_a, alice):
    incident = open_incident(org_a, alice)
    services.incident_set_status(incident=incident, actor=alice, status="contained")
    with pytest.raises(ValidationError):
        services.incident_set_status(incident=incident, actor=alice, status="open")
    incident.refresh_from_db()
    assert incident.status == "contained"


def test_visibility(org_a, alice, bob, charlie, ministry):
    incident = open_incident(org_a, alice)
    assert list(Incident.objects.visible_to(bob)) == [incident]
    assert not Incident.objects.visible_to(charlie).exists()
    assert list(Incident.objects.visible_to(ministry)) == [incident]


def test_major_incident_links_members_in_bulk(alice, ministry, org_a):
    from tenants.models import Mandate

    provider = OrganisationFactory(name="Kommunaler IT-Dienstleister", kind="kommunales_unternehmen")
    members = [OrganisationFactory() for _ in range(3)]
    for member in members:
        Mandate.objects.create(principal=provider, member=member)
    existing = open_incident(members[0], ministry)
    major = services.major_incident_declare(actor=ministry, title="Angriff auf IT-Dienstleister", origin=provider)
    linked = services.major_incident_link(
        major=major, actor=ministry, organisations=services.members_of(provider), category=Category.RANSOMWARE
    )
    assert {i.organisation for i in linked} == set(members)
    assert existing in linked  # the open incident is linked, not duplicated
    assert Incident.objects.filter(major_incident=major).count() == 3
    with pytest.raises(PermissionDenied):
        services.major_incident_declare(actor=alice, title="x")


def test_reminders_go_out_once_before_and_once_after_the_deadline(
    org_a, alice, mailoutbox, django_capture_on_commit_callbacks, deliver_outbox
):
    from tests.factories import EmergencyContactFactory

    EmergencyContactFactory(organisation=org_a, email="privat.notfall@example.org")
    incident = open_incident(org_a, alice)
    with time_machine.travel(AWARE + timedelta(hours=10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.obligations_remind_due() == 0
    with time_machine.travel(AWARE + timedelta(hours=19), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.obligations_remind_due() == 1  # CERT NRW: 6 h before its 24 h deadline
            assert services.obligations_remind_due() == 0  # never twice
        deliver_outbox()
    assert len(mailoutbox) == 2  # one e-mail per recipient, each retried on its own
    assert all("Erinnerung" in m.subject for m in mailoutbox)
    assert {m.to[0] for m in mailoutbox} == {alice.email, "privat.notfall@example.org"}
    with time_machine.travel(AWARE + timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.obligations_remind_due() == 1  # overdue notice for CERT NRW
        deliver_outbox()
    assert "ÜBERFÄLLIG" in mailoutbox[-1].subject
    assert incident.timeline.filter(text__contains="ÜBERFÄLLIG").exists()


def test_done_obligations_are_not_reminded(org_a, alice):
    incident = open_incident(org_a, alice)
    for obligation in incident.obligations.all():
        services.obligation_mark_done(obligation=obligation, actor=alice, reference="X-1")
    with time_machine.travel(AWARE + timedelta(days=40), tick=False):
        assert services.obligations_remind_due() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_remind_once(org_a, alice):
    import threading

    from django.db import connection

    open_incident(org_a, alice)
    results = []
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        try:
            results.append(services.obligations_remind_due())
        finally:
            connection.close()

    with time_machine.travel(AWARE + timedelta(hours=19), tick=False):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(results) == [0, 1]
