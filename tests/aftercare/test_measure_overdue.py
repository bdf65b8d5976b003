"""Repeated overdue reminders and the ministry's escalation, with the clock moved by time-machine and
the beat task run twice each time: every ``overdue_every_days`` one reminder to the owner and the
body's admins (through the outbox), and a critical/high measure overdue more than
``escalate_after_days`` reported to the ministry once. Both intervals are the contract's terms."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from aftercare import services
from aftercare.models import Measure
from aftercare.remediation import services as remediation
from aftercare.tasks import sweep_measure_reminders
from calloffs.models import MinistryAlert
from notifications.models import Audience, Channel, Notification
from tenants.models import AuditEntry
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(engaged, p1, body_admin, bob):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)  # critical: due in 7 days
    measure = Measure.objects.get(finding=finding)
    return remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=bob)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def sweep_on(day: dt.date) -> int:
    """The beat task at 09:00 and again at 09:05 that day (the second finds nothing new)."""
    with time_machine.travel(at(day), tick=False):
        first = sweep_measure_reminders()
    with time_machine.travel(at(day) + dt.timedelta(minutes=5), tick=False):
        assert sweep_measure_reminders() == 0
    return first


def overdue_mails():
    return Notification.objects.filter(
        event_type="measure.due", channel=Channel.EMAIL, subject__contains="überfällig"
    ).order_by("id")


def ministry_alerts():
    return MinistryAlert.objects.filter(message__contains="überfällig")


def test_reminded_every_seven_days_while_overdue_and_escalated_once(measure, ministry):
    due = measure.due_date
    sent = {}
    for offset in range(1, 30):
        day = due + dt.timedelta(days=offset)
        count = sweep_on(day)
        if count:
            sent[offset] = count
    # Overdue from the day after the due date: reminders on day 1, 8, 15, 22, 29; the escalation
    # (overdue more than 14 days) on day 15, counted with that day's reminder.
    assert sent == {1: 1, 8: 1, 15: 2, 22: 1, 29: 1}
    mails = overdue_mails()
    # Each reminder goes to the owner and the body's admins (one e-mail each), no more.
    assert mails.count() == 5 * 2
    assert sorted(set(mails.values_list("recipient", flat=True))) == ["admin-a@example.org", "bob@example.org"]
    subjects = list(mails.filter(recipient="bob@example.org").values_list("subject", flat=True))
    assert subjects[0].startswith("Maßnahme überfällig") and subjects[1].startswith("2. Erinnerung")
    assert subjects[-1].startswith("5. Erinnerung")
    fresh = Measure.objects.get(pk=measure.pk)
    assert fresh.overdue_reminders == 5 and fresh.overdue_next_on == due + dt.timedelta(days=36)
    # The ministry heard of it once, with its e-mails through the outbox.
    alert = ministry_alerts().get()
    assert measure.title in alert.message and "15 Tage" in alert.message
    assert Notification.objects.filter(audience=Audience.MINISTRY, recipient=ministry.email).count() == 1
    assert AuditEntry.objects.filter(action="measure.escalated", target=str(measure.public_id)).count() == 1


def test_a_missed_week_sends_one_reminder_not_the_backlog(measure):
    due = measure.due_date
    assert sweep_on(due + dt.timedelta(days=1)) == 1
    # The beat was down for three weeks: one reminder (and the escalation), then a week's pause.
    assert sweep_on(due + dt.timedelta(days=22)) == 2
    assert overdue_mails().filter(recipient="bob@example.org").count() == 2
    assert sweep_on(due + dt.timedelta(days=28)) == 0
    assert sweep_on(due + dt.timedelta(days=29)) == 1


def test_the_contract_sets_the_intervals(measure, setup, ministry):
    remediation.remediation_terms_save(
        contract=setup.contract, actor=ministry, overdue_every_days=3, escalate_after_days=5
    )
    due = measure.due_date
    sent = {offset: n for offset in range(1, 10) if (n := sweep_on(due + dt.timedelta(days=offset)))}
    assert sent == {1: 1, 4: 1, 6: 1, 7: 1}  # reminders on 1, 4, 7; overdue more than 5 days on day 6
    assert ministry_alerts().count() == 1


def test_medium_and_low_measures_are_not_escalated(engaged, p1):
    finding = services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "severity": "medium"})
    measure = Measure.objects.get(finding=finding)
    for offset in (1, 8, 15, 22, 60):
        sweep_on(measure.due_date + dt.timedelta(days=offset))
    assert not ministry_alerts().exists()
    assert Measure.objects.get(pk=measure.pk).overdue_reminders == 5


def test_finished_measures_stop_the_reminders(measure, body_admin, p1):
    due = measure.due_date
    assert sweep_on(due + dt.timedelta(days=1)) == 1
    with time_machine.travel(at(due + dt.timedelta(days=2)), tick=False):
        remediation.measure_done(measure=measure, actor=body_admin)
    assert sweep_on(due + dt.timedelta(days=8)) == 0
    assert sweep_on(due + dt.timedelta(days=20)) == 0
    assert not ministry_alerts().exists()


def test_a_new_due_date_starts_the_count_again(measure, engaged, p1):
    due = measure.due_date
    sweep_on(due + dt.timedelta(days=1))
    sweep_on(due + dt.timedelta(days=15))
    assert ministry_alerts().count() == 1
    services.finding_update(finding=measure.finding, actor=p1, severity="high")  # due 30 days after creation
    fresh = Measure.objects.get(pk=measure.pk)
    assert (fresh.overdue_reminders, fresh.overdue_next_on, fresh.escalated_at) == (0, None, None)


@pytest.mark.parametrize(
    "change",
    [
        {"overdue_reminders": 1},  # counted, but no stamp and no next date
        {"overdue_next_on": dt.date(2030, 1, 1)},  # a next date without a reminder
        {"escalated_at": timezone.make_aware(dt.datetime(1990, 1, 1))},
    ],
)
def test_the_database_keeps_the_count_consistent(measure, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(**change)


@pytest.mark.parametrize(
    "change", [{"overdue_every_days": 0}, {"overdue_every_days": 61}, {"escalate_after_days": 366}]
)
def test_the_database_refuses_implausible_intervals(setup, change):
    from aftercare.models import RemediationTerms

    with pytest.raises(IntegrityError), transaction.atomic():
        RemediationTerms.objects.create(contract=setup.contract, **change)


def test_every_message_says_which_reminder_it_is(measure, setup, api):
    """``measure.due`` carries ``data.reminder``: before the due date ``due_soon``; while overdue the
    n-th reminder with its days overdue and the date of the next one; the e-mails say the same, and the
    API's measure counts the reminders sent and the days overdue."""
    from notifications.models import WebhookEndpoint

    WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/digisos")
    due = measure.due_date
    sweep_on(measure.remind_on)
    for offset in (1, 8, 15):
        sweep_on(due + dt.timedelta(days=offset))
    hooks = Notification.objects.filter(event_type="measure.due", channel=Channel.WEBHOOK).order_by("id")
    reminders = [hook.payload["data"]["reminder"] for hook in hooks]
    assert reminders == [
        {
            "kind": "due_soon",
            "number": 1,
            "days_overdue": 0,
            "days_until_due": (due - measure.remind_on).days,
            "next_on": str(due + dt.timedelta(days=1)),
        },
        {
            "kind": "overdue",
            "number": 1,
            "days_overdue": 1,
            "days_until_due": 0,
            "next_on": str(due + dt.timedelta(days=8)),
        },
        {
            "kind": "overdue",
            "number": 2,
            "days_overdue": 8,
            "days_until_due": 0,
            "next_on": str(due + dt.timedelta(days=15)),
        },
        {
            "kind": "overdue",
            "number": 3,
            "days_overdue": 15,
            "days_until_due": 0,
            "next_on": str(due + dt.timedelta(days=22)),
        },
    ]
    # The measure in the payload as the API shows it: reminders sent for this due date, days overdue.
    assert [
        (h.payload["data"]["measure"]["overdue_reminders"], h.payload["data"]["measure"]["days_overdue"]) for h in hooks
    ] == [
        (0, 0),
        (1, 1),
        (2, 8),
        (3, 15),
    ]
    assert all(
        h.payload["data"]["measure"]["overdue"] is (h.payload["data"]["reminder"]["kind"] == "overdue") for h in hooks
    )
    # The e-mails to the owner say the same.
    bodies = list(overdue_mails().filter(recipient="bob@example.org").values_list("body", flat=True))
    assert "Dies ist die 1. Erinnerung; die Maßnahme ist seit 1 Tag überfällig." in bodies[0]
    assert "Dies ist die 2. Erinnerung; die Maßnahme ist seit 8 Tagen überfällig." in bodies[1]
    next_on = due + dt.timedelta(days=22)
    assert f"Solange sie offen ist, folgt die nächste Erinnerung am {next_on:%d.%m.%Y}." in bodies[2]
    # The API's measure (the provider's key), on the day of the third reminder.
    url = f"/api/v1/calloffs/{measure.calloff.public_id}/measures/{measure.public_id}/"
    with time_machine.travel(at(due + dt.timedelta(days=15)), tick=False):
        body = api(0).get(url).json()
    assert (body["overdue"], body["overdue_reminders"], body["days_overdue"]) == (True, 3, 15)
