"""Contract forms through the pages: the happy path of each, every rule's German message with the
input kept, and garbage that must never cause a 500."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from calloffs.models import FrameworkContract, RoleRate, ServiceModule, SLATerm
from tenants.models import AuditEntry
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def contract_data(**overrides):
    data = {
        "reference": "MHKBD-IR-2027-002",
        "title": "Digi-SOS Incident-Response-Retainer II",
        "contracting_authority": "Ministerium für Heimat, Kommunales, Bau und Digitalisierung NRW",
        "status": "draft",
        "start_date": "2027-06-01",
        "end_date": "2031-05-31",
        "extension_options": "",
        "estimated_value": "24.000.000,00",
        "ceiling": "30.000.000,00",
        "night_surcharge_percent": "50",
        "weekend_surcharge_percent": "25,5",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ministry_client(client_for, ministry):
    return client_for(ministry)


# --- Contract ---------------------------------------------------------------------------------


def test_a_contract_is_created_through_the_page(ministry_client, ministry):
    response = ministry_client.post(reverse("calloffs:contract_create"), contract_data())
    contract = FrameworkContract.objects.get(reference="MHKBD-IR-2027-002")
    assert response.status_code == 302
    assert response["Location"] == reverse("calloffs:contract_detail", args=[contract.public_id])
    assert contract.estimated_value == Decimal("24000000.00") and contract.ceiling == Decimal("30000000.00")
    assert contract.weekend_surcharge_percent == Decimal("25.50")
    assert contract.all_bodies_entitled
    assert AuditEntry.objects.filter(action="contract.created", actor=ministry).exists()


@pytest.mark.parametrize(
    ("overrides", "field_text", "message"),
    [
        ({"end_date": "2027-01-01"}, "Laufzeitende", "Das Laufzeitende muss nach dem Laufzeitbeginn liegen."),
        ({"end_date": "2027-06-01"}, "Laufzeitende", "Das Laufzeitende muss nach dem Laufzeitbeginn liegen."),
        (
            {"ceiling": "1.000,00"},
            "Höchstwert",
            "Der Höchstwert darf nicht unter dem geschätzten Auftragsvolumen liegen.",
        ),
        ({"estimated_value": "-5"}, "Geschätztes", "Bitte keinen negativen Wert eingeben."),
        ({"night_surcharge_percent": "-1"}, "Nachtzuschlag", "Bitte keinen negativen Wert eingeben."),
        ({"ceiling": "zwei Millionen"}, "Höchstwert", "Bitte eine Zahl eingeben."),
        ({"ceiling": "1" * 40}, "Höchstwert", "Der Wert muss zwischen 0,00 und 999.999.999.999,99 liegen."),
        ({"ceiling": "1e400"}, "Höchstwert", "Der Wert muss zwischen 0,00 und 999.999.999.999,99 liegen."),
        ({"ceiling": "NaN"}, "Höchstwert", "Bitte eine Zahl eingeben."),
        ({"start_date": "31.02.2027"}, "Laufzeitbeginn", "Bitte ein gültiges Datum eingeben."),
        ({"start_date": "gestern"}, "Laufzeitbeginn", "Bitte ein gültiges Datum eingeben."),
        ({"status": "kaputt"}, "Status", "Bitte eine gültige Auswahl treffen."),
        ({"reference": ""}, "Vertragsnummer", "Dieses Feld ist zwingend erforderlich."),
        ({"reference": "X" * 300}, "Vertragsnummer", "höchstens 60 Zeichen"),
    ],
)
def test_bad_contract_input_is_explained_in_german_and_kept(ministry_client, overrides, field_text, message):
    data = contract_data(**overrides)
    response = ministry_client.post(reverse("calloffs:contract_create"), data)
    content = text(response)
    assert response.status_code == 400
    assert message in content
    assert field_text in content
    assert not FrameworkContract.objects.exists()
    # The input is kept: what was typed comes back in the form.
    assert 'value="Digi-SOS Incident-Response-Retainer II"' in content
    for value in overrides.values():
        if value and len(value) < 100:
            assert value in content


def test_a_duplicate_reference_is_refused_by_the_service_with_the_input_kept(ministry_client, setup):
    response = ministry_client.post(
        reverse("calloffs:contract_create"), contract_data(reference=setup.contract.reference)
    )
    content = text(response)
    assert response.status_code == 400
    assert "Diese Vertragsnummer ist bereits vergeben." in content or "existiert bereits" in content
    assert FrameworkContract.objects.count() == 1
    assert 'value="Digi-SOS Incident-Response-Retainer II"' in content


def test_the_contract_is_edited_through_the_page(ministry_client, setup, ministry):
    contract = setup.contract
    url = reverse("calloffs:contract_edit", args=[contract.public_id])
    content = text(ministry_client.get(url))
    assert 'value="1200000,00"' in content  # shown in German notation, ready to be sent back
    data = contract_data(
        reference=contract.reference,
        status="active",
        start_date=str(contract.start_date),
        end_date=str(contract.end_date),
        estimated_value="1000000,00",
        ceiling="1500000,00",
    )
    response = ministry_client.post(url, data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.ceiling == Decimal("1500000.00") and contract.title == data["title"]
    entry = AuditEntry.objects.get(action="contract.updated")
    assert entry.details["changes"]["ceiling"] == ["1200000.00", "1500000.00"]


def test_an_edit_that_breaks_a_rule_keeps_the_stored_contract(ministry_client, setup):
    contract = setup.contract
    url = reverse("calloffs:contract_edit", args=[contract.public_id])
    data = contract_data(reference="NEU-123", status="active", start_date="2026-01-01", end_date="2025-01-01")
    response = ministry_client.post(url, data)
    content = text(response)
    assert response.status_code == 400
    assert "Das Laufzeitende muss nach dem Laufzeitbeginn liegen." in content
    assert 'value="NEU-123"' in content  # the input is kept …
    assert f"Rahmenvertrag {contract.reference} bearbeiten" in content  # … the heading shows the stored one
    contract.refresh_from_db()
    assert contract.reference != "NEU-123"


# --- Entitled bodies ----------------------------------------------------------------------------


def test_the_ministry_restricts_the_entitled_bodies_and_opens_them_again(ministry_client, setup, org_a, org_b):
    contract = setup.contract
    url = reverse("calloffs:contract_entitled", args=[contract.public_id])
    response = ministry_client.post(url, {"all_bodies_entitled": "no", "bodies": [org_a.pk]})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert not contract.all_bodies_entitled and list(contract.entitled_bodies.all()) == [org_a]
    assert contract.is_entitled(org_a) and not contract.is_entitled(org_b)
    content = text(ministry_client.get(reverse("calloffs:contract_detail", args=[contract.public_id])))
    assert "Beschränkt auf 1 Stelle" in content and org_a.name in content

    response = ministry_client.post(url, {"all_bodies_entitled": "yes"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.all_bodies_entitled and contract.is_entitled(org_b)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"all_bodies_entitled": "no"}, "Bitte mindestens eine Stelle auswählen oder alle Stellen berechtigen."),
        ({"all_bodies_entitled": "no", "bodies": ["999999"]}, "Eine ausgewählte Stelle ist unbekannt."),
        ({"all_bodies_entitled": "no", "bodies": ["abc"]}, "Eine ausgewählte Stelle ist unbekannt."),
        ({"all_bodies_entitled": "vielleicht"}, "Bitte eine gültige Auswahl treffen."),
        ({}, "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_bad_entitlement_input_is_explained(ministry_client, setup, org_a, data, message):
    response = ministry_client.post(reverse("calloffs:contract_entitled", args=[setup.contract.public_id]), data)
    assert response.status_code == 400
    assert message in text(response)
    setup.contract.refresh_from_db()
    assert setup.contract.all_bodies_entitled


def test_a_restriction_keeps_the_ticked_bodies_on_error(ministry_client, setup, org_a):
    other = OrganisationFactory(name="Kreis Z")
    response = ministry_client.post(
        reverse("calloffs:contract_entitled", args=[setup.contract.public_id]),
        {"all_bodies_entitled": "no", "bodies": [org_a.pk, other.pk, "999999"]},
    )
    content = text(response)
    assert response.status_code == 400
    for body in (org_a, other):  # both bodies stay ticked
        assert re.search(rf'name="bodies" value="{body.pk}"[^>]*checked', content)
    assert re.search(r'name="all_bodies_entitled" value="no"[^>]*checked', content)


# --- Service modules, roles, SLA -------------------------------------------------------------


def test_a_service_module_is_added_and_changed(ministry_client, setup):
    contract = setup.contract
    response = ministry_client.post(
        reverse("calloffs:contract_module_create", args=[contract.public_id]),
        {"code": "HAERTUNG", "name": "Härtung", "description": "", "unit": "day", "price": "1.680,50", "position": "5"},
    )
    assert response.status_code == 302
    module = ServiceModule.objects.get(contract=contract, code="HAERTUNG")
    assert module.price == Decimal("1680.50") and module.unit == "day"

    url = reverse("calloffs:contract_module_edit", args=[contract.public_id, module.public_id])
    data = {"code": "HAERTUNG", "name": "Härtung", "description": "", "unit": "day", "price": "1700", "position": "5"}
    assert ministry_client.post(url, data).status_code == 302
    module.refresh_from_db()
    assert module.price == Decimal("1700.00")
    content = text(ministry_client.get(reverse("calloffs:contract_detail", args=[contract.public_id])))
    assert "1.700,00\u00a0€" in content


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "-10"}, "Bitte keinen negativen Wert eingeben."),
        ({"price": "abc"}, "Bitte eine Zahl eingeben."),
        ({"price": "99999999999999999999"}, "Der Wert muss zwischen 0,00 und 1.000.000,00 liegen."),
        ({"code": "IR-REMOTE"}, "existiert bereits"),  # taken by another module: the service's full_clean
        ({"unit": "minute"}, "Bitte eine gültige Auswahl treffen."),
        ({"position": "-1"}, "größer oder gleich 0"),
        ({"position": "99999999999999999999999"}, "kleiner oder gleich 9999"),
        ({"position": "eins"}, "Bitte eine ganze Zahl eingeben."),
    ],
)
def test_bad_module_input_is_explained_and_kept(ministry_client, setup, overrides, message):
    data = {"code": "NEU", "name": "Neues Modul", "description": "", "unit": "hour", "price": "100", "position": "1"}
    data.update(overrides)
    response = ministry_client.post(reverse("calloffs:contract_module_create", args=[setup.contract.public_id]), data)
    content = text(response)
    assert response.status_code == 400
    assert message in content
    assert 'value="Neues Modul"' in content
    assert ServiceModule.objects.filter(contract=setup.contract).count() == 4


def test_a_role_rate_is_added_and_a_negative_rate_refused(ministry_client, setup):
    url = reverse("calloffs:contract_role_create", args=[setup.contract.public_id])
    response = ministry_client.post(url, {"name": "Forensiker", "hourly_rate": "-1,00"})
    assert response.status_code == 400
    assert "Bitte keinen negativen Wert eingeben." in text(response) and 'value="Forensiker"' in text(response)

    response = ministry_client.post(url, {"name": "Lead Incident Handler", "hourly_rate": "200"})
    assert response.status_code == 400 and "existiert bereits" in text(response)

    assert ministry_client.post(url, {"name": "Forensiker", "hourly_rate": "230,00"}).status_code == 302
    assert RoleRate.objects.get(contract=setup.contract, name="Forensiker").hourly_rate == Decimal("230.00")


def test_sla_terms_are_set_and_changed_per_priority(ministry_client, setup):
    contract = setup.contract
    SLATerm.objects.filter(contract=contract, priority="P3").delete()
    content = text(ministry_client.get(reverse("calloffs:contract_detail", args=[contract.public_id])))
    assert "nicht festgelegt" in content

    url = reverse("calloffs:contract_sla_edit", args=[contract.public_id, "P3"])
    data = {
        "accept_minutes": "120",
        "callback_minutes": "480",
        "remote_start_minutes": "1440",
        "onsite_minutes": "4320",
    }
    assert ministry_client.post(url, data).status_code == 302
    term = SLATerm.objects.get(contract=contract, priority="P3")
    assert (term.accept_minutes, term.onsite_minutes) == (120, 4320)

    url = reverse("calloffs:contract_sla_edit", args=[contract.public_id, "P1"])
    assert ministry_client.post(url, {**data, "accept_minutes": "10"}).status_code == 302
    assert SLATerm.objects.get(contract=contract, priority="P1").accept_minutes == 10


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "größer oder gleich 1"),
        ("-15", "größer oder gleich"),
        ("15 Minuten", "Bitte eine ganze Zahl eingeben."),
        ("9" * 30, "kleiner oder gleich 43200"),
        ("", "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_bad_sla_input_is_explained(ministry_client, setup, value, message):
    url = reverse("calloffs:contract_sla_edit", args=[setup.contract.public_id, "P1"])
    data = {"accept_minutes": value, "callback_minutes": "30", "remote_start_minutes": "60", "onsite_minutes": "240"}
    response = ministry_client.post(url, data)
    assert response.status_code == 400
    assert message in text(response)
    assert SLATerm.objects.get(contract=setup.contract, priority="P1").accept_minutes == 15
