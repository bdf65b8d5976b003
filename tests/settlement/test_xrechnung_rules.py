"""The official EN 16931 and XRechnung business rules (KoSIT Schematron, compiled XSLT run by Saxon-HE):
every invoice the portal generates keeps all of them (no fatal or error finding), for each kind of
invoice it makes; a broken invoice is reported with the rule ids and texts."""

import pytest
from lxml import etree

from calloffs.models import Provider
from settlement import services, xrechnung_rules
from settlement.invoice import xrechnung
from settlement.models import Payer, Statement
from tests.settlement.test_payers_and_holidays import split  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def assert_conformant(data: bytes) -> None:
    errors = xrechnung_rules.errors(data)
    assert errors == [], [f"{e.rule}: {e.text}" for e in errors]


def test_the_generated_invoice_keeps_every_rule(approved):
    assert_conformant(xrechnung(approved.statement))


def test_a_credit_note_keeps_every_rule(approved, ministry):
    credit = services.statement_credit(statement=approved.statement, actor=ministry, reason="Doppelt abgerechnet")
    data = xrechnung(credit)
    assert etree.fromstring(data).findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert_conformant(data)


def test_both_invoices_of_a_split_statement_keep_every_rule(split):  # noqa: F811
    for payer in (Payer.MINISTRY, Payer.BODY):
        assert_conformant(xrechnung(split.statement, payer))


def test_a_seller_with_tax_number_and_without_bic_keeps_every_rule(approved):
    Provider.objects.filter(pk=approved.provider.pk).update(vat_id="", tax_number="133/8150/8159", bic="")
    assert_conformant(xrechnung(Statement.objects.get(pk=approved.statement.pk)))


def test_a_broken_invoice_is_reported_with_rule_ids_and_texts(approved):
    root = etree.fromstring(xrechnung(approved.statement))
    reference = root.find(".//ram:BuyerReference", NS)
    reference.getparent().remove(reference)
    summation = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount", NS)
    summation.text = "1.00"
    found = {f.rule: f for f in xrechnung_rules.errors(etree.tostring(root))}
    assert {"BR-DE-15", "BR-CO-15"} <= set(found)  # XRechnung's Leitweg-ID rule and EN 16931's total
    assert found["BR-DE-15"].flag == "fatal" and "Buyer reference" in found["BR-DE-15"].text
    assert "BT-112" in found["BR-CO-15"].text and found["BR-CO-15"].location.startswith("/")


def test_the_stylesheets_are_compiled_once_per_process():
    assert xrechnung_rules._compiled() is xrechnung_rules._compiled()
