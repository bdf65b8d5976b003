"""Issue 18, readiness profile: the critical systems and services as rows (name, what depends on it,
protection need after BSI-Standard 200-2), at most 50, edited as a formset that needs no JavaScript
(add a row, remove a row), saved by one service (a new version with the rows), the profile-wide
protection need derived (the highest), handed to the accepting provider (page and API), and the free
text of before turned into rows by migration 0006."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from readiness import services
from readiness.models import CRITICAL_SYSTEMS_MAX, CriticalSystem, ReadinessProfile, ReadinessProfileVersion
from tests.api.conftest import api, keys  # noqa: F401 - fixtures
from tests.readiness.test_profile import SECRET, full_data, systems_data, url

pytestmark = pytest.mark.django_db

MELDEWESEN = {"name": "Einwohnermeldewesen", "description": "Bürgerbüro, Standesamt", "protection": "sehr_hoch"}
KASSE = {"name": "Kasse", "description": "", "protection": "normal"}


def save(org, actor, rows, **values):
    return services.readiness_profile_save(organisation=org, actor=actor, critical_systems=rows, **values)


def names(profile) -> list[str]:
    return [system.name for system in ReadinessProfile.objects.get(pk=profile.pk).critical_systems]


# --- The page: a formset that works without JavaScript ---------------------------------------------


def test_rows_are_saved_in_order_with_their_protection_need(client_for, alice, org_a):
    response = client_for(alice).post(url(org_a), full_data(**systems_data(MELDEWESEN, KASSE)))
    assert response.status_code == 302
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert [s.as_dict() for s in profile.critical_systems] == [MELDEWESEN, KASSE]
    assert profile.critical_systems_protection == "sehr_hoch"  # the highest (BSI's maximum principle)
    assert "critical_systems" not in profile.missing_fields()
    page = client_for(alice).get(url(org_a)).content.decode()
    # Each field is named with its row's number (screen readers, voice control); one empty row to add.
    for label in ("System 1: Name", "System 2: Schutzbedarf", "System 3: Name", "System 2 entfernen"):
        assert f">{label}" in page
    assert 'name="system-TOTAL_FORMS" value="3"' in page and 'value="add_system"' in page


def test_add_a_row_without_javascript_keeps_what_was_typed_and_saves_nothing(client_for, alice, org_a):
    data = full_data(**systems_data(MELDEWESEN, extra=1), action="add_system", backup_concept="Band im Tresor")
    response = client_for(alice).post(url(org_a), data)
    html = response.content.decode()
    assert response.status_code == 200 and not ReadinessProfile.objects.exists()
    assert 'name="system-TOTAL_FORMS" value="3"' in html and ">System 3: Name" in html
    assert "Einwohnermeldewesen" in html and "Band im Tresor" in html


def test_remove_a_row_with_its_checkbox_or_by_emptying_it(client_for, alice, org_a):
    profile = save(org_a, alice, [MELDEWESEN, KASSE])
    data = full_data(**systems_data({**MELDEWESEN, "DELETE": True}, KASSE, initial=2))
    assert client_for(alice).post(url(org_a), data).status_code == 302
    assert names(profile) == ["Kasse"]
    assert ReadinessProfile.objects.get(pk=profile.pk).critical_systems_protection == "normal"
    data = full_data(**systems_data({"name": "", "description": ""}, initial=1))
    assert client_for(alice).post(url(org_a), data).status_code == 302
    profile = ReadinessProfile.objects.get(pk=profile.pk)
    assert names(profile) == [] and profile.critical_systems_protection == ""
    assert "critical_systems" in profile.missing_fields()  # complete only with at least one row


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"name": "", "description": "Bürgerbüro", "protection": "hoch"}, "Bitte den Namen des Systems"),
        ({"name": "Kasse", "protection": ""}, "Bitte den Schutzbedarf wählen"),
        ({"name": "Kasse", "protection": "kritisch"}, "Auswahl"),
        ({"name": "K" * 121, "protection": "hoch"}, "höchstens 120 Zeichen"),
        ({"name": "Kasse", "description": "d" * 301, "protection": "hoch"}, "höchstens 300 Zeichen"),
    ],
)
def test_a_bad_row_is_refused_in_german_and_nothing_is_lost(client_for, alice, org_a, row, message):
    save(org_a, alice, [KASSE])
    data = full_data(**systems_data(MELDEWESEN, row), dpo_contact="Max Datenschutz, 0221 999")
    response = client_for(alice).post(url(org_a), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "Einwohnermeldewesen" in html and "Max Datenschutz, 0221 999" in html  # what was typed stays
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert names(profile) == ["Kasse"] and profile.version == 1 and profile.dpo_contact == ""


def test_too_many_rows_are_refused_in_german_and_every_row_comes_back(client_for, alice, org_a):
    rows = [{"name": f"Fachverfahren {n}", "protection": "hoch"} for n in range(1, CRITICAL_SYSTEMS_MAX + 2)]
    response = client_for(alice).post(url(org_a), full_data(**systems_data(*rows, extra=0)))
    html = response.content.decode()
    assert response.status_code == 200 and "Höchstens 50 kritische Systeme und Dienste" in html
    assert "Fachverfahren 51" in html and not ReadinessProfile.objects.exists()
    # At the limit no further row can be added.
    at_limit = full_data(**systems_data(*rows[:CRITICAL_SYSTEMS_MAX], extra=0), action="add_system")
    html = client_for(alice).post(url(org_a), at_limit).content.decode()
    assert "Es können keine weiteren Systeme hinzugefügt werden" in html and 'value="add_system"' not in html
    # A forged management form beyond the formset's own bound: refused, not a 500.
    forged = full_data(**systems_data(*rows, extra=0))
    forged["system-TOTAL_FORMS"] = "1000"
    html = client_for(alice).post(url(org_a), forged).content.decode()
    assert "Höchstens 50 kritische Systeme und Dienste" in html
    assert not ReadinessProfile.objects.exists()


def test_a_read_only_member_sees_the_rows_but_cannot_change_them(client_for, bob, alice, charlie, org_a):
    save(org_a, alice, [MELDEWESEN])
    html = client_for(bob).get(url(org_a)).content.decode()
    assert "Einwohnermeldewesen" in html and 'value="add_system"' not in html
    assert client_for(bob).post(url(org_a), full_data(action="add_system")).status_code == 403
    assert client_for(charlie).get(url(org_a)).status_code == 404
    assert client_for(charlie).post(url(org_a), full_data()).status_code == 404


# --- The service ------------------------------------------------------------------------------------


def test_each_change_is_a_version_with_the_rows(alice, org_a):
    first = save(org_a, alice, [MELDEWESEN])
    save(org_a, alice, [{**MELDEWESEN, "name": "  Einwohnermeldewesen "}])  # the same after stripping: a review
    assert ReadinessProfile.objects.get(pk=first.pk).version == 1
    save(org_a, alice, [KASSE, MELDEWESEN])  # another order is a change
    versions = {v.number: v for v in ReadinessProfileVersion.objects.filter(organisation=org_a)}
    assert versions[1].contents["critical_systems"] == [MELDEWESEN]
    assert versions[1].contents["critical_systems_protection"] == "sehr_hoch"
    assert versions[2].contents["critical_systems"] == [KASSE, MELDEWESEN] and versions[2].changed == [
        "critical_systems"
    ]
    assert list(CriticalSystem.objects.order_by("position").values_list("position", "name")) == [
        (0, "Kasse"),
        (1, "Einwohnermeldewesen"),
    ]
    save(org_a, alice, [KASSE, MELDEWESEN], dpo_contact="Max")  # rows unchanged: not named as changed
    assert ReadinessProfileVersion.objects.get(organisation=org_a, number=3).changed == ["dpo_contact"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"name": f"S{n}", "protection": "hoch"} for n in range(CRITICAL_SYSTEMS_MAX + 1)], "Höchstens 50"),
        ([{"name": " ", "protection": "hoch"}], "System 1: bitte einen Namen"),
        ([KASSE, {"name": "x" * 121, "protection": "hoch"}], "System 2: bitte einen Namen"),
        ([{"name": "Kasse", "description": "d" * 301, "protection": "hoch"}], "höchstens 300 Zeichen"),
        ([{"name": "Kasse", "protection": "mittel"}], "bitte den Schutzbedarf wählen"),
    ],
)
def test_the_service_checks_the_rows_and_changes_nothing(alice, org_a, rows, message):
    save(org_a, alice, [KASSE])
    with pytest.raises(ValidationError) as caught:
        save(org_a, alice, rows)
    assert message in " ".join(caught.value.message_dict["critical_systems"])
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert names(profile) == ["Kasse"] and profile.version == 1


def test_the_service_is_durable_and_locks(alice, org_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        save(org_a, alice, [KASSE])


def test_the_database_refuses_implausible_rows(alice, org_a):
    profile = save(org_a, alice, [KASSE])
    for changes in ({"protection": "mittel"}, {"name": ""}, {"name": "x" * 121}, {"position": CRITICAL_SYSTEMS_MAX}):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():  # DataError: PostgreSQL's varchar
            CriticalSystem.objects.filter(profile=profile).update(**changes)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriticalSystem.objects.create(profile=profile, position=0, name="Doppelt", protection="hoch")


# --- Migration 0006: the free text becomes rows ------------------------------------------------------

MIGRATION = importlib.import_module("readiness.migrations.0006_critical_system_rows")


@pytest.mark.parametrize(
    ("text", "protection", "expected"),
    [
        ("", "", []),
        (
            "Einwohnermeldewesen – hoch\n\n  Kasse – normal  ",
            "hoch",
            [("Einwohnermeldewesen – hoch", "hoch"), ("Kasse – normal", "hoch")],
        ),
        ("Fachverfahren OK.FIS", "", [("Fachverfahren OK.FIS", "hoch")]),  # the documented safe default
        ("E-Mail – sehr hoch", "sehr_hoch", [("E-Mail – sehr hoch", "sehr_hoch")]),
    ],
)
def test_the_migration_makes_one_row_per_line(text, protection, expected):
    rows = MIGRATION.rows_from_text(text, protection)
    assert [(row["name"], row["protection"]) for row in rows] == expected
    assert all(row["description"] == "" for row in rows)


def test_the_migration_keeps_long_lines_and_many_lines_within_the_limits():
    long = "Dokumentenmanagement " + "x" * 200
    (row,) = MIGRATION.rows_from_text(long, "normal")
    assert len(row["name"]) == 120 and row["name"].endswith("…") and row["description"].startswith(long[:250])
    rows = MIGRATION.rows_from_text("\n".join(f"System {n}" for n in range(1, 61)), "")
    assert len(rows) == CRITICAL_SYSTEMS_MAX and rows[48]["name"] == "System 49"
    assert rows[49]["name"] == MIGRATION.REST_NAME and rows[49]["description"].startswith("System 50; System 51")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_the_stored_free_text_into_rows(org_a, org_b):
    executor = MigrationExecutor(connection)
    before, after = [("readiness", "0005_critical_systems_protection")], [("readiness", "0006_critical_system_rows")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("readiness", "ReadinessProfile")
    a = old.objects.create(
        organisation_id=org_a.pk,
        critical_systems="Meldewesen – sehr hoch\nKasse",
        critical_systems_protection="sehr_hoch",
    )
    b = old.objects.create(organisation_id=org_b.pk, critical_systems="", critical_systems_protection="")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = new.get_model("readiness", "CriticalSystem").objects.order_by("profile_id", "position")
    assert [(r.profile_id, r.position, r.name, r.protection) for r in rows] == [
        (a.pk, 0, "Meldewesen – sehr hoch", "sehr_hoch"),
        (a.pk, 1, "Kasse", "sehr_hoch"),
    ]
    profiles = new.get_model("readiness", "ReadinessProfile").objects
    assert profiles.get(pk=a.pk).critical_systems_protection == "sehr_hoch"
    assert profiles.get(pk=b.pk).critical_systems_protection == ""
    assert profiles.get(pk=a.pk).version == 0  # nothing the body entered changed


# --- The hand-over to the accepting provider -----------------------------------------------------------


def test_the_provider_reads_the_rows_on_the_page_and_in_the_api(setup, file_calloff, alice, org_a, client_for, api):  # noqa: F811
    from django.urls import reverse

    from calloffs import services as calloff_services

    save(org_a, alice, [MELDEWESEN, KASSE])
    calloff = file_calloff()
    path = f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/"
    assert api(0).get(path).status_code == 404  # only offered: no profile
    assert (
        "Bürgerbüro, Standesamt"
        not in client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    )
    calloff_services.offer_accept(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    data = api(0).get(path).json()
    assert data["critical_systems"] == [MELDEWESEN, KASSE] and data["critical_systems_protection"] == "sehr_hoch"
    html = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "Einwohnermeldewesen (Schutzbedarf: sehr hoch) – Bürgerbüro, Standesamt" in html
    assert "Kasse (Schutzbedarf: normal)" in html
    assert api(1).get(path).status_code == 404  # another provider: nothing


def test_the_schema_describes_the_rows():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    profile = components["ReadinessProfile"]["properties"]["critical_systems"]
    assert profile["type"] == "array" and profile["items"]["$ref"].endswith("/CriticalSystem")
    row = components["CriticalSystem"]
    assert set(row["required"]) >= {"name", "protection"} and row["properties"]["name"]["maxLength"] == 120
    assert SECRET not in str(schema)
