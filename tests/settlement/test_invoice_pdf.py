"""The invoice's PDF view shows what the XRechnung carries of the seller: VAT ID (or tax number), bank
account, payment terms with the due date and the billing contact."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from calloffs.models import Provider
from settlement import services
from settlement.invoice import PAYMENT_DAYS, xrechnung
from settlement.invoice_pdf import render_invoice_pdf
from settlement.invoice_read import read
from settlement.models import Statement
from tests.calloffs.documents_fixtures import pdf_text

from .test_invoice import NS, text

pytestmark = pytest.mark.django_db


def test_the_pdf_shows_the_seller_s_tax_bank_payment_and_contact_data_of_the_xrechnung(approved):
    statement = approved.statement
    provider = approved.provider
    root = etree.fromstring(xrechnung(statement))
    due = timezone.localdate(statement.approved_at) + timedelta(days=PAYMENT_DAYS)
    udt = {**NS, "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
    due_in_xml = root.findtext(
        ".//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", namespaces=udt
    )
    assert due_in_xml == f"{due:%Y%m%d}"

    pdf = pdf_text(render_invoice_pdf(statement))

    assert f"USt-IdNr. {provider.vat_id}" in pdf
    assert "IBAN: DE02 1203 0000 0000 2020 51" in pdf and f"BIC: {provider.bic}" in pdf
    assert f"Kontoinhaber: {provider.legal_name}" in pdf
    terms = text(root, ".//ram:SpecifiedTradePaymentTerms/ram:Description")
    assert terms == f"Zahlbar ohne Abzug bis {due:%d.%m.%Y} ({PAYMENT_DAYS} Tage)."
    assert f"Zahlungsbedingungen {terms}" in pdf and f"Fällig am {due:%d.%m.%Y}" in pdf
    contact = f"{provider.billing_contact_name}, {provider.billing_contact_phone}, {provider.billing_contact_email}"
    assert f"Ansprechperson für die Rechnung {contact}" in pdf


def test_a_seller_without_vat_id_is_shown_with_its_tax_number(approved):
    Provider.objects.filter(pk=approved.provider.pk).update(vat_id="", tax_number="133/8150/8159")
    approved.statement.refresh_from_db()
    approved.statement.provider.refresh_from_db()

    pdf = pdf_text(render_invoice_pdf(approved.statement))

    assert "Steuernummer 133/8150/8159" in pdf and "USt-IdNr." not in pdf


def test_the_pdf_of_an_issued_invoice_keeps_the_data_it_was_issued_with(approved, ministry):
    statement = approved.statement
    provider = approved.provider
    issued = services.invoice_issue(statement=statement, actor=approved.staff)
    before = pdf_text(render_invoice_pdf(statement))
    old = (provider.legal_name, provider.vat_id, provider.billing_contact_name, provider.street)
    assert all(value in before for value in old) and "DE02 1203 0000 0000 2020 51" in before

    Provider.objects.filter(pk=provider.pk).update(
        legal_name="Neuer Name GmbH",
        street="Andere Straße 9",
        vat_id="DE999999999",
        iban="DE89370400440532013000",
        billing_contact_name="Erika Neu",
    )
    statement = Statement.objects.get(pk=statement.pk)
    after = pdf_text(render_invoice_pdf(statement))

    assert after == before  # every word, the issue date and the totals included
    for new in ("Neuer Name GmbH", "Andere Straße 9", "DE999999999", "DE89 3704", "Erika Neu"):
        assert new not in after
    assert issued.sha256[:16] in after.replace(" ", "")  # the issued document (a long digest wraps)


def test_the_pdf_of_an_uploaded_invoice_says_what_the_upload_says(approved):
    statement = approved.statement
    root = etree.fromstring(xrechnung(statement))
    root.find("rsm:ExchangedDocument/ram:ID", NS).text = "RE-2026-0815"
    root.find(".//ram:SpecifiedTradeProduct/ram:Name", NS).text = "Incident Response lt. eigenem Angebot"
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    services.invoice_upload(statement=statement, actor=approved.staff, data=data)

    pdf = pdf_text(render_invoice_pdf(Statement.objects.get(pk=statement.pk)))

    assert "Rechnung RE-2026-0815" in pdf and "Incident Response lt. eigenem Angebot" in pdf
    assert "hochgeladen" in pdf and "3.115,54 €" in pdf
    view = read(data)
    assert view.grand_total == statement.gross_total and view.buyer_reference == "05-83"
    assert [line.amount for line in view.lines] == [line.amount for line in statement.lines.order_by("position")]


def test_a_credit_note_s_pdf_says_so_and_names_the_invoice_it_cancels(approved, ministry):
    credit = services.statement_credit(statement=approved.statement, actor=ministry, reason="Doppelt")
    pdf = pdf_text(render_invoice_pdf(credit))
    assert f"Gutschrift {credit.number}" in pdf
    assert f"Bezug auf Rechnung {approved.statement.number}" in pdf


def test_the_provider_s_own_edit_leaves_issued_invoices_as_issued(approved):
    from calloffs.services.billing_data import provider_billing_update
    from settlement.invoice import invoice_document

    statement = approved.statement
    issued = services.invoice_issue(statement=statement, actor=approved.staff)
    old_iban = approved.provider.iban
    provider_billing_update(provider=approved.provider, actor=approved.staff, iban="DE89370400440532013000")

    document = invoice_document(Statement.objects.get(pk=statement.pk))
    assert document.issued and document.sha256 == issued.sha256
    assert b"DE89370400440532013000" not in document.xml and old_iban.encode() in document.xml
