"""The invoice's PDF view shows what the XRechnung carries of the seller: VAT ID (or tax number), bank
account, payment terms with the due date and the billing contact."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from calloffs.models import Provider
from settlement.invoice import PAYMENT_DAYS, xrechnung
from settlement.invoice_pdf import render_invoice_pdf
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
