"""The XRechnung CIUS fields beyond EN 16931 (BR-DE-*, BR-S-02, BR-CO-25) are in the generated
document, and a provider without its billing data gets a clear refusal instead of a non-conformant
file. These xpath checks name the fields; the official rules themselves (KoSIT Schematron) run in
tests/settlement/test_xrechnung_rules.py, the schema check (tests/settlement/test_invoice.py) for the XSD."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs.errors import TransitionNotAllowed
from settlement import invoice_check
from settlement.invoice import PAYMENT_DAYS, part_of, xrechnung
from settlement.models import Payer, Statement
from tests.settlement.test_invoice import NS, validate

pytestmark = pytest.mark.django_db

SELLER = ".//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
BUYER = ".//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty"
SETTLEMENT = ".//ram:ApplicableHeaderTradeSettlement"


def one(root, path) -> str:
    found = root.findall(path, NS)
    assert len(found) == 1, path
    return (found[0].text or "").strip()


def test_the_br_de_fields_are_in_the_document(approved):
    statement = approved.statement
    provider = statement.provider
    root = validate(xrechnung(statement))
    # BR-DE-2/5/6/7: seller contact with name, phone, e-mail
    assert one(root, f"{SELLER}/ram:DefinedTradeContact/ram:PersonName") == provider.billing_contact_name
    assert one(root, f"{SELLER}/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber") == (
        provider.billing_contact_phone
    )
    assert one(root, f"{SELLER}/ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID") == (
        provider.billing_contact_email
    )
    # BR-DE-3/4: seller city and postcode; BR-S-02: seller VAT ID
    assert one(root, f"{SELLER}/ram:PostalTradeAddress/ram:CityName") == provider.city
    assert one(root, f"{SELLER}/ram:PostalTradeAddress/ram:PostcodeCode") == provider.postcode
    assert one(root, f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == provider.vat_id
    # BR-DE-8/9: buyer postcode and city (the ministry pays here)
    assert one(root, f"{BUYER}/ram:PostalTradeAddress/ram:PostcodeCode") == "40217"
    assert one(root, f"{BUYER}/ram:PostalTradeAddress/ram:CityName") == "Düsseldorf"
    # BR-DE-1 / BR-DE-23: payment means 58 (SEPA credit transfer) with the IBAN
    assert one(root, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "58"
    assert (
        one(
            root,
            f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
        )
        == provider.iban
    )
    # BR-CO-25: a due date (30 days after the issue date) and payment terms
    due = timezone.localdate(statement.approved_at) + timedelta(days=PAYMENT_DAYS)
    terms = root.find(f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms", NS)
    assert f"{due:%Y%m%d}" in "".join(terms.itertext())
    assert f"{due:%d.%m.%Y}" in one(root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description")


def test_a_body_as_buyer_carries_its_own_address(approved, org_a):
    org_a.leitweg_id = "05315000-ABC123-85"
    org_a.save(update_fields=["leitweg_id"])
    Statement.objects.filter(pk=approved.statement.pk).update(payer=Payer.BODY)
    statement = Statement.objects.get(pk=approved.statement.pk)
    root = validate(xrechnung(statement))
    assert one(root, f"{BUYER}/ram:PostalTradeAddress/ram:PostcodeCode") == org_a.postcode
    assert one(root, f"{BUYER}/ram:PostalTradeAddress/ram:CityName") == org_a.city
    org_a.city = ""
    org_a.save(update_fields=["city"])
    statement = Statement.objects.get(pk=approved.statement.pk)
    with pytest.raises(TransitionNotAllowed, match="Postleitzahl und Ort"):
        xrechnung(statement)


def test_a_tax_number_stands_in_for_a_missing_vat_id(approved):
    provider = approved.statement.provider
    provider.vat_id, provider.tax_number = "", "133/8150/8159"
    provider.save(update_fields=["vat_id", "tax_number"])
    statement = Statement.objects.get(pk=approved.statement.pk)
    root = validate(xrechnung(statement))
    assert one(root, f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == "133/8150/8159"
    assert root.findall(f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS) == []


@pytest.mark.parametrize("field", ["vat_id", "iban", "billing_contact_name", "city"])
def test_missing_seller_data_is_refused_not_emitted(approved, api, client_for, alice, field):
    provider = approved.statement.provider
    if field == "vat_id":
        provider.tax_number = ""
    setattr(provider, field, "")
    provider.save()
    statement = Statement.objects.get(pk=approved.statement.pk)
    with pytest.raises(TransitionNotAllowed, match="fehlen Rechnungsdaten"):
        xrechnung(statement)
    response = api(0).get(f"/api/v1/statements/{statement.public_id}/invoice/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert "Rechnungsdaten" in response.json()["detail"]
    page = client_for(alice).get(reverse("settlement:invoice", args=[statement.public_id]), follow=True)
    assert "fehlen Rechnungsdaten des Dienstleisters" in page.content.decode()


def test_an_upload_with_another_seller_vat_id_is_a_difference(approved):
    statement = approved.statement
    xml = xrechnung(statement)
    other = xml.replace(statement.provider.vat_id.encode(), b"DE999999999")
    part = part_of(statement)
    assert invoice_check.differences(invoice_check.parse(xml), part) == []
    found = invoice_check.differences(invoice_check.parse(other), part)
    assert {"field": "seller_vat_id", "expected": statement.provider.vat_id, "found": "DE999999999"} in found
