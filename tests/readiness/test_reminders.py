"""Issue 18, readiness profile: every saved change is a new version (a copy kept), a save without a change
is a review; a profile not reviewed for six months reminds the body's administrators once per due review
through the outbox (never send_mail), by the beat task; the ministry's numbers come from one aggregate."""

from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from notifications.models import Audience, Channel, Notification
from readiness import selectors, services
from readiness.models import REVIEW_INTERVAL, ReadinessProfile, ReadinessProfileVersion, RemoteAccess
from readiness.tasks import remind_reviews
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRET = "Fachverfahren OK.FIS – hoch"


def plan_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("netzplan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")


def save(org, actor, **values):
    return services.readiness_profile_save(organisation=org, actor=actor, **values)


# --- Versions -----------------------------------------------------------------------------------


def test_each_saved_change_is_a_new_version_and_a_save_without_change_a_review(alice, org_a):
    first = save(org_a, alice, critical_systems=[{"name": SECRET, "protection": "hoch"}], dpo_contact="Max Datenschutz")
    assert first.version == 1
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        reviewed = save(
            org_a,
            alice,
            critical_systems=[{"name": f"  {SECRET} ", "protection": "hoch"}],
            dpo_contact="Max Datenschutz",
        )
    assert reviewed.version == 1 and reviewed.reviewed_at > first.reviewed_at  # the clock starts again
    changed = save(
        org_a, alice, critical_systems=[{"name": SECRET, "protection": "hoch"}], dpo_contact="Erika Datenschutz"
    )
    assert changed.version == 2
    versions = list(ReadinessProfileVersion.objects.filter(organisation=org_a).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].contents["dpo_contact"] == "Max Datenschutz" and versions[0].saved_by == alice
    assert versions[1].contents["dpo_contact"] == "Erika Datenschutz" and versions[1].changed == ["dpo_contact"]
    actions = list(AuditEntry.objects.filter(action__startswith="readiness.").values_list("action", flat=True))
    assert sorted(actions) == ["readiness.created", "readiness.reviewed", "readiness.saved"]


def test_the_version_valid_at_a_moment(alice, org_a):
    start = timezone.now()
    with time_machine.travel(start):
        save(org_a, alice, critical_systems=[{"name": "v1", "protection": "hoch"}], last_restore_test=date(2026, 6, 1))
    with time_machine.travel(start + timedelta(hours=2)):
        save(org_a, alice, critical_systems=[{"name": "v2", "protection": "hoch"}])
    assert selectors.version_at(organisation_id=org_a.pk, at=start - timedelta(seconds=1)) is None
    v1 = selectors.version_at(organisation_id=org_a.pk, at=start + timedelta(hours=1))
    assert v1.number == 1 and v1.contents["last_restore_test"] == "2026-06-01"
    assert selectors.version_at(organisation_id=org_a.pk, at=start + timedelta(hours=3)).number == 2
    profile = selectors.profile_with_version_at(organisation_id=org_a.pk, at=start + timedelta(hours=1))
    assert (profile.version, profile.version_at) == (2, 1)


# --- Reminders ----------------------------------------------------------------------------------


def reminders():
    return Notification.objects.filter(event_type="readiness.review_due")


def test_a_due_review_reminds_the_admins_once(alice, bob, body_admin, org_a, org_b, charlie):
    profile = save(org_a, alice, critical_systems=[{"name": SECRET, "protection": "hoch"}])
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        save(
            org_b, charlie, critical_systems=[{"name": "x", "protection": "hoch"}]
        )  # body B reviewed a month later: not due with A
        assert services.readiness_reviews_remind() == 0  # not due yet
    due = profile.reviewed_at + REVIEW_INTERVAL
    with time_machine.travel(due + timedelta(minutes=1)):
        assert remind_reviews() == 1  # the beat task
        assert remind_reviews() == 0 and services.readiness_reviews_remind() == 0  # once per due review
    (row,) = reminders()
    # To the body's administrators only (not its caller or read-only member), through the outbox.
    assert (row.recipient, row.channel, row.audience) == (body_admin.email, Channel.EMAIL, Audience.BODY)
    assert row.organisation == org_a and mail.outbox == []  # nothing sent past the outbox
    assert "Vorbereitungsprofil" in row.subject and org_a.name in row.subject
    assert f"{settings.SITE_URL}/bereitschaft/{org_a.public_id}/" in row.body
    assert "Hotline der Cyberversicherung" in row.body and "8 %" in row.body  # what is missing, the score
    assert SECRET not in row.body  # the contents stay in the portal
    assert AuditEntry.objects.filter(action="readiness.review_reminded", organisation=org_a).count() == 1


def test_a_review_starts_a_new_period_with_its_own_reminder(alice, body_admin, org_a):
    start = timezone.now()
    save(org_a, alice, critical_systems=[{"name": "x", "protection": "hoch"}])
    with time_machine.travel(start + REVIEW_INTERVAL + timedelta(days=1)):
        assert services.readiness_reviews_remind() == 1
        save(org_a, alice, critical_systems=[{"name": "x", "protection": "hoch"}])  # reviewed after the reminder
        assert services.readiness_reviews_remind() == 0
    with time_machine.travel(start + 2 * REVIEW_INTERVAL + timedelta(days=2)):
        assert services.readiness_reviews_remind() == 1
        assert services.readiness_reviews_remind() == 0
    assert reminders().count() == 2


def test_a_body_without_an_active_admin_is_marked_reminded_without_a_message(alice, body_admin, org_a):
    save(org_a, alice, critical_systems=[{"name": "x", "protection": "hoch"}])
    body_admin.is_active = False
    body_admin.save()
    with time_machine.travel(timezone.now() + REVIEW_INTERVAL + timedelta(days=1)):
        assert services.readiness_reviews_remind() == 1
        assert services.readiness_reviews_remind() == 0
    assert not reminders().exists()
    entry = AuditEntry.objects.get(action="readiness.review_reminded")
    assert entry.details["recipients"] == 0


def test_the_reminder_is_scheduled_by_beat():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "readiness.tasks.remind_reviews"]
    assert len(entries) == 1 and entries[0]["schedule"] <= 24 * 3600


# --- The ministry's numbers -------------------------------------------------------------------------


def test_the_aggregate_agrees_with_the_profiles_own_rules(alice, org_a, org_b, charlie, ministry):
    from tests.factories import MembershipFactory, OrganisationFactory

    full = {
        "critical_systems": [{"name": "x", "protection": "normal"}],
        "backup_concept": "x",
        "last_restore_test": date(2026, 6, 1),
        "admin_contacts": "x",
        "remote_access": RemoteAccess.VPN,
        "remote_access_mfa": True,
        "external_providers": "x",
        "insurance_insurer": "x",
        "insurance_policy_number": "x",
        "insurance_hotline": "+49 800 1234567",
        "dpo_contact": "x",
        "management_contact": "x",
    }
    variants = [
        full,
        {**full, "remote_access": RemoteAccess.NONE, "remote_access_mfa": None},  # complete: no remote access
        {**full, "remote_access_mfa": None},  # MFA not stated
        {**full, "remote_access_mfa": False},  # complete, but without MFA
        {**full, "last_restore_test": None},
        {**full, "dpo_contact": ""},
        {**full, "no_network_overview": True},  # every entry but the network overview
        {"critical_systems": [{"name": "x", "protection": "normal"}]},
        {**full, "critical_systems": []},  # no critical system: incomplete
    ]
    for values in variants:
        org = OrganisationFactory()
        user = MembershipFactory(organisation=org, role="caller").user
        without_plan = values.pop("no_network_overview", False) or len(values) == 1
        save(org, user, **values)
        if not without_plan:
            services.readiness_network_overview_upload(organisation=org, actor=user, upload=plan_png())
    ReadinessProfile.objects.filter(pk=ReadinessProfile.objects.order_by("pk").first().pk).update(
        reviewed_at=timezone.now() - REVIEW_INTERVAL - timedelta(days=1)
    )
    profiles = list(ReadinessProfile.objects.all())
    summary = selectors.overview()
    assert summary.complete == sum(1 for p in profiles if not p.missing()) == 3
    assert summary.without_mfa == sum(1 for p in profiles if p.lacks_mfa) == 1
    assert summary.stale == sum(1 for p in profiles if p.is_stale()) == 1
    assert summary.with_profile == len(variants)
