"""A provider's staff maintain their own billing data (the seller on their invoices): shown and edited on
their own page, validated in the form (IBAN check digits, BIC, USt-IdNr., postcode, lengths) and by
CHECK constraints, changed in one audited service, visible to the ministry; invoices already issued keep
what they were issued with. Everyone else gets a 404."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from calloffs.errors import InvalidInput, NotPermitted
from calloffs.models import Provider
from calloffs.services.billing_data import provider_billing_update
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

VALID = {
    "legal_name": "Cyberwehr Rhein GmbH",
    "street": "Rheinufer 3",
    "postcode": "40213",
    "city": "Düsseldorf",
    "vat_id": "de 123 456 789",
    "tax_number": "",
    "iban": "de89 3704 0044 0532 0130 00",
    "bic": "cobadeffxxx",
    "billing_contact_name": "Erika Neu",
    "billing_contact_phone": "+49 211 5550199",
    "billing_contact_email": "rechnung@cyberwehr.example",
}


def url(provider):
    return reverse("calloffs:provider_billing_data", args=[provider.public_id])


def test_provider_staff_see_and_change_their_billing_data(client_for, setup, ministry):
    provider, staff = setup.providers[0], setup.staff[0]
    client = client_for(staff)
    page = client.get(url(provider))
    assert page.status_code == 200
    html = page.content.decode()
    assert provider.iban in html and provider.legal_name in html and f'href="{url(provider)}"' in html  # nav

    old_iban = provider.iban
    response = client.post(url(provider), VALID)
    assert response.status_code == 302, response.content.decode()
    provider.refresh_from_db()
    assert provider.vat_id == "DE123456789" and provider.iban == "DE89370400440532013000"
    assert provider.bic == "COBADEFFXXX" and provider.legal_name == "Cyberwehr Rhein GmbH"

    entry = AuditEntry.objects.get(action="provider.billing_data_updated")
    assert entry.actor == staff and entry.details["bank_account_changed"] is True
    assert entry.details["changes"]["iban"] == [old_iban, "DE89370400440532013000"]
    # the ministry sees the change on the provider's page
    detail = client_for(ministry).get(reverse("calloffs:contract_provider_detail", args=[provider.public_id]))
    shown = detail.content.decode()
    assert "data-billing-changes" in shown and "DE89370400440532013000" in shown and old_iban in shown
    assert "Bankverbindung geändert" in shown

    assert client.post(url(provider), VALID).status_code == 302  # the same again: nothing new
    assert AuditEntry.objects.filter(action="provider.billing_data_updated").count() == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("iban", "DE89 3704 0044 0532 0130 01", "Prüfziffern der IBAN"),
        ("iban", "DE89", "Ländercode"),
        ("bic", "COBADE", "8 oder 11 Zeichen"),
        ("vat_id", "DE12345678", "neun Ziffern"),
        ("vat_id", "AT123456789", "neun Ziffern"),
        ("postcode", "4021", "fünf Ziffern"),
        ("billing_contact_email", "rechnung@", "gültige E-Mail-Adresse"),
        ("legal_name", "", "zwingend erforderlich"),
        ("iban", "", "zwingend erforderlich"),
        ("legal_name", "X" * 256, "höchstens 255"),
    ],
)
def test_implausible_billing_data_is_refused_in_german(client_for, setup, field, value, message):
    provider = setup.providers[0]
    before = Provider.objects.values().get(pk=provider.pk)
    response = client_for(setup.staff[0]).post(url(provider), {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Provider.objects.values().get(pk=provider.pk) == before
    assert not AuditEntry.objects.filter(action="provider.billing_data_updated").exists()


def test_a_vat_id_or_a_tax_number_is_needed(client_for, setup):
    provider = setup.providers[0]
    response = client_for(setup.staff[0]).post(url(provider), {**VALID, "vat_id": ""})
    assert response.status_code == 400 and "Steuernummer angeben" in response.content.decode()
    ok = client_for(setup.staff[0]).post(url(provider), {**VALID, "vat_id": "", "tax_number": "133/8150/8159"})
    assert ok.status_code == 302
    provider.refresh_from_db()
    assert provider.vat_id == "" and provider.tax_number == "133/8150/8159"


def test_it_checks_ownership(client_for, setup, alice, body_admin, charlie, ministry):
    provider = setup.providers[0]
    before = Provider.objects.values().get(pk=provider.pk)
    for user in (setup.staff[1], alice, body_admin, charlie, ministry):
        client = client_for(user)
        assert client.get(url(provider)).status_code == 404, user
        assert client.post(url(provider), VALID).status_code == 404, user
    assert client_for(setup.staff[1]).get(url(setup.providers[1])).status_code == 200  # its own
    assert Provider.objects.values().get(pk=provider.pk) == before
    assert client_for(setup.staff[0]).get(f"/abrufe/dienstleister/{provider.pk}/rechnungsdaten/").status_code == 404


def test_the_service_is_the_provider_s_alone_durable_and_whitelisted(setup, ministry):
    provider, staff = setup.providers[0], setup.staff[0]
    for actor in (setup.staff[1], ministry):
        with pytest.raises(NotPermitted):
            provider_billing_update(provider=provider, actor=actor, iban="DE89370400440532013000")
    with pytest.raises(InvalidInput, match="keine Rechnungsdaten"):
        provider_billing_update(provider=provider, actor=staff, capacity=99)
    with pytest.raises(InvalidInput, match="Prüfziffern"):
        provider_billing_update(provider=provider, actor=staff, iban="DE89370400440532013001")
    with pytest.raises(RuntimeError), transaction.atomic():
        provider_billing_update(provider=provider, actor=staff, city="Köln")
    assert Provider.objects.get(pk=provider.pk).city == provider.city


@pytest.mark.parametrize(
    "field, value",
    [
        ("postcode", "4021"),
        ("iban", "DE89 3704"),
        ("vat_id", "DE1234"),
        ("bic", "XX"),
        ("legal_name", " "),
        ("billing_contact_email", "kein-at"),
    ],
)
def test_the_database_refuses_malformed_billing_data(setup, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.filter(pk=setup.providers[0].pk).update(**{field: value})
