"""Issue 17: the hold after a provider's bank change. An invoice issued (or to be issued now) within the
contract's ``bank_change_hold_days`` after the provider's IBAN, BIC or account holder changed carries a
warning for the paying side (body and ministry: who, when, old and new IBAN masked, the account the
invoice names); the provider does not see it. Invoices issued before the change keep their stored
XRechnung and PDF with the old account. The hold is a contract setting, 0 to 90 days, checked by the
form (German message) and the database."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from calloffs.services.billing_data import provider_billing_update
from settlement import services
from settlement.forms import BillingTermsForm
from settlement.invoice import invoice_document
from settlement.invoice_pdf import render_invoice_pdf
from settlement.models import BillingTerms, Invoice, Statement
from settlement.selectors import bank_change_warnings
from tenants.models import AuditEntry
from tests.calloffs.documents_fixtures import pdf_text

pytestmark = pytest.mark.django_db

NEW_IBAN = "DE89370400440532013000"
OLD_MASKED, NEW_MASKED = "DE02 **** **** **** **20 51", "DE89 **** **** **** **30 00"


def page(client_for, user, statement):
    response = client_for(user).get(reverse("settlement:detail", args=[statement.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_invoice_issued_after_a_bank_change_warns_the_payer_side(client_for, approved, alice, ministry):
    statement = approved.statement
    provider_billing_update(provider=approved.provider, actor=approved.staff, iban=NEW_IBAN)
    services.invoice_issue(statement=statement, actor=approved.staff)

    for user in (ministry, alice):
        html = page(client_for, user, statement)
        assert "data-bank-change-warning" in html, user
        assert f"bisher {OLD_MASKED}, jetzt {NEW_MASKED}" in html
        assert f"0 Tage danach ausgestellt und nennt das Konto {NEW_MASKED}" in html
        assert approved.staff.email in html and NEW_IBAN not in html
    assert "data-bank-change-warning" not in page(client_for, approved.staff, statement)  # the provider: no


def test_an_invoice_not_yet_issued_warns_that_it_would_name_the_new_account(client_for, approved, ministry):
    provider_billing_update(provider=approved.provider, actor=approved.staff, iban=NEW_IBAN)
    html = page(client_for, ministry, approved.statement)
    assert "data-bank-change-warning" in html
    assert f"Eine jetzt ausgestellte Rechnung nennt das neue Konto {NEW_MASKED}" in html


def test_an_invoice_issued_before_the_change_keeps_its_account_and_has_no_warning(client_for, approved, ministry):
    statement = approved.statement
    issued = services.invoice_issue(statement=statement, actor=ministry)
    provider_billing_update(provider=approved.provider, actor=approved.staff, iban=NEW_IBAN, bic="COBADEFFXXX")

    statement = Statement.objects.get(pk=statement.pk)
    document = invoice_document(statement)
    assert document.sha256 == issued.sha256 and bytes(document.xml) == bytes(issued.xml)
    assert b"DE02120300000000202051" in document.xml and NEW_IBAN.encode() not in document.xml
    pdf = pdf_text(render_invoice_pdf(statement))
    assert "IBAN: DE02 1203 0000 0000 2020 51" in pdf and "DE89" not in pdf and "COBADEFFXXX" not in pdf
    assert "data-bank-change-warning" not in page(client_for, ministry, statement)


def test_outside_the_hold_there_is_no_warning(approved, ministry):
    statement = approved.statement
    provider_billing_update(provider=approved.provider, actor=approved.staff, iban=NEW_IBAN)
    invoice = services.invoice_issue(statement=statement, actor=approved.staff)
    change_at = AuditEntry.objects.get(action="provider.billing_data_updated").at
    assert set(bank_change_warnings(statement, {invoice.payer: invoice})) == {invoice.payer}
    # Issued on the 14th day after the change: still warned; on the 15th: not.
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=change_at + timedelta(days=14))
    invoice.refresh_from_db()
    warning = bank_change_warnings(statement, {invoice.payer: invoice})[invoice.payer]
    assert warning.days_after == 14 and warning.issued and warning.invoice_iban == NEW_MASKED
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=change_at + timedelta(days=14, seconds=1))
    invoice.refresh_from_db()
    assert bank_change_warnings(statement, {invoice.payer: invoice}) == {}
    # Not yet issued, looked at 20 days after the change: no warning either.
    assert bank_change_warnings(statement, {invoice.payer: None}, now=change_at + timedelta(days=20)) == {}


def test_a_hold_of_zero_days_warns_of_nothing(approved, ministry):
    services.billing_terms_save(contract=approved.calloff.contract, actor=ministry, bank_change_hold_days=0)
    provider_billing_update(provider=approved.provider, actor=approved.staff, iban=NEW_IBAN)
    assert bank_change_warnings(approved.statement, {"ministry": None}) == {}


def test_a_change_of_other_billing_data_is_no_reason_to_warn(approved):
    provider_billing_update(provider=approved.provider, actor=approved.staff, city="Köln")
    assert bank_change_warnings(approved.statement, {"ministry": None}, now=timezone.now()) == {}


def test_the_ministry_sets_the_hold_on_the_billing_terms_page(client_for, setup, ministry):
    url = reverse("settlement:billing_terms", args=[setup.contract.public_id])
    data = {
        "form": "terms",
        "terms-vat_percent": "19",
        "terms-travel_flat_rate": "0",
        "terms-holiday_surcharge_percent": "",
        "terms-payer": "ministry",
        "terms-ministry_leitweg_id": "",
        "terms-bank_change_hold_days": "91",
    }
    response = client_for(ministry).post(url, data)
    assert response.status_code == 400 and "Der Wert muss zwischen 0 und 90 liegen." in response.content.decode()
    assert not BillingTerms.objects.filter(contract=setup.contract).exists()  # nothing stored
    assert client_for(ministry).post(url, {**data, "terms-bank_change_hold_days": "30"}).status_code == 302
    assert BillingTerms.objects.get(contract=setup.contract).bank_change_hold_days == 30
    entry = AuditEntry.objects.get(action="contract.billing_terms_saved")
    assert entry.details["changes"]["bank_change_hold_days"] == ["14", "30"]


@pytest.mark.parametrize("value", ["-1", "abc", "90,5"])
def test_the_form_refuses_an_implausible_hold_in_german(setup, value):
    form = BillingTermsForm(
        data={"vat_percent": "19", "travel_flat_rate": "0", "payer": "ministry", "bank_change_hold_days": value},
        instance=BillingTerms(contract=setup.contract),
    )
    assert not form.is_valid() and "bank_change_hold_days" in form.errors


def test_the_database_refuses_a_hold_out_of_range(setup):
    terms = BillingTerms.objects.create(contract=setup.contract)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingTerms.objects.filter(pk=terms.pk).update(bank_change_hold_days=91)


def test_an_empty_hold_keeps_the_one_set(setup):
    form = BillingTermsForm(
        data={"vat_percent": "19", "travel_flat_rate": "0", "payer": "ministry", "bank_change_hold_days": ""},
        instance=BillingTerms(contract=setup.contract, bank_change_hold_days=30),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["bank_change_hold_days"] == 30
