"""Provider pages: list with load against capacity, create and edit, contacts, staff accounts."""

import html

import pytest
from django.urls import reverse

from calloffs.models import CallOffState, Provider, ProviderContact, ProviderMembership
from tenants.models import AuditEntry, Regierungsbezirk
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def provider_data(**overrides):
    data = {
        "legal_name": "Rheinland Incident Response GmbH",
        "short_name": "Rheinland IR",
        "street": "Am Hafen 5",
        "postcode": "40213",
        "city": "Düsseldorf",
        "hotline": "+49 211 5559900",
        "email": "notfall@rheinland-ir.example",
        "capacity": "4",
        "regions": ["Düsseldorf", "Köln"],
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ministry_client(client_for, ministry):
    return client_for(ministry)


def test_the_list_shows_every_provider_with_load_and_accounts(ministry_client, setup, drive):
    drive(CallOffState.IN_PROGRESS)  # P1 is engaged once
    setup.providers[3].active = False
    setup.providers[3].save()
    content = text(ministry_client.get(reverse("calloffs:contract_provider_list")))
    assert "4 Dienstleister" in content
    for provider in setup.providers:
        assert provider.legal_name in content and provider.hotline in content
    assert "1 / 3" in content  # P1: one engagement of three
    assert "Münster, Detmold, Arnsberg" in content  # P4's regions
    assert "inaktiv" in content


def test_a_provider_is_created_through_the_page(ministry_client, ministry):
    response = ministry_client.post(reverse("calloffs:contract_provider_create"), provider_data())
    provider = Provider.objects.get(legal_name="Rheinland Incident Response GmbH")
    assert response.status_code == 302
    assert response["Location"] == reverse("calloffs:contract_provider_detail", args=[provider.public_id])
    assert provider.regions == ["Düsseldorf", "Köln"] and provider.capacity == 4 and provider.active
    assert AuditEntry.objects.filter(action="provider.saved", actor=ministry).exists()


def test_the_new_provider_form_offers_every_region(ministry_client):
    content = text(ministry_client.get(reverse("calloffs:contract_provider_create")))
    for region in Regierungsbezirk.values:
        assert f'value="{region}"' in content
    assert content.count('name="regions"') == 5 and content.count("checked") >= 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "0"}, "größer oder gleich 1"),
        ({"capacity": "-2"}, "größer oder gleich"),
        ({"capacity": "viele"}, "Bitte eine ganze Zahl eingeben."),
        ({"capacity": "9" * 40}, "kleiner oder gleich 999"),
        ({"regions": []}, "Bitte mindestens einen Regierungsbezirk angeben."),
        ({"regions": ["Mordor"]}, "Bitte eine gültige Auswahl treffen."),
        ({"hotline": "ruf an"}, "Bitte eine Telefonnummer mit Ziffern angeben"),
        ({"email": "keine-adresse"}, "Bitte eine gültige E-Mail-Adresse eingeben."),
        ({"legal_name": "P1 Cyberabwehr GmbH"}, "Ein Dienstleister mit diesem Firmennamen ist bereits angelegt."),
        ({"short_name": ""}, "Dieses Feld ist zwingend erforderlich."),
        ({"vat_id": "DE12345678"}, "aus „DE“ und neun Ziffern"),
        ({"vat_id": "ATU12345678"}, "aus „DE“ und neun Ziffern"),
        ({"tax_number": "12/34"}, "Eine Steuernummer hat 10 bis 13 Ziffern"),
        ({"iban": "DE03 1203 0000 0000 2020 51"}, "Die Prüfziffern der IBAN stimmen nicht."),
        ({"iban": "1234"}, "Eine IBAN beginnt mit dem Ländercode"),
        ({"bic": "BYLA"}, "Eine BIC hat 8 oder 11 Zeichen"),
        ({"billing_contact_phone": "ruf an"}, "Bitte eine Telefonnummer mit Ziffern angeben"),
        ({"billing_contact_email": "keine-adresse"}, "Bitte eine gültige E-Mail-Adresse eingeben."),
    ],
)
def test_bad_provider_input_is_explained_and_kept(ministry_client, setup, overrides, message):
    response = ministry_client.post(reverse("calloffs:contract_provider_create"), provider_data(**overrides))
    content = text(response)
    assert response.status_code == 400
    assert message in content
    assert 'value="Am Hafen 5"' in content
    assert Provider.objects.count() == 4


def test_a_provider_is_edited_and_deactivated(ministry_client, setup):
    provider = setup.providers[1]
    url = reverse("calloffs:contract_provider_edit", args=[provider.public_id])
    content = text(ministry_client.get(url))
    assert f'value="{provider.legal_name}"' in content
    data = provider_data(legal_name=provider.legal_name, short_name="P2 neu", capacity="2", regions=["Arnsberg"])
    del data["active"]
    assert ministry_client.post(url, data).status_code == 302
    provider.refresh_from_db()
    assert (provider.short_name, provider.capacity, provider.regions, provider.active) == (
        "P2 neu",
        2,
        ["Arnsberg"],
        False,
    )


def test_an_edit_with_errors_keeps_the_stored_name_in_the_heading(ministry_client, setup):
    provider = setup.providers[1]
    url = reverse("calloffs:contract_provider_edit", args=[provider.public_id])
    response = ministry_client.post(url, provider_data(short_name="Neuer Name", capacity="0"))
    content = text(response)
    assert response.status_code == 400
    assert "P2 bearbeiten" in content and 'value="Neuer Name"' in content


def test_contacts_are_added_and_changed(ministry_client, setup):
    provider = setup.providers[0]
    url = reverse("calloffs:contract_provider_contact_create", args=[provider.public_id])
    data = {"name": "Jana Keller", "role": "Einsatzleitung", "phone": "+49 211 5550110", "email": "", "position": "1"}
    assert ministry_client.post(url, data).status_code == 302
    contact = ProviderContact.objects.get(provider=provider)
    edit = reverse("calloffs:contract_provider_contact_edit", args=[provider.public_id, contact.public_id])
    assert ministry_client.post(edit, {**data, "role": "Leitung CSIRT"}).status_code == 302
    contact.refresh_from_db()
    assert contact.role == "Leitung CSIRT"
    content = text(ministry_client.get(reverse("calloffs:contract_provider_detail", args=[provider.public_id])))
    assert "Jana Keller" in content and "Leitung CSIRT" in content

    response = ministry_client.post(url, {**data, "phone": "abc", "position": "x"})
    assert response.status_code == 400
    assert "Bitte eine ganze Zahl eingeben." in text(response) and 'value="Jana Keller"' in text(response)


def test_a_contact_of_another_provider_is_404(ministry_client, setup):
    other = ProviderContact.objects.create(provider=setup.providers[1], name="Fremd")
    url = reverse("calloffs:contract_provider_contact_edit", args=[setup.providers[0].public_id, other.public_id])
    assert ministry_client.get(url).status_code == 404


# --- Staff accounts ---------------------------------------------------------------------------


def test_an_existing_account_is_attached_and_removed(ministry_client, setup, ministry):
    provider = setup.providers[0]
    user = UserFactory(email="neu@provider.example")
    url = reverse("calloffs:contract_provider_staff_add", args=[provider.public_id])
    response = ministry_client.post(url, {"email": "NEU@provider.example"})
    assert response.status_code == 302
    membership = ProviderMembership.objects.get(user=user)
    assert membership.provider == provider
    content = text(ministry_client.get(response["Location"]))
    assert "Das Konto neu@provider.example handelt jetzt für P1." in content

    remove = reverse("calloffs:contract_provider_staff_remove", args=[provider.public_id])
    assert ministry_client.post(remove, {"membership": membership.pk}).status_code == 302
    assert not ProviderMembership.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="provider.member_removed", actor=ministry).exists()


def test_a_new_address_is_invited_as_provider_staff(ministry_client, setup):
    from tenants.models import Invitation

    provider = setup.providers[0]
    response = ministry_client.post(
        reverse("calloffs:contract_provider_staff_add", args=[provider.public_id]), {"email": "niemand@example.org"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.pending().get(email="niemand@example.org")
    assert (invitation.grant_kind, invitation.grant_key) == ("provider", str(provider.public_id))


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("alice@example.org", "Dieses Konto gehört bereits zum Ministerium oder zu einer Stelle"),
        ("ministerium@example.org", "Dieses Konto gehört bereits zum Ministerium oder zu einer Stelle"),
        ("staff2@provider.example", "Dieses Konto handelt bereits für einen Dienstleister."),
        ("kein at-zeichen", "Bitte eine gültige E-Mail-Adresse eingeben."),
        ("", "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_accounts_that_cannot_be_attached_are_explained(ministry_client, setup, alice, email, message):
    provider = setup.providers[0]
    response = ministry_client.post(
        reverse("calloffs:contract_provider_staff_add", args=[provider.public_id]), {"email": email}
    )
    content = text(response)
    assert response.status_code == 400
    assert message in content
    if email:
        assert f'value="{email}"' in content
    assert ProviderMembership.objects.filter(provider=provider).count() == 1


@pytest.mark.parametrize("membership", ["", "abc", "-1", "9" * 40, "2"])
def test_removing_an_unknown_or_foreign_account_changes_nothing(ministry_client, setup, membership):
    """Membership 2 belongs to P2, not P1; the others are garbage."""
    provider = setup.providers[0]
    response = ministry_client.post(
        reverse("calloffs:contract_provider_staff_remove", args=[provider.public_id]), {"membership": membership}
    )
    assert response.status_code == 302
    assert ProviderMembership.objects.count() == 4
    assert "gehört nicht (mehr) zu diesem Dienstleister" in text(ministry_client.get(response["Location"]))


def test_the_billing_data_is_entered_normalised_and_shown(ministry_client):
    data = provider_data(
        vat_id="de 123 456 789",
        iban="de02 1203 0000 0000 2020 51",
        bic="byladem1001",
        billing_contact_name="Erika Mustermann",
        billing_contact_phone="+49 211 5559901",
        billing_contact_email="rechnung@rheinland-ir.example",
    )
    response = ministry_client.post(reverse("calloffs:contract_provider_create"), data)
    assert response.status_code == 302
    provider = Provider.objects.get(legal_name="Rheinland Incident Response GmbH")
    assert (provider.vat_id, provider.iban, provider.bic) == ("DE123456789", "DE02120300000000202051", "BYLADEM1001")
    assert provider.billing_gaps() == []
    content = text(ministry_client.get(response["Location"]))
    assert "DE123456789" in content and "Erika Mustermann" in content
    assert "Fehlt für die XRechnung" not in content


def test_a_provider_without_billing_data_shows_what_is_missing(ministry_client):
    response = ministry_client.post(reverse("calloffs:contract_provider_create"), provider_data())
    provider = Provider.objects.get(legal_name="Rheinland Incident Response GmbH")
    assert "USt-IdNr. oder Steuernummer" in provider.billing_gaps()
    content = text(ministry_client.get(response["Location"]))
    assert "Fehlt für die XRechnung" in content and "IBAN" in content


@pytest.mark.parametrize(
    ("field", "value"),
    [("vat_id", "DE1234"), ("iban", "de02"), ("bic", "x"), ("tax_number", "abc")],
)
def test_the_database_refuses_malformed_billing_identifiers(setup, field, value):
    from django.db import DataError, IntegrityError, transaction

    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Provider.objects.filter(pk=setup.providers[0].pk).update(**{field: value})
