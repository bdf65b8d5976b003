"""Issue 17: a changed bank account (IBAN, BIC, or the account holder = the legal name on the invoices)
is what invoice fraud looks like. The provider's accounts (the one that made the change too), its company
address and its billing contact as it stood before, and the ministry hear of it by e-mail through the
outbox, in the transaction of the change: who, when, old and new IBAN masked. The ministry sees the
newest change on the provider's page; a change by the ministry itself is told and audited the same way."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from calloffs.billing_ids import mask_iban
from calloffs.contract.services import provider_save
from calloffs.errors import InvalidInput
from calloffs.models import BANK_CHANGED_ACTION, Provider
from calloffs.services.bank_change import EVENT_TYPE
from calloffs.services.billing_data import provider_billing_update
from notifications.models import Audience, Channel, Notification
from tenants.models import AuditEntry
from tests.calloffs.factories import ProviderStaffFactory

pytestmark = pytest.mark.django_db

NEW_IBAN = "DE89370400440532013000"


def mails(audience=None):
    rows = Notification.objects.filter(event_type=EVENT_TYPE, channel=Channel.EMAIL)
    if audience:
        rows = rows.filter(audience=audience)
    return list(rows.order_by("recipient"))


def test_iban_masking_keeps_country_check_digits_and_the_last_four():
    assert mask_iban("DE89370400440532013000") == "DE89 **** **** **** **30 00"
    assert mask_iban("de02 1203 0000 0000 2020 51") == "DE02 **** **** **** **20 51"
    assert mask_iban("") == "" and mask_iban("DE89") == "****"


def test_a_changed_iban_is_told_to_the_provider_s_accounts_and_the_ministry(setup, ministry):
    provider, staff = setup.providers[0], setup.staff[0]
    colleague = ProviderStaffFactory(provider=provider, user__email="kollegin@provider.example").user
    ProviderStaffFactory(provider=provider, user__email="weg@provider.example", user__is_active=False)
    old_iban, old_contact = provider.iban, provider.billing_contact_email
    before = timezone.now()

    provider_billing_update(
        provider=provider, actor=staff, iban="DE89 3704 0044 0532 0130 00", billing_contact_email="neu@provider.example"
    )

    to_provider = mails(Audience.PROVIDER)
    assert sorted(m.recipient for m in to_provider) == sorted(
        [staff.email, colleague.email, provider.email, old_contact]
    )  # not the inactive account, not the new contact an attacker could have set
    to_ministry = mails(Audience.MINISTRY)
    assert [m.recipient for m in to_ministry] == [ministry.email]
    entry = AuditEntry.objects.get(action="provider.billing_data_updated")
    for mail in to_provider + to_ministry:
        assert mail.subject == f"[Digi-SOS] Bankverbindung von {provider.legal_name} geändert"
        assert "DE02 **** **** **** **20 51" in mail.body and "DE89 **** **** **** **30 00" in mail.body
        assert NEW_IBAN not in mail.body and old_iban not in mail.body  # masked, never in full
        assert staff.email in mail.body and timezone.localtime(entry.at).strftime("%H:%M") in mail.body
        assert mail.topic == provider and mail.source == f"tenants.auditentry:{entry.pk}"
        assert mail.created_at >= before and mail.organisation is None
    assert "bekannten Kontakt des Dienstleisters" in to_ministry[0].body
    assert to_ministry[0].link == reverse("calloffs:contract_provider_detail", args=[provider.public_id])
    assert "melden Sie sie bitte sofort dem Ministerium" in to_provider[0].body
    assert to_provider[0].link == reverse("calloffs:provider_billing_data", args=[provider.public_id])
    assert "(unverändert)" in to_provider[0].body  # the BIC and holder: shown, unchanged


@pytest.mark.parametrize(
    ("fields", "told"),
    [
        ({"bic": "COBADEFFXXX"}, True),
        ({"legal_name": "P1 Cyberabwehr Holding GmbH"}, True),  # the account holder on the invoices (BT-85)
        ({"city": "Köln", "billing_contact_name": "Max Neu"}, False),
        ({"iban": "DE02120300000000202051"}, False),  # the same IBAN again: nothing changed
    ],
)
def test_only_a_change_of_the_bank_details_is_told(setup, ministry, fields, told):
    provider_billing_update(provider=setup.providers[0], actor=setup.staff[0], **fields)
    assert bool(mails()) is told
    entries = AuditEntry.objects.filter(action="provider.billing_data_updated")
    assert [e.details["bank_account_changed"] for e in entries] == ([told] if entries else [])


def test_a_refused_change_tells_nobody_and_changes_nothing(client_for, setup, ministry):
    provider, staff = setup.providers[0], setup.staff[0]
    with pytest.raises(InvalidInput):
        provider_billing_update(provider=provider, actor=staff, iban="DE89370400440532013001")
    url = reverse("calloffs:provider_billing_data", args=[provider.public_id])
    data = {name: getattr(provider, name) for name in ("legal_name", "street", "postcode", "city", "vat_id")}
    data |= {
        "iban": "DE89 3704 0044 0532 0130 01",  # a wrong check digit
        "bic": provider.bic,
        "billing_contact_name": provider.billing_contact_name,
        "billing_contact_phone": provider.billing_contact_phone,
        "billing_contact_email": provider.billing_contact_email,
    }
    response = client_for(staff).post(url, data)
    assert response.status_code == 400 and "Prüfziffern der IBAN" in response.content.decode()
    assert "DE89 3704 0044 0532 0130 01" in response.content.decode()  # what was typed stays
    assert Provider.objects.get(pk=provider.pk).iban == provider.iban
    assert mails() == []


def test_the_page_flow_queues_the_mails_and_the_ministry_sees_the_change(client_for, setup, ministry):
    provider, staff = setup.providers[0], setup.staff[0]
    url = reverse("calloffs:provider_billing_data", args=[provider.public_id])
    data = {name: getattr(provider, name) for name in ("legal_name", "street", "postcode", "city", "vat_id", "bic")}
    data |= {
        "iban": "de89 3704 0044 0532 0130 00",
        "billing_contact_name": provider.billing_contact_name,
        "billing_contact_phone": provider.billing_contact_phone,
        "billing_contact_email": provider.billing_contact_email,
    }
    assert client_for(staff).post(url, data).status_code == 302
    assert len(mails(Audience.MINISTRY)) == 1 and len(mails(Audience.PROVIDER)) == 3
    page = client_for(ministry).get(reverse("calloffs:contract_provider_detail", args=[provider.public_id]))
    html = page.content.decode()
    assert "data-last-bank-change" in html
    assert "bisher DE02 **** **** **** **20 51, jetzt DE89 **** **** **** **30 00" in html
    assert staff.email in html and NEW_IBAN in html  # the full values in the audit table below


def test_a_change_by_the_ministry_is_audited_and_told_too(setup, ministry):
    provider = Provider.objects.get(pk=setup.providers[0].pk)
    provider.iban = NEW_IBAN
    provider_save(provider=provider, actor=ministry)
    entry = AuditEntry.objects.get(action=BANK_CHANGED_ACTION)
    assert entry.details["provider_id"] == str(provider.public_id)
    assert entry.details["changes"] == {"iban": ["DE02120300000000202051", NEW_IBAN]}
    assert setup.staff[0].email in [m.recipient for m in mails(Audience.PROVIDER)]
    assert ministry.email in [m.recipient for m in mails(Audience.MINISTRY)]
    # Other master data changes by the ministry tell nobody.
    provider.hotline = "+49 211 5550001"
    provider_save(provider=provider, actor=ministry)
    assert AuditEntry.objects.filter(action=BANK_CHANGED_ACTION).count() == 1


def test_the_ministry_change_shows_on_the_provider_page(client_for, setup, ministry):
    provider = Provider.objects.get(pk=setup.providers[0].pk)
    provider.bic = "COBADEFFXXX"
    provider_save(provider=provider, actor=ministry)
    html = client_for(ministry).get(reverse("calloffs:contract_provider_detail", args=[provider.public_id])).content
    assert "(Ministerium)" in html.decode() and "bisher BYLADEM1001, jetzt COBADEFFXXX" in html.decode()


def test_the_mail_speaks_english_when_asked(setup, ministry):
    with translation.override("en"):
        provider_billing_update(provider=setup.providers[0], actor=setup.staff[0], iban=NEW_IBAN)
    mail = mails(Audience.MINISTRY)[0]
    assert mail.subject == f"[Digi-SOS] Bank details of {setup.providers[0].legal_name} changed"
    assert "DE89 **** **** **** **30 00" in mail.body and "Guten Tag" not in mail.body
