"""Reminders of the measures' due dates: through the outbox (never send_mail), once each however
often the sweep runs, to the owner and the body's admins, with ``measure.due`` to the provider."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from aftercare import services
from aftercare.models import Measure
from aftercare.remediation import services as remediation
from aftercare.tasks import sweep_measure_reminders
from notifications.models import Channel, Notification, WebhookEndpoint
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(engaged, p1, body_admin, bob):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)  # critical: due in 7 days
    measure = Measure.objects.get(finding=finding)
    return remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=bob)


@pytest.fixture
def hook(setup):
    return WebhookEndpoint.objects.create(owner=setup.providers[0], url="https://hooks.p1.example/digisos")


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def test_nothing_before_the_reminder_date(measure):
    assert remediation.measures_remind_due(now=at(measure.remind_on - dt.timedelta(days=1))) == 0
    assert not Notification.objects.filter(event_type="measure.due").exists()


def test_reminded_once_before_and_once_after_the_due_date(measure, hook, deliver_outbox, setup):
    before = at(measure.remind_on)
    assert remediation.measures_remind_due(now=before) == 1
    assert remediation.measures_remind_due(now=before + dt.timedelta(hours=1)) == 0  # idempotent
    mails = Notification.objects.filter(event_type="measure.due", channel=Channel.EMAIL)
    assert sorted(mails.values_list("recipient", flat=True)) == ["admin-a@example.org", "bob@example.org"]
    assert "Erinnerung" in mails.first().subject
    webhook = Notification.objects.get(event_type="measure.due", channel=Channel.WEBHOOK)
    assert webhook.endpoint == hook and webhook.payload["data"]["measure"]["overdue"] is False
    # On the due date itself nothing more; the day after it the overdue notice, once.
    assert remediation.measures_remind_due(now=at(measure.due_date)) == 0
    after = at(measure.due_date + dt.timedelta(days=1))
    assert remediation.measures_remind_due(now=after) == 1
    assert remediation.measures_remind_due(now=after + dt.timedelta(days=3)) == 0
    overdue = Notification.objects.filter(event_type="measure.due", channel=Channel.WEBHOOK).order_by("id").last()
    assert overdue.payload["data"]["measure"]["overdue"] is True
    # Delivered by the outbox's worker: the e-mails reach Django's outbox (not sent directly).
    assert not mail.outbox
    deliver_outbox()
    subjects = [m.subject for m in mail.outbox]
    assert any("überfällig" in s for s in subjects) and any("Erinnerung" in s for s in subjects)


def test_done_or_finished_measures_are_not_reminded(measure, body_admin):
    remediation.measure_done(measure=measure, actor=body_admin)
    assert remediation.measures_remind_due(now=at(measure.due_date + dt.timedelta(days=1))) == 0


def test_the_beat_task_sweeps(measure, settings):
    assert settings.CELERY_BEAT_SCHEDULE["measure-reminders"]["task"] == sweep_measure_reminders.name
    assert sweep_measure_reminders() == 0  # today: not yet due
    Measure.objects.filter(pk=measure.pk).update(remind_on=timezone.localdate())
    assert sweep_measure_reminders() == 1
    assert sweep_measure_reminders() == 0


def test_a_provider_owned_measure_reminds_the_provider(measure, body_admin, setup):
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="provider")
    remediation.measures_remind_due(now=at(measure.remind_on))
    recipients = set(
        Notification.objects.filter(event_type="measure.due", channel=Channel.EMAIL).values_list("recipient", flat=True)
    )
    assert recipients == {"admin-a@example.org", setup.providers[0].email}
