"""Issue 18, readiness profile (basics): the body keeps it (callers and admins write, a read-only
member reads), completeness with what is missing, stale after six months, audited without contents;
the ministry sees aggregates only, never a profile; outsiders 404; plausible input and CHECKs."""

from datetime import date, timedelta

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from readiness import selectors, services
from readiness.models import ReadinessProfile, RemoteAccess
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRET = "Fachverfahren OK.FIS – hoch"


def full_data(**overrides):
    data = {
        "critical_systems": SECRET,
        "backup_concept": "Täglich, Band offline im Tresor",
        "last_restore_test": "2026-06-01",
        "admin_contacts": "Erika Mustermann, +49 171 2345678",
        "remote_access": RemoteAccess.VPN,
        "remote_access_mfa": "false",
        "external_providers": "Kommunales Rechenzentrum (Vertrag 2021)",
        "insurance_insurer": "Kommunaler Schadenausgleich",
        "insurance_policy_number": "CY-2026-004711",
        "insurance_hotline": "+49 800 1234567",
        "dpo_contact": "Max Datenschutz, 0221 123",
        "management_contact": "Bürgermeisterin, +49 160 5550000",
    }
    data.update(overrides)
    return data


def url(org):
    return reverse("readiness:profile", args=[org.public_id])


def test_a_caller_fills_it_in_and_sees_what_is_missing(client_for, alice, org_a):
    response = client_for(alice).post(url(org_a), full_data(insurance_hotline="", dpo_contact=""))
    assert response.status_code == 302
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert profile.version == 1 and profile.remote_access_mfa is False and profile.last_restore_test == date(2026, 6, 1)
    assert profile.score() == 77  # 10 of 13 entries (the network overview is its own upload)
    page = client_for(alice).get(url(org_a)).content.decode()
    assert "77 % vollständig" in page and "Hotline der Cyberversicherung" in page
    client_for(alice).post(url(org_a), full_data())
    profile.refresh_from_db()
    assert profile.version == 2 and profile.missing() == ["Netzübersicht (Netzplan)"] and profile.score() == 92


def test_the_audit_names_fields_not_contents(alice, org_a):
    services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems=SECRET)
    entry = AuditEntry.objects.get(action="readiness.created")
    assert entry.details["changed"] == ["critical_systems"]
    assert SECRET not in str(entry.details)


def test_mfa_counts_as_answered_without_remote_access(alice, org_a):
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, remote_access=RemoteAccess.NONE)
    labels = profile.missing()
    assert "Fernzugriff mit Zwei-Faktor-Authentifizierung" not in labels and "Fernzugriff" not in labels


def test_a_profile_goes_stale_after_six_months(alice, org_a):
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems="x")
    assert not profile.is_stale()
    assert profile.is_stale(timezone.now() + timedelta(days=183))


def test_it_requires_rw_access(client_for, bob, org_a, alice):
    services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems=SECRET)
    page = client_for(bob).get(url(org_a))
    assert page.status_code == 200 and SECRET in page.content.decode() and "disabled" in page.content.decode()
    assert client_for(bob).post(url(org_a), full_data(critical_systems="geändert")).status_code == 403
    assert ReadinessProfile.objects.get().critical_systems == SECRET


def test_it_checks_ownership(client_for, charlie, alice, org_a):
    services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems=SECRET)
    assert client_for(charlie).get(url(org_a)).status_code == 404
    assert client_for(charlie).post(url(org_a), full_data()).status_code == 404


def test_the_ministry_sees_numbers_never_contents(client_for, ministry, alice, org_a, org_b, charlie):
    services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems=SECRET)
    values = {**full_data(), "last_restore_test": date(2026, 6, 1), "remote_access_mfa": False}
    services.readiness_profile_save(organisation=org_b, actor=charlie, **values)
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = SimpleUploadedFile("netz.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.readiness_network_overview_upload(organisation=org_b, actor=charlie, upload=plan)
    assert client_for(ministry).get(url(org_a)).status_code == 404
    page = client_for(ministry).get(reverse("readiness:overview"))
    html = page.content.decode()
    assert page.status_code == 200 and SECRET not in html
    summary = selectors.overview()
    assert (summary.with_profile, summary.complete, summary.without_mfa, summary.stale) == (2, 1, 1, 0)
    for user in (alice, charlie):
        assert client_for(user).get(reverse("readiness:overview")).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_restore_test", "1999-12-31", "2000"),
        ("last_restore_test", (timezone.localdate() + timedelta(days=2)).isoformat(), "Zukunft"),
        ("insurance_hotline", "Hotline", "Telefonnummer mit Ziffern"),
        ("remote_access", "telnet", "Auswahl"),
        ("critical_systems", "x" * 4001, "höchstens 4000 Zeichen"),
        ("insurance_policy_number", "x" * 61, "höchstens 60 Zeichen"),
    ],
)
def test_implausible_entries_are_refused_in_german(client_for, alice, org_a, field, value, message):
    response = client_for(alice).post(url(org_a), full_data(**{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ReadinessProfile.objects.exists()


def test_the_database_refuses_implausible_values(alice, org_a):
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems="x")
    for changes in (
        {"remote_access": "telnet"},
        {"last_restore_test": date(1990, 1, 1)},
        {"critical_systems": "x" * 4001},
        {"insurance_hotline": "1" * 31},
        {"insurance_insurer": "x" * 201},
        {"insurance_policy_number": "x" * 61},
        {"reviewed_at": timezone.now().replace(year=1990)},
    ):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            ReadinessProfile.objects.filter(pk=profile.pk).update(**changes)


def test_the_cyber_insurer_and_policy_number_count_and_are_versioned(client_for, alice, org_a):
    """Issue 18: "cyber insurance and its hotline" — the insurer and the policy number beside the hotline."""
    client_for(alice).post(url(org_a), full_data(insurance_insurer="", insurance_policy_number=""))
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert profile.missing_fields() == ["insurance_insurer", "insurance_policy_number", "network_overview"]
    assert profile.score() == 77
    page = client_for(alice).get(url(org_a)).content.decode()
    assert "Cyberversicherung: Versicherer" in page and "Versicherungsscheinnummer" in page
    client_for(alice).post(url(org_a), full_data())
    profile.refresh_from_db()
    assert profile.version == 2 and profile.score() == 92
    from readiness.models import ReadinessProfileVersion

    latest = ReadinessProfileVersion.objects.get(organisation=org_a, number=2)
    assert latest.contents["insurance_policy_number"] == "CY-2026-004711"
    assert latest.changed == ["insurance_insurer", "insurance_policy_number"]
    assert ("Cyberversicherung: Versicherer", "Kommunaler Schadenausgleich") in profile.display_rows()


# --- The criticality of the critical systems as a choice (BSI IT-Grundschutz protection need) ---------


def test_the_protection_need_is_a_choice(client_for, alice, org_a):
    response = client_for(alice).post(url(org_a), full_data(critical_systems_protection="sehr_hoch"))
    assert response.status_code == 302
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert profile.critical_systems_protection == "sehr_hoch"
    assert ("Schutzbedarf der kritischen Systeme (der höchste, nach BSI IT-Grundschutz)", "sehr hoch") in (
        profile.display_rows()
    )
    assert profile.contents()["critical_systems_protection"] == "sehr_hoch"
    assert len(ReadinessProfile.ENTRIES) == 13  # part of the critical systems' entry, not one of its own
    response = client_for(alice).post(url(org_a), full_data(critical_systems_protection="mittel"))
    assert response.status_code == 200 and "Auswahl" in response.content.decode()
    assert ReadinessProfile.objects.get(organisation=org_a).critical_systems_protection == "sehr_hoch"


def test_the_database_refuses_another_protection_need(alice, org_a):
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems_protection="hoch")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadinessProfile.objects.filter(pk=profile.pk).update(critical_systems_protection="mittel")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("Einwohnermeldewesen – hoch\nFinanzwesen – normal", "hoch"),
        ("Einwohnermeldewesen – sehr hoch\nE-Mail – niedrig", "sehr_hoch"),
        ("Ratsinformationssystem: mittel", "normal"),
        ("Kasse – gering", "normal"),
        ("Fachverfahren OK.FIS\nDMS", "hoch"),  # nothing named: the safe default
        ("Hochwasserportal – Kritikalität unbekannt", "hoch"),  # "Hoch…" in a word is no level
        ("Hochwasserportal – niedrig", "normal"),
    ],
)
def test_the_migration_maps_the_free_text(alice, org_a, text, expected):
    """readiness/0005: the highest level named in the text (BSI's maximum principle); a text naming none
    becomes "hoch" (the safe default, documented in the migration)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("readiness.migrations.0005_critical_systems_protection")
    assert migration.protection_from_text(text) == expected
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, critical_systems=text or "x")
    ReadinessProfile.objects.filter(pk=profile.pk).update(critical_systems=text, critical_systems_protection="")
    migration.forwards(apps, None)
    assert ReadinessProfile.objects.get(pk=profile.pk).critical_systems_protection == expected
