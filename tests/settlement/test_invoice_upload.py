"""PUT /api/v1/statements/{id}/invoice/: the provider's own XRechnung, parsed safely and checked against
the approved statement; a mismatch is refused with every difference; accepted uploads are stored with
SHA-256, audited, and then what the GET returns (X-Invoice-Source)."""

import hashlib
from decimal import Decimal

import pytest
from lxml import etree

from settlement.invoice import xrechnung
from settlement.models import INVOICE_MAX_BYTES, Invoice, InvoiceSource
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def url(statement, tail="invoice/"):
    return f"/api/v1/statements/{statement.public_id}/{tail}"


def put(client, statement, data: bytes, content_type="application/xml", query=""):
    return client.put(url(statement) + query, data=data, content_type=content_type)


def own_invoice(statement, **changes) -> bytes:
    """The provider's own invoice: the generated one under another number, with ``changes``
    ({xpath: new text}) applied."""
    root = etree.fromstring(xrechnung(statement))
    root.find("rsm:ExchangedDocument/ram:ID", NS).text = "RE-2026-0815"
    for path, value in changes.items():
        for node in root.findall(path, NS):
            node.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_matching_invoice_is_stored_audited_and_then_returned(approved, api):
    statement = approved.statement
    data = own_invoice(statement)
    response = put(api(0), statement, data)
    assert response.status_code == 201, response.content
    body = response.json()
    digest = hashlib.sha256(data).hexdigest()
    assert body["source"] == "uploaded" and body["sha256"] == digest and body["number"] == "RE-2026-0815"
    assert body["gross_total"] == str(statement.gross_total)
    stored = Invoice.objects.get(statement=statement)
    assert bytes(stored.xml) == data and stored.size == len(data)
    entry = AuditEntry.objects.filter(action="statement.invoice_uploaded").get()
    assert entry.details["sha256"] == digest and entry.target == statement.number

    fetched = api(0).get(url(statement))
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched["X-Invoice-Source"] == "uploaded" and fetched["X-Content-SHA256"] == digest

    assert put(api(0), statement, data).status_code == 200  # the same document again: nothing changes
    other = put(api(0), statement, own_invoice(statement, **{"rsm:ExchangedDocument/ram:ID": "RE-2"}))
    assert other.status_code == 409 and other["Content-Type"] == "application/problem+json"
    assert Invoice.objects.get(statement=statement).sha256 == digest


def test_a_mismatch_is_refused_with_every_difference(approved, api):
    statement = approved.statement
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    data = own_invoice(
        statement,
        **{
            summation + "ram:GrandTotalAmount": "99999.00",
            summation + "ram:TaxTotalAmount": "1.00",
            ".//ram:BuyerReference": "05-99",
            ".//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID": "A-0000",
            ".//ram:RateApplicablePercent": "7",
        },
    )
    response = put(api(0), statement, data)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invoice_mismatch"
    found = {d["field"]: d for d in problem["differences"]}
    assert set(found) == {"gross_total", "vat_total", "buyer_reference", "order_reference", "vat_rate"}
    assert found["gross_total"] == {"field": "gross_total", "expected": str(statement.gross_total), "found": "99999.00"}
    assert found["buyer_reference"]["expected"] == "05-83" and found["buyer_reference"]["found"] == "05-99"
    assert found["order_reference"]["expected"] == approved.calloff.number
    assert found["vat_rate"] == {"field": "vat_rate", "expected": "19", "found": "7"}
    assert not Invoice.objects.exists()
    assert not AuditEntry.objects.filter(action="statement.invoice_uploaded").exists()


def test_a_line_that_does_not_add_up_is_a_difference(approved, api):
    statement = approved.statement
    line_total = ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    root = etree.fromstring(own_invoice(statement))
    root.findall(line_total, NS)[0].text = "0.01"
    response = put(api(0), statement, etree.tostring(root))
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["differences"]] == ["line_sum"]


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "invalid_invoice"),
        (b"<not-xml", "invalid_invoice"),
        (
            b"<?xml version='1.0'?><Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>",
            "invalid_invoice",
        ),
        (
            b"<?xml version='1.0'?><rsm:CrossIndustryInvoice "
            b"xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'/>",
            "invalid_invoice",
        ),
    ],
)
def test_unreadable_documents_are_refused_as_problems(approved, api, data, code):
    response = put(api(0), approved.statement, data)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json" and response.json()["code"] == code
    assert not Invoice.objects.exists()


def test_entities_are_never_resolved(approved, api, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&x;'
        "</rsm:CrossIndustryInvoice>"
    ).encode()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>'
    )
    for data in (xxe, laughs):
        response = put(api(0), approved.statement, data)
        assert response.status_code == 400
        assert "TOP-SECRET" not in response.content.decode()
    assert not Invoice.objects.exists()


def test_oversized_and_non_xml_uploads_are_refused(approved, api):
    big = put(api(0), approved.statement, b"<a>" + b" " * INVOICE_MAX_BYTES + b"</a>")
    assert big.status_code == 413
    json_body = api(0).put(url(approved.statement), {"invoice": "x"}, format="json")
    assert json_body.status_code == 415
    assert not Invoice.objects.exists()


def test_before_approval_and_for_other_providers_nothing_is_accepted(approved, api, work):
    statement = approved.statement
    data = own_invoice(statement)
    assert put(api(1), statement, data).status_code == 404
    assert put(api(None), statement, data).status_code == 401
    assert api(1).get(url(statement)).status_code == 404
    assert api(1).get(url(statement, "invoice.pdf")).status_code == 404
    assert not Invoice.objects.exists()


def test_the_first_get_issues_the_generated_invoice_which_is_then_final(approved, api):
    statement = approved.statement
    first = api(0).get(url(statement))
    assert first.status_code == 200 and first["X-Invoice-Source"] == "generated"
    issued = Invoice.objects.get(statement=statement)
    assert issued.source == InvoiceSource.GENERATED and bytes(issued.xml) == first.content
    assert api(0).get(url(statement)).content == first.content
    # the issued invoice is not replaced by an upload: a correction is a credit note plus a new statement
    own = own_invoice(statement)
    refused = put(api(0), statement, own)
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "invoice_already_issued"
    assert "Gutschrift" in problem["detail"] and issued.sha256 in problem["detail"]
    assert Invoice.objects.get(statement=statement).sha256 == issued.sha256
    assert not AuditEntry.objects.filter(action="statement.invoice_uploaded").exists()
    entry = AuditEntry.objects.filter(action="statement.invoice_replacement_refused").get()
    assert entry.details["issued_sha256"] == issued.sha256
    assert entry.details["refused_sha256"] == hashlib.sha256(own).hexdigest()
    # the issued document itself again is fine (idempotent)
    assert put(api(0), statement, first.content).status_code == 200


def test_an_invoice_the_payer_downloaded_is_issued_and_not_replaced(approved, api, client_for, ministry):
    from django.urls import reverse

    statement = approved.statement
    fetched = client_for(ministry).get(reverse("settlement:invoice", args=[statement.public_id]))
    assert fetched.status_code == 200 and fetched["X-Invoice-Source"] == "generated"
    issued = Invoice.objects.get(statement=statement)
    assert issued.issued_by == ministry and bytes(issued.xml) == fetched.content
    entry = AuditEntry.objects.filter(action="statement.invoice_issued").get()
    assert entry.details["fetched_by"] == "payer"
    assert put(api(0), statement, own_invoice(statement)).json()["code"] == "invoice_already_issued"
    assert api(0).get(url(statement)).content == fetched.content


def test_an_invoice_breaking_a_business_rule_is_refused_with_the_rules(approved, api):
    statement = approved.statement
    root = etree.fromstring(own_invoice(statement))
    contact = root.find(".//ram:SellerTradeParty/ram:DefinedTradeContact", NS)
    contact.getparent().remove(contact)  # BR-DE-2: the seller's contact is required in XRechnung
    response = put(api(0), statement, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invoice_rules_violated" and "BR-DE-2" in problem["detail"]
    rules = {v["rule"]: v for v in problem["violations"]}
    assert "BR-DE-2" in rules and rules["BR-DE-2"]["flag"] in ("fatal", "error")
    assert "SELLER CONTACT" in rules["BR-DE-2"]["text"] and rules["BR-DE-2"]["location"]
    assert not Invoice.objects.exists()


def test_the_pdf_view_shows_the_invoice(approved, api):
    statement = approved.statement
    response = api(0).get(url(statement, "invoice.pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert statement.number in text and "05-83" in text and approved.calloff.number in text
    assert "3.115,54" in text and statement.gross_total == Decimal("3115.54")


# --- Portal ------------------------------------------------------------------------------------------


def test_the_provider_uploads_its_invoice_in_the_portal(approved, client_for, alice, ministry):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    statement = approved.statement
    page = reverse("settlement:invoice_upload", args=[statement.public_id])
    client = client_for(approved.staff)
    assert (
        'href="' + page + '"' in client.get(reverse("settlement:detail", args=[statement.public_id])).content.decode()
    )
    wrong = own_invoice(statement, **{".//ram:BuyerReference": "05-99"})
    response = client.post(page, {"invoice": SimpleUploadedFile("r.xml", wrong, content_type="application/xml")})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="buyer_reference"' in html and "05-99" in html and "Leitweg-ID" in html
    assert not Invoice.objects.exists()
    broken = client.post(page, {"invoice": SimpleUploadedFile("r.xml", b"<kaputt", content_type="application/xml")})
    assert broken.status_code == 400 and "kein wohlgeformtes XML" in broken.content.decode()
    data = own_invoice(statement)
    done = client.post(page, {"invoice": SimpleUploadedFile("r.xml", data, content_type="application/xml")})
    assert done.status_code == 302
    assert Invoice.objects.get(statement=statement).sha256 == hashlib.sha256(data).hexdigest()
    detail = client.get(reverse("settlement:detail", args=[statement.public_id])).content.decode()
    assert 'href="' + page + '"' not in detail  # issued: no upload offered any more
    other = own_invoice(statement, **{"rsm:ExchangedDocument/ram:ID": "X"})
    again = client.post(page, {"invoice": SimpleUploadedFile("r.xml", other, content_type="application/xml")})
    assert again.status_code == 400 and "Gutschrift" in again.content.decode()  # issued: how to correct
    for other in (alice, ministry):  # the parties read the invoice; only the provider uploads
        assert client_for(other).get(page).status_code == 404
