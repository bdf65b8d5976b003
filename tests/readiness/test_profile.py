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


def full_values(**overrides):
    """What the service takes for a complete profile (but the network overview)."""
    values = {k: v for k, v in full_data().items() if not k.startswith("system-")}
    values.update(critical_systems=[{"name": SECRET, "protection": "hoch"}], remote_access_mfa=False)
    values.update(last_restore_test=date(2026, 6, 1))
    values.update(overrides)
    return values


def full_data(**overrides):
    data = {
        **systems_data({"name": SECRET, "protection": "hoch"}),
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


def systems_data(*rows, initial=0, extra=1):
    """The formset's POST data: the rows, then ``extra`` empty ones."""
    data = {"system-TOTAL_FORMS": str(len(rows) + extra), "system-INITIAL_FORMS": str(initial)}
    for index, row in enumerate([*rows, *([{}] * extra)]):
        for key in ("name", "description", "protection"):
            data[f"system-{index}-{key}"] = row.get(key, "")
        if row.get("DELETE"):
            data[f"system-{index}-DELETE"] = "on"
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
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": SECRET, "protection": "hoch"}]
    )
    entry = AuditEntry.objects.get(action="readiness.created")
    assert entry.details["changed"] == ["critical_systems"]
    assert SECRET not in str(entry.details)


def test_mfa_counts_as_answered_without_remote_access(alice, org_a):
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, remote_access=RemoteAccess.NONE)
    labels = profile.missing()
    assert "Fernzugriff mit Zwei-Faktor-Authentifizierung" not in labels and "Fernzugriff" not in labels


def test_a_profile_goes_stale_after_six_months(alice, org_a):
    profile = services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "x", "protection": "hoch"}]
    )
    assert not profile.is_stale()
    assert profile.is_stale(timezone.now() + timedelta(days=183))


def test_it_requires_rw_access(client_for, bob, org_a, alice):
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": SECRET, "protection": "hoch"}]
    )
    page = client_for(bob).get(url(org_a))
    assert page.status_code == 200 and SECRET in page.content.decode() and "disabled" in page.content.decode()
    assert client_for(bob).post(url(org_a), full_data(**{"system-0-name": "geändert"})).status_code == 403
    assert [system.name for system in ReadinessProfile.objects.get().critical_systems] == [SECRET]


def test_it_checks_ownership(client_for, charlie, alice, org_a):
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": SECRET, "protection": "hoch"}]
    )
    assert client_for(charlie).get(url(org_a)).status_code == 404
    assert client_for(charlie).post(url(org_a), full_data()).status_code == 404


def test_the_ministry_sees_numbers_never_contents(client_for, ministry, alice, org_a, org_b, charlie):
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": SECRET, "protection": "hoch"}]
    )
    services.readiness_profile_save(organisation=org_b, actor=charlie, **full_values())
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
        ("system-0-name", "x" * 121, "höchstens 120 Zeichen"),
        ("system-0-description", "x" * 301, "höchstens 300 Zeichen"),
        ("system-0-protection", "mittel", "Auswahl"),
        ("system-0-protection", "", "Bitte den Schutzbedarf wählen"),
        ("insurance_policy_number", "x" * 61, "höchstens 60 Zeichen"),
    ],
)
def test_implausible_entries_are_refused_in_german(client_for, alice, org_a, field, value, message):
    response = client_for(alice).post(url(org_a), full_data(**{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ReadinessProfile.objects.exists()


def test_the_database_refuses_implausible_values(alice, org_a):
    profile = services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "x", "protection": "hoch"}]
    )
    for changes in (
        {"remote_access": "telnet"},
        {"last_restore_test": date(1990, 1, 1)},
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
    assert (
        "insurance_insurer",
        "Cyberversicherung: Versicherer",
        "Kommunaler Schadenausgleich",
    ) in profile.display_rows()


# --- Migration 0005 (the profile-wide protection need from the free text; the rows: 0006) ----------


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
def test_migration_0005_maps_the_free_text(text, expected):
    """readiness/0005: the highest level named in the text (BSI's maximum principle); a text naming none
    becomes "hoch" (the safe default, documented in the migration). Its forwards step runs in the
    migration test of 0006 (tests/readiness/test_critical_systems.py), on the schema it was written for."""
    import importlib

    migration = importlib.import_module("readiness.migrations.0005_critical_systems_protection")
    assert migration.protection_from_text(text) == expected
