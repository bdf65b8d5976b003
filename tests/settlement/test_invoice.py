"""XRechnung (CII) of an approved statement: addressed to the payer's Leitweg-ID, the call-off number
as order reference, one line per priced line, valid against the EN 16931 CII schema that drafthorse ships."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import drafthorse
import pytest
from django.utils import timezone
from lxml import etree

from calloffs.errors import TransitionNotAllowed
from settlement import services
from settlement.invoice import xrechnung
from settlement.models import Payer

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
XSD = Path(drafthorse.__file__).parent / "schema" / "Factur-X_1.0.07_EN16931.xsd"
MINISTRY_LEITWEG = "05-83"


def validate(xml: bytes) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    root = etree.fromstring(xml)
    schema.assertValid(root)
    return root


def text(root, path):
    return root.findtext(path, namespaces=NS)


def test_the_xrechnung_validates_and_carries_the_references(approved):
    statement = approved.statement
    root = validate(xrechnung(statement))
    assert text(root, ".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID").endswith("xrechnung_3.0")
    assert text(root, "rsm:ExchangedDocument/ram:ID") == statement.number
    assert text(root, "rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert text(root, ".//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference") == MINISTRY_LEITWEG
    assert text(root, ".//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == approved.calloff.number
    lines = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
    assert len(lines) == statement.lines.count() == 3  # lead work, lead night surcharge, handler work
    amounts = [
        Decimal(x.text)
        for x in root.findall(".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", NS)
    ]
    assert amounts == list(statement.lines.order_by("position").values_list("amount", flat=True))
    assert sum(amounts) == statement.net_total
    assert Decimal(text(root, ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount")) == (
        statement.gross_total
    )
    assert Decimal(text(root, ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount")) == (
        statement.vat_total
    )
    # the same bytes every time (derived from the immutable statement)
    assert xrechnung(statement) == xrechnung(statement)


def test_a_body_paying_itself_is_addressed_by_its_own_leitweg_id(approved, org_a):
    from settlement.models import Statement

    Statement.objects.filter(pk=approved.statement.pk).update(payer=Payer.BODY)
    approved.statement.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):  # the body has no Leitweg-ID yet
        xrechnung(approved.statement)
    org_a.leitweg_id = "05315000-ABC123-85"
    org_a.save(update_fields=["leitweg_id"])
    approved.statement.calloff.organisation.refresh_from_db()
    root = validate(xrechnung(approved.statement))
    assert text(root, ".//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference") == "05315000-ABC123-85"


def test_a_credit_note_is_type_381_and_refers_to_the_invoice(approved, ministry):
    credit = services.statement_credit(statement=approved.statement, actor=ministry, reason="Falscher Zeitraum")
    root = validate(xrechnung(credit))
    assert text(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert text(root, ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == approved.statement.number


def test_no_xrechnung_before_approval(work):
    w = work()
    w.add(1)
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    with pytest.raises(TransitionNotAllowed):
        xrechnung(statement)


def test_the_schema_check_catches_a_broken_document(approved):
    root = etree.fromstring(xrechnung(approved.statement))
    root.find("rsm:ExchangedDocument", NS).append(etree.Element(f"{{{NS['ram']}}}Bogus"))
    with pytest.raises(etree.DocumentInvalid):
        validate(etree.tostring(root))


def test_the_invoice_through_the_api_and_the_portal(approved, api, client_for, alice, charlie, setup):
    from django.urls import reverse

    statement = approved.statement
    url = f"/api/v1/statements/{statement.public_id}/invoice/"
    response = api(0).get(url, HTTP_ACCEPT="application/xml")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert f"XRechnung_{statement.number}.xml" in response["Content-Disposition"]
    validate(response.content)
    assert api(0).get(url).status_code == 200  # without Accept
    for response in (api(1).get(url), api(1).get(url, HTTP_ACCEPT="application/xml")):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    page = reverse("settlement:invoice", args=[statement.public_id])
    assert client_for(alice).get(page).status_code == 200
    assert page in client_for(alice).get(reverse("settlement:detail", args=[statement.public_id])).content.decode()
    for outsider in (charlie, setup.staff[1]):
        assert client_for(outsider).get(page).status_code == 404


def test_no_invoice_before_approval_is_a_conflict(work, api, client_for, alice):
    from django.urls import reverse

    w = work()
    w.add(1)
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    response = api(0).get(f"/api/v1/statements/{statement.public_id}/invoice/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    page = client_for(alice).get(reverse("settlement:invoice", args=[statement.public_id]))
    assert page.status_code == 302


def test_the_ceiling_counts_the_approved_amount_as_consumed(approved, setup, ministry):
    from calloffs.selectors import contract_ceiling_status

    statement = approved.statement
    estimate = approved.calloff.estimated_value  # 40 h × 210 = 8400
    # entries: 7.5 h × 250 + 3.33 h × 195 = 2524.35 recorded; approved with the night surcharge: 2618.10
    assert statement.net_total == Decimal("2618.10")
    status = contract_ceiling_status(setup.contract)
    assert status.consumed == Decimal("2618.10")
    assert status.committed == estimate - Decimal("2618.10")  # moved from committed to consumed
    assert status.remaining == setup.contract.ceiling - estimate
    approved.add(1, hours="2")  # recorded, not yet approved: still covered by the commitment, not consumed
    assert contract_ceiling_status(setup.contract).consumed == Decimal("2618.10")
    services.statement_credit(statement=statement, actor=ministry, reason="Korrektur")
    # credited: nothing is consumed any more, the whole estimate is committed again
    status = contract_ceiling_status(setup.contract)
    assert (status.consumed, status.committed) == (Decimal("0.00"), estimate)
